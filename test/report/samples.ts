/** Small synthetic inputs for the report tests: sweep records, a check report and a train --precision history. */
import type { SweepRecord } from '../../sim/sweep/record.js';
import type { NumericsReport } from '../../sim/run/check.js';
import { DEFAULT_PASS_RULE, applyRule } from '../../sim/run/check-rule.js';
import type { LossHistory } from '../../sim/report/charts/numerics-charts.js';
import type { TrainHistory } from '../../sim/report/train-charts.js';

export function sampleSweep(model2 = 'resnet18'): SweepRecord[] {
  const out: SweepRecord[] = [];
  let n = 0;
  for (const model of ['tiny-cnn', model2]) {
    for (const [rows, cols] of [[8, 8], [16, 16], [32, 32], [16, 64]]) {
      for (const [d, dataflow] of (['os', 'ws', 'is'] as const).entries()) {
        for (const kib of [16, 64]) {
          const pes = rows * cols, cycles = Math.round((1e6 / pes) * (1 + d * 0.2) * (kib === 16 ? 1.1 : 1) + 500);
          const utilization = Math.min(0.95, 1e6 / (cycles * pes));
          const energyPj = 2e7 * (1 + 0.1 * d) * (kib === 16 ? 1.3 : 1) + 1e4 * pes;
          out.push({
            id: `p${(n++).toString(16).padStart(4, '0')}`,
            params: { model, mode: 'inference', hw: 'scalesim-32x32', rows, cols, dataflow, ifmapKib: kib, filterKib: kib, ofmapKib: kib, dramBytesPerCycle: 10, bandwidthMode: 'calc', precision: 'int8', clockMhz: 1000 },
            totals: {
              cycles, seconds: cycles / 1e9, macs: 1e6, utilization, computeUtilization: utilization, mappingEfficiency: 0.9, stallCycles: 0,
              dramReadBytes: 1e5, dramWriteBytes: 2e4, dramBytes: 1.2e5, energyPj, areaMm2: 0.001 * pes, edpPjS: (energyPj * cycles) / 1e9,
            },
          });
        }
      }
    }
  }
  return out;
}

export function sampleCheck(model = 'lenet-digits'): NumericsReport {
  const layer = (name: string, kind: string, sqnrDb: number) => ({
    name, kind, maxAbsError: 10 ** (-sqnrDb / 20), meanAbsError: 10 ** (-sqnrDb / 20) / 4, sqnrDb, sqnrDropDb: 49.9 - sqnrDb, cosine: 0.9999, accumulatorOverflows: 0, clamps: 1,
  });
  return {
    schemaVersion: 2, model, dataset: 'digits:n=1000', evaluated: { on: 'test split' }, precision: 'int8', accumulatorBits: 32, overflow: 'saturate', rounding: 'gemmlowp', calibration: 'max',
    samples: { calibration: 500, evaluated: 200 }, idealSqnrDb: 49.92,
    layers: [layer('conv1', 'conv2d', 41.2), layer('relu1', 'relu', Infinity), layer('conv2', 'conv2d', 37.5), layer('fc', 'dense', 35.1)],
    summary: {
      decision: 'argmax', agreement: 0.995, floatAccuracy: 0.97, fixedAccuracy: 0.965, accuracyDropPp: 0.5, regression: null,
      outputSqnrDb: 35.1, worstSqnrDropDb: 14.8, worstLayer: 'fc', accumulatorOverflows: 0, clamps: 3,
    },
    rule: DEFAULT_PASS_RULE, checks: applyRule(DEFAULT_PASS_RULE, { accuracyDropPp: 0.5, errorIncreasePp: null, agreement: 0.995, worstSqnrDropDb: 14.8 }),
    failures: [], passed: true,
  } as NumericsReport;
}

export function sampleHistory(): LossHistory & TrainHistory {
  const epochs = (bias: number) => Array.from({ length: 30 }, (_, i) => ({ epoch: i + 1, train: { loss: 0.7 * Math.exp(-i / 10) + 0.1 + bias * (i / 30), accuracy: 0.6 + 0.3 * (i / 30) - bias } }));
  return {
    model: 'playground-mlp', dataset: 'spiral', formats: { weight: 'int8', activation: 'int8', gradient: 'int8' }, float: { epochs: epochs(0) }, fixed: { epochs: epochs(0.02) },
    layerSummary: [
      { layer: 'fc1', meanGradSqnrDb: 28.1, minGradSqnrDb: 21.4, meanGradUnderflow: 0.063 },
      { layer: 'fc2', meanGradSqnrDb: 30.5, minGradSqnrDb: 24.0, meanGradUnderflow: 0.016 },
      { layer: 'fc3', meanGradSqnrDb: Infinity, minGradSqnrDb: Infinity, meanGradUnderflow: 0 },
    ],
  };
}
