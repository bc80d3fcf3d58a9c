/**
 * Fixed-point execution speed (`npm run bench`), one JSON line: int8 inference of the trained LeNet
 * (models/trained/lenet-digits.json) on 1,000 digits through the fast bit-exact GEMM path (int32 saturating
 * accumulators, gemmlowp requantization), in chunks of 250 images, calibration excluded. Target: a few seconds.
 */
import { join } from 'node:path';
import { loadModel } from '../../sim/load/model-file.js';
import { initParams } from '../../sim/float/init.js';
import { loadNamedDataset } from '../../sim/load/datasets/registry.js';
import { takeRows } from '../../sim/float/train.js';
import { lowerGraph } from '../../sim/lower/lower.js';
import { calibrate } from '../../sim/fixed/calibrate.js';
import { executeFixed } from '../../sim/fixed/execute-fixed.js';
import { parseFormat } from '../../sim/fixed/format.js';
import { packageRoot } from '../../sim/base/package-root.js';

const graph = loadModel(join(packageRoot(), 'models', 'trained', 'lenet-digits.json'));
const params = initParams(graph);
const data = loadNamedDataset('digits:n=1000');
const images = 1000, chunk = 250;
const ranges = calibrate(graph, params, takeRows(data.features, Array.from({ length: 200 }, (_, i) => i)), { method: 'max' });
const program = lowerGraph(graph, { mode: 'inference', batch: chunk });
const cfg = { format: parseFormat('int8'), accumulatorBits: 32, overflow: 'saturate' as const, rounding: 'gemmlowp' as const, ranges };
const all = Array.from({ length: images }, (_, i) => i);
const t0 = process.hrtime.bigint();
let macs = 0;
for (let from = 0; from < images; from += chunk) {
  executeFixed(program, graph, params, { image: takeRows(data.features, all, from, from + chunk) }, cfg);
}
for (const op of program.ops) if (op.kind === 'gemm') macs += op.m * op.k * op.n * (images / chunk);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ bench: 'fixed-int8-lenet', images, seconds: +seconds.toFixed(3), imagesPerSecond: Math.round(images / seconds), gmacPerSecond: +(macs / seconds / 1e9).toFixed(3) }));
