/**
 * The page's pictures, drawn on canvases: the decision boundary (TensorFlow Playground's orange/blue, the data on
 * top, test points ringed), the network with its weights, the loss curves, energy by component and the roofline.
 */
import type { EpochRecord } from '../../float/train.js';
import { GRID, PLANE } from '../data.js';
import type { Boundary } from '../session.js';
import type { TrainingStepView } from '../hardware.js';

const NEG = [245, 147, 34], POS = [8, 119, 189], WHITE = [255, 255, 255];
const CLASS_COLOURS = ['#f59322', '#0877bd', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const hexRgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const mix = (a: number[], b: number[], t: number) => a.map((x, i) => Math.round(x + (b[i] - x) * t));

function ctxOf(c: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context');
  return ctx;
}

export interface Points { readonly xy: Float64Array; readonly labels: ArrayLike<number>; readonly test: ArrayLike<boolean> }

/** The grid's colours and the points; `boundary` absent: a note instead (iris, digits, CSV). */
export function drawBoundary(canvas: HTMLCanvasElement, boundary: Boundary | undefined, points: Points | undefined, note: string): void {
  const ctx = ctxOf(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  if (!boundary) {
    ctx.fillStyle = '#f4f4f4';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#666';
    ctx.font = '12px system-ui';
    note.split('\n').forEach((line, i) => ctx.fillText(line, 12, 24 + 16 * i));
    return;
  }
  const img = ctx.createImageData(GRID, GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    let rgb: number[];
    if (boundary.kind === 'binary') {
      const p = boundary.value[i];
      rgb = p >= 0.5 ? mix(WHITE, POS, Math.min(1, (p - 0.5) * 2) * 0.75) : mix(WHITE, NEG, Math.min(1, (0.5 - p) * 2) * 0.75);
    } else {
      rgb = mix(WHITE, hexRgb(CLASS_COLOURS[boundary.cls![i] % CLASS_COLOURS.length]), 0.25 + 0.5 * boundary.value[i]);
    }
    img.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
  }
  const off = document.createElement('canvas');
  off.width = GRID;
  off.height = GRID;
  ctxOf(off).putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, width, height);
  if (!points) return;
  const toPx = (x: number, y: number) => [(x - PLANE.lo) / (PLANE.hi - PLANE.lo) * width, (PLANE.hi - y) / (PLANE.hi - PLANE.lo) * height];
  const n = points.labels.length;
  for (let i = 0; i < n; i++) {
    const [px, py] = toPx(points.xy[2 * i], points.xy[2 * i + 1]);
    ctx.beginPath();
    ctx.arc(px, py, 2.6, 0, 2 * Math.PI);
    ctx.fillStyle = boundary.kind === 'binary' ? (points.labels[i] >= 0.5 ? '#0877bd' : '#f59322') : CLASS_COLOURS[points.labels[i] % CLASS_COLOURS.length];
    ctx.fill();
    ctx.lineWidth = points.test[i] ? 1 : 0.7;
    ctx.strokeStyle = points.test[i] ? '#333' : '#fff';
    ctx.stroke();
  }
}

/** Train (solid) and test (dashed) loss per epoch, log scale; the run trained in a format (dotted), when there is one. */
export function drawCurve(canvas: HTMLCanvasElement, records: readonly EpochRecord[], fixed: readonly EpochRecord[] = [], format = ''): void {
  const ctx = ctxOf(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui';
  if (records.length === 0) { ctx.fillText('loss per epoch: press Play or Step', 40, height / 2); return; }
  const values = [...records, ...fixed].flatMap((r) => [r.train.loss, ...(r.test ? [r.test.loss] : [])]).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.log10(Math.min(...values)), hi = Math.log10(Math.max(...values));
  const span = Math.max(hi - lo, 1e-6);
  const left = 44, bottom = height - 18, top = 8, right = width - 8;
  const x = (i: number) => left + (records.length === 1 ? 0 : (i / (records.length - 1)) * (right - left));
  const y = (v: number) => bottom - ((Math.log10(v) - lo) / span) * (bottom - top);
  ctx.strokeStyle = '#ccc';
  ctx.beginPath(); ctx.moveTo(left, top); ctx.lineTo(left, bottom); ctx.lineTo(right, bottom); ctx.stroke();
  ctx.fillText(Math.max(...values).toPrecision(3), 2, top + 8);
  ctx.fillText(Math.min(...values).toPrecision(3), 2, bottom);
  ctx.fillText(`epoch ${records.length}`, right - 60, height - 4);
  const line = (pick: (r: EpochRecord) => number | undefined, colour: string, dash: number[], rs = records) => {
    ctx.strokeStyle = colour;
    ctx.setLineDash(dash);
    ctx.beginPath();
    rs.forEach((r, i) => { const v = pick(r); if (v !== undefined && v > 0) { if (i === 0) ctx.moveTo(x(i), y(v)); else ctx.lineTo(x(i), y(v)); } });
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line((r) => r.train.loss, '#183153', []);
  line((r) => r.test?.loss, '#f59322', [5, 3]);
  ctx.fillStyle = '#183153'; ctx.fillText('train', left + 6, top + 10);
  ctx.fillStyle = '#f59322'; ctx.fillText('test (dashed)', left + 64, top + 10);
  if (fixed.length > 0) {
    line((r) => r.train.loss, '#2ca02c', [2, 2], fixed);
    ctx.fillStyle = '#2ca02c'; ctx.fillText(`trained in ${format}: train (dotted)`, left + 150, top + 10);
  }
}

export interface NetParams { readonly [key: string]: { readonly shape: readonly number[]; readonly data: Float64Array } }

/**
 * The network as TensorFlow Playground draws it: a column of nodes per layer, every weight a line whose colour is
 * its sign and whose width is its size (relative to the largest). Wide layers show their first 32 nodes.
 */
export function drawNetwork(canvas: HTMLCanvasElement, inputs: readonly string[], widths: readonly number[], params: NetParams): void {
  const ctx = ctxOf(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const cols = [inputs.length, ...widths];
  const shown = cols.map((c) => Math.min(c, 32));
  const xOf = (l: number) => 60 + (l / Math.max(1, cols.length - 1)) * (width - 100);
  const yOf = (l: number, i: number) => (height / (shown[l] + 1)) * (i + 1);
  let maxW = 0;
  for (let l = 1; l < cols.length; l++) { const w = params[`fc${l}.weight`]; if (w) for (const v of w.data) maxW = Math.max(maxW, Math.abs(v)); }
  for (let l = 1; l < cols.length; l++) {
    const w = params[`fc${l}.weight`];
    if (!w) continue;
    const inF = w.shape[1];
    for (let j = 0; j < shown[l]; j++) {
      for (let i = 0; i < shown[l - 1]; i++) {
        const v = w.data[j * inF + i];
        ctx.strokeStyle = v >= 0 ? 'rgba(8,119,189,0.8)' : 'rgba(245,147,34,0.8)';
        ctx.lineWidth = maxW > 0 ? 0.2 + 3 * Math.abs(v) / maxW : 0.5;
        ctx.beginPath(); ctx.moveTo(xOf(l - 1), yOf(l - 1, i)); ctx.lineTo(xOf(l), yOf(l, j)); ctx.stroke();
      }
    }
  }
  ctx.font = '10px system-ui';
  for (let l = 0; l < cols.length; l++) {
    const r = Math.max(2, Math.min(7, height / (2.6 * (shown[l] + 1))));
    for (let i = 0; i < shown[l]; i++) {
      ctx.beginPath(); ctx.arc(xOf(l), yOf(l, i), r, 0, 2 * Math.PI);
      ctx.fillStyle = '#fff'; ctx.fill(); ctx.strokeStyle = '#183153'; ctx.lineWidth = 1; ctx.stroke();
      if (l === 0 && shown[0] <= 12) { ctx.fillStyle = '#222'; ctx.fillText(inputs[i], 2, yOf(0, i) + 3); }
    }
    ctx.fillStyle = '#666';
    ctx.fillText(l === 0 ? `${cols[0]} in` : l === cols.length - 1 ? `${cols[l]} out` : `${cols[l]}`, xOf(l) - 10, height - 2);
  }
}

/** Energy by component as horizontal bars (the report's unit). */
export function drawEnergy(canvas: HTMLCanvasElement, v: TrainingStepView): void {
  const ctx = ctxOf(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const items = Object.entries(v.energyByComponent).filter(([, e]) => typeof e === 'number' && e > 0).sort((a, b) => b[1] - a[1]).slice(0, 6);
  const max = Math.max(...items.map(([, e]) => e), 1e-30);
  const bar = Math.min(18, (height - 4) / Math.max(1, items.length));
  ctx.font = '11px system-ui';
  items.forEach(([name, e], i) => {
    const y = 2 + i * bar;
    ctx.fillStyle = '#0877bd';
    ctx.fillRect(110, y + 2, (width - 200) * (e / max), bar - 4);
    ctx.fillStyle = '#222';
    ctx.fillText(name, 2, y + bar - 5);
    ctx.fillText(`${(100 * e / v.energyTotal).toFixed(1)} %`, 114 + (width - 200) * (e / max), y + bar - 5);
  });
}

/** The roofline (log-log): peak MACs/cycle, the DRAM slope, and this training step's point. */
export function drawRoofline(canvas: HTMLCanvasElement, v: TrainingStepView): void {
  const ctx = ctxOf(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const r = v.roofline;
  const bw = v.dramBytesPerCycle;
  const ridge = r.peakMacsPerCycle / bw;
  const ai = r.arithmeticIntensityMacsPerByte;
  const xs = [Math.min(ai, ridge) / 10, Math.max(ai, ridge) * 10];
  const ys = [Math.min(r.achievedMacsPerCycle, bw * xs[0]) / 2, r.peakMacsPerCycle * 2];
  const left = 40, bottom = height - 24, top = 6, right = width - 8;
  const lx = (x: number) => left + (Math.log10(x) - Math.log10(xs[0])) / (Math.log10(xs[1]) - Math.log10(xs[0])) * (right - left);
  const ly = (y: number) => bottom - (Math.log10(Math.max(y, ys[0])) - Math.log10(ys[0])) / (Math.log10(ys[1]) - Math.log10(ys[0])) * (bottom - top);
  ctx.strokeStyle = '#ccc';
  ctx.beginPath(); ctx.moveTo(left, top); ctx.lineTo(left, bottom); ctx.lineTo(right, bottom); ctx.stroke();
  ctx.strokeStyle = '#183153';
  ctx.lineWidth = 2;
  ctx.beginPath(); ctx.moveTo(lx(xs[0]), ly(bw * xs[0])); ctx.lineTo(lx(ridge), ly(r.peakMacsPerCycle)); ctx.lineTo(lx(xs[1]), ly(r.peakMacsPerCycle)); ctx.stroke();
  ctx.lineWidth = 1;
  ctx.fillStyle = '#f59322';
  ctx.beginPath(); ctx.arc(lx(ai), ly(r.achievedMacsPerCycle), 5, 0, 2 * Math.PI); ctx.fill();
  ctx.fillStyle = '#222';
  ctx.font = '11px system-ui';
  ctx.fillText(`peak ${r.peakMacsPerCycle} MACs/cycle`, lx(ridge) + 4, ly(r.peakMacsPerCycle) + 12);
  ctx.fillText(`${bw} B/cycle`, left + 4, ly(bw * xs[0]) - 4);
  ctx.fillText(`this step: ${ai.toPrecision(3)} MACs/B, ${r.achievedMacsPerCycle.toPrecision(3)} MACs/cycle`, left + 4, height - 6);
}
