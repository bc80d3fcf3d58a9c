/** `systolab check`: flags → api/check → per-layer table and summary, or JSON (+ report files). */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_CHECK_MODEL, check } from '../api/check.js';
import { DEFAULT_HW } from '../api/simulate.js';
import { writeFileAtomic } from '../base/files.js';
import { ROUNDINGS, type Rounding } from '../fixed/rounding.js';
import { checkReportText } from '../report/check-text.js';
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

export async function checkCommand(args: CheckArgs, argv: readonly string[] = []): Promise<{ text: string; passed: boolean }> {
  const report = check(args);
  if (args.out !== undefined) {
    writeFileAtomic(join(args.out, 'numerics-report.json'), `${JSON.stringify(report, null, 1)}\n`);
    const written = await writeCheckReport(args.out, report, commandLine(argv));
    process.stderr.write(`check: charts in ${join(args.out, 'charts')}, report ${written.html}\n`);
  }
  return { text: args.format === 'json' ? `${JSON.stringify(report)}\n` : checkReportText(report), passed: report.passed };
}
