/**
 * A big sweep's report inlines what its charts draw, not every point: the energy–latency chart every Pareto point and
 * at most PARETO_CHART_DOMINATED dominated ones per model · mode (saying so), index.html's table at most
 * SWEEP_TABLE_ROWS points, the Pareto-optimal first (saying so). 3,000 synthetic points in one group, 300 in another.
 * Shown to fail: with the chart cap lifted, or the table not putting the Pareto points first, a test fails.
 */
import { describe, expect, it } from 'vitest';
import { PARETO_CHART_DOMINATED, paretoChart } from '../../sim/report/charts/sweep-charts.js';
import { SWEEP_TABLE_ROWS, sweepHtml } from '../../sim/report/write-report.js';
import { type SweepRecord, summarize } from '../../sim/sweep/record.js';
import type { PointParams } from '../../sim/sweep/spec.js';

function record(i: number, model: string): SweepRecord {
  // A deterministic scatter: latency and energy trade off along a noisy curve, so some points are Pareto-optimal.
  const rows = 4 + (i % 60), cols = 4 + ((i * 7) % 50);
  const seconds = 1e-3 * (1 + ((i * 7919) % 1000) / 100);
  const energyPj = 1e9 * (1 + ((i * 104729) % 997) / 50) / (seconds * 1e3);
  const params: PointParams = {
    model, mode: 'inference', hw: 'scalesim-32x32', rows, cols, dataflow: i % 2 ? 'os' : 'ws', ifmapKib: 64, filterKib: 64, ofmapKib: 64,
    dramBytesPerCycle: 16, bandwidthMode: 'calc', precision: 'int8', clockMhz: 1000,
  };
  const cycles = Math.round(seconds * 1e9);
  return {
    id: `${model}-${i.toString(16).padStart(6, '0')}`, params,
    totals: {
      cycles, seconds, macs: 1e9, utilization: 0.5, computeUtilization: 0.6, mappingEfficiency: 0.9, stallCycles: 0,
      dramReadBytes: 1000, dramWriteBytes: 1000, dramBytes: 2000, energyPj, areaMm2: 1 + (i % 13), edpPjS: energyPj * seconds,
    },
  };
}

const big = Array.from({ length: 3000 }, (_, i) => record(i, 'big'));
const small = Array.from({ length: 300 }, (_, i) => record(i, 'small'));
const records = [...big, ...small];
const summary = summarize(records);
const frontOf = (model: string) => summary.groups.find((g) => g.model === model)!.pareto.length;

describe('a big sweep report inlines a stated sample', () => {
  it('the energy–latency chart: every Pareto point, at most the cap of dominated ones per group, and says so', () => {
    const chart = paretoChart(records)!;
    const values = (chart.spec.data as { values: { group: string; pareto: string }[] }).values;
    const count = (group: string, pareto: boolean) => values.filter((d) => d.group.startsWith(group) && (d.pareto === 'Pareto-optimal') === pareto).length;
    expect(frontOf('big')).toBeGreaterThan(0);
    expect(count('big', true)).toBe(frontOf('big'));
    expect(count('big', false)).toBe(PARETO_CHART_DOMINATED);
    // The small group is under the cap: all of it is drawn.
    expect(count('small', true) + count('small', false)).toBe(300);
    expect(JSON.stringify(chart.spec.title)).toContain(`${(values.length).toLocaleString('en-US')} of ${records.length.toLocaleString('en-US')} points drawn`);
  });

  it('index.html: at most the cap of table rows, the Pareto-optimal first, and says so', () => {
    const html = sweepHtml(records);
    const table = html.tables![0];
    expect(table.rows).toHaveLength(SWEEP_TABLE_ROWS);
    expect(table.title).toContain(`${SWEEP_TABLE_ROWS} of ${records.length.toLocaleString('en-US')}`);
    const onFront = new Set(summary.groups.flatMap((g) => g.pareto.map((r) => r.id)));
    const listedFront = table.rows.filter((r) => onFront.has(String(r[0]))).length;
    expect(listedFront).toBe(Math.min(onFront.size, SWEEP_TABLE_ROWS));
    expect(table.rows.slice(0, listedFront).every((r) => onFront.has(String(r[0])))).toBe(true);
  });

  it('a small sweep is listed and drawn whole, with no cap named', () => {
    const html = sweepHtml(small);
    expect(html.tables![0].rows).toHaveLength(300);
    expect(html.tables![0].title).toBe('Design points');
    expect(JSON.stringify(paretoChart(small)!.spec.title)).not.toContain('points drawn');
  });
});
