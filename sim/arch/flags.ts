/**
 * The hardware flags: one definition of every override `simulate` and `sweep` accept (the flag, its help text and its
 * validator), and the value validators the config parser shares. `simulate` takes one value per flag, `sweep` a comma
 * list (sweep/spec.ts); both read the values with the validators here, so an error names the same flag, field and
 * allowed values in either command. arch/parse.ts `withOverrides` applies them to a config. Pure.
 */
import { type At, fail, isObject, number, oneOf } from '../base/fields.js';
import { checkSize } from '../base/limits.js';
import { BANDWIDTH_MODES, DATAFLOWS, type Dataflow, PRECISIONS, type Precision, precisionList } from './types.js';

export function positive(v: unknown, at: At, hint?: string): number {
  const x = number(v, at, hint);
  if (x <= 0) fail(at, 'must be a positive number', v, hint);
  return x;
}
/** A size in KiB: positive, a whole number of bytes, and within the limit (docs/limits.md). */
export function kib(v: unknown, at: At, example: string): number {
  const x = positive(v, at, `Example: ${example}`);
  if (!Number.isInteger(x * 1024)) fail(at, 'must be a whole number of bytes (KiB × 1024 an integer)', v, `Example: ${example}`);
  return checkSize(x, 'sramKib', at);
}
/** A clock in MHz: positive and within the limits. */
export function clockMhz(v: unknown, at: At, example: string): number {
  return checkSize(positive(v, at, `Example: ${example}`), 'clockMhz', at);
}
/** DRAM bytes per cycle: positive and within the limits. */
export function bytesPerCycle(v: unknown, at: At, example: string): number {
  return checkSize(positive(v, at, `Example: ${example}`), 'dramBytesPerCycle', at);
}

/** A value as it arrives from a command line (a string) or from code and spec files (a number, a { rows, cols }). */
type Raw = unknown;
export interface HwFlag<T> {
  /** The command-line flag, without `--`. */
  readonly flag: string;
  readonly describe: string;
  /** Validates one value; errors name `at` (the flag, or a spec file's key). */
  readonly read: (v: Raw, at: At) => T;
}

/** A number written as a string (command lines) → the number; anything else unchanged. */
export const asNumber = (v: Raw): Raw => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v) ? Number(v) : v);
const trimmed = (v: Raw): Raw => (typeof v === 'string' ? v.trim() : v);
const ARRAY_HINT = 'Example: 16x64 (16 rows, 64 columns).';

/** `16x64` or { rows: 16, cols: 64 } → 16 rows × 64 cols. */
function arrayShape(v: Raw, at: At): { rows: number; cols: number } {
  const m = typeof v === 'string' ? /^\s*(\d+)x(\d+)\s*$/i.exec(v) : null;
  const rows = m ? Number(m[1]) : isObject(v) ? v.rows : NaN, cols = m ? Number(m[2]) : isObject(v) ? v.cols : NaN;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || (rows as number) < 1 || (cols as number) < 1) {
    fail(at, 'must be ROWSxCOLS with positive integers', v, ARRAY_HINT);
  }
  return { rows: checkSize(rows as number, 'arrayDim', at, `rows ${String(rows)}`), cols: checkSize(cols as number, 'arrayDim', at, `cols ${String(cols)}`) };
}
const kibFlag = (flag: string) => (v: Raw, at: At) => kib(asNumber(v), at, `--${flag} 64`);

export const HW_FLAGS = {
  array: { flag: 'array', describe: 'array shape ROWSxCOLS, e.g. 16x64', read: arrayShape },
  dataflow: {
    flag: 'dataflow', describe: 'os (output stationary), ws (weight stationary), is (input stationary), rs (Eyeriss\' row stationary)',
    read: (v: Raw, at: At): Dataflow => oneOf(trimmed(v), DATAFLOWS, at),
  },
  precision: {
    flag: 'precision', describe: `operand format of activations and weights (the MAC's inputs): ${precisionList()}`,
    read: (v: Raw, at: At): Precision => {
      const p = trimmed(v);
      if (typeof p !== 'string' || !(PRECISIONS as readonly string[]).includes(p)) fail(at, 'is not an allowed value', v, `Allowed: ${precisionList()}.`);
      return p as Precision;
    },
  },
  sramKib: { flag: 'sram-kib', describe: 'KiB of each of the three SRAM buffers (ifmap, filter, ofmap)', read: kibFlag('sram-kib') },
  ifmapKib: { flag: 'ifmap-kib', describe: 'KiB of the ifmap SRAM only (overrides --sram-kib for it)', read: kibFlag('ifmap-kib') },
  filterKib: { flag: 'filter-kib', describe: 'KiB of the filter SRAM only (overrides --sram-kib for it)', read: kibFlag('filter-kib') },
  ofmapKib: { flag: 'ofmap-kib', describe: 'KiB of the ofmap SRAM only (overrides --sram-kib for it)', read: kibFlag('ofmap-kib') },
  dramBytesPerCycle: {
    flag: 'dram-bytes-per-cycle', describe: 'DRAM bandwidth, bytes per cycle (enforced only with --bandwidth-mode user)',
    read: (v: Raw, at: At) => bytesPerCycle(asNumber(v), at, '--dram-bytes-per-cycle 16'),
  },
  bandwidthMode: {
    flag: 'bandwidth-mode',
    describe: 'calc: DRAM never stalls and the report gives the bandwidth each layer needs; user: --dram-bytes-per-cycle is enforced and short bandwidth stalls',
    read: (v: Raw, at: At): 'calc' | 'user' => oneOf(trimmed(v), BANDWIDTH_MODES, at),
  },
  clockMhz: { flag: 'clock-mhz', describe: 'clock frequency, MHz', read: (v: Raw, at: At) => clockMhz(asNumber(v), at, '--clock-mhz 500') },
} as const satisfies Record<string, HwFlag<unknown>>;

export type HwFlagKey = keyof typeof HW_FLAGS;
/** The flags that change the memory system (SRAM sizes, DRAM bandwidth): in CALC mode they move traffic, not cycles. */
export const MEMORY_FLAGS: readonly HwFlagKey[] = ['sramKib', 'ifmapKib', 'filterKib', 'ofmapKib', 'dramBytesPerCycle'];

/**
 * Values of the hardware flags (strings from a command line, numbers from code), plus `--mac-pipeline-cycles`, and
 * `rows` / `cols`: the two halves of `array`, for code that sets one of them.
 */
type FlagValue<K extends HwFlagKey> = K extends 'array' ? string | { readonly rows: number; readonly cols: number }
  : K extends 'dataflow' | 'precision' | 'bandwidthMode' ? string : number | string;
export type HwOverrides = { readonly [K in HwFlagKey]?: FlagValue<K> } & {
  readonly macPipelineCycles?: number | string;
  readonly rows?: number | string;
  readonly cols?: number | string;
};
