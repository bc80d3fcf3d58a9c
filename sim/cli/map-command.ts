/**
 * `systolab map`: how the row-stationary dataflow folds each GEMM layer of a model onto the array (api/map.ts,
 * map/row-stationary.ts), as a table or JSON. The spatial half of Eyeriss' mapping: PE sets, strips, passes, copies.
 */
import type { Argv } from 'yargs';
import { type MapResult, rsMap } from '../api/map.js';
import { DEFAULT_HW } from '../api/simulate.js';
import { int, percent } from '../report/format.js';
import { table } from '../report/run-report.js';
import { hwFlagOptions } from './hw-flags.js';

export interface MapArgs {
  model: string;
  layer?: string;
  hw: string;
  array?: string;
  format: 'table' | 'json';
}

/** [command, what it shows]; test/cli/map.test.ts runs every one. */
export const MAP_EXAMPLES: readonly (readonly [string, string])[] = [
  ['map --model alexnet --array 12x14', 'AlexNet on Eyeriss\' 12×14 PEs: CONV1–5 keep 154 / 135 / 156 / 156 / 156 PEs at work'],
  ['map --model resnet18 --layer layer1.0.conv1 --array 12x14 --format json', 'one layer\'s folding, as JSON'],
  ['map --model lenet-digits --hw eyeriss', 'LeNet on the eyeriss preset\'s array'],
];

export function mapBuilder(y: Argv): Argv<MapArgs> {
  const array = hwFlagOptions((d) => `${d} (overrides the config)`).array;
  return y
    .option('model', { type: 'string', demandOption: true, describe: 'a built-in model or a model file' })
    .option('layer', { type: 'string', describe: 'one layer [default: every GEMM layer]' })
    .option('hw', { type: 'string', default: DEFAULT_HW, describe: 'hardware preset or file: its array' })
    .option('array', array)
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const, describe: 'text or JSON' })
    .example(MAP_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<MapArgs>;
}

function mapText(r: MapResult): string {
  const pes = r.array.rows * r.array.cols;
  const rows = r.layers.map(({ layer, conv, mapping: m }) => [
    layer, `${conv.r}×${conv.s}`, `${conv.e}×${conv.f}`, `${int(conv.c)}→${int(conv.m)}`, `${m.set.rows}×${m.set.cols}`,
    m.strips === 1 ? '1' : `${m.strips} (${m.stripWidths.join('+')})`, String(m.passes), String(m.replication),
    String(m.activePes), m.meanActivePes.toFixed(1), percent(m.utilization),
  ]);
  return [
    `row-stationary mapping of ${r.model} on a ${r.array.rows}×${r.array.cols} array (${pes} PEs; hardware ${r.hw})`,
    table(['layer', 'filter R×S', 'ofmap E×F', 'C→M', 'PE set R×E', 'strips (widths)', 'passes', 'copies', 'active PEs', 'mean active', 'util %'], rows, new Set([6, 7, 8, 9, 10])),
    '',
    'PE set: filter rows (R) down, ofmap rows (E) across: each PE convolves one filter row with one ifmap row.',
    'strips: a set wider than the array is cut into strips stacked vertically; passes: when they do not all fit, the',
    'array takes what fits, pass after pass; copies: a set that fits more than once runs on other channels or filters.',
    'active PEs: the fullest pass (as Eyeriss reports it). Dense layers map as 1×1 convolutions. Not modelled yet: the',
    'channels, filters and images a pass holds, the spads and the global buffer (cycles and energy).',
    '',
  ].join('\n');
}

export function mapCommand(a: MapArgs): string {
  const r = rsMap({ model: a.model, layer: a.layer, hw: a.hw, array: a.array });
  return a.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : mapText(r);
}
