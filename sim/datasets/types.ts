/**
 * The datasets `systolab train` uses: plain tensors plus what the trainer needs to pick a loss and label its report.
 * Every dataset here is offline and seeded (same seed ⇒ identical data), so a training run can be reproduced exactly.
 */
import type { Tensor64 } from '../float/tensor.js';

export type Task = 'binary' | 'multiclass' | 'regression';

export interface Dataset {
  readonly name: string;
  readonly task: Task;
  /** [N, ...featureShape], e.g. [N, 2] for the 2-D sets, [N, 1, 28, 28] for digits (NCHW, values 0..1). */
  readonly features: Tensor64;
  /** binary: [N, 1] of 0/1; multiclass: [N] of class indices 0..C−1; regression: [N, k] (k target columns, usually 1). */
  readonly targets: Tensor64;
  /** One name per element of featureShape, row-major (so length = product of featureShape; digits: 784 pixel names). */
  readonly featureNames: readonly string[];
  /** multiclass: class names in index order. */
  readonly classes?: readonly string[];
  /** One line: what it is and its source (paper / package / generator rule). */
  readonly description: string;
}
