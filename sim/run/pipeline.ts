/**
 * The simulator's one composition point (docs/ARCHITECTURE.md):
 *   LayerGraph ─lower→ LoweredProgram ─map→ Mapping per GEMM ─trace→ OpTrace ─price→ entries ─sum→ CostReport
 * The cost model (`--compat`) decides how a GEMM is traced and what is covered; every stage is a pure function. The
 * report leaves through `assertReportNumbers`: exact counts and finite numbers, or a SimError naming the field.
 */
import type { LayerGraph } from '../ir/types.js';
import { lowerGraph } from '../lower/lower.js';
import type { GemmOp, LoweredOp, LoweredProgram, Mode } from '../lower/types.js';
import { FOLD_ORDERS, type FoldOrder, mapGemm } from '../map/mapping.js';
import { SimError } from '../base/errors.js';
import { COST_MODELS, type Compat, type CostModel } from './cost-model.js';
import type { CostReport, GemmCost, LayerCost, MapperObjective } from './cost-report.js';
import { type EnergyContext, energyContext, type Machine } from './energy-context.js';
import { gemmCost, vectorCost } from './entries.js';
import { assertReportNumbers } from './report-check.js';
import { checkRoofline, totalsOf } from './totals.js';
import type { HwConfig } from '../arch/types.js';
import type { RsTemporal } from '../map/row-stationary.js';
import { rsLayerOfOp } from '../map/rs-layer.js';
import { rsCapacities, traceRs } from '../timing/rs-trace.js';
import { chunksForPartialSums } from '../timing/gemm-memory.js';
import { type RsSearch, searchRs } from './rs-mapper.js';
import { spillWarning, trainingMemory } from './training-memory.js';

export interface SimulateOptions {
  readonly mode: Mode;
  readonly compat: Compat;
  readonly batch?: number;
  readonly version: string;
  /** The graph already lowered for this mode and batch (`lowerGraph`), reused across calls, e.g. by sweeps. */
  readonly program?: LoweredProgram;
  /**
   * `--mapper search`: per entry, every fold loop order the memory model prices (map/mapping.ts), the one with the
   * least `objective` kept (ties: the fixed order); for row stationary, the temporal mapspace searched `search`'s way
   * (run/rs-mapper.ts, default pruned). Absent: the fixed mapping (column folds outer; rs: rsFixedTemporal).
   */
  readonly mapper?: { readonly objective: MapperObjective; readonly search?: RsSearch };
}

const objectiveOf = (c: GemmCost, o: MapperObjective): number =>
  o === 'latency' ? c.totalCycles : o === 'energy' ? c.energy.total : c.energy.total * c.totalCycles;

export function simulateGraph(graph: LayerGraph, machine: Machine, options: SimulateOptions): CostReport {
  const { hw } = machine;
  const model = COST_MODELS[options.compat];
  model.check(hw);
  if (options.mapper && options.compat !== 'none') {
    throw new SimError('the mapper searches the default cost model only', { code: 'badValue', path: '--mapper', value: 'search', hint: `Leave out --compat ${options.compat}, or use --mapper fixed.` });
  }
  const program = options.program ?? lowerGraph(graph, { mode: options.mode, batch: options.batch });
  const ctx = energyContext(machine);
  const layers: LayerCost[] = [];
  let skippedVectorOps = 0;
  for (const ops of entryGroups(program.ops, model)) {
    if (ops[0].kind === 'vector') {
      if (model.vectorOps) layers.push(vectorCost(ops[0], hw, ctx));
      else skippedVectorOps++;
      continue;
    }
    const gemms = ops as GemmOp[];
    if (hw.array.dataflow === 'rs') {
      layers.push(rsEntryCost(gemms, hw, model, ctx, options.mapper));
      continue;
    }
    const cost = (order: FoldOrder, chunks = 1): GemmCost => gemmCost(gemms, gemms.map((op) => model.traceGemm(op, mapGemm(op.m, op.k, op.n, hw.array, order, chunks), hw)), hw, model, ctx);
    if (options.mapper === undefined) {
      layers.push(cost('colsOuter'));
      continue;
    }
    // The candidates: both fold loop orders, and column folds outer in the fewest chunks that keep one chunk's
    // partial sums in the ofmap SRAM (when they do not fit whole).
    const first = gemms[0];
    const chunks = chunksForPartialSums(mapGemm(first.m, first.k, first.n, hw.array), hw, hw.array.cols);
    const candidates: [FoldOrder, number][] = [...FOLD_ORDERS.map((o): [FoldOrder, number] => [o, 1]), ...(chunks > 1 ? [['colsOuter', chunks] as [FoldOrder, number]] : [])];
    const { objective } = options.mapper;
    let best: { order: FoldOrder; chunks: number; c: GemmCost } | undefined;
    for (const [order, n] of candidates) {
      const c = cost(order, n);
      if (best === undefined || objectiveOf(c, objective) < objectiveOf(best.c, objective)) best = { order, chunks: n, c };
    }
    layers.push({ ...best!.c, mapping: { foldOrder: best!.order, ...(best!.chunks > 1 ? { chunks: best!.chunks } : {}), objective, candidates: candidates.length } });
  }
  const kept = options.mode === 'training' && model.trainingMemory ? trainingMemory(program.ops, hw) : undefined;
  const { totals, training, notes } = totalsOf({ layers, machine, ctx, model, training: kept, perPass: options.mode === 'training' });
  if (model.enforcesBandwidth) checkRoofline({ hw, layers, totals });
  const warnings = [
    ...(program.notes ?? []),
    ...(skippedVectorOps > 0 ? [`${skippedVectorOps} vector op(s) (activations, pooling, normalization…) are not in SCALE-Sim's model and are left out in --compat scalesim`] : []),
    ...(kept && spillWarning(kept) ? [spillWarning(kept)!] : []),
    ...ctx.prices.notes, ...notes,
  ];
  return assertReportNumbers({
    schemaVersion: 2, tool: { name: 'systolab', version: options.version },
    model: graph.name, hw, mode: options.mode, compat: options.compat, layers, totals,
    energyTable: { name: ctx.table.name, file: machine.energyTableFile, unit: ctx.table.unit, leakage: ctx.flavour },
    ...(training ? { training } : {}),
    warnings,
  } satisfies CostReport, `the cost report of ${graph.name}`);
}

/**
 * A row-stationary entry: the fixed temporal mapping, or the mapper's best for the objective (run/rs-mapper.ts).
 * A conv's groups share one shape, so one search serves them all.
 */
function rsEntryCost(gemms: readonly GemmOp[], hw: HwConfig, model: CostModel, ctx: EnergyContext, mapper: SimulateOptions['mapper']): GemmCost {
  const cost = (t?: RsTemporal): GemmCost => gemmCost(gemms, gemms.map((op) => traceRs(op, hw, t)), hw, model, ctx);
  if (mapper === undefined) return cost();
  const { objective } = mapper;
  const found = searchRs(rsLayerOfOp(gemms[0]), rsCapacities(hw), hw.array, mapper.search ?? { mode: 'pruned' }, (t) => {
    const c = cost(t);
    return { cost: c, objective: objectiveOf(c, objective) };
  });
  return { ...found.best[0].cost, mapping: { objective, candidates: found.priced } };
}

/** The ops of one report entry each: a conv's group GEMMs together when the model merges them, else one op each. */
export function* entryGroups(ops: readonly LoweredOp[], model: CostModel): Generator<readonly LoweredOp[]> {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const group: LoweredOp[] = [op];
    while (op.kind === 'gemm' && model.mergeConvGroups && i + 1 < ops.length) {
      const next = ops[i + 1];
      if (next.kind !== 'gemm' || next.layer !== op.layer || next.pass !== op.pass || next.groups === 1) break;
      group.push(next);
      i++;
    }
    yield group;
  }
}
