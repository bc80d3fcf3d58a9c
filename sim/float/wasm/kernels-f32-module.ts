/**
 * The float32 engine's WebAssembly GEMM kernel (kernels-f32.wat, assembled by build.mjs into kernels-f32-wasm.ts),
 * instantiated synchronously when first asked for: a float64-only run never compiles it. Tests instantiate other
 * (deliberately wrong) builds through instantiateF32Kernels.
 */
import { SimError } from '../../base/errors.js';
import { KERNELS_F32_WASM_BASE64 } from './kernels-f32-wasm.js';

// As in kernels-module.ts: the few WebAssembly members used (tsconfig's lib does not declare the namespace).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number; }

/** See kernels-f32.wat for the contract. Addresses and the row stride are in bytes; mc, nc are multiples of 2 and 16. */
type MacroKernel = (mc: number, nc: number, kc: number, aBase: number, bBase: number, cBase: number,
  ldcBytes: number, add: number) => void;

export interface F32Kernels {
  readonly macroKernel: MacroKernel;
  /** The module's whole memory as floats, at least `floats` long; valid until the next call (growth detaches it). */
  heap(floats: number): Float32Array;
}

const PAGE_BYTES = 65536;

export function instantiateF32Kernels(bytes: Uint8Array): F32Kernels {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const memory = exports.memory as WasmMemory;
  let view = new Float32Array(memory.buffer);
  return {
    macroKernel: exports.macroKernel as MacroKernel,
    heap(floats: number): Float32Array {
      if (view.length < floats) {
        if (memory.grow(Math.ceil((floats * 4 - memory.buffer.byteLength) / PAGE_BYTES)) < 0) {
          throw new SimError(`the float32 kernels need ${floats * 4} bytes of WebAssembly memory and could not get them`, {
            code: 'unsupported', hint: 'Use a smaller batch or smaller feature maps.',
          });
        }
        view = new Float32Array(memory.buffer);
      }
      return view;
    },
  };
}

let committed: F32Kernels | undefined;

/** The committed build of kernels-f32.wat. */
export function f32Kernels(): F32Kernels {
  return (committed ??= instantiateF32Kernels(Uint8Array.from(atob(KERNELS_F32_WASM_BASE64), (ch) => ch.charCodeAt(0))));
}
