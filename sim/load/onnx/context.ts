/**
 * What the op rules (ops.ts, spatial.ts, dense.ts) see of the importer (importer.ts): the values flowing between nodes,
 * the layers being built, and operand accessors that turn a wrong operand into an error naming the node.
 */
import type { AttrValue, OnnxNode } from './decode.js';
import type { FoldTensor } from './fold.js';

/** A constant (initializer, Constant node, anything computed only from them). */
export type ConstVal = { readonly t: 'const'; readonly x: FoldTensor };
/** A weight placeholder: a graph input without an initializer in weight positions (its values are drawn from the seed). */
export type ParamVal = { readonly t: 'param'; readonly dims: readonly number[]; readonly source: string };
/** An activation: a layer's output, with its shape. */
export type ActVal = { readonly t: 'act'; readonly layer: string; readonly shape: readonly number[] };
export type Val = ConstVal | ParamVal | ActVal;

/** A weight: values, or only a shape (drawn from the seed). */
export type Weight = { readonly dims: readonly number[]; readonly data: Float64Array | null };

/** A layer being built: its model-document node and its parameters (folding a constant into it rewrites both). */
export interface Layer { node: Record<string, unknown> & { name: string; kind: string; inputs: string[] }; params: Record<string, Weight> }

/** The importer as a rule sees it. */
export interface Cx {
  readonly opset: number;
  /** How many times each value is read (by nodes, and once more when it is a graph output). */
  readonly uses: ReadonlyMap<string, number>;
  /** The layer emitted under `name`, if any. */
  layer(name: string): Layer | undefined;
  /** Throws the import error, prefixed with the node's name and operator when there is a node. */
  fail(node: OnnxNode | null, problem: string, hint?: string): never;
  /**
   * Adds a layer named after `raw` (names.ts: the node's module path, made unique); its shape is inferred, and a
   * failure is an error naming `node`. `raw` is the node's name, or the node's name plus a suffix (e.g. `.transA`)
   * for a helper layer the node adds, which never takes the bare module path.
   */
  emit(node: OnnxNode, raw: string, kind: string, inputs: readonly ActVal[], attrs: Record<string, unknown>, params?: Record<string, Weight>): ActVal;
  /** Input `i`, or null when the node omits it. */
  val(node: OnnxNode, i: number): Val | null;
  /** Input `i`, which must be an activation. */
  act(node: OnnxNode, i: number): ActVal;
  /** Input `i`, which must be a constant (`what` names it in the error); null when omitted. */
  constant(node: OnnxNode, i: number, what: string): FoldTensor | null;
  /** Input `i`, which must be a constant or a placeholder; null when omitted. */
  weight(node: OnnxNode, i: number, what: string): Weight | null;
}

/** The node's attribute `key`, or `dflt` when the node does not set it. */
export function attr(node: OnnxNode, key: string, dflt: number): number;
export function attr(node: OnnxNode, key: string, dflt: string): string;
export function attr<T extends AttrValue>(node: OnnxNode, key: string, dflt: T): T;
export function attr(node: OnnxNode, key: string, dflt: AttrValue): AttrValue {
  return node.attrs.has(key) ? node.attrs.get(key)! : dflt;
}

export const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
export const show = (d: readonly number[]) => `[${d.join(', ')}]`;
