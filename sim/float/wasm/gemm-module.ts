/**
 * The WebAssembly GEMM kernel (gemm.wat, assembled by build.mjs into gemm-wasm.ts), instantiated synchronously when
 * this module loads: `new WebAssembly.Module` compiles the few hundred bytes in well under a millisecond, and a
 * synchronous gemm() keeps every caller synchronous. Node 20 (our floor) has SIMD128 on by default.
 * Tests instantiate other (deliberately wrong) builds of gemm.wat through instantiateGemmKernel.
 */
import { GEMM_WASM_BASE64 } from './gemm-wasm.js';

// tsconfig's lib (ES2022) and @types/node do not declare the WebAssembly namespace (it lives in lib.dom), so here
// are the few members used; at run time this is Node's global.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number; }

/** See gemm.wat for the contract. Addresses and the row stride are in bytes; mc, nc are multiples of 2 and 8. */
type MacroKernel = (mc: number, nc: number, kc: number, aBase: number, bBase: number, cBase: number,
  ldcBytes: number, add: number) => void;

export interface GemmKernel {
  readonly macroKernel: MacroKernel;
  /** The module's whole memory as doubles, at least `doubles` long; valid until the next call (growth detaches it). */
  heap(doubles: number): Float64Array;
}

const PAGE_BYTES = 65536;

export function instantiateGemmKernel(bytes: Uint8Array): GemmKernel {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const memory = exports.memory as WasmMemory;
  let view = new Float64Array(memory.buffer);
  return {
    macroKernel: exports.macroKernel as MacroKernel,
    heap(doubles: number): Float64Array {
      if (view.length < doubles) {
        memory.grow(Math.ceil((doubles * 8 - memory.buffer.byteLength) / PAGE_BYTES));
        view = new Float64Array(memory.buffer);
      }
      return view;
    },
  };
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The committed build of gemm.wat. */
export const GEMM_KERNEL = instantiateGemmKernel(decodeBase64(GEMM_WASM_BASE64));
