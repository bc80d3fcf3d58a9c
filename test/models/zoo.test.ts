/**
 * The built-in models (models/zoo): published parameter counts exactly where torchvision's figure is known, forward
 * MACs (Σ m·k·n over the forward GEMMs of lowerGraph) within 1 % of the published figure, every registry entry
 * builds, runs forward in the float engine at a tiny size and lowers in training mode, and `--model NAME[:k=v…]` works
 * through the bundled CLI (dist/systolab.cjs; run `npm run build` first).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, ROOT, systolab } from '../helpers/cli.js';
import { describe, expect, it } from 'vitest';
import { ZOO, ZOO_NAMES, resolveBuiltin } from '../../models/zoo/index.js';
import { MODELS_EXAMPLES } from '../../sim/cli/models-command.js';
import { summarize } from '../../sim/lower/summary.js';
import { SimError } from '../../sim/base/errors.js';
import { loadAnyModel } from '../../sim/load/model.js';
import type { LayerGraph } from '../../sim/ir/types.js';
import { lowerGraph } from '../../sim/lower/lower.js';
import { runModel } from '../../sim/run/run-model.js';

const run = promisify(execFile);

function forwardMacs(g: LayerGraph): number {
  return lowerGraph(g, { mode: 'inference' }).ops.reduce((s, o) => s + (o.kind === 'gemm' && o.pass === 'forward' ? o.m * o.k * o.n : 0), 0);
}
function trainableParams(g: LayerGraph): number {
  let n = 0;
  for (const specs of Object.values(g.paramSpecs)) for (const p of Object.values(specs)) if (p.trainable) n += p.shape.reduce((a, b) => a * b, 1);
  return n;
}
const rel = (a: number, b: number) => Math.abs(a - b) / b;

describe('published counts at 224×224, batch 1', () => {
  // Parameters: torchvision's model docs ("num_params" of the ImageNet weights; docs.pytorch.org/vision/stable/models),
  // and for MobileNet V1 Keras' applications.MobileNet (trainable parameters; the paper, Howard et al. 2017 Table 8,
  // says 4.2 M). MACs: torchvision's "GFLOPS" column (fvcore multiply-adds, rounded to 2 decimals) and the papers:
  // MobileNet V1 569 M mult-adds (Howard et al. Table 8), MobileNet V2 300 M (Sandler et al. Table 4).
  const cases: [string, number, number][] = [
    ['resnet50', 25_557_032, 4.09e9],
    ['resnet18', 11_689_512, 1.81e9],
    ['resnet34', 21_797_672, 3.66e9],
    ['vgg16', 138_357_544, 15.47e9],
    ['mobilenet-v2', 3_504_872, 300e6],
    ['mobilenet-v1', 4_231_976, 569e6],
    ['alexnet', 61_100_840, 0.71e9], // torchvision's AlexNet (one-tower, 64/192/384/256/256 filters), not the 2012 paper's
  ];
  for (const [name, params, macs] of cases) {
    it(`${name}: ${params.toLocaleString('en-US')} parameters, ${macs / 1e9} G MACs ±1 %`, () => {
      const g = loadAnyModel(name);
      expect(trainableParams(g)).toBe(params);
      expect(rel(forwardMacs(g), macs)).toBeLessThan(0.01);
      expect(g.shapes[g.output]).toEqual([1, 1000]);
    });
  }

  it('MobileNet V1 0.5-160 matches the paper (Howard et al. 2017 Table 6: 76 M mult-adds, 1.32 M parameters)', () => {
    const g = loadAnyModel('mobilenet-v1:width=0.5:resolution=160');
    expect(rel(forwardMacs(g), 76e6)).toBeLessThan(0.01);
    expect(rel(trainableParams(g), 1.32e6)).toBeLessThan(0.01);
  });

  it('LeNet-5 at 32×32: 61,706 parameters (C3 fully connected), 416,520 MACs (hand count)', () => {
    const g = loadAnyModel('lenet5');
    expect(trainableParams(g)).toBe(156 + 2416 + 48_120 + 10_164 + 850);
    expect(forwardMacs(g)).toBe(28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 120 * 400 + 120 * 84 + 84 * 10);
  });
});

describe('transformer layers at seq 128', () => {
  const s = 128, d = 768, h = 12, dh = 64, f = 3072;
  // Hand count: Q, K, V projections + scores + context + output projection + FFN.
  const hand = 3 * s * d * d + h * s * s * dh + h * s * s * dh + s * d * d + 2 * s * d * f;
  for (const name of ['bert-base-layer', 'gpt2-small-layer']) {
    it(`${name}: MACs within 1 % of the hand count ${hand.toLocaleString('en-US')}, 7,087,872 parameters`, () => {
      const g = loadAnyModel(name);
      expect(rel(forwardMacs(g), hand)).toBeLessThan(0.01);
      expect(trainableParams(g)).toBe(7_087_872);
      expect(g.shapes[g.output]).toEqual([1, s, d]);
      const scores = lowerGraph(g, { mode: 'inference' }).ops.filter((o) => o.kind === 'gemm' && o.layer === 'attn.scores');
      expect(scores).toHaveLength(h); // one S×64·64×S GEMM per head
      expect(scores.every((o) => o.kind === 'gemm' && o.m === s && o.k === dh && o.n === s)).toBe(true);
    });
  }
  it('seq and batch scale the GEMMs', () => {
    expect(forwardMacs(loadAnyModel('bert-base-layer:seq=64:batch=2'))).toBe(2 * (4 * 64 * d * d + 2 * h * 64 * 64 * dh + 2 * 64 * d * f));
  });
});

describe('every registry entry', () => {
  // Tiny sizes for the float engine; the SCALE-Sim topologies are independent full-size rows (billions of MACs), so
  // they are only built and lowered.
  const tiny: Record<string, string> = {
    alexnet: 'alexnet:resolution=64', vgg16: 'vgg16:resolution=32', resnet18: 'resnet18:resolution=32', resnet34: 'resnet34:resolution=32',
    resnet50: 'resnet50:resolution=32', 'mobilenet-v1': 'mobilenet-v1:resolution=32:width=0.5', 'mobilenet-v2': 'mobilenet-v2:resolution=32:width=0.5',
    'bert-base-layer': 'bert-base-layer:seq=8', 'gpt2-small-layer': 'gpt2-small-layer:seq=8:batch=2',
  };
  for (const name of ZOO_NAMES) {
    const entry = ZOO.get(name)!;
    const feasible = !(entry.source === 'file' && entry.file.endsWith('.csv'));
    it(`${name}: builds, ${feasible ? 'runs forward at a tiny size, ' : ''}lowers in training mode`, () => {
      const g = loadAnyModel(name);
      const train = lowerGraph(g, { mode: 'training', optimizer: 'adam' });
      const passes = new Set(train.ops.map((o) => o.pass));
      expect([...passes].sort()).toEqual(['backwardData', 'backwardWeight', 'forward', 'update']);
      expect(train.ops.some((o) => o.kind === 'gemm' && o.pass === 'backwardWeight')).toBe(true);
      if (!feasible) return;
      const small = loadAnyModel(tiny[name] ?? name);
      const r = runModel({ graph: small, inputs: {}, training: false, seed: 1 });
      const y = r.outputs[r.output];
      expect(y.shape).toEqual(small.shapes[small.output]);
      expect(y.data.every(Number.isFinite)).toBe(true);
    });
  }
});

describe('NAME:key=value parameters', () => {
  it('fills defaults and names the graph by the non-default parameters', () => {
    const r = resolveBuiltin('mobilenet-v2:width=0.5');
    expect(r.params).toEqual({ batch: 1, resolution: 224, width: 0.5 });
    expect(r.canonical).toBe('mobilenet-v2:width=0.5');
    expect(loadAnyModel('resnet18:batch=4:resolution=224').name).toBe('resnet18:batch=4');
    expect(loadAnyModel('resnet18:batch=4').shapes.fc).toEqual([4, 1000]);
  });
  it('rejects unknown names, unknown keys and bad values with SimErrors naming what is allowed', () => {
    expect(() => loadAnyModel('resnet19')).toThrow(SimError);
    expect(() => loadAnyModel('resnet19')).toThrow(/resnet18, resnet34, resnet50.*or a model file/);
    expect(() => loadAnyModel('resnet18:depth=3')).toThrow(/"depth" is not a parameter.*Allowed keys of resnet18: batch, resolution/);
    expect(() => loadAnyModel('resnet18:batch=0')).toThrow(/batch must be an integer ≥ 1/);
    expect(() => loadAnyModel('alexnet:resolution=32')).toThrow(/resolution must be an integer ≥ 63/);
    expect(() => loadAnyModel('mobilenet-v1:width=-1')).toThrow(/width must be a positive number/);
    expect(() => loadAnyModel('perceptron:batch=2')).toThrow(/perceptron has no parameters/);
    expect(() => loadAnyModel('no-such.yaml')).toThrow(/file not found/);
  });
  it('models show: per-layer MACs and parameters add up to the totals', () => {
    const s = summarize(loadAnyModel('resnet50'));
    expect(s.totals).toEqual({ macs: 4_089_184_256, parameters: 25_557_032 });
    expect(s.layers.find((l) => l.name === 'layer1.0.downsample')).toMatchObject({ kind: 'conv2d', inputShapes: [[1, 64, 56, 56]], outputShape: [1, 256, 56, 56], parameters: 64 * 256 });
    expect(s.layers.filter((l) => l.kind === 'relu').every((l) => l.macs === 0)).toBe(true);
  });
});

describe('through the CLI (bundled bin)', () => {
  it('simulate --model NAME works for every built-in', async () => {
    const results = await Promise.all(ZOO_NAMES.map(async (name) => {
      try {
        const { stdout } = await run(process.execPath, [CLI, 'simulate', '--model', name, '--format', 'json'], { cwd: ROOT, maxBuffer: 1 << 28 });
        return { name, report: JSON.parse(stdout) as { model: string; layers: unknown[] } };
      } catch (e) {
        return { name, error: String((e as { stderr?: string }).stderr ?? e) };
      }
    }));
    for (const r of results) {
      expect(r.error, r.name).toBeUndefined();
      expect(r.report!.layers.length, r.name).toBeGreaterThan(0);
    }
  });

  it('simulate --model NAME:key=value with --batch, and an unknown name lists the valid ones (exit 2, one line)', () => {
    const ok = systolab(['simulate', '--model', 'mobilenet-v2:width=0.5:resolution=96', '--batch', '2', '--format', 'json']);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out).model).toBe('mobilenet-v2:resolution=96:width=0.5');
    const bad = systolab(['simulate', '--model', 'resnet19']);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    for (const name of ZOO_NAMES) expect(bad.err).toContain(name);
    expect(bad.err).toMatch(/or a model file/);
    const key = systolab(['simulate', '--model', 'bert-base-layer:heads=16']);
    expect(key.code).toBe(2);
    expect(key.err).toMatch(/^systolab: "heads" is not a parameter of built-in model bert-base-layer.*Allowed keys of bert-base-layer: batch, seq/);
  });

  it('models lists every built-in with its parameters and MACs; models show prints the layer table (table and JSON)', () => {
    const list = systolab(['models']);
    expect(list.code, list.err).toBe(0);
    for (const name of ZOO_NAMES) expect(list.out).toMatch(new RegExp(`^${name} `, 'm'));
    expect(list.out).toMatch(/^resnet50 +batch=1:resolution=224 +4\.09 G +25\.6 M/m);
    const json = systolab(['models', 'show', 'bert-base-layer', '--format', 'json']);
    expect(json.code, json.err).toBe(0);
    const doc = JSON.parse(json.out);
    expect(doc.totals).toEqual({ macs: 931_135_488, parameters: 7_087_872 });
    expect(Object.keys(doc.layers[0]).sort()).toEqual(['inputShapes', 'kind', 'macs', 'name', 'outputShape', 'parameters']);
    const file = systolab(['models', 'show', 'models/scalesim/alexnet.csv']);
    expect(file.code, file.err).toBe(0);
    expect(file.out).toMatch(/^Conv1 +conv2d/m);
  });

  it('every `models --help` example works', () => {
    const help = systolab(['models', '--help']).out.replace(/\s+/g, ' ');
    expect(MODELS_EXAMPLES.length).toBeGreaterThanOrEqual(3);
    for (const [cmd, what] of MODELS_EXAMPLES) {
      expect(help).toContain(`systolab ${cmd} `);
      expect(help).toContain(what);
      const r = systolab(cmd.split(' '));
      expect(r.code, `${cmd}\n${r.err}`).toBe(0);
    }
  });
});
