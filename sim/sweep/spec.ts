/**
 * Sweep specs: a grid of models × modes × hardware parameters, given by CLI flags or a spec file
 * (hw-configs/sweeps/*.yaml; hw-configs/sweeps/README.md documents every key), validated up front, expanded into
 * points in a canonical order.
 *
 * Point id: the first 16 hex digits of SHA-256 over the point's canonical parameters (PointParams, JSON with keys in
 * the fixed order below, every hardware value resolved against the base config). The same point has the same id in
 * every run, on every machine, whatever the order of the flags' values.
 * Canonical order: points sorted by id (a stable pseudo-random mix, so shards and workers get even work);
 * `--shard i/N` runs the points whose index in that order is ≡ i − 1 (mod N).
 */
import { namedFile, readDocument } from '../base/files.js';
import { resolveShippedPath } from '../base/package-root.js';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { SimError } from '../base/errors.js';
import { type At, checkKeys, child, fail, isObject } from '../base/fields.js';
import { HW_FLAGS, type HwFlagKey } from '../arch/flags.js';
import type { Dataflow, HwConfig, Precision } from '../arch/types.js';
import type { Mode } from '../lower/types.js';

export const MODES = ['inference', 'training'] as const;

/** A sweep: lists of values per dimension (the grid is their product). Absent hardware dimensions keep the base's value. */
export interface SweepSpec {
  /** Models: files (YAML/JSON, SCALE-Sim .csv, .onnx) or built-ins (`resnet50`, `mobilenet-v2:width=0.5`). */
  readonly models: readonly string[];
  /** Base hardware config (preset name or file) for everything not swept [default scalesim-32x32]. */
  readonly hw?: string;
  readonly modes?: readonly Mode[];
  /** `ROWSxCOLS` strings or { rows, cols }. */
  readonly arrays?: readonly (string | { readonly rows: number; readonly cols: number })[];
  readonly dataflows?: readonly Dataflow[];
  /** All three SRAM buffers at once, KiB; `ifmapKib`/`filterKib`/`ofmapKib` set (and sweep) one buffer each. */
  readonly sramKib?: readonly number[];
  readonly ifmapKib?: readonly number[];
  readonly filterKib?: readonly number[];
  readonly ofmapKib?: readonly number[];
  readonly dramBytesPerCycle?: readonly number[];
  readonly bandwidthModes?: readonly ('calc' | 'user')[];
  readonly precisions?: readonly Precision[];
  readonly clockMhz?: readonly number[];
}

/** A point's canonical parameters, in this key order (the id hashes exactly this). */
export interface PointParams {
  readonly model: string;
  readonly mode: Mode;
  readonly hw: string;
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: Dataflow;
  readonly ifmapKib: number;
  readonly filterKib: number;
  readonly ofmapKib: number;
  readonly dramBytesPerCycle: number;
  readonly bandwidthMode: 'calc' | 'user';
  /** Operand format of activations and weights (`input/weight` when the base config mixes them and it is not swept). */
  readonly precision: string;
  readonly clockMhz: number;
}
export const PARAM_KEYS: readonly (keyof PointParams)[] = [
  'model', 'mode', 'hw', 'rows', 'cols', 'dataflow', 'ifmapKib', 'filterKib', 'ofmapKib', 'dramBytesPerCycle', 'bandwidthMode', 'precision', 'clockMhz',
];

export interface Point {
  readonly id: string;
  readonly params: PointParams;
}

export interface Shard { readonly index: number; readonly count: number }

export const DEFAULT_SWEEP_HW = 'scalesim-32x32';

/** The canonical JSON of the parameters (fixed key order). */
export function canonicalParams(p: PointParams): string {
  return JSON.stringify(Object.fromEntries(PARAM_KEYS.map((k) => [k, p[k]])));
}

export function pointId(p: PointParams): string {
  return createHash('sha256').update(canonicalParams(p)).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of values (flags and spec files share these; errors name the flag or the file and key)

const flagAt = (name: string): At => ({ path: `--${name}` });

function choice<T extends string>(v: unknown, allowed: readonly T[], at: At): T {
  const s = typeof v === 'string' ? v.trim() : v;
  if (typeof s !== 'string' || !(allowed as readonly string[]).includes(s)) fail(at, 'is not an allowed value', v, `Allowed: ${allowed.join(', ')}.`);
  return s as T;
}
function nonEmptyString(v: unknown, at: At, example: string): string {
  if (typeof v !== 'string' || v.trim() === '') fail(at, 'must be a non-empty string', v, `Example: ${example}`);
  return v.trim();
}

/** A raw value (a comma list string, a scalar or a list) → its items. */
function items(v: unknown, at: At): unknown[] {
  const list = Array.isArray(v) ? v.flatMap((x) => (typeof x === 'string' ? x.split(',') : [x])) : typeof v === 'string' ? v.split(',') : [v];
  const out = list.map((x) => (typeof x === 'string' ? x.trim() : x)).filter((x) => x !== '');
  if (out.length === 0) fail(at, 'must list at least one value', v);
  return out;
}
function list<T>(v: unknown, at: At, read: (x: unknown, at: At) => T): T[] {
  return items(v, at).map((x, i) => read(x, Array.isArray(v) ? child(at, i) : at));
}

/**
 * Model values: comma lists like every dimension, except that a value naming an existing file (from `dir`, or shipped
 * with the package) is one model even when its name holds commas (`--model "runs/a,b.yaml"`).
 */
function modelItems(v: unknown, at: At, dir: string): unknown[] {
  const isFile = (x: string) => existsSync(resolve(dir, x.trim())) || resolveShippedPath(x.trim()) !== x.trim();
  const one = (x: unknown): unknown[] => (typeof x === 'string' && x.includes(',') && isFile(x) ? [x] : items(x, at));
  return Array.isArray(v) ? v.flatMap(one) : one(v);
}

/** Raw inputs of a spec (from flags or a parsed spec file), keyed by the spec file's key names. */
export type RawSpec = Readonly<Record<string, unknown>>;

/** The swept hardware dimensions: a spec-file key each, read with the hardware flag's validator (arch/flags.ts). */
export const HW_DIMENSIONS = {
  arrays: 'array', dataflows: 'dataflow', sramKib: 'sramKib', ifmapKib: 'ifmapKib', filterKib: 'filterKib', ofmapKib: 'ofmapKib',
  dramBytesPerCycle: 'dramBytesPerCycle', bandwidthModes: 'bandwidthMode', precisions: 'precision', clockMhz: 'clockMhz',
} as const satisfies Record<string, HwFlagKey>;
type HwDimension = keyof typeof HW_DIMENSIONS;

/** Spec-file keys (also accepted in singular flag form from the CLI). */
export const SPEC_KEYS = ['models', 'hw', 'modes', ...Object.keys(HW_DIMENSIONS) as HwDimension[]] as const;
type SpecKey = (typeof SPEC_KEYS)[number];
const flagOf = (key: SpecKey): string => (key === 'models' ? 'model' : key === 'modes' ? 'mode' : key === 'hw' ? 'hw' : HW_FLAGS[HW_DIMENSIONS[key]].flag);

/**
 * Raw values → a validated SweepSpec. `file` set: errors name the file and key; else they name the CLI flag.
 * Every list is deduplicated (first occurrence wins).
 */
export function parseSweepSpec(raw: RawSpec, file?: string): SweepSpec {
  const at = (key: SpecKey): At => (file !== undefined ? { file, path: key } : flagAt(flagOf(key)));
  if (file !== undefined) checkKeys(raw, SPEC_KEYS, { file, path: '' }, 'a sweep spec');
  const dedupe = <T>(xs: T[], key: (x: T) => string = (x) => JSON.stringify(x)): T[] => {
    const seen = new Set<string>();
    return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
  };
  const opt = <T>(key: SpecKey, read: (x: unknown, at: At) => T): T[] | undefined =>
    raw[key] === undefined ? undefined : dedupe(list(raw[key], at(key), read));
  if (raw.models === undefined) {
    throw new SimError('is required: at least one model', { code: 'missingField', ...(file !== undefined ? { file, path: 'models' } : { path: '--model' }), hint: 'Example: --model resnet50 (repeatable), or models: [resnet50] in a spec file.' });
  }
  const models = dedupe(modelItems(raw.models, at('models'), file !== undefined ? dirname(resolve(file)) : process.cwd())
    .map((x, i) => nonEmptyString(x, Array.isArray(raw.models) ? child(at('models'), i) : at('models'), 'resnet50')));
  const hw = raw.hw === undefined ? undefined : nonEmptyString(raw.hw, at('hw'), DEFAULT_SWEEP_HW);
  const spec: Record<string, unknown> = {
    models,
    ...(hw !== undefined ? { hw } : {}),
    modes: opt('modes', (x, a) => choice(x, MODES, a)),
    ...Object.fromEntries((Object.keys(HW_DIMENSIONS) as HwDimension[]).map((k) => [k, opt(k, HW_FLAGS[HW_DIMENSIONS[k]].read as (x: unknown, at: At) => unknown)])),
  };
  for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
  return spec as unknown as SweepSpec;
}

/**
 * A spec file (YAML or JSON) → a validated SweepSpec. A model path in it is relative to the spec file's folder and
 * must stay inside it (or be a file shipped with the package, `models/…`), unless --allow-paths (docs/files.md); it is
 * kept as written when it names the same file from the working folder, else rewritten relative to the working folder.
 */
export function loadSweepSpecFile(file: string): SweepSpec {
  const doc = readDocument(file);
  if (!isObject(doc)) fail({ file, path: '(top level)' }, 'must be a mapping with at least `models`', doc, 'Example: models: [resnet50]');
  const spec = parseSweepSpec(doc, file);
  return { ...spec, models: spec.models.map((m, i) => specModelPath(m, file, Array.isArray(doc.models) ? `models[${i}]` : 'models')) };
}

const isModelPath = (m: string): boolean => /[\\/]/.test(m) || /\.(ya?ml|json|csv|onnx)$/i.test(m);

function specModelPath(model: string, specFile: string, field: string): string {
  if (!isModelPath(model)) return model; // a built-in name
  const beside = resolve(dirname(resolve(specFile)), model);
  if (!existsSync(beside) && resolveShippedPath(model) !== model) return model; // a file shipped with the package
  const file = namedFile(model, specFile, field);
  return resolve(model) === file ? model : relative(process.cwd(), file) || file;
}

export function sweepName(spec: SweepSpec, specFile?: string): string {
  if (specFile !== undefined) return basename(specFile).replace(/\.[^.]*$/, '');
  return spec.models[0].replace(/^.*[\\/]/, '').replace(/\.[^.:]*$/, '').replace(/[^A-Za-z0-9_.=-]+/g, '_');
}

/** `i/N`, 1 ≤ i ≤ N. */
export function parseShard(v: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new SimError('must be i/N with 1 ≤ i ≤ N', { code: 'badValue', path: '--shard', value: v, hint: 'Example: --shard 2/8 (the second of eight slices).' });
  }
  return { index, count };
}

// ---------------------------------------------------------------------------------------------------------------
// Expansion

/** The base's operand format as a parameter: `int8`, or `int8/int16` when activations and weights differ. */
function basePrecision(hw: HwConfig): string {
  return hw.numerics.input === hw.numerics.weight ? hw.numerics.input : `${hw.numerics.input}/${hw.numerics.weight}`;
}

/**
 * Every point of the grid, deduplicated and in canonical order (sorted by id). `models` are the canonical model
 * names (built-ins canonicalized by the caller, files as given), in the spec's order.
 */
export function expandGrid(spec: SweepSpec, base: HwConfig, models: readonly string[]): Point[] {
  const hwName = spec.hw ?? DEFAULT_SWEEP_HW;
  const arrays = (spec.arrays ?? [{ rows: base.array.rows, cols: base.array.cols }]).map((a) => HW_FLAGS.array.read(a, flagAt('array')));
  const sram = spec.sramKib ?? [undefined];
  const byId = new Map<string, Point>();
  for (const model of models) for (const mode of spec.modes ?? ['inference' as const]) for (const a of arrays)
    for (const dataflow of spec.dataflows ?? [base.array.dataflow]) for (const s of sram)
      for (const ifmapKib of spec.ifmapKib ?? [s ?? base.sram.ifmapKib]) for (const filterKib of spec.filterKib ?? [s ?? base.sram.filterKib])
        for (const ofmapKib of spec.ofmapKib ?? [s ?? base.sram.ofmapKib]) for (const dramBytesPerCycle of spec.dramBytesPerCycle ?? [base.dram.bytesPerCycle])
          for (const bandwidthMode of spec.bandwidthModes ?? [base.dram.bandwidthMode])
          for (const precision of spec.precisions ?? [basePrecision(base)]) for (const clockMhz of spec.clockMhz ?? [base.clockHz / 1e6]) {
            const params: PointParams = {
              model, mode, hw: hwName, rows: a.rows, cols: a.cols, dataflow, ifmapKib, filterKib, ofmapKib, dramBytesPerCycle, bandwidthMode, precision, clockMhz,
            };
            const id = pointId(params);
            if (!byId.has(id)) byId.set(id, { id, params });
          }
  return [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

export function shardOf<T>(points: readonly T[], shard: Shard | undefined): T[] {
  return shard === undefined ? [...points] : points.filter((_, i) => i % shard.count === shard.index - 1);
}

/** The hash of the whole grid (every point id), shared by its shards: `merge` uses it to count missing points. */
export function gridHash(points: readonly Point[]): string {
  const h = createHash('sha256');
  for (const p of points) h.update(p.id);
  return h.digest('hex').slice(0, 16);
}
