/**
 * `systolab models`: the built-in models (models/zoo/index.ts) with their parameters, forward MACs and parameter counts
 * at the defaults; `systolab models show NAME|FILE`: a model's layer table (inputs, output shape, MACs, parameters).
 * MACs are Σ m·k·n over the forward GEMMs `lowerGraph` emits for the layer (dense, conv2d, matmul); vector ops
 * (activations, pools, norms, adds, softmax) count 0. Parameters are trainable elements (batch-norm running
 * statistics excluded), as torchvision and Keras count them.
 */
import type { Argv } from 'yargs';
import { ZOO, ZOO_NAMES } from '../../models/zoo/index.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import { summarize } from '../lower/summary.js';
import { human, int as grouped, shape } from '../report/format.js';

import { table } from '../report/run-report.js';

export interface ModelsShowArgs {
  model: string;
  format: 'table' | 'json';
}

/** `--help` examples, [command without the program name, what it shows]; test/models runs every one. */
export const MODELS_EXAMPLES: readonly [string, string][] = [
  ['models', 'every built-in model with its parameters, forward MACs and parameter count'],
  ['models show resnet50', 'ResNet-50\'s layers: input and output shapes, MACs and parameters of each'],
  ['models show mobilenet-v2:width=0.5:resolution=160 --format json', 'a built-in at other parameters, as JSON'],
  ['models show models/tiny-cnn.yaml', 'the same table for any model file'],
  ['simulate --model bert-base-layer:seq=512 --array 128x128', 'a built-in, with parameters, anywhere a model is accepted'],
];

export function modelsListCommand(): string {
  const rows = ZOO_NAMES.map((name) => {
    const entry = ZOO.get(name)!;
    const s = summarize(loadAnyModel(name));
    const gemmLayers = s.layers.filter((l) => l.macs > 0).length;
    const params = entry.params.map((p) => `${p.name}=${p.default}`).join(':') || '-';
    return [name, params, human(s.totals.macs), human(s.totals.parameters), String(s.layers.length), String(gemmLayers), entry.description];
  });
  const paramHelp = [...new Map(ZOO_NAMES.flatMap((n) => ZOO.get(n)!.params).map((p) => [p.name, p.meaning])).entries()]
    .map(([k, m]) => `  ${k}: ${m}`).join('\n');
  return `${table(['name', 'parameters (defaults)', 'MACs', 'params', 'layers', 'GEMM layers', 'description'], rows, new Set([2, 3, 4, 5]))}\n\n`
    + `MACs: forward pass at the defaults (Σ m·k·n of the GEMMs); params: trainable elements.\nParameters:\n${paramHelp}\n`
    + 'Use one with: systolab simulate --model NAME (or NAME:key=value:key=value, e.g. resnet50:batch=8:resolution=160); '
    + 'systolab models show NAME prints its layers.\n';
}

export function modelsShowCommand(args: ModelsShowArgs): string {
  const s = summarize(loadAnyModel(resolveModel(args.model)));
  if (args.format === 'json') return `${JSON.stringify(s, null, 1)}\n`;
  const rows = s.layers.map((l) => [l.name, l.kind, l.inputShapes.map(shape).join(' ') || '-', shape(l.outputShape), grouped(l.macs), grouped(l.parameters)]);
  rows.push(['total', '', '', '', grouped(s.totals.macs), grouped(s.totals.parameters)]);
  return `model ${s.model}: ${human(s.totals.macs)} forward MACs, ${human(s.totals.parameters)} parameters, ${s.layers.length} layers\n\n`
    + `${table(['layer', 'kind', 'input shapes', 'output shape', 'MACs', 'parameters'], rows, new Set([4, 5]))}\n`;
}

function examples<T>(y: Argv<T>): Argv<T> {
  return y.example(MODELS_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what]));
}

export function modelsBuilder(y: Argv): Argv {
  return examples(y.command<ModelsShowArgs>('show <model>', 'print a model\'s layers: input and output shapes, forward MACs, parameters', showBuilder, (a) => {
    process.stdout.write(modelsShowCommand(a));
  }));
}

export function showBuilder(y: Argv): Argv<ModelsShowArgs> {
  return examples(y
    .positional('model', { type: 'string', demandOption: true, describe: 'a built-in NAME[:key=value…] (systolab models lists them) or a model file' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })) as unknown as Argv<ModelsShowArgs>;
}
