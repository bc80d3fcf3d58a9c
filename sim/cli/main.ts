/**
 * The `systolab` command: yargs wiring only. A failure prints one line (failure.ts): bad input (a SimError or a
 * usage error) exits 2, anything else is a bug and exits 3; 1 is left for `check`'s thresholds. Stack traces only
 * with --debug.
 *
 * Start-up is paid on every run (and hundreds of times by the test suite), so only the command being run is loaded:
 * COMMANDS names each command and imports its module on demand (evaluated only then in the bundle,
 * scripts/bundle.mjs), and yargs is told about that one command. Without a known command (`--help`, `--version`, a
 * typo) every command is registered by name and description only, which is all the top-level help and "did you
 * mean" need.
 */
import yargs, { type Argv } from 'yargs';
import { type Failure, failureOf, usageFailure } from './failure.js';
import { ALLOW_PATHS_OPTION } from './allow-paths.js';
import { allowPathsAnywhere } from '../base/files.js';
import { packageVersion } from '../base/package-root.js';

// What hideBin (yargs/helpers) returns for node itself; importing yargs/helpers would load a second parser.
const argv = process.argv.slice(2);
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

/** A command's options and what it does, from its module. */
interface Loaded {
  builder(y: Argv): Argv;
  handler(args: never): void | Promise<void>;
}

interface Command {
  /** yargs' command string: the name, then its positionals. */
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<Loaded>;
}

const COMMANDS: readonly Command[] = [
  {
    command: 'simulate', describe: 'simulate a model on a systolic array: cycles, MACs, utilization per layer and pass',
    load: async () => {
      const m = await import('./simulate-command.js');
      return { builder: m.simulateBuilder, handler: async (a: import('./simulate-command.js').SimulateArgs) => { process.stdout.write(await m.simulateCommand(a, argv)); } };
    },
  },
  {
    command: 'hw', describe: 'list the hardware presets in hw-configs/',
    load: async () => {
      const m = await import('./simulate-command.js');
      return { builder: (y) => y.example('$0 hw', 'the presets, with array size, dataflow and SRAM'), handler: () => { process.stdout.write(m.hwCommand()); } };
    },
  },
  {
    command: 'models', describe: 'list the built-in models (ResNet, MobileNet, VGG, BERT/GPT-2 layers, course nets…); `models show NAME|FILE` prints a layer table',
    load: async () => {
      const m = await import('./models-command.js');
      return { builder: m.modelsBuilder, handler: () => { process.stdout.write(m.modelsListCommand()); } };
    },
  },
  {
    command: 'run', describe: 'run a model forward (and backward) in the float engine, printing every layer',
    load: async () => {
      const m = await import('./run-command.js');
      return { builder: m.runBuilder, handler: (a: import('./run-command.js').RunArgs) => { process.stdout.write(m.runCommand(a)); } };
    },
  },
  {
    command: 'train', describe: 'train a model on a dataset in the float engine (optimizers, schedules, regularization, splits)',
    load: async () => {
      const m = await import('./train-command.js');
      return { builder: m.trainBuilder, handler: (a: import('./train-command.js').TrainArgs) => trainHandler(m.trainCommand, a) };
    },
  },
  {
    command: 'check', describe: 'run a model in the hardware\'s number format (int8, q4.12, bf16 …) and compare every layer with the float engine; exit 1 when a threshold fails',
    load: async () => {
      const m = await import('./check-command.js');
      return {
        builder: m.checkBuilder,
        handler: async (a: import('./check-command.js').CheckArgs) => {
          const r = await m.checkCommand(a, argv);
          process.stdout.write(r.text);
          if (!r.passed) process.exitCode = 1;
        },
      };
    },
  },
  {
    command: 'sweep [spec]', describe: 'design-space sweep: a grid of models × array shapes × dataflows × SRAM × …, resumable (--resume) and shardable (--shard i/N)',
    load: async () => {
      const m = await import('./sweep-command.js');
      return {
        builder: m.sweepBuilder,
        handler: async (a: import('./sweep-command.js').SweepArgs) => {
          const r = await m.sweepCommand(a, argv);
          process.stdout.write(r.text);
          if (r.exitCode !== 0) process.exitCode = r.exitCode;
        },
      };
    },
  },
  {
    command: 'merge <dirs..>', describe: 'combine sweep result folders (shards, interrupted runs) into one: results.jsonl, results.csv, summary, Pareto front',
    load: async () => {
      const m = await import('./sweep-command.js');
      return { builder: m.mergeBuilder, handler: async (a: import('./sweep-command.js').MergeArgs) => { process.stdout.write(await m.mergeCommand(a, argv)); } };
    },
  },
  {
    command: 'slurm-status <dir>', describe: 'what became of a Slurm sweep (sweep --slurm): each task done, pending, running or failed, and how to rerun only the failed ones',
    load: async () => {
      const m = await import('./slurm-command.js');
      return {
        builder: m.slurmStatusBuilder,
        handler: (a: import('./slurm-command.js').SlurmStatusArgs) => {
          const r = m.slurmStatusCommand(a);
          process.stdout.write(r.text);
          if (r.exitCode !== 0) process.exitCode = r.exitCode;
        },
      };
    },
  },
  {
    command: 'report <dir>', describe: 'charts (.vl.json, .svg, .png) and an offline index.html from a result folder (results.jsonl, cost-report.json …), without re-simulating',
    load: async () => {
      const m = await import('./report-command.js');
      return { builder: m.reportBuilder, handler: async (a: import('./report-command.js').ReportArgs) => { process.stdout.write(await m.reportCommand(a)); } };
    },
  },
  {
    command: 'map', describe: 'how the row-stationary dataflow folds each layer onto the array: PE sets, strips, passes, PEs at work',
    load: async () => {
      const m = await import('./map-command.js');
      return { builder: m.mapBuilder, handler: (a: import('./map-command.js').MapArgs) => { process.stdout.write(m.mapCommand(a)); } };
    },
  },
  {
    command: 'playground', describe: 'the browser playground: train a small network and watch what it costs on the array (serves it on 127.0.0.1)',
    load: async () => {
      const m = await import('./playground-command.js');
      return { builder: m.playgroundBuilder, handler: (a: import('./playground-command.js').PlaygroundArgs) => m.playgroundCommand(a, (t) => process.stdout.write(t)) };
    },
  },
  {
    command: 'validate', describe: 'published figures of built accelerators (TPU v1, Eyeriss, Gemmini) beside Systolab\'s: error, tolerance, and why a row misses',
    load: async () => {
      const m = await import('./validate-command.js');
      return {
        builder: m.validateBuilder,
        handler: async (a: import('./validate-command.js').ValidateArgs) => {
          const r = await m.validateCommand(a, argv);
          process.stdout.write(r.text);
          process.exitCode = r.exitCode;
        },
      };
    },
  },
  {
    command: 'rtl <action>', describe: 'Verilog of the configured array (rtl gen), co-simulated under Icarus Verilog against the PE array, cycle for cycle (rtl sim), synthesized with Yosys (rtl synth); patterns and a grader for your own Verilog array (rtl lab, rtl check)',
    load: async () => {
      const m = await import('./rtl-command.js');
      return {
        builder: m.rtlBuilder,
        handler: async (a: import('./rtl-command.js').RtlArgs) => {
          const r = await m.rtlCommand(a, argv);
          process.stdout.write(r.text);
          process.exitCode = r.exitCode;
        },
      };
    },
  },
  {
    command: 'import <file>', describe: 'an ONNX model or a SCALE-Sim topology CSV → a Systolab model file (JSON)',
    load: async () => {
      const m = await import('./import-command.js');
      return { builder: m.importBuilder, handler: (a: import('./import-command.js').ImportArgs) => { process.stdout.write(m.importCommand(a)); } };
    },
  },
  {
    command: 'export [model]', describe: 'a model → a SCALE-Sim topology CSV (--scalesim), to cross-check in SCALE-Sim',
    load: async () => {
      const m = await import('./import-command.js');
      return { builder: m.exportBuilder, handler: (a: import('./import-command.js').ExportArgs) => { process.stdout.write(m.exportCommand(a)); } };
    },
  },
];

/** `train`: epoch lines while it runs, then the report (and charts when it wrote files). */
async function trainHandler(trainCommand: typeof import('./train-command.js').trainCommand, a: import('./train-command.js').TrainArgs): Promise<void> {
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
}

/** The command yargs will run: the first word that is not a flag (the global flags take no value). */
const named = argv.find((a) => !a.startsWith('-'));
const chosen = COMMANDS.find((c) => c.command.split(' ')[0] === named);

/**
 * Parses the command line and runs the command. A function, not top-level await: the bundle is CommonJS, so that its
 * launcher can hand V8 a code cache (scripts/bundle.mjs).
 */
async function main(): Promise<void> {
  const cli = yargs(argv);
  // yargs renders a command's whole help text after its handler runs, to show on a later failure: ~17 ms of text
  // measuring on every run, for output we never print (our failures are one line). Skip it.
  (cli as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } })
    .getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
  if (chosen) {
    const { builder, handler } = await chosen.load();
    cli.command(chosen.command, chosen.describe, builder, handler as (args: unknown) => void | Promise<void>);
  } else {
    for (const c of COMMANDS) cli.command(c.command, c.describe);
  }
  await cli
    .scriptName('systolab')
    // The package's own version: yargs would look for the package.json nearest the working folder.
    .version(packageVersion())
    .usage('$0 <command> [options]\n\nSystolab: a DNN systolic-array accelerator simulator with a reference float engine.')
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
}

main().catch((e: unknown) => exitWith(failureOf(e, debug)));
