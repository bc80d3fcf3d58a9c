/**
 * The generated RTL under Icarus equals the cycle-stepped PE array, value for value and cycle for cycle, on random
 * configurations and GEMMs whose m, k, n are mostly not multiples of the array (acceptance: ≥ 200 configurations).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { randomIntGemm, rtlSim } from '../../sim/api/rtl.js';
import { GEMM_DATAFLOWS } from '../../sim/arch/types.js';
import { expectedRun } from '../../sim/rtl/cosim.js';
import type { RtlConfig } from '../../sim/rtl/verilog.js';
import { SKIP_ICARUS, skipTitle } from './tools.js';

const config: fc.Arbitrary<RtlConfig> = fc.record({
  rows: fc.integer({ min: 1, max: 8 }),
  cols: fc.integer({ min: 1, max: 8 }),
  dataflow: fc.constantFrom(...GEMM_DATAFLOWS),
  operandBits: fc.integer({ min: 2, max: 16 }),
  accumulatorBits: fc.integer({ min: 8, max: 40 }),
  overflow: fc.constantFrom('saturate' as const, 'wrap' as const),
  macPipelineCycles: fc.integer({ min: 1, max: 3 }),
});
const dims = fc.record({ m: fc.integer({ min: 1, max: 12 }), k: fc.integer({ min: 1, max: 12 }), n: fc.integer({ min: 1, max: 12 }), seed: fc.integer() });

describe.skipIf(SKIP_ICARUS !== '')(skipTitle('generated RTL under Icarus = the PE array', SKIP_ICARUS), () => {
  test('the 4×4 OS K=4 case: 16 results, every one at the cycle the PE array names', () => {
    const cfg: RtlConfig = { rows: 4, cols: 4, dataflow: 'os', operandBits: 8, accumulatorBits: 32, overflow: 'saturate', macPipelineCycles: 1 };
    const g = randomIntGemm(4, 4, 4, 8, 7);
    const r = rtlSim(cfg, g);
    expect(r.firstMismatch).toBeUndefined();
    expect(r.agree).toBe(true);
    expect(r.outputEvents).toBe(16);
    // One fold: T + R + C − 2 = 10 cycles, the last result final in cycle 9.
    expect([r.rtlCycles, r.arrayCycles, r.fastModelCycles]).toEqual([10, 10, 10]);
    // docs/cycle-model.md: PE (0, 0) finishes in cycle 3 (= K − 1), PE (3, 3) in cycle 9; the RTL agreed on every one.
    const cycles = expectedRun(cfg, g).events.map((e) => e.cycle);
    expect([Math.min(...cycles), Math.max(...cycles)]).toEqual([3, 9]);
  });

  test('200 random configurations × random GEMMs', () => {
    let runs = 0;
    fc.assert(fc.property(config, dims, (cfg, d) => {
      const r = rtlSim(cfg, randomIntGemm(d.m, d.k, d.n, cfg.operandBits, d.seed));
      runs++;
      expect(r.firstMismatch).toBeUndefined();
      expect(r.agree).toBe(true);
      expect(r.rtlCycles).toBe(r.fastModelCycles);
      expect(r.outputEvents).toBeGreaterThanOrEqual(d.m * d.n);
    }), { numRuns: 200, seed: 2112 });
    expect(runs).toBeGreaterThanOrEqual(200);
  }, 240_000);
});
