/**
 * A mapper over the lab's mapspace (model.ts): every (m, n, e, p, q, r, t) that meets the lab's conditions, ranked by
 * latency, energy or EDP. Two ways to enumerate, which must find the same optimum:
 * - `pruned`: builds only candidates that can pass — e from the handout's rule, r·t from e (then r, t its divisor
 *   pairs), p and q within the spads, m among the multiples of p — and checks the GLB last;
 * - `exhaustive`: every value of every parameter in its full range (m ≤ M, n ≤ N, e ≤ E, p ≤ psum spad, q ≤ ifmap
 *   spad, r and t ≤ the PE count), then the same checks. Feasible only for small layers and arrays: the test's
 *   proof that pruning drops no valid mapping.
 * - `random`: draws from the pruned ranges with a seeded generator until `budget` draws are spent, or until
 *   `victory` valid draws in a row bring no improvement (Timeloop's "victory condition"). Same seed, same result.
 * Ties break on the parameters in order (m, n, e, p, q, r, t ascending), so the ranking is deterministic.
 */
import { SimError } from '../../base/errors.js';
import { createRng } from '../../float/rng.js';
import { type LabCost, type LabHardware, type LabLayer, type LabMapping, isValid, labCost, ofmapDims } from './model.js';

export type LabObjective = 'latency' | 'energy' | 'edp';
export const LAB_OBJECTIVES: readonly LabObjective[] = ['latency', 'energy', 'edp'];

export interface RankedMapping {
  readonly mapping: LabMapping;
  readonly cost: LabCost;
  readonly score: number;
}

const scoreOf = (c: LabCost, objective: LabObjective): number =>
  objective === 'latency' ? c.cycles.total : objective === 'energy' ? c.energyUj.total : c.edpUjS;

const range = (lo: number, hi: number): number[] => Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i);

/** The values of e the handout allows, each with its (r, t) pairs (r·t is set by e); e with no PE set to run dropped. */
function eChoices(l: LabLayer, hw: LabHardware): { e: number; pairs: (readonly [number, number])[] }[] {
  const { e: E } = ofmapDims(l);
  const pes = hw.peArrayH * hw.peArrayW;
  return range(1, E).filter((e) => e % hw.peArrayW === 0 || 2 * e === hw.peArrayW || e === E).map((e) => {
    const rt = Math.floor(Math.floor(pes / l.r) / e);
    return { e, pairs: range(1, rt).filter((r) => rt % r === 0).map((r) => [r, rt / r] as const) };
  }).filter((c) => c.pairs.length > 0);
}

function* pruned(l: LabLayer, hw: LabHardware): Generator<LabMapping> {
  const pqMax = Math.floor(hw.filterSpad / l.s);
  for (const { e, pairs } of eChoices(l, hw)) {
    for (const n of range(1, l.n)) {
      for (const p of range(1, Math.min(hw.psumSpad, pqMax))) {
        for (const q of range(1, Math.min(Math.floor(hw.ifmapSpad / l.s), Math.floor(pqMax / p)))) {
          for (let m = p; m <= l.m; m += p) {
            for (const [r, t] of pairs) yield { m, n, e, p, q, r, t };
          }
        }
      }
    }
  }
}

/** Seeded draws from the pruned ranges (each parameter uniform within them), `budget` at most. */
function* random(l: LabLayer, hw: LabHardware, seed: number, budget: number): Generator<LabMapping> {
  const rng = createRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)];
  const choices = eChoices(l, hw);
  const pqMax = Math.floor(hw.filterSpad / l.s);
  const pMax = Math.min(hw.psumSpad, pqMax);
  if (choices.length === 0 || pMax < 1) return;
  for (let i = 0; i < budget; i++) {
    const { e, pairs } = pick(choices);
    const [r, t] = pick(pairs);
    const p = 1 + Math.floor(rng.uniform() * pMax);
    if (p > l.m) continue; // no multiple of p is ≤ M
    const qMax = Math.min(Math.floor(hw.ifmapSpad / l.s), Math.floor(pqMax / p));
    if (qMax < 1) continue;
    const q = 1 + Math.floor(rng.uniform() * qMax);
    const m = p * (1 + Math.floor(rng.uniform() * Math.floor(l.m / p)));
    yield { m, n: 1 + Math.floor(rng.uniform() * l.n), e, p, q, r, t };
  }
}

/** Candidates an exhaustive walk would generate, and the most it may (a few seconds' work). */
export const EXHAUSTIVE_LIMIT = 20_000_000;
export function exhaustiveSize(l: LabLayer, hw: LabHardware): number {
  const pes = hw.peArrayH * hw.peArrayW;
  return l.m * l.n * ofmapDims(l).e * hw.psumSpad * hw.ifmapSpad * pes * pes;
}

function* exhaustive(l: LabLayer, hw: LabHardware): Generator<LabMapping> {
  const { e: E } = ofmapDims(l);
  const pes = hw.peArrayH * hw.peArrayW;
  for (const m of range(1, l.m)) for (const n of range(1, l.n)) for (const e of range(1, E)) {
    for (const p of range(1, hw.psumSpad)) for (const q of range(1, hw.ifmapSpad)) {
      for (const r of range(1, pes)) for (const t of range(1, pes)) yield { m, n, e, p, q, r, t };
    }
  }
}

const KEYS = ['m', 'n', 'e', 'p', 'q', 'r', 't'] as const;
const byParams = (a: LabMapping, b: LabMapping): number => {
  for (const k of KEYS) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
};

/**
 * The best `top` valid mappings of `l` (fewer if fewer are valid), best first; `valid`: the valid mappings ranked (for
 * random, the valid draws, repeats included); `examined`: the candidates generated.
 */
export type LabSearch = 'pruned' | 'exhaustive' | 'random';
export const LAB_SEARCHES: readonly LabSearch[] = ['pruned', 'exhaustive', 'random'];

export interface SearchOptions {
  readonly objective?: LabObjective;
  readonly mode?: LabSearch;
  readonly top?: number;
  /** random: draws at most [10,000], stop after this many valid draws without a better best [500], seed [1]. */
  readonly budget?: number;
  readonly victory?: number;
  readonly seed?: number;
}

export function searchMappings(l: LabLayer, hw: LabHardware, opts: SearchOptions = {}): { best: RankedMapping[]; valid: number; examined: number } {
  const objective = opts.objective ?? 'edp', top = opts.top ?? 1, mode = opts.mode ?? 'pruned';
  if (mode === 'exhaustive' && exhaustiveSize(l, hw) > EXHAUSTIVE_LIMIT) {
    throw new SimError(`is too large to walk exhaustively for ${l.name}: ${exhaustiveSize(l, hw).toExponential(2)} candidates (the limit is ${EXHAUSTIVE_LIMIT.toExponential(0)})`, {
      code: 'badValue', path: '--search', value: mode, hint: '--search pruned ranks every valid mapping too, built from the constraints.',
    });
  }
  const victory = opts.victory ?? 500;
  const best: RankedMapping[] = [];
  let valid = 0, examined = 0, sinceBetter = 0;
  const source = mode === 'pruned' ? pruned(l, hw) : mode === 'exhaustive' ? exhaustive(l, hw) : random(l, hw, opts.seed ?? 1, opts.budget ?? 10_000);
  for (const mapping of source) {
    examined++;
    if (!isValid(mapping, l, hw)) continue;
    valid++;
    if (mode === 'random' && ++sinceBetter > victory) break;
    if (mode === 'random' && best.some((b) => byParams(b.mapping, mapping) === 0)) continue; // drawn before
    const cost = labCost(mapping, l, hw);
    const entry = { mapping, cost, score: scoreOf(cost, objective) };
    // Keep the best `top`, sorted: insert in place (top is small).
    let i = best.length;
    while (i > 0 && (best[i - 1].score > entry.score || (best[i - 1].score === entry.score && byParams(best[i - 1].mapping, mapping) > 0))) i--;
    if (i < top) {
      best.splice(i, 0, entry);
      if (best.length > top) best.pop();
      if (i === 0) sinceBetter = 0;
    }
  }
  return { best, valid, examined };
}
