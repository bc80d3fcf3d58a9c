/** The summary and table of a `train` folder's index.html, from its history.json (float, or train --precision). */
import type { HtmlReport } from './html.js';
import { pct, sig } from './format.js';
import { type TrainHistory, runsOf } from './train-charts.js';

export function trainHtml(h: TrainHistory): Omit<HtmlReport, 'charts'> {
  const runs = runsOf(h);
  const splits = (['train', 'validation', 'test'] as const).filter((s) => runs.some((r) => r.epochs.some((e) => e[s])));
  const last = (epochs: (typeof runs)[number]['epochs']) => epochs[epochs.length - 1];
  const acc = (a: number | null | undefined) => (a === null || a === undefined ? '-' : pct(a));
  return {
    title: `Systolab train${runs.length > 1 ? ' --precision' : ''}: ${h.model ?? 'model'}`,
    subtitle: [h.dataset ? `dataset ${h.dataset}` : undefined, h.loss ? `loss ${h.loss}` : undefined].filter(Boolean).join(' · ') || undefined,
    summary: [
      ['epochs', runs.map((r) => `${r.epochs.length} (${r.run})`).join(', ')],
      ...runs.flatMap((r) => splits.filter((s) => last(r.epochs)?.[s]).map((s) => [
        `final ${s} loss / accuracy (${r.run})`, `${sig(last(r.epochs)[s]!.loss)} / ${acc(last(r.epochs)[s]!.accuracy)}`,
      ] as [string, string])),
      ...Object.entries(h.formats ?? {}).map(([k, v]) => [`${k} format`, String(v)] as [string, string]),
    ],
    tables: [{
      title: 'Loss per epoch',
      header: ['epoch', ...runs.flatMap((r) => splits.map((s) => `${s} loss (${r.run})`))],
      numeric: new Set(Array.from({ length: 1 + runs.length * splits.length }, (_, i) => i)),
      rows: runs[0].epochs.map((e, i) => [e.epoch, ...runs.flatMap((r) => splits.map((s) => {
        const m = r.epochs[i]?.[s];
        return m ? sig(m.loss, 6) : r.epochs[i] ? '-' : 'stopped';
      }))]),
    }],
    files: ['history.json', 'model.json', 'training.json'],
  };
}
