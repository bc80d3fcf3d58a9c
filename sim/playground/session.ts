/**
 * One training run of the playground, epoch by epoch (what its Web Worker runs): prepared by run/train-run.ts'
 * prepareTraining from the request `systolab train` makes (network.ts), then float/train.ts' trainEpochs, so the
 * curve is the CLI's. Between epochs it draws the decision boundary on the 100×100 grid, runs the network in a
 * fixed-point or reduced float format beside float (fixed/execute-fixed.ts, calibrated on the training split as
 * `systolab check` calibrates), and hands out a dense layer's real GEMM operands for the PE-array panel.
 */
import type { Dataset } from '../datasets/types.js';
import { type Calibration, calibrate } from '../fixed/calibrate.js';
import { executeFixed } from '../fixed/execute-fixed.js';
import { type QTrainOptions, type QTrainResult, trainQuantizedEpochs } from '../fixed/qtrain.js';
import { parseFormat } from '../fixed/format.js';
import { forward } from '../float/engine.js';
import { exp } from '../float/fdlibm.js';
import type { Params } from '../float/init.js';
import type { Tensor } from '../float/tensor.js';
import { type EpochRecord, type Split, type TrainResult, copyParams, correct, trainEpochs } from '../float/train.js';
import type { LayerGraph } from '../ir/types.js';
import { lowerGraph } from '../lower/lower.js';
import { type PreparedTraining, prepareTraining } from '../run/train-run.js';
import { GRID, gridPoints, planeFeatures } from './data.js';
import { trainRequest } from './network.js';
import { type PlaygroundState, isPlane } from './state.js';

/** The page trains until paused; a run this long never ends on its own. */
export const OPEN_ENDED_EPOCHS = 1_000_000;

/** The boundary over the grid: binary, p(class 1) per cell; multiclass, the class and its probability. */
export interface Boundary {
  readonly kind: 'binary' | 'multiclass';
  /** GRID×GRID, row 0 at the top. */
  readonly value: Float32Array;
  readonly cls?: Uint8Array;
}

export interface PrecisionView {
  readonly format: string;
  /** Whether the network was trained in the format (else: the float network run in it). */
  readonly trained: boolean;
  readonly trainAccuracy: number;
  readonly testAccuracy: number | null;
  readonly boundary?: Boundary;
  /** Values clamped to the format's range, summed over the layers, on the test split. */
  readonly clamps: number;
}

export type StepOutcome =
  | { readonly kind: 'epoch'; readonly record: EpochRecord }
  | { readonly kind: 'ended'; readonly result: TrainResult };

const CALIBRATION: Calibration = { method: 'max' };
const CALIBRATION_SAMPLES = 500;

/**
 * What `systolab train --precision F` runs (api/train.ts quantOptions): every GEMM operand role in F, fp32 master
 * weights, round to nearest, no loss scaling, the default accumulator; without the float64 reference gradient,
 * which only feeds diagnostics the page does not show.
 */
export function quantTrainOptions(format: string): QTrainOptions {
  return { formats: { weight: format, activation: format, error: format, gradient: format, master: 'fp32' }, stochastic: false, lossScale: 1, reference: false };
}

export class TrainingSession {
  readonly prepared: PreparedTraining;
  readonly records: EpochRecord[] = [];
  /** The run in `trainFormat` beside the float one (same data, splits and initial weights), when asked for. */
  readonly fixedRecords: EpochRecord[] = [];
  private readonly run: Generator<{ record: EpochRecord; params: Params }, TrainResult, void>;
  private readonly fixedRun?: Generator<{ record: EpochRecord; params: Params }, QTrainResult, void>;
  private params: Params;
  private fixedParams?: Params;
  private readonly grid?: Tensor;
  ended?: TrainResult;
  fixedEnded?: QTrainResult;

  /** `trainFormat`: also train in this format (int8, fp16, …), as `systolab train --precision` does. */
  constructor(readonly state: PlaygroundState, dataset: Dataset, readonly trainFormat?: string) {
    const req = trainRequest(state, dataset, OPEN_ENDED_EPOCHS);
    this.prepared = prepareTraining(req);
    const p = this.prepared;
    this.params = p.params;
    const cfg = { ...req.config, loss: p.loss, accuracy: p.accuracy };
    this.run = trainEpochs(p.graph, p.params, p.splits, cfg);
    if (trainFormat !== undefined) {
      this.fixedRun = trainQuantizedEpochs(p.graph, p.params, p.splits, cfg, quantTrainOptions(trainFormat));
      this.fixedParams = p.params;
    }
    if (isPlane(state.dataset)) this.grid = { shape: [GRID * GRID, state.features.length], data: planeFeatures(gridPoints(), state.features) };
  }

  get graph(): LayerGraph { return this.prepared.graph; }
  get epoch(): number { return this.records.length; }

  /** Trains one more epoch (of both runs, when there are two; the fixed-point one stops on its own at a NaN). */
  step(): StepOutcome {
    if (this.ended) return { kind: 'ended', result: this.ended };
    if (this.fixedRun && !this.fixedEnded) {
      const q = this.fixedRun.next();
      if (q.done) this.fixedEnded = q.value;
      else { this.fixedParams = q.value.params; this.fixedRecords.push(q.value.record); }
    }
    const next = this.run.next();
    if (next.done) {
      this.ended = next.value;
      this.params = next.value.params;
      return { kind: 'ended', result: next.value };
    }
    this.params = next.value.params;
    this.records.push(next.value.record);
    return { kind: 'epoch', record: next.value.record };
  }

  /** The current parameters, copied (the run goes on updating its own). */
  currentParams(): Params { return copyParams(this.params); }

  private outputs(x: Tensor, params: Params = this.params): Tensor {
    return forward(this.graph, params, { [this.graph.order[0]]: x }, { keepValues: false }).output;
  }

  private boundaryOf(out: Tensor): Boundary {
    const cells = GRID * GRID;
    const width = out.data.length / cells;
    if (width === 1) return { kind: 'binary', value: Float32Array.from(out.data) };
    // softmax-ce: logits → the winning class and its softmax probability.
    const value = new Float32Array(cells), cls = new Uint8Array(cells);
    for (let i = 0; i < cells; i++) {
      let best = 0;
      for (let c = 1; c < width; c++) if (out.data[i * width + c] > out.data[i * width + best]) best = c;
      let sum = 0;
      for (let c = 0; c < width; c++) sum += exp(out.data[i * width + c] - out.data[i * width + best]);
      value[i] = 1 / sum;
      cls[i] = best;
    }
    return { kind: 'multiclass', value, cls };
  }

  /** The float network's decision boundary (2-D sets only). */
  boundary(): Boundary | undefined {
    return this.grid ? this.boundaryOf(this.outputs(this.grid)) : undefined;
  }

  /**
   * The network run in `format` (int8, fp16, …): accuracy on both splits and, for 2-D sets, its boundary. When the
   * session trains in that format, it is the network trained so (its master weights), else the float one.
   */
  precisionView(format: string): PrecisionView {
    const { graph, splits, accuracy } = this.prepared;
    const trained = this.trainFormat === format && this.fixedParams !== undefined;
    const params = trained ? this.fixedParams! : this.params;
    const f = parseFormat(format, { rounding: 'nearestEven', overflow: 'saturate' });
    const train = splits.train;
    const cal = train.features.shape[0] > CALIBRATION_SAMPLES
      ? { shape: [CALIBRATION_SAMPLES, ...train.features.shape.slice(1)], data: train.features.data.subarray(0, CALIBRATION_SAMPLES * (train.features.data.length / train.features.shape[0])) }
      : train.features;
    const ranges = f.kind === 'int' && f.fractionBits === undefined ? calibrate(graph, params, cal as Tensor, CALIBRATION) : {};
    let clamps = 0;
    const run = (x: Tensor) => {
      const program = lowerGraph(graph, { mode: 'inference', batch: x.shape[0] });
      const r = executeFixed(program, graph, params, { [graph.order[0]]: x }, { format: f, accumulatorBits: 32, overflow: 'saturate', rounding: 'gemmlowp', ranges });
      return r;
    };
    const acc = (s: Split | undefined) => {
      if (!s) return null;
      const r = run(s.features);
      for (const t of Object.values(r.tallies)) clamps += t.clamps;
      return correct(accuracy, r.output, s.targets) / s.features.shape[0];
    };
    const testAccuracy = acc(splits.test);
    const trainAccuracy = acc(train)!;
    return { format, trained, trainAccuracy, testAccuracy, clamps, ...(this.grid ? { boundary: this.boundaryOf(run(this.grid).output) } : {}) };
  }

  /**
   * A dense layer's forward GEMM as the accelerator runs it (lower/: m = batch rows, k = inputs, n = units): A is
   * the layer's input for the first `rows` training samples, B the weights transposed (k × n), both in float.
   */
  denseOperands(layerIndex: number, rows: number): { layer: string; m: number; k: number; n: number; a: Float64Array; b: Float64Array } | undefined {
    const dense = this.graph.layers.filter((l) => l.kind === 'dense');
    const node = dense[layerIndex];
    if (!node) return undefined;
    const x = this.prepared.splits.train.features;
    const m = Math.min(rows, x.shape[0]);
    const per = x.data.length / x.shape[0];
    const fwd = forward(this.graph, this.params, { [this.graph.order[0]]: { shape: [m, ...x.shape.slice(1)], data: x.data.slice(0, m * per) } });
    const a = Float64Array.from(fwd.values[node.inputs[0]].data);
    const w = this.params[`${node.name}.weight`];
    const [n, k] = w.shape;
    const b = new Float64Array(k * n);
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) b[i * n + j] = w.data[j * k + i];
    return { layer: node.name, m, k, n, a, b };
  }
}
