/**
 * The workloads of `systolab validate` that are not zoo models: Google's six TPU v1 applications as far as Jouppi et
 * al., ISCA 2017 (arXiv 1704.04760), Table 1 describes them: the layer counts by kind, the weights, the batch and the
 * operational intensity (MACs per weight byte; int8 weights). The paper gives no layer shapes, so each app's
 * GEMM layers are taken square and equal (an assumption), sized so that the weights and the intensity come out as
 * Table 1 gives them:
 * - MLP0: 5 FC layers, 20 M weights, batch 200 → 5 × 2000×2000 (20.0 M; intensity 200).
 * - MLP1: 4 FC, 5 M, batch 168 → 4 × 1118×1118 (5.0 M; 168).
 * - LSTM0: 24 FC (+ 34 vector layers, left out), 52 M, batch 64 → 24 × 1472×1472 (52.0 M; 64). An LSTM step is its
 *   gate GEMMs; the element-wise gates run on the vector unit, which Table 1 counts as separate layers.
 * - LSTM1: 37 FC (+ 19 vector), 34 M, batch 96 → 37 × 959×959 (34.0 M; 96).
 * - CNN0: 16 conv layers, 8 M weights, batch 8, intensity 2888 = 8 × 361: each weight is used 361 times per image,
 *   a 19 × 19 plane → 16 convs 3×3 of 236 → 236 channels on 19×19, padding 1 (8.02 M; 2888).
 * - CNN1: 72 conv + 4 FC (+ 13 vector), 100 M weights, batch 32, intensity 1750: 72 convs 3×3 of 356 → 356 channels
 *   on 8×8, a global average pool, then FC 356→2000 and 3 × 2000×2000 (94.8 M; 1778, 1.6 % above Table 1). A
 *   stand-in with the paper's counts, not its network.
 * No bias (its adds are vector work); ReLU between layers as Table 1's nonlinearity column says (LSTMs: none, their
 * sigmoid/tanh are the vector layers left out).
 */
import { type ModelDocument, Net } from './net.js';

export const TPU_APPS = ['mlp0', 'mlp1', 'lstm0', 'lstm1', 'cnn0', 'cnn1'] as const;
export type TpuApp = (typeof TPU_APPS)[number];

/** Table 1: batch, weights (millions), operational intensity (MACs per weight byte). */
export const TPU_TABLE1: Readonly<Record<TpuApp, { readonly batch: number; readonly weightsM: number; readonly intensity: number }>> = {
  mlp0: { batch: 200, weightsM: 20, intensity: 200 },
  mlp1: { batch: 168, weightsM: 5, intensity: 168 },
  lstm0: { batch: 64, weightsM: 52, intensity: 64 },
  lstm1: { batch: 96, weightsM: 34, intensity: 96 },
  cnn0: { batch: 8, weightsM: 8, intensity: 2888 },
  cnn1: { batch: 32, weightsM: 100, intensity: 1750 },
};

function fcStack(name: string, batch: number, layers: number, width: number, relu: boolean): ModelDocument {
  const net = new Net();
  net.input('x', [batch, width]);
  for (let i = 1; i <= layers; i++) {
    net.add(`fc${i}`, 'dense', { units: width, bias: false });
    if (relu && i < layers) net.add(`fc${i}.relu`, 'relu');
  }
  return net.doc(name, `TPU v1 ${name} (Jouppi et al., ISCA 2017, Table 1): ${layers} FC layers of ${width}×${width}, batch ${batch} (shapes assumed: models/zoo/validation.ts)`);
}

function convStack(name: string, batch: number, convs: number, channels: number, side: number, fc: readonly number[]): ModelDocument {
  const net = new Net();
  net.input('x', [batch, channels, side, side]);
  for (let i = 1; i <= convs; i++) {
    net.add(`conv${i}`, 'conv2d', { filters: channels, kernel: 3, padding: 1, bias: false });
    net.add(`conv${i}.relu`, 'relu');
  }
  if (fc.length > 0) net.add('pool', 'globalAvgPool');
  fc.forEach((units, i) => {
    net.add(`fc${i + 1}`, 'dense', { units, bias: false });
    if (i < fc.length - 1) net.add(`fc${i + 1}.relu`, 'relu');
  });
  const tail = fc.length > 0 ? `, global average pool, FC ${fc.join(', ')}` : '';
  return net.doc(name, `TPU v1 ${name} (Jouppi et al., ISCA 2017, Table 1): ${convs} convs 3×3 of ${channels} channels on ${side}×${side}${tail}, batch ${batch} (a stand-in: models/zoo/validation.ts)`);
}

/** The model document of one TPU v1 app, at Table 1's batch. */
export function tpuApp(app: TpuApp): ModelDocument {
  const { batch } = TPU_TABLE1[app];
  switch (app) {
    case 'mlp0': return fcStack('tpu-mlp0', batch, 5, 2000, true);
    case 'mlp1': return fcStack('tpu-mlp1', batch, 4, 1118, true);
    case 'lstm0': return fcStack('tpu-lstm0', batch, 24, 1472, false);
    case 'lstm1': return fcStack('tpu-lstm1', batch, 37, 959, false);
    case 'cnn0': return convStack('tpu-cnn0', batch, 16, 236, 19, []);
    case 'cnn1': return convStack('tpu-cnn1', batch, 72, 356, 8, [2000, 2000, 2000, 2000]);
  }
}
