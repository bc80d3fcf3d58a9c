/**
 * ScalesimReportRow[] → SCALE-Sim v2's own report files, byte for byte: COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and
 * DETAILED_ACCESS_REPORT.csv as scale-sim-v2 commit 22f88b1 (v2.0.2, Feb 2025) writes them (`generate_reports` in
 * scalesim/simulator.py; the values come from `calc_report_data` in scalesim/single_layer_sim.py).
 * test/report/scalesim-reports.test.ts reproduces all 54 of its report triples in test/fixtures/scalesim/.
 *
 * The layout: a header line, then one line per layer, `LayerID, v1, …, vn,` — cells joined by ", ", a trailing comma,
 * "\n" after every line including the last, LayerID 0..n−1 in row order. Each cell is Python's `str()` of the value:
 *  - counts and Total/Stall Cycles are ints: `557`;
 *  - start/stop cycles are floats (SCALE-Sim takes them from numpy trace matrices): `1.0`, `-324.0`;
 *  - percentages and bandwidths are floats in Python's repr (`pythonFloat`): `56.25`, `4.0`, `0.14542190305206462`.
 * Bandwidths are derived, in words per cycle: SRAM = words ÷ Total Cycles; DRAM = words ÷ (stop − start + 1) of that
 * operand's own DRAM window. A zero window gives `inf` (or `nan` for 0 ÷ 0), as numpy prints them.
 * Header spellings differ between files and are kept: BANDWIDTH says `FILTER`, DETAILED_ACCESS says `Filter`.
 * Later SCALE-Sim commits append six PE action-count columns to DETAILED_ACCESS; this is 22f88b1's 19-column layout.
 */
import { SimError } from '../base/errors.js';
import type { ScalesimOperandWindows, ScalesimReportRow, ScalesimWindow } from '../compat/scalesim/report-row.js';

export interface ScalesimReports { readonly compute: string; readonly bandwidth: string; readonly detailed: string }

const COMPUTE_HEADER = 'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,';
const BANDWIDTH_HEADER = 'LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, '
  + 'Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,';
const DETAILED_HEADER = 'LayerID, '
  + 'SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, '
  + 'SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, '
  + 'SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, '
  + 'DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, '
  + 'DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, '
  + 'DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,';

/** The three operands in SCALE-Sim's column order. */
const operands = (w: ScalesimOperandWindows): readonly ScalesimWindow[] => [w.ifmap, w.filter, w.ofmap];

export function scalesimReports(rows: readonly ScalesimReportRow[]): ScalesimReports {
  const table = (header: string, cells: (r: ScalesimReportRow) => readonly string[]) =>
    [header, ...rows.map((r, id) => `${[String(id), ...cells(r)].join(', ')},`)].map((line) => `${line}\n`).join('');
  return {
    compute: table(COMPUTE_HEADER, (r) => [
      pythonInt(r.totalCycles), pythonInt(r.stallCycles),
      pythonFloat(r.overallUtilPct), pythonFloat(r.mappingEfficiencyPct), pythonFloat(r.computeUtilPct),
    ]),
    bandwidth: table(BANDWIDTH_HEADER, (r) => [
      ...operands(r.sram).map((w) => pythonFloat(w.words / r.totalCycles)),
      ...operands(r.dram).map((w) => pythonFloat(w.words / (w.stopCycle - w.startCycle + 1))),
    ]),
    detailed: table(DETAILED_HEADER, (r) => [...operands(r.sram), ...operands(r.dram)]
      .flatMap((w) => [pythonFloat(w.startCycle), pythonFloat(w.stopCycle), pythonInt(w.words)])),
  };
}

/** Python's `str(int)`: no exponent ever, so only exact integers (|n| < 2^53) are accepted. */
function pythonInt(n: number): string {
  if (!Number.isSafeInteger(n)) {
    throw new SimError('a SCALE-Sim report count or cycle must be an exact integer', {
      code: 'badValue', value: n, hint: 'Counts, Total Cycles and Stall Cycles print as Python ints.',
    });
  }
  return String(n);
}

/**
 * Python's `repr(float)` (also numpy's `str(float64)`): the shortest digits that read back as x — the same digits
 * JavaScript's Number#toString picks — laid out by Python's rules: positional with at least one fractional digit
 * (`98.0`, `0.0001`) when the decimal exponent e is in −4 ≤ e < 16, otherwise `d.ddde±XX` with a signed exponent
 * of at least two digits and no `.0` on a single digit (`1e-05`, `1.5e+16`); `-0.0`, `inf`, `-inf`, `nan`.
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (!Number.isFinite(x)) return `${sign}inf`;
  if (x === 0) return `${sign}0.0`;
  // Number#toString gives "123.45", "0.000001" or "1.5e+21": read off its digits and decimal exponent.
  const [mantissa, expText = '0'] = String(Math.abs(x)).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  const padded = whole + fraction;
  const leadingZeros = padded.length - padded.replace(/^0+/, '').length;
  const digits = padded.slice(leadingZeros).replace(/0+$/, '');
  const exp = whole.length - 1 + Number(expText) - leadingZeros;
  if (exp < -4 || exp >= 16) {
    const expDigits = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${expDigits}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, '0')}.${digits.slice(exp + 1) || '0'}`;
}
