/**
 * Hardware configurations in our YAML/JSON format (hw-configs/README.md documents every key, unit and default):
 * parsed raw data → validated HwConfig, and the hardware flags (arch/flags.ts) applied to a config (`withOverrides`).
 * Every bad value throws one SimError naming the file, the key, the value and what is allowed. Pure: load/hw.ts reads
 * the files.
 */
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { type At, type RawObject, boolean, checkKeys, child, fail, integer, object, oneOf, string } from '../base/fields.js';
import { checkSize } from '../base/limits.js';
import { asNumber, bytesPerCycle as readBytesPerCycle, clockMhz, HW_FLAGS, type HwFlagKey, type HwOverrides, kib, positive } from './flags.js';
import { BANDWIDTH_MODES, DATAFLOWS, type HwConfig, PRECISION_BITS, type Precision, RS_DEFAULT_SPAD, type RsSpad } from './types.js';

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

/** `clockHz` and `source` are what a report's `hw` block holds (the HwConfig as simulated), so it loads back as a config. */
const TOP_KEYS = ['schemaVersion', 'name', 'description', 'clockMhz', 'clockHz', 'array', 'numerics', 'sram', 'dram', 'vectorUnit', 'energy', 'area', 'source'];
const ENERGY_KEYS = ['table', 'leakage'];
const AREA_KEYS = ['pe', 'synthesized'];
const SYNTHESIZED_KEYS = ['transistors', 'flipFlops', 'tool'];
const ARRAY_KEYS = ['rows', 'cols', 'dataflow', 'macPipelineCycles', 'spad'];
const SPAD_KEYS = ['ifmapWords', 'filterWords', 'psumWords'] as const;
const NUMERICS_KEYS = ['input', 'weight', 'accumulatorBits', 'rounding', 'overflow'];
const ROUNDING_RULES = ['nearestEven', 'nearestAway', 'towardZero', 'stochastic', 'gemmlowp'] as const;
const OVERFLOW_RULES = ['saturate', 'wrap'] as const;
const SRAM_KEYS = ['ifmapKib', 'filterKib', 'ofmapKib', 'doubleBuffered', 'activationsOnChip'];
const DRAM_KEYS = ['bytesPerCycle', 'bandwidthMode', 'type', 'latencyCycles'];
const VECTOR_KEYS = ['lanes'];

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
/**
 * Validates a raw (parsed YAML/JSON) hardware config: a config file, or the `hw` block of a report (which holds
 * `clockHz` and `source`: parseHwConfig(report.hw) equals report.hw). `file` is used in error messages and becomes the
 * `source` (where the config was loaded from), replacing one the document carries.
 */
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
  if ('clockMhz' in top && 'clockHz' in top) {
    fail(child(root, 'clockHz'), 'gives the clock a second time (clockMhz is set)', top.clockHz, 'Keep one: clockMhz: 500 or clockHz: 500000000.');
  }
  const clockHz = 'clockHz' in top
    ? clockHzOf(top.clockHz, child(root, 'clockHz'))
    : Math.round(optional(top, 'clockMhz', root, (v, a) => clockMhz(v, a, 'clockMhz: 500'), HW_DEFAULTS.clockMhz) * 1e6);
  const source = file ?? ('source' in top ? string(top.source, child(root, 'source'), 'Example: source: hw-configs/tpu-v1.yaml') : undefined);

  const arrayAt = child(root, 'array');
  const arr = section(top, 'array', ARRAY_KEYS, root, 'the array section', true);
  const rows = required(arr, 'rows', arrayAt, (v, a) => checkSize(integer(v, a, 1, 'Example: rows: 16'), 'arrayDim', a), 'rows: 16');
  const cols = required(arr, 'cols', arrayAt, (v, a) => checkSize(integer(v, a, 1, 'Example: cols: 16'), 'arrayDim', a), 'cols: 16');
  const dataflow = required(arr, 'dataflow', arrayAt, (v, a) => oneOf(v, DATAFLOWS, a), 'dataflow: os');
  const macPipelineCycles = optional(arr, 'macPipelineCycles', arrayAt,
    (v, a) => checkSize(integer(v, a, 1, 'Example: macPipelineCycles: 1'), 'macPipelineCycles', a), HW_DEFAULTS.macPipelineCycles);
  // Row stationary's scratch pads per PE, in words (array.spad; absent: Eyeriss v1's).
  let spad: RsSpad | undefined;
  if ('spad' in arr) {
    const spadAt = child(arrayAt, 'spad');
    const o = object(arr.spad, spadAt, `must be a mapping with keys ${SPAD_KEYS.join(', ')}`);
    checkKeys(o, SPAD_KEYS, spadAt, 'array.spad');
    const [ifmapWords, filterWords, psumWords] = SPAD_KEYS.map((k) => required(o, k, spadAt, (v, a) => integer(v, a, 1, `Example: ${k}: ${RS_DEFAULT_SPAD[k]}`), `${k}: ${RS_DEFAULT_SPAD[k]}`));
    spad = { ifmapWords, filterWords, psumWords };
  }

  const numAt = child(root, 'numerics');
  const num = section(top, 'numerics', NUMERICS_KEYS, root, 'the numerics section', false);
  const input = optional(num, 'input', numAt, HW_FLAGS.precision.read, HW_DEFAULTS.precision);
  const weight = optional(num, 'weight', numAt, HW_FLAGS.precision.read, input);
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
  const activationsOnChip = optional(sram, 'activationsOnChip', sramAt, boolean, false);

  const dramAt = child(root, 'dram');
  const dram = section(top, 'dram', DRAM_KEYS, root, 'the dram section', false);
  const bytesPerCycle = optional(dram, 'bytesPerCycle', dramAt,
    (v, a) => readBytesPerCycle(v, a, 'bytesPerCycle: 16'), HW_DEFAULTS.bytesPerCycle);
  const bandwidthMode = optional(dram, 'bandwidthMode', dramAt, (v, a) => oneOf(v, BANDWIDTH_MODES, a), HW_DEFAULTS.bandwidthMode);
  const type = optional(dram, 'type', dramAt, (v, a) => string(v, a, 'Example: type: LPDDR4'), HW_DEFAULTS.dramType);
  const latencyCycles = optional(dram, 'latencyCycles', dramAt, (v, a) => (v === 0 ? 0 : checkSize(positive(v, a, 'Example: latencyCycles: 100'), 'latencyCycles', a)), 0);

  const vecAt = child(root, 'vectorUnit');
  const vec = section(top, 'vectorUnit', VECTOR_KEYS, root, 'the vectorUnit section', false);
  const lanes = optional(vec, 'lanes', vecAt, (v, a) => checkSize(integer(v, a, 1, 'Example: lanes: 16'), 'lanes', a), cols);

  // energy.table: a shipped table name, or a file path taken relative to this config's folder.
  const energyAt = child(root, 'energy');
  const en = section(top, 'energy', ENERGY_KEYS, root, 'the energy section', false);
  const tableSpec = optional(en, 'table', energyAt, (v, a) => string(v, a, 'Example: table: 45nm'), HW_DEFAULTS.energyTable);
  const table = /[\\/]|\.(ya?ml|json)$/i.test(tableSpec) && !isAbsolute(tableSpec) && file !== undefined ? resolve(dirname(file), tableSpec) : tableSpec;
  const leakage = optional(en, 'leakage', energyAt, (v, a) => oneOf(v, ['hp', 'lstp'] as const, a), HW_DEFAULTS.leakage);

  // area.pe: the PE area from the energy table, or from Yosys (the edge fills area.synthesized).
  const areaAt = child(root, 'area');
  const ar = section(top, 'area', AREA_KEYS, root, 'the area section', false);
  const pe = optional(ar, 'pe', areaAt, (v, a) => oneOf(v, ['table', 'yosys'] as const, a), 'table' as const);
  const synAt = child(areaAt, 'synthesized');
  const syn = section(ar, 'synthesized', SYNTHESIZED_KEYS, areaAt, 'area.synthesized', false);
  const synthesized = 'synthesized' in ar
    ? {
      transistors: required(syn, 'transistors', synAt, (v, a) => integer(v, a, 1, 'Example: transistors: 7456'), 'transistors: 7456'),
      flipFlops: required(syn, 'flipFlops', synAt, (v, a) => integer(v, a, 0, 'Example: flipFlops: 53'), 'flipFlops: 53'),
      tool: required(syn, 'tool', synAt, (v, a) => string(v, a, 'Example: tool: Yosys 0.23'), 'tool: Yosys 0.23'),
    }
    : undefined;
  if (synthesized !== undefined && pe !== 'yosys') fail(synAt, 'goes with pe: yosys', undefined, 'Set area.pe: yosys, or leave area.synthesized out.', 'badValue');

  return {
    schemaVersion: 1,
    name,
    ...(description !== undefined ? { description } : {}),
    clockHz,
    array: { rows, cols, dataflow, macPipelineCycles, ...(spad ? { spad } : {}) },
    numerics: { input, weight, accumulatorBits, rounding, overflow },
    sram: { ifmapKib, filterKib, ofmapKib, doubleBuffered, ...(activationsOnChip ? { activationsOnChip } : {}) },
    dram: { bytesPerCycle, bandwidthMode, type, ...(latencyCycles > 0 ? { latencyCycles } : {}) },
    vectorUnit: { lanes },
    ...('energy' in top ? { energy: { table, leakage } } : {}),
    ...('area' in top ? { area: { pe, ...(synthesized !== undefined ? { synthesized } : {}) } } : {}),
    ...(source !== undefined ? { source } : {}),
  };
}

/** `clockHz`: an integer whose MHz are within the clockMhz limits. */
function clockHzOf(v: unknown, at: At): number {
  const hz = integer(v, at, 1, 'Example: clockHz: 500000000 (or clockMhz: 500)');
  checkSize(hz / 1e6, 'clockMhz', at, `${hz} Hz, in MHz,`);
  return hz;
}

const flagAt = (name: string): At => ({ path: `--${name}` });
function read<K extends HwFlagKey>(o: HwOverrides, key: K): ReturnType<(typeof HW_FLAGS)[K]['read']> | undefined {
  const v = o[key];
  return v === undefined ? undefined : (HW_FLAGS[key].read(v, flagAt(HW_FLAGS[key].flag)) as ReturnType<(typeof HW_FLAGS)[K]['read']>);
}

/**
 * The config with the flags applied and validated (errors name the flag). `--sram-kib` sets all three buffers, and a
 * buffer's own flag wins over it. Changing `precision` keeps the accumulator unless it is narrower than the new
 * operands, in which case it widens to max(32, operand bits).
 */
export function withOverrides(hw: HwConfig, o: HwOverrides): HwConfig {
  const shape = read(o, 'array') ?? hw.array;
  const rows = o.rows === undefined ? shape.rows : checkSize(integer(asNumber(o.rows), flagAt('rows'), 1, 'Example: --rows 16'), 'arrayDim', flagAt('rows'));
  const cols = o.cols === undefined ? shape.cols : checkSize(integer(asNumber(o.cols), flagAt('cols'), 1, 'Example: --cols 16'), 'arrayDim', flagAt('cols'));
  const macPipelineCycles = o.macPipelineCycles === undefined
    ? hw.array.macPipelineCycles
    : checkSize(integer(asNumber(o.macPipelineCycles), flagAt('mac-pipeline-cycles'), 1, 'Example: --mac-pipeline-cycles 2'), 'macPipelineCycles', flagAt('mac-pipeline-cycles'));
  let numerics = hw.numerics;
  const p = read(o, 'precision');
  if (p !== undefined) {
    const bits = PRECISION_BITS[p];
    numerics = { ...numerics, input: p, weight: p, accumulatorBits: numerics.accumulatorBits >= bits ? numerics.accumulatorBits : Math.max(32, bits) };
  }
  const all = read(o, 'sramKib');
  const clockMhz = read(o, 'clockMhz');
  return {
    ...hw,
    ...(clockMhz !== undefined ? { clockHz: Math.round(clockMhz * 1e6) } : {}),
    array: { ...hw.array, rows, cols, dataflow: read(o, 'dataflow') ?? hw.array.dataflow, macPipelineCycles },
    numerics,
    sram: {
      ...hw.sram,
      ifmapKib: read(o, 'ifmapKib') ?? all ?? hw.sram.ifmapKib,
      filterKib: read(o, 'filterKib') ?? all ?? hw.sram.filterKib,
      ofmapKib: read(o, 'ofmapKib') ?? all ?? hw.sram.ofmapKib,
    },
    dram: { ...hw.dram, bytesPerCycle: read(o, 'dramBytesPerCycle') ?? hw.dram.bytesPerCycle, bandwidthMode: read(o, 'bandwidthMode') ?? hw.dram.bandwidthMode },
  };
}
