/**
 * `rtl gen` and `rtl sim` as library calls: the configuration from the flags, the files gen writes, and a GEMM (random
 * or a layer's real one) played into the Verilog under Icarus Verilog or Verilator, every output event compared with
 * the cycle-stepped PE array. `rtlSim`'s result is what `systolab rtl sim --format json` prints.
 */
import { gemmDataflowOf } from '../map/dataflow.js';
import { withOverrides } from '../arch/parse.js';
import { PRECISION_BITS, isFloatPrecision } from '../arch/types.js';
import { SimError } from '../base/errors.js';
import { createRng } from '../float/rng.js';
import { icarusVersion, runIcarus } from '../eda/icarus.js';
import { runVerilator, verilatorLint, verilatorVersion } from '../eda/verilator.js';
import { loadHwConfig } from '../load/hw.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import type { Pass } from '../lower/types.js';
import { layerGemm, quantizeSymmetric } from '../run/gemm-tiles.js';
import { type Comparison, compareRun, expectedRun, parseRtlLog } from '../rtl/cosim.js';
import { type IntGemm, stimulusLines } from '../rtl/stimulus.js';
import { type GeneratedRtl, type RtlConfig, generateRtl } from '../rtl/verilog.js';
import { DEFAULT_HW, type HwRequest } from './simulate.js';

export interface RtlRequest extends HwRequest {
  /** Accumulator width [default: the config's numerics.accumulatorBits]. */
  readonly accumulatorBits?: number;
  /** [default: the config's numerics.overflow, else saturate]. */
  readonly overflow?: 'saturate' | 'wrap';
}

/** What the generator supports: operands of 2–16 bits (int2 … int16), accumulators of 2–48 bits. */
export const RTL_LIMITS = { operandBits: { min: 2, max: 16 }, accumulatorBits: { min: 2, max: 48 } } as const;

/** The configuration `rtl gen` and `rtl sim` build: the hardware (preset or file, with the overrides) as `simulate` reads it. */
export function rtlConfigFor(r: RtlRequest): RtlConfig {
  const hw = withOverrides(loadHwConfig(r.hw ?? DEFAULT_HW), r);
  const { input, weight } = hw.numerics;
  for (const [p, field] of [[input, 'numerics.input'], [weight, 'numerics.weight']] as const) {
    const bits = PRECISION_BITS[p];
    if (isFloatPrecision(p) || bits < RTL_LIMITS.operandBits.min || bits > RTL_LIMITS.operandBits.max) {
      throw new SimError('the RTL generator builds integer MACs of 2 to 16 bits', { code: 'badValue', path: r.precision === undefined ? field : '--precision', value: p, hint: 'Example: --precision int8' });
    }
  }
  const accumulatorBits = r.accumulatorBits ?? hw.numerics.accumulatorBits;
  const { min, max } = RTL_LIMITS.accumulatorBits;
  if (!Number.isInteger(accumulatorBits) || accumulatorBits < min || accumulatorBits > max) {
    throw new SimError(`must be an integer from ${min} to ${max}`, { code: 'badValue', path: r.accumulatorBits === undefined ? 'numerics.accumulatorBits' : '--accumulator-bits', value: accumulatorBits, hint: 'Example: --accumulator-bits 32' });
  }
  const overflow = r.overflow ?? hw.numerics.overflow ?? 'saturate';
  if (overflow !== 'saturate' && overflow !== 'wrap') throw new SimError('must be saturate or wrap', { code: 'badValue', path: '--overflow', value: overflow });
  return {
    rows: hw.array.rows, cols: hw.array.cols, dataflow: gemmDataflowOf(hw.array.dataflow, 'the RTL twin'),
    operandBits: Math.max(PRECISION_BITS[input], PRECISION_BITS[weight]), accumulatorBits, overflow,
    macPipelineCycles: hw.array.macPipelineCycles,
  };
}

export interface RtlManifest {
  readonly generator: string;
  readonly parameters: RtlConfig;
  readonly top: string;
  readonly testbench: string;
  readonly files: readonly string[];
  /** The stimulus line's fields, least significant first (what the testbench unpacks). */
  readonly stimulus: GeneratedRtl['stimulus'];
  readonly outputs: GeneratedRtl['outputs'];
  /** The tools this folder was checked with when it was written, or why not. */
  readonly checkedWith: { readonly lint: string; readonly simulator: string };
}

/** `rtl gen`: the files to write (Verilog and manifest.json), checked with Verilator's lint when it is installed. */
export function rtlGen(config: RtlConfig, generator: string): { files: Record<string, string>; manifest: RtlManifest } {
  const rtl = generateRtl(config);
  const lint = verilatorLint(rtl.files, rtl.testbench);
  if (lint.status === 'warnings') throw new SimError(`the generated Verilog is not lint-clean (a bug): ${lint.text}`, { code: 'internal', path: 'verilator' });
  const manifest: RtlManifest = {
    generator, parameters: config, top: rtl.top, testbench: rtl.testbench, files: Object.keys(rtl.files),
    stimulus: rtl.stimulus, outputs: rtl.outputs,
    checkedWith: { lint: lint.text, simulator: icarusVersion() ?? 'Icarus Verilog not installed here: run `systolab rtl sim` where it is' },
  };
  return { files: { ...rtl.files, 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n` }, manifest };
}

/** A folder `rtl gen` wrote (possibly edited) → its configuration and files. */
export function rtlFromFolder(manifest: RtlManifest, read: (file: string) => string): { config: RtlConfig; rtl: GeneratedRtl } {
  const files = Object.fromEntries(manifest.files.map((f) => [f, read(f)]));
  return { config: manifest.parameters, rtl: { files, top: manifest.top, testbench: manifest.testbench, stimulus: manifest.stimulus, outputs: manifest.outputs } };
}

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

/** The GEMM a layer's pass lowers to, with its real operands quantized to the operand width (run/gemm-tiles.ts). */
export function layerIntGemm(model: string, layer: string, pass: Exclude<Pass, 'update'>, bits: number, seed: number): { gemm: IntGemm; id: string } {
  const { op, a, b } = layerGemm(loadAnyModel(resolveModel(model)), layer, pass, seed);
  return { id: op.id, gemm: { m: a.rows, k: a.cols, n: b.cols, a: quantizeSymmetric(a.data, bits), b: quantizeSymmetric(b.data, bits) } };
}

export interface RtlSimResult extends Comparison {
  readonly config: RtlConfig;
  readonly gemm: { readonly m: number; readonly k: number; readonly n: number };
  readonly simulator: string;
  /** The PE array's cycles and the fast model's (folds × cycles per fold): the RTL's testbench runs exactly these. */
  readonly arrayCycles: number;
  readonly fastModelCycles: number;
}

/** Which simulator runs the RTL: Icarus (default), or Verilator with its builds cached in `cacheDir`. */
export type RtlSimulator = { readonly kind: 'icarus' } | { readonly kind: 'verilator'; readonly cacheDir: string };

/**
 * Runs one GEMM through the RTL. `rtl` replaces the generated files (a folder `rtl gen` wrote, possibly edited:
 * the mutation tests pass altered text here).
 */
export function rtlSim(config: RtlConfig, g: IntGemm, rtl: GeneratedRtl = generateRtl(config), simulator: RtlSimulator = { kind: 'icarus' }): RtlSimResult {
  const expected = expectedRun(config, g);
  const stimulus = `${stimulusLines(config, rtl.stimulus, g).join('\n')}\n`;
  const job = { files: rtl.files, top: rtl.testbench, inputs: { 'stimulus.hex': stimulus }, output: 'outputs.txt' };
  const run = simulator.kind === 'icarus' ? runIcarus(job) : runVerilator({ ...job, cacheDir: simulator.cacheDir });
  const log = parseRtlLog(run.log, config.accumulatorBits);
  const name = simulator.kind === 'icarus' ? icarusVersion() ?? 'Icarus Verilog' : `${verilatorVersion() ?? 'Verilator'}${'cached' in run && run.cached ? ' (cached build)' : ''}`;
  return {
    config, gemm: { m: g.m, k: g.k, n: g.n }, simulator: name,
    arrayCycles: expected.arrayCycles, fastModelCycles: expected.fastModelCycles,
    ...compareRun(expected, log, g.n),
  };
}
