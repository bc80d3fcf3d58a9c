/**
 * The per-layer charts of `simulate`, built for real networks: one panel per pass (forward, backwardData,
 * backwardWeight, update), horizontal bars labelled with the full layer name, the TOP_LAYERS_PER_PASS costliest layers
 * of each pass and one bar summing the rest, vector ops folded into their layer, and a width that fits the page.
 * Pure: CostReport → specs.
 */
import { chooseScale, energyUnits, formatQuantity, inScale } from '../../base/display-units.js';
import type { CostReport } from '../../run/cost-report.js';
import { type LayerPassRow, type PassRows, TOP_LAYERS_PER_PASS, energyOf, foldByLayer, gemmPeCyclesOf, topPerPass } from './layer-entries.js';
import { labelLimitFor, plotWidthBeside } from './layout.js';
import { CHART_CONFIG, COMPONENT_COLORS, COMPONENT_LABELS, UTILIZATION_COLORS, UTILIZATION_LABELS } from './palette.js';
import { type Chart, VL_SCHEMA, type VlSpec } from './types.js';
import { int, pct } from '../format.js';

/** Height of one bar's row, px: room for an 11 px label. */
const ROW_PX = 18;
const LABEL_FONT_PX = CHART_CONFIG.axis.labelFontSize;

const PASS_TITLES: Record<string, string> = {
  forward: 'forward pass', backwardData: 'backward pass, data gradients', backwardWeight: 'backward pass, weight gradients', update: 'optimizer update',
};

/**
 * One bar chart per pass, stacked vertically, sharing the legend; y labels never truncated. `shareX`: one x scale for
 * every panel (shares 0–100 %); otherwise each panel has its own (an update pass costs a millionth of a backward pass).
 */
function panels(passes: readonly PassRows[], values: readonly Record<string, unknown>[], shareX: boolean, inner: (p: PassRows) => { title: string; spec: VlSpec }): VlSpec {
  const labelLimit = labelLimitFor(passes.flatMap((p) => p.rows.map((r) => r.layer)), LABEL_FONT_PX);
  const width = plotWidthBeside(labelLimit);
  return {
    data: { values },
    vconcat: passes.map((p) => {
      const { title, spec } = inner(p);
      const encoding = spec.encoding as Record<string, unknown>;
      return {
        title: { text: title, fontSize: 12, fontWeight: 'normal', anchor: 'start' },
        transform: [{ filter: { field: 'pass', equal: p.pass } }],
        width, height: ROW_PX * p.rows.length,
        ...spec,
        encoding: {
          y: { field: 'layer', type: 'nominal', sort: p.rows.map((r) => r.layer), title: null, axis: { labelLimit } },
          ...encoding,
        },
      };
    }),
    resolve: { scale: { x: shareX ? 'shared' : 'independent', y: 'independent', color: 'shared' }, legend: { color: 'shared' } },
  };
}

/** Says what the last bar is, when some panel sums layers into one. */
const restNote = (passes: readonly PassRows[]) => (passes.some((p) => p.rows.some((r) => r.layers > 1)) ? ['a panel\'s last bar sums its other layers'] : []);

const head = (title: string, subtitle: string[]): VlSpec => ({ $schema: VL_SCHEMA, title: { text: title, subtitle }, config: CHART_CONFIG });

const describe = (r: CostReport) => `${r.model} · ${r.hw.array.rows}×${r.hw.array.cols} ${r.hw.array.dataflow} · ${r.mode}`;

export function energyPerLayerChart(r: CostReport): Chart {
  const passes = topPerPass(foldByLayer(r.layers), energyOf);
  const units = energyUnits(r.totals.energy.unit);
  // Each pass's panel has its own axis, so its own unit.
  const scales = new Map(passes.map((p) => [p.pass, chooseScale(p.rows.map(energyOf), units)]));
  const stack = Object.fromEntries(COMPONENT_LABELS.map(([, label], i) => [label, i]));
  const values = passes.flatMap((p) => p.rows).flatMap((row: LayerPassRow) => COMPONENT_LABELS
    .map(([key, label]) => ({ layer: row.layer, pass: row.pass, component: label, stack: stack[label], energy: inScale(row.energy[key], scales.get(row.pass)!) }))
    .filter((v) => v.energy > 0));
  const title = `Energy per layer, by component: the ${TOP_LAYERS_PER_PASS} costliest layers of each pass`;
  return {
    name: 'energy-per-layer',
    title,
    spec: {
      ...head(title, [describe(r), 'a layer\'s bias adds and weight updates are in its bar', ...restNote(passes)]),
      ...panels(passes, values, false, (p) => {
        const unit = scales.get(p.pass)!.unit;
        return {
          title: `${PASS_TITLES[p.pass]} · ${p.layerCount} layers · ${formatQuantity(p.rows.reduce((a, row) => a + energyOf(row), 0), units)} in all`,
          spec: {
            mark: { type: 'bar' },
            encoding: {
              x: { field: 'energy', type: 'quantitative', aggregate: 'sum', title: `energy (${unit})` },
              color: { field: 'component', type: 'nominal', title: 'component', scale: COMPONENT_COLORS, legend: { orient: 'top', columns: 4 } },
              order: { field: 'stack', type: 'quantitative' },
              tooltip: [
                { field: 'layer', type: 'nominal' }, { field: 'pass', type: 'nominal' }, { field: 'component', type: 'nominal' },
                { field: 'energy', type: 'quantitative', aggregate: 'sum', title: `energy (${unit})`, format: ',.4~r' },
              ],
            },
          },
        };
      }),
    },
  };
}

/** Per layer and pass: the share of the array's PE-cycles doing useful MACs, and where the rest went. */
export function utilizationChart(r: CostReport): Chart {
  const passes = topPerPass(foldByLayer(r.layers.filter((l) => l.kind === 'gemm')), gemmPeCyclesOf);
  const values = passes.flatMap((p) => p.rows).flatMap((row) => {
    const parts = [row.peCycles.useful, row.peCycles.unmapped, row.peCycles.fillAndDrain, row.peCycles.stalls];
    const all = gemmPeCyclesOf(row) || 1;
    return UTILIZATION_LABELS.map((cause, i) => ({ layer: row.layer, pass: row.pass, cause, stack: i, cycles: parts[i], share: parts[i] / all }));
  });
  const title = `Utilization per layer: the ${TOP_LAYERS_PER_PASS} layers of each pass with the most array cycles`;
  return {
    name: 'utilization',
    title,
    spec: {
      ...head(title, [`${describe(r)} · overall ${pct(r.totals.overallUtilization)}`, 'a bar splits its PE-cycles into useful MACs and where the rest went', ...restNote(passes)]),
      ...panels(passes, values, true, (p) => ({
        title: `${PASS_TITLES[p.pass]} · ${p.layerCount} layers with GEMMs · ${int(p.rows.reduce((a, row) => a + row.totalCycles, 0))} array cycles`,
        spec: {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'cycles', type: 'quantitative', stack: 'normalize', title: 'share of PE-cycles (%)', axis: { format: '%' } },
            color: { field: 'cause', type: 'nominal', title: 'PE-cycles', scale: UTILIZATION_COLORS, sort: [...UTILIZATION_LABELS], legend: { orient: 'top' } },
            order: { field: 'stack', type: 'quantitative' },
            tooltip: [
              { field: 'layer', type: 'nominal' }, { field: 'pass', type: 'nominal' }, { field: 'cause', type: 'nominal' },
              { field: 'share', type: 'quantitative', format: '.1%' },
            ],
          },
        },
      })),
    },
  };
}
