/**
 * Post-training calibration: the float engine runs the calibration samples; every layer output gets a range.
 *  - max: lo = min x, hi = max x, maxAbs = max |x| over all samples.
 *  - percentile p (e.g. 99.99): maxAbs = the p-th percentile of |x|, hi/lo = the p-th / (100 − p)-th percentiles of x
 *    (nearest rank: element ⌈p/100 · N⌉ − 1 of the sorted values), over every value, or over a deterministic
 *    stride sample of at most 2^20 values when the layer has more.
 * Weights are not calibrated: their per-output-channel scale is max |w| of the channel (execute-fixed.ts).
 */
import type { LayerGraph } from '../ir/types.js';
import { forward } from '../float/engine.js';
import type { Params } from '../float/init.js';
import { type Tensor, asFloat64 } from '../float/tensor.js';
import { takeRows } from '../float/train.js';

export type Calibration = { readonly method: 'max' } | { readonly method: 'percentile'; readonly percentile: number };
export interface Range { readonly lo: number; readonly hi: number; readonly maxAbs: number }

const SAMPLE = 2 ** 20;

export function calibrate(graph: LayerGraph, params: Params, features: Tensor, how: Calibration, chunk = 256): Record<string, Range> {
  const input = graph.order[0];
  const n = features.shape[0];
  const all = Array.from({ length: n }, (_, i) => i);
  const parts: Record<string, Float64Array[]> = {};
  for (let from = 0; from < n; from += chunk) {
    const values = forward(graph, params, { [input]: takeRows(features, all, from, Math.min(n, from + chunk)) }).values;
    for (const [name, t] of Object.entries(values)) (parts[name] ??= []).push(asFloat64(t.data, `the value of "${name}"`));
  }
  const out: Record<string, Range> = {};
  for (const [name, list] of Object.entries(parts)) {
    const total = list.reduce((s, d) => s + d.length, 0);
    if (how.method === 'max') {
      let lo = Infinity, hi = -Infinity;
      for (const d of list) for (let i = 0; i < d.length; i++) { const v = d[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
      out[name] = { lo, hi, maxAbs: Math.max(Math.abs(lo), Math.abs(hi)) };
      continue;
    }
    const stride = Math.max(1, Math.ceil(total / SAMPLE));
    const xs: number[] = [];
    let k = 0;
    for (const d of list) for (let i = 0; i < d.length; i++, k++) if (k % stride === 0) xs.push(d[i]);
    const rank = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
    const v = Float64Array.from(xs).sort();
    const abs = Float64Array.from(xs, Math.abs).sort();
    out[name] = { lo: rank(v, 100 - how.percentile), hi: rank(v, how.percentile), maxAbs: rank(abs, how.percentile) };
  }
  return out;
}
