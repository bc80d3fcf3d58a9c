/**
 * Sizes that make a chart fit the page: every chart, labels and legend included, is at most PAGE_WIDTH_PX wide (the
 * HTML report's column is wider; narrower windows scale the SVG down), and category labels are given room for their
 * full text, measured the way vega measures text when it has no canvas (0.8 × font size per character, wider than
 * DejaVu Sans really is), so neither the PNG nor the browser shortens a name with "…". Only names longer than
 * CHART_TEXT_CHARS are shortened, by us and visibly (`chartText`).
 */
import { head } from '../../base/errors.js';

/** The widest a chart may be, in CSS px, labels and legend included. */
export const PAGE_WIDTH_PX = 960;

/** vega's text-width estimate without a canvas (vega-scenegraph `estimateWidth`): 0.8 em per character. */
export const estimateTextPx = (text: string, fontSizePx: number): number => Math.ceil(0.8 * text.length * fontSizePx);

/** A labelLimit that holds the longest of `labels` in full. */
export const labelLimitFor = (labels: readonly string[], fontSizePx: number): number =>
  Math.max(0, ...labels.map((l) => estimateTextPx(l, fontSizePx))) + 4;

/** Room a vertical axis needs besides its labels: ticks, padding and the rotated title. */
const AXIS_CHROME_PX = 40;
/** Padding vega adds around the whole chart (autosize pad), both sides. */
const PAD_PX = 10;

/** The plot width that leaves room for a y axis with labels `labelLimit` wide, within the page. */
export const plotWidthBeside = (labelLimit: number, min = 240): number => Math.max(min, PAGE_WIDTH_PX - labelLimit - AXIS_CHROME_PX - PAD_PX);

/**
 * The longest text a chart shows whole. Names come from users' files (a model, layer or ONNX node name can be 5,000
 * characters), and the labels above are sized to hold them in full: a longer one made a 40,000-pixel chart whose PNG
 * took 20 s to render. Tables and the JSON files keep the full text.
 */
export const CHART_TEXT_CHARS = 80;

/**
 * `text`, or its head, a short hash of the whole (so two long names that share a head stay two bars) and how long it
 * was: `resnet…#3f2a1c (5000 characters)`. Deterministic.
 */
export function chartText(text: string): string {
  if (text.length <= CHART_TEXT_CHARS) return text;
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${head(text, CHART_TEXT_CHARS)}…#${(h >>> 0).toString(16).padStart(8, '0').slice(0, 6)} (${text.length} characters)`;
}

/** A copy of a report's data with every string passed through {@link chartText}: what chart builders are given. */
export function chartData<T>(value: T): T {
  if (typeof value === 'string') return chartText(value) as T;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => chartData(v)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, chartData(v)])) as T;
}
