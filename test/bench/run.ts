/**
 * Kernel throughput benchmark: our float64 gemm/conv against tfjs-core + tfjs-backend-cpu (pure JS, float32).
 * Prints one JSON line per (case, pass) on stdout; anything else goes to stderr.
 *
 * The peer lives in test/bench/peer/ with its own package.json so the project itself never depends on it;
 * `npm run bench:peer` installs it. Without it we still report our own numbers.
 *
 * "backward" is dX and dW only (bias gradients are noise next to them), so its FLOPs are twice the forward's.
 * For tfjs that means the two kernels conv2d's registered gradient runs (Conv2DBackpropInput/Filter), or the
 * two matMuls of a dense/matmul gradient, called directly so its forward pass is not part of the timing.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { gemm } from '../../sim/float/gemm.js';
import { conv2dBackward, conv2dForward, type Conv2dGeometry } from '../../sim/float/conv.js';
import { random } from './random.js';

/** The few tfjs entry points used here; the peer is untyped at compile time because it is optional. */
interface TfTensor { dataSync(): ArrayLike<number>; dispose(): void; }
interface Tf {
  setBackend(name: string): Promise<boolean>;
  tensor(values: Float32Array, shape: number[]): TfTensor;
  tidy(f: () => void): void;
  conv2d(x: TfTensor, filter: TfTensor, strides: number, pad: number): TfTensor;
  matMul(a: TfTensor, b: TfTensor, transposeA?: boolean, transposeB?: boolean): TfTensor;
  fused: { matMul(args: { a: TfTensor; b: TfTensor; transposeB?: boolean; bias?: TfTensor }): TfTensor };
  engine(): { runKernel(name: string, inputs: Record<string, TfTensor>, attrs: Record<string, unknown>): TfTensor };
}

type Run = () => void;
interface Pass { name: 'forward' | 'backward'; flops: number; ours: Run; peer: ((tf: Tf) => Run) | null; }
interface Case { name: string; passes: Pass[]; }

async function loadPeer(): Promise<Tf | null> {
  const require = createRequire(path.join(process.cwd(), 'test/bench/peer/package.json'));
  let tf: Tf;
  try {
    tf = require('@tensorflow/tfjs-core') as Tf;
    require('@tensorflow/tfjs-backend-cpu');
  } catch {
    return null;
  }
  // tfjs logs its "install tfjs-node" hint with console.log; keep stdout pure JSON.
  const log = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  try {
    await tf.setBackend('cpu');
  } finally {
    console.log = log;
  }
  return tf;
}


/** [d0, d1, rest] → [d0, rest, d1]: NCHW → NHWC, tfjs's native layout. */
function channelsLast(data: Float64Array, d0: number, d1: number, rest: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let a = 0; a < d0; a++) for (let b = 0; b < d1; b++) for (let i = 0; i < rest; i++) {
    out[(a * rest + i) * d1 + b] = data[(a * d1 + b) * rest + i];
  }
  return out;
}

function convCase(name: string, n: number, c: number, hw: number, k: number): Case {
  const g: Conv2dGeometry = { n, c, h: hw, w: hw, k, r: 3, s: 3, p: hw, q: hw, strideH: 1, strideW: 1,
    dilationH: 1, dilationW: 1, padTop: 1, padLeft: 1, groups: 1 };
  const x = random(n * c * hw * hw), w = random(k * c * 9), b = random(k), dy = random(n * k * hw * hw);
  const flops = 2 * n * k * hw * hw * c * 9;
  // Our filters are [K,C,R,S]; tfjs wants [R,S,C,K].
  const filterRSCK = (): Float32Array => {
    const out = new Float32Array(w.length);
    for (let o = 0; o < k; o++) for (let ch = 0; ch < c; ch++) for (let t = 0; t < 9; t++) {
      out[(t * c + ch) * k + o] = w[(o * c + ch) * 9 + t];
    }
    return out;
  };
  const tfInputs = (tf: Tf) => ({
    x: tf.tensor(channelsLast(x, n, c, hw * hw), [n, hw, hw, c]),
    w: tf.tensor(filterRSCK(), [3, 3, c, k]),
    dy: tf.tensor(channelsLast(dy, n, k, hw * hw), [n, hw, hw, k]),
  });
  return {
    name, passes: [
      {
        name: 'forward', flops, ours: () => { conv2dForward(x, w, b, g); },
        peer: (tf) => {
          const t = tfInputs(tf), bias = tf.tensor(Float32Array.from(b), [k]);
          // Bias is a broadcast add in tfjs; include it so both sides do the same work.
          return () => tf.tidy(() => { tf.engine().runKernel('Add', { a: tf.conv2d(t.x, t.w, 1, 1), b: bias }, {}).dataSync(); });
        },
      },
      {
        name: 'backward', flops: 2 * flops, ours: () => { conv2dBackward(x, w, dy, g, true); },
        peer: (tf) => {
          const t = tfInputs(tf);
          const attrs = { strides: [1, 1], pad: 1, dataFormat: 'NHWC', dimRoundingMode: undefined };
          return () => tf.tidy(() => {
            tf.engine().runKernel('Conv2DBackpropInput', { dy: t.dy, filter: t.w }, { ...attrs, inputShape: [n, hw, hw, c] }).dataSync();
            tf.engine().runKernel('Conv2DBackpropFilter', { x: t.x, dy: t.dy }, { ...attrs, filterShape: [3, 3, c, k] }).dataSync();
          });
        },
      },
    ],
  };
}

/** y[m×n] = x[m×k] · Wᵀ + b with W [n×k], the layout of a PyTorch Linear layer. */
function denseCase(name: string, m: number, k: number, n: number): Case {
  const x = random(m * k), w = random(n * k), b = random(n), dy = random(m * n);
  const flops = 2 * m * n * k;
  return {
    name, passes: [
      {
        name: 'forward', flops,
        ours: () => {
          const y = new Float64Array(m * n);
          for (let i = 0; i < m; i++) y.set(b, i * n);
          gemm(false, true, m, n, k, x, 0, k, w, 0, k, y, 0, n, true);
        },
        peer: (tf) => {
          const tx = tf.tensor(Float32Array.from(x), [m, k]), tw = tf.tensor(Float32Array.from(w), [n, k]);
          const tb = tf.tensor(Float32Array.from(b), [n]);
          return () => tf.tidy(() => { tf.fused.matMul({ a: tx, b: tw, transposeB: true, bias: tb }).dataSync(); });
        },
      },
      {
        name: 'backward', flops: 2 * flops,
        ours: () => {
          const dx = new Float64Array(m * k), dw = new Float64Array(n * k);
          gemm(false, false, m, k, n, dy, 0, n, w, 0, k, dx, 0, k, false);   // dX = dY · W
          gemm(true, false, n, k, m, dy, 0, n, x, 0, k, dw, 0, k, false);    // dW = dYᵀ · X
        },
        peer: (tf) => {
          const tx = tf.tensor(Float32Array.from(x), [m, k]), tw = tf.tensor(Float32Array.from(w), [n, k]);
          const tdy = tf.tensor(Float32Array.from(dy), [m, n]);
          return () => tf.tidy(() => {
            tf.matMul(tdy, tw).dataSync();
            tf.matMul(tdy, tx, true, false).dataSync();
          });
        },
      },
    ],
  };
}

function gemmCase(name: string, size: number): Case {
  const a = random(size * size), b = random(size * size), dc = random(size * size);
  const flops = 2 * size ** 3;
  return {
    name, passes: [
      {
        name: 'forward', flops,
        ours: () => { gemm(false, false, size, size, size, a, 0, size, b, 0, size, new Float64Array(size * size), 0, size, false); },
        peer: (tf) => {
          const ta = tf.tensor(Float32Array.from(a), [size, size]), tb = tf.tensor(Float32Array.from(b), [size, size]);
          return () => tf.tidy(() => { tf.matMul(ta, tb).dataSync(); });
        },
      },
      {
        name: 'backward', flops: 2 * flops,
        ours: () => {
          gemm(false, true, size, size, size, dc, 0, size, b, 0, size, new Float64Array(size * size), 0, size, false);  // dA = dC·Bᵀ
          gemm(true, false, size, size, size, a, 0, size, dc, 0, size, new Float64Array(size * size), 0, size, false);  // dB = Aᵀ·dC
        },
        peer: (tf) => {
          const ta = tf.tensor(Float32Array.from(a), [size, size]), tb = tf.tensor(Float32Array.from(b), [size, size]);
          const tdc = tf.tensor(Float32Array.from(dc), [size, size]);
          return () => tf.tidy(() => {
            tf.matMul(tdc, tb, false, true).dataSync();
            tf.matMul(ta, tdc, true, false).dataSync();
          });
        },
      },
    ],
  };
}

function timeOnce(run: Run): number {
  const t0 = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Median wall time in ms after warm-up: at least 3 timed runs, more while under ~1 s of total timing.
 * A run that takes seconds (tfjs's conv backward) is long past JIT warm-up after its first milliseconds,
 * so then the warm-up run itself is the one sample — otherwise the bench would take tens of minutes.
 */
function time(run: Run): { ms: number; runs: number } {
  const first = timeOnce(run);
  if (first > 3000) return { ms: first, runs: 1 };
  run();
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < 3 || (samples.length < 15 && spent < 1000)) {
    const ms = timeOnce(run);
    samples.push(ms);
    spent += ms;
  }
  samples.sort((p, q) => p - q);
  return { ms: samples[samples.length >> 1], runs: samples.length };
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

async function main(): Promise<void> {
  const cases = [
    convCase('conv3x3_56x56x64_b1', 1, 64, 56, 64),
    convCase('conv3x3_56x56x64_b8', 8, 64, 56, 64),
    convCase('conv3x3_7x7x512_b1', 1, 512, 7, 512),
    denseCase('dense_8x512_1000', 8, 512, 1000),
    gemmCase('gemm_256', 256),
  ];
  const tf = await loadPeer();
  if (tf === null) console.log(JSON.stringify({ peer: 'tfjs-cpu', skipped: 'not installed: run npm run bench:peer' }));
  for (const c of cases) {
    for (const pass of c.passes) {
      const { ms, runs } = time(pass.ours);
      const line: Record<string, unknown> = { case: c.name, pass: pass.name, gflops: round(pass.flops / ms / 1e6, 3), ms: round(ms, 2), runs };
      if (tf !== null && pass.peer !== null) {
        const peer = time(pass.peer(tf));
        Object.assign(line, {
          peer: 'tfjs-cpu', peerGflops: round(pass.flops / peer.ms / 1e6, 3), peerMs: round(peer.ms, 2), peerRuns: peer.runs,
          ratio: round(peer.ms / ms, 2),
        });
      }
      console.log(JSON.stringify(line));
    }
  }
}

await main();
