/**
 * `systolab rtl lab` and `systolab rtl check` (docs/rtl-lab.md): flags → api/rtl-lab → pattern folders for a student's
 * own output-stationary array (lab), and that array's verdict on them (check: exit 0 on pass, 1 naming the first
 * wrong output, with a table of the wrong ones). rtl-command.ts holds the flags.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type LabCheckResult, type LabPatternFolder, type LabShape, courseFolders, labFolder, labManifestOf, rtlCheck } from '../api/rtl-lab.js';
import { layerIntGemm, randomIntGemm, rtlConfigFor } from '../api/rtl.js';
import { DEFAULT_HW } from '../api/simulate.js';
import { SimError } from '../base/errors.js';
import { readDocument, readTextFile, writeFileAtomic, writeFilesTogether } from '../base/files.js';
import { packageRoot, packageVersion } from '../base/package-root.js';
import type { IntGemm } from '../rtl/stimulus.js';
import type { RtlArgs } from './rtl-command.js';

/** `--gemm MxKxN` (rtl sim and rtl lab). */
export function gemmDims(spec: string): [number, number, number] {
  const m = /^\s*(\d+)x(\d+)x(\d+)\s*$/i.exec(spec);
  const dims = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (dims.length !== 3 || dims.some((d) => d < 1 || d > 4096)) {
    throw new SimError('must be MxKxN with integers from 1 to 4096', { code: 'badValue', path: '--gemm', value: spec, hint: 'Example: --gemm 8x12x6' });
  }
  return dims as [number, number, number];
}

/** The lab contract's parameters from the flags: --array (default 4x4, the contract's), --precision, --accumulator-bits. */
function labShape(args: RtlArgs): LabShape {
  if (args.dataflow !== undefined && args.dataflow !== 'os') {
    throw new SimError('the lab\'s port contract is an output-stationary array', { code: 'badValue', path: '--dataflow', value: args.dataflow, hint: 'Allowed: os (docs/rtl-lab.md).' });
  }
  if (args.overflow === 'saturate') {
    throw new SimError('the lab\'s golden results wrap at ACC_W bits (what acc + a*b does in Verilog)', { code: 'badValue', path: '--overflow', value: args.overflow, hint: 'Allowed: wrap; choose --accumulator-bits wide enough not to wrap.' });
  }
  const array = args.array ?? (args.hw === DEFAULT_HW ? '4x4' : undefined);
  const c = rtlConfigFor({ hw: args.hw, array, dataflow: 'os', precision: args.precision, accumulatorBits: args.accumulatorBits, overflow: 'wrap' });
  return { rows: c.rows, cols: c.cols, dataBits: c.operandBits, accBits: c.accumulatorBits };
}

export function labCommand(args: RtlArgs, argv: readonly string[]): string {
  const shape = labShape(args);
  const generator = `systolab ${packageVersion()}: systolab ${argv.join(' ')}`;
  let files: Record<string, string>, name: string;
  if (args.course) {
    if (args.model !== undefined) throw new SimError('--course writes its own set; leave out --model', { code: 'badValue', path: '--model', value: args.model });
    [files, name] = [courseFolders(shape, args.seed, generator), 'course'];
  } else {
    let gemm: IntGemm, source: string;
    if (args.model !== undefined || args.layer !== undefined) {
      if (args.model === undefined || args.layer === undefined) throw new SimError('--model and --layer go together', { code: 'badValue', path: args.model === undefined ? '--layer' : '--model', value: args.model ?? args.layer, hint: 'Example: --model lenet-digits --layer f6' });
      const tile = layerIntGemm(args.model, args.layer, args.pass, shape.dataBits, args.seed);
      [gemm, source, name] = [tile.gemm, `${args.model} ${tile.id}, operands quantized to int${shape.dataBits}`, `${args.layer}-${args.pass}`];
    } else {
      const [m, k, n] = gemmDims(args.gemm);
      [gemm, source, name] = [randomIntGemm(m, k, n, shape.dataBits, args.seed), `random, seed ${args.seed}`, `random-${m}x${k}x${n}`];
    }
    files = labFolder(shape, gemm, name, source, generator).files;
  }
  const out = args.out ?? join('reports', `rtl-lab-${shape.rows}x${shape.cols}-${name}`);
  writeFilesTogether(out, files);
  const folders = [...new Set(Object.keys(files).map((f) => (f.includes('/') ? join(out, f.split('/')[0]) : out)))];
  const example = join(packageRoot(), 'sim', 'rtl', 'lab-example', 'systolic_array.v');
  return [
    `rtl lab: patterns for a ${shape.rows}x${shape.cols} output-stationary array, DATA_W=${shape.dataBits}, ACC_W=${shape.accBits} (the port contract: docs/rtl-lab.md)`,
    ...folders.map((f) => `  ${f}`),
    `check a design:   systolab rtl check --dut your_array.v --patterns ${out}`,
    `see one pass:     systolab rtl check --dut ${example} --patterns ${out}`,
    '',
  ].join('\n');
}

/** The pattern folders under --patterns: the folder itself when it holds lab.json, else its subfolders that do. */
function patternFolders(dir: string): LabPatternFolder[] {
  const folder = (d: string): LabPatternFolder => {
    const file = join(d, 'lab.json');
    return { dir: d, manifest: labManifestOf(readDocument(file), file), read: (f) => readTextFile(join(d, f)) };
  };
  if (existsSync(join(dir, 'lab.json'))) return [folder(dir)];
  let subs: string[] = [];
  try {
    subs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'lab.json'))).map((e) => e.name).sort();
  } catch { /* reported below */ }
  if (subs.length === 0) {
    throw new SimError('holds no lab.json, nor folders that do', { code: 'missingFile', file: dir, path: '--patterns', hint: 'Write patterns with `systolab rtl lab --out DIR`.' });
  }
  return subs.map((s) => folder(join(dir, s)));
}

const signedHex = (hex: string, value: string | null): string => `0x${hex} (${value ?? 'x/z'})`;

function checkText(r: LabCheckResult): string {
  const lines = [`rtl check: ${r.dut.join(', ')} (module ${r.top}) under ${r.simulator}`];
  for (const p of r.patterns) {
    const what = `${p.name}: C = A·B, ${p.gemm.m}x${p.gemm.k} · ${p.gemm.k}x${p.gemm.n} (${p.source}), ${p.shape.rows}x${p.shape.cols} array, DATA_W=${p.shape.dataBits}, ACC_W=${p.shape.accBits}, ${p.tiles} tile${p.tiles === 1 ? '' : 's'}`;
    lines.push('', what);
    const t = p.firstTile;
    const timing = t === null ? '' : `; tile (0,0): first row out at cycle ${t.firstRowCycle}, last at ${t.lastRowCycle} (cycle 0 samples the first input; ${t.afterLastInputCycles} cycle${t.afterLastInputCycles === 1 ? '' : 's'} after the last)`;
    if (p.pass) {
      lines.push(`  PASS: all ${p.outputs} outputs correct${timing}`);
      continue;
    }
    const f = p.firstWrong;
    if (f !== null) {
      lines.push(`  FAIL: first wrong output C[${f.row}][${f.col}] (tile ${f.tile[0]},${f.tile[1]}, its row ${f.row % p.shape.rows}, lane ${f.col % p.shape.cols}) at tile cycle ${f.cycle}: expected ${signedHex(f.expected, f.expectedValue)}, got ${signedHex(f.got, f.gotValue)}`);
    }
    if (p.protocolError !== null) lines.push(`  FAIL: ${p.protocolError}`);
    lines.push(`  ${p.wrong} of ${p.outputs} outputs received wrong${p.missing > 0 ? `, ${p.missing} never received` : ''}${timing}`);
    const wrong = p.table.filter((o) => !o.ok);
    if (wrong.length > 0) {
      const shown = wrong.slice(0, 20);
      const w = Math.max(10, ...shown.map((o) => o.expected.length + 4 + String(o.expectedValue).length));
      lines.push(`  ${'row'.padStart(5)} ${'col'.padStart(5)} ${'cycle'.padStart(6)}  ${'expected'.padEnd(w + 2)}  got`);
      for (const o of shown) lines.push(`  ${String(o.row).padStart(5)} ${String(o.col).padStart(5)} ${String(o.cycle).padStart(6)}  ${signedHex(o.expected, o.expectedValue).padEnd(w + 2)}  ${signedHex(o.got, o.gotValue)}`);
      if (wrong.length > shown.length) lines.push(`  … ${wrong.length - shown.length} more (--format json lists every output)`);
    }
  }
  const failed = r.patterns.filter((p) => !p.pass).length;
  lines.push('', failed === 0 ? `PASS: ${r.patterns.length} pattern folder${r.patterns.length === 1 ? '' : 's'}` : `FAIL: ${failed} of ${r.patterns.length} pattern folders`, '');
  return lines.join('\n');
}

export function checkCommand(args: RtlArgs): { text: string; exitCode: number } {
  if (args.dut === undefined || args.dut.length === 0) throw new SimError('names your Verilog file', { code: 'missingField', path: '--dut', hint: 'Example: --dut my_array.v --patterns reports/lab' });
  if (args.patterns === undefined) throw new SimError('names a folder rtl lab wrote', { code: 'missingField', path: '--patterns', hint: 'Example: --dut my_array.v --patterns reports/lab' });
  const dut: Record<string, string> = {};
  for (const f of args.dut) {
    if (dut[basename(f)] !== undefined) throw new SimError('two files with one name', { code: 'badValue', path: '--dut', value: f });
    dut[basename(f)] = readTextFile(f);
  }
  const folders = patternFolders(args.patterns);
  const { result, waves } = rtlCheck(dut, folders, { top: args.top, vcd: args.vcd !== undefined });
  if (args.vcd !== undefined) {
    for (const [name, bytes] of Object.entries(waves)) {
      const file = folders.length === 1 ? args.vcd : args.vcd.replace(/(\.vcd)?$/, `-${name}.vcd`);
      writeFileAtomic(file, bytes);
    }
  }
  const text = args.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : checkText(result);
  return { text: args.vcd !== undefined && args.format !== 'json' ? `${text}waveform${folders.length === 1 ? '' : 's'}: ${resolve(args.vcd)}${folders.length === 1 ? '' : ' (-NAME.vcd per pattern)'}\n` : text, exitCode: result.pass ? 0 : 1 };
}
