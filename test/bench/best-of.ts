/** The best wall time of `reps` runs, in ms (benchmarks report the best, the least disturbed by other work). */
export function bestMs(run: () => void, reps: number): number {
  let ms = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    run();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms;
}
