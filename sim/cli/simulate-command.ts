/** `systolab simulate` and `systolab hw`: flags → api/simulate → table / JSON / CSV (+ files). */
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_HW, DEFAULT_SIM_MODEL, type SimulateRequest, simulate, trace, traceRun } from '../api/simulate.js';
import { SimError } from '../base/errors.js';
import { writeFileAtomic } from '../base/files.js';
import type { HwConfig } from '../arch/types.js';
import { hwFlagOptions } from './hw-flags.js';
import { listHwConfigs, loadHwConfig } from '../load/hw.js';
import type { CostReport } from '../run/cost-report.js';
import { costToCsv, costToText } from '../report/cost-table.js';
import { table } from '../report/run-report.js';
import { scalesimReports } from '../report/scalesim-reports.js';
import { traceToText } from '../report/trace-text.js';

export interface SimulateArgs extends SimulateRequest {
  hw: string;
  mode: 'inference' | 'training';
  compat: 'none' | 'scalesim';
  format: 'table' | 'json' | 'csv' | 'scalesim';
  out?: string;
  charts?: boolean;
  trace?: string;
  seed: number;
}

export const SIMULATE_EXAMPLES: readonly [string, string][] = [
  ['simulate', `ResNet-18 (SCALE-Sim's topology) on the ${DEFAULT_HW} preset`],
  ['simulate --model models/tiny-cnn.yaml --array 16x16 --dataflow ws --mode training', 'forward and backward passes on a 16×16 weight-stationary array'],
  ['simulate --model test/fixtures/scalesim/example_conv.csv --hw test/fixtures/scalesim/example_16x16_ws.cfg --compat scalesim --format csv', 'SCALE-Sim\'s files as-is, its numbers'],
  ['simulate --model test/fixtures/scalesim/example_conv.csv --hw test/fixtures/scalesim/example_16x16_ws.cfg --compat scalesim --format scalesim --out reports/scalesim-example', 'SCALE-Sim\'s own three report files, to diff against its output'],
  ['simulate --model models/tiny-cnn.yaml --hw edge-16x16 --sram-kib 8 --dram-bytes-per-cycle 4 --bandwidth-mode user', 'less SRAM and a narrow DRAM bus, enforced: the stalls show up in the cycles'],
  ['simulate --model models/tiny-cnn.yaml --precision int4 --clock-mhz 500', '4-bit operands at 500 MHz'],
  ['simulate --model resnet18 --sram-kib 32 --mapper search --objective edp', 'the mapper picks each layer\'s fold loop order for the least EDP; the loop nests are printed'],
  ['simulate --model alexnet --hw eyeriss --batch 4', 'Eyeriss\' row-stationary dataflow: each layer\'s PE sets, spad and global-buffer mapping as a loop nest, DRAM accesses per MAC'],
  ['simulate --model alexnet --hw eyeriss --mapper search --objective energy', 'and the mapper\'s least-energy temporal mapping per layer (p, q, the GLB tile and loop order)'],
  ['simulate --trace 2x3x2 --array 2x2 --dataflow os', 'cycle by cycle: what every PE of a 2×2 output-stationary array holds while it multiplies a 2×3 by a 3×2 matrix'],
];

export function simulateBuilder(y: Argv): Argv<SimulateArgs> {
  return y
    .option('model', { type: 'string', describe: `model file (YAML/JSON, SCALE-Sim topology .csv) or a built-in name [default: ${DEFAULT_SIM_MODEL}]` })
    .option('hw', { type: 'string', default: DEFAULT_HW, describe: 'hardware preset name (systolab hw lists them), a YAML file or a SCALE-Sim .cfg' })
    .options(hwFlagOptions((describe) => `${describe} (overrides the config)`))
    .option('mac-pipeline-cycles', { type: 'number', describe: 'MAC pipeline depth d ≥ 1 (d − 1 extra cycles per fold)' })
    .option('mode', { choices: ['inference', 'training'] as const, default: 'inference' as const, describe: 'training adds backwardData, backwardWeight and update passes' })
    .option('batch', { type: 'number', describe: 'batch size (overrides the model\'s input batch)' })
    .option('compat', { choices: ['none', 'scalesim'] as const, default: 'none' as const, describe: 'scalesim: reproduce SCALE-Sim v2\'s reported numbers, quirks included' })
    .option('mapper', { choices: ['fixed', 'search'] as const, default: 'fixed' as const, describe: 'fixed: column folds outer (what the PE array and the RTL run), or rs\'s greedy temporal mapping; search: per layer, the fold loop order and, for ws/is, chunks of the streamed dim that keep partial sums on chip, or for rs the temporal mapping (a pruned search), with the least --objective (default mode only)' })
    .option('objective', { choices: ['latency', 'energy', 'edp'] as const, default: 'edp' as const, describe: 'what --mapper search minimizes' })
    .option('format', { choices: ['table', 'json', 'csv', 'scalesim'] as const, default: 'table' as const, describe: 'scalesim (with --compat scalesim --out DIR): SCALE-Sim v2\'s own COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv' })
    .option('out', { type: 'string', describe: 'also write cost-report.json, layers.csv, charts/ (.vl.json, .svg, .png) and index.html into this folder [default with --format table: reports/simulate-MODEL-HW-MODE, e.g. reports/simulate-scalesim-resnet18-scalesim-32x32-inference]' })
    .option('charts', { type: 'boolean', default: true, describe: 'write charts and index.html with the files (--no-charts: only cost-report.json and layers.csv; with --format table and no --out, nothing)' })
    .option('trace', { type: 'string', describe: 'trace one GEMM MxKxN (e.g. 2x3x2) cycle by cycle on the cycle-stepped array (small arrays only); --format json for the snapshots' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of the random small-integer operands of --trace' })
    .example(SIMULATE_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<SimulateArgs>;
}

/** node:crypto loads some twenty internal modules (≈ 5 ms): required only when a default folder name needs a hash. */
function sha256Hex(text: string): string {
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The default report folder of a table-format run, named by what decides the numbers — model, hardware, mode — so
 * runs of different configurations never overwrite each other: `reports/simulate-MODEL-HW-MODE[-bB][-scalesim]`.
 * HW is the preset or config-file name; when flags changed the config, the changed array, dataflow and precision
 * follow it, and a short hash of the whole config when anything else (SRAM, bandwidth, clock …) changed too.
 */
export function defaultSimulateOut(report: CostReport, base: HwConfig, batch?: number): string {
  const hw = report.hw;
  const parts = [basename(hw.source ?? 'hw').replace(/\.(ya?ml|json|cfg)$/i, '')];
  if (hw.array.rows !== base.array.rows || hw.array.cols !== base.array.cols) parts.push(`${hw.array.rows}x${hw.array.cols}`);
  if (hw.array.dataflow !== base.array.dataflow) parts.push(hw.array.dataflow);
  if (hw.numerics.input !== base.numerics.input || hw.numerics.weight !== base.numerics.weight) parts.push(hw.numerics.input);
  const readable = { ...base, array: { ...base.array, rows: hw.array.rows, cols: hw.array.cols, dataflow: hw.array.dataflow }, numerics: { ...base.numerics, input: hw.numerics.input, weight: hw.numerics.weight } };
  if (JSON.stringify(readable) !== JSON.stringify(hw)) parts.push(sha256Hex(JSON.stringify(hw)).slice(0, 6));
  const name = [report.model, ...parts, report.mode, ...(batch !== undefined ? [`b${batch}`] : []), ...(report.compat === 'none' ? [] : [report.compat])]
    .join('-').replace(/[^\w.-]+/g, '_');
  return join('reports', `simulate-${name}`);
}

export async function simulateCommand(args: SimulateArgs, argv: readonly string[] = []): Promise<string> {
  if (args.trace !== undefined) {
    const request = { ...args, gemm: args.trace };
    return args.format === 'json' ? `${JSON.stringify(trace(request))}\n` : traceToText(traceRun(request));
  }
  if (args.format === 'scalesim') return scalesimFormat(args);
  const report = simulate(args);
  const json = `${JSON.stringify(report, null, 1)}\n`;
  const charts = args.charts !== false;
  const out = args.out ?? (args.format === 'table' && charts ? defaultSimulateOut(report, loadHwConfig(args.hw), args.batch) : undefined);
  if (out) {
    writeFileAtomic(join(out, 'cost-report.json'), json);
    writeFileAtomic(join(out, 'layers.csv'), costToCsv(report));
    if (charts) {
      // The chart and HTML writers (and every other command's report code beside them) load only for charts.
      const { commandLine, writeSimulateReport } = await import('../report/write-report.js');
      const written = await writeSimulateReport(out, report, commandLine(argv));
      process.stderr.write(`simulate: charts in ${join(out, 'charts')}, report ${written.html}\n`);
    }
  }
  return args.format === 'json' ? json : args.format === 'csv' ? costToCsv(report) : costToText(report);
}

/** `--format scalesim`: the three report files SCALE-Sim v2 writes, in its layout, into --out. */
function scalesimFormat(args: SimulateArgs): string {
  const need = (ok: boolean, path: string, problem: string, hint: string) => {
    if (!ok) throw new SimError(problem, { code: 'badValue', path, hint });
  };
  need(args.compat === 'scalesim', '--compat', '--format scalesim needs --compat scalesim (only that model computes SCALE-Sim\'s report columns)', 'Add --compat scalesim.');
  need(args.mode === 'inference', '--mode', '--format scalesim writes SCALE-Sim\'s inference reports; it has no training passes', 'Drop --mode training, or use --format json.');
  need(args.out !== undefined, '--out', '--format scalesim writes three files and needs a folder', 'Example: --out reports/scalesim-resnet18.');
  const report = simulate(args);
  const rows = report.layers.flatMap((l) => (l.kind === 'gemm' && l.scalesim ? [l.scalesim] : []));
  const files = scalesimReports(rows);
  const out = args.out!;
  const written = [['COMPUTE_REPORT.csv', files.compute], ['BANDWIDTH_REPORT.csv', files.bandwidth], ['DETAILED_ACCESS_REPORT.csv', files.detailed]]
    .map(([name, text]) => { writeFileAtomic(join(out, name), text); return join(out, name); });
  return `SCALE-Sim v2's report files for ${rows.length} layer${rows.length === 1 ? '' : 's'} (its layout and units: cycles, words, words/cycle, %):\n${written.map((f) => `  ${f}`).join('\n')}\n`;
}

export function hwCommand(): string {
  const rows = listHwConfigs().map(({ name, config: c }) => [
    name, `${c.array.rows}×${c.array.cols}`, c.array.dataflow, `${c.numerics.input}/${c.numerics.weight}`,
    `${c.sram.ifmapKib}/${c.sram.filterKib}/${c.sram.ofmapKib}`, String(c.clockHz / 1e6), c.description ?? '',
  ]);
  return `${table(['name', 'array rows×cols', 'dataflow', 'operands', 'SRAM KiB ifmap/filter/ofmap', 'clock MHz', 'description'], rows, new Set([5]))}\n\nUse one with: systolab simulate --hw NAME (or a YAML file, or a SCALE-Sim .cfg).\n`;
}
