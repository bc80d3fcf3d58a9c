/**
 * The real tiles of a training step co-simulate: forward, backwardData and backwardWeight of LeNet's c3 (5×5 conv,
 * 6 → 16 channels, im2col) and f6 (dense 120 → 84), operands from the float engine quantized to int8.
 */
import { describe, expect, test } from 'vitest';
import { layerIntGemm, rtlSim } from '../../sim/api/rtl.js';
import type { RtlConfig } from '../../sim/rtl/verilog.js';
import { SKIP_ICARUS, skipTitle } from './tools.js';

const cfg: RtlConfig = { rows: 4, cols: 4, dataflow: 'ws', operandBits: 8, accumulatorBits: 32, overflow: 'saturate', macPipelineCycles: 1 };
const CASES = (['c3', 'f6'] as const).flatMap((layer) => (['forward', 'backwardData', 'backwardWeight'] as const).map((pass) => ({ layer, pass })));
// The GEMM shapes the lowering gives at batch 1 (docs/glossary.md: m × k × n).
const SHAPES: Record<string, [number, number, number]> = {
  'c3.forward': [100, 150, 16], 'c3.backwardData': [196, 400, 6], 'c3.backwardWeight': [150, 100, 16],
  'f6.forward': [1, 120, 84], 'f6.backwardData': [1, 84, 120], 'f6.backwardWeight': [120, 1, 84],
};

describe.skipIf(SKIP_ICARUS !== '')(skipTitle('LeNet training tiles under Icarus = the PE array', SKIP_ICARUS), () => {
  test.each(CASES)('$layer $pass', ({ layer, pass }) => {
    const { gemm, id } = layerIntGemm('lenet-digits', layer, pass, cfg.operandBits, 1);
    expect(id).toBe(`${layer}.${pass}`);
    expect([gemm.m, gemm.k, gemm.n]).toEqual(SHAPES[id]);
    // Real data, not zeros: the operands use the int8 range.
    expect(Math.max(...gemm.a.map(Math.abs))).toBe(127);
    const r = rtlSim(cfg, gemm);
    expect(r.firstMismatch).toBeUndefined();
    expect(r.agree).toBe(true);
  }, 60_000);
});
