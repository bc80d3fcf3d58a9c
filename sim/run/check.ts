/**
 * `check`: model + hardware numerics + dataset → one NumericsReport per precision. Splits the dataset as `train` did
 * (same seed, validation and test fractions), calibrates activation ranges on the training part (fixed/calibrate.ts),
 * runs the held-out part (test, else validation, else the training data, said so) through the float engine once and
 * through the lowered program in each format (fixed/execute-fixed.ts), and compares every layer and the decisions:
 * argmax for classes, a threshold for a binary output (0.5 on a sigmoid, 0 on a logit), MAE/RMSE for regression.
 * Without a dataset the inputs are seeded N(0, 1) samples: agreement and SQNR, no accuracy. The pass rule
 * (run/check-rule.ts) turns the measured values into `checks`, `failures` and `passed`. Plain data in and out.
 */
import { gemmDataflowOf } from '../map/dataflow.js';
import type { HwConfig } from '../arch/types.js';
import type { Dataset, Task } from '../datasets/types.js';
import type { LayerGraph } from '../ir/types.js';
import { forward } from '../float/engine.js';
import { type Params, initParams } from '../float/init.js';
import { takeRows } from '../float/train.js';
import { lowerGraph } from '../lower/lower.js';
import { type Calibration, calibrate } from '../fixed/calibrate.js';
import { executeFixed } from '../fixed/execute-fixed.js';
import { type NumberFormat, parseFormat } from '../fixed/format.js';
import { type DecisionRule, ErrorStats, RegressionError, countEqual, decide, idealSqnrDb } from '../fixed/metrics.js';
import type { OverflowRule, Rounding } from '../fixed/rounding.js';
import { DEFAULT_PASS_RULE, type PassRule, type RuleCheck, applyRule, failuresOf } from './check-rule.js';
import { type EvalData, evalData } from './check-data.js';
import { assertReportNumbers } from './report-check.js';

export interface CheckRequest {
  readonly graph: LayerGraph;
  /** Default: the model's given parameters (others drawn from its seed). */
  readonly params?: Params;
  /** Absent: seeded random inputs (`randomSamples` of them), no labels. */
  readonly dataset?: Dataset;
  readonly hw: HwConfig;
  /** Format name (int8, uint8, int16, q4.12, fp16, bf16, fp32 …); default hw.numerics.input. */
  readonly precision?: string;
  readonly rounding?: Rounding;
  readonly overflow?: OverflowRule;
  readonly accumulatorBits?: number;
  readonly calibration?: Calibration;
  /** Calibration samples drawn from the front of the training split [default 500]. */
  readonly calibrationSamples?: number;
  /** The validation and test fractions and seed `systolab train` used (default 0, 0.2 and the model's seed). */
  readonly valSplit?: number;
  readonly testSplit?: number;
  readonly seed?: number;
  /** Without a dataset: how many random inputs to evaluate (as many again calibrate) [default: randomSampleCount]. */
  readonly randomSamples?: number;
  readonly rule?: Partial<PassRule>;
  readonly engine?: 'fast' | 'array';
}

export interface LayerNumerics {
  readonly name: string;
  readonly kind: string;
  readonly maxAbsError: number;
  readonly meanAbsError: number;
  readonly sqnrDb: number;
  /** idealSqnrDb − sqnrDb. */
  readonly sqnrDropDb: number;
  readonly cosine: number;
  readonly accumulatorOverflows: number;
  readonly clamps: number;
}

/** Regression error of the float and the fixed-point model against the targets. */
export interface RegressionNumerics {
  readonly targetRange: number;
  readonly float: { readonly maeTargetUnits: number; readonly rmseTargetUnits: number };
  readonly fixed: { readonly maeTargetUnits: number; readonly rmseTargetUnits: number };
  /** (fixed RMSE − float RMSE) / target range × 100. */
  readonly rmseIncreasePp: number;
}

export interface NumericsReport {
  readonly schemaVersion: 2;
  readonly model: string;
  readonly dataset: string;
  /** Which samples were scored, and why when it may surprise (training data, random inputs). */
  readonly evaluated: { readonly on: EvalData['on']; readonly note?: string };
  readonly precision: string;
  readonly accumulatorBits: number;
  readonly overflow: OverflowRule;
  readonly rounding: Rounding;
  readonly calibration: string;
  readonly samples: { readonly calibration: number; readonly evaluated: number };
  /** 6.02·b + 1.76 dB with b the format's bits (significand precision for floats). */
  readonly idealSqnrDb: number;
  readonly layers: readonly LayerNumerics[];
  readonly summary: {
    /** How an output becomes a decision: `argmax`, `threshold 0.5 on the probability`, `threshold 0 on the logit`; null for regression. */
    readonly decision: string | null;
    /** Fraction of decisions equal to the float model's; null for regression. */
    readonly agreement: number | null;
    readonly floatAccuracy: number | null;
    readonly fixedAccuracy: number | null;
    /** (float − fixed accuracy) × 100. */
    readonly accuracyDropPp: number | null;
    readonly regression: RegressionNumerics | null;
    readonly outputSqnrDb: number;
    readonly worstSqnrDropDb: number;
    readonly worstLayer: string;
    readonly accumulatorOverflows: number;
    readonly clamps: number;
  };
  readonly rule: PassRule;
  readonly checks: readonly RuleCheck[];
  readonly failures: readonly string[];
  readonly passed: boolean;
}

const CHUNK = 250;

function decisionRule(graph: LayerGraph, task: Task | undefined): { rule: DecisionRule; name: string } | null {
  if (task === 'regression') return null;
  const out = graph.shapes[graph.output];
  const width = out.slice(1).reduce((a, b) => a * b, 1);
  if (task === 'multiclass' || (task === undefined && width > 1)) return { rule: { kind: 'argmax' }, name: 'argmax' };
  const sigmoid = graph.layers.find((l) => l.name === graph.output)?.kind === 'sigmoid';
  return sigmoid ? { rule: { kind: 'threshold', cut: 0.5 }, name: 'threshold 0.5 on the probability' } : { rule: { kind: 'threshold', cut: 0 }, name: 'threshold 0 on the logit' };
}

/** What one precision accumulates over the chunks. */
interface Tally {
  readonly format: NumberFormat;
  readonly stats: Map<string, ErrorStats>;
  readonly counts: Map<string, { accumulatorOverflows: number; clamps: number }>;
  agree: number;
  decisions: number;
  hits: number;
  readonly regression: RegressionError;
}

export function runCheck(req: CheckRequest): NumericsReport {
  return runChecks(req, [req.precision ?? req.hw.numerics.input])[0];
}

/** One report per precision; the float reference, the data and the calibration are shared. */
export function runChecks(req: CheckRequest, precisions: readonly string[]): NumericsReport[] {
  const { graph, hw } = req;
  const params = req.params ?? initParams(graph);
  const rounding = req.rounding ?? hw.numerics.rounding ?? 'gemmlowp';
  const overflow = req.overflow ?? hw.numerics.overflow ?? 'saturate';
  const accumulatorBits = req.accumulatorBits ?? hw.numerics.accumulatorBits;
  const calibration = req.calibration ?? { method: 'max' };
  const input = graph.layers.find((l) => l.kind === 'input')!.name;
  const data = evalData(graph, req);
  const n = data.features.shape[0];
  const tallies: Tally[] = precisions.map((p) => ({
    format: parseFormat(p, { rounding: rounding === 'gemmlowp' ? 'nearestEven' : rounding, overflow }),
    stats: new Map(), counts: new Map(), agree: 0, decisions: 0, hits: 0, regression: new RegressionError(),
  }));
  const needsRanges = tallies.some((t) => t.format.kind === 'int' && t.format.fractionBits === undefined);
  const calN = Math.min(req.calibrationSamples ?? 500, data.calibration.shape[0]);
  const calIdx = Array.from({ length: calN }, (_, i) => i);
  const ranges = needsRanges ? calibrate(graph, params, takeRows(data.calibration, calIdx), calibration) : {};
  const decision = decisionRule(graph, data.task);
  const floatRegression = new RegressionError();
  let floatHits = 0;

  const program = lowerGraph(graph, { mode: 'inference', batch: Math.min(CHUNK, n) });
  const all = Array.from({ length: n }, (_, i) => i);
  for (let from = 0; from < n; from += CHUNK) {
    const to = Math.min(n, from + CHUNK), rows = to - from;
    const x = takeRows(data.features, all, from, to);
    const chunkProgram = rows === Math.min(CHUNK, n) ? program : lowerGraph(graph, { mode: 'inference', batch: rows });
    const ref = forward(graph, params, { [input]: x });
    const target = data.targets ? takeRows(data.targets, all, from, to).data : undefined;
    const pf = decision ? decide(ref.output.data, rows, decision.rule) : undefined;
    if (pf && target) floatHits += countEqual(pf, target);
    if (!decision && target) floatRegression.add(ref.output.data, target);
    for (const t of tallies) {
      const fixed = executeFixed(chunkProgram, graph, params, { [input]: x }, {
        format: t.format, accumulatorBits, overflow, rounding, ranges, engine: req.engine,
        array: { rows: hw.array.rows, cols: hw.array.cols, dataflow: gemmDataflowOf(hw.array.dataflow, 'the fixed-point check (it runs the GEMMs on the systolic array)'), macPipelineCycles: hw.array.macPipelineCycles },
      });
      for (const [name, c] of Object.entries(fixed.tallies)) {
        const s = t.stats.get(name) ?? new ErrorStats();
        s.add(ref.values[name].data, fixed.values[name].data);
        t.stats.set(name, s);
        const sum = t.counts.get(name) ?? { accumulatorOverflows: 0, clamps: 0 };
        sum.accumulatorOverflows += c.accumulatorOverflows;
        sum.clamps += c.clamps;
        t.counts.set(name, sum);
      }
      if (decision && pf) {
        const px = decide(fixed.output.data, rows, decision.rule);
        t.agree += countEqual(pf, px);
        t.decisions += px.length;
        if (target) t.hits += countEqual(px, target);
      } else if (target) t.regression.add(fixed.output.data, target);
    }
  }

  return tallies.map((t): NumericsReport => {
    const format = t.format;
    const ideal = idealSqnrDb(format.kind === 'float' ? format.precision : format.bits);
    const kinds = new Map(graph.layers.map((l) => [l.name, l.kind]));
    const layers: LayerNumerics[] = graph.order.filter((name) => t.stats.has(name)).map((name) => {
      const s = t.stats.get(name)!.summary();
      return { name, kind: kinds.get(name)!, ...s, sqnrDropDb: ideal - s.sqnrDb, ...t.counts.get(name)! };
    });
    const worst = layers.reduce((w, l) => (l.sqnrDropDb > w.sqnrDropDb ? l : w), layers[0]);
    const labelled = data.targets !== undefined && decision !== null;
    const perDecision = t.decisions / n;   // decisions per sample: 1 (argmax) or the output width (threshold)
    const floatAccuracy = labelled ? floatHits / perDecision / n : null;
    const fixedAccuracy = labelled ? t.hits / perDecision / n : null;
    const agreement = decision ? t.agree / t.decisions : null;
    const regression = !decision && data.targets ? regressionNumerics(floatRegression, t.regression) : null;
    const accuracyDropPp = floatAccuracy !== null && fixedAccuracy !== null ? 100 * (floatAccuracy - fixedAccuracy) : null;
    const rule: PassRule = { ...DEFAULT_PASS_RULE, ...req.rule };
    const checks = applyRule(rule, {
      accuracyDropPp, errorIncreasePp: regression?.rmseIncreasePp ?? null, agreement, worstSqnrDropDb: worst.sqnrDropDb,
      noAccuracy: data.targets === undefined ? 'no labels: random inputs' : decision === null ? 'a regression: see --max-error-increase' : undefined,
    });
    const failures = failuresOf(checks);
    const out = layers.find((l) => l.name === graph.output);
    return assertReportNumbers({
      schemaVersion: 2, model: graph.name, dataset: data.name, evaluated: { on: data.on, ...(data.note ? { note: data.note } : {}) },
      precision: format.name, accumulatorBits, overflow, rounding,
      calibration: calibration.method === 'max' ? 'max' : `percentile:${calibration.percentile}`,
      samples: { calibration: format.kind === 'int' && format.fractionBits === undefined ? calN : 0, evaluated: n },
      idealSqnrDb: ideal, layers,
      summary: {
        decision: decision?.name ?? null, agreement, floatAccuracy, fixedAccuracy, accuracyDropPp, regression,
        outputSqnrDb: out?.sqnrDb ?? NaN, worstSqnrDropDb: worst.sqnrDropDb, worstLayer: worst.name,
        accumulatorOverflows: layers.reduce((s, l) => s + l.accumulatorOverflows, 0), clamps: layers.reduce((s, l) => s + l.clamps, 0),
      },
      rule, checks, failures, passed: failures.length === 0,
    } satisfies NumericsReport, `the ${format.name} numerics report of ${graph.name}`, isSqnrField);
  });
}

function regressionNumerics(float: RegressionError, fixed: RegressionError): RegressionNumerics {
  const f = float.summary(), x = fixed.summary();
  return {
    targetRange: f.targetRange,
    float: { maeTargetUnits: f.maeTargetUnits, rmseTargetUnits: f.rmseTargetUnits },
    fixed: { maeTargetUnits: x.maeTargetUnits, rmseTargetUnits: x.rmseTargetUnits },
    rmseIncreasePp: 100 * (x.rmseTargetUnits - f.rmseTargetUnits) / (f.targetRange || 1),
  };
}

/** SQNR fields: +Infinity there (−Infinity for a drop) means no error at all (sim/fixed/metrics.ts), not an overflow. */
export const isSqnrField = (path: string): boolean => /sqnr(Drop)?Db$/i.test(path);
