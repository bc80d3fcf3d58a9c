/**
 * What both kernel modules (kernels-module.ts: float64, kernels-f32-module.ts: float32) need to run a build: a
 * synchronous instantiation, a typed view of the module's memory that grows on demand, and base64 decoding.
 */
import { SimError } from '../../base/errors.js';

// tsconfig's lib (ES2022) and @types/node do not declare the WebAssembly namespace (it lives in lib.dom), so here
// are the few members used; at run time this is Node's global.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number; }

const PAGE_BYTES = 65536;

/** A module's exports, instantiated synchronously (no imports). */
export function instantiate(bytes: Uint8Array): Record<string, unknown> {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
}

/**
 * The exported memory as a typed array of at least `elements` elements, grown when shorter; valid until the next
 * call (growth detaches the previous view).
 */
export function memoryView<T extends Float64Array | Float32Array>(exports: Record<string, unknown>,
  View: { new (buffer: ArrayBuffer): T; readonly BYTES_PER_ELEMENT: number }, what: string): (elements: number) => T {
  const memory = exports.memory as WasmMemory;
  let view = new View(memory.buffer);
  return (elements) => {
    if (view.length < elements) {
      const bytes = elements * View.BYTES_PER_ELEMENT;
      // grow returns -1 when the 4 GiB address space or the host's memory runs out: say so, not a RangeError later.
      if (memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES)) < 0) {
        throw new SimError(`${what} need ${bytes} bytes of WebAssembly memory and could not get them`, {
          code: 'unsupported', hint: 'Use a smaller batch or smaller feature maps.',
        });
      }
      view = new View(memory.buffer);
    }
    return view;
  };
}

export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
