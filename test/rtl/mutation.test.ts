/**
 * The co-simulation can fail: each fault injected into the generated Verilog makes `rtl sim` report a mismatch.
 * Every mutant must also differ from the original text, so a fault that silently stopped applying fails here too.
 */
import { describe, expect, test } from 'vitest';
import { randomIntGemm, rtlSim } from '../../sim/api/rtl.js';
import { type GeneratedRtl, type RtlConfig, generateRtl } from '../../sim/rtl/verilog.js';
import { SKIP_ICARUS, skipTitle } from './tools.js';

const base: RtlConfig = { rows: 4, cols: 4, dataflow: 'os', operandBits: 8, accumulatorBits: 32, overflow: 'saturate', macPipelineCycles: 1 };

/** Replaces, in `file`, on lines tagged `// mut:TAG` (or everywhere without a tag), `from` by `to`. */
function mutate(rtl: GeneratedRtl, file: string, from: RegExp | string, to: string, tag?: string): GeneratedRtl {
  const text = rtl.files[file];
  const changed = text.split('\n').map((line) => (tag === undefined || line.includes(`// mut:${tag}`) ? line.replace(from, to) : line)).join('\n');
  expect(changed, `the fault in ${file} applies`).not.toBe(text);
  return { ...rtl, files: { ...rtl.files, [file]: changed } };
}

interface Fault {
  readonly name: string;
  readonly config: RtlConfig;
  readonly gemm: readonly [number, number, number];
  readonly inject: (rtl: GeneratedRtl) => GeneratedRtl;
}

const FAULTS: readonly Fault[] = [
  { name: 'the adder turned into a subtractor', config: base, gemm: [5, 6, 7], inject: (r) => mutate(r, 'systolab_pe.v', ' + ', ' - ', 'add') },
  {
    name: 'operand lanes 0 and 1 swapped at the left edge', config: base, gemm: [5, 6, 7],
    inject: (r) => mutate(r, 'systolab_array.v', 'left_data[i*8 +: 8]', 'left_data[(i ^ 1)*8 +: 8]', 'skewrow'),
  },
  {
    name: 'a skew register removed (row 2 one cycle early)', config: base, gemm: [5, 6, 7],
    inject: (r) => mutate(r, 'systolab_array.v', '.N(i)', '.N(i == 2 ? 1 : i)', 'skewrow'),
  },
  {
    name: 'the saturation bound off by one', config: { ...base, accumulatorBits: 12 }, gemm: [6, 16, 6],
    inject: (r) => mutate(r, 'systolab_pe.v', /sd(\d+);/, "sd2046;", 'satmax'),
  },
  {
    name: 'a valid bit stuck at 1 (the top operand\'s)', config: { ...base, dataflow: 'ws' }, gemm: [5, 6, 7],
    inject: (r) => mutate(r, 'systolab_pe.v', 'h_valid_in & v_valid_out', "h_valid_in & 1'b1", 'valid'),
  },
  {
    name: 'the MAC pipeline one stage short', config: { ...base, macPipelineCycles: 2 }, gemm: [5, 6, 7],
    inject: (r) => mutate(r, 'systolab_pe.v', /= p1(_\w+)?;/g, '= p0$1;'),
  },
  {
    name: 'a fold\'s first MAC adds to the old sum instead of starting a new one', config: base, gemm: [5, 6, 7],
    inject: (r) => mutate(r, 'systolab_pe.v', `pf_first ? 32'sd0 : acc`, 'acc'),
  },
  {
    name: 'partial sums enter one cycle late (is)', config: { ...base, dataflow: 'is' }, gemm: [5, 9, 7],
    inject: (r) => mutate(r, 'systolab_array.v', '.N(j + 0)', '.N(j + 1)', 'skewpsum'),
  },
];

describe.skipIf(SKIP_ICARUS !== '')(skipTitle('rtl sim catches faults injected into the generated Verilog', SKIP_ICARUS), () => {
  test.each(FAULTS)('$name', (f) => {
    const g = randomIntGemm(...f.gemm, f.config.operandBits, 3);
    const clean = rtlSim(f.config, g);
    expect(clean.firstMismatch).toBeUndefined();
    const r = rtlSim(f.config, g, f.inject(generateRtl(f.config)));
    expect(r.agree).toBe(false);
    expect(r.firstMismatch?.message).toMatch(/output C\[\d+\]\[\d+\]|an output the PE array does not produce|testbench ran/);
  });
});
