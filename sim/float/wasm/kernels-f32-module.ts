/**
 * The float32 engine's WebAssembly GEMM kernel (kernels-f32.wat, assembled by build.mjs into kernels-f32-wasm.ts),
 * instantiated synchronously when first asked for: a float64-only run never compiles it. Tests instantiate other
 * (deliberately wrong) builds through instantiateF32Kernels.
 */
import { KERNELS_F32_WASM_BASE64 } from './kernels-f32-wasm.js';
import { decodeBase64, instantiate, memoryView } from './wasm-module.js';

/** See kernels-f32.wat for the contract. Addresses and the row stride are in bytes; mc, nc are multiples of 2 and 16. */
type MacroKernel = (mc: number, nc: number, kc: number, aBase: number, bBase: number, cBase: number,
  ldcBytes: number, add: number) => void;

export interface F32Kernels {
  readonly macroKernel: MacroKernel;
  /** The module's whole memory as floats, at least `floats` long; valid until the next call (growth detaches it). */
  heap(floats: number): Float32Array;
}

export function instantiateF32Kernels(bytes: Uint8Array): F32Kernels {
  const exports = instantiate(bytes);
  return { macroKernel: exports.macroKernel as MacroKernel, heap: memoryView(exports, Float32Array, 'the float32 kernels') };
}

let committed: F32Kernels | undefined;

/** The committed build of kernels-f32.wat. */
export function f32Kernels(): F32Kernels {
  return (committed ??= instantiateF32Kernels(decodeBase64(KERNELS_F32_WASM_BASE64)));
}
