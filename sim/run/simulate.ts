/**
 * simulate: LayerGraph + HwConfig → CostReport, the one place the simulator stages are composed:
 *   lowerGraph (lower/) → per GEMM, timeGemm (timing/) → per vector op, elements ÷ lanes (estimate) → CostReport.
 * In `scalesim` compat mode only GEMMs are reported (SCALE-Sim has no vector unit), one entry per conv group.
 */
import { SimError } from '../base/errors.js';
import type { HwConfig } from '../arch/types.js';
import type { LayerGraph } from '../ir/types.js';
import { lowerGraph } from '../lower/lower.js';
import type { GemmOp, LoweredProgram, Mode, VectorOp } from '../lower/types.js';
import { type Compat, type GemmTiming, timeGemm } from '../timing/gemm-timing.js';
import type { CostReport, LayerCost, MemoryCounts, TrainingMemory, UtilizationLoss } from './cost-report.js';
import { PRECISION_BITS } from '../arch/types.js';
import { HW_DEFAULTS } from '../load/hw.js';
import { relative } from 'node:path';
import { packageRoot } from '../base/package-root.js';
import { loweringShapes } from '../lower/lower.js';
import { exact, gemmMemory } from '../timing/gemm-memory.js';
import { scalesimCalcOfmap, scalesimCalcReads, scalesimSramCounts, scalesimUser } from '../compat/scalesim/memory.js';
import type { ConvGeometry } from '../compat/scalesim/streams.js';
import { vectorAluOps, vectorCycles } from '../timing/vector-timing.js';
import { type ActionCounts, gemmActions, vectorActions } from '../energy/actions.js';
import { analyze, energyFloor, roofline } from '../energy/analysis.js';
import { type Flavour, type PricedEnergy, type UnitPrices, areaOf, priceActions, unitPrices } from '../energy/price.js';
import { type EnergyTable, loadEnergyTable } from '../energy/table.js';
import type { Pass } from '../lower/types.js';
import type { PassTotals, TotalUtilizationLoss } from './cost-report.js';

export interface SimulateOptions {
  readonly mode: Mode;
  readonly compat: Compat;
  readonly batch?: number;
  readonly version: string;
  /** The graph already lowered for this mode and batch (`lowerGraph`), reused across calls, e.g. by sweeps. */
  readonly program?: LoweredProgram;
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
interface OpMemory {
  readonly sram: MemoryCounts; readonly dram: MemoryCounts; readonly dramReadBytes: number; readonly dramWriteBytes: number;
  readonly bandwidthBytesPerCycle: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  readonly stallCycles: number;
}

function addCounts(a: MemoryCounts | undefined, b: MemoryCounts): MemoryCounts {
  if (!a) return b;
  const out: Record<string, number> = {};
  for (const key of Object.keys(b) as (keyof MemoryCounts)[]) out[key] = exact((a[key] ?? 0) + (b[key] ?? 0), `sram/dram.${key}`);
  return out as unknown as MemoryCounts;
}

/** Default mode: the closed-form model (memory/gemm-memory.ts). Compat: SCALE-Sim's counts (memory/scalesim.ts). */
function opMemory(op: GemmOp, t: GemmTiming, hw: HwConfig, compat: Compat, geom: ConvGeometry | undefined): OpMemory {
  if (compat === 'none') return gemmMemory(op, hw, t.computeCycles);
  const { rows, cols, dataflow: df } = hw.array;
  const shape = { m: op.m, k: op.k, n: op.n };
  const words = { ifmap: hw.sram.ifmapKib * 1024, filter: hw.sram.filterKib * 1024, ofmap: hw.sram.ofmapKib * 1024 };
  const sram = scalesimSramCounts(shape, df, rows, cols);
  if (hw.dram.bandwidthMode === 'user') {
    const u = scalesimUser(shape, df, rows, cols, words, hw.dram.bytesPerCycle, geom);
    // Ofmap DRAM writes through SCALE-Sim's write buffer (lines of `bw` words, short lines counted as full).
    const ofmapWrites = u.ofmapWrites ?? sram.ofmapWrites;
    const elapsed = t.computeCycles + u.stallCycles;
    return {
      sram, dram: { ifmapReads: u.ifmapReads, filterReads: u.filterReads, ofmapWrites }, dramReadBytes: u.ifmapReads + u.filterReads,
      dramWriteBytes: ofmapWrites, stallCycles: u.stallCycles,
      bandwidthBytesPerCycle: { ifmap: u.ifmapReads / elapsed, filter: u.filterReads / elapsed, ofmap: ofmapWrites / elapsed },
    };
  }
  const c = scalesimCalcReads(shape, df, rows, cols, words, geom);
  // CALC mode: the ofmap drains at cols words/cycle through the same write buffer, which fixes its write count.
  const ofmapWrites = scalesimCalcOfmap(shape, df, rows, cols, words.ofmap, geom).writes;
  return {
    sram, dram: { ifmapReads: c.ifmap.reads, filterReads: c.filter.reads, ofmapWrites }, dramReadBytes: c.ifmap.reads + c.filter.reads,
    dramWriteBytes: ofmapWrites, stallCycles: 0,
    bandwidthBytesPerCycle: { ifmap: c.ifmap.wordsPerCycle, filter: c.filter.wordsPerCycle, ofmap: ofmapWrites / Math.max(1, t.computeCycles) },
  };
}

/** A report entry before pricing (energy and roofline are added by `priced`). */
type Bare = Omit<LayerCost, 'energy' | 'energyPj' | 'energyNormalized' | 'roofline'>;

function gemmEntry(ops: readonly GemmOp[], timings: readonly GemmTiming[], hw: HwConfig, compat: Compat, mems: readonly OpMemory[]): Bare {
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
  let stallCycles = 0, sram: MemoryCounts | undefined, dram: MemoryCounts | undefined, dramReadBytes = 0, dramWriteBytes = 0;
  const bw = { ifmap: 0, filter: 0, ofmap: 0 };
  for (const mem of mems) {
    stallCycles += mem.stallCycles;
    sram = addCounts(sram, mem.sram);
    dram = addCounts(dram, mem.dram);
    dramReadBytes += mem.dramReadBytes;
    dramWriteBytes += mem.dramWriteBytes;
    bw.ifmap = Math.max(bw.ifmap, mem.bandwidthBytesPerCycle.ifmap);
    bw.filter = Math.max(bw.filter, mem.bandwidthBytesPerCycle.filter);
    bw.ofmap = Math.max(bw.ofmap, mem.bandwidthBytesPerCycle.ofmap);
  }
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
    ...(sram && dram ? { sram, dram, dramReadBytes, dramWriteBytes, bandwidthBytesPerCycle: bw } : {}),
  };
}

function vectorEntry(op: VectorOp, hw: HwConfig): Bare {
  const cycles = vectorCycles(op, hw.vectorUnit.lanes);
  return {
    name: op.layer, id: op.id, pass: op.pass, kind: 'vector', layerKind: op.layerKind, elements: op.elements, macs: 0,
    rowFolds: 0, colFolds: 0, computeCycles: cycles, stallCycles: 0, totalCycles: cycles,
    mappingEfficiency: 0, computeUtilization: 0, overallUtilization: 0, estimated: true,
  };
}

const ZERO_COUNTS = { ifmapReads: 0, filterReads: 0, ofmapWrites: 0 };

/** Energy pricing for one config: the table (cached by path), the unit prices, the operand widths. */
interface EnergyContext {
  readonly table: EnergyTable; readonly flavour: Flavour; readonly prices: UnitPrices;
  readonly inBits: number; readonly wBits: number;
  readonly widths: { readonly inputBits: number; readonly weightBits: number; readonly accumulatorBits: number };
  readonly pes: number; readonly bytesPerCycle: number; readonly clockHz: number;
}
function energyContext(hw: HwConfig): EnergyContext {
  const table = loadEnergyTable(hw.energy?.table ?? HW_DEFAULTS.energyTable);
  const flavour = hw.energy?.leakage ?? HW_DEFAULTS.leakage;
  const inBits = PRECISION_BITS[hw.numerics.input], wBits = PRECISION_BITS[hw.numerics.weight];
  return {
    table, flavour, prices: unitPrices(table, hw, flavour), inBits, wBits,
    widths: { inputBits: inBits, weightBits: wBits, accumulatorBits: hw.numerics.accumulatorBits },
    pes: hw.array.rows * hw.array.cols, bytesPerCycle: hw.dram.bytesPerCycle, clockHz: hw.clockHz,
  };
}

/** Key of the energy total: `energyPj`, or `energyNormalized` with a normalized table. */
const energyKey = (ctx: EnergyContext) => (ctx.table.unit === 'pJ' ? 'energyPj' : 'energyNormalized');

function priced(bare: Bare, actions: ActionCounts, floor: number, ctx: EnergyContext): LayerCost {
  const e = priceActions(actions, ctx.prices);
  const energy = analyze(e, bare.macs, floor, bare.totalCycles / ctx.clockHz, ctx.table.unit);
  // Literal keys, not a computed one: a computed key leaves the object in dictionary mode, and every later read of
  // a layer's fields (totals, tables, sweeps) pays for it.
  const roof = bare.kind === 'gemm'
    ? roofline(bare.macs, (bare.dramReadBytes ?? 0) + (bare.dramWriteBytes ?? 0), bare.totalCycles, ctx.pes, ctx.bytesPerCycle)
    : undefined;
  // Fields are added in place (the entry is new and ours): copying ~20 fields of 175–600 entries per point was a
  // third of a sweep point's time.
  const entry = bare as Bare & { energyPj?: number; energyNormalized?: number; energy?: typeof energy; roofline?: typeof roof };
  if (ctx.table.unit === 'pJ') entry.energyPj = e.total;
  else entry.energyNormalized = e.total;
  entry.energy = energy;
  if (roof) entry.roofline = roof;
  return entry as LayerCost;
}

function sumPriced(layers: readonly LayerCost[], extraDram: number): PricedEnergy {
  const c = { mac: 0, registers: 0, sramIfmap: 0, sramFilter: 0, sramOfmap: 0, dram: extraDram, vectorUnit: 0, leakage: 0 };
  const o = { ifmap: extraDram, filter: 0, ofmap: 0 };
  let total = extraDram;
  for (const l of layers) {
    const b = l.energy.byComponent;
    c.mac += b.mac; c.registers += b.registers; c.sramIfmap += b.sramIfmap; c.sramFilter += b.sramFilter; c.sramOfmap += b.sramOfmap;
    c.dram += b.dram; c.vectorUnit += b.vectorUnit; c.leakage += b.leakage;
    o.ifmap += l.energy.byOperand.ifmap; o.filter += l.energy.byOperand.filter; o.ofmap += l.energy.byOperand.ofmap;
    total += l.energy.total;
  }
  return { total, byComponent: c, byOperand: o };
}

export function simulate(graph: LayerGraph, hw: HwConfig, options: SimulateOptions): CostReport {
  if (options.compat === 'scalesim' && hw.array.macPipelineCycles !== 1) {
    throw new SimError('must be 1 in --compat scalesim (SCALE-Sim assumes a single-cycle MAC)', {
      code: 'badValue', path: 'array.macPipelineCycles', value: hw.array.macPipelineCycles,
    });
  }
  const program = options.program ?? lowerGraph(graph, { mode: options.mode, batch: options.batch });
  const a = hw.array;
  const layers: LayerCost[] = [];
  const ctx = energyContext(hw);
  const warnings: string[] = [];
  let skippedVector = 0;
  const ops = program.ops;
  const shapes = options.compat === 'scalesim' ? loweringShapes(graph, options.batch) : graph.shapes;
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  /** SCALE-Sim's address layout needs the conv behind a forward GEMM; other GEMMs use a plain row-major layout. */
  const geometryOf = (g: GemmOp): ConvGeometry | undefined => {
    const node = byName.get(g.layer);
    if (!node || node.kind !== 'conv2d' || g.pass !== 'forward' || node.padding.some((p) => p !== 0)) return undefined;
    const x = shapes[node.inputs[0]], y = shapes[node.name];
    if (!x || !y || x[0] !== 1 || node.stride[0] !== node.stride[1] || node.dilation.some((d) => d !== 1)) return undefined;
    return { h: x[2], w: x[3], c: x[1] / node.groups, r: node.kernel[0], s: node.kernel[1], stride: node.stride[0], q: y[3] };
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.kind === 'vector') {
      if (options.compat === 'scalesim') skippedVector++;
      else {
        const bare = vectorEntry(op, hw);
        const bits = PRECISION_BITS[op.op === 'update' ? hw.numerics.weight : hw.numerics.input];
        layers.push(priced(bare, vectorActions(vectorAluOps(op), op.readElements, op.elements, bits, bare.totalCycles), 0, ctx));
      }
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
    const mems = group.map((g, j) => opMemory(g, timings[j], hw, options.compat, options.compat === 'scalesim' ? geometryOf(g) : undefined));
    const bare = gemmEntry(group, timings, hw, options.compat, mems);
    let outputs = 0, compulsoryBits = 0;
    for (const g of group) {
      outputs += g.m * g.n;
      compulsoryBits += (g.operands.a.uniqueElements + g.operands.c.uniqueElements) * ctx.inBits + g.operands.b.uniqueElements * ctx.wBits;
    }
    const actions = gemmActions({
      macs: bare.macs, outputs, totalCycles: bare.totalCycles, sram: bare.sram ?? ZERO_COUNTS, dram: bare.dram ?? ZERO_COUNTS,
      dramWriteBytes: bare.dramWriteBytes ?? 0,
    }, a.dataflow, ctx.widths);
    layers.push(priced(bare, actions, energyFloor(bare.macs, compulsoryBits, ctx.prices), ctx));
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
  const zero = { ifmapReads: 0, ifmapWrites: 0, filterReads: 0, filterWrites: 0, ofmapReads: 0, ofmapWrites: 0 };
  let sramT: MemoryCounts = zero, dramT: MemoryCounts = zero, dramReadBytes = 0, dramWriteBytes = 0;
  for (const l of layers) {
    if (l.sram) sramT = addCounts(sramT, l.sram);
    if (l.dram) dramT = addCounts(dramT, l.dram);
    dramReadBytes += l.dramReadBytes ?? 0;
    dramWriteBytes += l.dramWriteBytes ?? 0;
  }
  const training = options.mode === 'training' && options.compat === 'none' ? trainingMemory(ops, hw) : undefined;
  if (training && training.spillBytes > 0) {
    dramReadBytes += training.spillBytes;
    dramWriteBytes += training.spillBytes;
    warnings.push(`training keeps ${training.activationBytes + training.optimizerStateBytes} bytes of activations and optimizer state, more than the ${training.onChipBytes} bytes of SRAM: ${training.spillBytes} bytes spill to DRAM and back`);
  }
  // Energy, area and the analysis over the whole run (sim/energy/). A training spill is DRAM traffic of activations.
  const spillEnergy = training ? training.spillDramBytes * 8 * ctx.prices.dramPerBit : 0;
  const sum = sumPriced(layers, spillEnergy);
  let floor = 0;
  for (const l of layers) floor += l.energy.floor;
  const energy = analyze(sum, macs, floor, totalCycles / hw.clockHz, ctx.table.unit);
  const area = areaOf(ctx.table, hw, ctx.flavour);
  warnings.push(...ctx.prices.notes, ...area.notes);
  let utilizationLoss: TotalUtilizationLoss | undefined;
  if (options.compat === 'none' && totalCycles > 0) {
    let unmappedPes = 0, fillAndDrain = 0, stalls = 0;
    for (const l of layers) {
      const u = l.utilizationLoss;
      if (!u) continue;
      const w = l.totalCycles / totalCycles;
      unmappedPes += u.unmappedPes * w; fillAndDrain += u.fillAndDrain * w; stalls += u.stalls * w;
    }
    utilizationLoss = { unmappedPes, fillAndDrain, stalls, vectorUnit: vectorCycles / totalCycles };
  }
  let byPass: Partial<Record<Pass, PassTotals>> | undefined;
  if (options.mode === 'training') {
    const acc: Partial<Record<Pass, { totalCycles: number; macs: number; energy: number }>> = {};
    for (const l of layers) {
      const t = (acc[l.pass] ??= { totalCycles: 0, macs: 0, energy: 0 });
      t.totalCycles += l.totalCycles; t.macs += l.macs; t.energy += l.energy.total;
    }
    byPass = acc;
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
      sram: sramT as Required<MemoryCounts>, dram: dramT as Required<MemoryCounts>,
      dramReadBytes: exact(dramReadBytes, 'totals.dramReadBytes'), dramWriteBytes: exact(dramWriteBytes, 'totals.dramWriteBytes'),
      [energyKey(ctx)]: sum.total, energy,
      ...(ctx.table.unit === 'pJ' ? { edpJs: sum.total * 1e-12 * (totalCycles / hw.clockHz) } : {}),
      areaMm2: area.total, areaMm2ByComponent: area.byComponent,
      roofline: roofline(macs, dramReadBytes + dramWriteBytes, totalCycles, pes, hw.dram.bytesPerCycle),
      ...(utilizationLoss ? { utilizationLoss } : {}),
      ...(byPass ? { byPass } : {}),
    },
    energyTable: { name: ctx.table.name, file: ctx.table.file.startsWith(packageRoot()) ? relative(packageRoot(), ctx.table.file) : ctx.table.file, unit: ctx.table.unit, leakage: ctx.flavour },
    ...(training ? { training } : {}),
    warnings,
  };
}

/**
 * Training memory: the forward outputs a step keeps for backprop (every forward op's result, at the activation width)
 * and the optimizer state (what each update reads beyond W and dW), against the total SRAM. The excess is written to
 * DRAM in the forward pass and read back in the backward pass.
 */
function trainingMemory(ops: readonly (GemmOp | VectorOp)[], hw: HwConfig): TrainingMemory {
  const inBytes = PRECISION_BITS[hw.numerics.input] / 8, wBytes = PRECISION_BITS[hw.numerics.weight] / 8;
  let activations = 0, state = 0;
  for (const op of ops) {
    if (op.pass === 'forward') activations += op.kind === 'gemm' ? op.operands.c.uniqueElements : op.elements;
    if (op.kind === 'vector' && op.op === 'update') state += op.readElements - 2 * op.elements;
  }
  const activationBytes = exact(activations * inBytes, 'training.activationBytes');
  const optimizerStateBytes = exact(state * wBytes, 'training.optimizerStateBytes');
  const onChipBytes = (hw.sram.ifmapKib + hw.sram.filterKib + hw.sram.ofmapKib) * 1024;
  const spillBytes = Math.max(0, activationBytes + optimizerStateBytes - onChipBytes);
  return { activationBytes, optimizerStateBytes, onChipBytes, spillBytes, spillDramBytes: 2 * spillBytes };
}
