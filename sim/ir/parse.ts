/**
 * Raw model document (parsed YAML or JSON) → normalized LayerNodes plus the parameter values it gives.
 * Each kind lists its fields with defaults, so a typo ("kernal") is an error naming the allowed fields.
 * The format is documented, with an example of every form, in models/README.md.
 */
import { SimError } from '../base/errors.js';
import {
  type At, type RawObject, boolean, checkKeys, child, fail, integer, intList, number, object, oneOf, padding, pair, string,
} from '../base/fields.js';
import { checkSize } from '../base/limits.js';
import { parseTensor } from './tensor-json.js';
import { INIT_SCHEMES, type InitConfig, LAYER_KINDS, type LayerKind, type LayerNode, type NodeOf, type ParamTensor } from './types.js';

type Attrs<K extends LayerKind> = Omit<NodeOf<K>, 'kind' | 'name' | 'inputs'>;

interface KindSpec<K extends LayerKind> {
  readonly fields: readonly string[];
  readonly parse: (raw: RawObject, at: At) => Attrs<K>;
}

const COMMON = ['name', 'kind', 'inputs', 'input', 'params'];
const f = (raw: RawObject, key: string, at: At) => ({ v: raw[key], at: child(at, key), has: key in raw });

function opt<T>(raw: RawObject, key: string, at: At, read: (v: unknown, at: At) => T, dflt: T): T {
  const x = f(raw, key, at);
  return x.has ? read(x.v, x.at) : dflt;
}
function req<T>(raw: RawObject, key: string, at: At, read: (v: unknown, at: At) => T, example: string): T {
  const x = f(raw, key, at);
  if (!x.has) fail(x.at, 'is required', undefined, `Example: ${example}`, 'missingField');
  return read(x.v, x.at);
}

const none = { fields: [], parse: () => ({}) } as const;

/** A layer size (a shape entry, units, filters, groups): an integer ≥ 1 within the `dim` limit (docs/limits.md). */
const size = (v: unknown, at: At): number => checkSize(integer(v, at, 1), 'dim', at);
const sizeList = (v: unknown, at: At): number[] => intList(v, at, 1).map((d, i) => checkSize(d, 'dim', child(at, i)));

function poolSpec<K extends 'maxPool2d' | 'avgPool2d'>(kind: K): KindSpec<K> {
  return {
    fields: ['kernel', 'stride', 'padding', 'ceilMode', ...(kind === 'avgPool2d' ? ['countIncludePad'] : [])],
    parse: (raw, at) => {
      const kernel = req(raw, 'kernel', at, (v, a) => pair(v, a, 1, 'kernel: 2'), 'kernel: 2');
      return {
        kernel,
        stride: opt(raw, 'stride', at, (v, a) => pair(v, a, 1, 'stride: 2'), kernel),
        padding: opt(raw, 'padding', at, padding, [0, 0, 0, 0] as const),
        ceilMode: opt(raw, 'ceilMode', at, boolean, false),
        countIncludePad: opt(raw, 'countIncludePad', at, boolean, true),
      } as Attrs<K>;
    },
  };
}

export const kindSpecs: { readonly [K in LayerKind]: KindSpec<K> } = {
  input: {
    fields: ['shape', 'standsFor'],
    parse: (raw, at) => ({
      shape: req(raw, 'shape', at, sizeList, 'shape: [1, 3, 32, 32]'),
      ...('standsFor' in raw ? { standsFor: string(raw.standsFor, child(at, 'standsFor')) } : {}),
    }),
  },
  dense: {
    fields: ['units', 'bias'],
    parse: (raw, at) => ({
      units: req(raw, 'units', at, size, 'units: 10'),
      bias: opt(raw, 'bias', at, boolean, true),
    }),
  },
  conv2d: {
    fields: ['filters', 'kernel', 'stride', 'dilation', 'padding', 'groups', 'bias'],
    parse: (raw, at) => ({
      filters: req(raw, 'filters', at, size, 'filters: 64'),
      kernel: req(raw, 'kernel', at, (v, a) => pair(v, a, 1, 'kernel: 3'), 'kernel: 3'),
      stride: opt(raw, 'stride', at, (v, a) => pair(v, a, 1, 'stride: 2'), [1, 1] as const),
      dilation: opt(raw, 'dilation', at, (v, a) => pair(v, a, 1, 'dilation: 2'), [1, 1] as const),
      padding: opt(raw, 'padding', at, padding, [0, 0, 0, 0] as const),
      groups: opt(raw, 'groups', at, size, 1),
      bias: opt(raw, 'bias', at, boolean, true),
    }),
  },
  maxPool2d: poolSpec('maxPool2d'),
  avgPool2d: poolSpec('avgPool2d'),
  globalAvgPool: { fields: ['keepDims'], parse: (raw, at) => ({ keepDims: opt(raw, 'keepDims', at, boolean, false) }) },
  flatten: { fields: ['startDim'], parse: (raw, at) => ({ startDim: opt(raw, 'startDim', at, (v, a) => integer(v, a, -8), 1) }) },
  reshape: {
    fields: ['shape'],
    parse: (raw, at) => ({ shape: req(raw, 'shape', at, (v, a) => intList(v, a, -1), 'shape: [0, -1]') }),
  },
  transpose: {
    fields: ['perm'],
    parse: (raw, at) => ({ perm: req(raw, 'perm', at, (v, a) => intList(v, a, 0), 'perm: [0, 2, 1, 3]') }),
  },
  pad: {
    fields: ['padding', 'value'],
    parse: (raw, at) => ({
      padding: req(raw, 'padding', at, padding, 'padding: [0, 1, 0, 1]'),
      value: opt(raw, 'value', at, number, 0),
    }),
  },
  add: none,
  mul: none,
  concat: { fields: ['axis'], parse: (raw, at) => ({ axis: opt(raw, 'axis', at, (v, a) => integer(v, a, -8), 1) }) },
  matmul: {
    fields: ['transposeA', 'transposeB'],
    parse: (raw, at) => ({
      transposeA: opt(raw, 'transposeA', at, boolean, false),
      transposeB: opt(raw, 'transposeB', at, boolean, false),
    }),
  },
  relu: none,
  relu6: none,
  clip: {
    fields: ['min', 'max'],
    parse: (raw, at) => {
      const min = opt(raw, 'min', at, number, -Infinity);
      const max = opt(raw, 'max', at, number, Infinity);
      if (min > max) fail(child(at, 'max'), `must be ≥ min (${min})`, max);
      return { min, max };
    },
  },
  leakyRelu: {
    fields: ['negativeSlope'],
    parse: (raw, at) => ({ negativeSlope: opt(raw, 'negativeSlope', at, number, 0.01) }),
  },
  sigmoid: none,
  tanh: none,
  gelu: {
    fields: ['approximate'],
    parse: (raw, at) => ({ approximate: opt(raw, 'approximate', at, (v, a) => oneOf(v, ['none', 'tanh'] as const, a), 'none') }),
  },
  softmax: { fields: ['axis'], parse: (raw, at) => ({ axis: opt(raw, 'axis', at, (v, a) => integer(v, a, -8), -1) }) },
  layerNorm: {
    fields: ['normalizedShape', 'eps', 'affine'],
    parse: (raw, at) => ({
      normalizedShape: opt<readonly number[] | null>(raw, 'normalizedShape', at, sizeList, null),
      eps: opt(raw, 'eps', at, positive, 1e-5),
      affine: opt(raw, 'affine', at, boolean, true),
    }),
  },
  batchNorm: {
    fields: ['eps', 'momentum', 'affine'],
    parse: (raw, at) => ({
      eps: opt(raw, 'eps', at, positive, 1e-5),
      momentum: opt(raw, 'momentum', at, (v, a) => fraction(v, a, true), 0.1),
      affine: opt(raw, 'affine', at, boolean, true),
    }),
  },
  dropout: { fields: ['p'], parse: (raw, at) => ({ p: opt(raw, 'p', at, (v, a) => fraction(v, a, false), 0.5) }) },
};

function positive(v: unknown, at: At): number {
  const x = number(v, at);
  if (x <= 0) fail(at, 'must be positive', v);
  return x;
}
function fraction(v: unknown, at: At, closed: boolean): number {
  const x = number(v, at);
  if (x < 0 || (closed ? x > 1 : x >= 1)) fail(at, `must be in [0, 1${closed ? ']' : ')'}`, v);
  return x;
}

export interface ParsedModel {
  readonly name: string;
  readonly layers: readonly LayerNode[];
  readonly output?: string;
  readonly seed: number;
  /** Parameter values given inline, keyed `layer.param`, with where they came from (for errors). */
  readonly params: Readonly<Record<string, { readonly tensor: ParamTensor; readonly at: At }>>;
  readonly paramsFile?: string;
  readonly init: InitConfig;
}

const TOP = ['format', 'version', 'name', 'description', 'seed', 'init', 'initStd', 'output', 'paramsFile', 'layers'];

/** Parses a model document. `file` is only used in error messages. */
export function parseModel(doc: unknown, file?: string): ParsedModel {
  const root: At = { file, path: '' };
  const top = object(doc, { file, path: '(top level)' }, 'must be a mapping with a `layers` list');
  checkKeys(top, TOP, root, 'a model file');
  if ('version' in top && top.version !== 1) fail(child(root, 'version'), 'is not a supported model file version', top.version, 'Allowed: 1.');
  const layersAt = child(root, 'layers');
  if (!Array.isArray(top.layers) || top.layers.length === 0) {
    fail(layersAt, 'must be a non-empty list of layers', top.layers, 'Example: layers: [{ name: x, kind: input, shape: [1, 4] }]');
  }
  const names = new Map<string, number>();
  const params: Record<string, { tensor: ParamTensor; at: At }> = {};
  const layers = (top.layers as unknown[]).map((rawLayer, i): LayerNode => {
    const at = child(layersAt, i);
    const raw = object(rawLayer, at, 'must be a mapping with at least `kind`');
    const kindAt = child(at, 'kind');
    if (!('kind' in raw)) fail(kindAt, 'is required', undefined, `Allowed kinds: ${LAYER_KINDS.join(', ')}.`, 'missingField');
    if (typeof raw.kind !== 'string' || !(LAYER_KINDS as readonly string[]).includes(raw.kind)) {
      fail(kindAt, 'is not a known layer kind', raw.kind, `Allowed kinds: ${LAYER_KINDS.join(', ')}.`, 'unknownKind');
    }
    const kind = raw.kind as LayerKind;
    const spec = kindSpecs[kind] as KindSpec<LayerKind>;
    checkKeys(raw, [...COMMON, ...spec.fields], at, `a ${kind} layer`);
    const name = 'name' in raw ? string(raw.name, child(at, 'name')) : `${kind}_${i}`;
    if (names.has(name)) fail(child(at, 'name'), `repeats the name of layers[${names.get(name)}]`, name, 'Layer names must be unique.', 'duplicateName');
    names.set(name, i);
    const inputs = parseInputs(raw, at, kind, i, top.layers as unknown[]);
    if ('params' in raw) {
      const pAt = child(at, 'params');
      for (const [pname, value] of Object.entries(object(raw.params, pAt))) {
        params[`${name}.${pname}`] = { tensor: parseTensor(value, child(pAt, pname)), at: child(pAt, pname) };
      }
    }
    return { kind, name, inputs, ...spec.parse(raw, at) } as LayerNode;
  });
  const name = 'name' in top ? string(top.name, child(root, 'name')) : (file?.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') ?? 'model');
  const output = 'output' in top ? string(top.output, child(root, 'output')) : undefined;
  const seed = 'seed' in top ? integer(top.seed, child(root, 'seed'), 0) : 0;
  const paramsFile = 'paramsFile' in top ? string(top.paramsFile, child(root, 'paramsFile')) : undefined;
  const init: InitConfig = {
    scheme: 'init' in top ? oneOf(top.init, INIT_SCHEMES, child(root, 'init')) : 'pytorch',
    std: 'initStd' in top ? positive(top.initStd, child(root, 'initStd')) : 0.01,
  };
  return { name, layers, output, seed, params, paramsFile, init };
}

function parseInputs(raw: RawObject, at: At, kind: LayerKind, index: number, all: unknown[]): string[] {
  if ('inputs' in raw && 'input' in raw) fail(child(at, 'input'), 'cannot be given together with `inputs`', raw.input);
  if ('inputs' in raw) {
    const iAt = child(at, 'inputs');
    if (!Array.isArray(raw.inputs)) fail(iAt, 'must be a list of layer names', raw.inputs, 'Example: inputs: [conv1, shortcut]');
    return raw.inputs.map((v, j) => string(v, child(iAt, j)));
  }
  if ('input' in raw) return [string(raw.input, child(at, 'input'))];
  if (kind === 'input') return [];
  // By default a layer reads the layer listed just before it.
  if (index === 0) {
    throw new SimError('has no input: the first layer must be an `input` layer or name its inputs', {
      code: 'danglingInput', file: at.file, path: at.path, hint: 'Example: { name: x, kind: input, shape: [1, 4] }',
    });
  }
  const prev = all[index - 1] as RawObject;
  return [typeof prev.name === 'string' ? prev.name : `${String(prev.kind)}_${index - 1}`];
}
