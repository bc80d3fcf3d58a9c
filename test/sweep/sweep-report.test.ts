/**
 * What a sweep folder says, through the bundled CLI: every swept parameter is plotted somewhere (an axis, colour or
 * facet of some chart), Pareto points are numbered on the plot (so in the PNG) and named in the subtitle, and
 * summary.txt / index.html use human names with units (no `energyPj`, `dramTraffic`, `edpPjS`), energies in
 * engineering units; results.csv and summary.json keep their fixed-unit keys. Mutations: a chart set without the
 * SRAM chart, and a Pareto chart without its text layer, fail the checks.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../../sim/report/charts/types.js';
import { systolab } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'systolab-sweep-report-'));
const run = systolab(['sweep', '--model', 'tiny-cnn', '--array', '8x8,16x16,32x32', '--dataflow', 'os,ws', '--sram-kib', '4,64', '--dram-bytes-per-cycle', '4,16', '--jobs', '1', '--out', dir], dir);
const specs = () => Object.fromEntries(readdirSync(join(dir, 'charts')).filter((f) => f.endsWith('.vl.json'))
  .map((f) => [f.replace('.vl.json', ''), JSON.parse(readFileSync(join(dir, 'charts', f), 'utf8')) as VlSpec]));

/** Every field a spec draws on an axis, as a colour or shape, or as a facet (walking layers, facets and concats). */
function plottedFields(spec: unknown, out = new Set<string>()): Set<string> {
  if (!spec || typeof spec !== 'object') return out;
  const s = spec as Record<string, unknown>;
  for (const channel of ['x', 'y', 'color', 'shape', 'column', 'row', 'xOffset']) {
    const enc = (s.encoding as Record<string, { field?: string }> | undefined)?.[channel] ?? (s.facet as Record<string, { field?: string }> | undefined)?.[channel];
    if (enc?.field) out.add(enc.field);
  }
  const facet = s.facet as { field?: string } | undefined;
  if (facet?.field) out.add(facet.field);
  for (const k of ['layer', 'vconcat', 'hconcat', 'concat']) for (const sub of (s[k] as unknown[] | undefined) ?? []) plottedFields(sub, out);
  if (s.spec) plottedFields(s.spec, out);
  return out;
}

/** The swept parameters no chart plots (`sramKibs` stands for the three buffers, `array` for rows × cols). */
function unplotted(charts: Record<string, VlSpec>, swept: readonly string[]): string[] {
  const all = new Set(Object.values(charts).flatMap((c) => [...plottedFields(c)]));
  return swept.filter((f) => !all.has(f));
}

/** The Pareto chart's labels (the text layer's field values, Pareto rows only), or [] without a text layer. */
function paretoLabels(spec: VlSpec): string[] {
  const layers = (spec.layer as { mark: { type: string }; encoding?: { text?: { field: string } } }[] | undefined) ?? [];
  const text = layers.find((l) => l.mark.type === 'text');
  if (!text) return [];
  return (spec.data as { values: Record<string, unknown>[] }).values.filter((v) => v.pareto === 'Pareto-optimal').map((v) => String(v[text.encoding!.text!.field]));
}

describe('sweep folder: charts and summaries a student can read (CLI)', () => {
  it('the sweep runs (3 arrays × 2 dataflows × 2 SRAM sizes × 2 DRAM bandwidths)', () => {
    expect(run.code, run.err).toBe(0);
  });

  it('every swept parameter is plotted by some chart; mutation: without the SRAM chart, SRAM is reported missing', () => {
    const charts = specs();
    expect(Object.keys(charts).sort()).toEqual(['cycles-vs-array', 'latency-vs-dram-bandwidth', 'latency-vs-sram', 'pareto', 'utilization-heatmap']);
    const swept = ['array', 'rows', 'cols', 'dataflow', 'sramKibs', 'dramBytesPerCycle'];
    expect(unplotted(charts, swept)).toEqual([]);
    const { 'latency-vs-sram': _gone, ...fewer } = charts;
    expect(unplotted(fewer, swept)).toEqual(['sramKibs']);
  });

  it('Pareto points are numbered on the plot and named in the subtitle; mutation: no text layer, no labels', () => {
    const p = specs().pareto;
    const labels = paretoLabels(p);
    const front = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n').slice(1).filter((l) => l.endsWith(',1'));
    // Each Pareto point's number is on the plot once; points on the same spot share one label (`#1, #2`).
    expect(labels.every((l) => /^(#\d+(, #\d+)*)?$/.test(l))).toBe(true);
    const numbers = labels.flatMap((l) => (l ? l.split(', ') : []));
    expect(numbers.sort()).toEqual(front.map((_, i) => `#${i + 1}`).sort());
    const subtitle = (p.title as { subtitle: string[] }).subtitle;
    for (const n of numbers) expect(subtitle.some((s) => s.startsWith(`${n}: `) && /\d+×\d+ (os|ws), \d+\/\d+\/\d+ KiB, \d+ B\/cycle$/.test(s)), n).toBe(true);
    expect(paretoLabels({ ...p, layer: (p.layer as unknown[]).slice(0, 1) })).toEqual([]);
  });

  it('summary.txt and index.html: human names with units; results.csv and summary.json keep the fixed-unit keys', () => {
    const text = readFileSync(join(dir, 'summary.txt'), 'utf8');
    const page = readFileSync(join(dir, 'index.html'), 'utf8');
    const html = page.slice(page.indexOf('<body>'), page.lastIndexOf('<script>'));   // what the page shows: not the libraries, not the chart data
    for (const doc of [text, html]) {
      for (const key of ['energyPj', 'dramTraffic', 'edpPjS', 'areaMm2', 'ifmapKib', 'best dram', 'seconds']) expect(doc.includes(key), key).toBe(false);
    }
    expect(text).toMatch(/lowest latency +[\d.]+ (ns|µs) \([\d,]+ cycles\)/);
    expect(text).toMatch(/lowest energy +[\d.]+ (nJ|µJ)/);
    expect(text).toMatch(/lowest energy×delay +[\d.]+ (pJ|nJ)·s/);
    expect(text).toMatch(/least DRAM traffic +[\d,]+ bytes/);
    expect(text).toMatch(/Pareto front over latency, energy, area: \d+ point/);
    expect(html).toMatch(/<th>energy \((nJ|µJ)\)<\/th>/);
    expect(readFileSync(join(dir, 'results.csv'), 'utf8').split('\n')[0]).toMatch(/,energyPj,areaMm2,edpPjS,pareto$/);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).groups[0].best)).toContain('dramTraffic');
  });
});
