/** The generated Verilog (design and testbench) is clean under `verilator --lint-only -Wall`, at the corners of the parameters. */
import { describe, expect, test } from 'vitest';
import { GEMM_DATAFLOWS } from '../../sim/arch/types.js';
import { verilatorLint } from '../../sim/eda/verilator.js';
import { type RtlConfig, generateRtl } from '../../sim/rtl/verilog.js';
import { SKIP_VERILATOR, skipTitle } from './tools.js';

const CORNERS: RtlConfig[] = GEMM_DATAFLOWS.flatMap((dataflow) => [
  { rows: 1, cols: 1, dataflow, operandBits: 2, accumulatorBits: 40, overflow: 'saturate', macPipelineCycles: 1 },
  { rows: 4, cols: 3, dataflow, operandBits: 16, accumulatorBits: 8, overflow: 'wrap', macPipelineCycles: 3 },
  { rows: 2, cols: 5, dataflow, operandBits: 16, accumulatorBits: 8, overflow: 'saturate', macPipelineCycles: 2 },
  { rows: 3, cols: 2, dataflow, operandBits: 8, accumulatorBits: 32, overflow: 'wrap', macPipelineCycles: 1 },
  { rows: 8, cols: 8, dataflow, operandBits: 4, accumulatorBits: 16, overflow: 'wrap', macPipelineCycles: 2 },
]);

describe.skipIf(SKIP_VERILATOR !== '')(skipTitle('verilator --lint-only -Wall', SKIP_VERILATOR), () => {
  test.each(CORNERS)('$rows×$cols $dataflow int$operandBits acc $accumulatorBits $overflow d=$macPipelineCycles', (c) => {
    const rtl = generateRtl(c);
    expect(verilatorLint(rtl.files, rtl.testbench)).toMatchObject({ status: 'clean' });
  });
  test('the lint is a real check: an undriven net in the generated text is reported', () => {
    const rtl = generateRtl(CORNERS[3]);
    const broken = { ...rtl.files, 'systolab_pe.v': rtl.files['systolab_pe.v'].replace('endmodule', '  wire stray;\nendmodule') };
    expect(verilatorLint(broken, rtl.testbench).status).toBe('warnings');
  });
});
