/**
 * A totals plan: what a run's totals need that does not depend on the SRAM sizes, the DRAM bandwidth and bandwidth
 * mode, or the clock — computed once per (graph, mode, array, dataflow, precision, …) and evaluated at many such
 * points by totals-at.ts (a sweep's hardware points differ mostly in those). In: a lowered program and one machine
 * (the reference point); out: plain data.
 *
 * What it holds, and why each piece is invariant (the formulas are entries.ts / totals.ts / energy/price.ts):
 *   - per GEMM shape (m, k, n and the operands' unique elements; repeated layers share one): its Mapping and compute
 *     cycles — mapGemm and timeMapping read the array only;
 *   - per report entry, in execution order: its compute cycles, MAC energy and register energy (MACs × the MAC price;
 *     register, inter-PE and vector-lane bits × their per-bit prices: the table and the operand widths only), a vector
 *     op's cycles and vector-unit energy; a GEMM entry's SRAM reads of the array (stationary loads included) are in
 *     the Mapping;
 *   - the run's MACs and mapping efficiency (folds and mapped PEs), and what training keeps for backprop.
 * Computed here by the full path's own functions (gemmCost, vectorCost, totals.ts mappingTotals) at the reference
 * point, so each invariant piece is the full path's number, bit for bit.
 */
import type { HwConfig } from '../arch/types.js';
import { PRECISION_BITS } from '../arch/types.js';
import type { GemmOp, LoweredProgram, Mode, Pass, VectorOp } from '../lower/types.js';
import { type Mapping, mapGemm } from '../map/mapping.js';
import { timeMapping } from '../timing/gemm-timing.js';
import { COST_MODELS } from './cost-model.js';
import type { LayerCost, SpillStallCycles } from './cost-report.js';
import { type EnergyContext, type Machine, energyContext } from './energy-context.js';
import { gemmCost, vectorCost } from './entries.js';
import { entryGroups } from './pipeline.js';
import { SPILL_WINDOWS, mappingTotals } from './totals.js';
import { trainingMemory } from './training-memory.js';

/** One GEMM shape of the program: what the memory model reads (gemm-memory.ts `gemmMemory`). */
export interface PlanShape {
  readonly op: Pick<GemmOp, 'm' | 'k' | 'n' | 'operands'>;
  readonly mapping: Mapping;
  readonly computeCycles: number;
}

export interface PlanGemmEntry {
  readonly kind: 'gemm';
  /** The training spill's window the entry's pass is in (run/totals.ts SPILL_WINDOWS), if any. */
  readonly window: SpillWindow | undefined;
  /** Indices into `shapes`, one per GEMM of the entry (a conv's groups). */
  readonly shapes: readonly number[];
  readonly computeCycles: number;
  /** Energy of the MACs, and of register reads, writes and inter-PE moves (energy/price.ts `byComponent`). */
  readonly macEnergy: number;
  readonly registerEnergy: number;
}

export interface PlanVectorEntry {
  readonly kind: 'vector';
  readonly window: SpillWindow | undefined;
  readonly cycles: number;
  readonly vectorUnitEnergy: number;
}

export type PlanEntry = PlanGemmEntry | PlanVectorEntry;

export interface TotalsPlan {
  /** The reference point's hardware: a point differs from it in SRAM sizes, DRAM bandwidth and mode, clock only. */
  readonly hw: HwConfig;
  readonly machine: Machine;
  readonly mode: Mode;
  readonly shapes: readonly PlanShape[];
  readonly entries: readonly PlanEntry[];
  readonly macs: number;
  readonly mappingEfficiency: number;
  /** Training: activation and optimizer-state bytes a step keeps (the spill depends on the SRAM sizes). */
  readonly keptBytes: undefined | { readonly activationBytes: number; readonly optimizerStateBytes: number };
}

export type SpillWindow = keyof SpillStallCycles;
const windowOf = (pass: Pass): SpillWindow | undefined => (Object.keys(SPILL_WINDOWS) as SpillWindow[]).find((k) => SPILL_WINDOWS[k].includes(pass));

/**
 * Vector entries already made, per op: a vector op's entry reads the vector unit's lanes, its operand width and three
 * unit prices only (run/entries.ts vectorCost: vectorCycles; energy/price.ts priceActions' vectorUnit), so plans that
 * agree on those (a sweep's array shapes and dataflows) share it. Give planTotals one per sweep.
 */
export class VectorEntries {
  private readonly made = new WeakMap<VectorOp, Map<string, PlanVectorEntry>>();

  entry(op: VectorOp, hw: HwConfig, ctx: EnergyContext): PlanVectorEntry {
    const p = ctx.prices;
    const key = `${hw.vectorUnit.lanes}/${PRECISION_BITS[op.op === 'update' ? hw.numerics.weight : hw.numerics.input]}/${p.vectorOp}/${p.registerReadPerBit}/${p.registerWritePerBit}`;
    let byKey = this.made.get(op);
    if (!byKey) this.made.set(op, (byKey = new Map()));
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = vectorEntry(op, hw, ctx)));
    return e;
  }
}

function vectorEntry(op: VectorOp, hw: HwConfig, ctx: EnergyContext): PlanVectorEntry {
  const v = vectorCost(op, hw, ctx);
  return { kind: 'vector', window: windowOf(v.pass), cycles: v.totalCycles, vectorUnitEnergy: v.energy.byComponent.vectorUnit };
}

const shapeKey = (op: GemmOp): string => `${op.m},${op.k},${op.n},${op.operands.a.uniqueElements},${op.operands.b.uniqueElements},${op.operands.c.uniqueElements}`;

/**
 * The plan of `program` (lowered for `mode`) on the machine's array; the default cost model (`--compat none`) only.
 * `vectors`: vector entries shared with other plans of the same program (by default, none).
 */
export function planTotals(program: LoweredProgram, machine: Machine, mode: Mode, vectors: VectorEntries = new VectorEntries()): TotalsPlan {
  const { hw } = machine;
  const model = COST_MODELS.none;
  const ctx = energyContext(machine);
  const shapes: PlanShape[] = [];
  const shapeIndex = new Map<string, number>();
  const shapeOf = (op: GemmOp): number => {
    const key = shapeKey(op);
    let i = shapeIndex.get(key);
    if (i === undefined) {
      const mapping = mapGemm(op.m, op.k, op.n, hw.array);
      shapeIndex.set(key, (i = shapes.length));
      shapes.push({ op: { m: op.m, k: op.k, n: op.n, operands: op.operands }, mapping, computeCycles: timeMapping(mapping, hw.array).computeCycles });
    }
    return i;
  };
  const layers: LayerCost[] = []; // the GEMM entries (the run's MACs and mapping efficiency are theirs)
  const entries: PlanEntry[] = [];
  for (const ops of entryGroups(program.ops, model)) {
    if (ops[0].kind === 'vector') {
      entries.push(vectors.entry(ops[0], hw, ctx));
      continue;
    }
    const gemms = ops as GemmOp[];
    const g = gemmCost(gemms, gemms.map((op) => model.traceGemm(op, mapGemm(op.m, op.k, op.n, hw.array), hw)), hw, model, ctx);
    layers.push(g);
    entries.push({
      kind: 'gemm', window: windowOf(g.pass), shapes: gemms.map(shapeOf), computeCycles: g.computeCycles,
      macEnergy: g.energy.byComponent.mac, registerEnergy: g.energy.byComponent.registers,
    });
  }
  const kept = mode === 'training' ? trainingMemory(program.ops, hw) : undefined;
  const totals = mappingTotals(layers, ctx.pes);
  return {
    hw, machine, mode, shapes, entries, macs: totals.macs, mappingEfficiency: totals.mappingEfficiency,
    keptBytes: kept && { activationBytes: kept.activationBytes, optimizerStateBytes: kept.optimizerStateBytes },
  };
}
