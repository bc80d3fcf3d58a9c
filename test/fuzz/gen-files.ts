/**
 * Line- and byte-formats: SCALE-Sim .cfg and topology CSV, dataset CSV, tensor JSON. Each starts from a valid file
 * and spoils cells, keys, columns, line ends and encodings.
 */
import fc from 'fast-check';
import { type FuzzCase, DIR } from './case.js';
import { EDGE_NUMBERS, hostileString, numberText, smallInt, wrongValue } from './values.js';

const CFG_KEYS = [
  ['ArrayHeight', '8'], ['ArrayWidth', '8'], ['IfmapSramSzkB', '16'], ['FilterSramSzkB', '16'], ['OfmapSramSzkB', '8'],
  ['IfmapOffset', '0'], ['FilterOffset', '10000000'], ['OfmapOffset', '20000000'], ['Bandwidth', '4'], ['Dataflow', 'ws'], ['MemoryBanks', '1'],
] as const;

/** A .cfg with one or two keys spoilt, a key dropped or repeated, a section missing, odd separators. */
const cfgText: fc.Arbitrary<{ text: string; category: string }> = fc
  .tuple(
    fc.array(fc.tuple(fc.nat({ max: CFG_KEYS.length - 1 }), numberText), { minLength: 0, maxLength: 2 }),
    fc.option(fc.nat({ max: CFG_KEYS.length - 1 }), { nil: undefined }),
    fc.constantFrom('CALC', 'USER', 'calc', '', 'BOGUS'),
    fc.constantFrom(':', ' = ', '=', ' : ', ''),
    fc.constantFrom('valid', 'no-run-presets', 'duplicate-key', 'bom', 'crlf', 'no-newline', 'dataflow-case'),
  )
  .map(([edits, drop, bw, sep, shape]) => {
    const values = new Map<string, string>(CFG_KEYS);
    for (const [i, v] of edits) values.set(CFG_KEYS[i][0], CFG_KEYS[i][0] === 'Dataflow' ? v.slice(0, 20) : v);
    if (drop !== undefined) values.delete(CFG_KEYS[drop][0]);
    if (shape === 'dataflow-case') values.set('Dataflow', 'WS');
    const lines = ['[general]', 'run_name = fuzz', '', '[architecture_presets]', ...[...values].map(([k, v]) => `${k}${sep}${v}`)];
    if (shape === 'duplicate-key') lines.push('ArrayHeight: 4');
    if (shape !== 'no-run-presets') lines.push('', '[run_presets]', `InterfaceBandwidth: ${bw}`);
    let text = lines.join(shape === 'crlf' ? '\r\n' : '\n') + (shape === 'no-newline' ? '' : '\n');
    if (shape === 'bom') text = `\uFEFF${text}`;
    const category = edits.length ? 'edge-number' : drop !== undefined ? 'missing-key' : shape;
    return { text, category };
  });

export const cfgCase: fc.Arbitrary<FuzzCase> = fc.tuple(cfgText, fc.boolean(), fc.constantFrom('inference', 'training')).map(([c, compat, mode]) => ({
  format: 'scalesim-cfg', category: c.category, files: { 'hw.cfg': c.text, 'topo.csv': TOPO_HEADER + '\nconv1,12,12,3,3,4,8,1,\n' },
  argv: ['simulate', '--model', 'topo.csv', '--hw', 'hw.cfg', ...(compat ? ['--compat', 'scalesim'] : ['--mode', mode]), '--format', 'json'],
  call: { fn: 'simulate', args: { model: `${DIR}topo.csv`, hw: `${DIR}hw.cfg`, ...(compat ? { compat: 'scalesim' } : { mode }) } },
}));

const TOPO_HEADER = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';

/** A topology: a few rows of valid numbers, one cell spoilt, columns missing or added, trailing commas dropped. */
const topoText: fc.Arbitrary<{ text: string; category: string }> = fc
  .tuple(
    fc.array(fc.tuple(smallInt(4, 16), smallInt(1, 3), smallInt(1, 8), smallInt(1, 8)), { minLength: 1, maxLength: 3 }),
    fc.option(fc.tuple(fc.nat({ max: 7 }), numberText), { nil: undefined }),
    fc.constantFrom('valid', 'no-trailing-comma', 'missing-column', 'extra-column', 'no-header', 'duplicate-name', 'bom', 'empty', 'hostile-name', 'gemm-header'),
    hostileString,
  )
  .map(([rows, edit, shape, name]) => {
    const cells = rows.map(([ifmap, k, c, f], i) => [shape === 'duplicate-name' ? 'l' : shape === 'hostile-name' ? name : `l${i}`, ifmap, ifmap, k, k, c, f, 1].map(String));
    if (edit) cells[0][edit[0]] = edit[1];
    if (shape === 'missing-column') cells.forEach((r) => r.splice(5, 1));
    if (shape === 'extra-column') cells.forEach((r) => r.push('7'));
    const sep = shape === 'no-trailing-comma' ? '' : ',';
    const header = shape === 'gemm-header' ? 'Layer, M, N, K,' : TOPO_HEADER;
    const body = cells.map((r) => r.join(',') + sep).join('\n');
    const text = shape === 'empty' ? '' : `${shape === 'bom' ? '\uFEFF' : ''}${shape === 'no-header' ? '' : `${header}\n`}${body}\n`;
    return { text, category: edit ? 'edge-number' : shape };
  });

export const topologyCase: fc.Arbitrary<FuzzCase> = fc.tuple(topoText, fc.constantFrom('simulate', 'simulate-compat', 'import')).map(([t, cmd]): FuzzCase => {
  const base = { format: 'scalesim-topology', category: t.category, files: { 'topo.csv': t.text } };
  if (cmd === 'import') return { ...base, argv: ['import', 'topo.csv'], call: { fn: 'import', args: { file: `${DIR}topo.csv` } } };
  const compat = cmd === 'simulate-compat';
  return {
    ...base, argv: ['simulate', '--model', 'topo.csv', ...(compat ? ['--compat', 'scalesim'] : []), '--format', 'json'],
    call: { fn: 'simulate', args: { model: `${DIR}topo.csv`, ...(compat ? { compat: 'scalesim' } : {}) } },
  };
});

/** A dataset CSV for pass-fail-mlp (two features, a 0/1 label): cells, labels and line ends spoilt. */
const datasetText: fc.Arbitrary<{ text: string; category: string }> = fc
  .tuple(
    fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 6 }),
    fc.option(fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 2 }), numberText), { nil: undefined }),
    fc.constantFrom('valid', 'ragged', 'header-only', 'bom', 'crlf', 'quoted', 'huge-label', 'missing-column', 'extra-column', 'no-newline'),
  )
  .map(([rows, edit, shape]) => {
    const cells = rows.map((r) => r.map(String));
    if (edit) cells[edit[0] % cells.length][edit[1]] = edit[2];
    if (shape === 'huge-label') cells[0][2] = '1000000000';
    if (shape === 'ragged') cells[cells.length - 1].pop();
    if (shape === 'missing-column') cells.forEach((r) => r.pop());
    if (shape === 'extra-column') cells.forEach((r) => r.push('1'));
    if (shape === 'quoted') cells[0][0] = `"${cells[0][0]},x"`;
    const nl = shape === 'crlf' ? '\r\n' : '\n';
    const lines = ['a,b,label', ...(shape === 'header-only' ? [] : cells.map((r) => r.join(',')))];
    const text = `${shape === 'bom' ? '\uFEFF' : ''}${lines.join(nl)}${shape === 'no-newline' ? '' : nl}`;
    return { text, category: edit ? 'edge-number' : shape };
  });

const LR = fc.constantFrom('0.01', '0.1', '1e6', '0', '-1', 'NaN', '1e308');

export const datasetCase: fc.Arbitrary<FuzzCase> = fc.tuple(datasetText, fc.boolean(), LR, fc.constantFrom('1', '2', '0')).map(([d, isTrain, lr, epochs]): FuzzCase => {
  const files = { 'data.csv': d.text };
  if (isTrain) {
    return {
      format: 'dataset-csv', category: lr === '0.01' ? d.category : `lr-${lr}`, files, exit1Allowed: true,
      argv: ['train', '--model', 'pass-fail-mlp', '--dataset', 'data.csv', '--epochs', epochs, '--lr', lr, '--format', 'json', '--out', 'out'],
      call: { fn: 'train', args: { model: 'pass-fail-mlp', dataset: `${DIR}data.csv`, epochs: Number(epochs), lr: Number(lr) } },
    };
  }
  return {
    format: 'dataset-csv', category: d.category, files, exit1Allowed: true,
    argv: ['check', '--model', 'pass-fail-mlp', '--dataset', 'data.csv', '--test-split', '0.5', '--format', 'json'],
    call: { fn: 'check', args: { model: 'pass-fail-mlp', dataset: `${DIR}data.csv`, testSplit: 0.5 } },
  };
});

/** Tensor JSON for tiny-cnn's input (shape [1, 1, 12, 12]): shapes, data lengths and element types spoilt. */
const tensorDoc: fc.Arbitrary<{ doc: unknown; category: string }> = fc.oneof(
  fc.constant({ doc: { shape: [1, 1, 12, 12], data: Array(144).fill(0.5) }, category: 'valid' }),
  fc.tuple(fc.nat({ max: 3 }), fc.constantFrom(...EDGE_NUMBERS)).map(([i, v]) => {
    const shape = [1, 1, 12, 12];
    shape[i] = v;
    return { doc: { shape, data: Array(144).fill(1) }, category: 'edge-shape' };
  }),
  fc.tuple(fc.nat({ max: 143 }), wrongValue).map(([i, v]) => {
    const data: unknown[] = Array(144).fill(1);
    data[i] = v;
    return { doc: { shape: [1, 1, 12, 12], data }, category: 'bad-element' };
  }),
  fc.constantFrom<{ doc: unknown; category: string }>(
    { doc: { shape: [1, 1, 12, 12] }, category: 'missing-key' }, { doc: { data: [1] }, category: 'missing-key' },
    { doc: { shape: [1, 1, 12, 12], data: Array(144).fill(1), extra: 1 }, category: 'extra-key' },
    { doc: { nope: { shape: [1], data: [1] } }, category: 'unknown-input' }, { doc: [[1, 2], [3]], category: 'ragged-nested' },
    { doc: { shape: [], data: [] }, category: 'empty' }, { doc: 42, category: 'wrong-type' },
  ),
);

export const tensorCase: fc.Arbitrary<FuzzCase> = tensorDoc.map(({ doc, category }) => ({
  format: 'tensor-json', category, files: { 'x.json': JSON.stringify(doc) },
  argv: ['run', '--model', 'tiny-cnn', '--input', 'x.json', '--format', 'json'],
  call: { fn: 'run', args: { model: 'tiny-cnn', input: `${DIR}x.json` } },
}));
