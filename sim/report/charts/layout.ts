/**
 * Sizes that make a chart fit the page: every chart, labels and legend included, is at most PAGE_WIDTH_PX wide (the
 * HTML report's column is wider; narrower windows scale the SVG down), and category labels are given room for their
 * full text, measured the way vega measures text when it has no canvas (0.8 × font size per character, wider than
 * DejaVu Sans really is), so neither the PNG nor the browser shortens a name with "…".
 */

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
