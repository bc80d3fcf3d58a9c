/**
 * The WebAssembly kernels (GEMM, gathered panels and their scatter-add, depthwise conv2d, ReLU: kernels.wat,
 * assembled by build.mjs into kernels-wasm.ts), instantiated synchronously when this module loads: `new WebAssembly.Module` compiles the 2.9 KB in well under a
 * millisecond, and a synchronous kernel keeps every caller synchronous. Node 20 (our floor) has SIMD128 on by default.
 * Tests instantiate other (deliberately wrong) builds of kernels.wat through instantiateKernels.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';
import { decodeBase64, instantiate, memoryView } from './wasm-module.js';

/** See kernels.wat for the contract. Addresses and the row stride are in bytes; mc, nc are multiples of 2 and 8. */
type MacroKernel = (mc: number, nc: number, kc: number, aBase: number, bBase: number, cBase: number,
  ldcBytes: number, add: number) => void;

/**
 * See kernels.wat: the geometry (h, w, r, s, p, q, sh, sw, dh, dw, padTop, padLeft), kg, the columns [jLo, jHi)
 * every tap covers, then four byte addresses (x, weights, y, ranges).
 */
type DepthwiseForwardKernel = (h: number, w: number, r: number, s: number, p: number, q: number, sh: number, sw: number,
  dh: number, dw: number, padTop: number, padLeft: number, kg: number, jLo: number, jHi: number, xBase: number,
  wBase: number, yBase: number, rangesBase: number) => void;

/** See kernels.wat: the geometry (h, w, r, s, p, q, sh, sw, dh, dw, padTop, padLeft), then four byte addresses. */
type DepthwisePairKernel = (h: number, w: number, r: number, s: number, p: number, q: number, sh: number, sw: number,
  dh: number, dw: number, padTop: number, padLeft: number, xBase: number, operandBase: number, resultBase: number,
  rangesBase: number) => void;

/** See kernels.wat: (h, w, r, s, p, q, sh, dh, dw, padTop, padLeft, kg), then four byte addresses. */
type DepthwiseInputGradKernel = (h: number, w: number, r: number, s: number, p: number, q: number, sh: number,
  dh: number, dw: number, padTop: number, padLeft: number, kg: number, dxBase: number, wBase: number, dyBase: number,
  rangesBase: number) => void;

/** See kernels.wat: (xBase, kOffBase, nOffBase, pc, kc, jc, nc, dstBase); bases are byte addresses. */
type GatherPanelKernel = (xBase: number, kOffBase: number, nOffBase: number, pc: number, kc: number, jc: number,
  nc: number, dstBase: number) => void;

/** See kernels.wat: (cBase, ldcBytes, rows, cols, dxBase, kOffBase, nOffBase); bases are byte addresses. */
type ScatterAddKernel = (cBase: number, ldcBytes: number, rows: number, cols: number, dxBase: number, kOffBase: number,
  nOffBase: number) => void;

export interface WasmKernels {
  readonly macroKernel: MacroKernel;
  /** In place: (byte address, count). */
  readonly reluForward: (at: number, n: number) => void;
  /** Into dy's place: (x's byte address, dy's, count). */
  readonly reluBackward: (x: number, dy: number, n: number) => void;
  readonly gatherPanel: GatherPanelKernel;
  readonly scatterAdd: ScatterAddKernel;
  readonly depthwiseForward: DepthwiseForwardKernel;
  readonly depthwisePairWeightGrad: DepthwisePairKernel;
  readonly depthwiseInputGrad: DepthwiseInputGradKernel;
  /** The module's whole memory as doubles, at least `doubles` long; valid until the next call (growth detaches it). */
  heap(doubles: number): Float64Array;
}

export function instantiateKernels(bytes: Uint8Array): WasmKernels {
  const exports = instantiate(bytes);
  return {
    macroKernel: exports.macroKernel as MacroKernel,
    reluForward: exports.reluForward as WasmKernels['reluForward'],
    reluBackward: exports.reluBackward as WasmKernels['reluBackward'],
    gatherPanel: exports.gatherPanel as GatherPanelKernel,
    scatterAdd: exports.scatterAdd as ScatterAddKernel,
    depthwiseForward: exports.depthwiseForward as DepthwiseForwardKernel,
    depthwisePairWeightGrad: exports.depthwisePairWeightGrad as DepthwisePairKernel,
    depthwiseInputGrad: exports.depthwiseInputGrad as DepthwiseInputGradKernel,
    heap: memoryView(exports, Float64Array, 'the float kernels'),
  };
}

/** The committed build of kernels.wat. */
export const KERNELS = instantiateKernels(decodeBase64(KERNELS_WASM_BASE64));
