/**
 * The playground's Web Worker: it owns the training session (../session.ts) so the page stays responsive. The page
 * posts `WorkerRequest`s; the worker answers with `WorkerReply`s. While playing it trains epochs for about 30 ms at a
 * time, posts what changed, and yields to its message queue, so pause, step and reset arrive between epochs.
 * Built into the page as a string and started from a Blob URL (a file:// page may not load a worker from a file).
 */
import type { Dataset } from '../../datasets/types.js';
import type { EpochRecord } from '../../float/train.js';
import { type Boundary, type PrecisionView, TrainingSession } from '../session.js';
import type { PlaygroundState } from '../state.js';

export type WorkerRequest =
  | { readonly type: 'reset'; readonly generation: number; readonly state: PlaygroundState; readonly dataset: Dataset }
  | { readonly type: 'play'; readonly stopAt: number }
  | { readonly type: 'pause' }
  | { readonly type: 'step' }
  | { readonly type: 'precision'; readonly format: string }
  | { readonly type: 'tile'; readonly layer: number; readonly rows: number }
  | { readonly type: 'params' };

export interface ParamsMessage { readonly [key: string]: { readonly shape: readonly number[]; readonly data: Float64Array } }

export type WorkerReply =
  | { readonly type: 'ready'; readonly generation: number; readonly loss: string; readonly sizes: { readonly train: number; readonly test: number }; readonly notes: readonly string[]; readonly boundary?: Boundary; readonly params: ParamsMessage }
  | { readonly type: 'update'; readonly generation: number; readonly epoch: number; readonly records: readonly EpochRecord[]; readonly fixedRecords: readonly EpochRecord[]; readonly boundary?: Boundary; readonly precision?: PrecisionView; readonly params: ParamsMessage; readonly playing: boolean; readonly ended: boolean }
  | { readonly type: 'tile'; readonly generation: number; readonly op?: { layer: string; m: number; k: number; n: number; a: Float64Array; b: Float64Array } }
  | { readonly type: 'params'; readonly generation: number; readonly params: ParamsMessage }
  | { readonly type: 'error'; readonly generation: number; readonly message: string };

interface Scope {
  postMessage(message: WorkerReply): void;
  onmessage: ((e: { data: WorkerRequest }) => void) | null;
}
const scope = self as unknown as Scope;

const SLICE_MS = 30;
const PRECISION_EVERY_MS = 400;

let session: TrainingSession | undefined;
let generation = 0;
let playing = false;
let stopAt = 0;
let format = 'int8';
let sent = 0;
let sentFixed = 0;
let lastPrecision = 0;

const params = (): ParamsMessage => (session ? session.currentParams() as unknown as ParamsMessage : {});

function post(withPrecision: boolean): void {
  const s = session!;
  const records = s.records.slice(sent);
  sent = s.records.length;
  const fixedRecords = s.fixedRecords.slice(sentFixed);
  sentFixed = s.fixedRecords.length;
  const precision = withPrecision && format !== 'float' ? s.precisionView(format) : undefined;
  if (withPrecision) lastPrecision = performance.now();
  scope.postMessage({
    type: 'update', generation, epoch: s.epoch, records, fixedRecords, boundary: s.boundary(), precision, params: params(), playing, ended: s.ended !== undefined,
  });
}

/** One epoch; false when the run ended (diverged, or the stop epoch reached). */
function trainOne(): boolean {
  const s = session!;
  if (stopAt > 0 && s.epoch >= stopAt) return false;
  return s.step().kind === 'epoch';
}

function loop(gen: number): void {
  if (!playing || gen !== generation || !session) return;
  try {
    const t0 = performance.now();
    let going = true;
    while (going && performance.now() - t0 < SLICE_MS) going = trainOne();
    if (!going) playing = false;
    post(!playing || performance.now() - lastPrecision > PRECISION_EVERY_MS);
  } catch (e) {
    playing = false;
    scope.postMessage({ type: 'error', generation, message: e instanceof Error ? e.message : String(e) });
    return;
  }
  if (playing) setTimeout(() => loop(gen), 0);
}

scope.onmessage = (e) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'reset': {
        generation = m.generation;
        playing = false;
        sent = 0;
        session = new TrainingSession(m.state, m.dataset, m.state.trainFixed && m.state.netPrecision !== 'float' ? m.state.netPrecision : undefined);
        sentFixed = 0;
        const p = session.prepared;
        scope.postMessage({
          type: 'ready', generation, loss: p.loss, notes: p.notes, boundary: session.boundary(), params: params(),
          sizes: { train: p.splits.train.features.shape[0], test: p.splits.test?.features.shape[0] ?? 0 },
        });
        if (format !== 'float') post(true);
        return;
      }
      case 'play':
        stopAt = m.stopAt;
        if (!playing) { playing = true; loop(generation); }
        return;
      case 'pause':
        if (playing) { playing = false; if (session) post(true); }
        return;
      case 'step':
        playing = false;
        if (session) { trainOne(); post(true); }
        return;
      case 'precision':
        format = m.format;
        if (session && !playing) post(true);
        return;
      case 'tile':
        scope.postMessage({ type: 'tile', generation, op: session?.denseOperands(m.layer, m.rows) });
        return;
      case 'params':
        scope.postMessage({ type: 'params', generation, params: params() });
        return;
    }
  } catch (err) {
    playing = false;
    scope.postMessage({ type: 'error', generation, message: err instanceof Error ? err.message : String(err) });
  }
};
