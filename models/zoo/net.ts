/**
 * A small helper to write model documents (the plain-object form of models/README.md) from code: each `add` appends
 * a layer reading the previous one (or the named inputs) and returns its name. The zoo's builders use it; the
 * documents they return go through `parseModel` / `buildGraph` exactly like a YAML file.
 */

/** One layer of a model document: `kind`, `name`, `inputs` and the kind's attributes (models/README.md). */
export type LayerDoc = { readonly kind: string; readonly name: string; readonly inputs?: readonly string[] } & Record<string, unknown>;

/** A model document (what a YAML/JSON model file holds), ready for `parseModel`. */
export interface ModelDocument {
  readonly name: string;
  readonly version: 1;
  readonly description?: string;
  readonly seed?: number;
  readonly init?: 'pytorch' | 'normal' | 'xavier' | 'xavier-normal' | 'he' | 'he-uniform';
  readonly initStd?: number;
  readonly output?: string;
  readonly layers: readonly LayerDoc[];
}

export class Net {
  readonly layers: LayerDoc[] = [];
  /** The most recently added layer: the default input of the next one. */
  last = '';

  input(name: string, shape: readonly number[]): string {
    this.layers.push({ name, kind: 'input', shape: [...shape] });
    return (this.last = name);
  }

  /** Appends a layer reading `inputs` (default: the previous layer); returns its name. */
  add(name: string, kind: string, attrs: Record<string, unknown> = {}, inputs: readonly string[] = [this.last]): string {
    this.layers.push({ name, kind, inputs: [...inputs], ...attrs });
    return (this.last = name);
  }

  /** conv2d (no bias unless asked) → batchNorm → optional activation, the CNN building block; returns the last name. */
  convBn(name: string, filters: number, kernel: number, opts: { stride?: number; padding?: number; groups?: number; act?: 'relu' | 'relu6' | null; input?: string } = {}): string {
    const { stride = 1, padding = 0, groups = 1, act = 'relu' } = opts;
    this.add(name, 'conv2d', { filters, kernel, stride, padding, groups, bias: false }, [opts.input ?? this.last]);
    this.add(`${name}.bn`, 'batchNorm');
    if (act) this.add(`${name}.${act}`, act);
    return this.last;
  }

  doc(name: string, description: string, extra: Partial<Pick<ModelDocument, 'init' | 'initStd' | 'seed'>> = {}): ModelDocument {
    return { name, version: 1, description, seed: 0, ...extra, layers: this.layers };
  }
}

/** Spatial size after a conv/pool with floor rounding (PyTorch's rule). */
export const convOut = (size: number, kernel: number, stride: number, padding: number): number =>
  Math.floor((size + 2 * padding - kernel) / stride) + 1;

/**
 * Stands in for torchvision's AdaptiveAvgPool2d((t, t)) (the IR has no adaptive pool): nothing when the feature map is
 * already t×t (the published 224×224 case), an exact avgPool2d when its size is a multiple of t; otherwise the map is
 * left as it is and the classifier's first dense layer reads C·H·W features (its parameter count then differs).
 */
export function adaptiveAvgPool(net: Net, name: string, size: number, target: number): void {
  if (size === target || size < target || size % target !== 0) return;
  net.add(name, 'avgPool2d', { kernel: size / target, stride: size / target });
}
