/** `systolab run`: flags → files → runModel → printed table or JSON (and --out FILE written atomically). */
import { writeFileAtomic } from '../base/files.js';
import type { Argv } from 'yargs';
import { SimError } from '../base/errors.js';
import { loadAnyModel, DEFAULT_MODEL, resolveModel } from '../load/model.js';
import { LOSS_KINDS, type LossKind, type Reduction } from '../float/losses.js';
import type { Tensor } from '../float/tensor.js';
import { runModel } from '../run/run-model.js';
import { runToJson, runToText } from '../report/run-report.js';
import { readInputsFile, readTensorFile } from '../load/tensors.js';

export interface RunArgs {
  model?: string;
  input?: string;
  upstream?: string;
  loss?: LossKind;
  target?: string;
  reduction: Reduction;
  trainMode: boolean;
  seed: number;
  format: 'table' | 'json';
  full: boolean;
  out?: string;
}

/** `--help` examples, [command without the program name, what it shows]; test/cli runs every one. */
export const RUN_EXAMPLES: readonly [string, string][] = [
  ['run', `forward pass of the default model (${DEFAULT_MODEL}) on a random input`],
  [
    'run --model models/examples/xor-mlp.yaml --input models/examples/xor-x.json --loss bce --target models/examples/xor-t.json',
    'forward, BCE loss and backward on the XOR network',
  ],
  [
    'run --model models/examples/xor-mlp.yaml --input models/examples/xor-x.json --upstream models/examples/xor-dy.json --format json',
    'gradients for a given dL/d(output), as JSON',
  ],
];

export function runBuilder(y: Argv): Argv<RunArgs> {
  return y
    .option('model', { type: 'string', describe: `model file (YAML or JSON; see models/README.md) [default: ${DEFAULT_MODEL}]` })
    .option('input', { type: 'string', describe: 'input tensor JSON, or an object mapping input names to tensors [default: N(0, 1) from --seed]' })
    .option('upstream', { type: 'string', describe: 'dL/d(final output) as a tensor JSON: runs the backward pass' })
    .option('loss', { choices: LOSS_KINDS, describe: 'loss on the final output (needs --target); its gradient is back-propagated' })
    .option('target', { type: 'string', describe: 'loss target tensor JSON (class indices [N] for softmax-ce)' })
    .option('reduction', { choices: ['mean', 'sum'] as const, default: 'mean' as Reduction, describe: 'loss reduction' })
    .option('train-mode', { type: 'boolean', default: false, describe: 'training mode: batch norm uses batch statistics, dropout drops' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of random inputs and dropout masks' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
    .option('full', { type: 'boolean', default: false, describe: 'table format: print every value, not the first 8' })
    .option('out', { type: 'string', describe: 'also write the JSON result to this file' })
    .check((a) => {
      if (a.loss !== undefined && a.target === undefined) return '--loss needs --target FILE.json';
      if (a.target !== undefined && a.loss === undefined) return `--target needs --loss (${LOSS_KINDS.join('|')})`;
      if (a.upstream !== undefined && a.loss !== undefined) return 'give --upstream or --loss, not both';
      return true;
    })
    .example(RUN_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<RunArgs>;
}

export function runCommand(args: RunArgs): string {
  const graph = loadAnyModel(resolveModel(args.model));
  const inputNames = graph.layers.filter((l) => l.kind === 'input').map((l) => l.name);
  const inputs: Record<string, Tensor> = args.input ? readInputsFile(args.input, inputNames) : {};
  const upstream = args.upstream ? readTensorFile(args.upstream) : undefined;
  const loss = args.loss && args.target ? { kind: args.loss, target: readTensorFile(args.target), reduction: args.reduction } : undefined;
  const result = attributeRun(() => runModel({ graph, inputs, training: args.trainMode, seed: args.seed, upstream, loss }), args);
  const json = `${JSON.stringify(runToJson(result), null, args.format === 'json' ? 1 : undefined)}\n`;
  if (args.out) writeFileAtomic(args.out, json);
  return args.format === 'json' ? json : `${runToText(result, args.full)}\n`;
}

/** Shape problems of a given tensor are reported against the file it came from. */
function attributeRun<T>(run: () => T, args: RunArgs): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof SimError) || e.file !== undefined) throw e;
    const path = e.path ?? '';
    const file = path.startsWith('inputs') ? args.input : path.startsWith('upstream') ? args.upstream : path.startsWith('target') ? args.target : undefined;
    throw file ? e.inFile(file) : e;
  }
}
