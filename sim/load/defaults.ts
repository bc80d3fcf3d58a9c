/** Built-in defaults of the CLI: the model the quick start runs, found relative to the installed package. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../base/package-root.js';

export const PACKAGE_ROOT = packageRoot();
export const DEFAULT_MODEL = 'models/tiny-cnn.yaml';

/** Folders searched for a built-in model NAME (NAME.yaml), in order. */
const MODEL_DIRS = ['models', 'models/course'];

/**
 * A model argument: an existing file as given; else a built-in NAME from models/ or models/course/; absent, the
 * default model. Built-ins are found in the package, wherever it is installed. Anything else (e.g. a zoo reference
 * `resnet50` or `mobilenet-v2:width=0.5`, models/zoo/index.ts) is returned as given: `loadAnyModel` resolves it and
 * reports an unknown name with the list of built-ins.
 */
export function resolveModel(model: string | undefined): string {
  if (model === undefined) return existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : join(PACKAGE_ROOT, DEFAULT_MODEL);
  if (existsSync(model) || /[\\/.]/.test(model)) return model;
  for (const dir of MODEL_DIRS) {
    const file = join(PACKAGE_ROOT, dir, `${model}.yaml`);
    if (existsSync(file)) return file;
  }
  return model; // the loader reports it as a missing file
}
