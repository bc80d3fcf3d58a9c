/**
 * The one Verilator run of the suite: a 16×16 array, built once (≈ 45–60 s on 2 cores), reused from its cache. (That
 * the comparison fails on faults is shown under Icarus, test/rtl/mutation.test.ts: one build per mutant is too slow here.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { randomIntGemm, rtlSim } from '../../sim/api/rtl.js';
import { type RtlConfig, generateRtl } from '../../sim/rtl/verilog.js';
import { SKIP_VERILATOR, skipTitle } from './tools.js';

describe.skipIf(SKIP_VERILATOR !== '')(skipTitle('generated RTL under Verilator = the PE array', SKIP_VERILATOR), () => {
  test('16×16 ws, int8/int32, on GEMMs that do not fill the array; the second run reuses the build', () => {
    const cfg: RtlConfig = { rows: 16, cols: 16, dataflow: 'ws', operandBits: 8, accumulatorBits: 32, overflow: 'saturate', macPipelineCycles: 1 };
    const simulator = { kind: 'verilator' as const, cacheDir: mkdtempSync(join(tmpdir(), 'systolab-vcache-')) };
    const rtl = generateRtl(cfg);
    const first = rtlSim(cfg, randomIntGemm(40, 50, 30, 8, 1), rtl, simulator);
    expect(first.firstMismatch).toBeUndefined();
    expect(first.simulator).not.toMatch(/cached/);
    const second = rtlSim(cfg, randomIntGemm(17, 33, 20, 8, 2), rtl, simulator);
    expect(second.agree).toBe(true);
    expect(second.simulator).toMatch(/cached build/);
  }, 400_000);
});
