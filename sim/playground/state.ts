/**
 * The playground's whole setup as plain data: the network panel (dataset, features, layers, training options), the
 * accelerator panel (a preset and what the page overrides), the PE-array panel and the view. It is what the URL's
 * hash holds (`#dataset=spiral&layers=8,8&rows=8…`), so a setup can be shared; `decodeState` takes any hash and
 * keeps only what is valid, each field falling back to its default, so a hand-edited link never breaks the page.
 */
import { GEMM_DATAFLOWS } from '../arch/types.js';

export const DATASETS_2D = ['circle', 'xor', 'gaussians', 'spiral'] as const;
export const PLAYGROUND_DATASETS = [...DATASETS_2D, 'iris', 'digits', 'csv'] as const;
export type PlaygroundDataset = (typeof PLAYGROUND_DATASETS)[number];

/** TensorFlow Playground's input features of a 2-D point (x1, x2). */
export const FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
export type Feature = (typeof FEATURES)[number];

export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'leakyRelu', 'linear'] as const;
export const PLAYGROUND_LOSSES = ['bce', 'mse', 'softmax-ce'] as const;
export const PLAYGROUND_OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export const DATAFLOWS = [...GEMM_DATAFLOWS, 'rs'] as const;
export const HW_PRECISIONS = ['int4', 'int8', 'int16', 'fp16', 'bf16', 'fp32'] as const;
/** The number formats the network can be run in beside float (fixed/execute-fixed.ts). */
export const NET_PRECISIONS = ['float', 'int8', 'int6', 'int4', 'fp16', 'bf16'] as const;
export const PRESETS = ['scalesim-32x32', 'edge-16x16', 'tpu-v1', 'eyeriss', 'gemmini'] as const;
export const ENERGY_TABLES = ['preset', '45nm', '32nm', '22nm', 'eyeriss-normalized'] as const;

/** TF Playground stops at 6 layers of 8 neurons; these are ours (the "limits lifted"). */
export const MAX_HIDDEN_LAYERS = 8;
export const MAX_NEURONS = 32;

export interface PlaygroundState {
  readonly dataset: PlaygroundDataset;
  /** The 2-D sets' generator: points, label noise (TF Playground's 0–50 % is 0–0.5), seed. */
  readonly points: number;
  readonly noise: number;
  readonly dataSeed: number;
  /** Percentage of the data in the training split (TF Playground's "ratio of training to test data"). */
  readonly trainPercent: number;
  /** The 2-D sets' inputs (iris, digits and CSV use their own columns). */
  readonly features: readonly Feature[];
  /** Neurons per hidden layer. */
  readonly layers: readonly number[];
  readonly activation: (typeof ACTIVATIONS)[number];
  readonly loss: (typeof PLAYGROUND_LOSSES)[number];
  readonly optimizer: (typeof PLAYGROUND_OPTIMIZERS)[number];
  readonly lr: number;
  readonly batch: number;
  readonly l1: number;
  readonly l2: number;
  readonly dropout: number;
  readonly seed: number;
  /** The format the network is also run in (its boundary and accuracy beside float's). */
  readonly netPrecision: (typeof NET_PRECISIONS)[number];
  /** Also train in that format (`systolab train --precision`), not only run the float network in it. */
  readonly trainFixed: boolean;
  readonly preset: (typeof PRESETS)[number];
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: (typeof DATAFLOWS)[number];
  readonly precision: (typeof HW_PRECISIONS)[number];
  readonly ifmapKib: number;
  readonly filterKib: number;
  readonly ofmapKib: number;
  readonly clockMhz: number;
  readonly energyTable: (typeof ENERGY_TABLES)[number];
  /** The PE-array panel: `seeded` is `simulate --trace MxKxN --seed S`; `layer` is a tile of a dense layer's forward GEMM. */
  readonly traceSource: 'seeded' | 'layer';
  readonly traceM: number;
  readonly traceK: number;
  readonly traceN: number;
  readonly traceSeed: number;
  readonly traceLayer: number;
  /** Hide the controls (TF Playground's classroom view): only the plots and the play button stay. */
  readonly classroom: boolean;
}

export const DEFAULT_STATE: PlaygroundState = {
  dataset: 'spiral', points: 500, noise: 0, dataSeed: 0, trainPercent: 50, features: ['x1', 'x2'],
  layers: [16, 16], activation: 'tanh', loss: 'bce', optimizer: 'adam', lr: 0.03, batch: 16, l1: 0, l2: 0, dropout: 0, seed: 0,
  netPrecision: 'int8', trainFixed: false,
  preset: 'scalesim-32x32', rows: 8, cols: 8, dataflow: 'os', precision: 'int8', ifmapKib: 64, filterKib: 64, ofmapKib: 64,
  clockMhz: 1000, energyTable: 'preset',
  traceSource: 'seeded', traceM: 4, traceK: 4, traceN: 4, traceSeed: 1, traceLayer: 0,
  classroom: false,
};

type Key = keyof PlaygroundState;
const bool = (v: string): boolean | undefined => (v === '1' ? true : v === '0' ? false : undefined);
const oneOf = <T extends string>(values: readonly T[]) => (v: string): T | undefined => (values as readonly string[]).includes(v) ? v as T : undefined;
const num = (lo: number, hi: number, int: boolean) => (v: string): number | undefined => {
  const x = Number(v);
  return v.trim() !== '' && Number.isFinite(x) && x >= lo && x <= hi && (!int || Number.isInteger(x)) ? x : undefined;
};

/** How each field is read back from the hash; a value outside the allowed set or range is dropped. */
const READERS: { readonly [K in Key]: (v: string) => PlaygroundState[K] | undefined } = {
  dataset: oneOf(PLAYGROUND_DATASETS),
  points: num(20, 2000, true), noise: num(0, 0.5, false), dataSeed: num(0, 2 ** 31, true), trainPercent: num(10, 90, true),
  features: (v) => {
    const fs = v.split(',').filter((f): f is Feature => (FEATURES as readonly string[]).includes(f));
    return fs.length > 0 && new Set(fs).size === fs.length ? fs : undefined;
  },
  layers: (v) => {
    if (v === '') return [];
    const ls = v.split(',').map(Number);
    return ls.length <= MAX_HIDDEN_LAYERS && ls.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_NEURONS) ? ls : undefined;
  },
  activation: oneOf(ACTIVATIONS), loss: oneOf(PLAYGROUND_LOSSES), optimizer: oneOf(PLAYGROUND_OPTIMIZERS),
  lr: num(1e-6, 10, false), batch: num(1, 512, true), l1: num(0, 1, false), l2: num(0, 1, false), dropout: num(0, 0.9, false),
  seed: num(0, 2 ** 31, true), netPrecision: oneOf(NET_PRECISIONS), trainFixed: bool,
  preset: oneOf(PRESETS), rows: num(1, 256, true), cols: num(1, 256, true), dataflow: oneOf(DATAFLOWS), precision: oneOf(HW_PRECISIONS),
  ifmapKib: num(1, 65536, true), filterKib: num(1, 65536, true), ofmapKib: num(1, 65536, true), clockMhz: num(1, 10000, false),
  energyTable: oneOf(ENERGY_TABLES),
  traceSource: oneOf(['seeded', 'layer'] as const), traceM: num(1, 64, true), traceK: num(1, 64, true), traceN: num(1, 64, true),
  traceSeed: num(0, 2 ** 31, true), traceLayer: num(0, MAX_HIDDEN_LAYERS, true),
  classroom: bool,
};

const show = (v: PlaygroundState[Key]): string =>
  (Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

/** The hash of a state: only the fields that differ from the defaults, in a fixed order (same state, same link). */
export function encodeState(s: PlaygroundState): string {
  const parts: string[] = [];
  for (const k of Object.keys(DEFAULT_STATE) as Key[]) {
    const v = show(s[k]);
    if (v !== show(DEFAULT_STATE[k])) parts.push(`${k}=${encodeURIComponent(v)}`);
  }
  return parts.join('&');
}

/** A hash (with or without `#`) → a state; unknown keys and invalid values are ignored (the default stays). */
export function decodeState(hash: string): PlaygroundState {
  const out: Record<string, unknown> = { ...DEFAULT_STATE };
  for (const part of hash.replace(/^#/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    if (!Object.hasOwn(READERS, key)) continue;
    let raw: string;
    try {
      raw = decodeURIComponent(part.slice(eq + 1));
    } catch {
      continue;
    }
    const v = READERS[key as Key](raw);
    if (v !== undefined) out[key] = v;
  }
  return out as unknown as PlaygroundState;
}

/** Whether the 2-D features apply (the four generated sets). */
export const isPlane = (d: PlaygroundDataset): boolean => (DATASETS_2D as readonly string[]).includes(d);
