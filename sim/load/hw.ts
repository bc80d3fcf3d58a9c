/**
 * Hardware configurations: raw data → validated HwConfig. Three sources, one result type:
 *  - our YAML/JSON format (hw-configs/README.md documents every key, unit and default) via `parseHwConfig`;
 *  - SCALE-Sim v2 `.cfg` files, read as-is (Python configparser syntax) via `parseScaleSimCfg`;
 *  - a preset NAME, i.e. hw-configs/NAME.yaml shipped with the package, via `loadHwConfig`.
 * CLI flags are applied afterwards with `withOverrides`. Every bad value throws one SimError naming the file, the key
 * (or .cfg line), the value and what is allowed. Imports ir/ (field readers, readDocument) and errors only.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from '../base/package-root.js';
import { SimError } from '../base/errors.js';
import { type At, type RawObject, boolean, checkKeys, child, fail, integer, number, object, oneOf, string } from '../base/fields.js';
import { readDocument, readTextFile } from './model-file.js';
import { DATAFLOWS, type Dataflow, type HwConfig, PRECISION_BITS, PRECISIONS, type Precision } from '../arch/types.js';

/**
 * Defaults of the optional keys (documented in hw-configs/README.md). SRAM sizes and DRAM bandwidth/mode are those of
 * SCALE-Sim v2's own configs/scale.cfg (64/64/64 KiB, Bandwidth 10, CALC); the clock is an assumption (SCALE-Sim
 * counts cycles only); 1-byte operands are SCALE-Sim's word; 32-bit accumulators are the usual choice for int8 MACs.
 */
export const HW_DEFAULTS = {
  clockMhz: 1000,
  macPipelineCycles: 1,
  precision: 'int8' as Precision,
  accumulatorBits: 32,
  sramKib: 64,
  doubleBuffered: true,
  bytesPerCycle: 10,
  bandwidthMode: 'calc' as const,
  dramType: 'generic',
  /** Energy table and SRAM transistor flavour (hw-configs/tech/; CACTI B_lstp is close to Accelergy's defaults). */
  energyTable: '45nm',
  leakage: 'lstp' as const,
} as const;

const TOP_KEYS = ['schemaVersion', 'name', 'description', 'clockMhz', 'array', 'numerics', 'sram', 'dram', 'vectorUnit', 'energy'];
const ENERGY_KEYS = ['table', 'leakage'];
const ARRAY_KEYS = ['rows', 'cols', 'dataflow', 'macPipelineCycles'];
const NUMERICS_KEYS = ['input', 'weight', 'accumulatorBits', 'rounding', 'overflow'];
const ROUNDING_RULES = ['nearestEven', 'nearestAway', 'towardZero', 'stochastic', 'gemmlowp'] as const;
const OVERFLOW_RULES = ['saturate', 'wrap'] as const;
const SRAM_KEYS = ['ifmapKib', 'filterKib', 'ofmapKib', 'doubleBuffered'];
const DRAM_KEYS = ['bytesPerCycle', 'bandwidthMode', 'type', 'latencyCycles'];
const VECTOR_KEYS = ['lanes'];
const BANDWIDTH_MODES = ['calc', 'user'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Our format (YAML / JSON)

function section(top: RawObject, key: string, allowed: readonly string[], root: At, what: string, required: boolean): RawObject {
  const at = child(root, key);
  if (!(key in top)) {
    if (required) fail(at, 'is required', undefined, `Example: ${key}: { ${allowed.slice(0, 3).map((k) => `${k}: …`).join(', ')} }`, 'missingField');
    return {};
  }
  const obj = object(top[key], at, `must be a mapping with keys ${allowed.join(', ')}`);
  checkKeys(obj, allowed, at, what);
  return obj;
}
function required<T>(obj: RawObject, key: string, at: At, read: (v: unknown, at: At) => T, example: string): T {
  const a = child(at, key);
  if (!(key in obj)) fail(a, 'is required', undefined, `Example: ${example}`, 'missingField');
  return read(obj[key], a);
}
function optional<T>(obj: RawObject, key: string, at: At, read: (v: unknown, at: At) => T, dflt: T): T {
  return key in obj ? read(obj[key], child(at, key)) : dflt;
}
function positive(v: unknown, at: At, hint?: string): number {
  const x = number(v, at, hint);
  if (x <= 0) fail(at, 'must be a positive number', v, hint);
  return x;
}
/** A size in KiB: positive, and a whole number of bytes. */
function kib(v: unknown, at: At, example: string): number {
  const x = positive(v, at, `Example: ${example}`);
  if (!Number.isInteger(x * 1024)) fail(at, 'must be a whole number of bytes (KiB × 1024 an integer)', v, `Example: ${example}`);
  return x;
}

/** Validates a raw (parsed YAML/JSON) hardware config. `file` is used in error messages and kept as `source`. */
export function parseHwConfig(doc: unknown, file?: string): HwConfig {
  const root: At = { file, path: '' };
  const top = object(doc, { file, path: '(top level)' }, 'must be a mapping with at least an `array` section');
  checkKeys(top, TOP_KEYS, root, 'a hardware config');
  if ('schemaVersion' in top && top.schemaVersion !== 1) {
    fail(child(root, 'schemaVersion'), 'is not a supported hardware-config version', top.schemaVersion, 'Allowed: 1.');
  }
  const fileName = file !== undefined ? basename(file).replace(/\.[^.]*$/, '') : undefined;
  const name = 'name' in top ? string(top.name, child(root, 'name')) : fileName;
  if (name === undefined) fail(child(root, 'name'), 'is required', undefined, 'Example: name: edge-16x16', 'missingField');
  const description = 'description' in top ? string(top.description, child(root, 'description')) : undefined;
  const clockMhz = optional(top, 'clockMhz', root, (v, a) => positive(v, a, 'Example: clockMhz: 500'), HW_DEFAULTS.clockMhz);

  const arrayAt = child(root, 'array');
  const arr = section(top, 'array', ARRAY_KEYS, root, 'the array section', true);
  const rows = required(arr, 'rows', arrayAt, (v, a) => integer(v, a, 1, 'Example: rows: 16'), 'rows: 16');
  const cols = required(arr, 'cols', arrayAt, (v, a) => integer(v, a, 1, 'Example: cols: 16'), 'cols: 16');
  const dataflow = required(arr, 'dataflow', arrayAt, (v, a) => oneOf(v, DATAFLOWS, a), 'dataflow: os');
  const macPipelineCycles = optional(arr, 'macPipelineCycles', arrayAt,
    (v, a) => integer(v, a, 1, 'Example: macPipelineCycles: 1'), HW_DEFAULTS.macPipelineCycles);

  const numAt = child(root, 'numerics');
  const num = section(top, 'numerics', NUMERICS_KEYS, root, 'the numerics section', false);
  const input = optional(num, 'input', numAt, (v, a) => oneOf(v, PRECISIONS, a), HW_DEFAULTS.precision);
  const weight = optional(num, 'weight', numAt, (v, a) => oneOf(v, PRECISIONS, a), input);
  const operandBits = Math.max(PRECISION_BITS[input], PRECISION_BITS[weight]);
  const accumulatorBits = optional(num, 'accumulatorBits', numAt,
    (v, a) => integer(v, a, 1, 'Example: accumulatorBits: 32'), Math.max(HW_DEFAULTS.accumulatorBits, operandBits));
  if (accumulatorBits < operandBits) {
    fail(child(numAt, 'accumulatorBits'), `must be at least the operand width (${operandBits} bits)`, accumulatorBits,
      `Example: accumulatorBits: ${Math.max(32, operandBits)}`);
  }
  const rounding = optional(num, 'rounding', numAt, (v, a) => oneOf(v, ROUNDING_RULES, a), 'gemmlowp');
  const overflow = optional(num, 'overflow', numAt, (v, a) => oneOf(v, OVERFLOW_RULES, a), 'saturate');

  const sramAt = child(root, 'sram');
  const sram = section(top, 'sram', SRAM_KEYS, root, 'the sram section', false);
  const ifmapKib = optional(sram, 'ifmapKib', sramAt, (v, a) => kib(v, a, 'ifmapKib: 64'), HW_DEFAULTS.sramKib);
  const filterKib = optional(sram, 'filterKib', sramAt, (v, a) => kib(v, a, 'filterKib: 64'), HW_DEFAULTS.sramKib);
  const ofmapKib = optional(sram, 'ofmapKib', sramAt, (v, a) => kib(v, a, 'ofmapKib: 64'), HW_DEFAULTS.sramKib);
  const doubleBuffered = optional(sram, 'doubleBuffered', sramAt, boolean, HW_DEFAULTS.doubleBuffered);

  const dramAt = child(root, 'dram');
  const dram = section(top, 'dram', DRAM_KEYS, root, 'the dram section', false);
  const bytesPerCycle = optional(dram, 'bytesPerCycle', dramAt,
    (v, a) => positive(v, a, 'Example: bytesPerCycle: 16'), HW_DEFAULTS.bytesPerCycle);
  const bandwidthMode = optional(dram, 'bandwidthMode', dramAt, (v, a) => oneOf(v, BANDWIDTH_MODES, a), HW_DEFAULTS.bandwidthMode);
  const type = optional(dram, 'type', dramAt, (v, a) => string(v, a, 'Example: type: LPDDR4'), HW_DEFAULTS.dramType);
  const latencyCycles = optional(dram, 'latencyCycles', dramAt, (v, a) => (v === 0 ? 0 : positive(v, a, 'Example: latencyCycles: 100')), 0);

  const vecAt = child(root, 'vectorUnit');
  const vec = section(top, 'vectorUnit', VECTOR_KEYS, root, 'the vectorUnit section', false);
  const lanes = optional(vec, 'lanes', vecAt, (v, a) => integer(v, a, 1, 'Example: lanes: 16'), cols);

  // energy.table: a shipped table name, or a file path taken relative to this config's folder.
  const energyAt = child(root, 'energy');
  const en = section(top, 'energy', ENERGY_KEYS, root, 'the energy section', false);
  const tableSpec = optional(en, 'table', energyAt, (v, a) => string(v, a, 'Example: table: 45nm'), HW_DEFAULTS.energyTable);
  const table = /[\\/]|\.(ya?ml|json)$/i.test(tableSpec) && !isAbsolute(tableSpec) && file !== undefined ? resolve(dirname(file), tableSpec) : tableSpec;
  const leakage = optional(en, 'leakage', energyAt, (v, a) => oneOf(v, ['hp', 'lstp'] as const, a), HW_DEFAULTS.leakage);

  return {
    schemaVersion: 1,
    name,
    ...(description !== undefined ? { description } : {}),
    clockHz: Math.round(clockMhz * 1e6),
    array: { rows, cols, dataflow, macPipelineCycles },
    numerics: { input, weight, accumulatorBits, rounding, overflow },
    sram: { ifmapKib, filterKib, ofmapKib, doubleBuffered },
    dram: { bytesPerCycle, bandwidthMode, type, ...(latencyCycles > 0 ? { latencyCycles } : {}) },
    vectorUnit: { lanes },
    ...('energy' in top ? { energy: { table, leakage } } : {}),
    ...(file !== undefined ? { source: file } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// SCALE-Sim .cfg (configparser syntax)

interface CfgEntry { readonly key: string; readonly value: string; readonly line: number }
type CfgSections = Map<string, Map<string, CfgEntry>>;

/**
 * Python configparser's syntax as SCALE-Sim uses it: `[section]` headers, `key: value` or `key = value` (split at the
 * first `:` or `=`), keys case-insensitive, whole-line `#`/`;` comments, indented lines continuing the previous value,
 * `[DEFAULT]` values visible in every section. Like configparser (strict mode), a repeated section or key is an error;
 * unlike it, section names are case-insensitive too. There are no inline comments (configparser's default).
 */
function readCfgSections(text: string, file: string): CfgSections {
  const sections: CfgSections = new Map();
  let current: Map<string, CfgEntry> | undefined;
  let last: { entry: CfgEntry; indent: number; map: Map<string, CfgEntry> } | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const indent = raw.length - raw.trimStart().length;
    if (last !== undefined && indent > last.indent) {
      const entry = { ...last.entry, value: `${last.entry.value}\n${trimmed}` };
      last.map.set(entry.key.toLowerCase(), entry);
      last = { ...last, entry };
      return;
    }
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      const name = header[1].trim().toLowerCase();
      if (sections.has(name)) cfgFail(file, lineNo, `repeats the section [${header[1].trim()}]`, trimmed, 'Each section may appear once.');
      current = new Map();
      sections.set(name, current);
      last = undefined;
      return;
    }
    const kv = /^(.*?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!kv || kv[1] === '') {
      cfgFail(file, lineNo, 'is not `key: value`, `key = value`, a [section] header or a # comment', trimmed, 'Example: ArrayHeight: 32');
    }
    if (current === undefined) cfgFail(file, lineNo, 'comes before any [section] header', trimmed, 'Start the file with [general] or [architecture_presets].');
    const key = kv[1].toLowerCase();
    if (current.has(key)) cfgFail(file, lineNo, `repeats the key ${kv[1]} (first on line ${current.get(key)!.line})`, trimmed);
    const entry = { key: kv[1], value: kv[2], line: lineNo };
    current.set(key, entry);
    last = { entry, indent, map: current };
  });
  return sections;
}

function cfgFail(file: string, line: number, problem: string, value: unknown, hint?: string): never {
  throw new SimError(problem, { code: 'malformed', file, path: `line ${line}`, value, hint });
}

/** Reads SCALE-Sim's keys, naming `Key (line N)` in errors, or `[section] Key` when the key is missing. */
class CfgReader {
  constructor(private readonly sections: CfgSections, private readonly file: string) {}

  entry(sectionName: string, key: string): CfgEntry | undefined {
    const k = key.toLowerCase();
    return this.sections.get(sectionName)?.get(k) ?? this.sections.get('default')?.get(k);
  }
  at(sectionName: string, key: string): At {
    const e = this.entry(sectionName, key);
    return { file: this.file, path: e ? `${key} (line ${e.line})` : `[${sectionName}] ${key}` };
  }
  require(sectionName: string, key: string, example: string): string {
    const e = this.entry(sectionName, key);
    if (e === undefined) fail(this.at(sectionName, key), 'is required', undefined, `Example: ${key}: ${example}`, 'missingField');
    return e.value;
  }
  /** A positive integer written as Python's int() reads it. */
  int(sectionName: string, key: string, example: string, text = this.require(sectionName, key, example)): number {
    const t = text.trim();
    if (!/^\+?\d+$/.test(t) || Number(t) < 1) fail(this.at(sectionName, key), 'must be an integer ≥ 1', text, `Example: ${key}: ${example}`);
    return Number(t);
  }
}

const CFG_DATAFLOWS: readonly Dataflow[] = DATAFLOWS;

/**
 * A SCALE-Sim v2 .cfg file as-is → HwConfig. Mapping (cycle-model.md, "Reading SCALE-Sim's files"): ArrayHeight →
 * rows, ArrayWidth → cols, Dataflow, {Ifmap,Filter,Ofmap}SramSzkB → KiB (SCALE-Sim's word is 1 byte, so KiB of words
 * = KiB), Bandwidth (first value of a comma list; words/cycle = bytes/cycle) → dram.bytesPerCycle, InterfaceBandwidth
 * CALC/USER → bandwidthMode, run_name → name. SCALE-Sim reads Bandwidth only in USER mode; in CALC mode it is optional
 * (default 10). Offsets, MemoryBanks, layout and sparsity keys are accepted and ignored. Not in SCALE-Sim, so set to
 * the defaults: int8 operands, 32-bit accumulators, single-cycle MACs, double-buffered SRAMs, clock, vector lanes = cols.
 */
export function parseScaleSimCfg(text: string, file: string): HwConfig {
  const cfg = new CfgReader(readCfgSections(text, file), file);
  const ARCH = 'architecture_presets';
  const runName = cfg.entry('general', 'run_name')?.value.trim();
  const name = runName !== undefined && runName !== '' ? runName : basename(file).replace(/\.[^.]*$/, '');

  const modeText = cfg.require('run_presets', 'InterfaceBandwidth', 'CALC').trim();
  const mode = modeText.toLowerCase();
  if (mode !== 'calc' && mode !== 'user') fail(cfg.at('run_presets', 'InterfaceBandwidth'), 'is not an allowed value', modeText, 'Allowed: CALC, USER.');

  const rows = cfg.int(ARCH, 'ArrayHeight', '32');
  const cols = cfg.int(ARCH, 'ArrayWidth', '32');
  const dfText = cfg.require(ARCH, 'Dataflow', 'os').trim();
  const dataflow = dfText.toLowerCase() as Dataflow;
  if (!CFG_DATAFLOWS.includes(dataflow)) fail(cfg.at(ARCH, 'Dataflow'), 'is not an allowed value', dfText, `Allowed: ${DATAFLOWS.join(', ')}.`);
  const ifmapKib = cfg.int(ARCH, 'IfmapSramSzkB', '64');
  const filterKib = cfg.int(ARCH, 'FilterSramSzkB', '64');
  const ofmapKib = cfg.int(ARCH, 'OfmapSramSzkB', '64');

  let bytesPerCycle: number = HW_DEFAULTS.bytesPerCycle;
  const bw = cfg.entry(ARCH, 'Bandwidth');
  if (mode === 'user' && bw === undefined) cfg.require(ARCH, 'Bandwidth', '10');
  if (bw !== undefined) {
    // One value per memory bank; SCALE-Sim's single-bank model uses the first for every operand.
    const values = bw.value.split(',').map((v) => cfg.int(ARCH, 'Bandwidth', '10', v));
    bytesPerCycle = values[0];
  }

  return {
    schemaVersion: 1,
    name,
    description: `SCALE-Sim config ${basename(file)} (operand formats, clock and accumulators are Systolab defaults)`,
    clockHz: HW_DEFAULTS.clockMhz * 1e6,
    array: { rows, cols, dataflow, macPipelineCycles: HW_DEFAULTS.macPipelineCycles },
    numerics: { input: 'int8', weight: 'int8', accumulatorBits: HW_DEFAULTS.accumulatorBits, rounding: 'gemmlowp', overflow: 'saturate' },
    sram: { ifmapKib, filterKib, ofmapKib, doubleBuffered: HW_DEFAULTS.doubleBuffered },
    dram: { bytesPerCycle, bandwidthMode: mode, type: HW_DEFAULTS.dramType },
    vectorUnit: { lanes: cols },
    source: file,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Files, presets, overrides

/**
 * The folder of the shipped presets. The package root is three levels above the compiled dist/sim/arch/ (as in
 * cli/defaults.ts) but two above the source sim/arch/ (tests run the sources): take the first that has hw-configs/.
 */
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
  return parseHwConfig(readDocument(file), file);
}

/**
 * `--hw SPEC`: a file path (.yaml/.yml/.json/.cfg) or the NAME of a shipped preset (hw-configs/NAME.yaml). A preset's
 * `source` is `hw-configs/NAME.yaml`, the same wherever the package is installed (reports stay byte-identical).
 */
export function loadHwConfig(spec: string): HwConfig {
  if (existsSync(spec) || /[\\/]/.test(spec) || FILE_EXTENSIONS.includes(extname(spec).toLowerCase())) return loadHwConfigFile(spec);
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

/** CLI flags that change a loaded config. Values from the command line may arrive as strings. */
export interface HwOverrides {
  readonly rows?: number | string;
  readonly cols?: number | string;
  readonly dataflow?: string;
  /** Sets both operand formats (numerics.input and numerics.weight). */
  readonly precision?: string;
  readonly macPipelineCycles?: number | string;
}

const flag = (name: string): At => ({ path: `--${name}` });
const asNumber = (v: unknown): unknown => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);

/**
 * The config with CLI overrides applied and validated (errors name the flag). Changing `precision` keeps the
 * accumulator unless it is narrower than the new operands, in which case it widens to max(32, operand bits).
 */
export function withOverrides(hw: HwConfig, o: HwOverrides): HwConfig {
  const rows = o.rows === undefined ? hw.array.rows : integer(asNumber(o.rows), flag('rows'), 1, 'Example: --rows 16');
  const cols = o.cols === undefined ? hw.array.cols : integer(asNumber(o.cols), flag('cols'), 1, 'Example: --cols 16');
  const dataflow = o.dataflow === undefined ? hw.array.dataflow : oneOf(o.dataflow, DATAFLOWS, flag('dataflow'));
  const macPipelineCycles = o.macPipelineCycles === undefined
    ? hw.array.macPipelineCycles
    : integer(asNumber(o.macPipelineCycles), flag('mac-pipeline-cycles'), 1, 'Example: --mac-pipeline-cycles 2');
  let numerics = hw.numerics;
  if (o.precision !== undefined) {
    const p = oneOf(o.precision, PRECISIONS, flag('precision'));
    const bits = PRECISION_BITS[p];
    numerics = { ...numerics, input: p, weight: p, accumulatorBits: numerics.accumulatorBits >= bits ? numerics.accumulatorBits : Math.max(32, bits) };
  }
  return { ...hw, array: { rows, cols, dataflow, macPipelineCycles }, numerics };
}
