/**
 * A mapper over the lab's mapspace (model.ts): every (m, n, e, p, q, r, t) that meets the lab's conditions, ranked by
 * latency, energy or EDP. Two ways to enumerate, which must find the same optimum:
 * - `pruned`: builds only candidates that can pass — e from the handout's rule, r·t from e (then r, t its divisor
 *   pairs), p and q within the spads, m among the multiples of p — and checks the GLB last;
 * - `exhaustive`: every value of every parameter in its full range (m ≤ M, n ≤ N, e ≤ E, p ≤ psum spad, q ≤ ifmap
 *   spad, r and t ≤ the PE count), then the same checks. Feasible only for small layers and arrays: the test's
 *   proof that pruning drops no valid mapping.
 * Ties break on the parameters in order (m, n, e, p, q, r, t ascending), so the ranking is deterministic.
 */
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

function* pruned(l: LabLayer, hw: LabHardware): Generator<LabMapping> {
  const { e: E } = ofmapDims(l);
  const pes = hw.peArrayH * hw.peArrayW;
  const es = range(1, E).filter((e) => e % hw.peArrayW === 0 || 2 * e === hw.peArrayW || e === E);
  const pqMax = Math.floor(hw.filterSpad / l.s);
  for (const e of es) {
    const rt = Math.floor(Math.floor(pes / l.r) / e);
    if (rt < 1) continue;
    const pairs = range(1, rt).filter((r) => rt % r === 0).map((r) => [r, rt / r] as const);
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

/** The best `top` valid mappings of `l` (fewer if fewer are valid), best first, and how many were valid. */
export function searchMappings(l: LabLayer, hw: LabHardware, opts: { objective?: LabObjective; mode?: 'pruned' | 'exhaustive'; top?: number } = {}): { best: RankedMapping[]; valid: number; examined: number } {
  const objective = opts.objective ?? 'edp', top = opts.top ?? 1;
  const best: RankedMapping[] = [];
  let valid = 0, examined = 0;
  for (const mapping of (opts.mode ?? 'pruned') === 'pruned' ? pruned(l, hw) : exhaustive(l, hw)) {
    examined++;
    if (!isValid(mapping, l, hw)) continue;
    valid++;
    const cost = labCost(mapping, l, hw);
    const entry = { mapping, cost, score: scoreOf(cost, objective) };
    // Keep the best `top`, sorted: insert in place (top is small).
    let i = best.length;
    while (i > 0 && (best[i - 1].score > entry.score || (best[i - 1].score === entry.score && byParams(best[i - 1].mapping, mapping) > 0))) i--;
    if (i < top) {
      best.splice(i, 0, entry);
      if (best.length > top) best.pop();
    }
  }
  return { best, valid, examined };
}
