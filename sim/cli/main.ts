#!/usr/bin/env node
/**
 * The `systolab` command: yargs wiring only. A failure prints one line (failure.ts): bad input (a SimError or a
 * usage error) exits 2, anything else is a bug and exits 3; 1 is left for `check`'s thresholds. Stack traces only
 * with --debug.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type Failure, failureOf, usageFailure } from './failure.js';
import { type RunArgs, runBuilder, runCommand } from './run-command.js';
import { ALLOW_PATHS_OPTION, type TrainArgs, trainBuilder, trainCommand } from './train-command.js';
import { allowPathsAnywhere } from '../base/files.js';
import { type SimulateArgs, hwCommand, simulateBuilder, simulateCommand } from './simulate-command.js';
import { modelsBuilder, modelsListCommand } from './models-command.js';
import { type ExportArgs, type ImportArgs, exportBuilder, exportCommand, importBuilder, importCommand } from './import-command.js';
import { type CheckArgs, checkBuilder, checkCommand } from './check-command.js';
import { type ReportArgs, reportBuilder, reportCommand } from './report-command.js';
import { type MergeArgs, type SweepArgs, mergeBuilder, mergeCommand, sweepBuilder, sweepCommand } from './sweep-command.js';

const argv = hideBin(process.argv);
// `systolab … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
const debug = argv.includes('--debug');
// Files named inside other files may lie outside their folder only when asked (docs/files.md).
allowPathsAnywhere(argv.includes('--allow-paths'));

function exitWith(f: Failure): never {
  process.stderr.write(f.stderr);
  process.exit(f.exitCode);
}
// An error that escapes the command (an event handler, a promise nobody awaits) is a bug like any other: exit 3.
process.on('uncaughtException', (e) => exitWith(failureOf(e, debug)));
process.on('unhandledRejection', (e) => exitWith(failureOf(e, debug)));

try {
  const cli = yargs(argv);
  // yargs renders a command's whole help text after its handler runs, to show on a later failure: ~17 ms of text
  // measuring on every run, for output we never print (our failures are one line). Skip it.
  (cli as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } })
    .getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
  await cli
    .scriptName('systolab')
    .usage('$0 <command> [options]\n\nSystolab: a DNN systolic-array accelerator simulator with a reference float engine.')
    .command<SimulateArgs>('simulate', 'simulate a model on a systolic array: cycles, MACs, utilization per layer and pass', simulateBuilder, async (a) => {
      process.stdout.write(await simulateCommand(a, argv));
    })
    .command('hw', 'list the hardware presets in hw-configs/', (y) => y.example('$0 hw', 'the presets, with array size, dataflow and SRAM'), () => {
      process.stdout.write(hwCommand());
    })
    .command('models', 'list the built-in models (ResNet, MobileNet, VGG, BERT/GPT-2 layers, course nets…); `models show NAME|FILE` prints a layer table', modelsBuilder, () => {
      process.stdout.write(modelsListCommand());
    })
    .command<RunArgs>('run', 'run a model forward (and backward) in the float engine, printing every layer', runBuilder, (a) => {
      process.stdout.write(runCommand(a));
    })
    .command<TrainArgs>('train', 'train a model on a dataset in the float engine (optimizers, schedules, regularization, splits)', trainBuilder, async (a) => {
      // Epoch lines go to stdout in table format; with --format json, stdout carries only the JSON document.
      // A line per epoch; on a terminal the line is rewritten in place (the last one stays), so long runs stay readable.
      const stream = a.format === 'json' ? process.stderr : process.stdout;
      let live = false;
      const progress = (l: string): void => {
        if (stream.isTTY) {
          stream.write(`\r${l}\x1b[K`);
          live = true;
        } else stream.write(`${l}\n`);
      };
      const out = trainCommand(a, progress);
      if (live) stream.write('\n');
      process.stdout.write(out.text);
      if (out.exitCode !== undefined) process.exitCode = out.exitCode;
      if (out.chartsDir) {
        // The float vs fixed-point loss curves, as for `systolab report DIR` (vega loads only here).
        const { regenerateReport } = await import('../report/write-report.js');
        await regenerateReport(out.chartsDir);
        process.stderr.write(`train: loss-curve chart and report in ${out.chartsDir}/index.html\n`);
      }
    })
    .command<CheckArgs>('check', 'run a model in the hardware\'s number format (int8, q4.12, bf16 …) and compare every layer with the float engine; exit 1 when a threshold fails', checkBuilder, async (a) => {
      const r = await checkCommand(a, argv);
      process.stdout.write(r.text);
      if (!r.passed) process.exitCode = 1;
    })
    .command<SweepArgs>('sweep [spec]', 'design-space sweep: a grid of models × array shapes × dataflows × SRAM × … on all cores, resumable (--resume) and shardable (--shard i/N)', sweepBuilder, async (a) => {
      const r = await sweepCommand(a, argv);
      process.stdout.write(r.text);
      if (r.exitCode !== 0) process.exitCode = r.exitCode;
    })
    .command<MergeArgs>('merge <dirs..>', 'combine sweep result folders (shards, interrupted runs) into one: results.jsonl, results.csv, summary, Pareto front', mergeBuilder, async (a) => {
      process.stdout.write(await mergeCommand(a, argv));
    })
    .command<ReportArgs>('report <dir>', 'charts (.vl.json, .svg, .png) and an offline index.html from a result folder (results.jsonl, cost-report.json …), without re-simulating', reportBuilder, async (a) => {
      process.stdout.write(await reportCommand(a));
    })
    .command<ImportArgs>('import <file>', 'an ONNX model or a SCALE-Sim topology CSV → a Systolab model file (JSON)', importBuilder, (a) => {
      process.stdout.write(importCommand(a));
    })
    .command<ExportArgs>('export [model]', 'a model → a SCALE-Sim topology CSV (--scalesim), to cross-check in SCALE-Sim', exportBuilder, (a) => {
      process.stdout.write(exportCommand(a));
    })
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
    .option('allow-paths', { ...ALLOW_PATHS_OPTION, global: true })
    .demandCommand(1, 'Name a command, e.g. `systolab run`.')
    .strict()
    .recommendCommands()
    .example('$0 simulate', 'ResNet-18 on a 32×32 array: cycles and utilization per layer')
    .example('$0 simulate --model resnet50:batch=8', 'a built-in model (systolab models lists them) with parameters')
    .example('$0 run', 'forward pass of the default model in the float engine, printing every layer')
    .example('$0 train --model pass-fail-mlp --dataset pass-fail --optimizer adam --lr 0.05 --epochs 200', 'train a course network')
    .wrap(null) // unwrapped, so every example can be copied as one line
    .fail((msg, err, usage) => {
      // Usage problems (yargs' own YError, or a failed .check() message) exit 2; anything else is rethrown.
      if (err instanceof Error && err.name !== 'YError') throw err;
      // The options of the command being parsed (yargs' usage instance holds its descriptions), for "did you mean".
      const known = Object.keys((usage as unknown as { getDescriptions(): Record<string, unknown> }).getDescriptions());
      exitWith(usageFailure(msg ?? String(err), known));
    })
    .parseAsync();
} catch (e) {
  exitWith(failureOf(e, debug));
}
