/**
 * `rtl lab` and `rtl check` as library calls: pattern folders for the lab contract (sim/rtl/lab.ts, docs/rtl-lab.md),
 * and a student's Verilog run against one or more of them under Icarus Verilog, every output of C compared.
 * `rtlCheck`'s result is what `systolab rtl check --format json` prints.
 */
import { SimError } from '../base/errors.js';
import { icarusVersion, runIcarus } from '../eda/icarus.js';
import {
  LAB_CONTRACT, LAB_DUT_MODULE, LAB_TB_MODULE, LAB_TESTBENCH, type LabManifest, type LabOutput, type LabPattern,
  labPatternFiles, labTestbench, parseLabResults,
} from '../rtl/lab.js';
import type { IntGemm } from '../rtl/stimulus.js';
import { layerIntGemm, randomIntGemm } from './rtl.js';

/** The array and numbers of the contract's parameters. */
export interface LabShape {
  readonly rows: number;
  readonly cols: number;
  readonly dataBits: number;
  readonly accBits: number;
}

/** One pattern folder's files (lab.json, the testbench, a.hex, b.hex, c.hex, README.txt) and its manifest. */
export function labFolder(shape: LabShape, gemm: IntGemm, name: string, source: string, generator: string): { files: Record<string, string>; manifest: LabManifest } {
  const pattern: LabPattern = { ...shape, gemm };
  const data = labPatternFiles(pattern);
  const manifest: LabManifest = {
    contract: LAB_CONTRACT, name, source, generator, ...shape, m: gemm.m, k: gemm.k, n: gemm.n,
    testbench: LAB_TESTBENCH, files: [LAB_TESTBENCH, ...Object.keys(data)],
  };
  const readme = [
    `Systolab lab pattern "${name}": C = A·B with A ${gemm.m}x${gemm.k} and B ${gemm.k}x${gemm.n} (${source}),`,
    `for a ${shape.rows}x${shape.cols} output-stationary array: DATA_W=${shape.dataBits}, ACC_W=${shape.accBits}. The port contract is in`,
    'Systolab\'s docs/rtl-lab.md.',
    '',
    '  a.hex  A, one element per line, row-major, DATA_W-bit two\'s complement in hex',
    '  b.hex  B, likewise',
    '  c.hex  the golden C = A·B, ACC_W-bit two\'s complement (the exact sum, wrapped at ACC_W bits)',
    `  ${LAB_TESTBENCH}  the testbench (tiles C by ROWSxCOLS, rst between tiles)`,
    '',
    'Check your design with Systolab (the first wrong output, a table, a waveform with --vcd):',
    `  systolab rtl check --dut your_array.v --patterns THIS_FOLDER`,
    'or by hand with Icarus Verilog, in this folder:',
    `  iverilog -g2005 -o lab.vvp ${LAB_TESTBENCH} your_array.v && vvp lab.vvp`,
    '',
  ].join('\n');
  return { files: { ...data, [LAB_TESTBENCH]: labTestbench(pattern), 'lab.json': `${JSON.stringify(manifest, null, 2)}\n`, 'README.txt': readme }, manifest };
}

/** The course set `rtl lab --course` writes: LeNet's 120→84 dense layer and its 5×5 6→16 conv (im2col), and two random GEMMs with ragged edge tiles. */
export function courseFolders(shape: LabShape, seed: number, generator: string): Record<string, string> {
  const sets: [string, IntGemm, string][] = [];
  for (const [name, layer, what] of [['lenet-f6', 'f6', 'the 120→84 dense layer'], ['lenet-c3', 'c3', 'the 5×5 conv, 6 → 16 channels, as im2col']] as const) {
    const tile = layerIntGemm('lenet-digits', layer, 'forward', shape.dataBits, seed);
    sets.push([name, tile.gemm, `lenet-digits ${tile.id}: ${what}, operands quantized to int${shape.dataBits}`]);
  }
  const [r, c] = [shape.rows, shape.cols];
  sets.push([`random-${r}x${r}x${c}`, randomIntGemm(r, r, c, shape.dataBits, seed), `random, seed ${seed}: one full tile`]);
  const [m, k, n] = [2 * r + 1, 3 * r + 2, 2 * c - 1];
  sets.push([`random-${m}x${k}x${n}`, randomIntGemm(m, k, n, shape.dataBits, seed + 1), `random, seed ${seed + 1}: ragged edge tiles`]);
  const files: Record<string, string> = {};
  for (const [name, gemm, source] of sets) {
    for (const [f, text] of Object.entries(labFolder(shape, gemm, name, source, generator).files)) files[`${name}/${f}`] = text;
  }
  return files;
}

/** A pattern folder as rtl check reads it back. */
export interface LabPatternFolder {
  readonly dir: string;
  readonly manifest: LabManifest;
  readonly read: (file: string) => string;
}

/** Checks a lab.json's fields (the folder may come from anywhere): the field at fault named. */
export function labManifestOf(doc: unknown, file: string): LabManifest {
  const d = doc as Partial<Record<keyof LabManifest, unknown>> | null;
  if (d === null || typeof d !== 'object' || d.contract !== LAB_CONTRACT) {
    throw new SimError(`is not a Systolab lab pattern folder's lab.json (contract ${LAB_CONTRACT})`, { code: 'badValue', file, path: 'contract', value: d?.contract, hint: 'Write one with `systolab rtl lab --out DIR`.' });
  }
  for (const k of ['rows', 'cols', 'dataBits', 'accBits', 'm', 'k', 'n'] as const) {
    const v = d[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 4096) throw new SimError('must be an integer from 1 to 4096', { code: 'badValue', file, path: k, value: v });
  }
  const plain = (f: unknown): boolean => typeof f === 'string' && /^[\w][\w.-]*$/.test(f);
  if (!Array.isArray(d.files) || !d.files.every(plain)) {
    throw new SimError('must list the folder\'s files by plain name', { code: 'badValue', file, path: 'files', value: d.files });
  }
  if (!plain(d.testbench) || !d.files.includes(d.testbench)) {
    throw new SimError('must be one of the listed files, by plain name', { code: 'badValue', file, path: 'testbench', value: d.testbench });
  }
  return d as unknown as LabManifest;
}

export interface LabWrong extends LabOutput {
  /** The tile (row block, column block) of C the output belongs to. */
  readonly tile: readonly [number, number];
}

export interface LabPatternVerdict {
  readonly name: string;
  readonly source: string;
  readonly dir: string;
  readonly shape: LabShape;
  readonly gemm: { readonly m: number; readonly k: number; readonly n: number };
  readonly tiles: number;
  readonly pass: boolean;
  readonly outputs: number;
  readonly wrong: number;
  readonly missing: number;
  /** Why the run stopped early, when it did: a protocol breach, a timeout, a simulation that never ended. */
  readonly protocolError: string | null;
  readonly firstWrong: LabWrong | null;
  /** Tile (0, 0)'s first and last output rows, in tile cycles (0: the edge sampling its first input). */
  readonly firstTile: { readonly firstRowCycle: number; readonly lastRowCycle: number; readonly afterLastInputCycles: number } | null;
  /** Every output of C as the DUT gave it. */
  readonly table: readonly LabOutput[];
}

export interface LabCheckResult {
  readonly dut: readonly string[];
  readonly top: string;
  readonly simulator: string;
  readonly pass: boolean;
  readonly patterns: readonly LabPatternVerdict[];
}

/** Wall-clock limit of one pattern's simulation: a zero-delay loop in the DUT stops time, not the testbench's timeout. */
export const LAB_RUN_TIMEOUT_MS = 120_000;

/**
 * Runs the student's Verilog (`dut`: file name → text) on each pattern folder. `top` is the DUT's module name when it
 * is not systolic_array; `vcd` asks for the waveform of each run (returned per pattern as bytes).
 */
export function rtlCheck(dut: Readonly<Record<string, string>>, folders: readonly LabPatternFolder[], opts: { top?: string; vcd?: boolean; timeoutMs?: number } = {}): { result: LabCheckResult; waves: Record<string, Buffer> } {
  const top = opts.top ?? LAB_DUT_MODULE;
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(top)) throw new SimError('must be a Verilog module name', { code: 'badValue', path: '--top', value: top });
  for (const name of Object.keys(dut)) {
    if (name === LAB_TESTBENCH || !/\.s?v$/.test(name)) {
      throw new SimError(`must be Verilog (.v) or SystemVerilog (.sv) files, not named ${LAB_TESTBENCH}`, { code: 'badValue', path: '--dut', value: name });
    }
  }
  const waves: Record<string, Buffer> = {};
  const patterns = folders.map((f): LabPatternVerdict => {
    const m = f.manifest;
    const inputs = Object.fromEntries(m.files.filter((x) => x !== m.testbench).map((x) => [x, f.read(x)]));
    const run = runIcarus({
      files: { ...dut, [m.testbench]: f.read(m.testbench) }, top: LAB_TB_MODULE, inputs, output: 'results.txt',
      defines: top === LAB_DUT_MODULE ? {} : { DUT: top }, plusargs: opts.vcd ? ['+vcd'] : [], keep: opts.vcd ? ['wave.vcd'] : [],
      timeoutMs: opts.timeoutMs ?? LAB_RUN_TIMEOUT_MS,
    });
    if (run.kept['wave.vcd'] !== undefined) waves[m.name] = run.kept['wave.vcd'];
    const r = parseLabResults(run.log, m.accBits, m.m * m.n);
    const protocolError = run.timedOut
      ? `the simulation did not finish in ${(opts.timeoutMs ?? LAB_RUN_TIMEOUT_MS) / 1000} s (a combinational loop, or a clock the design stops?)`
      : r.protocolError ?? (r.finished ? null : 'the testbench stopped before the end (see the simulator\'s output)');
    const wrongOnes = r.outputs.filter((o) => !o.ok);
    const first = wrongOnes[0];
    const tile0 = r.outputs.filter((o) => o.row < m.rows && o.col < m.cols);
    const rowCycles = [...new Set(tile0.map((o) => o.cycle))];
    return {
      name: m.name, source: m.source, dir: f.dir, shape: { rows: m.rows, cols: m.cols, dataBits: m.dataBits, accBits: m.accBits },
      gemm: { m: m.m, k: m.k, n: m.n }, tiles: Math.ceil(m.m / m.rows) * Math.ceil(m.n / m.cols),
      pass: protocolError === null && wrongOnes.length === 0 && r.missing === 0,
      outputs: r.outputs.length, wrong: wrongOnes.length, missing: r.missing, protocolError,
      firstWrong: first === undefined ? null : { ...first, tile: [Math.floor(first.row / m.rows), Math.floor(first.col / m.cols)] },
      firstTile: rowCycles.length === 0 ? null : { firstRowCycle: Math.min(...rowCycles), lastRowCycle: Math.max(...rowCycles), afterLastInputCycles: Math.min(...rowCycles) - (m.k - 1) },
      table: r.outputs,
    };
  });
  return { result: { dut: Object.keys(dut), top, simulator: icarusVersion() ?? 'Icarus Verilog', pass: patterns.every((p) => p.pass), patterns }, waves };
}
