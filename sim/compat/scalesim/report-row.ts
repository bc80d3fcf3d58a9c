/**
 * One layer's row of SCALE-Sim v2's three report files (COMPUTE_REPORT, BANDWIDTH_REPORT, DETAILED_ACCESS_REPORT),
 * holding the numbers SCALE-Sim computes them from. Bandwidths are derived, as SCALE-Sim derives them: SRAM count ÷
 * Total Cycles, DRAM count ÷ (stop − start + 1) of that operand's own DRAM window.
 */

/** An operand's activity at one level of the hierarchy: first and last cycle (SCALE-Sim's, may be negative) and words. */
export interface ScalesimWindow { readonly startCycle: number; readonly stopCycle: number; readonly words: number }

export interface ScalesimOperandWindows { readonly ifmap: ScalesimWindow; readonly filter: ScalesimWindow; readonly ofmap: ScalesimWindow }

export interface ScalesimReportRow {
  /** SCALE-Sim's "Total Cycles": stall-inclusive, the 0-based index of the last cycle (one less than elapsed). */
  readonly totalCycles: number;
  readonly stallCycles: number;
  /** Percentages, as SCALE-Sim prints them (0–100). */
  readonly overallUtilPct: number;
  readonly mappingEfficiencyPct: number;
  readonly computeUtilPct: number;
  /** SRAM: ifmap/filter reads, ofmap writes, with the cycles of the first and last demand row that touches them. */
  readonly sram: ScalesimOperandWindows;
  /** DRAM: ifmap/filter reads, ofmap writes, with SCALE-Sim's DRAM start/stop cycles. */
  readonly dram: ScalesimOperandWindows;
}
