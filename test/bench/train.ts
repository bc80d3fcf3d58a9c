/**
 * Training benchmarks (`npm run bench`), one JSON line per case, through the same runTraining the CLI uses:
 *   - the spiral MLP: 2-16-16-1, 1,000 epochs of 500 samples, batch 32 (target: well under 5 s);
 *   - one epoch of a LeNet-style CNN (models/course/lenet-digits.yaml) on 1,000 digit images, batch 32.
 * Two times per case, each the best of `runs`, wall clock and CPU (user + system of this process, which on a shared
 * machine says more than the wall clock); dataset generation and loading are excluded from both:
 *   - `epochs…`: from the start of runTraining to the end of the last epoch (its onEpoch): the training alone;
 *   - `total…`: the same plus runTraining's final evaluation of the whole training split.
 * Each case runs in the float64 engine and again in the float32 one (`--dtype float32`, case name `…_float32`).
 * `node dist/test/bench/train.js lenet` runs only the cases whose name contains "lenet".
 */
import { join } from 'node:path';
import { loadModel } from '../../sim/load/model-file.js';
import { loadNamedDataset } from '../../sim/load/datasets/registry.js';
import type { Dataset } from '../../sim/datasets/types.js';
import { OPTIMIZER_DEFAULTS } from '../../sim/float/optimizers.js';
import type { Dtype } from '../../sim/float/tensor.js';
import { runTraining } from '../../sim/run/train-run.js';

const MODELS = join(process.cwd(), 'models', 'course');
const only = process.argv[2];

interface Clock { readonly wall: bigint; readonly cpu: NodeJS.CpuUsage }
const now = (): Clock => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() });
const since = (from: Clock, to: Clock) => ({
  seconds: Number(to.wall - from.wall) / 1e9,
  cpu: (to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system) / 1e6,
});

function bench(name: string, model: string, dataset: () => Dataset, epochs: number, runs: number, dtype: Dtype = 'float64'): void {
  if (only !== undefined && !name.includes(only)) return;
  const graph = loadModel(join(MODELS, `${model}.yaml`));
  const data = dataset();
  const best = { epochs: Infinity, epochsCpu: Infinity, total: Infinity, totalCpu: Infinity };
  let accuracy: number | null = null;
  for (let r = 0; r < runs; r++) {
    const start = now();
    let trained = start;
    const run = runTraining({
      graph, dataset: data, valSplit: 0, testSplit: 0,
      config: {
        optimizer: { kind: 'adam', ...OPTIMIZER_DEFAULTS }, lr: 0.01, schedule: { kind: 'constant', gamma: 1, stepEpochs: 1 },
        batch: 32, epochs, shuffle: true, seed: 0, reg: { l1: 0, l2: 0, applies: () => false }, dtype,
      },
      onEpoch: () => { trained = now(); },
    });
    const training = since(start, trained), total = since(start, now());
    best.epochs = Math.min(best.epochs, training.seconds);
    best.epochsCpu = Math.min(best.epochsCpu, training.cpu);
    best.total = Math.min(best.total, total.seconds);
    best.totalCpu = Math.min(best.totalCpu, total.cpu);
    accuracy = run.final!.train.accuracy;
  }
  const samples = data.features.shape[0];
  const s = (x: number) => Number(x.toFixed(3));
  console.log(JSON.stringify({
    case: name, model, dtype, samples, epochs, batch: 32, runs,
    epochsSeconds: s(best.epochs), epochsCpuSeconds: s(best.epochsCpu),
    totalSeconds: s(best.total), totalCpuSeconds: s(best.totalCpu),
    samplesPerSecond: Math.round((samples * epochs) / best.epochs), finalTrainAccuracy: accuracy,
  }));
}

for (const dtype of ['float64', 'float32'] as const) {
  const suffix = dtype === 'float64' ? '' : `_${dtype}`;
  bench(`spiral_mlp_1000_epochs${suffix}`, 'playground-mlp', () => loadNamedDataset('spiral'), 1000, 3, dtype);
  bench(`lenet_digits_1000_one_epoch${suffix}`, 'lenet-digits', () => loadNamedDataset('digits:n=1000'), 1, 7, dtype);
}
