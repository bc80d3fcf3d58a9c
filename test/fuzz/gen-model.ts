/**
 * Model files (Systolab YAML/JSON) and hardware configs (YAML): a small valid document, mutated in one spot
 * (gen-text.ts), plus the graph faults a model can have — duplicate names, cycles, dangling inputs, hostile names,
 * sidecar files outside the folder — each run by one of the commands that read the format.
 */
import fc from 'fast-check';
import { type FuzzCase, DIR } from './case.js';
import { type Path, documentText, mutatedDoc, setAt } from './gen-text.js';
import { hostileString } from './values.js';

const MODEL = {
  name: 'fuzz-cnn', seed: 1,
  layers: [
    { name: 'image', kind: 'input', shape: [1, 2, 6, 6] },
    { name: 'conv1', kind: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 1 },
    { name: 'relu1', kind: 'relu' },
    { name: 'pool1', kind: 'maxPool2d', kernel: 2 },
    { name: 'fc', kind: 'dense', units: 3 },
    { name: 'probs', kind: 'softmax' },
  ],
};
const MODEL_PATHS: Path[] = [
  ['seed'], ['name'], ['layers'], ['layers', 0, 'shape'], ['layers', 0, 'shape', 0], ['layers', 0, 'shape', 2], ['layers', 0, 'shape', 3],
  ['layers', 1, 'filters'], ['layers', 1, 'kernel'], ['layers', 1, 'stride'], ['layers', 1, 'padding'], ['layers', 1, 'kind'],
  ['layers', 3, 'kernel'], ['layers', 4, 'units'], ['layers', 2, 'name'], ['layers', 5, 'kind'], ['layers', 1, 'groups'], ['layers', 1, 'dilation'],
];

/** Faults of the graph itself. */
const graphFault: fc.Arbitrary<{ doc: unknown; category: string; mustNotEcho?: string }> = fc.oneof(
  fc.constant({ doc: setAt(MODEL, ['layers', 2, 'name'], 'conv1'), category: 'duplicate-name' }),
  fc.constant({ doc: setAt(MODEL, ['layers', 1, 'inputs'], ['fc']), category: 'cycle' }),
  fc.constant({ doc: setAt(MODEL, ['layers', 2, 'inputs'], ['relu1']), category: 'self-loop' }),
  fc.constant({ doc: setAt(MODEL, ['layers', 3, 'inputs'], ['nowhere']), category: 'dangling-input' }),
  fc.constant({ doc: setAt(MODEL, ['output'], 'nowhere'), category: 'dangling-output' }),
  hostileString.map((s) => ({ doc: setAt(setAt(MODEL, ['name'], s), ['layers', 1, 'name'], s), category: 'hostile-name' })),
  fc.constantFrom(
    { p: '/etc/passwd', echo: 'root:x:0' }, { p: '../../../../../../etc/passwd', echo: 'root:x:0' }, { p: '/proc/self/environ', echo: 'PATH=' },
  ).map(({ p, echo }) => ({ doc: { ...MODEL, paramsFile: p }, category: 'outside-file', mustNotEcho: echo })),
);

/** The commands that read a model file, as argv and as the library call. */
function modelCommand(file: string, format: string, category: string, text: string, mustNotEcho?: string): fc.Arbitrary<FuzzCase> {
  const base = { format, category, files: { [file]: text }, ...(mustNotEcho ? { mustNotEcho } : {}) };
  return fc.constantFrom<FuzzCase>(
    { ...base, argv: ['simulate', '--model', file, '--format', 'json'], call: { fn: 'simulate', args: { model: DIR + file } } },
    { ...base, argv: ['simulate', '--model', file, '--mode', 'training', '--format', 'json'], call: { fn: 'simulate', args: { model: DIR + file, mode: 'training' } } },
    { ...base, argv: ['models', 'show', file, '--format', 'json'], call: { fn: 'loadModel', args: { model: DIR + file } } },
    { ...base, argv: ['run', '--model', file, '--format', 'json'], call: { fn: 'run', args: { model: DIR + file } } },
  );
}

export const modelCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.oneof({ weight: 3, arbitrary: mutatedDoc(MODEL, MODEL_PATHS) }, { weight: 1, arbitrary: graphFault }), fc.boolean())
  .chain(([m, yaml]) => documentText(m.doc, yaml).chain(({ text, spoilt }) =>
    modelCommand(yaml ? 'model.yaml' : 'model.json', yaml ? 'model-yaml' : 'model-json', spoilt === 'none' ? m.category : spoilt, text, 'mustNotEcho' in m ? m.mustNotEcho : undefined)));

const HW = {
  schemaVersion: 1, name: 'fuzz-hw', clockMhz: 1000,
  array: { rows: 8, cols: 8, dataflow: 'ws', macPipelineCycles: 1 },
  numerics: { input: 'int8', weight: 'int8', accumulatorBits: 32 },
  sram: { ifmapKib: 16, filterKib: 16, ofmapKib: 16, doubleBuffered: true },
  dram: { bytesPerCycle: 8, bandwidthMode: 'user', type: 'generic' },
  vectorUnit: { lanes: 8 },
};
const HW_PATHS: Path[] = [
  ['clockMhz'], ['array', 'rows'], ['array', 'cols'], ['array', 'dataflow'], ['array', 'macPipelineCycles'], ['numerics', 'input'],
  ['numerics', 'accumulatorBits'], ['sram', 'ifmapKib'], ['sram', 'filterKib'], ['sram', 'ofmapKib'], ['sram', 'doubleBuffered'],
  ['dram', 'bytesPerCycle'], ['dram', 'bandwidthMode'], ['dram', 'type'], ['vectorUnit', 'lanes'], ['schemaVersion'], ['array'],
];

const hwDoc: fc.Arbitrary<{ doc: unknown; category: string; mustNotEcho?: string }> = fc.oneof(
  { weight: 4, arbitrary: mutatedDoc(HW, HW_PATHS) },
  { weight: 1, arbitrary: fc.constantFrom(
    { t: '/etc/passwd', echo: 'root:x:0' }, { t: '../../../../../../etc/passwd', echo: 'root:x:0' }, { t: '/proc/self/environ', echo: 'PATH=' },
  ).map(({ t, echo }) => ({ doc: { ...HW, energy: { table: t } }, category: 'outside-file', mustNotEcho: echo })) },
);

export const hwYamlCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(hwDoc, fc.constantFrom('inference', 'training'), fc.constantFrom('tiny-cnn', 'tiny-cnn', 'tiny-cnn', 'resnet18'))
  .chain(([h, mode, model]) => documentText(h.doc, true).map(({ text, spoilt }): FuzzCase => ({
    format: 'hw-yaml', category: spoilt === 'none' ? h.category : spoilt, files: { 'hw.yaml': text },
    ...('mustNotEcho' in h && h.mustNotEcho ? { mustNotEcho: h.mustNotEcho } : {}),
    argv: ['simulate', '--model', model, '--hw', 'hw.yaml', '--mode', mode, '--format', 'json'],
    call: { fn: 'simulate', args: { model, hw: `${DIR}hw.yaml`, mode } },
  })));
