/**
 * Comparison of a fixed-point tensor x̂ with the float reference x, accumulated over batches:
 *   maxAbsError = max |x̂ − x|, meanAbsError = Σ|x̂ − x| / N,
 *   sqnrDb = 10·log10(Σx² / Σ(x̂ − x)²) (+Infinity when equal), cosine = Σx·x̂ / √(Σx²·Σx̂²) (1 when both are 0).
 */
export class ErrorStats {
  count = 0;
  maxAbs = 0;
  sumAbs = 0;
  sumRef2 = 0;
  sumErr2 = 0;
  sumDot = 0;
  sumFix2 = 0;

  add(ref: ArrayLike<number>, fixed: ArrayLike<number>): void {
    for (let i = 0; i < ref.length; i++) {
      const r = ref[i], x = fixed[i], e = Math.abs(x - r);
      if (e > this.maxAbs) this.maxAbs = e;
      this.sumAbs += e;
      this.sumRef2 += r * r;
      this.sumErr2 += e * e;
      this.sumDot += r * x;
      this.sumFix2 += x * x;
    }
    this.count += ref.length;
  }

  summary(): { maxAbsError: number; meanAbsError: number; sqnrDb: number; cosine: number } {
    const sqnrDb = this.sumErr2 === 0 ? Infinity : 10 * Math.log10(this.sumRef2 / this.sumErr2);
    const den = Math.sqrt(this.sumRef2 * this.sumFix2);
    return { maxAbsError: this.maxAbs, meanAbsError: this.count ? this.sumAbs / this.count : 0, sqnrDb, cosine: den === 0 ? 1 : this.sumDot / den };
  }
}

/** Textbook SQNR of an ideal b-bit quantizer on a full-scale sine: 6.02·b + 1.76 dB (b = significand bits for floats). */
export const idealSqnrDb = (bits: number): number => 6.02 * bits + 1.76;

/** Index of the largest value of each row (first on ties). */
export function argmaxRows(data: ArrayLike<number>, rows: number): Int32Array {
  const width = data.length / rows, out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (data[r * width + c] > data[r * width + best]) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * How an output becomes a decision: `argmax` → one class per row (multiclass); `threshold` → one 0/1 per output
 * element, `cut` = 0.5 on a probability (sigmoid output) or 0 on a logit.
 */
export type DecisionRule = { readonly kind: 'argmax' } | { readonly kind: 'threshold'; readonly cut: number };

/** The decisions of `rows` output rows: argmaxRows, or x ≥ cut per element. */
export function decide(data: ArrayLike<number>, rows: number, rule: DecisionRule): Int32Array {
  if (rule.kind === 'argmax') return argmaxRows(data, rows);
  return Int32Array.from(data as ArrayLike<number>, (v) => (v >= rule.cut ? 1 : 0));
}

/** How many entries of a and b are equal (same length). */
export function countEqual(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) hits++;
  return hits;
}

/**
 * Regression error of predictions against targets, accumulated over batches: MAE and RMSE, and the targets' range
 * (max − min) they are divided by, so that an error reads as a fraction of what the target spans.
 */
export class RegressionError {
  count = 0;
  sumAbs = 0;
  sumSq = 0;
  lo = Infinity;
  hi = -Infinity;

  add(pred: ArrayLike<number>, target: ArrayLike<number>): void {
    for (let i = 0; i < target.length; i++) {
      const e = pred[i] - target[i];
      this.sumAbs += Math.abs(e);
      this.sumSq += e * e;
      if (target[i] < this.lo) this.lo = target[i];
      if (target[i] > this.hi) this.hi = target[i];
    }
    this.count += target.length;
  }

  summary(): { maeTargetUnits: number; rmseTargetUnits: number; targetRange: number } {
    return { maeTargetUnits: this.sumAbs / this.count, rmseTargetUnits: Math.sqrt(this.sumSq / this.count), targetRange: this.hi - this.lo };
  }
}
