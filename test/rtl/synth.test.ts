/**
 * Yosys synthesizes the generated PE and a 4×4 array: `check -assert` passes (no multiple drivers, no loops), no
 * latches, and the flip-flops are exactly the registers the PE declares — counted here from the design, not from Yosys.
 * Both ways of running Yosys: the Debian one on the PATH (when installed) and the npm @yowasp/yosys (always: it is a
 * dependency); the WebAssembly one on fewer cases, as it is slower.
 */
import { describe, expect, test } from 'vitest';
import { GEMM_DATAFLOWS } from '../../sim/arch/types.js';
import { synthesize, yosysVersion } from '../../sim/eda/yosys.js';
import { type RtlConfig, generateRtl } from '../../sim/rtl/verilog.js';
import { strategyOf } from '../../sim/map/dataflow.js';
import { SKIP_YOSYS, skipTitle } from './tools.js';

/**
 * Bits a PE stores: moving operands and their flags, the held operand or the sum, D − 1 product registers. In os the
 * first product register's first/last flags latch the same inputs as h_first_out/h_last_out, and Yosys merges
 * those two pairs (opt_merge): 2 fewer.
 */
function peRegisterBits(c: RtlConfig): number {
  const dw = c.operandBits, aw = c.accumulatorBits, pw = c.overflow === 'wrap' ? Math.min(2 * dw, aw) : 2 * dw, d = c.macPipelineCycles;
  return strategyOf(c.dataflow).partialSumsLeaveArray
    ? dw + 1 + dw + 1 + aw + 1 + (d - 1) * (pw + 1)
    : dw + 3 + dw + 1 + aw + 1 + (d - 1) * (pw + 3) - (d > 1 ? 2 : 0);
}

const design = (c: RtlConfig) => {
  const { 'systolab_tb.v': _tb, ...files } = generateRtl(c).files;
  return files;
};

describe.skipIf(SKIP_YOSYS !== '')(skipTitle('yosys synth', SKIP_YOSYS), () => {
  test.each(GEMM_DATAFLOWS.flatMap((dataflow) => [
    { rows: 4, cols: 4, dataflow, operandBits: 8, accumulatorBits: 32, overflow: 'saturate' as const, macPipelineCycles: 1 },
    { rows: 4, cols: 4, dataflow, operandBits: 4, accumulatorBits: 12, overflow: 'wrap' as const, macPipelineCycles: 2 },
  ]))('PE $dataflow int$operandBits/$accumulatorBits $overflow d=$macPipelineCycles: clean, flip-flops = declared registers', async (c) => {
    const s = await synthesize(design(c), 'systolab_pe', 'system');
    expect(s.latches).toBe(0);
    expect(s.flipFlops).toBe(peRegisterBits(c));
    expect(s.transistors).toBeGreaterThan(s.cells);
    expect(s.logicDepth).toBeGreaterThan(2 * c.operandBits);
  });

  test('a 4×4 os array: 16 PEs plus the skew registers', async () => {
    const c: RtlConfig = { rows: 4, cols: 4, dataflow: 'os', operandBits: 8, accumulatorBits: 32, overflow: 'saturate', macPipelineCycles: 1 };
    const s = await synthesize(design(c), 'systolab_array', 'system');
    // Skew: row i delays 8 data + 3 flag bits by i registers, column j 8 + 1 bits by j: 11·6 + 9·6.
    expect(s.latches).toBe(0);
    expect(s.flipFlops).toBe(16 * peRegisterBits(c) + 11 * 6 + 9 * 6);
    // The numbers are the whole array's, not one submodule's (hierarchical stat prints a delay line's first). Each
    // module is optimized on its own, so 16 PEs inside the array come out a little smaller than one alone: > 15×.
    const pe = await synthesize(design(c), 'systolab_pe', 'system');
    expect(s.transistors).toBeGreaterThan(15 * pe.transistors);
    expect(s.cells).toBeGreaterThan(15 * pe.cells);
    expect([pe.transistorsExcludeCells, s.transistorsExcludeCells]).toEqual([true, true]); // flip-flops: no CMOS model
    expect(s.logicDepth).toBeGreaterThanOrEqual(pe.logicDepth);
  }, 120_000);

  test('the check is real: a latch and a doubly driven net are refused', async () => {
    const c: RtlConfig = { rows: 2, cols: 2, dataflow: 'ws', operandBits: 4, accumulatorBits: 8, overflow: 'wrap', macPipelineCycles: 1 };
    const files = design(c);
    const latch = files['systolab_pe.v'].replace('wire p0_valid = h_valid_in & v_valid_out;', 'reg hold;\n  always @* if (load) hold = v_valid_in;\n  wire p0_valid = h_valid_in & hold;');
    expect(latch).not.toBe(files['systolab_pe.v']);
    expect((await synthesize({ ...files, 'systolab_pe.v': latch }, 'systolab_pe', 'system')).latches).toBeGreaterThan(0);
    const twice = files['systolab_pe.v'].replace('endmodule', '  always @(posedge clk) h_valid_out <= 1\'b0;\nendmodule');
    await expect(synthesize({ ...files, 'systolab_pe.v': twice }, 'systolab_pe', 'system')).rejects.toThrow(/yosys synth failed/);
  });
});

describe('yosys synth with the npm @yowasp/yosys (WebAssembly)', () => {
  const c: RtlConfig = { rows: 2, cols: 2, dataflow: 'os', operandBits: 8, accumulatorBits: 32, overflow: 'saturate', macPipelineCycles: 2 };
  test('the PE: clean, flip-flops = declared registers; the same flip-flops as the Debian yosys', async () => {
    const s = await synthesize(design(c), 'systolab_pe', 'wasm');
    expect(s.tool).toMatch(/@yowasp\/yosys/);
    expect([s.latches, s.flipFlops]).toEqual([0, peRegisterBits(c)]);
    expect(s.transistors).toBeGreaterThan(s.cells);
    if (yosysVersion() !== undefined) expect((await synthesize(design(c), 'systolab_pe', 'system')).flipFlops).toBe(s.flipFlops);
  }, 60_000);
  test('its checks are real too: a doubly driven register is refused', async () => {
    const files = design({ ...c, macPipelineCycles: 1 });
    const twice = files['systolab_pe.v'].replace('endmodule', '  always @(posedge clk) h_valid_out <= 1\'b0;\nendmodule');
    await expect(synthesize({ ...files, 'systolab_pe.v': twice }, 'systolab_pe', 'wasm')).rejects.toThrow(/yosys synth failed/);
  }, 60_000);
});
