/**
 * Quantized training (fixed/qtrain.ts through run/qtrain-run.ts and `systolab train --precision`):
 *  - 16 bits track the float loss curve: spiral MLP (int16 dynamic fixed point, fp32 master, 50 epochs) within
 *    1e-3 absolute per epoch (measured 1.8e-5 at 30 epochs); LeNet on digits:n=300, 2 epochs, within 1 % relative
 *    (measured 0.17 %, 3.1e-3 absolute);
 *  - 8 bits: the underflow diagnostics fire (qM.N errors/gradients: > 10 % of gradients underflow on average and the warning
 *    names the layer; int8 underflows ≥ 10× more than int16);
 *  - stochastic rounding helps with an int8 master (30 epochs, seeds 0–2): nearest-even stalls 0.056–0.077 above
 *    the float loss (0.642 vs 0.567 at seed 0), stochastic stays within 0.01 (0.573);
 *  - same seed ⇒ identical curves and diagnostics; a loss scale that overflows fp16 warns, then stops at the NaN weights.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../sim/load/model-file.js';
import { loadNamedDataset } from '../../sim/load/datasets/registry.js';
import { OPTIMIZER_DEFAULTS } from '../../sim/float/optimizers.js';
import { type QTrainFormats, quantizer, quantizeTensor, simulatePrecision } from '../../sim/fixed/quantizer.js';
import { type QTrainRun, runQuantizedTraining } from '../../sim/run/qtrain-run.js';
import { loadHwConfig, resolveMachine } from '../../sim/load/hw.js';
import { withOverrides } from '../../sim/arch/parse.js';
import { type SimulateOptions, simulateGraph } from '../../sim/run/pipeline.js';
import type { HwConfig } from '../../sim/arch/types.js';
import type { LayerGraph } from '../../sim/ir/types.js';

import { WORKSPACE, systolab } from '../helpers/cli.js';

/** The pipeline on a graph and a config, its energy table loaded. */
const simulate = (g: LayerGraph, hw: HwConfig, o: SimulateOptions) => simulateGraph(g, resolveMachine(hw), o);

const MODELS = join(import.meta.dirname, '..', '..', 'models', 'course');
const spiral = loadNamedDataset('spiral');
const all = (f: string, master = 'fp32'): QTrainFormats => ({ weight: f, activation: f, error: f, gradient: f, master });

function runSpiral(formats: QTrainFormats, opts: { epochs?: number; stochastic?: boolean; seed?: number; lossScale?: number; reference?: boolean } = {}): QTrainRun {
  return runQuantizedTraining({
    graph: loadModel(join(MODELS, 'playground-mlp.yaml')), dataset: spiral, valSplit: 0, testSplit: 0,
    config: {
      optimizer: { kind: 'adam', ...OPTIMIZER_DEFAULTS }, lr: 0.01, schedule: { kind: 'constant', gamma: 1, stepEpochs: 1 },
      batch: 32, epochs: opts.epochs ?? 30, shuffle: true, seed: opts.seed ?? 0, reg: { l1: 0, l2: 0, applies: () => false },
    },
    quant: { formats, stochastic: opts.stochastic ?? false, lossScale: opts.lossScale, reference: opts.reference },
  });
}

const meanOf = (run: QTrainRun, key: 'gradUnderflow' | 'errorUnderflow'): number => {
  let s = 0, n = 0;
  for (const st of run.fixed.steps) for (const l of st.layers) { s += l[key]; n++; }
  return s / n;
};

describe('16-bit fixed-point training tracks float', () => {
  it('spiral MLP, int16 GEMMs and fp32 master: every epoch loss within 1e-3 of float', () => {
    const run = runSpiral(all('int16'), { epochs: 50 });
    expect(run.fixed.epochs).toHaveLength(50);
    expect(run.comparison.maxAbsEpochLossDiff).toBeLessThan(1e-3);
    expect(run.comparison.finalFixedLoss).toBeLessThan(run.fixed.epochs[0].train.loss - 0.05);   // it learns
    expect(run.fixed.warnings).toEqual([]);
    const sq = run.fixed.steps.at(-1)!.layers.map((l) => l.gradSqnrDb!);
    for (const v of sq) expect(v).toBeGreaterThan(50);
    expect(run.simulatePrecision).toBe('int16');
  });

  it('LeNet on digits:n=300, 2 epochs, int16: within 1 % of the float loss per epoch', () => {
    const run = runQuantizedTraining({
      graph: loadModel(join(MODELS, 'lenet-digits.yaml')), dataset: loadNamedDataset('digits:n=300'), valSplit: 0, testSplit: 0,
      config: {
        optimizer: { kind: 'adam', ...OPTIMIZER_DEFAULTS }, lr: 0.001, schedule: { kind: 'constant', gamma: 1, stepEpochs: 1 },
        batch: 32, epochs: 2, shuffle: true, seed: 0, reg: { l1: 0, l2: 0, applies: () => false },
      },
      quant: { formats: all('int16'), stochastic: false, reference: false },
    });
    expect(run.fixed.epochs).toHaveLength(2);
    expect(run.comparison.maxRelEpochLossDiff).toBeLessThan(0.01);
    expect(run.fixed.epochs[1].train.loss).toBeLessThan(run.fixed.epochs[0].train.loss);
    expect(run.fixed.steps[0].layers.map((l) => l.layer)).toEqual(['c1', 'c3', 'f5', 'f6', 'logits']);
  }, 30_000);
});

describe('8-bit diagnostics', () => {
  it('gradient underflow fires in 8-bit fixed point (qM.N) and is far above int16', () => {
    const q8 = runSpiral({ weight: 'q3.5', activation: 'q4.4', error: 'q1.7', gradient: 'q1.7', master: 'fp32' }, { epochs: 20, reference: false });
    expect(meanOf(q8, 'gradUnderflow')).toBeGreaterThan(0.1);
    const under = q8.fixed.warnings.filter((w) => w.kind === 'underflow');
    expect(under.length).toBeGreaterThan(0);
    expect(under[0].message).toMatch(/% of the nonzero gradients quantize to 0/);
    // Loss scaling brings the small gradients back above the grid (and saturation is then reported).
    const scaled = runSpiral({ weight: 'q3.5', activation: 'q4.4', error: 'q1.7', gradient: 'q1.7', master: 'fp32' }, { epochs: 20, lossScale: 64, reference: false });
    expect(meanOf(scaled, 'gradUnderflow')).toBeLessThan(meanOf(q8, 'gradUnderflow') / 5);
    expect(scaled.fixed.warnings.some((w) => w.kind === 'saturation')).toBe(true);

    const i8 = runSpiral(all('int8'), { epochs: 10, reference: false }), i16 = runSpiral(all('int16'), { epochs: 10, reference: false });
    expect(meanOf(i8, 'gradUnderflow')).toBeGreaterThan(10 * meanOf(i16, 'gradUnderflow'));
    expect(meanOf(i8, 'errorUnderflow')).toBeGreaterThan(10 * meanOf(i16, 'errorUnderflow'));
  });

  it('stochastic rounding keeps int8-master training on the float curve; nearest-even stalls', () => {
    for (const seed of [0, 1, 2]) {
      const near = runSpiral(all('int8', 'int8'), { seed, reference: false });
      const sr = runSpiral(all('int8', 'int8'), { seed, stochastic: true, reference: false });
      const f = near.comparison.finalFloatLoss;
      expect(near.comparison.finalFixedLoss - f).toBeGreaterThan(0.04);
      expect(Math.abs(sr.comparison.finalFixedLoss - f)).toBeLessThan(0.02);
      // Nearest rounding loses most updates: most weights' updates round away entirely.
      const stalled = near.fixed.steps.at(-1)!.layers.map((l) => l.updatesStalled);
      expect(Math.min(...stalled)).toBeGreaterThan(0.5);
    }
  });

  it('warns, then stops where the weights turn NaN (fp16 overflowed by a huge loss scale)', () => {
    const run = runSpiral(all('fp16'), { epochs: 2, lossScale: 1e7, reference: false });
    const stop = run.fixed.diverged!;
    expect(stop.what).toBe('parameter');
    expect(run.fixed.steps.at(-1)!.step).toBe(stop.step);   // no step after it
    const first = run.fixed.warnings[0];
    expect(first.kind).toBe('nonFinite');
    expect(first.step).toBeLessThanOrEqual(stop.step);
    expect(run.fixed.warnings.at(-1)).toMatchObject({ kind: 'nan', step: stop.step, layer: stop.layer });
    expect(run.diverged?.run).toBe('fixed-point');
  });
});

describe('determinism, formats, cost', () => {
  it('same seed ⇒ identical curves and diagnostics (stochastic rounding included)', () => {
    const a = runSpiral(all('int8', 'int8'), { epochs: 5, stochastic: true });
    const b = runSpiral(all('int8', 'int8'), { epochs: 5, stochastic: true });
    expect(b.fixed.steps).toEqual(a.fixed.steps);
    expect(b.fixed.epochs).toEqual(a.fixed.epochs);
    const c = runSpiral(all('int8', 'int8'), { epochs: 5, stochastic: true, seed: 1 });
    expect(c.fixed.steps.map((s) => s.loss)).not.toEqual(a.fixed.steps.map((s) => s.loss));
  });

  it('quantizers: dynamic int underflows but never saturates; qM.N saturates; stochastic is unbiased', () => {
    const st = { nonzero: 0, underflow: 0, saturated: 0, nonFinite: 0 };
    const out = new Float64Array(3);
    expect(quantizeTensor(quantizer('int8'), [1, 0.001, -0.5], out, undefined, st)).toBe(2 ** -6);
    expect([...out]).toEqual([1, 0, -0.5]);
    expect(st).toMatchObject({ nonzero: 3, underflow: 1, saturated: 0 });
    const st2 = { nonzero: 0, underflow: 0, saturated: 0, nonFinite: 0 };
    quantizeTensor(quantizer('q2.6'), [5, -5, 0.25], out, undefined, st2);
    expect([...out]).toEqual([127 / 64, -2, 0.25]);
    expect(st2.saturated).toBe(2);
    expect(() => quantizer('uint8')).toThrow(/signed/);
    expect(simulatePrecision(all('q4.12'))).toBe('int16');
    expect(simulatePrecision(all('int8'))).toBe('int8');
    expect(simulatePrecision(all('bf16'))).toBe('bf16');
  });

  it('simulate --mode training at the mapped precision times the same GEMMs', () => {
    const graph = loadModel(join(MODELS, 'playground-mlp.yaml'));
    const at = (p: string) => simulate(graph, withOverrides(loadHwConfig('scalesim-32x32'), { precision: p }), { mode: 'training', compat: 'none', batch: 32, version: 'test' });
    const r8 = at(simulatePrecision(all('int8'))), r16 = at(simulatePrecision(all('q4.12')));
    expect(r8.totals.totalCycles).toBeGreaterThan(0);
    expect(r8.layers.some((l) => l.pass === 'backwardWeight')).toBe(true);
    expect(r16.totals.totalCycles).toBe(r8.totals.totalCycles);   // same GEMM shapes
  });

  it('CLI: train --precision prints both curves and the diagnostics; JSON carries both curves', () => {
    const args = ['train', '--model', 'playground-mlp', '--dataset', 'spiral', '--optimizer', 'adam', '--lr', '0.01', '--epochs', '5', '--precision', 'int8',
      '--master-format', 'int8', '--stochastic-rounding', '--out', join(WORKSPACE, 'qtrain')];
    const text = systolab(args);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/float loss\s+fixed loss/);
    expect(text.out).toMatch(/grad underflow/);
    expect(text.out).toMatch(/simulate --model playground-mlp --mode training --precision int8 --batch 32/);
    const json = systolab([...args, '--format', 'json']);
    const h = JSON.parse(json.out);
    expect(h.float.epochs).toHaveLength(5);
    expect(h.fixed.epochs).toHaveLength(5);
    expect(h.fixed.steps[0].layers[0]).toHaveProperty('gradUnderflow');
    expect(h.simulatePrecision).toBe('int8');
    const bad = systolab(['train', '--model', 'playground-mlp', '--dataset', 'spiral', '--precision', 'int99']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--precision/);
  });
});
