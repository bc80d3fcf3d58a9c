/**
 * Operands for the byte-equality tests of the float kernels (wasm-kernels.test.ts, pool-fast-path.test.ts):
 * values where a different order of operations shows first, and the byte comparison itself.
 */

/** xorshift32 from a fast-check seed, so a failure replays. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    return state / 2 ** 32;
  };
}

/**
 * Mostly [-1, 1), with ±0, subnormals, small integers and magnitudes whose products overflow mixed in: for float64
 * subnormals of 5e-324 and ±1e150…1e300; for float32 (the float32 GEMM's tests) 2^-149 and ±1e19…1e38.
 */
export function awkwardValues(seed: number, type: 'float64' | 'float32' = 'float64'): () => number {
  const u = seeded(seed);
  const [tiny, huge, hugeSpan] = type === 'float64' ? [5e-324, 150, 150] : [2 ** -149, 19, 19];
  return () => {
    const kind = u();
    const sign = u() < 0.5 ? -1 : 1;
    if (kind < 0.6) return 2 * u() - 1;
    if (kind < 0.7) return sign * 0;
    if (kind < 0.8) return sign * Math.floor(u() * 1000) * tiny;
    if (kind < 0.95) return Math.floor(u() * 9) - 4;
    return sign * 10 ** (huge + Math.floor(u() * hugeSpan));
  };
}

export function bytesOf(x: Float64Array): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

export const sameBytes = (x: Float64Array, y: Float64Array): boolean => Buffer.compare(bytesOf(x), bytesOf(y)) === 0;
