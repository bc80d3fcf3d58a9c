/**
 * `systolab import FILE` (an ONNX model or a SCALE-Sim topology CSV → a Systolab model file, JSON; load/import.ts) and
 * `systolab export --scalesim MODEL` (any model → a SCALE-Sim topology CSV; report/scalesim-export.ts).
 */
import { basename, join } from 'node:path';
import type { Argv } from 'yargs';
import { SimError } from '../base/errors.js';
import { writeFileAtomic } from '../base/files.js';
import { importModelFile } from '../load/import.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import { summarize } from '../lower/summary.js';
import { human } from '../report/format.js';
import { graphToScaleSim } from '../report/scalesim-export.js';

export interface ImportArgs {
  file: string;
  out?: string;
  inputShape?: string[];
  seed: number;
}
export interface ExportArgs {
  model?: string;
  scalesim: boolean;
  out?: string;
}

/** `--help` examples, [command without the program name, what it does]; test/import runs every one. */
export const IMPORT_EXAMPLES: readonly [string, string][] = [
  ['import test/fixtures/onnx/cnn.onnx --out reports/imported/cnn.json', 'an ONNX model (weights inline) → a model file'],
  ['import test/fixtures/onnx/flat-cnn-dynamic.onnx --input-shape 4x1x28x28 --out reports/imported/flat-cnn.json', 'dynamic dimensions fixed'],
  ['import models/scalesim/mobilenet.csv --out reports/imported/mobilenet.json', 'a SCALE-Sim topology → a model file'],
  ['simulate --model test/fixtures/onnx/tv-resnet18-noweights.onnx --array 32x32', 'an .onnx file anywhere a model is accepted'],
];
export const EXPORT_EXAMPLES: readonly [string, string][] = [
  ['export --scalesim resnet18 --out reports/exported/resnet18.csv', 'ResNet-18 as a SCALE-Sim topology (padding folded into the ifmap size)'],
  ['export --scalesim test/fixtures/onnx/tv-mobilenet_v2-noweights.onnx', 'an ONNX model\'s GEMM layers as a topology CSV, to stdout'],
];

const stem = (file: string) => basename(file).replace(/\.[^.]*$/, '');

export function importCommand(args: ImportArgs): string {
  const out = args.out ?? join('reports', 'imported', `${stem(args.file)}.json`);
  const { document, graph, note } = importModelFile(args.file, args);
  writeFileAtomic(out, `${JSON.stringify(document)}\n`);
  const s = summarize(graph);
  return `wrote ${out}: ${s.layers.length} layers, ${human(s.totals.macs)} forward MACs (${s.totals.macs}), ${human(s.totals.parameters)} parameters (${s.totals.parameters})${note}\n`;
}

export function exportCommand(args: ExportArgs): string {
  if (!args.scalesim) throw new SimError('is required (the only export format so far)', { code: 'badValue', path: '--scalesim', hint: 'Example: systolab export --scalesim resnet18.' });
  const spec = resolveModel(args.model);
  const csv = graphToScaleSim(loadAnyModel(spec), spec);
  if (args.out === undefined) return csv;
  writeFileAtomic(args.out, csv);
  return `wrote ${args.out}: ${csv.trim().split('\n').length - 1} rows\n`;
}

export function importBuilder(y: Argv): Argv<ImportArgs> {
  return y
    .positional('file', { type: 'string', demandOption: true, describe: 'an ONNX model (.onnx) or a SCALE-Sim topology (.csv)' })
    .option('out', { type: 'string', describe: 'the model file to write (JSON) [default: reports/imported/NAME.json]' })
    .option('input-shape', { type: 'string', array: true, describe: 'fix the input dimensions: DIMS (e.g. 1x3x224x224) or NAME=DIMS per input' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the parameters an ONNX file leaves out (written into the model file)' })
    .example(IMPORT_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<ImportArgs>;
}

export function exportBuilder(y: Argv): Argv<ExportArgs> {
  return y
    .option('scalesim', { type: 'boolean', default: false, describe: 'write a SCALE-Sim topology CSV (conv rows; dense as 1×1 convs)' })
    .positional('model', { type: 'string', describe: 'a model file (YAML/JSON, .onnx, .csv) or a built-in NAME[:key=value…] [default: the run default]' })
    .option('out', { type: 'string', describe: 'the file to write [default: stdout]' })
    .example(EXPORT_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<ExportArgs>;
}
