/**
 * The installed package's root folder (where models/, hw-configs/ and package.json live), found by walking up from
 * this module until a package.json named "systolab" appears — so it holds from dist/sim/…, from the single-file
 * bundle dist/cli.cjs, and from the TypeScript sources under vitest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;
/** The version in the package.json that packageRoot found: read with it, as the CLI and every report ask for it. */
let cachedVersion: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const manifest = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: unknown };
        if (manifest.name === 'systolab') {
          cachedVersion = typeof manifest.version === 'string' ? manifest.version : undefined;
          return (cached = dir);
        }
      } catch {
        // not ours; keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir) return (cached = process.cwd());
    dir = up;
  }
}

/** The installed package's version (package.json), or `unknown` when it cannot be read. */
export function packageVersion(): string {
  packageRoot();
  return cachedVersion ?? 'unknown';
}

/**
 * A file argument: as given when it exists (relative to the working directory, as the user typed it); otherwise, for a
 * relative path that names a file shipped in the package (`models/tiny-cnn.yaml`, `hw-configs/tpu-v1.yaml`, the lab's
 * example DUT `sim/rtl/lab-example/systolic_array.v`), that file — so the README's and `--help`'s examples work from
 * any folder once Systolab is installed. Anything else is returned unchanged, for the loader to report as missing.
 */
export function resolveShippedPath(file: string): string {
  if (existsSync(file) || isAbsolute(file)) return file;
  const shipped = join(packageRoot(), file);
  return /^(models|hw-configs|sim[\\/]rtl[\\/]lab-example)[\\/]/.test(file) && existsSync(shipped) ? shipped : file;
}
