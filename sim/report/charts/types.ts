/** A chart: a file stem (`energy-per-layer`), a one-line caption and a vega-lite spec with its data inlined. */
export type VlSpec = Record<string, unknown>;

export interface Chart {
  /** File stem under charts/: letters, digits and dashes only. */
  readonly name: string;
  readonly title: string;
  readonly spec: VlSpec;
}

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
