/**
 * `simulate` as a library call: the request names what the CLI's flags name (model, hw, array, dataflow, …) with the
 * same defaults, and the result is the CostReport `systolab simulate --format json` prints. Also `--trace`.
 */
import { SimError } from '../base/errors.js';
import { packageVersion } from '../base/package-root.js';
import { HW_FLAGS, type HwOverrides, MEMORY_FLAGS } from '../arch/flags.js';
import { withOverrides } from '../arch/parse.js';
import type { HwConfig } from '../arch/types.js';
import { loadHwConfig, resolveMachine } from '../load/hw.js';
import { withSynthesizedPe } from '../eda/pe-area.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import type { Mode } from '../lower/types.js';
import type { Compat } from '../run/cost-model.js';
import { type CostReport, MAPPER_OBJECTIVES, type MapperObjective } from '../run/cost-report.js';
import { simulateGraph } from '../run/pipeline.js';
import { type TraceRun, parseGemmSpec, runTrace, traceJson } from '../run/trace.js';

/** The model `simulate` runs when none is named: SCALE-Sim's own ResNet-18 topology. */
export const DEFAULT_SIM_MODEL = 'scalesim-resnet18';
/** The hardware preset when none is named: SCALE-Sim v2's default configuration. */
export const DEFAULT_HW = 'scalesim-32x32';

/**
 * The hardware: a preset or file, and the hardware flags (arch/flags.ts `HW_FLAGS`: array, dataflow, precision,
 * SRAM sizes, DRAM bandwidth and mode, clock) plus the MAC pipeline depth, each overriding the config.
 */
export interface HwRequest extends HwOverrides {
  /** A preset name (hw-configs/NAME.yaml), a YAML/JSON file or a SCALE-Sim .cfg [default: scalesim-32x32]. */
  readonly hw?: string;
}

export interface SimulateRequest extends HwRequest {
  /** A built-in name (`resnet50:batch=8`), a model file (YAML/JSON, ONNX, SCALE-Sim .csv) [default: DEFAULT_SIM_MODEL]. */
  readonly model?: string;
  readonly mode?: Mode;
  readonly batch?: number;
  readonly compat?: Compat;
  /** fixed: column folds outer [default]; search: per entry, the fold loop order with the least `objective`. */
  readonly mapper?: 'fixed' | 'search';
  /** What `mapper: search` minimizes [default edp]. */
  readonly objective?: MapperObjective;
}

/** The request's hardware: the preset or file, with the hardware flags applied. */
export function requestedHw(r: HwRequest): HwConfig {
  return withOverrides(loadHwConfig(r.hw ?? DEFAULT_HW), r);
}

/**
 * Why a memory flag moves no cycle: in CALC mode the DRAM bandwidth is whatever the array needs, so SRAM sizes and
 * the bandwidth change traffic and energy only. Said in the report (a warning) when such a flag was given.
 */
function calcModeNote(r: HwOverrides, hw: HwConfig): string | undefined {
  const given = MEMORY_FLAGS.filter((k) => r[k] !== undefined).map((k) => `--${HW_FLAGS[k].flag}`);
  if (given.length === 0 || hw.dram.bandwidthMode !== 'calc') return undefined;
  return `bandwidth mode calc: DRAM bandwidth is computed as what the array needs, so ${given.join(', ')} ${given.length > 1 ? 'move' : 'moves'} traffic and energy, not cycles; use --bandwidth-mode user to enforce dram.bytesPerCycle (${hw.dram.bytesPerCycle} B/cycle) and count the stalls`;
}

export function simulate(r: SimulateRequest = {}): CostReport {
  if (r.batch !== undefined && !(Number.isInteger(r.batch) && r.batch >= 1)) {
    throw new SimError('must be an integer ≥ 1', { code: 'badValue', path: '--batch', value: r.batch });
  }
  const graph = loadAnyModel(resolveModel(r.model ?? DEFAULT_SIM_MODEL));
  const machine = resolveMachine(withSynthesizedPe(requestedHw(r)));
  if (r.mapper !== undefined && r.mapper !== 'fixed' && r.mapper !== 'search') throw new SimError('must be fixed or search', { code: 'badValue', path: '--mapper', value: r.mapper });
  if (r.objective !== undefined && !MAPPER_OBJECTIVES.includes(r.objective)) throw new SimError(`must be one of ${MAPPER_OBJECTIVES.join(', ')}`, { code: 'badValue', path: '--objective', value: r.objective });
  const mapper = r.mapper === 'search' ? { objective: r.objective ?? 'edp' } : undefined;
  const report = simulateGraph(graph, machine, { mode: r.mode ?? 'inference', compat: r.compat ?? 'none', batch: r.batch, version: packageVersion(), mapper });
  const note = calcModeNote(r, machine.hw);
  return note === undefined ? report : { ...report, warnings: [...report.warnings, note] };
}

export interface TraceRequest extends HwRequest {
  /** The GEMM, `MxKxN` (A is M×K, B is K×N). */
  readonly gemm: string;
  /** Seed of the random small-integer operands [default 1]. */
  readonly seed?: number;
}

/** The trace run, with the per-cycle trace object the text view draws. */
export function traceRun(r: TraceRequest): TraceRun {
  const gemm = parseGemmSpec(r.gemm);
  const hw = requestedHw(r);
  return runTrace(gemm, { ...hw.array }, r.seed ?? 1, hw.numerics.accumulatorBits);
}

/** What `simulate --trace … --format json` prints. */
export function trace(r: TraceRequest): ReturnType<typeof traceJson> {
  return traceJson(traceRun(r));
}
