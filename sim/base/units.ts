/**
 * Units in types: branded numbers, so a count of bytes cannot be passed where cycles are expected without saying so.
 * A brand costs nothing at run time (it is a plain number); producers state the unit once with the constructor.
 */
declare const unit: unique symbol;
type Unit<U extends string> = number & { readonly [unit]: U };

/** Clock cycles of the array. */
export type Cycles = Unit<'cycles'>;
/** Bytes of memory traffic or capacity. */
export type Bytes = Unit<'bytes'>;
/** Words: operand elements, whatever their width. */
export type Words = Unit<'words'>;
/** Picojoules. */
export type Pj = Unit<'pJ'>;

export const cycles = (n: number): Cycles => n as Cycles;
export const bytes = (n: number): Bytes => n as Bytes;
export const words = (n: number): Words => n as Words;
export const pj = (n: number): Pj => n as Pj;

/**
 * ⌈a / b⌉ for positive integers. Exact for a < 2^53: a / b is rounded correctly, and a quotient k + r/b (0 < r < b)
 * could only round down to k if b·k exceeded 2^53.
 */
export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}
