/**
 * The row-stationary mapper: the mapspace of one layer's temporal mappings (map/row-stationary.ts's RsTemporal:
 * p and q per PE, the GLB tile of images, filters, channels and ofmap rows, the GLB loop order) searched over the cost model the CLI reports (a candidate is
 * priced exactly as `simulate` prices the entry). Search modes:
 * - exhaustive: every perfect factorization of n, m, c, every tile of ofmap rows (rsTileRows) and every loop order, checked against the capacities
 *   after it is built — provably the optimum of the space (refused above RS_EXHAUSTIVE_LIMIT candidates);
 * - pruned: the same optimum from far fewer candidates. Capacities first: p and q that overflow a spad are dropped
 *   before any GLB tile is built, GLB tiles that overflow a partition before any loop order; and loop orders whose
 *   DRAM repeat factors equal an earlier order's (the cost depends on the order only through them) are not priced
 *   twice;
 * - random: seeded draws from the pruned space, stopped after `budget` draws or `budget / 4` draws in a row without
 *   improvement (the victory condition).
 * Ties keep the earlier candidate: the fixed mapping is priced first, so the search never reports worse than it.
 */
import { SimError } from '../base/errors.js';
import { createRng } from '../float/rng.js';
import {
  RS_GLB_ORDERS, type RsCapacities, type RsLayer, type RsTemporal, divisors, rsDramFactors, rsFit, rsFixedTemporal, rsTileRows,
} from '../map/row-stationary.js';

export type RsSearchMode = 'exhaustive' | 'pruned' | 'random';
export interface RsSearch { readonly mode: RsSearchMode; readonly budget?: number; readonly seed?: number }
export const RS_EXHAUSTIVE_LIMIT = 2_000_000;

export interface RsRanked<C> { readonly temporal: RsTemporal; readonly cost: C; readonly objective: number }
export interface RsSearchResult<C> {
  /** Best first, at most `top`. */
  readonly best: readonly RsRanked<C>[];
  /** Candidates priced, and candidates generated (exhaustive: the whole space, fitting or not). */
  readonly priced: number;
  readonly generated: number;
}

/** p, q pairs that fit the spads (pruned) or all of them (exhaustive). */
function spadPairs(l: RsLayer, cap: RsCapacities, prune: boolean): [number, number][] {
  const pairs: [number, number][] = [];
  for (const q of divisors(l.c)) {
    if (prune && q * l.s > cap.spad.ifmapWords) break;
    for (const p of divisors(l.m)) {
      if (prune && (p > cap.spad.psumWords || p * q * l.s > cap.spad.filterWords)) break;
      pairs.push([p, q]);
    }
  }
  return pairs;
}

/** The most ifmap words of one image-channel a tile of glbE ofmap rows holds (rsFit's rule). */
const rowWords = (l: RsLayer, glbE: number): number => Math.min(l.ifmapRows, (glbE - 1) * l.u + l.r) * l.ifmapRowWords;

/**
 * Every candidate of the space, in a fixed order; `prune` applies the capacity rules level by level. Each rule grows
 * with the factor its loop runs over (divisors ascend), so the first factor that overflows ends its loop.
 */
export function* rsMapspace(l: RsLayer, cap: RsCapacities, prune: boolean, cols: number): Generator<RsTemporal> {
  const ns = divisors(l.n), ms = divisors(l.m), cs = divisors(l.c), es = rsTileRows(l, cols);
  const g = cap.glb;
  for (const [p, q] of spadPairs(l, cap, prune)) {
    for (const glbE of es) {
      if (prune && (q * rowWords(l, glbE) > g.ifmapWords || p * glbE * l.f > g.psumWords)) break;
      for (const glbN of ns) {
        if (prune && (glbN * q * rowWords(l, glbE) > g.ifmapWords || glbN * p * glbE * l.f > g.psumWords)) break;
        for (const glbM of ms) {
          if (glbM % p !== 0) continue;
          if (prune && (glbN * glbM * glbE * l.f > g.psumWords || glbM * q * l.r * l.s > g.filterWords)) break;
          for (const glbC of cs) {
            if (glbC % q !== 0) continue;
            if (prune && (glbN * glbC * rowWords(l, glbE) > g.ifmapWords || glbM * glbC * l.r * l.s > g.filterWords)) break;
            const seen = new Set<string>();
            for (const order of prune ? ordersOfTile(l, glbN, glbM, glbC, glbE) : RS_GLB_ORDERS) {
              const t = { p, q, glbN, glbM, glbC, glbE, order };
              if (prune) {
                const f = rsDramFactors(l, t);
                const key = `${f.ifmap},${f.filter},${f.psumVisits}`;
                if (seen.has(key)) continue;
                seen.add(key);
              }
              yield t;
            }
          }
        }
      }
    }
  }
}

/**
 * The loop orders worth pricing for a tile: a loop over one tile does not change any DRAM factor wherever it sits,
 * so only the orders of the dims with more than one tile are built (those loops outer, in every order; the others
 * inner, in a fixed order). Exact: every other order has the factors of one of these.
 */
function ordersOfTile(l: RsLayer, glbN: number, glbM: number, glbC: number, glbE: number): readonly string[] {
  const many = (['m', 'n', 'e', 'c'] as const).filter((d) => (d === 'n' ? l.n / glbN : d === 'm' ? l.m / glbM : d === 'c' ? l.c / glbC : Math.ceil(l.e / glbE)) > 1);
  const key = many.join('');
  let orders = ORDERS_BY_DIMS.get(key);
  if (orders === undefined) {
    const rest = ['m', 'n', 'e', 'c'].filter((d) => !key.includes(d)).join('');
    orders = RS_GLB_ORDERS.filter((o) => o.endsWith(rest) && [...o.slice(0, many.length)].every((d) => key.includes(d)));
    ORDERS_BY_DIMS.set(key, orders);
  }
  return orders;
}
const ORDERS_BY_DIMS = new Map<string, readonly string[]>();

/** The size of the exhaustive space, without building it. */
export function rsMapspaceSize(l: RsLayer, cols: number): number {
  const count = (x: number, of: number) => divisors(of).filter((d) => d % x === 0).length;
  let size = 0;
  for (const p of divisors(l.m)) for (const q of divisors(l.c)) size += count(p, l.m) * count(q, l.c);
  return size * divisors(l.n).length * rsTileRows(l, cols).length * RS_GLB_ORDERS.length;
}

/** Searches `l`'s mapspace; `price` gives a candidate's cost and objective (lower is better). */
export function searchRs<C>(l: RsLayer, cap: RsCapacities, array: { readonly cols: number }, search: RsSearch, price: (t: RsTemporal) => { cost: C; objective: number }, top = 1): RsSearchResult<C> {
  const best: RsRanked<C>[] = [];
  const keep = (temporal: RsTemporal): boolean => {
    const { cost, objective } = price(temporal);
    if (best.length === top && objective >= best[best.length - 1].objective) return false;
    let i = best.length;
    while (i > 0 && best[i - 1].objective > objective) i--;
    best.splice(i, 0, { temporal, cost, objective });
    if (best.length > top) best.pop();
    return i === 0;
  };
  const fixed = rsFixedTemporal(l, cap, array);
  keep(fixed);
  let priced = 1, generated = 0;
  const same = (a: RsTemporal, b: RsTemporal) => a.p === b.p && a.q === b.q && a.glbN === b.glbN && a.glbM === b.glbM && a.glbC === b.glbC && a.glbE === b.glbE && a.order === b.order;
  if (search.mode === 'exhaustive') {
    const size = rsMapspaceSize(l, array.cols);
    if (size > RS_EXHAUSTIVE_LIMIT) {
      throw new SimError(`has ${size.toLocaleString('en-US')} candidates for an exhaustive search (limit ${RS_EXHAUSTIVE_LIMIT.toLocaleString('en-US')})`, { code: 'badValue', path: '--search', value: 'exhaustive', hint: 'Use --search pruned (the same optimum) or random.' });
    }
    for (const t of rsMapspace(l, cap, false, array.cols)) {
      generated++;
      const fit = rsFit(l, t, cap);
      if (!fit.spad || !fit.glb || same(t, fixed)) continue;
      keep(t);
      priced++;
    }
  } else if (search.mode === 'pruned') {
    for (const t of rsMapspace(l, cap, true, array.cols)) {
      generated++;
      if (same(t, fixed)) continue;
      keep(t);
      priced++;
    }
  } else {
    const all = [...rsMapspace(l, cap, true, array.cols)];
    generated = all.length;
    const rng = createRng(search.seed ?? 1);
    const budget = search.budget ?? 10_000;
    let quiet = 0;
    for (let draw = 0; draw < budget && all.length > 0 && quiet < Math.max(1, Math.floor(budget / 4)); draw++) {
      const t = all[Math.floor(rng.uniform() * all.length)];
      priced++;
      quiet = keep(t) ? 0 : quiet + 1;
    }
  }
  return { best, priced, generated };
}
