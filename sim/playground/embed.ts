/**
 * What the build puts inside the page (EmbeddedData): the presets and energy tables the accelerator panel offers,
 * parsed from hw-configs/ as the CLI parses them, the CACTI CSVs those tables read, Fisher's iris, and a small
 * digits set (500 MNIST images from `digits` seed 0, each 28×28 averaged over 2×2 blocks to 14×14). An edge: it reads
 * the package's files; scripts/bundle.mjs calls it once per build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDocument } from '../base/files.js';
import { packageRoot, packageVersion } from '../base/package-root.js';
import { digits, iris } from '../load/datasets/real.js';
import { techDir } from '../load/energy-table.js';
import { DIGITS_SIDE, type EmbeddedData } from './data.js';
import { PRESETS } from './state.js';

export const DIGITS_IN_PAGE = 500;

/** `digits` n images → 14×14 bytes (the mean of each 2×2 block, × 255, rounded). */
function smallDigits(): EmbeddedData['digits'] {
  const d = digits({ n: DIGITS_IN_PAGE, seed: 0 });
  const side = 28, per = DIGITS_SIDE * DIGITS_SIDE;
  const bytes = new Uint8Array(DIGITS_IN_PAGE * per);
  for (let i = 0; i < DIGITS_IN_PAGE; i++) {
    for (let r = 0; r < DIGITS_SIDE; r++) {
      for (let c = 0; c < DIGITS_SIDE; c++) {
        let sum = 0;
        for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]]) sum += d.features.data[i * side * side + (2 * r + dr) * side + 2 * c + dc];
        bytes[i * per + r * DIGITS_SIDE + c] = Math.round((sum / 4) * 255);
      }
    }
  }
  return {
    pixels: Buffer.from(bytes).toString('base64'), labels: Array.from(d.targets.data),
    description: `MNIST digits: ${DIGITS_IN_PAGE} images (systolab's digits subset, seed 0, class-balanced), 28×28 averaged over 2×2 blocks to 14×14`,
  };
}

export function embeddedData(): EmbeddedData {
  const root = packageRoot();
  const presets = Object.fromEntries(PRESETS.map((name) => [name, readDocument(join(root, 'hw-configs', `${name}.yaml`))]));
  const tech = techDir();
  const tables = Object.fromEntries(readdirSync(tech).filter((f) => f.endsWith('.yaml')).sort().map((f) => [f.slice(0, -5), readDocument(join(tech, f))]));
  const cacti = Object.fromEntries(readdirSync(tech).filter((f) => f.endsWith('.csv')).sort().map((f) => [f, readFileSync(join(tech, f), 'utf8')]));
  const flowers = iris();
  return {
    presets, tables, cacti,
    iris: { features: Array.from(flowers.features.data), targets: Array.from(flowers.targets.data), classes: flowers.classes ?? [], featureNames: flowers.featureNames },
    digits: smallDigits(),
    version: packageVersion(),
  };
}
