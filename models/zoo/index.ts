/**
 * The built-in model registry: `--model NAME` or `--model NAME:key=value:key=value` (run through
 * `sim/load/model.ts`), and `systolab models` lists it. Three sources:
 *  - builders (this folder): functions of the parameters returning a model document (models/README.md's format, as a
 *    plain object), parsed and built like any file. Parameters are not in the documents: they are drawn from `seed`;
 *  - model files: models/tiny-cnn.yaml and the course's models/course/NAME.yaml (no parameters; their batch is the file's);
 *  - SCALE-Sim v2's topology CSVs, models/scalesim/*.csv, read as-is (one independent conv per row).
 */
import { SimError } from '../../sim/base/errors.js';
import { LIMITS, LIMITS_DOC, showLimit } from '../../sim/base/limits.js';
import { alexnet } from './alexnet.js';
import { lenet5 } from './lenet.js';
import { mobilenetV1, mobilenetV2 } from './mobilenet.js';
import type { ModelDocument } from './net.js';
import { resnet } from './resnet.js';
import { bertBaseLayer, gpt2SmallLayer } from './transformer.js';
import { vgg16 } from './vgg.js';

export type { ModelDocument } from './net.js';

export interface ZooParam {
  readonly name: string;
  readonly default: number;
  readonly meaning: string;
  /** Integer-valued (batch, resolution, seq) or any positive number (width). */
  readonly integer: boolean;
  readonly min: number;
  /** The largest value (docs/limits.md): a size is a tensor dimension, the width multiplier scales channels. */
  readonly max: number;
}

interface EntryBase {
  readonly name: string;
  /** What it is, with the paper. */
  readonly description: string;
  readonly params: readonly ZooParam[];
}
export interface BuilderEntry extends EntryBase {
  readonly source: 'builder';
  readonly build: (params: Readonly<Record<string, number>>) => ModelDocument;
}
export interface FileEntry extends EntryBase {
  readonly source: 'file';
  /** Path relative to the package root (a model YAML or a SCALE-Sim topology CSV). */
  readonly file: string;
}
export type ZooEntry = BuilderEntry | FileEntry;

const DIM = LIMITS.dim.max;
const batch = (): ZooParam => ({ name: 'batch', default: 1, meaning: 'batch size (first input dimension)', integer: true, min: 1, max: DIM });
const resolution = (dflt: number, min: number): ZooParam => ({ name: 'resolution', default: dflt, meaning: 'input height = width, pixels', integer: true, min, max: DIM });
/** α·1280 channels (MobileNet V2's last layer) stay within the dim limit. */
const width: ZooParam = { name: 'width', default: 1, meaning: 'width multiplier α (scales every layer\'s channels)', integer: false, min: Number.MIN_VALUE, max: 1024 };
const seq: ZooParam = { name: 'seq', default: 128, meaning: 'sequence length (tokens)', integer: true, min: 1, max: DIM };

type P = Readonly<Record<string, number>>;
const cnn = (p: P) => ({ batch: p.batch, resolution: p.resolution });

const ENTRIES: readonly ZooEntry[] = [
  {
    name: 'lenet5', source: 'builder', params: [batch(), resolution(32, 32)], build: (p) => lenet5(cnn(p)),
    description: 'LeNet-5 (LeCun et al., Proc. IEEE 1998) on 32×32: conv 6@5×5, pool, conv 16@5×5, pool, conv 120@5×5, fc 84, fc 10; tanh; C3 fully connected',
  },
  {
    name: 'alexnet', source: 'builder', params: [batch(), resolution(224, 63)], build: (p) => alexnet(cnn(p)),
    description: 'AlexNet, torchvision\'s variant (Krizhevsky 2014 single tower; 2012 paper\'s net without LRN/groups): 5 convs, 3 fc',
  },
  {
    name: 'vgg16', source: 'builder', params: [batch(), resolution(224, 32)], build: (p) => vgg16(cnn(p)),
    description: 'VGG-16, configuration D (Simonyan & Zisserman, ICLR 2015): 13 convs 3×3, 3 fc',
  },
  ...([18, 34, 50] as const).map((depth): ZooEntry => ({
    name: `resnet${depth}`, source: 'builder', params: [batch(), resolution(224, 32)], build: (p) => resnet(depth, cnn(p)),
    description: `ResNet-${depth} (He et al., CVPR 2016), torchvision layout: ${depth === 50 ? 'bottleneck' : 'basic'} blocks, BN after every conv, projection shortcuts, global avg pool, fc 1000`,
  })),
  {
    name: 'mobilenet-v1', source: 'builder', params: [batch(), resolution(224, 32), width],
    build: (p) => mobilenetV1({ ...cnn(p), width: p.width }),
    description: 'MobileNet V1 (Howard et al. 2017): depthwise-separable convs, width multiplier α, resolution ρ',
  },
  {
    name: 'mobilenet-v2', source: 'builder', params: [batch(), resolution(224, 32), width],
    build: (p) => mobilenetV2({ ...cnn(p), width: p.width }),
    description: 'MobileNet V2 (Sandler et al., CVPR 2018), torchvision layout: inverted residuals, linear bottlenecks, width multiplier',
  },
  {
    name: 'bert-base-layer', source: 'builder', params: [batch(), seq], build: (p) => bertBaseLayer({ batch: p.batch, seq: p.seq }),
    description: 'one BERT-base encoder layer (Devlin et al., NAACL 2019): hidden 768, 12 heads, FFN 3072, post-LN; 1/√d folded into W_Q',
  },
  {
    name: 'gpt2-small-layer', source: 'builder', params: [batch(), seq], build: (p) => gpt2SmallLayer({ batch: p.batch, seq: p.seq }),
    description: 'one GPT-2 small decoder layer (Radford et al. 2019): hidden 768, 12 heads, FFN 3072, pre-LN; causal mask not applied (same GEMMs)',
  },
  {
    name: 'tiny-cnn', source: 'file', file: 'models/tiny-cnn.yaml', params: [],
    description: 'the quick start\'s small CNN (conv, batch norm, ReLU, max pool, conv, global pool, dense, softmax)',
  },
  ...([
    ['perceptron', 'the perceptron of lecture 1: y = σ(w·x + b) on two features'],
    ['linear-regression', 'linear regression, one dense unit (the course\'s house-price example)'],
    ['pass-fail-mlp', '"will I pass?" 2-8-1 MLP, sigmoid output'],
    ['playground-mlp', 'the TensorFlow Playground\'s 2-16-16-1 tanh MLP'],
    ['iris-mlp', 'iris (Fisher 1936) 4-16-3 MLP, logits out'],
    ['lenet-digits', 'LeNet-5 (LeCun et al. 1998) as taught, on 28×28 digits, ReLU'],
  ] as const).map(([name, description]): ZooEntry => ({ name, description: `course: ${description}`, source: 'file', file: `models/course/${name}.yaml`, params: [] })),
  ...([
    ['scalesim-resnet18', 'resnet18', 'ResNet-18'],
    ['scalesim-alexnet', 'alexnet', 'AlexNet'],
    ['scalesim-mobilenet', 'mobilenet', 'MobileNet'],
  ] as const).map(([name, file, what]): ZooEntry => ({
    name, source: 'file', file: `models/scalesim/${file}.csv`, params: [],
    description: `SCALE-Sim v2's ${what} topology CSV as-is (independent conv rows)`,
  })),
];

export const ZOO: ReadonlyMap<string, ZooEntry> = new Map(ENTRIES.map((e) => [e.name, e]));
export const ZOO_NAMES: readonly string[] = ENTRIES.map((e) => e.name);

/**
 * Whether `spec` has the shape of a built-in reference `NAME` or `NAME:key=value…` rather than a path: letters,
 * digits, `-` and `_` before the first colon, and no path separator anywhere.
 */
export function isBuiltinSpec(spec: string): boolean {
  return /^[A-Za-z0-9_-]+(:[^/\\]*)?$/.test(spec);
}

export interface ResolvedBuiltin {
  readonly entry: ZooEntry;
  /** Every parameter, defaults filled in. */
  readonly params: Readonly<Record<string, number>>;
  /** `NAME` plus the parameters that differ from their defaults, e.g. `mobilenet-v2:width=0.5`. */
  readonly canonical: string;
}

/** `NAME[:key=value…]` → the entry and its parameters; SimError for an unknown name, key or bad value. */
export function resolveBuiltin(spec: string): ResolvedBuiltin {
  const [name, ...pairs] = spec.split(':');
  const entry = ZOO.get(name);
  if (entry === undefined) {
    throw new SimError(`"${name}" is not a model file or a built-in model`, {
      code: 'unknownModel', hint: `Built-in models: ${ZOO_NAMES.join(', ')}; or a model file (YAML/JSON, or a SCALE-Sim topology .csv).`,
    });
  }
  const allowed = entry.params.map((p) => p.name);
  const allowedText = allowed.length ? `Allowed keys of ${name}: ${allowed.join(', ')} (e.g. ${name}:${entry.params.map((p) => `${p.name}=${p.default}`).join(':')}).` : `${name} has no parameters.`;
  const params: Record<string, number> = Object.fromEntries(entry.params.map((p) => [p.name, p.default]));
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const param = entry.params.find((p) => p.name === key);
    if (param === undefined) {
      throw new SimError(`"${key}" is not a parameter of built-in model ${name}`, { code: 'unknownParam', value: spec, hint: allowedText });
    }
    if (eq < 0) throw new SimError(`parameter "${key}" needs a value, as ${key}=${param.default}`, { code: 'badValue', value: spec, hint: allowedText });
    if (seen.has(key)) throw new SimError(`parameter "${key}" is given twice`, { code: 'badValue', value: spec });
    seen.add(key);
    const text = pair.slice(eq + 1).trim();
    const v = Number(text);
    if (text === '' || !Number.isFinite(v) || (param.integer && !Number.isInteger(v)) || v < param.min) {
      const want = param.integer ? `an integer ≥ ${param.min}` : 'a positive number';
      throw new SimError(`${name}: ${key} must be ${want}`, { code: 'badValue', value: text, hint: `${key}: ${param.meaning}.` });
    }
    if (v > param.max) {
      throw new SimError(`${name}: ${key} exceeds the limit ${showLimit(param.max)}`, {
        code: 'badValue', value: v, hint: `${key}: ${param.meaning}. Why: ${LIMITS_DOC}, "Built-in model parameters".`,
      });
    }
    params[key] = v;
  }
  const changed = entry.params.filter((p) => params[p.name] !== p.default).map((p) => `:${p.name}=${params[p.name]}`);
  return { entry, params, canonical: `${name}${changed.join('')}` };
}
