/**
 * NaN and ±Infinity at the two ends of a float64 run: parameters a model file gives as NaN/±Infinity ("NaN" strings,
 * YAML .nan) are refused before `train` or `run` starts; a `run` whose finite inputs and parameters still give a
 * non-finite output, loss or gradient (float64 overflowed: weights of 1e300, say) is refused rather than printed as
 * NaN. Both are bad input: a SimError, exit 2 (docs/divergence.md). Pure.
 */
import { SimError } from '../base/errors.js';
import { nonFinite } from '../float/divergence.js';
import type { Tensor } from '../float/tensor.js';

/** Throws for the first parameter (in key order) holding NaN/±Infinity; `purpose` is "to train" or "to run". */
export function assertFiniteParams(params: Readonly<Record<string, Tensor>>, purpose: string): void {
  for (const [key, t] of Object.entries(params)) {
    const bad = nonFinite(t.data);
    if (!bad) continue;
    throw new SimError(`parameter ${key} must be finite ${purpose}, but ${bad.count} of ${t.data.length} values are NaN or ±Infinity; the first at index ${bad.index}`, {
      code: 'notNumber', path: '--model', value: String(bad.value), hint: 'Give finite values, or leave the parameter out to draw it from the seed.',
    });
  }
}

/**
 * Throws for the first tensor of `tensors` (in the order given) holding NaN/±Infinity although every input and
 * parameter was finite: float64 overflowed there. `what` names each tensor, e.g. "layer fc1's output".
 */
export function assertFiniteResults(tensors: Iterable<readonly [what: string, tensor: Tensor | undefined]>): void {
  for (const [what, t] of tensors) {
    const bad = t && nonFinite(t.data);
    if (!bad) continue;
    throw new SimError(`${what} overflows float64: ${bad.count} of ${t.data.length} values are NaN or ±Infinity (the first at index ${bad.index}), although the inputs and parameters are finite`, {
      code: 'overflow', path: '--model', value: String(bad.value), hint: 'Scale the inputs or the parameters down; a float64 holds magnitudes up to about 1.8e308.',
    });
  }
}
