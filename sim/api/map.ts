/**
 * `systolab map` as a library call: how Eyeriss' row-stationary dataflow folds each GEMM layer of a model onto the
 * configured array (map/row-stationary.ts): PE sets, strips, passes, copies and the PEs at work. Convolutions map as
 * themselves (grouped ones: one group's convolution, C and M per group); dense layers and matmuls as 1×1
 * convolutions. In training, the backward passes of a convolution are convolutions too, mapped as such:
 * backwardData convolves dY (M channels, E×F) with the filters to give dX (a set of R × H), backwardWeight
 * correlates X with dY (dY as the E×F "filter", R×S out: a set of E × R, summed over the batch, one output per
 * channel-filter pair). And `nckuLab2`: NCKU Lab 2's analytical model and a mapper over its mapspace
 * (compat/ncku-lab2/).
 */
import { SimError } from '../base/errors.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import { lowerGraph } from '../lower/lower.js';
import type { GemmOp, Mode, Pass } from '../lower/types.js';
import { type RsConv, type RsSpatialMapping, rsSpatialMapping } from '../map/row-stationary.js';
import { type RsTiming, rsTiming } from '../timing/row-stationary.js';
import { type LabObjective, type RankedMapping, type SearchOptions, searchMappings } from '../compat/ncku-lab2/mapper.js';
import { type LabCost, type LabHardware, type LabLayer, type LabMapping, checkMapping, labCost } from '../compat/ncku-lab2/model.js';
import { NCKU_LAB2_CONFIG, loadLabConfig } from '../load/ncku-lab2.js';
import { DEFAULT_HW, type HwRequest, requestedHw } from './simulate.js';

export interface MapRequest extends HwRequest {
  readonly model: string;
  /** inference: the forward GEMMs [default]; training: the backward ones too. */
  readonly mode?: Mode;
  /** One layer, or every GEMM layer. */
  readonly layer?: string;
}

export interface LayerRsMapping {
  readonly layer: string;
  readonly pass: Exclude<Pass, 'update'>;
  /** The RS fast model (timing/row-stationary.ts): cycles, passes, spad and GLB counts; utilization = MACs / (cycles·PEs). */
  readonly timing: RsTiming & { readonly utilization: number };
  readonly kind: string;
  /** The convolution RS sees (a dense layer as a 1×1 one). */
  readonly conv: RsConv;
  readonly mapping: RsSpatialMapping;
}

export interface MapResult {
  readonly model: string;
  readonly hw: string;
  readonly array: { readonly rows: number; readonly cols: number };
  readonly layers: readonly LayerRsMapping[];
}

/**
 * What the fast model needs besides the convolution: the batch, the stride, and the width of the input rows the GLB
 * sends (padding included). Backward passes are taken at stride 1 (a strided conv's dY is dilated: not modelled).
 */
function shapeOf(op: GemmOp): { n: number; u: number; paddedW: number } {
  const g = op.conv;
  if (g === undefined) return { n: 1, u: 1, paddedW: 1 };
  if (op.pass === 'backwardData') return { n: g.n, u: 1, paddedW: g.w + g.s - 1 };
  if (op.pass === 'backwardWeight') return { n: 1, u: 1, paddedW: g.w + g.padding[2] + g.padding[3] };
  return { n: g.n, u: g.stride[0], paddedW: g.w + g.padding[2] + g.padding[3] };
}

/** The convolution RS runs for one GEMM op: a conv pass as the convolution it is, anything else as a 1×1 one. */
function convOf(op: GemmOp): RsConv {
  const g = op.conv;
  // Any other GEMM: a 1×1 convolution that reduces over k and has m·n independent outputs (C = k, M = m·n), so that
  // its copies may spread over all of them.
  if (g === undefined) return { r: 1, s: 1, e: 1, f: 1, c: op.k, m: op.m * op.n };
  const c = g.c / g.groups, m = g.k / g.groups;
  if (op.pass === 'backwardData') return { r: g.r, s: g.s, e: g.h, f: g.w, c: m, m: c };
  if (op.pass === 'backwardWeight') return { r: g.p, s: g.q, e: g.r, f: g.s, c: g.n, m: c * m };
  return { r: g.r, s: g.s, e: g.p, f: g.q, c, m };
}

export function rsMap(r: MapRequest): MapResult {
  const graph = loadAnyModel(resolveModel(r.model));
  const hw = requestedHw({ ...r, hw: r.hw ?? DEFAULT_HW });
  const ops = lowerGraph(graph, { mode: r.mode ?? 'inference' }).ops
    .filter((o): o is GemmOp => o.kind === 'gemm' && o.pass !== 'update' && o.group === 0);
  const chosen = r.layer === undefined ? ops : ops.filter((o) => o.layer === r.layer);
  if (chosen.length === 0) {
    const names = [...new Set(ops.map((o) => o.layer))];
    throw new SimError(r.layer === undefined ? 'has no GEMM layers to map' : 'names no GEMM layer of the model', {
      code: 'badValue', path: r.layer === undefined ? '--model' : '--layer', value: r.layer ?? r.model,
      hint: names.length > 0 ? `One of: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}.` : undefined,
    });
  }
  const array = { rows: hw.array.rows, cols: hw.array.cols };
  return {
    model: graph.name, hw: hw.name, array,
    layers: chosen.map((op) => {
      const conv = convOf(op);
      const t = rsTiming(conv, shapeOf(op), array);
      return {
        layer: op.layer, pass: op.pass as Exclude<Pass, 'update'>, kind: op.layerKind, conv, mapping: rsSpatialMapping(conv, array),
        timing: { ...t, utilization: t.macs / (t.cycles * array.rows * array.cols) },
      };
    }),
  };
}

export interface LabLayerResult {
  readonly layer: LabLayer;
  /** The lab's hand-picked mapping: which conditions it meets, and its cost when it meets them all. */
  readonly labMapping: { readonly mapping: LabMapping; readonly checks: ReturnType<typeof checkMapping>; readonly cost: LabCost | null };
  /** The mapper's best, best first, and how many valid mappings it ranked. */
  readonly best: readonly RankedMapping[];
  readonly validMappings: number;
}

export interface LabResult {
  readonly config: string;
  readonly objective: LabObjective;
  readonly search: Pick<SearchOptions, 'mode' | 'budget' | 'seed'>;
  readonly hardware: LabHardware;
  readonly layers: readonly LabLayerResult[];
}

/** `map --compat ncku-lab2`: NCKU Lab 2's model on its workload, its mapping and the mapper's best `top`. */
export function nckuLab2(opts: { config?: string; layer?: string; objective?: LabObjective; top?: number; search?: Pick<SearchOptions, 'mode' | 'budget' | 'seed'> } = {}): LabResult {
  const file = opts.config ?? NCKU_LAB2_CONFIG;
  const cfg = loadLabConfig(file);
  const objective = opts.objective ?? 'edp';
  const layers = opts.layer === undefined ? cfg.layers : cfg.layers.filter((l) => l.name === opts.layer);
  if (layers.length === 0) {
    throw new SimError('names no layer of the lab\'s workload', { code: 'badValue', path: '--layer', value: opts.layer, hint: `One of: ${cfg.layers.map((l) => l.name).join(', ')}.` });
  }
  return {
    config: file, objective, search: { mode: 'pruned', ...opts.search }, hardware: cfg.hardware,
    layers: layers.map((layer) => {
      const checks = checkMapping(cfg.mapping, layer, cfg.hardware);
      const search = searchMappings(layer, cfg.hardware, { ...opts.search, objective, top: opts.top ?? 3 });
      return {
        layer, labMapping: { mapping: cfg.mapping, checks, cost: checks.every((c) => c.ok) ? labCost(cfg.mapping, layer, cfg.hardware) : null },
        best: search.best, validMappings: search.valid,
      };
    }),
  };
}
