/**
 * Report entries: the OpTraces of one (layer, pass)'s GEMMs, or one vector op, → a priced GemmCost / VectorCost.
 * In: traces from the cost model, the energy context. Out: the entries run/totals.ts adds up.
 */
import { gemmDataflowOf, strategyOf } from '../map/dataflow.js';
import { gemmActions, rsActions, vectorActions } from '../energy/actions.js';
import { analyze, energyFloor, roofline } from '../energy/analysis.js';
import { priceActions } from '../energy/price.js';
import { PRECISION_BITS, type HwConfig } from '../arch/types.js';
import { exact } from '../timing/gemm-memory.js';
import type { MemoryCounts } from '../timing/op-trace.js';
import { vectorAluOps, vectorCycles } from '../timing/vector-timing.js';
import type { GemmOp, VectorOp } from '../lower/types.js';
import type { CostModel, ModelTrace } from './cost-model.js';
import type { GemmCost, RsEntry, UtilizationLoss, VectorCost } from './cost-report.js';
import type { EnergyContext } from './energy-context.js';

function loss(macs: number, mapped: number, computeCycles: number, stallCycles: number, pes: number): UtilizationLoss {
  const all = (computeCycles + stallCycles) * pes;
  return {
    unmappedPes: (computeCycles * pes - mapped) / all,
    fillAndDrain: (mapped - macs) / all,
    stalls: (stallCycles * pes) / all,
  };
}

export function addCounts(a: MemoryCounts | undefined, b: MemoryCounts): MemoryCounts {
  if (!a) return b;
  const out: Record<string, number> = {};
  for (const key of Object.keys(b) as (keyof MemoryCounts)[]) out[key] = exact((a[key] ?? 0) + (b[key] ?? 0), `sram/dram.${key}`);
  return out as unknown as MemoryCounts;
}

/** One entry for the GEMMs of a (layer, pass): the groups of a conv add up. */
export function gemmCost(ops: readonly GemmOp[], traces: readonly ModelTrace[], hw: HwConfig, model: CostModel, ctx: EnergyContext): GemmCost {
  const pes = ctx.pes;
  const first = ops[0], t0 = traces[0].timing;
  let macs = 0, computeCycles = 0, mappedPeCycles = 0, spatial = 0, folds = 0, stallCycles = 0, dramReadBytes = 0, dramWriteBytes = 0;
  let sramWords: MemoryCounts | undefined, dramWords: MemoryCounts | undefined, interPePsumMoves = 0;
  const rs = traces[0].rs !== undefined;
  const bw = { ifmap: 0, filter: 0, ofmap: 0 };
  for (const tr of traces) {
    const t = tr.timing;
    macs += t.macs;
    computeCycles += t.computeCycles;
    folds += t.rowFolds * t.colFolds;
    spatial += t.spatialRows * t.spatialCols;
    // Mapped PE-cycles: the folds' mapped PEs add up to Sr·Sc, each held for a whole fold.
    mappedPeCycles += t.mappedPeCycles ?? t.spatialRows * t.spatialCols * t.cyclesPerFold;
    if (tr.rs) interPePsumMoves += tr.rs.timing.interPePsumMoves;
    stallCycles += tr.stallCycles;
    sramWords = addCounts(sramWords, tr.sramWords);
    dramWords = addCounts(dramWords, tr.dramWords);
    dramReadBytes += tr.dramReadBytes;
    dramWriteBytes += tr.dramWriteBytes;
    bw.ifmap = Math.max(bw.ifmap, tr.bandwidth.ifmap);
    bw.filter = Math.max(bw.filter, tr.bandwidth.filter);
    bw.ofmap = Math.max(bw.ofmap, tr.bandwidth.ofmap);
  }
  const totalCycles = computeCycles + stallCycles;
  let outputs = 0, compulsoryBits = 0;
  // The compulsory DRAM traffic: every operand that moves through DRAM at all, once (activations kept on chip do not).
  ops.forEach((g, i) => {
    outputs += g.m * g.n;
    const d = traces[i].dramWords, moves = (words: number | undefined) => (words ?? 0) > 0;
    compulsoryBits += ((moves(d.ifmapReads) ? g.operands.a.uniqueElements : 0) + (moves(d.ofmapWrites) ? g.operands.c.uniqueElements : 0)) * ctx.inBits
      + (moves(d.filterReads) ? g.operands.b.uniqueElements : 0) * ctx.wBits;
  });
  const counts = { macs, outputs, totalCycles, sram: sramWords!, dram: dramWords!, dramWriteBytes };
  const actions = rs ? rsActions(counts, interPePsumMoves, ctx.widths) : gemmActions(counts, strategyOf(gemmDataflowOf(hw.array.dataflow, 'the GEMM cost model')), ctx.widths);
  const e = priceActions(actions, ctx.prices);
  const bandwidth = traces[0].bandwidthUnit === 'bytesPerCycle' ? { bandwidthBytesPerCycle: bw } : { bandwidthWordsPerCycle: bw };
  return {
    name: first.layer, id: ops.length > 1 ? `${first.layer}.${first.pass}` : first.id, pass: first.pass, kind: 'gemm',
    layerKind: first.layerKind, m: first.m, k: first.k, n: first.n, ...(first.groups > 1 ? { groups: ops.length } : {}),
    macs, rowFolds: t0.rowFolds, colFolds: t0.colFolds, computeCycles, stallCycles, totalCycles,
    // Row stationary: the PE-cycles of the PEs given work over all PE-cycles (passes differ in PEs and length).
    mappingEfficiency: rs ? mappedPeCycles / (computeCycles * pes) : spatial / (folds * pes),
    computeUtilization: traces.length === 1 ? t0.computeUtilization : macs / (computeCycles * pes),
    overallUtilization: macs / (totalCycles * pes),
    ...(model.utilizationLoss ? { utilizationLoss: loss(macs, mappedPeCycles, computeCycles, stallCycles, pes) } : {}),
    sramWords: sramWords!, dramWords: dramWords!, dramReadBytes, dramWriteBytes, ...bandwidth,
    energy: analyze(e, macs, energyFloor(macs, compulsoryBits, ctx.prices), totalCycles / ctx.clockHz, ctx.table.unit),
    roofline: roofline(macs, dramReadBytes + dramWriteBytes, totalCycles, pes, ctx.bytesPerCycle),
    ...(traces.length === 1 && traces[0].scalesim ? { scalesim: traces[0].scalesim } : {}),
    ...(rs ? { rs: rsEntry(traces) } : {}),
  };
}

/** A row-stationary entry's mapping and per-level counts (the first group's mapping; counts of all groups). */
function rsEntry(traces: readonly ModelTrace[]): RsEntry {
  const d = traces[0].rs!;
  const sum = (k: keyof RsEntry['counts']) => traces.reduce((a, t) => a + t.rs!.timing[k], 0);
  return {
    conv: d.layer, temporal: d.temporal, fit: d.fit,
    spatial: { passes: d.timing.passes, tiles: d.timing.tiles, copies: d.timing.copies, activePes: d.timing.activePes },
    counts: {
      spadReads: sum('spadReads'), spadPsumAccesses: sum('spadPsumAccesses'), glbIfmapReads: sum('glbIfmapReads'), glbFilterReads: sum('glbFilterReads'),
      glbPsumReads: sum('glbPsumReads'), glbPsumWrites: sum('glbPsumWrites'), dramIfmapReads: sum('dramIfmapReads'), dramFilterReads: sum('dramFilterReads'),
      dramPsumReads: sum('dramPsumReads'), dramOfmapWrites: sum('dramOfmapWrites'),
    },
  };
}

export function vectorCost(op: VectorOp, hw: HwConfig, ctx: EnergyContext): VectorCost {
  const cycles = vectorCycles(op, hw.vectorUnit.lanes);
  const bits = PRECISION_BITS[op.op === 'update' ? hw.numerics.weight : hw.numerics.input];
  const e = priceActions(vectorActions(vectorAluOps(op), op.readElements, op.elements, bits, cycles), ctx.prices);
  return {
    name: op.layer, id: op.id, pass: op.pass, kind: 'vector', layerKind: op.layerKind, op: op.op, elements: op.elements,
    computeCycles: cycles, stallCycles: 0, totalCycles: cycles, estimated: true,
    energy: analyze(e, 0, 0, cycles / ctx.clockHz, ctx.table.unit),
  };
}
