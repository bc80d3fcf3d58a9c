/**
 * SCALE-Sim v2 `.cfg` files, read as-is (Python configparser syntax) → HwConfig. Errors name the file and line.
 */
import { basename } from 'node:path';
import { SimError } from '../base/errors.js';
import { type At, fail } from '../base/fields.js';
import { type LimitName, checkSize } from '../base/limits.js';
import { HW_DEFAULTS } from '../arch/parse.js';
import { GEMM_DATAFLOWS, type GemmDataflow, type HwConfig } from '../arch/types.js';

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
  /** A positive integer written as Python's int() reads it, within `limit` (docs/limits.md). */
  int(sectionName: string, key: string, example: string, limit: LimitName, text = this.require(sectionName, key, example)): number {
    const t = text.trim();
    if (!/^\+?\d+$/.test(t) || Number(t) < 1) fail(this.at(sectionName, key), 'must be an integer ≥ 1', text, `Example: ${key}: ${example}`);
    return checkSize(Number(t), limit, this.at(sectionName, key));
  }
}

const CFG_DATAFLOWS: readonly GemmDataflow[] = GEMM_DATAFLOWS;

/**
 * A SCALE-Sim v2 .cfg file as-is → HwConfig. Mapping (hw-configs/README.md, "SCALE-Sim `.cfg` files"): ArrayHeight →
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

  const rows = cfg.int(ARCH, 'ArrayHeight', '32', 'arrayDim');
  const cols = cfg.int(ARCH, 'ArrayWidth', '32', 'arrayDim');
  const dfText = cfg.require(ARCH, 'Dataflow', 'os').trim();
  const dataflow = CFG_DATAFLOWS.find((d) => d === dfText.toLowerCase()); // the constant, not the parsed string (see oneOf)
  if (dataflow === undefined) fail(cfg.at(ARCH, 'Dataflow'), 'is not an allowed value', dfText, `Allowed: ${GEMM_DATAFLOWS.join(', ')}.`);
  const ifmapKib = cfg.int(ARCH, 'IfmapSramSzkB', '64', 'sramKib');
  const filterKib = cfg.int(ARCH, 'FilterSramSzkB', '64', 'sramKib');
  const ofmapKib = cfg.int(ARCH, 'OfmapSramSzkB', '64', 'sramKib');

  let bytesPerCycle: number = HW_DEFAULTS.bytesPerCycle;
  const bw = cfg.entry(ARCH, 'Bandwidth');
  if (mode === 'user' && bw === undefined) cfg.require(ARCH, 'Bandwidth', '10');
  if (bw !== undefined) {
    // One value per memory bank; SCALE-Sim's single-bank model uses the first for every operand.
    const values = bw.value.split(',').map((v) => cfg.int(ARCH, 'Bandwidth', '10', 'dramBytesPerCycle', v));
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

