/** `systolab check`: flags → api/check → per-layer table and summary (one per precision), or JSON (+ report files). */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_CHECK_MODEL, DEFAULT_CHECK_TEST_SPLIT, checkPrecisions } from '../api/check.js';
import { DEFAULT_HW } from '../api/simulate.js';
import { writeFileAtomic } from '../base/files.js';
import { ROUNDINGS, type Rounding } from '../fixed/rounding.js';
import { DATASET_NAMES } from '../load/datasets/registry.js';
import { RANDOM_MAC_BUDGET, RANDOM_SAMPLES_MAX } from '../run/check-data.js';
import { DEFAULT_PASS_RULE } from '../run/check-rule.js';
import { checkComparisonText, checkReportText } from '../report/check-text.js';
import { reportJson } from '../report/report-json.js';
import { commandLine, writeCheckReport } from '../report/write-report.js';

export interface CheckArgs {
  model?: string;
  hw: string;
  precision?: string;
  rounding?: Rounding;
  overflow?: 'saturate' | 'wrap';
  accumulatorBits?: number;
  dataset?: string;
  label?: string;
  valSplit?: number;
  testSplit?: number;
  seed?: number;
  randomSamples?: number;
  calibration: string;
  calibrationSamples: number;
  maxAccuracyDrop: number;
  maxErrorIncrease: number;
  maxSqnrDrop?: number;
  minAgreement?: number;
  engine: 'fast' | 'array';
  format: 'table' | 'json';
  out?: string;
}

/** [command, what it shows, its exit code when not 0 (an example may show a failing pass rule)]. */
export const CHECK_EXAMPLES: readonly (readonly [string, string, number?])[] = [
  ['check', 'the trained LeNet on 200 test digits in int8 (int32 accumulators, gemmlowp requantization) vs the float engine'],
  ['check --model models/trained/iris-mlp.json --precision int8 --min-agreement 0.99', 'fail (exit 1) unless int8 agrees with float on ≥ 99 % of the iris test set'],
  ['check --precision int8,int6,int4 --out reports/check-lenet-bits', 'three bit widths on the same digits in one run: a table per precision, one comparing them, and a chart of accuracy and SQNR per layer by precision; exit 1, as int4 loses 3.5 points of accuracy', 1],
  ['check --precision q4.12 --format json', 'Qm.n fixed point (16-bit, 12 fraction bits), every number as JSON'],
  ['check --precision bf16 --max-sqnr-drop 10', 'bfloat16 operands with an fp32 accumulator'],
  ['check --model resnet18 --precision int8', 'a zoo model without a dataset: seeded random inputs (a small batch for a big model), agreement and SQNR, no accuracy'],
  ['check --model models/trained/iris-mlp.json --out reports/check-iris', 'also numerics-report.json, SQNR and error charts and an offline index.html in reports/check-iris'],
  ['check --precision int8 --accumulator-bits 16 --overflow wrap --calibration percentile:99.9', 'a narrow wrapping accumulator, percentile calibration: overflows cost 26 points of accuracy, exit 1', 1],
];

export function checkBuilder(y: Argv): Argv<CheckArgs> {
  return y
    .option('model', { type: 'string', describe: `model file or built-in name [default: ${DEFAULT_CHECK_MODEL}]` })
    .option('hw', { type: 'string', default: DEFAULT_HW, describe: 'hardware preset or file: numerics (precision, accumulatorBits, rounding, overflow) and the array' })
    .option('precision', { type: 'string', describe: 'number format, or several comma-separated (int8,int6,int4) compared on the same samples: int8, uint8, int4…int32, q4.12 (Qm.n), fp16, bf16, fp32 [default: the config\'s numerics.input]' })
    .option('rounding', { choices: ROUNDINGS, describe: 'requantization rounding [default: the config\'s, else gemmlowp]' })
    .option('overflow', { choices: ['saturate', 'wrap'] as const, describe: 'accumulator overflow at every step [default: the config\'s, else saturate]' })
    .option('accumulator-bits', { type: 'number', describe: 'accumulator width 2–53 [default: the config\'s]' })
    .option('dataset', {
      type: 'string',
      describe: `${DATASET_NAMES.join(' | ')} (NAME:key=value:…) | FILE.csv [default: the dataset train recorded in training.json beside the model; for the shipped course models theirs; else ${RANDOM_SAMPLES_MAX} or fewer seeded random inputs, no accuracy]`,
    })
    .option('label', { type: 'string', describe: 'CSV: the label column [default: the recorded one, else the last column]' })
    .option('val-split', { type: 'number', describe: 'the validation fraction train used [default: the recorded one, else 0]' })
    .option('test-split', { type: 'number', describe: `the test fraction train used (same seed ⇒ the same test set); 0 = score the training data [default: the recorded one, else ${DEFAULT_CHECK_TEST_SPLIT}]` })
    .option('seed', { type: 'number', describe: 'split seed (random inputs: their seed) [default: the recorded one, else the model\'s seed]' })
    .option('random-samples', { type: 'number', describe: `without a dataset: random inputs to score, as many again calibrate [default: ${RANDOM_SAMPLES_MAX}, fewer for big models (samples × MACs ≤ ${RANDOM_MAC_BUDGET.toExponential()})]` })
    .option('calibration', { type: 'string', default: 'max', describe: 'activation range calibration: max | percentile:P' })
    .option('calibration-samples', { type: 'number', default: 500, describe: 'training samples used for calibration' })
    .option('max-accuracy-drop', { type: 'number', default: DEFAULT_PASS_RULE.maxAccuracyDropPp!, describe: 'fail (exit 1) when accuracy falls by more than PP percentage points below float (labelled classification)' })
    .option('max-error-increase', { type: 'number', default: DEFAULT_PASS_RULE.maxErrorIncreasePp!, describe: 'fail (exit 1) when the RMSE grows by more than PP percentage points of the target range (regression)' })
    .option('max-sqnr-drop', { type: 'number', describe: 'fail (exit 1) when a layer\'s SQNR is more than DB below the ideal 6.02·b + 1.76 dB [default: off]' })
    .option('min-agreement', { type: 'number', describe: 'fail (exit 1) when the decisions (argmax, or the 0.5/0 threshold of one output) agree with float on less than F (0–1) [default: off]' })
    .option('engine', { choices: ['fast', 'array'] as const, default: 'fast' as const, describe: 'fast: the loop proven bit-identical to the array; array: the cycle-stepped array (slow)' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const, describe: 'json: the NumericsReport, or an array of them for several precisions' })
    .option('out', { type: 'string', describe: 'also write numerics-report.json, charts/ (.vl.json, .svg, .png) and index.html into this folder' })
    .example(CHECK_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<CheckArgs>;
}

export async function checkCommand(args: CheckArgs, argv: readonly string[] = []): Promise<{ text: string; passed: boolean }> {
  const reports = checkPrecisions(args);
  const data = reports.length === 1 ? reports[0] : reports;
  if (args.out !== undefined) {
    writeFileAtomic(join(args.out, 'numerics-report.json'), `${reportJson(data, 1)}\n`);
    const written = await writeCheckReport(args.out, data, commandLine(argv));
    process.stderr.write(`check: charts in ${join(args.out, 'charts')}, report ${written.html}\n`);
  }
  const text = args.format === 'json' ? `${reportJson(data)}\n` : reports.length === 1 ? checkReportText(reports[0]) : checkComparisonText(reports);
  return { text, passed: reports.every((r) => r.passed) };
}
