/**
 * `systolab rtl gen|sim|synth`: flags → api/rtl → the Verilog folder (gen), the co-simulation verdict (sim: exit 0
 * when the RTL equals the PE array, 1 naming the first mismatch), or Yosys' numbers (synth).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { type RtlManifest, type RtlSimResult, layerIntGemm, randomIntGemm, rtlConfigFor, rtlFromFolder, rtlGen, rtlSim } from '../api/rtl.js';
import { DEFAULT_HW } from '../api/simulate.js';
import { SimError } from '../base/errors.js';
import { readDocument, readTextFile, writeFilesTogether } from '../base/files.js';
import { packageVersion } from '../base/package-root.js';
import { synthesize } from '../eda/yosys.js';
import type { IntGemm } from '../rtl/stimulus.js';
import { type RtlConfig, generateRtl } from '../rtl/verilog.js';
import { hwFlagOptions } from './hw-flags.js';

export interface RtlArgs {
  action: 'gen' | 'sim' | 'synth';
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
];

const SIM_FLAGS = ['array', 'dataflow', 'precision'];

export function rtlBuilder(y: Argv): Argv<RtlArgs> {
  const hwOptions = Object.fromEntries(Object.entries(hwFlagOptions((d) => `${d} (overrides the config)`)).filter(([k]) => SIM_FLAGS.includes(k)));
  return y
    .positional('action', { choices: ['gen', 'sim', 'synth'] as const, demandOption: true, describe: 'gen: write the Verilog; sim: co-simulate it against the PE array; synth: synthesize it with Yosys' })
    .option('hw', { type: 'string', default: DEFAULT_HW, describe: 'hardware preset or file: the array and its numerics' })
    .options(hwOptions)
    .option('mac-pipeline-cycles', { type: 'number', describe: 'MAC pipeline depth d ≥ 1: d − 1 product registers per PE (overrides the config)' })
    .option('accumulator-bits', { type: 'number', describe: 'accumulator width 2–48 [default: the config\'s]' })
    .option('overflow', { choices: ['saturate', 'wrap'] as const, describe: 'accumulator overflow at every step [default: the config\'s, else saturate]' })
    .option('out', { type: 'string', describe: 'gen: the folder to write [default: reports/rtl-ROWSxCOLS-DATAFLOW]' })
    .option('rtl', { type: 'string', describe: 'sim: a folder rtl gen wrote, instead of generating (its manifest.json gives the configuration)' })
    .option('gemm', { type: 'string', default: '8x8x8', describe: 'sim: the GEMM MxKxN (A is M×K, B is K×N), random operands over the full operand range' })
    .option('seed', { type: 'number', default: 1, describe: 'sim: seed of the random operands (or of the model\'s inputs)' })
    .option('model', { type: 'string', describe: 'sim: instead of --gemm, a model whose layer\'s GEMM to run (built-in name or file)' })
    .option('layer', { type: 'string', describe: 'sim: with --model, the layer (e.g. c3, f6)' })
    .option('pass', { choices: ['forward', 'backwardData', 'backwardWeight'] as const, default: 'forward' as const, describe: 'sim: with --model, which pass\'s GEMM' })
    .option('simulator', { choices: ['icarus', 'verilator'] as const, default: 'icarus' as const, describe: 'sim: Icarus Verilog (fine to 8×8), or Verilator for 16×16 and up (builds cached by their Verilog in ~/.cache/systolab or $SYSTOLAB_CACHE_DIR)' })
    .option('scope', { choices: ['pe', 'array'] as const, default: 'pe' as const, describe: 'synth: one PE, or the whole array (minutes beyond about 8×8)' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const, describe: 'sim, synth: text or JSON' })
    .example(RTL_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<RtlArgs>;
}

function gemmDims(spec: string): [number, number, number] {
  const m = /^\s*(\d+)x(\d+)x(\d+)\s*$/i.exec(spec);
  const dims = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (dims.length !== 3 || dims.some((d) => d < 1 || d > 4096)) {
    throw new SimError('must be MxKxN with integers from 1 to 4096', { code: 'badValue', path: '--gemm', value: spec, hint: 'Example: --gemm 8x12x6' });
  }
  return dims as [number, number, number];
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

function synthText(args: RtlArgs, config: RtlConfig): string {
  const { 'systolab_tb.v': _testbench, ...design } = generateRtl(config).files;
  const top = args.scope === 'pe' ? 'systolab_pe' : 'systolab_array';
  const r = { config, scope: args.scope, ...synthesize(design, top) };
  if (args.format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  const width = Math.max(...Object.keys(r.cellsByType).map((t) => t.length));
  return [
    `rtl synth: ${args.scope === 'pe' ? 'one PE' : 'the whole array'} of ${describeConfig(config)}, ${r.tool} (synth; check -assert passed: no multiple drivers, no loops)`,
    `  cells          ${r.cells}`,
    ...Object.entries(r.cellsByType).map(([t, n]) => `    ${t.padEnd(width)}  ${n}`),
    `  flip-flops     ${r.flipFlops}`,
    `  latches        ${r.latches}`,
    `  transistors    ${r.transistors} (Yosys' stat -tech cmos estimate)`,
    `  logic depth    ${r.logicDepth} gates (longest path, ltp -noff)`,
    '',
  ].join('\n');
}

export function rtlCommand(args: RtlArgs, argv: readonly string[]): { text: string; exitCode: number } {
  const request = { hw: args.hw, array: args.array, dataflow: args.dataflow, precision: args.precision, macPipelineCycles: args.macPipelineCycles, accumulatorBits: args.accumulatorBits, overflow: args.overflow };
  if (args.action === 'gen') {
    const config = rtlConfigFor(request);
    const { files, manifest } = rtlGen(config, `systolab ${packageVersion()}: systolab ${argv.join(' ')}`);
    const out = args.out ?? join('reports', `rtl-${config.rows}x${config.cols}-${config.dataflow}`);
    writeFilesTogether(out, files);
    return { text: `rtl gen: ${describeConfig(config)}\n${manifest.files.map((f) => `  ${join(out, f)}`).join('\n')}\n  ${join(out, 'manifest.json')}\nlint: ${manifest.checkedWith.lint}\n`, exitCode: 0 };
  }
  if (args.action === 'synth') return { text: synthText(args, rtlConfigFor(request)), exitCode: 0 };
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
