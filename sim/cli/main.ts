#!/usr/bin/env node
/**
 * The `systolab` command: yargs wiring only. Bad input (a SimError or a usage error) prints one line and exits 2;
 * anything else is a bug, exit 1. Stack traces only with --debug.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SimError } from '../errors.js';
import { type RunArgs, runBuilder, runCommand } from './run-command.js';
import { type TrainArgs, trainBuilder, trainCommand } from './train-command.js';

const argv = hideBin(process.argv);
const debug = argv.includes('--debug');

function report(e: unknown): never {
  if (e instanceof SimError) {
    process.stderr.write(`systolab: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack}\n`);
    process.exit(2);
  }
  process.stderr.write(`systolab: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.stderr.write(debug && e instanceof Error ? `${e.stack}\n` : 'Run again with --debug for the stack trace, and please report it.\n');
  process.exit(1);
}

try {
  await yargs(argv)
    .scriptName('systolab')
    .usage('$0 <command> [options]\n\nSystolab: a DNN systolic-array accelerator simulator with a reference float engine.')
    .command<RunArgs>('run', 'run a model forward (and backward) in the float engine, printing every layer', runBuilder, (a) => {
      process.stdout.write(runCommand(a));
    })
    .command<TrainArgs>('train', 'train a model on a dataset in the float engine (optimizers, schedules, regularization, splits)', trainBuilder, (a) => {
      // Epoch lines go to stdout in table format; with --format json, stdout carries only the JSON document.
      const progress = a.format === 'json' ? (l: string) => process.stderr.write(`${l}\n`) : (l: string) => process.stdout.write(`${l}\n`);
      process.stdout.write(trainCommand(a, progress));
    })
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
    .demandCommand(1, 'Name a command, e.g. `systolab run`.')
    .strict()
    .recommendCommands()
    .example('$0 run', 'forward pass of the default model, printing every layer')
    .wrap(null) // unwrapped, so every example can be copied as one line
    .fail((msg, err) => {
      // Usage problems (yargs' own YError, or a failed .check() message) exit 2; anything else is rethrown.
      if (err instanceof Error && err.name !== 'YError') throw err;
      process.stderr.write(`systolab: ${msg ?? String(err)}\nRun \`systolab --help\` (or \`systolab <command> --help\`) for usage.\n`);
      process.exit(2);
    })
    .parseAsync();
} catch (e) {
  report(e);
}
