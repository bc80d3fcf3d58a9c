/**
 * Training benchmarks (`npm run bench`), one JSON line per case, through the same runTraining the CLI uses:
 *   - the spiral MLP: 2-16-16-1, 1,000 epochs of 500 samples, batch 32 (target: well under 5 s);
 *   - one epoch of a LeNet-style CNN (models/course/lenet-digits.yaml) on 1,000 digit images, batch 32.
 * Seconds of the training loop alone (dataset generation and loading excluded), best of `runs`: wall clock, and CPU
 * (user + system of this process, which on a shared machine says more than the wall clock).
 */
import { join } from 'node:path';
import { loadModel } from '../../sim/load/model-file.js';
import { loadNamedDataset } from '../../sim/load/datasets/registry.js';
import type { Dataset } from '../../sim/datasets/types.js';
import { OPTIMIZER_DEFAULTS } from '../../sim/float/optimizers.js';
import { runTraining } from '../../sim/run/train-run.js';

const MODELS = join(process.cwd(), 'models', 'course');

function bench(name: string, model: string, dataset: Dataset, epochs: number, runs: number): void {
  const graph = loadModel(join(MODELS, `${model}.yaml`));
  let best = Infinity, bestCpu = Infinity;
  let accuracy: number | null = null;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage();
    const run = runTraining({
      graph, dataset, valSplit: 0, testSplit: 0,
      config: {
        optimizer: { kind: 'adam', ...OPTIMIZER_DEFAULTS }, lr: 0.01, schedule: { kind: 'constant', gamma: 1, stepEpochs: 1 },
        batch: 32, epochs, shuffle: true, seed: 0, reg: { l1: 0, l2: 0, applies: () => false },
      },
    });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    const cpu = process.cpuUsage(cpu0);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
    accuracy = run.final!.train.accuracy;
  }
  const samples = dataset.features.shape[0];
  console.log(JSON.stringify({
    case: name, model, samples, epochs, batch: 32, seconds: Number(best.toFixed(3)), cpuSeconds: Number(bestCpu.toFixed(3)), runs,
    samplesPerSecond: Math.round((samples * epochs) / best), finalTrainAccuracy: accuracy,
  }));
}

bench('spiral_mlp_1000_epochs', 'playground-mlp', loadNamedDataset('spiral'), 1000, 3);
bench('lenet_digits_1000_one_epoch', 'lenet-digits', loadNamedDataset('digits:n=1000'), 1, 3);
