/**
 * `systolab map`: how the row-stationary dataflow maps each GEMM layer of a model onto the array (api/map.ts,
 * map/row-stationary.ts), as a table or JSON: the spatial half (PE sets, strips, passes, copies), and the temporal
 * mappings — the fixed one and the mapper's best `--top` (run/rs-mapper.ts) — with their cycles, DRAM and energy.
 * `--compat ncku-lab2`: NCKU Lab 2's analytical model on its VGG-8 layers, its mapping beside the mapper's best.
 */
import type { Argv } from 'yargs';
import { type LabResult, type MapResult, type RsCandidate, nckuLab2, rsMap } from '../api/map.js';
import type { RsTemporal } from '../map/row-stationary.js';
import { LAB_OBJECTIVES, LAB_SEARCHES, type LabObjective, type LabSearch } from '../compat/ncku-lab2/mapper.js';
import type { LabCost, LabMapping } from '../compat/ncku-lab2/model.js';
import { SimError } from '../base/errors.js';
import { DEFAULT_HW } from '../api/simulate.js';
import { int, percent } from '../report/format.js';
import { table } from '../report/run-report.js';
import { hwFlagOptions } from './hw-flags.js';

export interface MapArgs {
  model?: string;
  compat: 'none' | 'ncku-lab2';
  config?: string;
  objective: LabObjective;
  top: number;
  search: LabSearch;
  mapperBudget: number;
  seed: number;
  layer?: string;
  mode: 'inference' | 'training';
  hw: string;
  array?: string;
  format: 'table' | 'json';
}

/** [command, what it shows]; test/cli/map.test.ts runs every one. */
export const MAP_EXAMPLES: readonly (readonly [string, string])[] = [
  ['map --model alexnet --array 12x14', 'AlexNet on Eyeriss\' 12×14 PEs: CONV1–5 keep 154 / 135 / 156 / 156 / 156 PEs at work'],
  ['map --model resnet18 --layer layer1.0.conv1 --array 12x14 --format json', 'one layer\'s folding, as JSON'],
  ['map --model lenet-digits --hw eyeriss', 'LeNet on the eyeriss preset\'s array'],
  ['map --model alexnet --hw eyeriss --layer conv3 --objective energy --top 5', 'one layer\'s five least-energy temporal mappings beside the fixed one: p, q per PE, the GLB tile and its loops'],
  ['map --model resnet18 --hw eyeriss --layer layer1.0.conv1 --search exhaustive --top 1', 'the provable optimum of a small mapspace (the same as the default pruned search)'],
  ['map --model lenet-digits --hw eyeriss --mode training', 'and its backward passes, each a convolution: dX = dY ⊛ W (R × H sets), dW = X ⋆ dY (E × R sets)'],
  ['map --compat ncku-lab2', 'NCKU AI-on-Chip Lab 2\'s analytical model on its VGG-8 layers: the lab\'s mapping and the mapper\'s best EDP'],
  ['map --compat ncku-lab2 --layer conv3 --objective latency --top 5 --format json', 'the five fastest mappings of one layer, as JSON'],
  ['map --compat ncku-lab2 --search random --mapper-budget 2000 --seed 3', 'a random search of at most 2,000 draws per layer, beside the lab\'s mapping'],
];

export function mapBuilder(y: Argv): Argv<MapArgs> {
  const array = hwFlagOptions((d) => `${d} (overrides the config)`).array;
  return y
    .option('model', { type: 'string', describe: 'a built-in model or a model file (not with --compat ncku-lab2)' })
    .option('compat', { choices: ['none', 'ncku-lab2'] as const, default: 'none' as const, describe: 'ncku-lab2: NCKU Lab 2\'s analytical model and mapspace on its own workload (docs/ncku-lab2.md)' })
    .option('config', { type: 'string', describe: `ncku-lab2: the lab's hardware, layers and mapping [default: hw-configs/compat/ncku-lab2.yaml]` })
    .option('objective', { choices: LAB_OBJECTIVES, default: 'edp' as const, describe: 'what the mapper minimizes' })
    .option('top', { type: 'number', default: 3, describe: 'how many of the best mappings to list per layer' })
    .option('search', { choices: LAB_SEARCHES, default: 'pruned' as const, describe: 'pruned (every valid mapping, built from the constraints), exhaustive (every value of every parameter, checked after: small layers only), random (seeded draws from the valid ones, with a stop when they stop improving)' })
    .option('mapper-budget', { type: 'number', default: 10_000, describe: '--search random: draws at most' })
    .option('seed', { type: 'number', default: 1, describe: '--search random: the seed' })
    .option('layer', { type: 'string', describe: 'one layer [default: every GEMM layer]' })
    .option('mode', { choices: ['inference', 'training'] as const, default: 'inference' as const, describe: 'training: the backward passes too (backwardData and backwardWeight of a conv are convolutions, mapped as such)' })
    .option('hw', { type: 'string', default: DEFAULT_HW, describe: 'hardware preset or file: its array' })
    .option('array', array)
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const, describe: 'text or JSON' })
    .example(MAP_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<MapArgs>;
}

const temporalText = (t: RsTemporal): string => `p ${t.p} q ${t.q} · GLB n ${t.glbN} m ${t.glbM} c ${t.glbC} e ${t.glbE} · ${t.order}`;
const candidateCells = (c: RsCandidate): string[] => [temporalText(c.temporal), int(c.cycles), percent(c.utilization), c.dramAccessesPerMac.toPrecision(3), c.energy.toPrecision(4), c.edp.toPrecision(4)];

function mapText(r: MapResult): string {
  const pes = r.array.rows * r.array.cols;
  const rows = r.layers.map(({ layer, pass, conv, mapping: m }) => [
    layer, pass, `${conv.r}×${conv.s}`, `${conv.e}×${conv.f}`, `${int(conv.n)}×${int(conv.c)}→${int(conv.m)}`, `${m.set.rows}×${m.set.cols}`,
    m.strips === 1 ? '1' : `${m.strips} (${m.stripWidths.join('+')})`, String(m.passes), String(m.replication),
    String(m.activePes), m.meanActivePes.toFixed(1), percent(m.utilization),
  ]);
  const ranked: string[][] = [];
  for (const l of r.layers) {
    ranked.push([l.layer, l.pass, 'fixed', ...candidateCells(l.fixed)]);
    l.best.forEach((b, i) => ranked.push(['', '', `best ${i + 1}`, ...candidateCells(b)]));
  }
  return [
    `row-stationary mapping of ${r.model} on a ${r.array.rows}×${r.array.cols} array (${pes} PEs; hardware ${r.hw})`,
    table(['layer', 'pass', 'filter R×S', 'ofmap E×F', 'N×C→M', 'PE set R×E', 'strips (widths)', 'passes', 'copies', 'active PEs', 'mean active', 'PEs used %'], rows, new Set([7, 8, 9, 10, 11])),
    '',
    'PE set: filter rows (R) down, ofmap rows (E) across: each PE convolves one filter row with one ifmap row.',
    'strips: a set wider than the array is cut into strips stacked vertically; passes: when they do not all fit, the',
    'array takes what fits, pass after pass; copies: a set that fits more than once runs on other channels or filters.',
    'active PEs: the fullest pass of the whole layer\'s set (as Eyeriss reports it); a GLB tile of fewer ofmap rows (e',
    'below) may use fewer. Dense layers map as 1×1 convolutions (images = batch rows).',
    '',
    `Temporal mappings — the fixed one and the mapper's best (${r.search.mode} search, objective ${r.objective}), priced as simulate prices them:`,
    table(['layer', 'pass', 'mapping', 'p, q per PE · GLB tile · GLB loops', 'cycles', 'util %', 'DRAM acc/MAC', `energy (${r.energyUnit})`, `EDP (${r.energyUnit}·cycles)`], ranked, new Set([4, 5, 6, 7, 8])),
    '',
    'p filters × q channels per PE (ifmap spad q·S, filter spad p·q·S, psum spad p words); the GLB holds n images ×',
    'c channels of the ifmap rows e ofmap rows read, m × c filters and n × m × e ofmap rows of partial sums; GLB loops',
    'outer first. docs/row-stationary.md.',
    '',
  ].join('\n');
}

const mappingText = (m: LabMapping): string => `m ${m.m}, n ${m.n}, e ${m.e}, p ${m.p}, q ${m.q}, r ${m.r}, t ${m.t}`;
const costCells = (c: LabCost): string[] => [
  int(c.glbUsage.total), int(c.dram.total), int(c.glb.total), int(Math.round(c.cycles.total)), c.energyUj.total.toPrecision(4), (c.edpUjS * 1e3).toPrecision(4),
];

function labText(r: LabResult): string {
  const rows: string[][] = [];
  for (const l of r.layers) {
    const lab = l.labMapping;
    rows.push([l.layer.name, 'lab', mappingText(lab.mapping), ...(lab.cost ? costCells(lab.cost) : ['breaks: ' + lab.checks.filter((c) => !c.ok).map((c) => c.name).join('; '), '', '', '', '', ''])]);
    l.best.forEach((b, i) => rows.push(['', `best ${i + 1}`, mappingText(b.mapping), ...costCells(b.cost)]));
  }
  const hw = r.hardware;
  return [
    `NCKU Lab 2's analytical model (${r.config}): ${hw.peArrayH}×${hw.peArrayW} PEs, spads ${hw.ifmapSpad}/${hw.filterSpad}/${hw.psumSpad}, GLB ${int(hw.glbBytes)} B, ${hw.clockHz / 1e6} MHz; mapper: ${r.search.mode} search, objective ${r.objective}`,
    table(['layer', 'mapping', 'm, n, e, p, q, r, t', 'GLB use B', 'DRAM B', 'GLB B', 'cycles', 'energy µJ', 'EDP nJ·s'], rows, new Set([3, 4, 5, 6, 7, 8])),
    '',
    `${r.search.mode === 'random' ? 'valid draws' : 'valid mappings ranked'} per layer: ${r.layers.map((l) => `${l.layer.name} ${int(l.validMappings)}`).join(', ')}.`,
    'Latency is the lab\'s serial sum: DRAM bytes × 5/4 + GLB bytes × 2/4 + PE compute + PPU cycles (no overlap).',
    'Energy: 2 pJ per MAC, 10 pJ per GLB byte, 200 pJ per DRAM byte, 50 µW leakage. The formulas, and the readings',
    'where the handout leaves one as homework: docs/ncku-lab2.md.',
    '',
  ].join('\n');
}

export function mapCommand(a: MapArgs): string {
  if (a.compat === 'ncku-lab2') {
    if (a.model !== undefined) throw new SimError('--compat ncku-lab2 runs the lab\'s own workload; leave out --model', { code: 'badValue', path: '--model', value: a.model });
    if (!Number.isInteger(a.top) || a.top < 1 || a.top > 100) throw new SimError('must be an integer from 1 to 100', { code: 'badValue', path: '--top', value: a.top });
    if (!Number.isInteger(a.mapperBudget) || a.mapperBudget < 1 || a.mapperBudget > 10_000_000) throw new SimError('must be an integer from 1 to 10,000,000', { code: 'badValue', path: '--mapper-budget', value: a.mapperBudget });
    const lab = nckuLab2({ config: a.config, layer: a.layer, objective: a.objective, top: a.top, search: { mode: a.search, budget: a.mapperBudget, seed: a.seed } });
    return a.format === 'json' ? `${JSON.stringify(lab, null, 2)}\n` : labText(lab);
  }
  if (a.model === undefined) throw new SimError('names the model to map', { code: 'missingField', path: '--model', hint: 'Example: --model alexnet --array 12x14, or --compat ncku-lab2.' });
  if (!Number.isInteger(a.top) || a.top < 1 || a.top > 100) throw new SimError('must be an integer from 1 to 100', { code: 'badValue', path: '--top', value: a.top });
  const r = rsMap({ model: a.model, layer: a.layer, mode: a.mode, hw: a.hw, array: a.array }, { objective: a.objective, top: a.top, search: { mode: a.search, budget: a.mapperBudget, seed: a.seed } });
  return a.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : mapText(r);
}
