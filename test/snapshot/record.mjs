#!/usr/bin/env node
// Records what the bundled CLI prints for a fixed matrix of commands, so that a refactoring can be shown to change
// nothing users see. Usage (after `npm run build`):
//   node test/snapshot/record.mjs OUT_DIR            record every case into OUT_DIR/<case>.out (stdout) and .rc
//   node test/snapshot/compare.mjs BEFORE AFTER      compare two recordings (schema-v1 fields mapped to v2)
// Outputs are kept out of git (they are a few tens of MB); record "before" on the old commit, "after" on the new one.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'dist/systolab.cjs');
const out = resolve(process.argv[2] ?? 'snapshot-out');
mkdirSync(out, { recursive: true });

const ZOO = [
  'lenet5', 'alexnet', 'vgg16', 'resnet18', 'resnet34', 'resnet50', 'mobilenet-v1', 'mobilenet-v2', 'bert-base-layer',
  'gpt2-small-layer', 'tiny-cnn', 'perceptron', 'linear-regression', 'pass-fail-mlp', 'playground-mlp', 'iris-mlp',
  'lenet-digits', 'scalesim-resnet18', 'scalesim-alexnet', 'scalesim-mobilenet',
];
const cases = [];
for (const model of ZOO) {
  for (const array of ['16x16', '32x32']) {
    for (const df of ['os', 'ws', 'is']) {
      for (const mode of ['inference', 'training']) {
        cases.push([`sim-${model}-${array}-${df}-${mode}`, ['simulate', '--model', model, '--array', array,
          '--dataflow', df, '--mode', mode, '--format', 'json']]);
      }
    }
  }
}
const fx = 'test/fixtures/scalesim';
const topologies = [`${fx}/example_conv.csv`, `${fx}/example_dw.csv`, `${fx}/topologies/Resnet18.csv`,
  `${fx}/topologies/alexnet.csv`, `${fx}/topologies/mobilenet.csv`];
for (const cfg of ['example_16x16_ws.cfg', 'example_8x16_user_bw4.cfg']) {
  for (const df of ['os', 'ws', 'is']) {
    for (const topo of topologies) {
      const name = `compat-${cfg.replace('.cfg', '')}-${df}-${topo.split('/').pop().replace('.csv', '')}`;
      for (const mode of ['inference', 'training']) {
        cases.push([`${name}-${mode}`, ['simulate', '--model', topo, '--hw', `${fx}/${cfg}`, '--dataflow', df,
          '--compat', 'scalesim', '--mode', mode, '--format', 'json']]);
      }
      cases.push([`${name}-csv`, ['simulate', '--model', topo, '--hw', `${fx}/${cfg}`, '--dataflow', df,
        '--compat', 'scalesim', '--format', 'csv']]);
    }
  }
}
// Tables as users read them, and the other commands' JSON.
for (const hw of ['scalesim-32x32', 'edge-16x16', 'eyeriss', 'tpu-v1']) {
  cases.push([`table-resnet18-${hw}`, ['simulate', '--model', 'resnet18', '--hw', hw, '--out', '@tmp']]);
  cases.push([`json-mobilenet-v2-${hw}-training`, ['simulate', '--model', 'mobilenet-v2', '--hw', hw, '--mode',
    'training', '--format', 'json']]);
}
// Presets that enforce DRAM bandwidth (stalls) under every dataflow, both modes.
for (const hw of ['edge-16x16', 'eyeriss', 'tpu-v1']) {
  for (const df of ['os', 'ws', 'is']) {
    for (const model of ['resnet18', 'mobilenet-v2', 'bert-base-layer']) {
      cases.push([`preset-${hw}-${df}-${model}-training`, ['simulate', '--model', model, '--hw', hw, '--dataflow', df,
        '--mode', 'training', '--format', 'json']]);
    }
  }
}
cases.push(['table-default', ['simulate', '--out', '@tmp']]);
cases.push(['table-tiny-training', ['simulate', '--model', 'models/tiny-cnn.yaml', '--array', '16x16', '--dataflow',
  'ws', '--mode', 'training', '--out', '@tmp']]);
cases.push(['csv-resnet50', ['simulate', '--model', 'resnet50', '--format', 'csv']]);
cases.push(['trace-os', ['simulate', '--trace', '2x3x2', '--array', '2x2', '--dataflow', 'os', '--format', 'json']]);
cases.push(['trace-ws-table', ['simulate', '--trace', '3x4x5', '--array', '2x3', '--dataflow', 'ws']]);
cases.push(['trace-is', ['simulate', '--trace', '4x3x2', '--array', '3x2', '--dataflow', 'is', '--format', 'json']]);
for (const [model, extra] of [['models/trained/lenet-digits.json', []], ['models/trained/iris-mlp.json', []],
  ['models/trained/iris-mlp.json', ['--precision', 'q4.12']], ['models/trained/lenet-digits.json', ['--precision', 'int4']],
  ['models/trained/iris-mlp.json', ['--precision', 'bf16']]]) {
  const tag = `${model.split('/').pop().replace('.json', '')}-${extra[1] ?? 'int8'}`;
  cases.push([`check-${tag}`, ['check', '--model', model, ...extra, '--format', 'json']]);
  cases.push([`check-${tag}-table`, ['check', '--model', model, ...extra]]);
}
for (const [model, dataset, extra] of [
  ['pass-fail-mlp', 'pass-fail', ['--optimizer', 'adam', '--lr', '0.05', '--epochs', '30']],
  ['iris-mlp', 'iris', ['--optimizer', 'sgd', '--lr', '0.1', '--epochs', '20', '--batch', '16']],
  ['lenet-digits', 'digits:n=200', ['--optimizer', 'adam', '--lr', '0.002', '--epochs', '2']],
  ['iris-mlp', 'iris', ['--precision', 'int8', '--epochs', '5']],
]) {
  cases.push([`train-${model}-${extra.join('')}`, ['train', '--model', model, '--dataset', dataset, ...extra,
    '--format', 'json', '--out', '@tmp']]);
}
cases.push(['run-tiny', ['run', '--model', 'models/tiny-cnn.yaml', '--format', 'json']]);
cases.push(['models', ['models']]);
cases.push(['models-show-resnet18', ['models', 'show', 'resnet18']]);
cases.push(['hw', ['hw']]);
cases.push(['export-lenet5', ['export', 'lenet5', '--scalesim']]);
cases.push(['import-onnx', ['import', 'test/fixtures/onnx/cnn.onnx']]);
cases.push(['err-bad-model', ['simulate', '--model', 'nope.yaml']]);
cases.push(['err-bad-array', ['simulate', '--array', '0x4']]);

function runCase([name, args]) {
  const tmp = mkdtempSync(join(tmpdir(), 'systolab-snap-'));
  const argv = args.map((a) => (a === '@tmp' ? join(tmp, 'o') : a));
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...argv], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    const chunks = [];
    const errs = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => errs.push(c));
    child.on('close', (rc) => {
      const text = Buffer.concat(chunks).toString('utf8').split(tmp).join('<TMP>').split(root).join('<ROOT>');
      writeFileSync(join(out, `${name}.out`), text);
      writeFileSync(join(out, `${name}.err`), Buffer.concat(errs).toString('utf8').split(tmp).join('<TMP>').split(root).join('<ROOT>'));
      writeFileSync(join(out, `${name}.rc`), `${rc}\n`);
      rmSync(tmp, { recursive: true, force: true });
      done();
    });
  });
}

const queue = [...cases];
const started = Date.now();
await Promise.all([0, 1].map(async () => {
  while (queue.length > 0) await runCase(queue.shift());
}));
writeFileSync(join(out, 'cases.json'), JSON.stringify(cases.map(([n, a]) => ({ name: n, args: a })), null, 1));
console.log(`${cases.length} cases recorded in ${out} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
