/**
 * The synthesized PE area (`area.pe: yosys`) and the constant that turns transistors into µm².
 *
 * - `withSynthesizedPe(hw)`: for a config that asks for it, synthesizes the PE that `rtl gen` writes for it and fills
 *   `area.synthesized` (the logic's transistors from `stat -tech cmos`, the flip-flops, the tool). Pricing then
 *   charges transistors × areaUm2.perTransistor + flip-flops × areaUm2.registerPerBit (energy/price.ts): Yosys'
 *   estimate has no model for flip-flops, and the fit below is to combinational circuits. Always with @yowasp/yosys (pinned in package.json, and what the constant
 *   was fitted with), never a Debian yosys that may be another version: same config, same area, on every machine.
 *   Memoized per PE Verilog within a process.
 * - `fitAreaPerTransistor(table)`: the fit behind areaUm2.perTransistor. It synthesizes a plain N-bit adder and a
 *   signed N×N → 2N-bit multiplier for every `areaUm2.add.intN` / `areaUm2.mult.intN` entry of the table that is a
 *   measured figure (no `estimated`), and takes the geometric mean of area / transistors. A log-space fit weighs every
 *   point's relative error alike; a least-squares fit in µm² would be the 32-bit multiplier's alone.
 */
import { gemmDataflowOf } from '../map/dataflow.js';
import { PRECISION_BITS, isFloatPrecision, type HwConfig } from '../arch/types.js';
import { SimError } from '../base/errors.js';
import type { EnergyTable } from '../energy/table.js';
import { type RtlConfig, generateRtl } from '../rtl/verilog.js';
import { type YosysTool, synthesize, synthesizeSync } from './yosys.js';

/** The RtlConfig of a hardware config's PE (integer operands only: the generator builds integer MACs). */
export function peRtlConfig(hw: HwConfig): RtlConfig {
  const { input, weight, accumulatorBits, overflow } = hw.numerics;
  for (const p of [input, weight]) {
    if (isFloatPrecision(p) || PRECISION_BITS[p] < 2 || PRECISION_BITS[p] > 16) {
      throw new SimError('area.pe: yosys synthesizes the generated integer PE: operands of int2 to int16', { code: 'unsupported', file: hw.source, path: 'area.pe', value: p, hint: 'Use area.pe: table for floating-point or wider operands.' });
    }
  }
  return {
    rows: 1, cols: 1, dataflow: gemmDataflowOf(hw.array.dataflow, 'area.pe: yosys (the generated systolic PE)', 'array.dataflow'), operandBits: Math.max(PRECISION_BITS[input], PRECISION_BITS[weight]),
    accumulatorBits, overflow: overflow ?? 'saturate', macPipelineCycles: hw.array.macPipelineCycles,
  };
}

const memo = new Map<string, { transistors: number; flipFlops: number; tool: string }>();

/** `hw` with area.synthesized filled in when area.pe is yosys and it is not given; otherwise `hw` itself. */
export function withSynthesizedPe(hw: HwConfig): HwConfig {
  if (hw.area?.pe !== 'yosys' || hw.area.synthesized !== undefined) return hw;
  const { 'systolab_tb.v': _testbench, ...design } = generateRtl(peRtlConfig(hw)).files;
  const key = JSON.stringify(design);
  let s = memo.get(key);
  if (s === undefined) {
    // Always the pinned npm Yosys, which the constant was fitted with: the area must not depend on what is installed.
    const r = synthesizeSync(design, 'systolab_pe', 'wasm');
    s = { transistors: r.transistors, flipFlops: r.flipFlops, tool: r.tool };
    memo.set(key, s);
  }
  return { ...hw, area: { pe: 'yosys', synthesized: s } };
}

/** One point of the fit: a reference circuit, its synthesized transistors, and the table's area for it. */
export interface AreaFitPoint {
  readonly entry: string;
  readonly circuit: string;
  readonly transistors: number;
  readonly tableUm2: number;
  readonly source: string;
  /** transistors × the fitted constant. */
  readonly fittedUm2: number;
  /** (fitted − table) / table. */
  readonly relativeError: number;
}

export interface AreaFit {
  readonly table: string;
  readonly tool: string;
  /** µm² per transistor: the geometric mean of tableUm2 / transistors over the points. */
  readonly um2PerTransistor: number;
  readonly points: readonly AreaFitPoint[];
  /** exp of the root mean square of log(fitted / table): the typical factor a point is off by. */
  readonly rmsFactor: number;
}

const circuit = (kind: 'add' | 'mult', bits: number): { name: string; text: string } => {
  const name = `${kind}_int${bits}`;
  const text = kind === 'add'
    ? `module ${name} (input [${bits - 1}:0] a, input [${bits - 1}:0] b, output [${bits - 1}:0] y);\n  assign y = a + b;\nendmodule\n`
    : `module ${name} (input signed [${bits - 1}:0] a, input signed [${bits - 1}:0] b, output signed [${2 * bits - 1}:0] y);\n  assign y = a * b;\nendmodule\n`;
  return { name, text };
};

/** Fits areaUm2.perTransistor to the table's measured integer adder and multiplier areas. */
export async function fitAreaPerTransistor(table: EnergyTable, tool: YosysTool = 'wasm'): Promise<AreaFit> {
  const order = (k: string): [string, number] => [k.split('.')[1], Number(/int(\d+)$/.exec(k)![1])];
  const keys = Object.keys(table.entries).filter((k) => /^areaUm2\.(add|mult)\.int\d+$/.test(k) && table.entries[k].estimated === undefined)
    .sort((a, b) => order(a)[0].localeCompare(order(b)[0]) || order(a)[1] - order(b)[1]);
  if (keys.length === 0) throw new SimError('has no measured integer adder or multiplier areas to fit to', { code: 'missingEntry', file: table.file, path: 'entries.areaUm2.add.int8' });
  const raw: Omit<AreaFitPoint, 'fittedUm2' | 'relativeError'>[] = [];
  let toolName = '';
  for (const k of keys) {
    const [, kind, bits] = /^areaUm2\.(add|mult)\.int(\d+)$/.exec(k)!;
    const c = circuit(kind as 'add' | 'mult', Number(bits));
    const s = await synthesize({ [`${c.name}.v`]: c.text }, c.name, tool);
    toolName = s.tool;
    raw.push({ entry: k, circuit: kind === 'add' ? `${bits}-bit adder` : `${bits}×${bits} → ${2 * Number(bits)}-bit signed multiplier`, transistors: s.transistors, tableUm2: table.entries[k].value, source: table.entries[k].source });
  }
  const logs = raw.map((p) => Math.log(p.tableUm2 / p.transistors));
  const k = Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
  const points = raw.map((p) => ({ ...p, fittedUm2: p.transistors * k, relativeError: (p.transistors * k - p.tableUm2) / p.tableUm2 }));
  const rms = Math.sqrt(points.reduce((a, p) => a + Math.log(p.fittedUm2 / p.tableUm2) ** 2, 0) / points.length);
  return { table: table.name, tool: toolName, um2PerTransistor: k, points, rmsFactor: Math.exp(rms) };
}
