/**
 * The layer-graph IR: one closed union of layer kinds, discriminated on `kind`. Every per-kind table in the
 * simulator is a `Record<LayerKind, …>`, so adding a kind fails to compile until every table handles it.
 * Nodes here are normalized: every attribute has its full form (e.g. padding is always [top, bottom, left, right]).
 * The file format (models/README.md) accepts shorter forms; `ir/parse.ts` expands them.
 */

/** [top, bottom, left, right] zero padding of the last two (H, W) dimensions. */
export type Padding4 = readonly [number, number, number, number];
export type Pair = readonly [number, number];

interface Base {
  readonly name: string;
  /** Names of the layers whose outputs feed this one, in order. */
  readonly inputs: readonly string[];
}

export interface InputNode extends Base {
  readonly kind: 'input';
  readonly shape: readonly number[];
  /**
   * The layer whose output this input stands for, when the file lists layers one by one instead of wiring them (a
   * SCALE-Sim topology row's ifmap is the previous row's output). Forward, it is an input like any other. In
   * training the lowering builds dX into it and hands that on as the named layer's output gradient, so the listed
   * layers train as a chain (sim/lower/lower.ts). Absent for real data inputs.
   */
  readonly standsFor?: string;
}
/** y = x·Wᵀ + b over the last dimension (PyTorch nn.Linear): weight [units, in], bias [units]. */
export interface DenseNode extends Base { readonly kind: 'dense'; readonly units: number; readonly bias: boolean }
export interface Conv2dNode extends Base {
  readonly kind: 'conv2d';
  readonly filters: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding4;
  readonly groups: number;
  readonly bias: boolean;
}
interface Pool2dFields {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Padding4;
  /** Output size rounds up (PyTorch ceil_mode); a window that would start in the right/bottom padding is dropped. */
  readonly ceilMode: boolean;
  /** avgPool2d only: divide by the window size including padding (PyTorch's default) or by the real cells. */
  readonly countIncludePad: boolean;
}
export interface MaxPool2dNode extends Base, Pool2dFields { readonly kind: 'maxPool2d' }
export interface AvgPool2dNode extends Base, Pool2dFields { readonly kind: 'avgPool2d' }
export type Pool2dNode = MaxPool2dNode | AvgPool2dNode;
/** Mean over H×W: [N, C, H, W] → [N, C] (or [N, C, 1, 1] with keepDims). */
export interface GlobalAvgPoolNode extends Base { readonly kind: 'globalAvgPool'; readonly keepDims: boolean }
/** Flattens dimensions startDim… into one (PyTorch nn.Flatten, startDim 1 by default). */
export interface FlattenNode extends Base { readonly kind: 'flatten'; readonly startDim: number }
/** Target shape including the batch dimension; one −1 is inferred, 0 copies the input's dimension (as ONNX). */
export interface ReshapeNode extends Base { readonly kind: 'reshape'; readonly shape: readonly number[] }
export interface TransposeNode extends Base { readonly kind: 'transpose'; readonly perm: readonly number[] }
/** Constant padding of the last two dimensions. */
export interface PadNode extends Base { readonly kind: 'pad'; readonly padding: Padding4; readonly value: number }
/** Elementwise sum / product of any number of inputs, with NumPy broadcasting. */
export interface AddNode extends Base { readonly kind: 'add' }
export interface MulNode extends Base { readonly kind: 'mul' }
export interface ConcatNode extends Base { readonly kind: 'concat'; readonly axis: number }
/** Batched product of two activations A[…, m, k] · B[…, k, n] (optionally transposing either's last two dims). */
export interface MatmulNode extends Base {
  readonly kind: 'matmul';
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}
export interface ReluNode extends Base { readonly kind: 'relu' }
export interface Relu6Node extends Base { readonly kind: 'relu6' }
export interface ClipNode extends Base { readonly kind: 'clip'; readonly min: number; readonly max: number }
export interface LeakyReluNode extends Base { readonly kind: 'leakyRelu'; readonly negativeSlope: number }
export interface SigmoidNode extends Base { readonly kind: 'sigmoid' }
export interface TanhNode extends Base { readonly kind: 'tanh' }
/** GELU: exact x·Φ(x) (PyTorch default) or its tanh approximation. */
export interface GeluNode extends Base { readonly kind: 'gelu'; readonly approximate: 'none' | 'tanh' }
export interface SoftmaxNode extends Base { readonly kind: 'softmax'; readonly axis: number }
/**
 * Normalizes over the trailing dims `normalizedShape` (null: the last dimension alone), with the biased variance;
 * weight (γ) and bias (β) of that shape if affine.
 */
export interface LayerNormNode extends Base {
  readonly kind: 'layerNorm';
  readonly normalizedShape: readonly number[] | null;
  readonly eps: number;
  readonly affine: boolean;
}
/** Over channel axis 1 of [N, C] or [N, C, H, W]; params weight, bias, runningMean, runningVar. */
export interface BatchNormNode extends Base {
  readonly kind: 'batchNorm';
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
}
/** Inverted dropout: in training, zeroes with probability p and scales survivors by 1/(1−p); identity in eval. */
export interface DropoutNode extends Base { readonly kind: 'dropout'; readonly p: number }

export type LayerNode =
  | InputNode | DenseNode | Conv2dNode | MaxPool2dNode | AvgPool2dNode | GlobalAvgPoolNode | FlattenNode | ReshapeNode
  | TransposeNode | PadNode | AddNode | MulNode | ConcatNode | MatmulNode | ReluNode | Relu6Node | ClipNode
  | LeakyReluNode | SigmoidNode | TanhNode | GeluNode | SoftmaxNode | LayerNormNode | BatchNormNode | DropoutNode;

export type LayerKind = LayerNode['kind'];
export type NodeOf<K extends LayerKind> = Extract<LayerNode, { kind: K }>;

/** Every layer kind, in the order the docs list them. Typed so that a missing kind fails to compile. */
const kindTable: Record<LayerKind, true> = {
  input: true, dense: true, conv2d: true, maxPool2d: true, avgPool2d: true, globalAvgPool: true, flatten: true,
  reshape: true, transpose: true, pad: true, add: true, mul: true, concat: true, matmul: true, relu: true,
  relu6: true, clip: true, leakyRelu: true, sigmoid: true, tanh: true, gelu: true, softmax: true, layerNorm: true,
  batchNorm: true, dropout: true,
};
export const LAYER_KINDS = Object.keys(kindTable) as readonly LayerKind[];

/**
 * What a parameter is: dense/conv `weight`s (the ones weight initializers and "weights only" regularization mean),
 * their `bias`es, normalization `scale` (γ) and `shift` (β), and running statistics (`stat`, never trained).
 */
export type ParamRole = 'weight' | 'bias' | 'scale' | 'shift' | 'stat';

/** A parameter tensor as the IR knows it: shape, role and whether an optimizer trains it (running stats don't). */
export interface ParamSpec {
  readonly shape: readonly number[];
  readonly role: ParamRole;
  readonly trainable: boolean;
  /** The fill of norms and statistics when the file gives no value; weights and biases follow the InitScheme. */
  readonly init: 'zeros' | 'ones';
  /** Fan-in and fan-out of dense/conv weights and biases (PyTorch's definition: receptive field × channels). */
  readonly fanIn?: number;
  readonly fanOut?: number;
}

/**
 * Weight initialization schemes (dense and conv weights; biases start at 0 except under `pytorch`):
 * pytorch U(±1/√fanIn) for weights and biases (torch.nn defaults); normal N(0, σ²); xavier U(±√(6/(fanIn+fanOut)))
 * and xavier-normal N(0, 2/(fanIn+fanOut)) (Glorot & Bengio 2010); he N(0, 2/fanIn) and he-uniform U(±√(6/fanIn))
 * (He et al. 2015).
 */
export const INIT_SCHEMES = ['pytorch', 'normal', 'xavier', 'xavier-normal', 'he', 'he-uniform'] as const;
export type InitScheme = (typeof INIT_SCHEMES)[number];
export interface InitConfig {
  readonly scheme: InitScheme;
  /** σ of `normal`. */
  readonly std: number;
}

export interface ParamTensor { readonly shape: readonly number[]; readonly data: Float64Array }

/** Values to write out: a parameter, or a float-engine tensor of either element type (float32 values are exact doubles). */
export interface TensorValues { readonly shape: readonly number[]; readonly data: ArrayLike<number> }

export interface LayerGraph {
  readonly name: string;
  /** Layers in file order; `order` gives an evaluation order. */
  readonly layers: readonly LayerNode[];
  /** Topological order of layer names (inputs first). */
  readonly order: readonly string[];
  /** The layer whose output is "the model's output" (loss and --upstream apply to it). */
  readonly output: string;
  /** Shape of every layer's output, for the declared input shapes. */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Parameter specs per layer name, e.g. params.conv1.weight. */
  readonly paramSpecs: Readonly<Record<string, Readonly<Record<string, ParamSpec>>>>;
  /** Parameter values given in the model file (inline or sidecar), keyed `layer.param`. Missing ones are initialized from `seed`. */
  readonly givenParams: Readonly<Record<string, ParamTensor>>;
  readonly seed: number;
  /** How parameters not given are initialized (model file `init:`; default pytorch). */
  readonly init: InitConfig;
}
