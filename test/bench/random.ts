/** The benchmarks' operands: a fixed LCG in [-1, 1), the same sequence in every run of a bench file. */
let seed = 12345;

export function random(length: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = seed / 2 ** 31 - 1;
  }
  return out;
}
