/**
 * The cost models a simulation can use, as one strategy per `--compat` value: how a GEMM is traced (timing, memory,
 * stalls), what the model covers (vector ops, the utilization-loss breakdown, training memory) and what it requires
 * of the hardware. run/pipeline.ts asks these questions instead of branching on the compat name.
 */
import type { HwConfig } from '../arch/types.js';
import { SimError } from '../base/errors.js';
import { scalesimTrace } from '../compat/scalesim/trace.js';
import type { GemmOp } from '../lower/types.js';
import type { Mapping } from '../map/mapping.js';
import type { ScalesimReportRow } from '../compat/scalesim/report-row.js';
import type { OpTrace } from '../timing/op-trace.js';
import { traceGemm } from '../timing/trace-gemm.js';
import { gemmDataflowOf } from '../map/dataflow.js';

export const COMPATS = ['none', 'scalesim'] as const;
export type Compat = (typeof COMPATS)[number];

/** What a cost model returns for one GEMM: an OpTrace, plus SCALE-Sim's report row in `--compat scalesim`. */
export interface ModelTrace extends OpTrace { readonly scalesim?: ScalesimReportRow }

export interface CostModel {
  /** Throws a SimError when the hardware is outside what the model describes. */
  readonly check: (hw: HwConfig) => void;
  readonly traceGemm: (op: GemmOp, mp: Mapping, hw: HwConfig) => ModelTrace;
  /** Vector ops (activations, pooling, updates) are costed; otherwise left out with a warning. */
  readonly vectorOps: boolean;
  /** The GEMMs of a conv's groups are one entry; otherwise one entry per group (as SCALE-Sim lists depthwise layers). */
  readonly mergeConvGroups: boolean;
  /** Entries and totals say why utilization is lost (unmapped PEs, fill and drain, stalls, the vector unit). */
  readonly utilizationLoss: boolean;
  /** Training keeps activations and optimizer state on chip or spills them (TrainingMemory). */
  readonly trainingMemory: boolean;
  /**
   * USER mode charges every DRAM byte bytesPerCycle time, so no run beats the roofline (run/totals.ts checkRoofline).
   * SCALE-Sim's USER mode stalls only on late prefetches and full write buffers, so its figures can sit above it.
   */
  readonly enforcesBandwidth: boolean;
}

function wholeAtLeastOne(v: number, path: string, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new SimError(`must be ${what} in --compat scalesim`, { code: 'badValue', path, value: v });
}

export const COST_MODELS: Readonly<Record<Compat, CostModel>> = {
  none: { check: () => {}, traceGemm, vectorOps: true, mergeConvGroups: true, utilizationLoss: true, trainingMemory: true, enforcesBandwidth: true },
  scalesim: {
    check: (hw) => {
      gemmDataflowOf(hw.array.dataflow, '--compat scalesim (SCALE-Sim models os, ws and is)', 'array.dataflow');
      if (hw.array.macPipelineCycles !== 1) {
        throw new SimError('must be 1 in --compat scalesim (SCALE-Sim assumes a single-cycle MAC)', {
          code: 'badValue', path: 'array.macPipelineCycles', value: hw.array.macPipelineCycles,
        });
      }
      // SCALE-Sim's .cfg has whole kB and whole words per cycle; below them its buffer model has no defined result
      // (a buffer under one KiB gave infinite bandwidths or did not finish: docs/limits.md, "--compat scalesim").
      for (const key of ['ifmapKib', 'filterKib', 'ofmapKib'] as const) wholeAtLeastOne(hw.sram[key], `sram.${key}`, 'a whole number of KiB ≥ 1, as SCALE-Sim\'s *SramSzkB');
      if (hw.dram.bandwidthMode === 'user') wholeAtLeastOne(hw.dram.bytesPerCycle, 'dram.bytesPerCycle', 'a whole number ≥ 1, as SCALE-Sim\'s Bandwidth');
    },
    traceGemm: scalesimTrace, vectorOps: false, mergeConvGroups: false, utilizationLoss: false, trainingMemory: false, enforcesBandwidth: false,
  },
};
