/**
 * Systolab as a library. The first five take what the CLI's flags take, with the same defaults, and return exactly
 * the objects the CLI prints with --format json (`sweep`: the result records it writes to results.jsonl):
 *   simulate({ model, hw, array, dataflow, mode, compat, … })   trace({ gemm: '2x3x2', array, dataflow, seed })
 *   train({ model, dataset, optimizer, lr, epochs, … })          check({ model, precision, … })   sweep(spec, options)
 * The stages below them (lowering, mapping, timing, pricing, the float engine) are exported for finer work.
 */
export { SimError } from './base/errors.js';
export type { LayerGraph, LayerKind, LayerNode } from './ir/types.js';
export { LAYER_KINDS } from './ir/types.js';
export { loadModel } from './load/model-file.js';
export { parseModel } from './ir/parse.js';
export { buildGraph } from './ir/graph.js';
export type { Tensor } from './float/tensor.js';
export { forward, backward, type ForwardResult, type Gradients } from './float/engine.js';
export { initParams, type Params } from './float/init.js';
export { losses, LOSS_KINDS, type LossKind } from './float/losses.js';
export { runModel, type RunRequest, type RunResult } from './run/run-model.js';
export { lowerGraph } from './lower/lower.js';
export { loadHwConfig, resolveMachine } from './load/hw.js';
export { withOverrides } from './arch/parse.js';
export type { HwConfig } from './arch/types.js';
export { simulate, trace, traceRun, type SimulateRequest, type TraceRequest } from './api/simulate.js';
export { train, trainModel, TRAIN_DEFAULTS, type TrainOptions, type TrainOutcome } from './api/train.js';
export { check, checkPrecisions, type CheckOptions } from './api/check.js';
export { parseSweepSpec } from './sweep/spec.js';
export { simulateGraph, type SimulateOptions } from './run/pipeline.js';
export type { Machine } from './run/energy-context.js';
export type { CostReport, LayerCost, GemmCost, VectorCost } from './run/cost-report.js';
export { mapGemm, type Mapping } from './map/mapping.js';
export { DATAFLOW_STRATEGIES, type DataflowStrategy } from './map/dataflow.js';
export { parseEnergyTable, type EnergyTable } from './energy/table.js';
export { loadEnergyTable } from './load/energy-table.js';
export { priceActions, unitPrices, areaOf } from './energy/price.js';
export { gemmActions, vectorActions, addActions, type ActionCounts } from './energy/actions.js';
export { timeGemm } from './timing/gemm-timing.js';
export { simulateArrayGemm } from './array/systolic-array.js';
export { runTraining } from './run/train-run.js';
export { quantize, dequantize, parseFormat, type NumberFormat, type IntFormat, type FloatFormat } from './fixed/format.js';
export { gemmInt, type GemmIntOptions } from './fixed/gemm-int.js';
export { requantize, quantizeMultiplier, type RequantizeOptions } from './fixed/requantize.js';
export { ROUNDINGS, type Rounding, type OverflowRule } from './fixed/rounding.js';
export { quantizer, simulatePrecision, type QTrainFormats } from './fixed/quantizer.js';
export { trainQuantized, type QTrainOptions, type QTrainResult, type LayerStepDiag, type QTrainWarning } from './fixed/qtrain.js';
export { runQuantizedTraining, type QTrainRequest, type QTrainRun } from './run/qtrain-run.js';
export { runCheck, type CheckRequest, type NumericsReport } from './run/check.js';
export { sweep, type SweepOptions } from './sweep/run.js';
export { mergeSweeps } from './sweep/merge.js';
export type { SweepSpec, PointParams } from './sweep/spec.js';
export type { SweepRecord, SweepTotals } from './sweep/record.js';
export { simulateCharts } from './report/charts/simulate-charts.js';
export { sweepCharts } from './report/charts/sweep-charts.js';
export { checkCharts, type LossHistory } from './report/charts/numerics-charts.js';
export { trainingCurvesChart, type TrainHistory } from './report/train-charts.js';
export type { Chart, VlSpec } from './report/charts/types.js';
export { specToSvg, svgToPng, writeCharts } from './report/render.js';
export { writeSimulateReport, writeSweepReport, writeCheckReport, writeTrainReport, regenerateReport } from './report/write-report.js';
