/**
 * `simulate` as a library call: the request names what the CLI's flags name (model, hw, array, dataflow, …) with the
 * same defaults, and the result is the CostReport `systolab simulate --format json` prints. Also `--trace`.
 */
import { SimError } from '../base/errors.js';
import { packageVersion } from '../base/package-root.js';
import { withOverrides } from '../arch/parse.js';
import type { Dataflow, HwConfig, Precision } from '../arch/types.js';
import { loadHwConfig, resolveMachine } from '../load/hw.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import type { Mode } from '../lower/types.js';
import type { Compat } from '../run/cost-model.js';
import type { CostReport } from '../run/cost-report.js';
import { simulateGraph } from '../run/pipeline.js';
import { type TraceRun, parseGemmSpec, runTrace, traceJson } from '../run/trace.js';

/** The model `simulate` runs when none is named: SCALE-Sim's own ResNet-18 topology. */
export const DEFAULT_SIM_MODEL = 'scalesim-resnet18';
/** The hardware preset when none is named: SCALE-Sim v2's default configuration. */
export const DEFAULT_HW = 'scalesim-32x32';

export interface HwRequest {
  /** A preset name (hw-configs/NAME.yaml), a YAML/JSON file or a SCALE-Sim .cfg [default: scalesim-32x32]. */
  readonly hw?: string;
  /** `ROWSxCOLS`, e.g. `16x64`. */
  readonly array?: string;
  readonly dataflow?: Dataflow;
  readonly precision?: Precision;
  readonly macPipelineCycles?: number;
}

export interface SimulateRequest extends HwRequest {
  /** A built-in name (`resnet50:batch=8`), a model file (YAML/JSON, ONNX, SCALE-Sim .csv) [default: DEFAULT_SIM_MODEL]. */
  readonly model?: string;
  readonly mode?: Mode;
  readonly batch?: number;
  readonly compat?: Compat;
}

/** `16x64` → 16 rows × 64 cols. */
export function parseArray(spec: string): { rows: number; cols: number } {
  const m = /^(\d+)x(\d+)$/i.exec(spec.trim());
  const rows = m ? Number(m[1]) : NaN, cols = m ? Number(m[2]) : NaN;
  if (!m || rows < 1 || cols < 1) {
    throw new SimError('must be ROWSxCOLS with positive integers', { code: 'badValue', path: '--array', value: spec, hint: 'Example: --array 16x64 (16 rows, 64 columns).' });
  }
  return { rows, cols };
}

/** The request's hardware: the preset or file, with the array, dataflow, precision and pipeline overrides applied. */
export function requestedHw(r: HwRequest): HwConfig {
  return withOverrides(loadHwConfig(r.hw ?? DEFAULT_HW), {
    ...(r.array ? parseArray(r.array) : {}), dataflow: r.dataflow, precision: r.precision, macPipelineCycles: r.macPipelineCycles,
  });
}

export function simulate(r: SimulateRequest = {}): CostReport {
  if (r.batch !== undefined && !(Number.isInteger(r.batch) && r.batch >= 1)) {
    throw new SimError('must be an integer ≥ 1', { code: 'badValue', path: '--batch', value: r.batch });
  }
  const graph = loadAnyModel(resolveModel(r.model ?? DEFAULT_SIM_MODEL));
  const machine = resolveMachine(requestedHw(r));
  return simulateGraph(graph, machine, { mode: r.mode ?? 'inference', compat: r.compat ?? 'none', batch: r.batch, version: packageVersion() });
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
