/**
 * The numeric limits on every size that enters the simulator, and `checkSize`, which loaders and parsers call where
 * each size is read. docs/limits.md states every limit and what it protects:
 *  - exact counts: every count in a report (cycles, MACs, words, bytes) must stay an exact integer below 2^53;
 *  - memory: the float engine and the cycle-stepped PE array allocate in proportion to sizes;
 *  - time: the closed-form models trace every GEMM separately, SCALE-Sim's emulation walks its address streams.
 * Pure data and pure functions.
 */
import { SimError } from './errors.js';
import type { At } from './fields.js';

/** Where the reasons are written down; every limit error points there. */
export const LIMITS_DOC = 'docs/limits.md';

export interface Limit {
  /** The largest allowed value. */
  readonly max: number;
  /** The smallest allowed value, for the few sizes whose lower bound is a limit too (a clock, a bandwidth). */
  readonly min?: number;
  /** What the limit protects, in a few words (printed in the error). */
  readonly protects: string;
}

const limit = (max: number, protects: string, min?: number): Limit => ({ max, protects, ...(min !== undefined ? { min } : {}) });

export const LIMITS = {
  /** One tensor dimension or layer size (shape entries, units, filters, kernel, stride, padding, groups, topology fields). */
  dim: limit(2 ** 24, 'keeps counts exact below 2^53'),
  /** Elements of one tensor (activation or parameter) in the closed-form models, which never allocate them. */
  tensorElements: limit(2 ** 40, 'keeps counts exact below 2^53'),
  /** GEMMs one forward pass lowers to (batched matmuls give one per batch matrix, grouped convs one per group). */
  gemmsPerPass: limit(16_384, 'bounds the time: every GEMM is traced and reported on its own'),
  /** MACs of one forward pass (every GEMM's m·k·n, summed): a training pass lowers about 3× as many, still below 2^53. */
  macsPerPass: limit(2 ** 50, 'keeps MAC, cycle and access counts exact below 2^53, training passes included'),
  /** Rows or columns of the PE array. */
  arrayDim: limit(4096, 'keeps cycle counts exact and the PE array allocatable'),
  /** KiB of one SRAM buffer (16 GiB). */
  sramKib: limit(2 ** 24, 'keeps word counts exact below 2^53'),
  /** DRAM bytes per cycle: from one byte every 1024 cycles to 1 MiB a cycle. */
  dramBytesPerCycle: limit(2 ** 20, 'keeps stall cycles exact and bandwidth figures finite', 2 ** -10),
  /** Clock frequency, MHz: 1 kHz to 100 GHz. */
  clockMhz: limit(100_000, 'keeps times, powers and the energy-delay product finite', 0.001),
  /** MAC pipeline depth, cycles. */
  macPipelineCycles: limit(1024, 'keeps cycle counts exact and the PE array allocatable'),
  /** Fixed DRAM latency, cycles. */
  latencyCycles: limit(2 ** 20, 'keeps stall cycles exact'),
  /** Vector-unit lanes. */
  lanes: limit(65_536, 'keeps vector-op cycle and energy counts meaningful'),
  /** Classes of a classification dataset (a one-hot row per sample). */
  classes: limit(65_536, 'bounds the float engine\'s one-hot targets'),
  /** Elements of one float64 tensor the float engine allocates (8 bytes each: 1 GiB). */
  floatElements: limit(2 ** 27, 'bounds the float engine\'s memory (1 GiB per tensor)'),
  /** Elements of all the activations of one float-engine forward pass (it keeps them for the backward pass: 2 GiB). */
  floatPassElements: limit(2 ** 28, 'bounds the float engine\'s memory (2 GiB of activations per pass)'),
  /** Bytes the cycle-stepped PE array allocates for its registers and pipelines. */
  peArrayBytes: limit(2 ** 28, 'bounds the PE array\'s memory (256 MiB)'),
  /** Each dimension of the one GEMM `simulate --trace` steps through, cycle by cycle, in the PE array. */
  traceDim: limit(256, 'keeps a cycle-by-cycle trace printable and the PE array\'s snapshots in memory'),
  /** Address-stream entries SCALE-Sim's emulation walks for one GEMM: folds × cycles per fold × (rows + cols). */
  scalesimSteps: limit(2 ** 28, 'bounds the time of --compat scalesim (about 3 s a GEMM at the limit)'),
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** "16,777,216 (2^24)" for powers of two, else the number with thousands separators. */
export function showLimit(max: number): string {
  const text = max.toLocaleString('en-US');
  const exp = Math.log2(max);
  return Number.isInteger(exp) && exp >= 10 ? `${text} (2^${exp})` : text;
}

/**
 * Throws a SimError (`badValue`, exit 2) naming `at` when `value` is above the limit, below its `min` or NaN:
 * `layers[2].filters: exceeds the limit 16,777,216 (2^24), which keeps counts exact below 2^53 (got 33554432). Why:
 * docs/limits.md, "dim".` Returns the value.
 */
export function checkSize(value: number, name: LimitName, at: At, what = ''): number {
  const { max, min, protects } = LIMITS[name];
  const below = min !== undefined && value < min;
  if (!(value <= max) || below) {
    const bound = below ? `is below the limit ${min}` : `exceeds the limit ${showLimit(max)}`;
    throw new SimError(`${what ? `${what} ` : ''}${bound}, which ${protects}`, {
      code: 'badValue', file: at.file, path: at.path, value, hint: `Why: ${LIMITS_DOC}, "${name}".`,
    });
  }
  return value;
}

/** checkSize for a product of sizes (an element count); a product that overflows to Infinity is refused too. */
export function checkProduct(sizes: readonly number[], name: LimitName, at: At, what: string): number {
  let n = 1;
  for (const s of sizes) n *= s;
  return checkSize(n, name, at, what);
}
