/**
 * `train`'s curves from its history.json: loss and accuracy per epoch for every split that exists (train,
 * validation, test), float64 and — after `train --precision` — fixed point, with a legend for each. Pure: data → spec.
 */
import type { Chart } from './charts/types.js';
import { CHART_CONFIG } from './charts/palette.js';
import { VL_SCHEMA } from './charts/types.js';

interface SplitMetrics { readonly loss: number; readonly accuracy: number | null }
interface Epoch { readonly epoch: number; readonly train: SplitMetrics; readonly validation?: SplitMetrics; readonly test?: SplitMetrics }

/** The part of a `train` history.json the curves read: `epochs` (float run), or `float`/`fixed` (train --precision). */
export interface TrainHistory {
  readonly model?: string;
  readonly dataset?: string;
  readonly loss?: string;
  readonly formats?: Readonly<Record<string, string>>;
  readonly epochs?: readonly Epoch[];
  readonly float?: { readonly epochs: readonly Epoch[] };
  readonly fixed?: { readonly epochs: readonly Epoch[] };
}

export function isTrainHistory(x: unknown): x is TrainHistory {
  const h = x as TrainHistory;
  return !!h && typeof h === 'object' && (Array.isArray(h.epochs) || (Array.isArray(h.float?.epochs) && Array.isArray(h.fixed?.epochs)));
}

/** The runs of a history: one float64 run, or float64 and fixed point. */
export function runsOf(h: TrainHistory): { run: 'float64' | 'fixed point'; epochs: readonly Epoch[] }[] {
  if (h.float && h.fixed) return [{ run: 'float64', epochs: h.float.epochs }, { run: 'fixed point', epochs: h.fixed.epochs }];
  return [{ run: 'float64', epochs: h.epochs ?? [] }];
}

const SPLITS = ['train', 'validation', 'test'] as const;
const SPLIT_COLOR: Record<(typeof SPLITS)[number], string> = { train: '#4e79a7', validation: '#f28e2b', test: '#59a14f' };
const RUN_DASH = { domain: ['float64', 'fixed point'], range: [[1, 0], [6, 3]] };

/** One row per run × split × epoch × metric that has a finite value. */
export function curveRows(h: TrainHistory): { epoch: number; split: string; run: string; metric: string; value: number }[] {
  return runsOf(h).flatMap(({ run, epochs }) => epochs.flatMap((e) => SPLITS.flatMap((split) => {
    const m = e[split];
    if (!m) return [];
    const rows = [{ epoch: e.epoch, split, run, metric: 'loss', value: m.loss }];
    if (m.accuracy !== null) rows.push({ epoch: e.epoch, split, run, metric: 'accuracy (%)', value: 100 * m.accuracy });
    return rows;
  }))).filter((r) => Number.isFinite(r.value));
}

export function trainingCurvesChart(h: TrainHistory): Chart {
  const values = curveRows(h);
  const quantized = runsOf(h).length > 1;
  const metrics = [...new Set(values.map((v) => v.metric))];
  const present = SPLITS.filter((s) => values.some((v) => v.split === s));   // the legend lists only the splits that exist
  const splitColors = { domain: present, range: present.map((s) => SPLIT_COLOR[s]) };
  const f = h.formats;
  const subtitle = [
    [h.model, h.dataset, h.loss ? `loss ${h.loss}` : undefined, f ? `fixed point: weights ${f.weight}, activations ${f.activation}, gradients ${f.gradient}` : undefined].filter(Boolean).join(' · '),
    'train: the mean over the epoch\'s mini-batches; validation and test: evaluated after the epoch',
  ];
  const panel = (metric: string) => ({
    transform: [{ filter: { field: 'metric', equal: metric } }],
    width: 480, height: 220,
    // Points would turn the legend's symbols into identical dots: the dash legend needs plain strokes.
    mark: { type: 'line', point: !quantized && values.length <= 120 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: metric === 'loss' ? `loss${h.loss ? ` (${h.loss})` : ''}` : 'accuracy (%)', scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: 'split', scale: splitColors, legend: { orient: 'right', symbolType: 'stroke' } },
      ...(quantized ? { strokeDash: { field: 'run', type: 'nominal', title: 'arithmetic', scale: RUN_DASH, legend: { orient: 'right', symbolType: 'stroke' } } } : {}),
      detail: { field: 'run', type: 'nominal' },
      tooltip: [
        { field: 'run', type: 'nominal' }, { field: 'split', type: 'nominal' }, { field: 'epoch', type: 'quantitative' },
        { field: 'value', type: 'quantitative', title: metric, format: '.5~g' },
      ],
    },
  });
  const title = quantized ? 'Training curves, float64 vs fixed point' : 'Training curves';
  return {
    name: 'loss-curves',   // the file stem earlier releases wrote (loss only); it now holds accuracy too
    title: `${title}: ${metrics.join(' and ')} per epoch`,
    spec: {
      $schema: VL_SCHEMA, config: CHART_CONFIG, title: { text: title, subtitle },
      data: { values },
      vconcat: metrics.map(panel),
      resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
    },
  };
}
