/**
 * The float engine's kernels (`npm run bench`): the WebAssembly GEMM/conv kernels ("ours") against the plain-JS
 * kernels they replaced, measured in the same run ("reference", gemmReference / conv2dReference), and against
 * PyTorch float64 on one thread ("peer": /usr/bin/python3 with torch, when it imports there).
 * One JSON line per (case, pass) on stdout. Times are process CPU time (process.cpuUsage; time.process_time in
 * Python), best of several runs, because the machine is shared and wall time is noisy.
 * "backward" is dX and dW (bias gradients are noise next to them), so its FLOPs are twice the forward's.
 * The float32 cases (`--dtype float32`'s kernel, gemm-f32.ts) compare with our float64 kernel in the same run and
 * with PyTorch float32.
 */
import { spawnSync } from 'node:child_process';
import { gemm, gemmReference, type Gemm } from '../../sim/float/gemm.js';
import { gemmF32 } from '../../sim/float/gemm-f32.js';
import { conv2dBackward, conv2dForward, conv2dReference, type Conv2dGeometry } from '../../sim/float/conv.js';

type Run = () => void;
/** `reference` is the plain-JS kernel the case's wasm kernel replaced, unless `referenceIs` names another. */
interface Pass { name: 'forward' | 'backward'; flops: number; ours: Run; reference: Run; referenceIs?: string; }
/** `torch` is the case as the Python peer below understands it. */
interface Case { name: string; torch: Record<string, unknown>; passes: Pass[]; }


function gemmCase(size: number): Case {
  // Outputs are allocated once: a fresh 0.5–4 MB array per run costs its page faults (at 256³ 3.4 → 1.6 ms CPU),
  // which is not the kernel's work.
  const a = random(size * size), b = random(size * size), c = new Float64Array(size * size);
  const run = (kernel: Gemm): Run => () => {
    kernel(false, false, size, size, size, a, 0, size, b, 0, size, c, 0, size, false);
  };
  return {
    name: `gemm_${size}`, torch: { kind: 'gemm', size },
    passes: [{ name: 'forward', flops: 2 * size ** 3, ours: run(gemm), reference: run(gemmReference) }],
  };
}

/** The float32 GEMM, beside our float64 one on the same shape. */
function gemmF32Case(size: number): Case {
  const a = Float32Array.from(random(size * size)), b = Float32Array.from(random(size * size)), c = new Float32Array(size * size);
  const a64 = Float64Array.from(a), b64 = Float64Array.from(b), c64 = new Float64Array(size * size);
  return {
    name: `gemm_${size}_float32`, torch: { kind: 'gemm', size, dtype: 'float32' },
    passes: [{
      name: 'forward', flops: 2 * size ** 3, referenceIs: 'our float64 wasm gemm',
      ours: () => { gemmF32(false, false, size, size, size, a, 0, size, b, 0, size, c, 0, size, false); },
      reference: () => { gemm(false, false, size, size, size, a64, 0, size, b64, 0, size, c64, 0, size, false); },
    }],
  };
}

function convCase(name: string, n: number, c: number, hw: number, k: number, kernel: number, pad: number): Case {
  const g: Conv2dGeometry = { n, c, h: hw, w: hw, k, r: kernel, s: kernel, p: hw + 2 * pad - kernel + 1, q: hw + 2 * pad - kernel + 1,
    strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: pad, padLeft: pad, groups: 1 };
  const x = random(n * c * hw * hw), w = random(k * c * kernel * kernel), b = random(k), dy = random(n * k * g.p * g.q);
  const flops = 2 * n * k * g.p * g.q * c * kernel * kernel;
  return {
    name, torch: { kind: 'conv', n, c, hw, k, kernel, pad },
    passes: [
      { name: 'forward', flops, ours: () => { conv2dForward(x, w, b, g); }, reference: () => { conv2dReference.forward(x, w, b, g); } },
      {
        name: 'backward', flops: 2 * flops,
        ours: () => { conv2dBackward(x, w, dy, g, true); }, reference: () => { conv2dReference.backward(x, w, dy, g, true); },
      },
    ],
  };
}

/** y[m×n] = x[m×k] · Wᵀ + b with W [n×k], the layout of a PyTorch Linear layer. */
function denseCase(m: number, k: number, n: number): Case {
  const x = random(m * k), w = random(n * k), b = random(n), dy = random(m * n);
  const y = new Float64Array(m * n), dx = new Float64Array(m * k), dw = new Float64Array(n * k);   // as in gemmCase
  const forward = (kernel: Gemm): Run => () => {
    for (let i = 0; i < m; i++) y.set(b, i * n);
    kernel(false, true, m, n, k, x, 0, k, w, 0, k, y, 0, n, true);
  };
  const backward = (kernel: Gemm): Run => () => {
    kernel(false, false, m, k, n, dy, 0, n, w, 0, k, dx, 0, k, false);   // dX = dY · W
    kernel(true, false, n, k, m, dy, 0, n, x, 0, k, dw, 0, k, false);    // dW = dYᵀ · X
  };
  return {
    name: `dense_${m}x${k}_${n}`, torch: { kind: 'dense', m, k, n },
    passes: [
      { name: 'forward', flops: 2 * m * n * k, ours: forward(gemm), reference: forward(gemmReference) },
      { name: 'backward', flops: 4 * m * n * k, ours: backward(gemm), reference: backward(gemmReference) },
    ],
  };
}

function cpuMs(run: Run): number {
  const t0 = process.cpuUsage();
  run();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

/** Best CPU time in ms after one warm-up run: at least 5 timed runs, more while under ~1.5 s in total. */
function best(run: Run): { ms: number; runs: number } {
  run();
  let ms = Infinity, runs = 0, spent = 0;
  while (runs < 5 || (runs < 30 && spent < 1500)) {
    const t = cpuMs(run);
    ms = Math.min(ms, t);
    spent += t;
    runs++;
  }
  return { ms, runs };
}

/** The same cases in PyTorch: float64 (float32 where the case says), one thread, same warm-up and best-of rule, CPU time. */
const PEER_SCRIPT = String.raw`
import json, sys, time
import torch
import torch.nn.functional as F
torch.set_num_threads(1)
torch.manual_seed(0)
def best(run):
    run()
    ms, runs, spent = float('inf'), 0, 0.0
    while runs < 5 or (runs < 30 and spent < 1500):
        t0 = time.process_time(); run(); t = (time.process_time() - t0) * 1000
        ms, runs, spent = min(ms, t), runs + 1, spent + t
    return ms
out = {}
for c in json.loads(sys.stdin.read()):
    d = torch.float32 if c.get('dtype') == 'float32' else torch.float64
    if c['kind'] == 'gemm':
        a, b = torch.rand(c['size'], c['size'], dtype=d), torch.rand(c['size'], c['size'], dtype=d)
        out[c['name']] = {'forward': best(lambda: torch.mm(a, b))}
    elif c['kind'] == 'conv':
        n, ch, hw, k, r, pad = c['n'], c['c'], c['hw'], c['k'], c['kernel'], c['pad']
        x, w, b = torch.rand(n, ch, hw, hw, dtype=d), torch.rand(k, ch, r, r, dtype=d), torch.rand(k, dtype=d)
        dy = torch.rand(n, k, hw + 2 * pad - r + 1, hw + 2 * pad - r + 1, dtype=d)
        bw = lambda: torch.ops.aten.convolution_backward(dy, x, w, None, [1, 1], [pad, pad], [1, 1], False, [0, 0], 1, [True, True, False])
        out[c['name']] = {'forward': best(lambda: F.conv2d(x, w, b, padding=pad)), 'backward': best(bw)}
    elif c['kind'] == 'dense':
        m, kk, n = c['m'], c['k'], c['n']
        x, w, b, dy = torch.rand(m, kk, dtype=d), torch.rand(n, kk, dtype=d), torch.rand(n, dtype=d), torch.rand(m, n, dtype=d)
        out[c['name']] = {'forward': best(lambda: torch.addmm(b, x, w.t())), 'backward': best(lambda: (dy.mm(w), dy.t().mm(x)))}
import ctypes.util, os
# Debian's torch calls whatever libblas.so.3 the alternatives system points at: the reference BLAS is ~10x slower
# than OpenBLAS (apt-get install libopenblas0-pthread), so the line says which one ran.
blas = os.path.realpath('/etc/alternatives/libblas.so.3-x86_64-linux-gnu') if os.path.exists('/etc/alternatives/libblas.so.3-x86_64-linux-gnu') else str(ctypes.util.find_library('blas'))
print(json.dumps({'torch': torch.__version__, 'blas': blas, 'times': out}))
`;
import { random } from './random.js';

type PeerTimes = { ok: true; version: string; blas: string; times: Record<string, Record<string, number>> } | { ok: false; reason: string };

function runPeer(cases: Case[]): PeerTimes {
  const python = '/usr/bin/python3';
  const input = JSON.stringify(cases.map((c) => ({ name: c.name, ...c.torch })));
  // One BLAS thread too: process_time counts every thread, and OpenBLAS may start its own besides torch's.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  const run = spawnSync(python, ['-c', PEER_SCRIPT], { input, encoding: 'utf8', timeout: 600_000, env });
  if (run.error !== undefined) return { ok: false, reason: `${python}: ${run.error.message}` };
  if (run.status !== 0) {
    const lastLine = run.stderr.trim().split('\n').pop() ?? '';
    return { ok: false, reason: `${python} exited with ${run.status}: ${lastLine}` };
  }
  const parsed = JSON.parse(run.stdout) as { torch: string; blas: string; times: Record<string, Record<string, number>> };
  return { ok: true, version: parsed.torch, blas: parsed.blas, times: parsed.times };
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

function main(): void {
  const cases = [
    gemmCase(256),
    gemmCase(512),
    gemmF32Case(256),
    gemmF32Case(512),
    convCase('conv3x3_56x56x64_b1', 1, 64, 56, 64, 3, 1),
    convCase('conv3x3_7x7x512_b1', 1, 512, 7, 512, 3, 1),
    denseCase(8, 512, 1000),
    // LeNet-5's first layer (models/course/lenet-digits.yaml) on a batch of 32: one input channel → depthwise path.
    convCase('lenet_c1_5x5_28x28x1_6_b32', 32, 1, 28, 6, 5, 2),
  ];
  const peer = runPeer(cases);
  for (const c of cases) {
    for (const pass of c.passes) {
      const ours = best(pass.ours), reference = best(pass.reference);
      const line: Record<string, unknown> = {
        case: c.name, pass: pass.name, cpuMs: round(ours.ms, 3), gflops: round(pass.flops / ours.ms / 1e6, 2), runs: ours.runs,
        referenceCpuMs: round(reference.ms, 3), referenceGflops: round(pass.flops / reference.ms / 1e6, 2),
        speedupVsReference: round(reference.ms / ours.ms, 2), ...(pass.referenceIs !== undefined ? { referenceIs: pass.referenceIs } : {}),
      };
      const peerMs = peer.ok ? peer.times[c.name]?.[pass.name] : undefined;
      if (peer.ok && peerMs !== undefined) {
        Object.assign(line, {
          peer: `pytorch ${peer.version} ${c.torch.dtype === 'float32' ? 'float32' : 'float64'} 1 thread`, peerBlas: peer.blas, peerCpuMs: round(peerMs, 3), peerGflops: round(pass.flops / peerMs / 1e6, 2),
          fractionOfPeer: round(peerMs / ours.ms, 3),
        });
      } else {
        Object.assign(line, { peer: 'unavailable', peerReason: peer.ok ? 'case not run by the peer' : peer.reason });
      }
      console.log(JSON.stringify(line));
    }
  }
}

main();
