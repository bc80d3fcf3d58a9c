/**
 * The playground's pure parts against the CLI they stand in for: the URL state round-trips; a training session gives
 * `systolab train`'s curve for the same options; the accelerator panel's report is `simulate --mode training`'s for
 * the exported model and config; the seeded PE trace is `simulate --trace`'s; the page's copies of presets, energy
 * tables and iris are the files'; and the browser's node:path stand-in agrees with Node's on the names it sees.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestedHw, simulate, trace } from '../../sim/api/simulate.js';
import * as trainApi from '../../sim/api/train.js';
import { graphToDocument } from '../../sim/ir/serialize.js';
import { iris } from '../../sim/load/datasets/real.js';
import { loadEnergyTable } from '../../sim/load/energy-table.js';
import { loadHwConfig } from '../../sim/load/hw.js';
import { datasetCsv, datasetOf, planeSpec } from '../../sim/playground/data.js';
import { embeddedData } from '../../sim/playground/embed.js';
import { configDocument, energyTableOf, hwConfigOf, machineOf, seededTrace, simulateTrainingStep } from '../../sim/playground/hardware.js';
import { datasetForLoss, lossOf, modelDocument, networkGraph, testSplitOf, trainCommand } from '../../sim/playground/network.js';
import { TrainingSession } from '../../sim/playground/session.js';
import {
  ACTIVATIONS, DATAFLOWS, DEFAULT_STATE, FEATURES, HW_PRECISIONS, MAX_HIDDEN_LAYERS, MAX_NEURONS, NET_PRECISIONS, PLAYGROUND_DATASETS,
  PLAYGROUND_LOSSES, PLAYGROUND_OPTIMIZERS, type PlaygroundState, PRESETS, decodeState, encodeState,
} from '../../sim/playground/state.js';
import * as shim from '../../sim/playground/ui/node-path.js';

const embedded = embeddedData();
const tmp = () => mkdtempSync(join(tmpdir(), 'systolab-playground-'));

const arbState: fc.Arbitrary<PlaygroundState> = fc.record({
  dataset: fc.constantFrom(...PLAYGROUND_DATASETS), points: fc.integer({ min: 20, max: 2000 }), noise: fc.constantFrom(0, 0.05, 0.25, 0.5),
  dataSeed: fc.nat(1000), trainPercent: fc.integer({ min: 1, max: 9 }).map((x) => 10 * x),
  features: fc.subarray([...FEATURES], { minLength: 1 }), layers: fc.array(fc.integer({ min: 1, max: MAX_NEURONS }), { maxLength: MAX_HIDDEN_LAYERS }),
  activation: fc.constantFrom(...ACTIVATIONS), loss: fc.constantFrom(...PLAYGROUND_LOSSES), optimizer: fc.constantFrom(...PLAYGROUND_OPTIMIZERS),
  lr: fc.constantFrom(0.001, 0.03, 0.3, 1), batch: fc.integer({ min: 1, max: 512 }), l1: fc.constantFrom(0, 0.001), l2: fc.constantFrom(0, 0.01),
  dropout: fc.constantFrom(0, 0.1, 0.5), seed: fc.nat(1000), netPrecision: fc.constantFrom(...NET_PRECISIONS), trainFixed: fc.boolean(), preset: fc.constantFrom(...PRESETS),
  rows: fc.integer({ min: 1, max: 256 }), cols: fc.integer({ min: 1, max: 256 }), dataflow: fc.constantFrom(...DATAFLOWS),
  precision: fc.constantFrom(...HW_PRECISIONS), ifmapKib: fc.integer({ min: 1, max: 4096 }), filterKib: fc.integer({ min: 1, max: 4096 }),
  ofmapKib: fc.integer({ min: 1, max: 4096 }), clockMhz: fc.constantFrom(200, 700, 1000), energyTable: fc.constantFrom('preset', '45nm', '22nm') as fc.Arbitrary<PlaygroundState['energyTable']>,
  traceSource: fc.constantFrom('seeded', 'layer') as fc.Arbitrary<'seeded' | 'layer'>, traceM: fc.integer({ min: 1, max: 64 }),
  traceK: fc.integer({ min: 1, max: 64 }), traceN: fc.integer({ min: 1, max: 64 }), traceSeed: fc.nat(1000), traceLayer: fc.nat(MAX_HIDDEN_LAYERS),
  classroom: fc.boolean(),
});

describe('the state in the URL', () => {
  it('decode(encode(s)) = s for every valid state, and the default encodes to the empty hash', () => {
    expect(encodeState(DEFAULT_STATE)).toBe('');
    fc.assert(fc.property(arbState, (s) => { expect(decodeState(`#${encodeState(s)}`)).toEqual(s); }), { numRuns: 300 });
  });

  it('a hand-edited hash keeps only what is valid, field by field', () => {
    const s = decodeState('#rows=16&cols=-3&layers=8,99&dataset=mnist&lr=abc&noise=0.25&features=x1,x1&bogus=1&%E0%A4%A=1');
    expect(s).toEqual({ ...DEFAULT_STATE, rows: 16, noise: 0.25 });
    expect(decodeState(`#layers=${Array(MAX_HIDDEN_LAYERS + 1).fill(4).join(',')}`).layers).toEqual(DEFAULT_STATE.layers);
    expect(decodeState('#layers=').layers).toEqual([]);
  });
});

describe('training in the page is systolab train', () => {
  const EPOCHS = 12;
  const cases: [string, Partial<PlaygroundState>][] = [
    ['spiral, adam, the defaults', {}],
    ['xor, sgd, L2, dropout, relu, a partial last batch', { dataset: 'xor', optimizer: 'sgd', lr: 0.1, l2: 0.01, dropout: 0.2, activation: 'relu', batch: 30, noise: 0.1 }],
    ['gaussians, momentum, mse, 3 layers', { dataset: 'gaussians', optimizer: 'momentum', loss: 'mse', layers: [4, 3, 2], trainPercent: 70 }],
    ['circle, softmax-ce on two classes, rmsprop, L1', { dataset: 'circle', loss: 'softmax-ce', optimizer: 'rmsprop', lr: 0.01, l1: 0.001 }],
    ['iris (three classes), adam', { dataset: 'iris', layers: [8], lr: 0.01 }],
  ];
  it.each(cases)('%s: every epoch\'s loss and accuracy equal the CLI\'s to 1e-9', (_name, patch) => {
    const s: PlaygroundState = { ...DEFAULT_STATE, ...patch };
    const { dataset } = datasetOf(s, embedded);
    const session = new TrainingSession(s, dataset);
    for (let e = 0; e < EPOCHS; e++) expect(session.step().kind).toBe('epoch');
    // "training data 70 %" holds out 30 % for test.
    const n = dataset.features.shape[0];
    expect(session.prepared.splits.test!.features.shape[0]).toBe(Math.round((n * (100 - s.trainPercent)) / 100));
    const dir = tmp();
    const model = join(dir, 'playground-network.json');
    writeFileSync(model, JSON.stringify(modelDocument(s, dataset)));
    const command = trainCommand(s, dataset, EPOCHS);
    const csv = join(dir, 'playground-data.csv');
    writeFileSync(csv, datasetCsv(datasetForLoss(dataset, lossOf(s, dataset))));
    const data = / --dataset (\S+)/.exec(command)![1];
    expect(data).toBe(s.dataset === 'iris' ? 'iris' : s.loss === 'softmax-ce' ? 'playground-data.csv' : planeSpec(s));
    const cli = trainApi.train({
      model, dataset: data === 'playground-data.csv' ? csv : data, loss: lossOf(s, dataset), optimizer: s.optimizer, lr: s.lr, batch: s.batch,
      epochs: EPOCHS, testSplit: testSplitOf(s), seed: s.seed, l1: s.l1, l2: s.l2, ...(s.dropout > 0 ? { dropout: s.dropout } : {}),
    }) as { epochs: { train: { loss: number; accuracy: number }; test: { loss: number; accuracy: number } }[] };
    expect(cli.epochs).toHaveLength(EPOCHS);
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    session.records.forEach((r, i) => {
      close(r.train.loss, cli.epochs[i].train.loss);
      close(r.test!.loss, cli.epochs[i].test.loss);
      expect(r.train.accuracy).toBe(cli.epochs[i].train.accuracy);
      expect(r.test!.accuracy).toBe(cli.epochs[i].test.accuracy);
    });
    // The command the page prints names the same run.
    expect(command).toContain(`--lr ${s.lr} --batch ${s.batch} --epochs ${EPOCHS} --test-split ${testSplitOf(s)} --seed ${s.seed}`);
  });

  it('the comparison catches a run that differs in one option (batch 17 instead of 16)', () => {
    const s = DEFAULT_STATE;
    const { dataset } = datasetOf(s, embedded);
    const session = new TrainingSession({ ...s, batch: 17 }, dataset);
    session.step(); session.step();
    const dir = tmp();
    const model = join(dir, 'n.json');
    writeFileSync(model, JSON.stringify(modelDocument(s, dataset)));
    const cli = trainApi.train({ model, dataset: planeSpec(s), loss: 'bce', optimizer: s.optimizer, lr: s.lr, batch: s.batch, epochs: 2, testSplit: testSplitOf(s), seed: s.seed }) as { epochs: { train: { loss: number } }[] };
    expect(Math.abs(session.records[1].train.loss - cli.epochs[1].train.loss)).toBeGreaterThan(1e-9);
  });

  it.each([['int8'], ['fp16'], ['int4']])('training in %s beside float is systolab train --precision\'s fixed-point curve', (format) => {
    const s: PlaygroundState = { ...DEFAULT_STATE, netPrecision: format as PlaygroundState['netPrecision'], trainFixed: true, dataset: 'xor', layers: [8] };
    const { dataset } = datasetOf(s, embedded);
    const session = new TrainingSession(s, dataset, format);
    const E = 4;
    for (let e = 0; e < E; e++) session.step();
    const dir = tmp();
    const model = join(dir, 'n.json');
    writeFileSync(model, JSON.stringify(modelDocument(s, dataset)));
    const { trainModel } = trainApi;
    const run = trainModel({ model, dataset: planeSpec(s), loss: 'bce', optimizer: s.optimizer, lr: s.lr, batch: s.batch, epochs: E, testSplit: testSplitOf(s), seed: s.seed, precision: format });
    const fixed = run.quantized!.run.fixed.epochs;
    expect(session.fixedRecords).toHaveLength(E);
    session.fixedRecords.forEach((r, i) => {
      expect(Math.abs(r.train.loss - fixed[i].train.loss)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(r.test!.loss - fixed[i].test!.loss)).toBeLessThanOrEqual(1e-9);
    });
    session.records.forEach((r, i) => expect(Math.abs(r.train.loss - run.quantized!.run.float.result.epochs[i].train.loss)).toBeLessThanOrEqual(1e-9));
    expect(session.precisionView(format).trained).toBe(true);
    expect(session.precisionView(format === 'int8' ? 'fp16' : 'int8').trained).toBe(false);
  });

  it('the precision view runs the network in int8 (accuracy near float) and int4 (some clamps), with a boundary', () => {
    const { dataset } = datasetOf(DEFAULT_STATE, embedded);
    const session = new TrainingSession(DEFAULT_STATE, dataset);
    for (let e = 0; e < 20; e++) session.step();
    const float = session.records[19].test!.accuracy!;
    const int8 = session.precisionView('int8');
    expect(Math.abs(int8.testAccuracy! - float)).toBeLessThan(0.1);
    expect(int8.boundary?.value).toHaveLength(100 * 100);
    const fp16 = session.precisionView('fp16');
    expect(Math.abs(fp16.testAccuracy! - float)).toBeLessThan(0.02);
    expect(session.precisionView('int4').testAccuracy).not.toBe(undefined);
  });
});

describe('the accelerator panel is simulate --mode training', () => {
  const points: [string, Partial<PlaygroundState>][] = [
    ['8×8 os, scalesim-32x32', { rows: 8, cols: 8 }],
    ['16×16 ws, int16, small SRAM, 22nm', { rows: 16, cols: 16, dataflow: 'ws', precision: 'int16', ifmapKib: 2, filterKib: 1, ofmapKib: 1, energyTable: '22nm' }],
    ['edge-16x16 (bandwidth mode user) at 4×4 is, dropout', { preset: 'edge-16x16', rows: 4, cols: 4, dataflow: 'is', dropout: 0.3, batch: 30 }],
    ['eyeriss, rs, its normalized energy table', { preset: 'eyeriss', rows: 12, cols: 14, dataflow: 'rs', energyTable: 'preset' }],
    ['tpu-v1, iris, one layer', { preset: 'tpu-v1', rows: 256, cols: 256, dataset: 'iris', layers: [8] }],
  ];
  it.each(points)('%s: the same totals and layers as the CLI on the exported files', (_name, patch) => {
    const s: PlaygroundState = { ...DEFAULT_STATE, ...patch };
    const { dataset } = datasetOf(s, embedded);
    const graph = networkGraph(s, dataset);
    const hw = hwConfigOf(s, embedded);
    const page = simulateTrainingStep(graph, machineOf(hw, embedded), s.batch, embedded.version);
    // What "Export model" writes: the trained graph (dropout layers included) with the session's parameters.
    const session = new TrainingSession(s, dataset);
    session.step();
    const dir = tmp();
    writeFileSync(join(dir, 'playground-model.json'), JSON.stringify(graphToDocument(session.graph, session.currentParams())));
    writeFileSync(join(dir, 'playground-hw.json'), JSON.stringify(configDocument(hw)));
    const cli = simulate({ model: join(dir, 'playground-model.json'), hw: join(dir, 'playground-hw.json'), mode: 'training', batch: s.batch });
    expect(page.totals).toEqual(cli.totals);
    expect(page.layers).toEqual(cli.layers);
    expect(page.energyTable).toEqual(cli.energyTable);
  });

  it('the panel\'s fields override the preset as the CLI\'s flags do (--hw P --rows … --clock-mhz …)', () => {
    fc.assert(fc.property(arbState, (s) => {
      const flags = {
        hw: s.preset, rows: s.rows, cols: s.cols, dataflow: s.dataflow, precision: s.precision,
        ifmapKib: s.ifmapKib, filterKib: s.filterKib, ofmapKib: s.ofmapKib, clockMhz: s.clockMhz,
      };
      const cli = requestedHw(flags);
      const table = s.energyTable === 'preset' ? cli.energy : { leakage: cli.energy?.leakage ?? 'lstp', table: s.energyTable };
      expect(hwConfigOf(s, embedded)).toEqual({ ...cli, energy: table });
    }), { numRuns: 200 });
  });

  it('a change the panel makes moves the number (16×16 is not 8×8)', () => {
    const { dataset } = datasetOf(DEFAULT_STATE, embedded);
    const graph = networkGraph(DEFAULT_STATE, dataset);
    const at = (rows: number, cols: number) => simulateTrainingStep(graph, machineOf(hwConfigOf({ ...DEFAULT_STATE, rows, cols }, embedded), embedded), 16, 'x').totals.totalCycles;
    expect(at(16, 16)).not.toBe(at(8, 8));
  });

  it('the page\'s energy tables and presets are the files\'', () => {
    for (const name of ['45nm', '32nm', '22nm', 'eyeriss-normalized']) {
      // Every field but where the file lies (the page names it package-relative).
      const noFile = (t: unknown) => JSON.parse(JSON.stringify(t, (k, v) => (k === 'file' ? undefined : v)));
      expect(noFile(energyTableOf(name, embedded))).toEqual(noFile(loadEnergyTable(name)));
    }
    for (const p of PRESETS) expect(hwConfigOf({ ...DEFAULT_STATE, preset: p, ...presetShape(p) }, embedded)).toEqual(loadHwConfig(p));
    const flowers = iris();
    expect(datasetOf({ ...DEFAULT_STATE, dataset: 'iris' }, embedded).dataset.features).toEqual(flowers.features);
  });
});

/** The panel fields of a preset as it ships, so hwConfigOf adds no override. */
function presetShape(p: (typeof PRESETS)[number]): Partial<PlaygroundState> {
  const c = loadHwConfig(p);
  return {
    rows: c.array.rows, cols: c.array.cols, dataflow: c.array.dataflow, precision: c.numerics.input as PlaygroundState['precision'],
    ifmapKib: c.sram.ifmapKib, filterKib: c.sram.filterKib, ofmapKib: c.sram.ofmapKib, clockMhz: c.clockHz / 1e6, energyTable: 'preset',
  };
}

describe('the PE-array panel', () => {
  it('a seeded GEMM is simulate --trace: the same operands and every snapshot', () => {
    for (const [m, k, n, rows, cols, dataflow, seed] of [[4, 4, 4, 4, 4, 'os', 1], [3, 5, 2, 2, 2, 'ws', 7], [5, 3, 4, 8, 8, 'is', 3]] as const) {
      const s: PlaygroundState = { ...DEFAULT_STATE, traceM: m, traceK: k, traceN: n, traceSeed: seed, rows, cols, dataflow };
      const page = seededTrace(s, hwConfigOf(s, embedded));
      const cli = trace({ gemm: `${m}x${k}x${n}`, array: `${rows}x${cols}`, dataflow, seed });
      expect(page.a).toEqual(cli.a);
      expect(page.cycles).toEqual(cli.cycles);
      expect(page.c).toEqual(cli.plainGemm);
    }
  });
});

describe('the browser\'s node:path stand-in', () => {
  const seg = fc.constantFrom('hw-configs', 'tech', '45nm.yaml', 'a', '..', '.', 'b.csv');
  it('agrees with node:path (POSIX) on relative names', () => {
    fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), fc.array(seg, { minLength: 1, maxLength: 3 }), (a, b) => {
      const p = a.join('/'), q = b.join('/');
      expect(shim.basename(p)).toBe(posix.basename(p));
      expect(shim.isAbsolute(p)).toBe(posix.isAbsolute(p));
      if (!p.endsWith('/.') && !p.endsWith('/..') && p !== '.' && p !== '..') expect(shim.dirname(p)).toBe(posix.dirname(p));
      const want = posix.relative('/root', posix.resolve('/root', p, q));
      if (!want.startsWith('..')) expect(shim.resolve(p, q)).toBe(want);
    }), { numRuns: 300 });
  });
});
