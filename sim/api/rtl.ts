/**
 * `rtl sim` as a library call: generate the Verilog of one configuration (or take a folder of it), play a GEMM into it
 * under Icarus Verilog, and compare every output event with the cycle-stepped PE array. The result is what
 * `systolab rtl sim --format json` prints.
 */
import { createRng } from '../float/rng.js';
import { runIcarus } from '../eda/icarus.js';
import { type Comparison, compareRun, expectedRun, parseRtlLog } from '../rtl/cosim.js';
import { type IntGemm, stimulusLines } from '../rtl/stimulus.js';
import { type GeneratedRtl, type RtlConfig, generateRtl } from '../rtl/verilog.js';

/** A random GEMM with operands over the whole signed range of `bits` bits (the corners included often). */
export function randomIntGemm(m: number, k: number, n: number, bits: number, seed: number): IntGemm {
  const rng = createRng(seed);
  const hi = 2 ** (bits - 1) - 1, lo = -(2 ** (bits - 1));
  const draw = (): number => {
    const u = rng.uniform();
    if (u < 0.1) return hi;
    if (u < 0.2) return lo;
    return lo + Math.floor(rng.uniform() * (hi - lo + 1));
  };
  return { m, k, n, a: Int32Array.from({ length: m * k }, draw), b: Int32Array.from({ length: k * n }, draw) };
}

export interface RtlSimResult extends Comparison {
  readonly config: RtlConfig;
  readonly gemm: { readonly m: number; readonly k: number; readonly n: number };
  readonly simulator: 'icarus';
  /** The PE array's cycles and the fast model's (folds × cycles per fold): the RTL's testbench runs exactly these. */
  readonly arrayCycles: number;
  readonly fastModelCycles: number;
}

/**
 * Runs one GEMM through the RTL. `rtl` replaces the generated files (a folder `rtl gen` wrote, possibly edited:
 * the mutation tests pass altered text here).
 */
export function rtlSim(config: RtlConfig, g: IntGemm, rtl: GeneratedRtl = generateRtl(config)): RtlSimResult {
  const expected = expectedRun(config, g);
  const stimulus = `${stimulusLines(config, rtl.stimulus, g).join('\n')}\n`;
  const run = runIcarus({ files: rtl.files, top: rtl.testbench, inputs: { 'stimulus.hex': stimulus }, output: 'outputs.txt' });
  const log = parseRtlLog(run.log, config.accumulatorBits);
  return {
    config, gemm: { m: g.m, k: g.k, n: g.n }, simulator: 'icarus',
    arrayCycles: expected.arrayCycles, fastModelCycles: expected.fastModelCycles,
    ...compareRun(expected, log, g.n),
  };
}
