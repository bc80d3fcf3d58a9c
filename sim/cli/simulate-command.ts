/** `systolab simulate` and `systolab hw`: flags → model + hardware config → simulate → table / JSON / CSV (+ files). */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Argv } from 'yargs';
import { SimError } from '../base/errors.js';
import { listHwConfigs, loadHwConfig, withOverrides } from '../load/hw.js';
import { DATAFLOWS, type Dataflow, PRECISIONS, type Precision } from '../arch/types.js';
import { loadAnyModel } from '../load/model.js';
import { simulate } from '../run/simulate.js';
import { timeGemm } from '../timing/gemm-timing.js';
import { costToCsv, costToText } from '../report/cost-table.js';
import { table } from '../report/run-report.js';
import { commandLine, writeSimulateReport } from '../report/write-report.js';
import { PACKAGE_ROOT, resolveModel } from '../load/defaults.js';
import { writeFileAtomic } from '../load/tensors.js';
import { formatTrace, traceGemm } from '../array/trace.js';
import { createRng } from '../float/rng.js';

export const DEFAULT_SIM_MODEL = 'models/scalesim/resnet18.csv';
export const DEFAULT_HW = 'scalesim-32x32';

export interface SimulateArgs {
  model?: string;
  hw: string;
  array?: string;
  dataflow?: Dataflow;
  precision?: Precision;
  macPipelineCycles?: number;
  mode: 'inference' | 'training';
  batch?: number;
  compat: 'none' | 'scalesim';
  format: 'table' | 'json' | 'csv';
  out?: string;
  charts?: boolean;
  trace?: string;
  seed: number;
}

export const SIMULATE_EXAMPLES: readonly [string, string][] = [
  ['simulate', `ResNet-18 (SCALE-Sim's topology) on the ${DEFAULT_HW} preset`],
  ['simulate --model models/tiny-cnn.yaml --array 16x16 --dataflow ws --mode training', 'forward and backward passes on a 16×16 weight-stationary array'],
  ['simulate --model test/fixtures/scalesim/example_conv.csv --hw test/fixtures/scalesim/example_16x16_ws.cfg --compat scalesim --format csv', 'SCALE-Sim\'s files as-is, its numbers'],
  ['simulate --trace 2x3x2 --array 2x2 --dataflow os', 'cycle by cycle: what every PE of a 2×2 output-stationary array holds while it multiplies a 2×3 by a 3×2 matrix'],
];

export function version(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
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

export function simulateBuilder(y: Argv): Argv<SimulateArgs> {
  return y
    .option('model', { type: 'string', describe: `model file (YAML/JSON, SCALE-Sim topology .csv) or a built-in name [default: ${DEFAULT_SIM_MODEL}]` })
    .option('hw', { type: 'string', default: DEFAULT_HW, describe: 'hardware preset name (systolab hw lists them), a YAML file or a SCALE-Sim .cfg' })
    .option('array', { type: 'string', describe: 'array size ROWSxCOLS, e.g. 16x64 (overrides the config)' })
    .option('dataflow', { choices: DATAFLOWS, describe: 'os (output stationary), ws (weight stationary), is (input stationary)' })
    .option('precision', { choices: PRECISIONS, describe: 'operand format of activations and weights (overrides the config)' })
    .option('mac-pipeline-cycles', { type: 'number', describe: 'MAC pipeline depth d ≥ 1 (d − 1 extra cycles per fold)' })
    .option('mode', { choices: ['inference', 'training'] as const, default: 'inference' as const, describe: 'training adds backwardData, backwardWeight and update passes' })
    .option('batch', { type: 'number', describe: 'batch size (overrides the model\'s input batch)' })
    .option('compat', { choices: ['none', 'scalesim'] as const, default: 'none' as const, describe: 'scalesim: reproduce SCALE-Sim v2\'s reported numbers, quirks included' })
    .option('format', { choices: ['table', 'json', 'csv'] as const, default: 'table' as const })
    .option('out', { type: 'string', describe: 'also write cost-report.json, layers.csv, charts/ (.vl.json, .svg, .png) and index.html into this folder [default with --format table: reports/simulate-<model>]' })
    .option('charts', { type: 'boolean', default: true, describe: 'write charts and index.html with the files (--no-charts: only cost-report.json and layers.csv; with --format table and no --out, nothing)' })
    .option('trace', { type: 'string', describe: 'trace one GEMM MxKxN (e.g. 2x3x2) cycle by cycle on the cycle-stepped array (small arrays only); --format json for the snapshots' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of the random small-integer operands of --trace' })
    .example(SIMULATE_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<SimulateArgs>;
}

/** The default report folder of a table-format run: reports/simulate-<model file stem or built-in name>. */
export function defaultSimulateOut(model: string | undefined): string {
  const stem = basename(model ?? DEFAULT_SIM_MODEL).replace(/\.(ya?ml|json|csv|onnx)$/i, '').replace(/[^\w.-]+/g, '_');
  return join('reports', `simulate-${stem}`);
}

export async function simulateCommand(args: SimulateArgs, argv: readonly string[] = []): Promise<string> {
  if (args.trace !== undefined) return traceCommand(args, args.trace);
  if (args.batch !== undefined && !(Number.isInteger(args.batch) && args.batch >= 1)) {
    throw new SimError('must be an integer ≥ 1', { code: 'badValue', path: '--batch', value: args.batch });
  }
  const graph = loadAnyModel(args.model === undefined ? resolveModel(DEFAULT_SIM_MODEL) : resolveModel(args.model));
  const hw = withOverrides(loadHwConfig(args.hw), {
    ...(args.array ? parseArray(args.array) : {}), dataflow: args.dataflow, precision: args.precision,
    macPipelineCycles: args.macPipelineCycles,
  });
  const report = simulate(graph, hw, { mode: args.mode, compat: args.compat, batch: args.batch, version: version() });
  const json = `${JSON.stringify(report, null, 1)}\n`;
  const charts = args.charts !== false;
  const out = args.out ?? (args.format === 'table' && charts ? defaultSimulateOut(args.model) : undefined);
  if (out) {
    writeFileAtomic(join(out, 'cost-report.json'), json);
    writeFileAtomic(join(out, 'layers.csv'), costToCsv(report));
    if (charts) {
      const written = await writeSimulateReport(out, report, commandLine(argv));
      process.stderr.write(`simulate: charts in ${join(out, 'charts')}, report ${written.html}\n`);
    }
  }
  return args.format === 'json' ? json : args.format === 'csv' ? costToCsv(report) : costToText(report);
}

export function hwCommand(): string {
  const rows = listHwConfigs().map(({ name, config: c }) => [
    name, `${c.array.rows}×${c.array.cols}`, c.array.dataflow, `${c.numerics.input}/${c.numerics.weight}`,
    `${c.sram.ifmapKib}/${c.sram.filterKib}/${c.sram.ofmapKib}`, String(c.clockHz / 1e6), c.description ?? '',
  ]);
  return `${table(['name', 'array rows×cols', 'dataflow', 'operands', 'SRAM KiB ifmap/filter/ofmap', 'clock MHz', 'description'], rows, new Set([5]))}\n\nUse one with: systolab simulate --hw NAME (or a YAML file, or a SCALE-Sim .cfg).\n`;
}

/** `--trace MxKxN`: random operands in −3…3 from --seed, traced on the cycle-stepped array, checked against a plain GEMM. */
function traceCommand(args: SimulateArgs, spec: string): string {
  const dims = /^(\d+)x(\d+)x(\d+)$/i.exec(spec.trim());
  const [m, k, n] = dims ? [Number(dims[1]), Number(dims[2]), Number(dims[3])] : [NaN, NaN, NaN];
  if (!dims || !(m >= 1 && k >= 1 && n >= 1)) {
    throw new SimError('must be MxKxN with positive integers', { code: 'badValue', path: '--trace', value: spec, hint: 'Example: --trace 2x3x2 (A is 2×3, B is 3×2).' });
  }
  if (!Number.isInteger(args.seed)) throw new SimError('must be an integer', { code: 'badValue', path: '--seed', value: args.seed });
  const hw = withOverrides(loadHwConfig(args.hw), {
    ...(args.array ? parseArray(args.array) : {}), dataflow: args.dataflow, precision: args.precision, macPipelineCycles: args.macPipelineCycles,
  });
  const rng = createRng(args.seed);
  const draw = (len: number) => Float64Array.from({ length: len }, () => Math.floor(rng.uniform() * 7) - 3);
  const a = draw(m * k), b = draw(k * n);
  const shape = { ...hw.array };
  const accumulatorBits = Math.min(64, Math.max(2, hw.numerics.accumulatorBits));
  const trace = traceGemm({ m, k, n, a, b }, shape, { kind: 'int', accumulatorBits, overflow: 'saturate' });
  const plain = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) plain[i * n + j] += a[i * k + p] * b[p * n + j];
  const matches = trace.run.c.every((x, i) => x === plain[i]);
  const rowsOf = (x: Float64Array, cols: number) => Array.from({ length: x.length / cols }, (_, i) => Array.from(x.subarray(i * cols, (i + 1) * cols)));
  const timingCycles = timeGemm(m, k, n, shape).computeCycles;
  if (args.format === 'json') {
    return `${JSON.stringify({
      array: shape, gemm: { m, k, n }, seed: args.seed, accumulatorBits, a: rowsOf(a, k), b: rowsOf(b, n),
      cycles: trace.cycles, c: rowsOf(trace.run.c, n), plainGemm: rowsOf(plain, n), matchesPlainGemm: matches,
      computeCycles: trace.run.computeCycles, timingModelCycles: timingCycles, macs: trace.run.macs,
      busyCycles: rowsOf(trace.run.busyCycles, shape.cols),
    })}\n`;
  }
  const mat = (rows: number[][]) => rows.map((r) => `  [${r.map((x) => String(x).padStart(3)).join(' ')} ]`).join('\n');
  return [
    `A (${m}×${k}, seed ${args.seed}):`, mat(rowsOf(a, k)), `B (${k}×${n}):`, mat(rowsOf(b, n)), '',
    formatTrace(trace),
    `C = A·B from the array:`, mat(rowsOf(trace.run.c, n)),
    `${matches ? 'matches' : 'DOES NOT MATCH'} the plain GEMM; ${trace.run.computeCycles} cycles (fast timing model: ${timingCycles}), ${trace.run.macs} MACs, ${trace.run.folds} fold(s).`,
    '',
  ].join('\n');
}
