/**
 * Pricing: action counts × an energy table → energy per component and per operand; and the area of a config.
 * `unitPrices(table, hw)` resolves, once per config, what one action costs (it reads the table entries the config
 * needs, so a missing entry is an error naming it); `priceActions(counts, prices)` is then multiply-and-add.
 *
 * Rules. MAC = `mac.<precision>` if the table has it, else `mult.<precision>` + the accumulator adder (an integer width
 * the table lacks, e.g. int4, is scaled from its nearest one: multipliers ∝ bits², vector ops ∝ bits): integer
 * operands — an integer adder of accumulatorBits, linear in bits through add.int8/16/32 (∝ bits outside 8–32);
 * floating point — add.fp16 when accumulatorBits ≤ 16, else add.fp32 (× bits/32 above 32). Mixed operand formats are
 * priced at the wider one. SRAM: CACTI (sram.cactiCsv) for each buffer's capacity — half of it when double buffered,
 * the two halves each a bank — and word width, in the chosen transistor flavour; or flat sram.readPerWord /
 * writePerWord. DRAM: dram.<type>.perBit (else dram.any.perBit). Leakage per cycle: CACTI's leakage of every SRAM bank,
 * plus the logic (array and vector unit) at the leakage per mm² of a 64 KiB 64-bit CACTI SRAM of the same flavour
 * (an estimate: logic and SRAM leak alike per area); or flat leakage.pePerCycle / leakage.sramPerKibCycle.
 * Area: PE = multiplier + accumulator adder + registers (input + weight + accumulator bits, + accumulator bits of
 * partial-sum output for ws/is) × areaUm2.registerPerBit; vector lane = multiplier + adder of the operand width + two
 * operand registers; SRAM banks from CACTI (a table without CACTI gives no SRAM area: reported as 0 with a warning).
 * With `area.pe: yosys`, the PE is instead the generated PE's synthesized logic transistors × areaUm2.perTransistor
 * (a constant fitted to the table's adder and multiplier areas, docs/rtl.md) + its flip-flops × registerPerBit; the
 * vector lane stays as above.
 */
import { type HwConfig, isFloatPrecision, type Precision, PRECISION_BITS, RS_DEFAULT_SPAD } from '../arch/types.js';
import { strategyOf } from '../map/dataflow.js';
import { sramFigures } from './cacti.js';
import type { ActionCounts, PerOperand } from './actions.js';
import { SimError } from '../base/errors.js';
import { type EnergyTable, type EnergyUnit, entry, has } from './table.js';

export type Flavour = 'hp' | 'lstp';
export const FLAVOUR_VARIANT: Readonly<Record<Flavour, string>> = { hp: 'A_hp', lstp: 'B_lstp' };

export interface UnitPrices {
  readonly unit: EnergyUnit;
  readonly mac: number;
  readonly registerReadPerBit: number;
  readonly registerWritePerBit: number;
  readonly interPePerBit: number;
  readonly sramRead: PerOperand;
  readonly sramWrite: PerOperand;
  readonly dramPerBit: number;
  readonly vectorOp: number;
  readonly leakagePerCycle: number;
  /** DRAM energy per byte and MAC energy: the energy floor's prices. */
  readonly notes: readonly string[];
}

export interface EnergyByComponent {
  readonly mac: number; readonly registers: number; readonly sramIfmap: number; readonly sramFilter: number;
  readonly sramOfmap: number; readonly dram: number; readonly vectorUnit: number; readonly leakage: number;
}
export interface PricedEnergy { readonly total: number; readonly byComponent: EnergyByComponent; readonly byOperand: PerOperand }

const wider = (a: Precision, b: Precision): Precision => (PRECISION_BITS[b] > PRECISION_BITS[a] ? b : a);
const isFloat = isFloatPrecision;

/** How an entry of an integer width the table lacks scales with bits: a multiplier ∝ bits², a vector op (≈ an adder) ∝ bits. */
const WIDTH_EXPONENT = { mult: 2, vector: 1 } as const;
const TABLE_INT_WIDTHS = [8, 16, 32];

/**
 * `mult.<precision>` / `vector.<precision>` (with `prefix`, e.g. `areaUm2.`): the table's entry. An integer width other
 * than the tables' own 8, 16 and 32 bits (int4, int12 …) may be absent: then the nearest of those the table has (the
 * narrower on a tie) scaled by WIDTH_EXPONENT, with a note saying so. int8/16/32 and the floats must be in the table.
 */
function widthEntry(t: EnergyTable, prefix: string, kind: keyof typeof WIDTH_EXPONENT, p: Precision, notes?: string[]): number {
  const key = `${prefix}${kind}.${p}`;
  const bits = PRECISION_BITS[p];
  const from = TABLE_INT_WIDTHS.filter((b) => has(t, `${prefix}${kind}.int${b}`)).sort((a, b) => Math.abs(a - bits) - Math.abs(b - bits) || a - b)[0];
  if (has(t, key) || isFloat(p) || TABLE_INT_WIDTHS.includes(bits) || from === undefined) return entry(t, key).value;
  const value = entry(t, `${prefix}${kind}.int${from}`).value * (bits / from) ** WIDTH_EXPONENT[kind];
  notes?.push(`${key} is not in energy table ${t.name}: scaled from ${prefix}${kind}.int${from} ∝ bits${WIDTH_EXPONENT[kind] === 2 ? '²' : ''} to ${value.toPrecision(3)}`);
  return value;
}

/** An integer adder of `bits` from the 8/16/32-bit entries (linear in bits; ∝ bits outside), or a float adder. */
function adder(t: EnergyTable, prefix: string, float: boolean, bits: number): number {
  if (float) return bits <= 16 ? entry(t, `${prefix}add.fp16`).value : entry(t, `${prefix}add.fp32`).value * Math.max(1, bits / 32);
  const pts = [8, 16, 32].map((b) => [b, entry(t, `${prefix}add.int${b}`).value] as const);
  if (bits <= 8) return (pts[0][1] * bits) / 8;
  if (bits >= 32) return (pts[2][1] * bits) / 32;
  const [lo, hi] = bits <= 16 ? [pts[0], pts[1]] : [pts[1], pts[2]];
  return lo[1] + ((hi[1] - lo[1]) * (bits - lo[0])) / (hi[0] - lo[0]);
}

interface Bank { readonly capacityBytes: number; readonly banks: number }
function banks(hw: HwConfig): Record<keyof PerOperand, Bank> {
  const b = (kib: number): Bank => (hw.sram.doubleBuffered ? { capacityBytes: (kib * 1024) / 2, banks: 2 } : { capacityBytes: kib * 1024, banks: 1 });
  return { ifmap: b(hw.sram.ifmapKib), filter: b(hw.sram.filterKib), ofmap: b(hw.sram.ofmapKib) };
}
function widths(hw: HwConfig): PerOperand {
  return { ifmap: PRECISION_BITS[hw.numerics.input], filter: PRECISION_BITS[hw.numerics.weight], ofmap: hw.numerics.accumulatorBits };
}
const OPERANDS = ['ifmap', 'filter', 'ofmap'] as const;
/** Leakage density reference: a 64 KiB, 64-bit CACTI SRAM of the flavour. */
const REF_CAPACITY_BYTES = 64 * 1024, REF_WIDTH_BITS = 64;

export function unitPrices(table: EnergyTable, hw: HwConfig, flavour: Flavour): UnitPrices {
  const notes: string[] = [];
  const p = wider(hw.numerics.input, hw.numerics.weight);
  const mac = has(table, `mac.${p}`) ? entry(table, `mac.${p}`).value
    : widthEntry(table, '', 'mult', p, notes) + adder(table, '', isFloat(p), hw.numerics.accumulatorBits);
  const dramKey = has(table, `dram.${hw.dram.type}.perBit`) || !has(table, 'dram.any.perBit') ? `dram.${hw.dram.type}.perBit` : 'dram.any.perBit';
  const b = banks(hw), w = widths(hw);
  let sramRead: PerOperand, sramWrite: PerOperand, leakagePerCycle: number;
  const mwToPerCycle = 1e9 / hw.clockHz; // 1 mW for one cycle = 1e-3 J/s × (1/clockHz) s = 1e9/clockHz pJ
  if (table.cacti) {
    const variant = FLAVOUR_VARIANT[flavour];
    const figs = Object.fromEntries(OPERANDS.map((o) => {
      const f = sramFigures(table.cacti!.rows, variant, b[o].capacityBytes, w[o]);
      if (f.extrapolated) notes.push(`${o} SRAM (${b[o].capacityBytes} B banks, ${w[o]}-bit words) is outside the CACTI table (2 KiB–4 MiB, 8–128 bits): its energy and area are extrapolated log-log`);
      return [o, f];
    })) as Record<keyof PerOperand, ReturnType<typeof sramFigures>>;
    sramRead = { ifmap: figs.ifmap.readPj, filter: figs.filter.readPj, ofmap: figs.ofmap.readPj };
    sramWrite = { ifmap: figs.ifmap.writePj, filter: figs.filter.writePj, ofmap: figs.ofmap.writePj };
    const ref = sramFigures(table.cacti.rows, variant, REF_CAPACITY_BYTES, REF_WIDTH_BITS);
    const logicMm2 = logicArea(table.areaTable ?? table, hw).total;
    const sramMw = OPERANDS.reduce((s, o) => s + figs[o].leakMw * b[o].banks, 0);
    leakagePerCycle = (sramMw + logicMm2 * (ref.leakMw / ref.areaMm2)) * mwToPerCycle;
  } else {
    const r = entry(table, 'sram.readPerWord').value, wr = entry(table, 'sram.writePerWord').value;
    sramRead = { ifmap: r, filter: r, ofmap: r };
    sramWrite = { ifmap: wr, filter: wr, ofmap: wr };
    const kib = hw.sram.ifmapKib + hw.sram.filterKib + hw.sram.ofmapKib;
    leakagePerCycle = entry(table, 'leakage.pePerCycle').value * hw.array.rows * hw.array.cols + entry(table, 'leakage.sramPerKibCycle').value * kib;
  }
  return {
    unit: table.unit, mac,
    registerReadPerBit: entry(table, 'register.readPerBit').value, registerWritePerBit: entry(table, 'register.writePerBit').value,
    interPePerBit: entry(table, 'interPe.movePerBit').value, sramRead, sramWrite, dramPerBit: entry(table, dramKey).value,
    vectorOp: widthEntry(table, '', 'vector', hw.numerics.input, notes), leakagePerCycle, notes,
  };
}

export function priceActions(c: ActionCounts, p: UnitPrices): PricedEnergy {
  const reg = (o: keyof PerOperand) => c.registerReadBits[o] * p.registerReadPerBit + c.registerWriteBits[o] * p.registerWritePerBit + c.interPeBits[o] * p.interPePerBit;
  const sram = (o: keyof PerOperand) => c.sramReads[o] * p.sramRead[o] + c.sramWrites[o] * p.sramWrite[o];
  const dram = (o: keyof PerOperand) => (c.dramReadBits[o] + c.dramWriteBits[o]) * p.dramPerBit;
  const byOperand = {
    ifmap: reg('ifmap') + sram('ifmap') + dram('ifmap'),
    filter: reg('filter') + sram('filter') + dram('filter'),
    ofmap: reg('ofmap') + sram('ofmap') + dram('ofmap'),
  };
  const byComponent: EnergyByComponent = {
    mac: c.macs * p.mac,
    registers: reg('ifmap') + reg('filter') + reg('ofmap'),
    sramIfmap: sram('ifmap'), sramFilter: sram('filter'), sramOfmap: sram('ofmap'),
    dram: dram('ifmap') + dram('filter') + dram('ofmap'),
    vectorUnit: c.vectorAluOps * p.vectorOp + c.vectorReadBits * p.registerReadPerBit + c.vectorWriteBits * p.registerWritePerBit,
    leakage: c.cycles * p.leakagePerCycle,
  };
  const total = byComponent.mac + byComponent.registers + byComponent.sramIfmap + byComponent.sramFilter + byComponent.sramOfmap
    + byComponent.dram + byComponent.vectorUnit + byComponent.leakage;
  return { total, byComponent, byOperand };
}

// ---------------------------------------------------------------------------------------------------------------
// Area

export interface AreaMm2ByComponent {
  readonly array: number; readonly vectorUnit: number; readonly sramIfmap: number; readonly sramFilter: number; readonly sramOfmap: number;
}

function logicArea(t: EnergyTable, hw: HwConfig, notes?: string[]): { array: number; vectorUnit: number; total: number } {
  const p = wider(hw.numerics.input, hw.numerics.weight);
  const ib = PRECISION_BITS[hw.numerics.input], wb = PRECISION_BITS[hw.numerics.weight], ab = hw.numerics.accumulatorBits;
  const reg = entry(t, 'areaUm2.registerPerBit').value;
  // A PE holds its two operands and an accumulator, plus a partial-sum register where partial sums move through; a
  // row-stationary PE its three scratch pads (priced as register bits) and the register of its adder-chain stage.
  const df = hw.array.dataflow, spad = hw.array.spad ?? RS_DEFAULT_SPAD;
  const regBits = df === 'rs'
    ? spad.ifmapWords * ib + spad.filterWords * wb + spad.psumWords * ab + ab
    : ib + wb + ab + (strategyOf(df).partialSumsLeaveArray ? ab : 0);
  const pe = hw.area?.pe === 'yosys' ? synthesizedPeUm2(t, hw)
    : widthEntry(t, 'areaUm2.', 'mult', p, notes) + adder(t, 'areaUm2.', isFloat(p), ab) + regBits * reg;
  const vp = hw.numerics.input;
  const lane = (vp === p ? widthEntry(t, 'areaUm2.', 'mult', vp) : widthEntry(t, 'areaUm2.', 'mult', vp, notes)) + adder(t, 'areaUm2.', isFloat(vp), PRECISION_BITS[vp]) + 2 * PRECISION_BITS[vp] * reg;
  const array = (pe * hw.array.rows * hw.array.cols) / 1e6, vectorUnit = (lane * hw.vectorUnit.lanes) / 1e6;
  return { array, vectorUnit, total: array + vectorUnit };
}

/** The synthesized PE's area (area.pe: yosys): transistors from eda/pe-area.ts × the table's µm² per transistor. */
function synthesizedPeUm2(t: EnergyTable, hw: HwConfig): number {
  const s = hw.area?.synthesized;
  if (s === undefined) throw new SimError('area.pe: yosys reached pricing without a synthesized PE (a bug)', { code: 'internal', path: 'area.synthesized' });
  return s.transistors * entry(t, 'areaUm2.perTransistor').value + s.flipFlops * entry(t, 'areaUm2.registerPerBit').value;
}

/** Where the report's PE area comes from, in words (the Area line of the table and the HTML report). */
export function peAreaSource(hw: HwConfig, arrayMm2: number): string {
  const perPeUm2 = ((arrayMm2 * 1e6) / (hw.array.rows * hw.array.cols)).toPrecision(4);
  const s = hw.area?.synthesized;
  return hw.area?.pe === 'yosys' && s !== undefined
    ? `${perPeUm2} µm² per PE from synthesis (area.pe: yosys, ${s.tool}): ${s.transistors} logic transistors (stat -tech cmos) × the energy table's areaUm2.perTransistor, fitted to Horowitz's 45 nm adders and multipliers, + ${s.flipFlops} flip-flops × areaUm2.registerPerBit`
    : `${perPeUm2} µm² per PE from the energy table (multiplier + accumulator adder + register bits; area.pe: table)`;
}

export function areaOf(table: EnergyTable, hw: HwConfig, flavour: Flavour): { total: number; byComponent: AreaMm2ByComponent; notes: string[] } {
  const t = table.areaTable ?? table;
  const notes: string[] = [];
  const logic = logicArea(t, hw, notes);
  const b = banks(hw), w = widths(hw);
  const sram = (o: keyof PerOperand) => {
    if (!t.cacti) return 0;
    return sramFigures(t.cacti.rows, FLAVOUR_VARIANT[flavour], b[o].capacityBytes, w[o]).areaMm2 * b[o].banks;
  };
  if (!t.cacti) notes.push(`energy table ${t.name} has no CACTI SRAM data: SRAM area not included`);
  const byComponent = { array: logic.array, vectorUnit: logic.vectorUnit, sramIfmap: sram('ifmap'), sramFilter: sram('filter'), sramOfmap: sram('ofmap') };
  const total = byComponent.array + byComponent.vectorUnit + byComponent.sramIfmap + byComponent.sramFilter + byComponent.sramOfmap;
  return { total, byComponent, notes };
}
