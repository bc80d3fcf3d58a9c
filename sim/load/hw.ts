/**
 * Hardware configurations from disk, one result type for three sources: our YAML/JSON format (arch/parse.ts), SCALE-Sim
 * v2 `.cfg` files as-is (scalesim-cfg.ts), and a preset NAME (hw-configs/NAME.yaml shipped with the package). Also
 * resolves a config's energy table (load/energy-table.ts) into the Machine the pipeline prices with.
 */
import { existsSync, readdirSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { SimError } from '../base/errors.js';
import { namedFile, readDocument, readTextFile } from '../base/files.js';
import { packageRoot, resolveShippedPath } from '../base/package-root.js';
import { HW_DEFAULTS, parseHwConfig } from '../arch/parse.js';
import type { HwConfig } from '../arch/types.js';
import type { Machine } from '../run/energy-context.js';
import { isTablePath, loadEnergyTable } from './energy-table.js';
import { parseScaleSimCfg } from './scalesim-cfg.js';

/** The folder of the shipped presets, in the installed package (base/package-root.ts finds it from any build). */
export function hwConfigDir(): string {
  return join(packageRoot(), 'hw-configs');
}

/** Names of the shipped presets (hw-configs/NAME.yaml), sorted. */
export function hwConfigNames(): string[] {
  const dir = hwConfigDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
}

const FILE_EXTENSIONS = ['.yaml', '.yml', '.json', '.cfg'];

/** Reads a config file: .yaml/.yml/.json in our format, .cfg as SCALE-Sim's. */
export function loadHwConfigFile(file: string): HwConfig {
  const ext = extname(file).toLowerCase();
  if (ext === '.cfg') {
    return parseScaleSimCfg(readTextFile(file), file);
  }
  if (!FILE_EXTENSIONS.includes(ext)) {
    throw new SimError('is not a hardware-config file', {
      code: 'badValue', file, value: ext || '(no extension)', hint: `Use ${FILE_EXTENSIONS.join(', ')} or a preset name: ${hwConfigNames().join(', ')}.`,
    });
  }
  const config = parseHwConfig(readDocument(file), file);
  // A table file the config names lies beside it (or in the package's data), unless --allow-paths: docs/files.md.
  const table = config.energy?.table;
  if (table !== undefined && isTablePath(table)) namedFile(table, file, 'energy.table');
  return config;
}

/**
 * `--hw SPEC`: a file path (.yaml/.yml/.json/.cfg) or the NAME of a shipped preset (hw-configs/NAME.yaml). A preset's
 * `source` is `hw-configs/NAME.yaml`, the same wherever the package is installed (reports stay byte-identical).
 */
export function loadHwConfig(spec: string): HwConfig {
  if (existsSync(spec) || /[\\/]/.test(spec) || FILE_EXTENSIONS.includes(extname(spec).toLowerCase())) return loadHwConfigFile(resolveShippedPath(spec));
  const names = hwConfigNames();
  if (!names.includes(spec)) {
    throw new SimError('is neither a file nor a hardware preset', {
      code: 'unknownPreset', path: '--hw', value: spec, hint: `Presets: ${names.join(', ')}; or give a .yaml, .json or SCALE-Sim .cfg file.`,
    });
  }
  return { ...loadHwConfigFile(join(hwConfigDir(), `${spec}.yaml`)), source: `hw-configs/${spec}.yaml` };
}

/** Every shipped preset, loaded (a broken preset is an error, not skipped). */
export function listHwConfigs(): { name: string; file: string; config: HwConfig }[] {
  return hwConfigNames().map((name) => {
    const file = join(hwConfigDir(), `${name}.yaml`);
    return { name, file, config: { ...loadHwConfigFile(file), source: `hw-configs/${name}.yaml` } };
  });
}


/** The config with its energy table loaded (a shipped table is named relative to the package in reports). */
export function resolveMachine(hw: HwConfig): Machine {
  const energyTable = loadEnergyTable(hw.energy?.table ?? HW_DEFAULTS.energyTable);
  const root = packageRoot();
  const file = energyTable.file.startsWith(root) ? relative(root, energyTable.file) : energyTable.file;
  return { hw, energyTable, energyTableFile: file };
}
