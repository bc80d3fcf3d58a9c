/**
 * simulate: LayerGraph + HwConfig → CostReport, the one place the simulator stages are composed:
 *   lowerGraph (lower/) → per GEMM, timeGemm (timing/) → per vector op, elements ÷ lanes (estimate) → CostReport.
 * In `scalesim` compat mode only GEMMs are reported (SCALE-Sim has no vector unit), one entry per conv group.
 */
import { SimError } from '../errors.js';
import type { HwConfig } from '../arch/types.js';
import type { LayerGraph } from '../ir/types.js';
import { lowerGraph } from '../lower/lower.js';
import type { GemmOp, Mode, VectorOp } from '../lower/types.js';
import { type Compat, type GemmTiming, timeGemm } from '../timing/gemm-timing.js';
import type { CostReport, LayerCost, UtilizationLoss } from './cost-report.js';

export interface SimulateOptions {
  readonly mode: Mode;
  readonly compat: Compat;
  readonly batch?: number;
  readonly version: string;
}

function loss(macs: number, mapped: number, computeCycles: number, stallCycles: number, pes: number): UtilizationLoss {
  const all = (computeCycles + stallCycles) * pes;
  return {
    unmappedPes: (computeCycles * pes - mapped) / all,
    fillAndDrain: (mapped - macs) / all,
    stalls: (stallCycles * pes) / all,
  };
}

/** One entry for the GEMMs of a (layer, pass): the groups of a conv add up. */
function gemmEntry(ops: readonly GemmOp[], timings: readonly GemmTiming[], hw: HwConfig, compat: Compat): LayerCost {
  const pes = hw.array.rows * hw.array.cols;
  const first = ops[0];
  let macs = 0, computeCycles = 0, mappedPeCycles = 0, spatial = 0, folds = 0;
  for (const t of timings) {
    macs += t.macs;
    computeCycles += t.computeCycles;
    const f = t.rowFolds * t.colFolds;
    folds += f;
    spatial += t.spatialRows * t.spatialCols;
    // Mapped PE-cycles: the folds' mapped PEs add up to Sr·Sc, each held for a whole fold.
    mappedPeCycles += t.spatialRows * t.spatialCols * t.cyclesPerFold;
  }
  const stallCycles = 0;
  const totalCycles = computeCycles + stallCycles;
  const mappingEfficiency = spatial / (folds * pes);
  return {
    name: first.layer, id: ops.length > 1 ? first.id.replace(/\.g\d+$/, '') : first.id, pass: first.pass, kind: 'gemm',
    layerKind: first.layerKind, m: first.m, k: first.k, n: first.n, ...(first.groups > 1 ? { groups: ops.length } : {}),
    macs, rowFolds: timings[0].rowFolds, colFolds: timings[0].colFolds, computeCycles, stallCycles, totalCycles,
    mappingEfficiency,
    computeUtilization: compat === 'scalesim' && timings.length === 1 ? timings[0].computeUtilization : macs / (computeCycles * pes),
    overallUtilization: macs / (totalCycles * pes),
    ...(compat === 'none' ? { utilizationLoss: loss(macs, mappedPeCycles, computeCycles, stallCycles, pes) } : {}),
  };
}

function vectorEntry(op: VectorOp, hw: HwConfig): LayerCost {
  const cycles = Math.ceil(op.elements / hw.vectorUnit.lanes);
  return {
    name: op.layer, id: op.id, pass: op.pass, kind: 'vector', layerKind: op.layerKind, elements: op.elements, macs: 0,
    rowFolds: 0, colFolds: 0, computeCycles: cycles, stallCycles: 0, totalCycles: cycles,
    mappingEfficiency: 0, computeUtilization: 0, overallUtilization: 0, estimated: true,
  };
}

export function simulate(graph: LayerGraph, hw: HwConfig, options: SimulateOptions): CostReport {
  if (options.compat === 'scalesim' && hw.array.macPipelineCycles !== 1) {
    throw new SimError('must be 1 in --compat scalesim (SCALE-Sim assumes a single-cycle MAC)', {
      code: 'badValue', path: 'array.macPipelineCycles', value: hw.array.macPipelineCycles,
    });
  }
  const program = lowerGraph(graph, { mode: options.mode, batch: options.batch });
  const a = hw.array;
  const layers: LayerCost[] = [];
  const warnings: string[] = [];
  let skippedVector = 0;
  const ops = program.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.kind === 'vector') {
      if (options.compat === 'scalesim') skippedVector++;
      else layers.push(vectorEntry(op, hw));
      continue;
    }
    // Gather the consecutive group GEMMs of one (layer, pass); in compat mode each stays its own entry.
    const group: GemmOp[] = [op];
    while (options.compat === 'none' && i + 1 < ops.length) {
      const next = ops[i + 1];
      if (next.kind !== 'gemm' || next.layer !== op.layer || next.pass !== op.pass || next.groups === 1) break;
      group.push(next);
      i++;
    }
    const timings = group.map((g) => timeGemm(g.m, g.k, g.n, a, options.compat));
    layers.push(gemmEntry(group, timings, hw, options.compat));
  }
  if (hw.dram.bandwidthMode === 'user') {
    warnings.push(`the config asks for SCALE-Sim's USER bandwidth mode (${hw.dram.bytesPerCycle} bytes/cycle), but DRAM stalls are not modelled yet: stall cycles are 0, as in CALC mode`);
  }
  if (skippedVector > 0) {
    warnings.push(`${skippedVector} vector op(s) (activations, pooling, normalization…) are not in SCALE-Sim's model and are left out in --compat scalesim`);
  }
  let totalCycles = 0, computeCycles = 0, stallCycles = 0, gemmCycles = 0, vectorCycles = 0, macs = 0, spatialPeFolds = 0, mapped = 0;
  const pes = a.rows * a.cols;
  for (const l of layers) {
    totalCycles += l.totalCycles;
    computeCycles += l.computeCycles;
    stallCycles += l.stallCycles;
    macs += l.macs;
    if (l.kind === 'gemm') {
      gemmCycles += l.totalCycles;
      const folds = (l.groups ?? 1) * l.rowFolds * l.colFolds;
      spatialPeFolds += folds * pes;
      mapped += l.mappingEfficiency * folds * pes;
    } else vectorCycles += l.totalCycles;
  }
  return {
    schemaVersion: 1,
    tool: { name: 'systolab', version: options.version },
    model: graph.name, hw, mode: options.mode, compat: options.compat, layers,
    totals: {
      totalCycles, computeCycles, stallCycles, gemmCycles, vectorCycles, seconds: totalCycles / hw.clockHz, macs,
      mappingEfficiency: spatialPeFolds ? mapped / spatialPeFolds : 0,
      computeUtilization: gemmCycles ? macs / (gemmCycles * pes) : 0,
      overallUtilization: totalCycles ? macs / (totalCycles * pes) : 0,
    },
    warnings,
  };
}
