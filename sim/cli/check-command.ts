/** `systolab check`: flags → model + hw numerics + dataset → runCheck → per-layer table and summary, or JSON. */
import { readTextFile, writeFileAtomic } from '../base/files.js';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { SimError } from '../base/errors.js';
import { loadHwConfig } from '../load/hw.js';
import { loadDataset } from '../load/datasets/registry.js';
import { csvToDataset } from '../datasets/csv.js';

import { loadAnyModel } from '../load/model.js';
import { parseFormat } from '../fixed/format.js';
import { ROUNDINGS, type Rounding } from '../fixed/rounding.js';
import { type NumericsReport, runCheck } from '../run/check.js';
import { table } from '../report/run-report.js';
import { commandLine, writeCheckReport } from '../report/write-report.js';
import { resolveModel } from '../load/model.js';

import { DEFAULT_HW } from '../api/simulate.js';

export const DEFAULT_CHECK_MODEL = 'models/trained/lenet-digits.json';

export interface CheckArgs {
  model?: string;
  hw: string;
  precision?: string;
  rounding?: Rounding;
  overflow?: 'saturate' | 'wrap';
  accumulatorBits?: number;
  dataset?: string;
  label?: string;
  testSplit: number;
  seed?: number;
  calibration: string;
  calibrationSamples: number;
  maxSqnrDrop?: number;
  minAgreement?: number;
  engine: 'fast' | 'array';
  format: 'table' | 'json';
  out?: string;
}

export const CHECK_EXAMPLES: readonly [string, string][] = [
  ['check', 'the trained LeNet on 200 test digits in int8 (int32 accumulators, gemmlowp requantization) vs the float engine'],
  ['check --model models/trained/iris-mlp.json --precision int8 --min-agreement 0.99', 'fail (exit 1) unless int8 agrees with float on ≥ 99 % of the iris test set'],
  ['check --precision q4.12 --format json', 'Qm.n fixed point (16-bit, 12 fraction bits), every number as JSON'],
  ['check --precision bf16 --max-sqnr-drop 10', 'bfloat16 operands with an fp32 accumulator'],
  ['check --model models/trained/iris-mlp.json --out reports/check-iris', 'also numerics-report.json, SQNR and error charts and an offline index.html in reports/check-iris'],
  ['check --precision int8 --accumulator-bits 16 --overflow wrap --calibration percentile:99.9', 'a narrow wrapping accumulator, percentile calibration'],
];

/** Default dataset of the course models. */
function defaultDataset(model: string): string {
  if (/iris/.test(model)) return 'iris';
  if (/lenet|digits/.test(model)) return 'digits:n=1000';
  throw new SimError('has no default dataset', { code: 'badValue', path: '--dataset', value: model, hint: 'Give one, e.g. --dataset digits:n=1000 or --dataset data.csv --label y.' });
}

function parseCalibration(spec: string): { method: 'max' } | { method: 'percentile'; percentile: number } {
  if (spec === 'max') return { method: 'max' };
  const m = /^percentile:(\d+(?:\.\d+)?)$/.exec(spec);
  const p = m ? Number(m[1]) : NaN;
  if (!(p > 50 && p <= 100)) {
    throw new SimError('must be max or percentile:P with 50 < P ≤ 100', { code: 'badValue', path: '--calibration', value: spec, hint: 'Example: --calibration percentile:99.99' });
  }
  return { method: 'percentile', percentile: p };
}

export function checkBuilder(y: Argv): Argv<CheckArgs> {
  return y
    .option('model', { type: 'string', describe: `model file or built-in name [default: ${DEFAULT_CHECK_MODEL}]` })
    .option('hw', { type: 'string', default: DEFAULT_HW, describe: 'hardware preset or file: numerics (precision, accumulatorBits, rounding, overflow) and the array' })
    .option('precision', { type: 'string', describe: 'number format: int8, uint8, int4…int32, q4.12 (Qm.n), fp16, bf16, fp32 [default: the config\'s numerics.input]' })
    .option('rounding', { choices: ROUNDINGS, describe: 'requantization rounding [default: the config\'s, else gemmlowp]' })
    .option('overflow', { choices: ['saturate', 'wrap'] as const, describe: 'accumulator overflow at every step [default: the config\'s, else saturate]' })
    .option('accumulator-bits', { type: 'number', describe: 'accumulator width 2–53 [default: the config\'s]' })
    .option('dataset', { type: 'string', describe: 'iris | digits:n=… | FILE.csv [default: the course model\'s dataset]' })
    .option('label', { type: 'string', describe: 'CSV: the label column [default: the last column]' })
    .option('test-split', { type: 'number', default: 0.2, describe: 'the test fraction train used (same seed ⇒ the same test set); 0 = the whole dataset' })
    .option('seed', { type: 'number', describe: 'split seed [default: the model\'s seed, as train]' })
    .option('calibration', { type: 'string', default: 'max', describe: 'activation range calibration: max | percentile:P' })
    .option('calibration-samples', { type: 'number', default: 500, describe: 'training samples used for calibration' })
    .option('max-sqnr-drop', { type: 'number', describe: 'fail (exit 1) when a layer\'s SQNR is more than DB below the ideal 6.02·b + 1.76 dB' })
    .option('min-agreement', { type: 'number', describe: 'fail (exit 1) when top-1 agreement with float is below F (0–1)' })
    .option('engine', { choices: ['fast', 'array'] as const, default: 'fast' as const, describe: 'fast: the loop proven bit-identical to the array; array: the cycle-stepped array (slow)' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const })
    .option('out', { type: 'string', describe: 'also write numerics-report.json, charts/ (.vl.json, .svg, .png) and index.html into this folder' })
    .example(CHECK_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<CheckArgs>;
}

const fix = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const g = (v: number) => (v === 0 ? '0' : v.toPrecision(3));

export function checkReportText(r: NumericsReport): string {
  const rows = r.layers.map((l) => [l.name, l.kind, g(l.maxAbsError), g(l.meanAbsError), fix(l.sqnrDb, 2), fix(l.sqnrDropDb, 2), fix(l.cosine, 6), String(l.accumulatorOverflows), String(l.clamps)]);
  const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(2)} %`);
  const s = r.summary;
  return [
    `${r.model} on ${r.dataset} (${r.samples.evaluated} samples): ${r.precision}, ${r.accumulatorBits}-bit accumulator (${r.overflow}), requantization ${r.rounding}, calibration ${r.calibration} on ${r.samples.calibration} samples; vs the float64 engine.`,
    '',
    table(['layer', 'kind', 'max |err|', 'mean |err|', 'SQNR dB', 'drop dB', 'cosine', 'acc overflows', 'clamps'], rows, new Set([2, 3, 4, 5, 6, 7, 8])),
    '',
    `top-1 agreement with float: ${pct(s.top1Agreement)}   accuracy float ${pct(s.floatAccuracy)}, ${r.precision} ${pct(s.fixedAccuracy)}`,
    `output SQNR ${fix(s.outputSqnrDb, 2)} dB; worst drop below the ideal ${fix(r.idealSqnrDb, 2)} dB: ${fix(s.worstSqnrDropDb, 2)} dB at ${s.worstLayer}; ${s.accumulatorOverflows} accumulator overflows, ${s.clamps} clamps`,
    ...r.failures.map((f) => `FAIL: ${f}`),
    r.passed ? (r.failures.length === 0 && (r.thresholds.minAgreement !== undefined || r.thresholds.maxSqnrDropDb !== undefined) ? 'PASS' : '') : '',
  ].filter((l, i, a) => !(l === '' && i === a.length - 1)).join('\n') + '\n';
}

export async function checkCommand(args: CheckArgs, argv: readonly string[] = []): Promise<{ text: string; passed: boolean }> {
  const modelSpec = args.model ?? DEFAULT_CHECK_MODEL;
  const graph = loadAnyModel(resolveModel(modelSpec));
  const hw = loadHwConfig(args.hw);
  const precision = args.precision ?? hw.numerics.input;
  parseFormat(precision);   // a bad name fails here, before any work
  const dsSpec = args.dataset ?? defaultDataset(modelSpec);
  const spec = args.label !== undefined && dsSpec.toLowerCase().endsWith('.csv') ? `${dsSpec}:label=${args.label}` : dsSpec;
  const loaded = loadDataset(spec, readTextFile);
  const dataset = loaded.kind === 'dataset' ? loaded.dataset : csvToDataset(loaded.csv, 'multiclass');
  if (args.minAgreement !== undefined && !(args.minAgreement >= 0 && args.minAgreement <= 1)) {
    throw new SimError('must be a fraction in [0, 1]', { code: 'badValue', path: '--min-agreement', value: args.minAgreement });
  }
  if (!(args.testSplit >= 0 && args.testSplit < 1)) throw new SimError('must be a fraction in [0, 1)', { code: 'badValue', path: '--test-split', value: args.testSplit });
  const report = runCheck({
    graph, dataset, hw, precision, rounding: args.rounding, overflow: args.overflow, accumulatorBits: args.accumulatorBits,
    calibration: parseCalibration(args.calibration), calibrationSamples: args.calibrationSamples, testSplit: args.testSplit,
    seed: args.seed, maxSqnrDropDb: args.maxSqnrDrop, minAgreement: args.minAgreement, engine: args.engine,
  });
  if (args.out !== undefined) {
    writeFileAtomic(join(args.out, 'numerics-report.json'), `${JSON.stringify(report, null, 1)}\n`);
    const written = await writeCheckReport(args.out, report, commandLine(argv));
    process.stderr.write(`check: charts in ${join(args.out, 'charts')}, report ${written.html}\n`);
  }
  return { text: args.format === 'json' ? `${JSON.stringify(report)}\n` : checkReportText(report), passed: report.passed };
}
