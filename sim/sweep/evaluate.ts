/**
 * Evaluating sweep points: model loading and lowering cached per (model, mode); a point's totals from the totals-only
 * path (totals-only.ts: GEMM timings once per array and dataflow, the memory model and pricing per point), or from
 * the full `simulateGraph` where that path does not apply. Runs in the worker threads (worker.ts) and, for `jobs: 1`,
 * in the calling thread. Every line passes `assertReportNumbers` before it is written.
 */
import { existsSync } from 'node:fs';
import { SimError, type SimErrorCode } from '../base/errors.js';
import type { HwConfig } from '../arch/types.js';
import type { LayerGraph } from '../ir/types.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import { lowerGraph } from '../lower/lower.js';
import type { LoweredProgram } from '../lower/types.js';
import { simulateGraph } from '../run/pipeline.js';
import { assertReportNumbers } from '../run/report-check.js';
import { resolveMachine } from '../load/hw.js';
import { withSynthesizedPe } from '../eda/pe-area.js';
import type { Machine } from '../run/energy-context.js';
import { isBuiltinSpec, resolveBuiltin } from '../../models/zoo/index.js';
import { type SweepRecord, pointHw, recordLine, toRecord } from './record.js';
import type { Point } from './spec.js';
import { type Evaluation, TotalsOnly } from './totals-only.js';

/** A model argument's canonical name: built-ins as `NAME[:non-default params]`, files as given. */
export function canonicalModel(spec: string): string {
  return !existsSync(spec) && isBuiltinSpec(spec) && !existsSync(resolveModel(spec)) ? resolveBuiltin(spec).canonical : spec;
}

/** Problems found while evaluating a point, carried across threads as plain data. */
export interface PointError {
  readonly id: string;
  readonly simError: boolean;
  readonly problem: string;
  readonly code?: SimErrorCode;
  readonly file?: string;
  readonly path?: string;
  readonly value?: unknown;
  readonly hint?: string;
}

export function pointErrorToException(e: PointError): Error {
  if (!e.simError) return new Error(`point ${e.id}: ${e.problem}`);
  return new SimError(`point ${e.id}: ${e.problem}`, {
    code: e.code ?? 'badValue', file: e.file, path: e.path, hint: e.hint, ...(e.value !== undefined ? { value: e.value } : {}),
  });
}

export class Evaluator {
  private readonly graphs = new Map<string, LayerGraph>();
  private readonly programs = new Map<string, LoweredProgram>();
  private readonly tables = new Map<string, Machine>();

  private readonly totalsOnly: TotalsOnly | undefined;

  constructor(private readonly version: string, graphs?: ReadonlyMap<string, LayerGraph>, evaluation: Evaluation = 'totals-only') {
    if (graphs) for (const [k, g] of graphs) this.graphs.set(k, g);
    this.totalsOnly = evaluation === 'totals-only' ? new TotalsOnly() : undefined;
  }

  graph(model: string): LayerGraph {
    let g = this.graphs.get(model);
    if (!g) this.graphs.set(model, (g = loadAnyModel(resolveModel(model))));
    return g;
  }

  /** resolveMachine, with the energy table looked up once per table named (not once per point). */
  private machine(hw: HwConfig): Machine {
    const key = hw.energy?.table ?? '';
    let m = this.tables.get(key);
    if (!m) this.tables.set(key, (m = resolveMachine(hw)));
    // area.pe: yosys: the point's PE synthesized (memoized per PE Verilog, eda/pe-area.ts).
    return { ...m, hw: withSynthesizedPe(hw) };
  }

  record(point: Point, base: HwConfig): SweepRecord {
    const p = point.params;
    const graph = this.graph(p.model);
    const key = `${p.model}\u0000${p.mode}`;
    let program = this.programs.get(key);
    if (!program) this.programs.set(key, (program = lowerGraph(graph, { mode: p.mode })));
    const machine = this.machine(pointHw(base, p));
    const totals = this.totalsOnly?.totals(point, machine, program)
      ?? simulateGraph(graph, machine, { mode: p.mode, compat: 'none', version: this.version, program }).totals;
    return assertReportNumbers(toRecord(point, { totals }), `sweep point ${point.id}`);
  }

  /** The points' result lines, or the first point's error. `records`: also collect their records there (same order). */
  lines(points: readonly Point[], base: HwConfig, records?: SweepRecord[]): { lines: string[]; error?: PointError } {
    const lines: string[] = [];
    for (const point of points) {
      try {
        const record = this.record(point, base);
        lines.push(recordLine(record));
        records?.push(record);
      } catch (e) {
        const error: PointError = e instanceof SimError
          ? { id: point.id, simError: true, problem: e.problem, code: e.code, file: e.file, path: e.path, hint: e.hint, ...('value' in e && e.value !== undefined ? { value: e.value } : {}) }
          : { id: point.id, simError: false, problem: e instanceof Error ? e.message : String(e) };
        return { lines, error };
      }
    }
    return { lines };
  }
}
