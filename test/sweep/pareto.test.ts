/**
 * paretoFront (O(n log n), sim/sweep/record.ts) against the definition checked pair by pair: random sets with many
 * ties and duplicates, over one, two and three objectives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Objective, type SweepRecord, paretoFront } from '../../sim/sweep/record.js';

const OBJECTIVES: readonly Objective[] = ['seconds', 'energyPj', 'areaMm2'];

/** The definition: not dominated by any record (no worse in every objective, better in one). */
function bruteFront(rs: readonly SweepRecord[], objectives: readonly Objective[]): Set<string> {
  const v = (r: SweepRecord) => objectives.map((o) => r.totals[o] as number);
  return new Set(rs.filter((c) => !rs.some((f) => v(f).every((x, i) => x <= v(c)[i]) && v(f).some((x, i) => x < v(c)[i]))).map((r) => r.id));
}

const record = (i: number, [seconds, energyPj, areaMm2]: readonly number[]): SweepRecord =>
  ({ id: `p${i}`, params: {} as SweepRecord['params'], totals: { seconds, energyPj, areaMm2 } as SweepRecord['totals'] });

describe('paretoFront', () => {
  it('equals the pairwise definition (1–3 objectives, ties and duplicates)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.double({ min: 0, max: 3, noNaN: true })), { maxLength: 60 }),
      fc.integer({ min: 1, max: 3 }),
      (vs, k) => {
        const rs = vs.map((v, i) => record(i, v));
        expect([...paretoFront(rs, OBJECTIVES.slice(0, k))].sort()).toEqual([...bruteFront(rs, OBJECTIVES.slice(0, k))].sort());
      },
    ), { seed: 20, numRuns: 400 });
  });
});
