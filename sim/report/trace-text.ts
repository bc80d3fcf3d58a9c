/** The cycle-by-cycle trace of `simulate --trace` as text: a grid of PEs per cycle, the operands and the result. */
import type { CycleSnapshot, GemmTrace } from '../array/trace.js';
import { gemmDataflowOf, strategyOf } from '../map/dataflow.js';
import type { TraceRun } from '../run/trace.js';

const show = (x: number | null) => (x === null ? '·' : String(x));

/** One block per cycle: each PE as `a b | acc`, a `*` marking a MAC started this cycle. */
export function formatTrace(t: GemmTrace): string {
  const { rows, cols, dataflow, macPipelineCycles: d } = t.shape;
  const all = (f: (c: CycleSnapshot) => (number | null)[][]) => Math.max(...t.cycles.flatMap((c) => f(c).flat().map((x) => show(x).length)));
  const wa = all((c) => c.a), wb = all((c) => c.b), wc = all((c) => c.acc);
  const accName = strategyOf(gemmDataflowOf(dataflow, 'the cycle trace')).partialSumsLeaveArray ? 'partial sum' : 'accumulator';
  const lines = [
    `${rows}×${cols} ${dataflow.toUpperCase()} array, GEMM ${t.gemm.m}×${t.gemm.k}×${t.gemm.n}, MAC pipeline ${d}: each PE shows  a b | ${accName}  after the cycle (· = no operand, * = MAC started)`,
  ];
  for (const c of t.cycles) {
    lines.push('', `cycle ${c.cycle}  fold ${c.fold + 1}/${t.run.folds} ${c.phase} ${c.foldCycle}`);
    for (let i = 0; i < rows; i++) {
      const cells = Array.from({ length: cols }, (_, j) =>
        `${c.mac[i][j] ? '*' : ' '}${show(c.a[i][j]).padStart(wa)} ${show(c.b[i][j]).padStart(wb)} | ${show(c.acc[i][j]).padStart(wc)}`);
      lines.push(`  ${cells.join('   ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The whole text view: the operands, the trace, the result and whether it matches a plain GEMM and the fast model. */
export function traceToText(t: TraceRun): string {
  const mat = (rows: number[][]) => rows.map((r) => `  [${r.map((x) => String(x).padStart(3)).join(' ')} ]`).join('\n');
  const { m, k, n } = t.gemm;
  return [
    `A (${m}×${k}, seed ${t.seed}):`, mat(t.a), `B (${k}×${n}):`, mat(t.b), '',
    formatTrace(t.trace),
    `C = A·B from the array:`, mat(t.c),
    `${t.matchesPlainGemm ? 'matches' : 'DOES NOT MATCH'} the plain GEMM; ${t.computeCycles} cycles (fast timing model: ${t.timingModelCycles}), ${t.macs} MACs, ${t.trace.run.folds} fold(s).`,
    '',
  ].join('\n');
}
