/** Built-in defaults of the CLI: the model the quick start runs, found relative to the installed package. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (dist/sim/cli/ → ../../..). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEFAULT_MODEL = 'models/tiny-cnn.yaml';

/** A model argument: a path as given, or (when absent) the default model shipped with the package. */
export function resolveModel(model: string | undefined): string {
  if (model !== undefined) return model;
  const local = DEFAULT_MODEL;
  return existsSync(local) ? local : join(PACKAGE_ROOT, DEFAULT_MODEL);
}
