/**
 * Layer names for imported ONNX nodes: one short, unique name per layer, the PyTorch module path written once.
 *
 * PyTorch names a node after the scopes it ran in plus its operator: `/features/features.12/expand1x1/Conv`. A
 * Sequential child's scope repeats its parent's (`features` → `features.12`), so the scopes are joined by dropping
 * a segment that the next one extends with a `.`. What is left is the module path, the same prefix that the module's
 * initializers carry (`features.12.expand1x1.weight`). The rules, in file order:
 *  - a node of a leaf module (one that no other node lives inside) is named by that module path:
 *    `features.12.expand1x1`, `layer1.0.relu_1`;
 *  - a node of a module that another layer already took, of a container module (an op written in its `forward`,
 *    such as `/layer1/layer1.0/Add`), or a helper layer that a node adds (the transpose of a Gemm's transA), is named by
 *    the module path plus `.` and the layer kind: `layer1.0.add`, `fc.add` (a bias add that could not be folded);
 *  - a node outside every module (`/Flatten`) is named by its layer kind: `flatten`;
 *  - a name without `/` (graph inputs, hand-written files) is kept as it is;
 *  - a name that is still taken gets `_2`, `_3`, … in file order.
 * Whitespace becomes `_` and `:` becomes `.`. The same node list always gives the same names.
 */

/** The module path of a node name (`/a/a.0/b/Op` → `a.0.b`), or null when the name is not a scoped one. */
export function modulePath(raw: string): string | null {
  if (!raw.includes('/')) return null;
  const scopes = raw.split('/').slice(0, -1).map(clean).filter((s) => s !== '');
  const kept: string[] = [];
  for (const scope of scopes) {
    const last = kept[kept.length - 1];
    if (last !== undefined && scope.startsWith(`${last}.`)) kept[kept.length - 1] = scope;
    else kept.push(scope);
  }
  return kept.join('.');
}

const clean = (s: string): string => s.replace(/:+/g, '.').replace(/\s+/g, '_');

/** Names layers in the order they are asked for; `nodeNames` are every node of the graph (they decide the leaves). */
export class LayerNamer {
  private readonly containers = new Set<string>();
  private readonly used = new Set<string>();

  constructor(nodeNames: Iterable<string>) {
    for (const raw of nodeNames) {
      const path = modulePath(raw);
      if (path === null) continue;
      const parts = path.split('.');
      for (let i = 1; i < parts.length; i++) this.containers.add(parts.slice(0, i).join('.'));
    }
  }

  /**
   * The name of a layer made from the node named `raw`, of Systolab kind `kind`. `helper`: a layer the node needs
   * besides its own, which never takes the bare module path.
   */
  name(raw: string, kind: string, helper = false): string {
    const path = modulePath(raw);
    let base: string;
    if (path === null) base = clean(raw) || kind;
    else if (path === '') base = kind;
    else base = !helper && !this.containers.has(path) && !this.used.has(path) ? path : `${path}.${kind}`;
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}
