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
import { type RsLayer, type RsSpatialMapping, type RsTemporal, rsSpatialMapping } from '../map/row-stationary.js';
import { rsLayerOfOp } from '../map/rs-layer.js';
import type { RsTiming } from '../timing/row-stationary.js';
import { rsCapacities, traceRs } from '../timing/rs-trace.js';
import { COST_MODELS } from '../run/cost-model.js';
import type { GemmCost, MapperObjective } from '../run/cost-report.js';
import { energyContext } from '../run/energy-context.js';
import { gemmCost } from '../run/entries.js';
import { type RsSearch, searchRs } from '../run/rs-mapper.js';
import { resolveMachine } from '../load/hw.js';
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

export interface RsMapOptions {
  readonly objective?: MapperObjective;
  readonly top?: number;
  readonly search?: RsSearch;
}

/** One mapping's figures as `simulate` prices them. */
export interface RsCandidate {
  readonly temporal: RsTemporal;
  readonly cycles: number;
  readonly utilization: number;
  readonly dramAccessesPerMac: number;
  readonly energy: number;
  readonly edp: number;
  readonly timing: RsTiming;
}

export interface LayerRsMapping {
  readonly layer: string;
  readonly pass: Exclude<Pass, 'update'>;
  readonly kind: string;
  /** The convolution RS sees (a dense layer as a 1×1 one: images = rows of A, channels = k, filters = n). */
  readonly conv: RsLayer;
  /** The spatial mapping of the whole layer (as the Eyeriss papers count PEs); a GLB tile of fewer ofmap rows may use fewer. */
  readonly mapping: RsSpatialMapping;
  readonly fixed: RsCandidate;
  /** The mapper's best `top`, best first (the fixed mapping among them when nothing beats it). */
  readonly best: readonly RsCandidate[];
  readonly priced: number;
}

export interface MapResult {
  readonly model: string;
  readonly hw: string;
  readonly array: { readonly rows: number; readonly cols: number };
  readonly energyUnit: string;
  readonly objective: MapperObjective;
  readonly search: RsSearch;
  readonly layers: readonly LayerRsMapping[];
}

export function rsMap(r: MapRequest, opts: RsMapOptions = {}): MapResult {
  const graph = loadAnyModel(resolveModel(r.model));
  const hw = requestedHw({ ...r, hw: r.hw ?? DEFAULT_HW, dataflow: 'rs' });
  const machine = resolveMachine(hw);
  const ctx = energyContext(machine);
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
  const objective = opts.objective ?? 'edp', search = opts.search ?? { mode: 'pruned' };
  const candidate = (op: GemmOp, t?: RsTemporal): RsCandidate & { cost: GemmCost } => {
    const tr = traceRs(op, hw, t);
    const cost = gemmCost([op], [tr], hw, COST_MODELS.none, ctx);
    const c = tr.rs.timing;
    return {
      temporal: tr.rs.temporal, cycles: cost.totalCycles, utilization: cost.overallUtilization,
      dramAccessesPerMac: (c.dramIfmapReads + c.dramFilterReads + c.dramPsumReads + c.dramOfmapWrites) / c.macs,
      energy: cost.energy.total, edp: cost.energy.total * cost.totalCycles, timing: c, cost,
    };
  };
  const score = (c: RsCandidate): number => (objective === 'latency' ? c.cycles : objective === 'energy' ? c.energy : c.edp);
  const plain = ({ cost: _cost, ...c }: RsCandidate & { cost: GemmCost }): RsCandidate => c;
  return {
    model: graph.name, hw: hw.name, array: { rows: hw.array.rows, cols: hw.array.cols }, energyUnit: ctx.table.unit, objective, search,
    layers: chosen.map((op) => {
      const fixed = candidate(op);
      const conv = rsLayerOfOp(op);
      const found = searchRs(conv, rsCapacities(hw), hw.array, search, (t) => {
        const c = candidate(op, t);
        return { cost: c, objective: score(c) };
      }, opts.top ?? 3);
      return {
        layer: op.layer, pass: op.pass as Exclude<Pass, 'update'>, kind: op.layerKind, conv,
        mapping: rsSpatialMapping(conv, hw.array), fixed: plain(fixed),
        best: found.best.map((b) => plain(b.cost)), priced: found.priced,
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
