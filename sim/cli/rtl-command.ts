/**
 * `systolab rtl gen|sim|synth|lab|check`: flags → api/rtl → the Verilog folder (gen), the co-simulation verdict (sim:
 * exit 0 when the RTL equals the PE array, 1 naming the first mismatch), or Yosys' numbers (synth); api/rtl-lab →
 * pattern folders for a student's own array (lab), and that array's verdict on them (check: exit 0 on pass, 1 naming
 * the first wrong output).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { type RtlManifest, type RtlSimResult, layerIntGemm, randomIntGemm, rtlConfigFor, rtlFromFolder, rtlGen, rtlSim } from '../api/rtl.js';
import { DEFAULT_HW } from '../api/simulate.js';
import { SimError } from '../base/errors.js';
import { readDocument, readTextFile, writeFilesTogether } from '../base/files.js';
import { packageVersion } from '../base/package-root.js';
import { fitAreaPerTransistor } from '../eda/pe-area.js';
import { synthesize } from '../eda/yosys.js';
import { loadHwConfig, resolveMachine } from '../load/hw.js';
import type { IntGemm } from '../rtl/stimulus.js';
import { type RtlConfig, generateRtl } from '../rtl/verilog.js';
import { hwFlagOptions } from './hw-flags.js';
import { checkCommand, gemmDims, labCommand } from './rtl-lab-command.js';

export interface RtlArgs {
  action: 'gen' | 'sim' | 'synth' | 'lab' | 'check';
  scope: 'pe' | 'array';
  hw: string;
  array?: string;
  dataflow?: string;
  precision?: string;
  macPipelineCycles?: number;
  accumulatorBits?: number;
  overflow?: 'saturate' | 'wrap';
  out?: string;
  rtl?: string;
  gemm: string;
  seed: number;
  model?: string;
  layer?: string;
  pass: 'forward' | 'backwardData' | 'backwardWeight';
  format: 'table' | 'json';
  simulator: 'icarus' | 'verilator';
  course: boolean;
  fitArea: boolean;
  dut?: string[];
  patterns?: string;
  top?: string;
  vcd?: string;
}

/** Where Verilator builds are kept between runs: $SYSTOLAB_CACHE_DIR, else $XDG_CACHE_HOME/systolab, else ~/.cache/systolab. */
function verilatorCache(): string {
  const base = process.env.SYSTOLAB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'systolab');
  return join(base, 'verilator');
}

/** [command, what it does]; test/rtl/cli.test.ts runs every one. */
export const RTL_EXAMPLES: readonly (readonly [string, string])[] = [
  ['rtl gen --array 4x4 --dataflow os --out reports/rtl-4x4-os', 'Verilog of a 4×4 output-stationary int8 array (PE, skew, testbench, manifest.json) in reports/rtl-4x4-os'],
  ['rtl sim --array 4x4 --dataflow ws --gemm 8x12x6 --seed 3', 'generate, run a random 8×12×6 GEMM under Icarus Verilog, and compare every output with the PE array, cycle for cycle'],
  ['rtl sim --array 8x8 --precision int4 --accumulator-bits 12 --overflow wrap --mac-pipeline-cycles 2 --gemm 20x30x10', 'a narrow wrapping accumulator and a 2-stage MAC'],
  ['rtl sim --rtl reports/rtl-4x4-os --gemm 5x7x9 --format json', 'the Verilog in a folder rtl gen wrote (edit it and see what breaks), the verdict as JSON'],
  ['rtl sim --model lenet-digits --layer f6 --pass backwardWeight --array 4x4', 'the real operands of a training step\'s GEMM (LeNet\'s 120→84 layer, its weight gradient), quantized to int8'],
  ['rtl synth --precision int8 --accumulator-bits 32', 'Yosys synthesis of one int8 × int8 → int32 PE: cells by type, flip-flops, transistors, logic depth'],
  ['rtl synth --array 4x4 --scope array --format json', 'the whole 4×4 array (PEs and skew registers), as JSON'],
  ['rtl synth --fit-area', 'the fit behind area.pe: yosys: adders and multipliers synthesized, against Horowitz\'s 45 nm areas'],
  ['rtl lab --course --array 4x4 --out reports/lab', 'the course patterns for your own 4×4 array (docs/rtl-lab.md): LeNet\'s 120→84 dense layer, its 5×5 conv as im2col, two random GEMMs'],
  ['rtl lab --gemm 6x10x7 --array 4x4 --seed 2 --out reports/lab-6x10x7', 'one random 6×10×7 GEMM (tiled by the testbench) as patterns'],
  ['rtl check --dut sim/rtl/lab-example/systolic_array.v --patterns reports/lab', 'check a design on every pattern folder (here the shipped hand-written example, which passes)'],
  ['rtl check --dut sim/rtl/lab-example/systolic_array.v --patterns reports/lab-6x10x7 --vcd reports/lab-6x10x7.vcd --format json', 'one folder, a waveform kept, the verdict with every output as JSON'],
];

const SIM_FLAGS = ['array', 'dataflow', 'precision'];

export function rtlBuilder(y: Argv): Argv<RtlArgs> {
  const hwOptions = Object.fromEntries(Object.entries(hwFlagOptions((d) => `${d} (overrides the config)`)).filter(([k]) => SIM_FLAGS.includes(k)));
  return y
    .positional('action', { choices: ['gen', 'sim', 'synth', 'lab', 'check'] as const, demandOption: true, describe: 'gen: write the Verilog; sim: co-simulate it against the PE array; synth: synthesize it with Yosys; lab: patterns and a testbench for your own array; check: run your array on them' })
    .option('hw', { type: 'string', default: DEFAULT_HW, describe: 'hardware preset or file: the array and its numerics' })
    .options(hwOptions)
    .option('mac-pipeline-cycles', { type: 'number', describe: 'MAC pipeline depth d ≥ 1: d − 1 product registers per PE (overrides the config)' })
    .option('accumulator-bits', { type: 'number', describe: 'accumulator width 2–48 [default: the config\'s]' })
    .option('overflow', { choices: ['saturate', 'wrap'] as const, describe: 'accumulator overflow at every step [default: the config\'s, else saturate]' })
    .option('out', { type: 'string', describe: 'gen: the folder to write [default: reports/rtl-ROWSxCOLS-DATAFLOW]' })
    .option('rtl', { type: 'string', describe: 'sim: a folder rtl gen wrote, instead of generating (its manifest.json gives the configuration)' })
    .option('gemm', { type: 'string', default: '8x8x8', describe: 'sim, lab: the GEMM MxKxN (A is M×K, B is K×N), random operands over the full operand range' })
    .option('seed', { type: 'number', default: 1, describe: 'sim, lab: seed of the random operands (or of the model\'s inputs)' })
    .option('model', { type: 'string', describe: 'sim, lab: instead of --gemm, a model whose layer\'s GEMM to run (built-in name or file)' })
    .option('layer', { type: 'string', describe: 'sim: with --model, the layer (e.g. c3, f6)' })
    .option('pass', { choices: ['forward', 'backwardData', 'backwardWeight'] as const, default: 'forward' as const, describe: 'sim: with --model, which pass\'s GEMM' })
    .option('simulator', { choices: ['icarus', 'verilator'] as const, default: 'icarus' as const, describe: 'sim: Icarus Verilog (fine to 8×8), or Verilator for 16×16 and up (builds cached by their Verilog in ~/.cache/systolab or $SYSTOLAB_CACHE_DIR)' })
    .option('fit-area', { type: 'boolean', default: false, describe: 'synth: instead, fit the µm² per transistor of area.pe: yosys to the energy table\'s adder and multiplier areas' })
    .option('scope', { choices: ['pe', 'array'] as const, default: 'pe' as const, describe: 'synth: one PE, or the whole array (minutes beyond about 8×8)' })
    .option('course', { type: 'boolean', default: false, describe: 'lab: the course set (LeNet dense and conv layers, random GEMMs), one folder each under --out' })
    .option('dut', { type: 'string', array: true, describe: 'check: your Verilog (.v) or SystemVerilog (.sv) file(s), with module systolic_array (docs/rtl-lab.md)' })
    .option('patterns', { type: 'string', describe: 'check: a folder rtl lab wrote (one pattern, or --course\'s folder of them)' })
    .option('top', { type: 'string', describe: 'check: your module\'s name, if it is not systolic_array' })
    .option('vcd', { type: 'string', describe: 'check: keep the waveform (VCD) in this file (one pattern: the file; several: FILE-NAME.vcd each)' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const, describe: 'sim, synth, check: text or JSON' })
    .example(RTL_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<RtlArgs>;
}

const describeConfig = (c: RtlConfig): string =>
  `${c.rows}x${c.cols} ${c.dataflow}, int${c.operandBits} operands, ${c.accumulatorBits}-bit ${c.overflow === 'saturate' ? 'saturating' : 'wrapping'} accumulator, MAC pipeline ${c.macPipelineCycles}`;

function simText(r: RtlSimResult & { operands: string }): string {
  const head = `rtl sim: ${describeConfig(r.config)}; GEMM ${r.gemm.m}x${r.gemm.k}x${r.gemm.n}, ${r.operands} operands, under ${r.simulator}\n`;
  if (r.agree) {
    return `${head}agree: all ${r.outputEvents} output events bit-exact and in the PE array's cycles; ${r.rtlCycles} cycles (PE array ${r.arrayCycles}, fast model ${r.fastModelCycles})\n`;
  }
  const f = r.firstMismatch!;
  return `${head}MISMATCH: ${f.message}\n`;
}

async function synthText(args: RtlArgs, config: RtlConfig): Promise<string> {
  const { 'systolab_tb.v': _testbench, ...design } = generateRtl(config).files;
  const top = args.scope === 'pe' ? 'systolab_pe' : 'systolab_array';
  const r = { config, scope: args.scope, ...(await synthesize(design, top)) };
  if (args.format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  const width = Math.max(...Object.keys(r.cellsByType).map((t) => t.length));
  return [
    `rtl synth: ${args.scope === 'pe' ? 'one PE' : 'the whole array'} of ${describeConfig(config)}, ${r.tool} (synth; check -assert passed: no multiple drivers, no loops)`,
    `  cells          ${r.cells}`,
    ...Object.entries(r.cellsByType).map(([t, n]) => `    ${t.padEnd(width)}  ${n}`),
    `  flip-flops     ${r.flipFlops}`,
    `  latches        ${r.latches}`,
    `  transistors    ${r.transistors}${r.transistorsExcludeCells ? '+' : ''} (Yosys' stat -tech cmos estimate of the logic gates${r.transistorsExcludeCells ? `; the ${r.flipFlops} flip-flops have no CMOS model there and are not in it` : ''})`,
    `  logic depth    ${r.logicDepth} gates (longest path, ltp -noff)`,
    '',
  ].join('\n');
}

async function fitText(args: RtlArgs): Promise<string> {
  const hw = loadHwConfig(args.hw);
  const table = resolveMachine(hw).energyTable;
  const fit = await fitAreaPerTransistor(table.areaTable ?? table);
  if (args.format === 'json') return `${JSON.stringify(fit, null, 2)}\n`;
  const rows = fit.points.map((p) => [p.entry, p.circuit, String(p.transistors), p.tableUm2.toPrecision(4), p.fittedUm2.toPrecision(4), `${(100 * p.relativeError).toFixed(1)} %`]);
  const head = ['entry', 'circuit', 'transistors', 'table µm²', 'fitted µm²', 'error'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')}`;
  const stored = (table.areaTable ?? table).entries['areaUm2.perTransistor'];
  return [
    `rtl synth --fit-area: energy table ${fit.table}, ${fit.tool}; transistors from stat -tech cmos`,
    line(head), ...rows.map(line),
    `fitted: ${fit.um2PerTransistor.toPrecision(4)} µm² per transistor (geometric mean of table / transistors); a point is typically off by a factor ${fit.rmsFactor.toFixed(2)}`,
    stored === undefined ? `the table has no areaUm2.perTransistor: add { value: ${fit.um2PerTransistor.toPrecision(3)}, source: "…" } to use area.pe: yosys` : `the table's areaUm2.perTransistor: ${stored.value}`,
    '',
  ].join('\n');
}

export async function rtlCommand(args: RtlArgs, argv: readonly string[]): Promise<{ text: string; exitCode: number }> {
  if (args.action === 'lab') return { text: labCommand(args, argv), exitCode: 0 };
  if (args.action === 'check') return checkCommand(args);
  const request = { hw: args.hw, array: args.array, dataflow: args.dataflow, precision: args.precision, macPipelineCycles: args.macPipelineCycles, accumulatorBits: args.accumulatorBits, overflow: args.overflow };
  if (args.action === 'gen') {
    const config = rtlConfigFor(request);
    const { files, manifest } = rtlGen(config, `systolab ${packageVersion()}: systolab ${argv.join(' ')}`);
    const out = args.out ?? join('reports', `rtl-${config.rows}x${config.cols}-${config.dataflow}`);
    writeFilesTogether(out, files);
    return { text: `rtl gen: ${describeConfig(config)}\n${manifest.files.map((f) => `  ${join(out, f)}`).join('\n')}\n  ${join(out, 'manifest.json')}\nlint: ${manifest.checkedWith.lint}\n`, exitCode: 0 };
  }
  if (args.action === 'synth' && args.fitArea) return { text: await fitText(args), exitCode: 0 };
  if (args.action === 'synth') return { text: await synthText(args, rtlConfigFor(request)), exitCode: 0 };
  if ((args.model === undefined) !== (args.layer === undefined)) {
    throw new SimError('--model and --layer go together', { code: 'badValue', path: args.model === undefined ? '--layer' : '--model', value: args.model ?? args.layer, hint: 'Example: --model lenet-digits --layer f6 --pass forward' });
  }
  const { config, rtl } = args.rtl === undefined
    ? { config: rtlConfigFor(request), rtl: undefined }
    : rtlFromFolder(readDocument(join(args.rtl, 'manifest.json')) as RtlManifest, (f) => readTextFile(join(args.rtl!, f)));
  let gemm: IntGemm, what: string;
  if (args.model !== undefined) {
    const tile = layerIntGemm(args.model, args.layer!, args.pass, config.operandBits, args.seed);
    [gemm, what] = [tile.gemm, `${args.model} ${tile.id}`];
  } else {
    const [m, k, n] = gemmDims(args.gemm);
    [gemm, what] = [randomIntGemm(m, k, n, config.operandBits, args.seed), `random (seed ${args.seed})`];
  }
  const simulator = args.simulator === 'verilator' ? { kind: 'verilator' as const, cacheDir: verilatorCache() } : { kind: 'icarus' as const };
  const result = { ...rtlSim(config, gemm, rtl, simulator), operands: what };
  const text = args.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : simText(result);
  return { text, exitCode: result.agree ? 0 : 1 };
}
