/**
 * Training that diverges is not saved as success (issue 19, class 8):
 *  - the detector (float/divergence.ts): counts and first positions of NaN/±Infinity, the first parameter in graph
 *    order, the layer output that made the loss non-finite, the 100× loss-growth rule — each shown to flag a
 *    corrupted value;
 *  - the float loop stops at the step where a weight turns non-finite even though that step's loss is finite (a
 *    loss-only detector misses it), and the quantized loop does the same;
 *  - through the bundled CLI: `--lr 1e6` exits 1 naming the step and layer, writes no files, and leaves an earlier
 *    run's files in that folder byte for byte; a loss that grows but stays finite warns once on stderr and exits 0;
 *    NaN/Infinity in `run --input`/`--target` tensors and in CSV features is one line, exit 2, naming the file, the
 *    count and the first position, and so are a model file's NaN parameters for `train`.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOSS_GROWTH_FACTOR, lossDivergence, lossGrowth, nonFinite, paramDivergence } from '../../sim/float/divergence.js';
import { OPTIMIZER_DEFAULTS } from '../../sim/float/optimizers.js';
import { loadNamedDataset } from '../../sim/load/datasets/registry.js';
import { loadModel } from '../../sim/load/model-file.js';
import { type TrainRequest, runTraining } from '../../sim/run/train-run.js';
import { runQuantizedTraining } from '../../sim/run/qtrain-run.js';
import { runModel } from '../../sim/run/run-model.js';
import { SimError } from '../../sim/base/errors.js';
import { ROOT, systolab } from '../helpers/cli.js';

const MODELS = join(ROOT, 'models', 'course');
const XOR = join(ROOT, 'models', 'examples', 'xor-mlp.yaml');
const temp = () => mkdtempSync(join(tmpdir(), 'systolab-diverge-'));

/** linear-regression on house with plain SGD: lr 0.1 learns, lr 1e6 overflows the loss, lr 1e308 the bias at step 1. */
function houseRequest(lr: number, steps: number): TrainRequest {
  return {
    graph: loadModel(join(MODELS, 'linear-regression.yaml')), dataset: loadNamedDataset('house'), valSplit: 0, testSplit: 0,
    config: {
      optimizer: { kind: 'sgd', ...OPTIMIZER_DEFAULTS }, lr, schedule: { kind: 'constant', gamma: 1, stepEpochs: 1 },
      batch: 32, steps, shuffle: true, seed: 0, reg: { l1: 0, l2: 0, applies: () => false },
    },
  };
}

describe('the detector', () => {
  it('nonFinite: the count and the first index of NaN/±Infinity, for any placement (property)', () => {
    const bad = fc.constantFrom(NaN, Infinity, -Infinity);
    fc.assert(fc.property(
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), bad), { maxLength: 5 }),
      (values, inserts) => {
        const data = Float64Array.from(values);
        const at = new Set<number>();
        for (const [i, v] of inserts) { data[i % data.length] = v; at.add(i % data.length); }
        const r = nonFinite(data);
        if (at.size === 0) return r === undefined;
        const first = Math.min(...at);
        return r !== undefined && r.count === at.size && r.index === first && Object.is(r.value, data[first]);
      },
    ));
  });

  it('paramDivergence names the first corrupted parameter in graph order; finite parameters pass', () => {
    const graph = loadModel(join(MODELS, 'pass-fail-mlp.yaml'));
    const run = runTraining({ ...houseRequest(0.1, 1), graph, dataset: loadNamedDataset('pass-fail') });
    const params = run.result.params;
    expect(paramDivergence(graph, 1, 1, params)).toBeUndefined();
    // Mutation: one value of the output layer, then one of the hidden layer; the hidden one is named (graph order).
    const corrupt = (key: string, i: number, v: number) => ({ ...params, [key]: { ...params[key], data: Float64Array.from(params[key].data, (x, j) => (j === i ? v : x)) } });
    const last = Object.keys(params).filter((k) => !k.startsWith('hidden.'))[0];
    const once = corrupt(last, 0, Infinity);
    expect(paramDivergence(graph, 7, 2, once)).toMatchObject({ step: 7, epoch: 2, what: 'parameter', layer: last.split('.')[0], value: 'Infinity', count: 1, index: 0 });
    const twice = { ...once, ...corrupt('hidden.weight', 3, NaN) };
    const d = paramDivergence(graph, 7, 2, twice)!;
    expect(d).toMatchObject({ layer: 'hidden', param: 'weight', value: 'NaN', index: 3, size: params['hidden.weight'].data.length });
    expect(d.message).toMatch(/^layer hidden's weight became NaN at step 7 \(epoch 2\): 1 of \d+ values/);
  });

  it('lossDivergence blames the first non-finite layer output, or the loss itself when every output is finite', () => {
    const graph = loadModel(XOR);
    const finite = Object.fromEntries(graph.order.map((n) => [n, { shape: [1, 2], data: Float64Array.from([1, 2]) }]));
    expect(lossDivergence(graph, 3, 1, 0.5, 'bce', finite)).toBeUndefined();
    expect(lossDivergence(graph, 3, 1, Infinity, 'mse', finite)).toMatchObject({ what: 'loss', layer: graph.output, value: 'Infinity' });
    const bad = { ...finite, h: { shape: [1, 2], data: Float64Array.from([1, NaN]) }, p: { shape: [1, 2], data: Float64Array.from([NaN, NaN]) } };
    expect(lossDivergence(graph, 3, 1, NaN, 'bce', bad)).toMatchObject({ layer: 'h', value: 'NaN', count: 1, index: 1, size: 2 });
  });

  it(`lossGrowth warns exactly when the loss reaches ${LOSS_GROWTH_FACTOR}× a positive first loss (property)`, () => {
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e12, noNaN: true }), (first, loss) => {
      const w = lossGrowth(5, loss, first);
      return (w !== undefined) === (loss >= LOSS_GROWTH_FACTOR * first) && (w === undefined || w.step === 5);
    }));
    expect(lossGrowth(2, 1e9, 0)).toBeUndefined();   // a first loss of 0 has no scale
    expect(lossGrowth(2, Infinity, 1)).toBeUndefined();   // that is a divergence, not a warning
  });
});

describe('the training loops stop where it diverges', () => {
  it('float: a weight turns Infinity at step 1 while that step\'s loss is finite — a loss-only detector misses it', () => {
    const run = runTraining(houseRequest(1e308, 3));
    const d = run.result.diverged!;
    expect(d).toMatchObject({ step: 1, epoch: 1, what: 'parameter', layer: 'line' });
    // Mutation check: the recorded losses are all finite, so a detector that only watched the loss would have run on.
    expect(run.result.steps.map((s) => s.loss).every(Number.isFinite)).toBe(true);
    expect(run.result.steps).toHaveLength(1);
    expect(run.final).toBeUndefined();
  });

  it('float: lr 1e6 warns first, then stops on the Infinity loss; the run is deterministic', () => {
    const warnings: string[] = [];
    const run = runTraining({ ...houseRequest(1e6, 100), onWarning: (w) => warnings.push(w.message) });
    const d = run.result.diverged!;
    expect(d).toMatchObject({ what: 'loss', layer: 'line', value: 'Infinity' });
    expect(warnings).toHaveLength(1);
    expect(run.result.lossGrowth!.step).toBeLessThan(d.step);
    expect(run.result.steps).toHaveLength(d.step - 1);
    expect(JSON.stringify(runTraining(houseRequest(1e6, 100)).result)).toBe(JSON.stringify(run.result));
  });

  it('law: for any learning rate, a run either reports a divergence or returns finite parameters and losses (property)', () => {
    fc.assert(fc.property(fc.double({ min: -3, max: 308, noNaN: true }), fc.integer({ min: 1, max: 8 }), (exp, steps) => {
      const { result, final } = runTraining(houseRequest(10 ** exp, steps));
      const finite = Object.values(result.params).every((t) => nonFinite(t.data) === undefined) && result.steps.every((st) => Number.isFinite(st.loss))
        && final !== undefined && Number.isFinite(final.train.loss);
      return result.diverged ? result.steps.length <= result.diverged.step && final === undefined : finite && result.steps.length === steps;
    }), { numRuns: 40, seed: 19 });
  });

  it('fuzz campaign seed 20261202: finite steps, then weights that overflow in the final evaluation, diverge at the last step', () => {
    // Was: exit 0 and "final": { "train": { "loss": null } } with weights near 1e308 saved as the model.
    const dir = temp();
    writeFileSync(join(dir, 'data.csv'), 'a,b,label\n-1,2,6\n0,0,0\n-3,-2,0\n');
    const r = systolab(['train', '--model', 'pass-fail-mlp', '--dataset', join(dir, 'data.csv'), '--epochs', '1', '--lr', '1e308', '--format', 'json', '--out', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/diverged: after the last update \(step 1, epoch 1\) the trained model's train loss is NaN: layer hidden's output has/);
    const doc = JSON.parse(r.out) as { steps: { loss: number }[]; diverged: { step: number; what: string }; final?: unknown };
    expect(doc.steps.every((st) => Number.isFinite(st.loss))).toBe(true);   // what the step detectors saw
    expect(doc.diverged).toMatchObject({ step: 1, what: 'loss' });
    expect(doc.final).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['data.csv']);
  });

  it('a run that learns has no divergence and no warning', () => {
    const run = runTraining(houseRequest(0.1, 20));
    expect(run.result.diverged).toBeUndefined();
    expect(run.result.lossGrowth).toBeUndefined();
  });

  it('quantized: the float run diverging is reported as the float run', () => {
    const q = runQuantizedTraining({ ...houseRequest(1e308, 3), quant: { formats: { weight: 'int16', activation: 'int16', error: 'int16', gradient: 'int16', master: 'fp32' }, stochastic: false } });
    expect(q.diverged).toMatchObject({ run: 'float', divergence: { step: 1, what: 'parameter', layer: 'line' } });
    expect(q.fixed.diverged).toMatchObject({ step: 1, layer: 'line' });   // the fp32 master overflows as well
  });
});

describe('through the CLI', () => {
  it('--lr 1e6: exit 1, the step and layer named, no files; an earlier run in that folder is left as it was', () => {
    const out = temp();
    const ok = systolab(['train', '--model', 'linear-regression', '--dataset', 'house', '--lr', '0.1', '--epochs', '2', '--out', out]);
    expect(ok.code, ok.err).toBe(0);
    const before = Object.fromEntries(readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    expect(Object.keys(before).sort()).toEqual(['history.json', 'model.json', 'training.json']);
    const listing = readdirSync(out, { recursive: true }).sort();

    const r = systolab(['train', '--model', 'linear-regression', '--dataset', 'house', '--lr', '1e6', '--out', out]);
    expect(r.code, r.err).toBe(1);
    const line = r.err.split('\n').filter((l) => l.startsWith('train: diverged'));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/^train: diverged: the loss is Infinity at step \d+ \(epoch \d+\): .*layer line.*; no model saved, no files written$/);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.out).toMatch(/diverged/);
    expect(r.out).not.toMatch(/Final metrics|Wrote /);
    expect(readdirSync(out, { recursive: true }).sort()).toEqual(listing);
    for (const [f, text] of Object.entries(before)) expect(readFileSync(join(out, f), 'utf8'), f).toBe(text);
  });

  it('a weight that overflows while the loss is finite: exit 1 at step 1, the layer\'s parameter named; a fresh --out stays empty', () => {
    const out = join(temp(), 'run');
    const r = systolab(['train', '--model', 'linear-regression', '--dataset', 'house', '--lr', '1e308', '--steps', '2', '--out', out, '--format', 'json']);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/^train: diverged: layer line's (bias|weight) became (Infinity|-Infinity|NaN) at step 1 \(epoch 1\)/m);
    const doc = JSON.parse(r.out);
    expect(doc.diverged).toMatchObject({ run: 'float', step: 1, what: 'parameter', layer: 'line' });
    expect(doc.parameters).toBeUndefined();
    expect(doc.final).toBeUndefined();
    expect(() => readdirSync(out)).toThrow();
  });

  it('quantized training that diverges exits 1 too, naming the fixed-point run', () => {
    const r = systolab(['train', '--model', 'playground-mlp', '--dataset', 'spiral', '--precision', 'fp16', '--loss-scale', '1e7', '--epochs', '2', '--diagnostics', 'loss', '--out', temp()]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/^train: diverged: the fixed-point run: layer \w+'s \w+ became NaN at step \d+/m);
    expect(r.out).toMatch(/^The fixed-point run warned first, at step \d+: .*overflowed/m);
    expect(r.out).toMatch(/The float run did not diverge: try a lower --loss-scale/);
  });

  it('a loss that grows 100× but stays finite: one warning line on stderr, exit 0', () => {
    const r = systolab(['train', '--model', 'iris-mlp', '--dataset', 'iris', '--lr', '1e6', '--epochs', '3', '--out', temp()]);
    expect(r.code, r.err).toBe(0);
    const warnings = r.err.split('\n').filter((l) => l.startsWith('train: warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^train: warning: the loss grew [\d.e+]+× at step \d+ .*training may be diverging/);
  });

  it('NaN/Infinity in --input, --target and CSV features: one line, exit 2, the file, the count and the first position', () => {
    const dir = temp();
    const input = join(dir, 'x.json');
    writeFileSync(input, '{ "shape": [4, 2], "data": [0, 0, 0, "NaN", 1, 0, 1e999, 1] }\n');
    const r = systolab(['run', '--model', XOR, '--input', input]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`systolab: ${input}: must hold finite numbers, but 2 of 8 values are NaN or ±Infinity; the first at index [1, 1] (flat 3) of shape [4, 2] (got "NaN").\n`);

    const named = join(dir, 'named.json');
    writeFileSync(named, '{ "x": [[0, 0], [0, 1], [1, 0], [1, "-Infinity"]] }\n');
    const n = systolab(['run', '--model', XOR, '--input', named]);
    expect(n.code).toBe(2);
    expect(n.err).toMatch(/^systolab: .*named\.json: x: must hold finite numbers, but 1 of 8 values .* index \[3, 1\] .*\(got "-Infinity"\)\.\n$/);

    const target = join(dir, 't.json');
    writeFileSync(target, '{ "shape": [4, 1], "data": [0, 1, "Infinity", 0] }\n');
    const t = systolab(['run', '--model', XOR, '--input', join(ROOT, 'models', 'examples', 'xor-x.json'), '--loss', 'bce', '--target', target]);
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/^systolab: .*t\.json: must hold finite numbers, but 1 of 4 values .* index \[2, 0\]/);
    expect(t.err.trim().split('\n')).toHaveLength(1);

    const csv = join(dir, 'data.csv');
    writeFileSync(csv, 'a,b,y\n1,2,0\n3,nan,1\n4,inf,1\n1e999,5,0\n');
    const c = systolab(['train', '--model', 'pass-fail-mlp', '--dataset', csv, '--out', join(dir, 'o')]);
    expect(c.code).toBe(2);
    expect(c.err).toBe(`systolab: ${csv}: row 2 (line 3), column "b": must be a finite number, but 3 feature cells are NaN or ±Infinity; this is the first (got "nan"). Drop or fill in those rows: a NaN feature makes every loss NaN.\n`);

    // A model file whose parameters hold NaN cannot be trained either (each step would blame its first layer).
    const model = join(dir, 'xor-nan.yaml');
    writeFileSync(model, readFileSync(XOR, 'utf8').replace('weight: [[6, 6], [-4, -4]]', 'weight: [[6, 6], [.nan, -4]]'));
    const m = systolab(['train', '--model', model, '--dataset', 'xor', '--epochs', '1', '--out', join(dir, 'm')]);
    expect(m.code).toBe(2);
    expect(m.err).toBe('systolab: --model: parameter hidden.weight must be finite to train, but 1 of 4 values are NaN or ±Infinity; the first at index 2 (got "NaN"). Give finite values, or leave the parameter out to draw it from the seed.\n');
  });
});

describe('run refuses NaN parameters and results that overflow float64 (never prints NaN)', () => {
  const xor = (from: string, to: string): string => {
    const file = join(temp(), 'xor.yaml');
    writeFileSync(file, readFileSync(XOR, 'utf8').replace(from, to));
    return file;
  };
  const x = { shape: [4, 2], data: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1) };
  const errorOf = (f: () => unknown): SimError => {
    try { f(); } catch (e) { if (e instanceof SimError) return e; throw e; }
    throw new Error('no error');
  };

  it('names the parameter given as NaN', () => {
    const graph = loadModel(xor('weight: [[6, 6], [-4, -4]]', 'weight: [[6, 6], [.nan, -4]]'));
    const e = errorOf(() => runModel({ graph, inputs: { x }, training: false, seed: 1 }));
    expect(e.code).toBe('notNumber');
    expect(e.message).toContain('parameter hidden.weight must be finite to run, but 1 of 4 values are NaN or ±Infinity; the first at index 2');
  });

  it('names the first layer whose output overflows, the loss gradient and the parameter gradients', () => {
    // 1e300 · 6 + 1e300 · 6 is finite; a dense layer of weight 1e308 on inputs of 1 overflows to Infinity.
    const graph = loadModel(xor('weight: [[6, 6], [-4, -4]]', 'weight: [[1e308, 1e308], [-4, -4]]'));
    const e = errorOf(() => runModel({ graph, inputs: { x }, training: false, seed: 1 }));
    expect(e.code).toBe('overflow');
    expect(e.message).toMatch(/^--model: layer hidden's output overflows float64: 1 of 8 values are NaN or ±Infinity \(the first at index 6\)/);
    // A dense layer whose forward pass is finite (weights 1e300 on inputs of 0 and 1) but whose input gradient
    // under an upstream gradient of 1e10 is 1e310: Infinity. The forward result itself is sound (the mutation check:
    // it is the gradient check, not the forward one, that catches it).
    const file = join(temp(), 'wide.yaml');
    writeFileSync(file, 'name: wide\nlayers:\n  - { name: x, kind: input, shape: [4, 2] }\n  - { name: y, kind: dense, units: 1, params: { weight: [[1e300, 1]], bias: [0] } }\n');
    const wide = loadModel(file);
    const fwd = runModel({ graph: wide, inputs: { x }, training: false, seed: 1 });
    expect([...fwd.outputs.y.data]).toEqual([0, 1, 1e300, 1e300 + 1]);
    const up = { shape: [4, 1], data: new Float64Array(4).fill(1e10) };
    const g = errorOf(() => runModel({ graph: wide, inputs: { x }, training: false, seed: 1, upstream: up }));
    expect(g.code).toBe('overflow');
    expect(g.message).toMatch(/^--model: the gradient of input x overflows float64: 4 of 8 values/);
  });
});
