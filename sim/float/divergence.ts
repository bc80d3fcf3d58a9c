/**
 * When a training run has diverged, shared by the float (train.ts) and the fixed-point (fixed/qtrain.ts) loops:
 *  - the loss of a step is NaN or ±Infinity: diverged at that step, blaming the first layer (graph order) whose
 *    forward output holds a non-finite value, or the loss itself when every output was finite (it overflowed);
 *  - a parameter (or running statistic) is NaN or ±Infinity after a step's update: diverged at that step, blaming
 *    that layer's parameter. A loss can stay finite while a weight is not (a sigmoid saturates, a ReLU is cut off),
 *    so both are checked;
 *  - earlier, a warning when a step's loss reaches LOSS_GROWTH_FACTOR × the run's first loss.
 * Pure functions of plain data.
 */
import { splitKey } from '../ir/graph.js';
import type { LayerGraph } from '../ir/types.js';
import type { Tensor } from './tensor.js';

/** The non-finite values of an array: how many, and the first one's index and value. */
export interface NonFinite {
  readonly count: number;
  readonly index: number;
  readonly value: number;
}

export function nonFinite(data: ArrayLike<number>): NonFinite | undefined {
  let count = 0, index = -1;
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i])) continue;
    if (count++ === 0) index = i;
  }
  return count === 0 ? undefined : { count, index, value: data[index] };
}

export interface Divergence {
  readonly step: number;
  readonly epoch: number;
  /** What turned non-finite: the step's loss, or a parameter after the step's update. */
  readonly what: 'loss' | 'parameter';
  /** The layer blamed (see the module comment) and, for a parameter, its name. */
  readonly layer: string;
  readonly param?: string;
  /** "NaN", "Infinity" or "-Infinity" (JSON has no such numbers): the loss, or the parameter's first bad value. */
  readonly value: string;
  /** Non-finite values in the blamed tensor, its size, and the first one's flat index (none for an overflowed loss). */
  readonly count?: number;
  readonly size?: number;
  readonly index?: number;
  readonly message: string;
}

const layerIndex = (graph: LayerGraph) => new Map(graph.order.map((name, i) => [name, i]));

/**
 * A step whose loss is not finite, blamed on the first layer output holding NaN/±Infinity. `lead` starts the message
 * (default: the step's loss; the final evaluation after the last step names its split instead).
 */
export function lossDivergence(
  graph: LayerGraph, step: number, epoch: number, loss: number, lossKind: string, outputs: Readonly<Record<string, Tensor>>,
  lead = `the loss is ${loss} at step ${step} (epoch ${epoch})`,
): Divergence | undefined {
  if (Number.isFinite(loss)) return undefined;
  const value = String(loss);
  for (const layer of graph.order) {
    const t = outputs[layer];
    const bad = t && nonFinite(t.data);
    if (!bad) continue;
    return {
      step, epoch, what: 'loss', layer, value, count: bad.count, size: t.data.length, index: bad.index,
      message: `${lead}: layer ${layer}'s output has ${bad.count} of ${t.data.length} values NaN or ±Infinity (the first, ${bad.value}, at index ${bad.index})`,
    };
  }
  return {
    step, epoch, what: 'loss', layer: graph.output, value,
    message: `${lead}: every output of layer ${graph.output} was finite, but the ${lossKind} loss of them overflowed`,
  };
}

/** The first parameter (graph order, then name) holding NaN/±Infinity after a step's update. */
export function paramDivergence(graph: LayerGraph, step: number, epoch: number, params: Readonly<Record<string, Tensor>>): Divergence | undefined {
  const rank = layerIndex(graph);
  const keys = Object.keys(params).sort((a, b) => {
    const [la, pa] = splitKey(a), [lb, pb] = splitKey(b);
    return (rank.get(la) ?? Infinity) - (rank.get(lb) ?? Infinity) || (pa < pb ? -1 : pa > pb ? 1 : 0);
  });
  for (const key of keys) {
    const bad = nonFinite(params[key].data);
    if (!bad) continue;
    const [layer, param] = splitKey(key);
    const size = params[key].data.length;
    return {
      step, epoch, what: 'parameter', layer, param, value: String(bad.value), count: bad.count, size, index: bad.index,
      message: `layer ${layer}'s ${param} became ${bad.value} at step ${step} (epoch ${epoch}): ${bad.count} of ${size} values NaN or ±Infinity after the update (the first at index ${bad.index})`,
    };
  }
  return undefined;
}

/** A loss this many times the run's first loss is warned about (once), before it overflows. */
export const LOSS_GROWTH_FACTOR = 100;

export interface LossGrowth {
  readonly step: number;
  readonly loss: number;
  readonly firstLoss: number;
  readonly message: string;
}

/** The warning for a step whose loss reached LOSS_GROWTH_FACTOR × the first loss (a first loss of 0 has no scale). */
export function lossGrowth(step: number, loss: number, firstLoss: number): LossGrowth | undefined {
  if (!(firstLoss > 0) || !(loss >= LOSS_GROWTH_FACTOR * firstLoss) || !Number.isFinite(loss)) return undefined;
  const factor = loss / firstLoss;
  return {
    step, loss, firstLoss,
    message: `the loss grew ${factor.toPrecision(3)}× at step ${step} (${loss.toPrecision(4)}, from ${firstLoss.toPrecision(4)} at the first step): training may be diverging; a lower --lr usually helps`,
  };
}
