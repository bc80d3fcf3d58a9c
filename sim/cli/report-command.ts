/** `systolab report DIR`: charts and index.html again from a result folder's data files, without re-simulating. */
import type { Argv } from 'yargs';
import { regenerateReport } from '../report/write-report.js';

export interface ReportArgs {
  dir: string;
}

export const REPORT_EXAMPLES: readonly [string, string][] = [
  ['report reports/simulate-scalesim-resnet18-scalesim-32x32-inference', 'charts/ and index.html of a simulate --out folder, from its cost-report.json'],
  ['report reports/sweep-resnet50-1a2b3c4d', 'charts/ and index.html of a sweep (or merge) folder, from its results.jsonl'],
  ['report reports/check-lenet', 'the same for a check --out folder (numerics-report.json) or a train folder (history.json)'],
];

export function reportBuilder(y: Argv): Argv<ReportArgs> {
  return y
    .positional('dir', { type: 'string', demandOption: true, describe: 'a folder written by simulate --out, sweep, merge, check --out or train' })
    .example(REPORT_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<ReportArgs>;
}

export async function reportCommand(args: ReportArgs): Promise<string> {
  const { kind, written, note } = await regenerateReport(args.dir);
  if (note) process.stderr.write(`report: ${note}\n`);
  return `${kind} report: ${written.charts.length} chart file(s) in ${args.dir}/charts, ${written.html}\n`;
}
