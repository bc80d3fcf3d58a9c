/**
 * A lowered program: what the accelerator executes for a LayerGraph — GEMMs for the systolic array and vector ops
 * for the vector unit — in execution order. Inference lowers the forward pass; training adds, per layer in reverse
 * order, the backwardData and backwardWeight GEMMs, the activation-gradient vector ops, and the optimizer updates.
 */
import type { LayerKind } from '../ir/types.js';

export type Pass = 'forward' | 'backwardData' | 'backwardWeight' | 'update';
export type Mode = 'inference' | 'training';

/** One operand matrix of a GEMM: the tensor it is built from and how many distinct elements it holds. */
export interface OperandRef {
  /** Tensor name, e.g. `conv1.input`, `conv1.weight`, `conv1.output`, `conv1.dOutput`. */
  readonly tensor: string;
  /** Distinct elements of that tensor the operand reads or writes (im2col repeats elements; this counts them once). */
  readonly uniqueElements: number;
}

/** The layer kinds that lower to GEMMs. */
export type GemmLayerKind = 'dense' | 'conv2d' | 'matmul';

/**
 * The convolution behind a conv GEMM, in glossary letters: batch N, input C×H×W, K filters of C/groups×R×S, output
 * P×Q; stride, dilation per axis [vertical, horizontal], padding [top, bottom, left, right]. Lets map/ and the
 * SCALE-Sim address model treat the GEMM as the conv it is.
 */
export interface ConvGeometry {
  readonly n: number; readonly c: number; readonly h: number; readonly w: number;
  readonly k: number; readonly r: number; readonly s: number; readonly p: number; readonly q: number;
  readonly groups: number;
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padding: readonly [number, number, number, number];
}

/** C[m×n] = A[m×k]·B[k×n] (glossary letters). `group`/`groups`: one GEMM per conv group. */
export interface GemmOp {
  readonly kind: 'gemm';
  /** `${layer}.${pass}` plus `.g${group}` when the layer has several groups, e.g. `conv1.forward`, `dw.forward.g3`. */
  readonly id: string;
  readonly layer: string;
  /** The layer kind it comes from. */
  readonly layerKind: GemmLayerKind;
  readonly pass: Pass;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly group: number;
  readonly groups: number;
  /** conv2d GEMMs (every pass): the layer's convolution. */
  readonly conv?: ConvGeometry;
  /** matmul backwardData GEMMs: which input's gradient the GEMM computes (dA or dB). */
  readonly gradientOf?: 'inputA' | 'inputB';
  /** a: the streamed input operand (ifmap side), b: the weight side, c: the result. */
  readonly operands: { readonly a: OperandRef; readonly b: OperandRef; readonly c: OperandRef };
}

export type VectorOpKind =
  | 'activation' | 'activationGrad' | 'pool' | 'poolGrad' | 'add' | 'mul' | 'normalize' | 'normalizeGrad'
  | 'softmax' | 'softmaxGrad' | 'copy' | 'loss' | 'update';

export interface VectorOp {
  readonly kind: 'vector';
  readonly id: string;
  readonly layer: string;
  readonly layerKind: LayerKind;
  readonly pass: Pass;
  readonly op: VectorOpKind;
  /** Output elements produced (the vector unit's work unit). */
  readonly elements: number;
  /** Elements read from memory (all inputs, parameters and optimizer state). */
  readonly readElements: number;
}

export type LoweredOp = GemmOp | VectorOp;

export interface LoweredProgram {
  readonly model: string;
  readonly mode: Mode;
  readonly ops: readonly LoweredOp[];
  /**
   * What a reader of the figures should know about how they were lowered; present only when there is something to
   * say (today: training a graph whose stand-in inputs do not match the shapes they stand for, lower.ts).
   */
  readonly notes?: readonly string[];
}
