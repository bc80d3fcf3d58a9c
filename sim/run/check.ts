/**
 * `check`: model + hardware numerics + dataset → NumericsReport. Splits the dataset as `train` does (same seed, same
 * test fraction), calibrates activation ranges on the training part (fixed/calibrate.ts), runs the test part through
 * the float engine and through the lowered program in the hardware's format (fixed/execute-fixed.ts), and compares
 * every layer and the top-1 predictions. Thresholds turn into `passed` and `failures`. Plain data in and out.
 */
import type { HwConfig } from '../arch/types.js';
import type { Dataset } from '../datasets/types.js';
import type { LayerGraph } from '../ir/types.js';
import { forward } from '../float/engine.js';
import { type Params, initParams } from '../float/init.js';
import { takeRows } from '../float/train.js';
import { lowerGraph } from '../lower/lower.js';
import { type Calibration, calibrate } from '../fixed/calibrate.js';
import { executeFixed } from '../fixed/execute-fixed.js';
import { parseFormat } from '../fixed/format.js';
import { ErrorStats, argmaxRows, idealSqnrDb } from '../fixed/metrics.js';
import type { OverflowRule, Rounding } from '../fixed/rounding.js';
import { fitFeatures, split } from './train-run.js';

export interface CheckRequest {
  readonly graph: LayerGraph;
  /** Default: the model's given parameters (others drawn from its seed). */
  readonly params?: Params;
  readonly dataset: Dataset;
  readonly hw: HwConfig;
  /** Format name (int8, uint8, int16, q4.12, fp16, bf16, fp32 …); default hw.numerics.input. */
  readonly precision?: string;
  readonly rounding?: Rounding;
  readonly overflow?: OverflowRule;
  readonly accumulatorBits?: number;
  readonly calibration?: Calibration;
  /** Calibration samples drawn from the front of the training split [default 500]. */
  readonly calibrationSamples?: number;
  /** The test fraction and seed `systolab train` used (default 0.2 and the model's seed); 0 = the whole dataset. */
  readonly testSplit?: number;
  readonly seed?: number;
  readonly maxSqnrDropDb?: number;
  readonly minAgreement?: number;
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

export interface NumericsReport {
  readonly schemaVersion: 1;
  readonly model: string;
  readonly dataset: string;
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
    readonly top1Agreement: number;
    readonly floatAccuracy: number | null;
    readonly fixedAccuracy: number | null;
    readonly outputSqnrDb: number;
    readonly worstSqnrDropDb: number;
    readonly worstLayer: string;
    readonly accumulatorOverflows: number;
    readonly clamps: number;
  };
  readonly thresholds: { readonly maxSqnrDropDb?: number; readonly minAgreement?: number };
  readonly failures: readonly string[];
  readonly passed: boolean;
}

const CHUNK = 250;

export function runCheck(req: CheckRequest): NumericsReport {
  const { graph, hw } = req;
  const params = req.params ?? initParams(graph);
  const precision = req.precision ?? hw.numerics.input;
  const rounding = req.rounding ?? hw.numerics.rounding ?? 'gemmlowp';
  const overflow = req.overflow ?? hw.numerics.overflow ?? 'saturate';
  const accumulatorBits = req.accumulatorBits ?? hw.numerics.accumulatorBits;
  const format = parseFormat(precision, { rounding: rounding === 'gemmlowp' ? 'nearestEven' : rounding, overflow });
  const calibration = req.calibration ?? { method: 'max' };
  const input = graph.layers.find((l) => l.kind === 'input')!.name;
  const features = fitFeatures(req.dataset.features, graph.shapes[input]);
  const splits = split(features, req.dataset.targets, 0, req.testSplit ?? 0.2, req.seed ?? graph.seed);
  const evalSet = splits.test ?? splits.train;
  const calN = Math.min(req.calibrationSamples ?? 500, splits.train.features.shape[0]);
  const calIdx = Array.from({ length: calN }, (_, i) => i);
  const ranges = format.kind === 'int' && format.fractionBits === undefined
    ? calibrate(graph, params, takeRows(splits.train.features, calIdx), calibration) : {};

  const program = lowerGraph(graph, { mode: 'inference', batch: CHUNK });
  const n = evalSet.features.shape[0];
  const all = Array.from({ length: n }, (_, i) => i);
  const stats = new Map<string, ErrorStats>();
  const counts = new Map<string, { accumulatorOverflows: number; clamps: number }>();
  let agree = 0, floatHits = 0, fixedHits = 0;
  const multiclass = req.dataset.task === 'multiclass';
  for (let from = 0; from < n; from += CHUNK) {
    const to = Math.min(n, from + CHUNK);
    const x = takeRows(evalSet.features, all, from, to);
    const chunkProgram = to - from === CHUNK ? program : lowerGraph(graph, { mode: 'inference', batch: to - from });
    const ref = forward(graph, params, { [input]: x });
    const fixed = executeFixed(chunkProgram, graph, params, { [input]: x }, {
      format, accumulatorBits, overflow, rounding, ranges, engine: req.engine,
      array: { rows: hw.array.rows, cols: hw.array.cols, dataflow: hw.array.dataflow, macPipelineCycles: hw.array.macPipelineCycles },
    });
    for (const [name, t] of Object.entries(fixed.tallies)) {
      const s = stats.get(name) ?? new ErrorStats();
      s.add(ref.values[name].data, fixed.values[name].data);
      stats.set(name, s);
      const c = counts.get(name) ?? { accumulatorOverflows: 0, clamps: 0 };
      c.accumulatorOverflows += t.accumulatorOverflows;
      c.clamps += t.clamps;
      counts.set(name, c);
    }
    const rows = to - from;
    const pf = argmaxRows(ref.output.data, rows), px = argmaxRows(fixed.output.data, rows);
    const target = takeRows(evalSet.targets, all, from, to).data;
    for (let r = 0; r < rows; r++) {
      if (pf[r] === px[r]) agree++;
      if (multiclass && pf[r] === target[r]) floatHits++;
      if (multiclass && px[r] === target[r]) fixedHits++;
    }
  }
  const ideal = idealSqnrDb(format.kind === 'float' ? format.precision : format.bits);
  const kinds = new Map(graph.layers.map((l) => [l.name, l.kind]));
  const layers: LayerNumerics[] = graph.order.filter((name) => stats.has(name)).map((name) => {
    const s = stats.get(name)!.summary();
    return { name, kind: kinds.get(name)!, ...s, sqnrDropDb: ideal - s.sqnrDb, ...counts.get(name)! };
  });
  const worst = layers.reduce((w, l) => (l.sqnrDropDb > w.sqnrDropDb ? l : w), layers[0]);
  const top1Agreement = agree / n;
  const failures: string[] = [];
  if (req.maxSqnrDropDb !== undefined && worst.sqnrDropDb > req.maxSqnrDropDb) {
    failures.push(`SQNR drop ${worst.sqnrDropDb.toFixed(2)} dB at ${worst.name} exceeds --max-sqnr-drop ${req.maxSqnrDropDb} dB`);
  }
  if (req.minAgreement !== undefined && top1Agreement < req.minAgreement) {
    failures.push(`top-1 agreement ${top1Agreement.toFixed(4)} is below --min-agreement ${req.minAgreement}`);
  }
  const out = layers.find((l) => l.name === graph.output);
  return {
    schemaVersion: 1, model: graph.name, dataset: req.dataset.name, precision: format.name, accumulatorBits, overflow, rounding,
    calibration: calibration.method === 'max' ? 'max' : `percentile:${calibration.percentile}`,
    samples: { calibration: format.kind === 'int' && format.fractionBits === undefined ? calN : 0, evaluated: n },
    idealSqnrDb: ideal, layers,
    summary: {
      top1Agreement, floatAccuracy: multiclass ? floatHits / n : null, fixedAccuracy: multiclass ? fixedHits / n : null,
      outputSqnrDb: out?.sqnrDb ?? NaN, worstSqnrDropDb: worst.sqnrDropDb, worstLayer: worst.name,
      accumulatorOverflows: layers.reduce((s, l) => s + l.accumulatorOverflows, 0), clamps: layers.reduce((s, l) => s + l.clamps, 0),
    },
    thresholds: { ...(req.maxSqnrDropDb !== undefined ? { maxSqnrDropDb: req.maxSqnrDropDb } : {}), ...(req.minAgreement !== undefined ? { minAgreement: req.minAgreement } : {}) },
    failures, passed: failures.length === 0,
  };
}
