/**
 * The default cost model of one GEMM op on a row-stationary array: the op as a convolution (map/rs-layer.ts), a
 * temporal mapping (fixed or given), the fast model (timing/row-stationary.ts) → an OpTrace like the GEMM
 * dataflows' (timing/trace-gemm.ts), so run/ prices and sums it the same way. The SRAM levels are the global
 * buffer's three partitions (sram.ifmapKib, filterKib, ofmapKib: ifmap, filters, partial sums; halved when double
 * buffered, the other half prefetching); DRAM stalls follow the same rule as the GEMM model (dramStallCycles).
 */
import { type HwConfig, PRECISION_BITS, RS_DEFAULT_SPAD } from '../arch/types.js';
import { bytes, cycles } from '../base/units.js';
import type { GemmOp } from '../lower/types.js';
import { type RsCapacities, type RsFit, type RsLayer, type RsTemporal, rsFit, rsFixedTemporal, rsIfmapRows } from '../map/row-stationary.js';
import { rsLayerOfOp } from '../map/rs-layer.js';
import { dramStallCycles, exact, packedBytes } from './gemm-memory.js';
import type { OpTrace } from './op-trace.js';
import { type RsTiming, rsTiming } from './row-stationary.js';

/** What the RS cost model adds to an OpTrace: the layer as RS saw it, its mapping, the fast model's figures. */
export interface RsTraceDetail {
  readonly layer: RsLayer;
  readonly temporal: RsTemporal;
  readonly fit: RsFit;
  readonly timing: RsTiming;
}

export function rsCapacities(hw: Pick<HwConfig, 'array' | 'sram' | 'numerics'>): RsCapacities {
  const share = hw.sram.doubleBuffered ? 0.5 : 1;
  const cap = (kib: number, bits: number) => Math.floor((kib * 1024 * 8 * share) / bits);
  const inBits = PRECISION_BITS[hw.numerics.input], wBits = PRECISION_BITS[hw.numerics.weight], accBits = hw.numerics.accumulatorBits;
  return {
    spad: hw.array.spad ?? RS_DEFAULT_SPAD,
    glb: { ifmapWords: cap(hw.sram.ifmapKib, inBits), filterWords: cap(hw.sram.filterKib, wBits), psumWords: cap(hw.sram.ofmapKib, accBits) },
  };
}

/** The RS trace of `op` under `temporal` (absent: rsFixedTemporal). */
export function traceRs(op: Pick<GemmOp, 'm' | 'k' | 'n' | 'pass' | 'conv'>, hw: HwConfig, temporal?: RsTemporal): OpTrace & { readonly rs: RsTraceDetail } {
  const layer = rsLayerOfOp(op);
  const cap = rsCapacities(hw);
  const t = temporal ?? rsFixedTemporal(layer, cap, hw.array);
  const rt = rsTiming(layer, t, hw.array);
  const inBits = PRECISION_BITS[hw.numerics.input], wBits = PRECISION_BITS[hw.numerics.weight], accBits = hw.numerics.accumulatorBits;
  const outputs = layer.n * layer.m * layer.e * layer.f;
  const spills = rt.dramOfmapWrites - outputs;
  const ifmapBytes = packedBytes(rt.dramIfmapReads, inBits), filterBytes = packedBytes(rt.dramFilterReads, wBits), psumBytes = packedBytes(rt.dramPsumReads, accBits);
  const writeBytes = packedBytes(outputs, inBits) + packedBytes(spills, accBits);
  const dramReadBytes = exact(ifmapBytes + filterBytes + psumBytes, 'dramReadBytes'), dramWriteBytes = exact(writeBytes, 'dramWriteBytes');
  const computeCycles = cycles(rt.cycles);
  // Exposed when not hidden by double buffering: the first tile's ifmap and filters, the last tile's ofmap.
  const firstFillBytes = Math.min(dramReadBytes, packedBytes(t.glbN * t.glbC * rsIfmapRows(layer, 0, t.glbE) * layer.ifmapRowWords, inBits) + packedBytes(t.glbM * t.glbC * layer.r * layer.s, wBits));
  const lastDrainBytes = Math.min(dramWriteBytes, packedBytes(t.glbN * t.glbM * t.glbE * layer.f, inBits));
  const stallCycles = dramStallCycles(hw, computeCycles, { dramReadBytes, dramWriteBytes, firstFillBytes, lastDrainBytes });
  const per = (b: number) => (computeCycles > 0 ? b / computeCycles : 0);
  const pes = hw.array.rows * hw.array.cols;
  return {
    timing: {
      macs: rt.macs, spatialRows: rt.activePes, spatialCols: 1, temporal: layer.f * layer.s,
      rowFolds: rt.passes, colFolds: 1, cyclesPerFold: cycles(rt.cycles / rt.passes), computeCycles,
      mappingEfficiency: rt.mappedPeCycles / (rt.cycles * pes), computeUtilization: rt.macs / (rt.cycles * pes), mappedPeCycles: rt.mappedPeCycles,
    },
    sramWords: {
      ifmapReads: exact(rt.glbIfmapReads, 'glb.ifmapReads'), ifmapWrites: exact(rt.dramIfmapReads, 'glb.ifmapWrites'),
      filterReads: exact(rt.glbFilterReads, 'glb.filterReads'), filterWrites: exact(rt.dramFilterReads, 'glb.filterWrites'),
      ofmapReads: exact(rt.glbPsumReads + rt.dramOfmapWrites, 'glb.psumReads'), ofmapWrites: exact(rt.glbPsumWrites + rt.dramPsumReads, 'glb.psumWrites'),
    },
    dramWords: { ifmapReads: rt.dramIfmapReads, filterReads: rt.dramFilterReads, ofmapReads: rt.dramPsumReads, ofmapWrites: rt.dramOfmapWrites },
    dramReadBytes: bytes(dramReadBytes), dramWriteBytes: bytes(dramWriteBytes), stallCycles: cycles(stallCycles),
    bandwidth: { ifmap: per(ifmapBytes), filter: per(filterBytes), ofmap: per(writeBytes + psumBytes) }, bandwidthUnit: 'bytesPerCycle',
    rs: { layer, temporal: t, fit: rsFit(layer, t, cap), timing: rt },
  };
}
