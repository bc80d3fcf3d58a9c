/**
 * The playground page: binds the controls (each has a data-testid, docs/playground.md) to a PlaygroundState kept in
 * the URL's hash, runs training in the Web Worker (worker.ts), and recomputes the accelerator panel with the same
 * pipeline as `systolab simulate --mode training` whenever the network or the hardware changes. The PE-array panel
 * steps a trace of the cycle-stepped array. `window.systolabPlayground` exposes the state, the training history,
 * the hardware view and frame times to scripts.
 */
import { SimError } from '../../base/errors.js';
import type { HwConfig } from '../../arch/types.js';
import type { GemmTrace } from '../../array/trace.js';
import type { Dataset } from '../../datasets/types.js';
import type { EpochRecord } from '../../float/train.js';
import { graphToDocument } from '../../ir/serialize.js';
import type { LayerGraph } from '../../ir/types.js';
import { splitOrder } from '../../run/train-run.js';
import { type EmbeddedData, FEATURE_LABELS, datasetCsv, datasetOf } from '../data.js';
import {
  type TrainingStepView, configDocument, hwConfigOf, layerTileTrace, machineOf, presetConfig, seededTrace, simulateTrainingStep, trainingStepView,
} from '../hardware.js';
import { datasetForLoss, lossOf, modelDocument, networkGraph, testSplitOf, trainCommand } from '../network.js';
import type { Boundary, PrecisionView } from '../session.js';
import {
  DEFAULT_STATE, FEATURES, HW_PRECISIONS, MAX_HIDDEN_LAYERS, MAX_NEURONS, type PlaygroundState, PRESETS, decodeState, encodeState, isPlane,
} from '../state.js';
import { type NetParams, drawBoundary, drawCurve, drawEnergy, drawNetwork, drawRoofline } from './draw.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

declare const __WORKER_SOURCE__: string;

const embedded = JSON.parse(document.getElementById('embedded')!.textContent!) as EmbeddedData;
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no element data-testid=${id}`);
  return el;
};

let state: PlaygroundState = decodeState(location.hash);
let csvText: string | undefined;
let dataset: Dataset | undefined;
let xy: Float64Array | undefined;
let graph: LayerGraph | undefined;
let records: EpochRecord[] = [];
let fixedRecords: EpochRecord[] = [];
let params: NetParams = {};
let boundary: Boundary | undefined;
let precision: PrecisionView | undefined;
let generation = 0;
let playing = false;
let hwView: TrainingStepView | undefined;
let hw: HwConfig | undefined;
/** Milliseconds the page spent on each training update it drew, each PE-array step and each accelerator-panel recomputation (the last 1,000 of each). */
const frameTimes = { update: [] as number[], pe: [] as number[], hardware: [] as number[] };
const record = (list: number[], ms: number) => { list.push(ms); if (list.length > 1000) list.splice(0, list.length - 1000); };

// ---------------------------------------------------------------------------------------------------------------
// Formatting

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
function eng(x: number, units: readonly string[], step = 1000): string {
  let i = 0;
  while (Math.abs(x) >= step && i < units.length - 1) { x /= step; i++; }
  return `${x.toPrecision(4)} ${units[i]}`;
}
const seconds = (s: number) => eng(s * 1e9, ['ns', 'µs', 'ms', 's']);
const energy = (e: number, unit: string) => (unit === 'pJ' ? eng(e, ['pJ', 'nJ', 'µJ', 'mJ', 'J']) : `${e.toPrecision(4)} MAC energies`);

function setReadout(id: string, text: string, value?: number | string): void {
  const el = $(id);
  el.textContent = text;
  if (value !== undefined) el.dataset.value = String(value);
}

// ---------------------------------------------------------------------------------------------------------------
// State ⇄ controls ⇄ URL

type Kind = 'data' | 'network' | 'hw' | 'precision' | 'trace' | 'view';
interface Binding { readonly id: string; readonly key: keyof PlaygroundState; readonly kind: Kind; readonly number?: boolean }
const BINDINGS: readonly Binding[] = [
  { id: 'dataset', key: 'dataset', kind: 'data' }, { id: 'points', key: 'points', kind: 'data', number: true },
  { id: 'noise', key: 'noise', kind: 'data', number: true }, { id: 'data-seed', key: 'dataSeed', kind: 'data', number: true },
  { id: 'train-percent', key: 'trainPercent', kind: 'data', number: true },
  { id: 'activation', key: 'activation', kind: 'network' }, { id: 'loss', key: 'loss', kind: 'network' },
  { id: 'optimizer', key: 'optimizer', kind: 'network' }, { id: 'lr', key: 'lr', kind: 'network', number: true },
  { id: 'batch', key: 'batch', kind: 'network', number: true }, { id: 'l1', key: 'l1', kind: 'network', number: true },
  { id: 'l2', key: 'l2', kind: 'network', number: true }, { id: 'dropout', key: 'dropout', kind: 'network', number: true },
  { id: 'seed', key: 'seed', kind: 'network', number: true }, { id: 'net-precision', key: 'netPrecision', kind: 'precision' },
  { id: 'preset', key: 'preset', kind: 'hw' }, { id: 'rows', key: 'rows', kind: 'hw', number: true }, { id: 'cols', key: 'cols', kind: 'hw', number: true },
  { id: 'dataflow', key: 'dataflow', kind: 'hw' }, { id: 'precision', key: 'precision', kind: 'hw' },
  { id: 'ifmap-kib', key: 'ifmapKib', kind: 'hw', number: true }, { id: 'filter-kib', key: 'filterKib', kind: 'hw', number: true },
  { id: 'ofmap-kib', key: 'ofmapKib', kind: 'hw', number: true }, { id: 'clock-mhz', key: 'clockMhz', kind: 'hw', number: true },
  { id: 'energy-table', key: 'energyTable', kind: 'hw' },
  { id: 'trace-source', key: 'traceSource', kind: 'trace' }, { id: 'trace-m', key: 'traceM', kind: 'trace', number: true },
  { id: 'trace-k', key: 'traceK', kind: 'trace', number: true }, { id: 'trace-n', key: 'traceN', kind: 'trace', number: true },
  { id: 'trace-seed', key: 'traceSeed', kind: 'trace', number: true }, { id: 'trace-layer', key: 'traceLayer', kind: 'trace', number: true },
];

/** Applies a change through the URL's reader, so a value the hash would reject is refused here too. */
function update(patch: Partial<PlaygroundState>): boolean {
  const next = { ...state, ...patch };
  const checked = decodeState(encodeState(next));
  const ok = (Object.keys(patch) as (keyof PlaygroundState)[]).every((k) => JSON.stringify(checked[k]) === JSON.stringify(next[k]));
  if (!ok) return false;
  state = checked;
  history.replaceState(null, '', `#${encodeState(state)}`);
  return true;
}

function showState(): void {
  for (const b of BINDINGS) {
    const el = $<HTMLInputElement | HTMLSelectElement>(b.id);
    el.value = String(state[b.key]);
  }
  $('noise-value').textContent = String(state.noise);
  $('train-percent-value').textContent = `${state.trainPercent} %`;
  ($('classroom') as HTMLInputElement).checked = state.classroom;
  document.body.classList.toggle('classroom', state.classroom);
  document.body.classList.toggle('show-plane', isPlane(state.dataset));
  document.body.classList.toggle('show-csv', state.dataset === 'csv');
  document.body.classList.toggle('trace-seeded', state.traceSource === 'seeded');
  $('fixed-head').textContent = state.netPrecision === 'float' ? 'accuracy (fixed point off)'
    : state.trainFixed ? `accuracy, trained in ${state.netPrecision}` : `accuracy in ${state.netPrecision}`;
  ($('train-fixed') as HTMLInputElement).checked = state.trainFixed;
  const feats = $('features');
  feats.replaceChildren(...FEATURES.map((f) => {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = state.features.includes(f);
    box.dataset.testid = `feature-${f}`;
    box.addEventListener('change', () => {
      const features = FEATURES.filter((g) => (g === f ? box.checked : state.features.includes(g)));
      if (features.length === 0 || !update({ features })) { box.checked = !box.checked; return; }
      changed('data');
    });
    label.append(box, ` ${FEATURE_LABELS[f]}`);
    return label;
  }));
  const layers = $('layers');
  layers.replaceChildren(...state.layers.map((units, i) => {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'number'; input.min = '1'; input.max = String(MAX_NEURONS); input.step = '1'; input.value = String(units);
    input.dataset.testid = `neurons-${i + 1}`;
    input.addEventListener('change', () => {
      const next = [...state.layers];
      next[i] = Number(input.value);
      if (!update({ layers: next })) { input.value = String(state.layers[i]); return; }
      changed('network');
    });
    label.append(`layer ${i + 1}`, input);
    return label;
  }));
}

function bindControls(): void {
  for (const b of BINDINGS) {
    const el = $<HTMLInputElement | HTMLSelectElement>(b.id);
    el.addEventListener('change', () => {
      const raw = el.value;
      const value = b.number ? Number(raw) : raw;
      const patch = { [b.key]: value } as Partial<PlaygroundState>;
      if (b.key === 'preset') Object.assign(patch, presetFields(raw as PlaygroundState['preset']));
      if (!update(patch)) { el.value = String(state[b.key]); status(`${b.id}: ${raw} is not allowed`); return; }
      changed(b.kind);
    });
  }
  $('add-layer').addEventListener('click', () => {
    if (state.layers.length >= MAX_HIDDEN_LAYERS) return status(`at most ${MAX_HIDDEN_LAYERS} hidden layers`);
    if (update({ layers: [...state.layers, state.layers[state.layers.length - 1] ?? 4] })) changed('network');
  });
  $('remove-layer').addEventListener('click', () => {
    if (state.layers.length > 0 && update({ layers: state.layers.slice(0, -1) })) changed('network');
  });
  $('train-fixed').addEventListener('change', () => { if (update({ trainFixed: ($('train-fixed') as HTMLInputElement).checked })) changed('network'); });
  $('classroom').addEventListener('change', () => { update({ classroom: ($('classroom') as HTMLInputElement).checked }); showState(); });
  $('play').addEventListener('click', () => (playing ? pause() : play()));
  $('step').addEventListener('click', () => { playing = false; showPlaying(); post({ type: 'step' }); });
  $('reset').addEventListener('click', () => restartTraining());
  $('stop-epoch').addEventListener('change', () => showTrainCommand());
  $('csv-file').addEventListener('change', async () => {
    const file = ($('csv-file') as HTMLInputElement).files?.[0];
    if (!file) return;
    csvText = await file.text();
    changed('data');
  });
  $('share-link').addEventListener('click', () => {
    const url = location.href;
    void navigator.clipboard?.writeText(url).then(() => status('link copied'), () => status(url));
  });
  $('export-model').addEventListener('click', () => exportModel());
  $('export-network').addEventListener('click', () => {
    if (!graph) return;
    download('playground-network.json', JSON.stringify(modelDocument(state, dataset!), null, 2));
  });
  $('export-data').addEventListener('click', () => exportData());
  $('export-config').addEventListener('click', () => { if (hw) download('playground-hw.json', JSON.stringify(configDocument(hw), null, 2)); });
  $('pe-step').addEventListener('click', () => { stopPeRun(); peStep(1); });
  $('pe-run').addEventListener('click', () => (peTimer === undefined ? peRun() : stopPeRun()));
  $('pe-reset').addEventListener('click', () => { stopPeRun(); peShow(-1); });
}

/** Picking a preset loads its array, precision, SRAM and clock into the panel. */
function presetFields(name: PlaygroundState['preset']): Partial<PlaygroundState> {
  const c = presetConfig(name, embedded);
  const precision = (HW_PRECISIONS as readonly string[]).includes(c.numerics.input) ? c.numerics.input as PlaygroundState['precision'] : state.precision;
  return {
    rows: c.array.rows, cols: c.array.cols, dataflow: c.array.dataflow, precision, ifmapKib: Math.round(c.sram.ifmapKib),
    filterKib: Math.round(c.sram.filterKib), ofmapKib: Math.round(c.sram.ofmapKib), clockMhz: c.clockHz / 1e6, energyTable: 'preset',
  };
}

function status(text: string): void { $('status').textContent = text; }

function changed(kind: Kind): void {
  showState();
  if (kind === 'data' || kind === 'network') restartTraining();
  if (kind === 'data' || kind === 'network' || kind === 'hw') recomputeHardware();
  if (kind === 'precision' && state.trainFixed) restartTraining();   // the run in the format starts over
  else if (kind === 'precision') post({ type: 'precision', format: state.netPrecision });
  if (kind === 'hw' || kind === 'trace' || kind === 'network' || kind === 'data') rebuildTrace();
}

// ---------------------------------------------------------------------------------------------------------------
// Training (the worker)

const worker = new Worker(URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' })));
const post = (m: WorkerRequest) => worker.postMessage(m);
let tileWaiter: ((op: Extract<WorkerReply, { type: 'tile' }>['op']) => void) | undefined;
let paramsWaiter: ((p: NetParams) => void) | undefined;

const forLoss = (): Dataset => datasetForLoss(dataset!, lossOf(state, dataset!));

function restartTraining(): void {
  playing = false;
  showPlaying();
  records = [];
  fixedRecords = [];
  precision = undefined;
  generation++;
  try {
    ({ dataset, xy } = datasetOf(state, embedded, csvText));
    graph = networkGraph(state, forLoss());
  } catch (e) {
    dataset = undefined; graph = undefined;
    status(e instanceof Error ? e.message : String(e));
    drawBoundary($('boundary') as HTMLCanvasElement, undefined, undefined, e instanceof Error ? e.message : String(e));
    return;
  }
  const loss = lossOf(state, dataset);
  status(loss === state.loss ? '' : `${dataset.name} has more than two classes: the loss is softmax cross-entropy (${state.loss} needs 0/1 labels)`);
  post({ type: 'precision', format: state.netPrecision });
  post({ type: 'reset', generation, state, dataset });
  showTrainCommand();
  const test = Math.round(dataset.features.shape[0] * testSplitOf(state));
  $('data-note').textContent = `${dataset.description} · ${dataset.features.shape[0] - test} training / ${test} test samples (dark rings: test).`;
  renderTraining();
}

function showTrainCommand(): void {
  if (!dataset) return;
  const code = document.createElement('code');
  code.textContent = trainCommand(state, dataset, Math.max(1, Number(($('stop-epoch') as HTMLInputElement).value) || 100));
  $('train-command').replaceChildren('The same run from the command line (Export network, then): ', code);
}

function play(): void {
  if (!dataset) return;
  playing = true;
  showPlaying();
  post({ type: 'play', stopAt: Number(($('stop-epoch') as HTMLInputElement).value) || 0 });
}
function pause(): void { playing = false; showPlaying(); post({ type: 'pause' }); }
function showPlaying(): void { $('play').textContent = playing ? '❚❚ Pause' : '▶ Play'; $('play').dataset.playing = String(playing); }

worker.onmessage = (e: MessageEvent<WorkerReply>) => {
  const m = e.data;
  if (m.generation !== generation) return;
  const t0 = performance.now();
  if (m.type === 'error') { playing = false; showPlaying(); status(`training stopped: ${m.message}`); return; }
  if (m.type === 'tile') { tileWaiter?.(m.op); tileWaiter = undefined; return; }
  if (m.type === 'params') { paramsWaiter?.(m.params); paramsWaiter = undefined; return; }
  if (m.type === 'ready') {
    params = m.params; boundary = m.boundary;
    if (m.notes.length) status(m.notes.join('; '));
  } else {
    records.push(...m.records);
    fixedRecords.push(...m.fixedRecords);
    params = m.params; boundary = m.boundary;
    if (m.precision) precision = m.precision;
    if (!m.playing && playing) { playing = false; showPlaying(); }
  }
  renderTraining();
  record(frameTimes.update, performance.now() - t0);
};

function testMask(): boolean[] | undefined {
  if (!dataset) return undefined;
  const n = dataset.features.shape[0];
  const nTest = Math.round(n * testSplitOf(state));
  const order = splitOrder(n, nTest, state.seed);
  const mask = new Array<boolean>(n).fill(false);
  for (const i of order.slice(n - nTest)) mask[i] = true;
  return mask;
}

function renderTraining(): void {
  const last = records[records.length - 1];
  setReadout('epoch', String(records.length), records.length);
  const metric = (id: string, v: number | null | undefined, f: (x: number) => string) => setReadout(id, v === null || v === undefined ? '–' : f(v), v ?? '');
  metric('train-loss', last?.train.loss, (x) => x.toPrecision(4));
  metric('test-loss', last?.test?.loss, (x) => x.toPrecision(4));
  metric('train-accuracy', last?.train.accuracy, pct);
  metric('test-accuracy', last?.test?.accuracy, pct);
  const p = state.netPrecision !== 'float' ? precision : undefined;
  metric('fixed-train-accuracy', p?.trainAccuracy, pct);
  metric('fixed-test-accuracy', p?.testAccuracy, pct);
  if (!dataset) return;
  const mask = testMask()!;
  const points = xy ? { xy, labels: dataset.targets.data, test: mask } : undefined;
  const note = `${dataset.name}: ${dataset.features.data.length / dataset.features.shape[0]} inputs, not 2-D,\nso no decision boundary is drawn;\nsee the accuracies below.`;
  drawBoundary($('boundary') as HTMLCanvasElement, boundary, points, note);
  drawBoundary($('boundary-fixed') as HTMLCanvasElement, p?.boundary, points, p ? note : 'choose a format below\nto run the network in it');
  drawCurve($('loss-curve') as HTMLCanvasElement, records, state.trainFixed ? fixedRecords : [], state.netPrecision);
  const inputs = isPlane(state.dataset) ? state.features.map((f) => FEATURE_LABELS[f]) : dataset.featureNames;
  const out = lossOf(state, dataset) === 'softmax-ce' ? Math.max(2, dataset.task === 'multiclass' ? Math.max(...dataset.targets.data) + 1 : 2) : 1;
  drawNetwork($('network-diagram') as HTMLCanvasElement, inputs, [...state.layers, out], params);
}

// ---------------------------------------------------------------------------------------------------------------
// The accelerator panel

function recomputeHardware(): void {
  const t0 = performance.now();
  showHardware();
  record(frameTimes.hardware, performance.now() - t0);
}

function showHardware(): void {
  const error = $('hw-error');
  error.hidden = true;
  if (!graph) return;
  try {
    hw = hwConfigOf(state, embedded);
    const report = simulateTrainingStep(graph, machineOf(hw, embedded), state.batch, embedded.version);
    hwView = trainingStepView(report);
  } catch (e) {
    hwView = undefined;
    error.hidden = false;
    error.textContent = e instanceof SimError || e instanceof Error ? e.message : String(e);
    return;
  }
  const v = hwView;
  setReadout('hw-batch', String(state.batch));
  setReadout('latency-cycles', int(v.totalCycles), v.totalCycles);
  setReadout('latency-seconds', `${seconds(v.seconds)} at ${state.clockMhz} MHz`, v.seconds);
  setReadout('utilization', `${pct(v.overallUtilization)} of the PEs busy`, v.overallUtilization);
  const loss = v.loss;
  setReadout('utilization-loss', loss
    ? `lost: ${pct(loss.unmappedPes)} unmapped PEs, ${pct(loss.fillAndDrain)} fill/drain, ${pct(loss.stalls)} memory stalls, ${pct(loss.vectorUnit)} vector unit`
    : '');
  setReadout('energy-total', energy(v.energyTotal, v.energyUnit), v.energyTotal);
  setReadout('pj-per-mac', v.perMac === undefined ? '' : `${v.perMac.toPrecision(4)} ${v.energyUnit === 'pJ' ? 'pJ' : 'MAC energies'}/MAC`, v.perMac ?? '');
  setReadout('bound', `${v.roofline.bound}-bound`, v.roofline.bound);
  setReadout('intensity', `${v.roofline.arithmeticIntensityMacsPerByte.toPrecision(4)} MACs/B of DRAM`, v.roofline.arithmeticIntensityMacsPerByte);
  drawEnergy($('energy-by-component') as HTMLCanvasElement, v);
  drawRoofline($('roofline') as HTMLCanvasElement, v);
  table($('pass-table'), ['pass', 'cycles', 'MACs', `energy (${v.energyUnit})`], v.byPass.map((p) => [p.pass, int(p.cycles), int(p.macs), p.energy.toPrecision(4)]));
  table($('gemm-table'), ['GEMM', 'M×K×N', 'cycles', 'busy PEs', 'bound'], v.gemms.map((g) => [g.id, `${g.m}×${g.k}×${g.n}`, int(g.cycles), pct(g.utilization), g.bound]));
  const cmd = document.createElement('code');
  cmd.textContent = `systolab simulate --model playground-model.json --hw playground-hw.json --mode training --batch ${state.batch}`;
  $('simulate-command').replaceChildren('The same numbers from the command line (Export model and config, then): ', cmd,
    ...(v.warnings.length ? [document.createElement('br'), `warnings: ${v.warnings.join('; ')}`] : []));
}

function table(el: HTMLElement, head: readonly string[], rows: readonly (readonly string[])[]): void {
  const tr = (cells: readonly string[], tag: 'th' | 'td') => {
    const r = document.createElement('tr');
    for (const c of cells) { const d = document.createElement(tag); d.textContent = c; r.append(d); }
    return r;
  };
  el.replaceChildren(tr(head, 'th'), ...rows.map((r) => tr(r, 'td')));
}

// ---------------------------------------------------------------------------------------------------------------
// The PE array

let trace: GemmTrace | undefined;
let peCycle = -1;
let peTimer: ReturnType<typeof setInterval> | undefined;
let selected: [number, number] | undefined;
let peCells: HTMLElement[] = [];
let traceBuild = 0;

async function rebuildTrace(): Promise<void> {
  stopPeRun();
  const build = ++traceBuild;
  trace = undefined;
  const note = $('pe-note');
  try {
    const config = hwConfigOf(state, embedded);
    if (state.traceSource === 'seeded') {
      const run = seededTrace(state, config);
      trace = run.trace;
      note.textContent = `A (${run.gemm.m}×${run.gemm.k}) and B (${run.gemm.k}×${run.gemm.n}) hold random integers −3…3 (seed ${run.seed}), as systolab simulate --trace ${run.gemm.m}x${run.gemm.k}x${run.gemm.n} --array ${config.array.rows}x${config.array.cols} --dataflow ${config.array.dataflow} --seed ${run.seed} draws them; ${run.computeCycles} cycles, ${run.macs} MACs, result ${run.matchesPlainGemm ? 'equals' : 'DIFFERS FROM'} the plain GEMM.`;
    } else {
      const dense = graph?.layers.filter((l) => l.kind === 'dense') ?? [];
      $('trace-layer').replaceChildren(...dense.map((l, i) => { const o = document.createElement('option'); o.value = String(i); o.textContent = `${l.name} forward`; return o; }));
      ($('trace-layer') as HTMLSelectElement).value = String(Math.min(state.traceLayer, dense.length - 1));
      const op = await new Promise<Extract<WorkerReply, { type: 'tile' }>['op']>((resolve) => { tileWaiter = resolve; post({ type: 'tile', layer: state.traceLayer, rows: config.array.rows }); });
      if (build !== traceBuild) return;
      if (!op) throw new Error('no such dense layer');
      const t = layerTileTrace(op, config, 16);
      trace = t.trace;
      note.textContent = `${op.layer} forward, the tile of its first ${t.m} samples × ${t.n} units over ${t.k} of its ${op.k} inputs: A = inputs as int8 codes (scale ${t.scaleA.toPrecision(3)}), B = weights as int8 codes (scale ${t.scaleB.toPrecision(3)}), from the current weights.`;
    }
  } catch (e) {
    note.textContent = e instanceof Error ? e.message : String(e);
  }
  if (build !== traceBuild) return;
  buildPeGrid();
  peShow(-1);
}

function buildPeGrid(): void {
  const grid = $('pe-grid');
  if (!trace) { grid.replaceChildren(); peCells = []; $('pe-cycles').textContent = '–'; return; }
  const { rows, cols } = trace.shape;
  grid.style.gridTemplateColumns = `repeat(${cols}, auto)`;
  const small = cols > 12;
  peCells = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const cell = document.createElement('div');
      cell.className = small ? 'pe small' : 'pe';
      cell.dataset.testid = `pe-${i}-${j}`;
      cell.title = `PE (${i}, ${j})`;
      cell.addEventListener('click', () => { selected = [i, j]; peShow(peCycle); });
      peCells.push(cell);
    }
  }
  grid.replaceChildren(...peCells);
  $('pe-cycles').textContent = String(trace.cycles.length);
}

const show = (x: number | null) => (x === null ? '·' : String(x));

/** Shows the array after cycle `c` (−1: before the first). */
function peShow(c: number): void {
  const t0 = performance.now();
  peCycle = c;
  if (!trace) return;
  const snap = c >= 0 ? trace.cycles[c] : undefined;
  const { rows, cols } = trace.shape;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const cell = peCells[i * cols + j];
      const a = snap ? snap.a[i][j] : null, b = snap ? snap.b[i][j] : null, acc = snap ? snap.acc[i][j] : 0;
      const mac = snap ? snap.mac[i][j] : false;
      cell.className = `${cols > 12 ? 'pe small' : 'pe'}${mac ? ' mac' : a !== null || b !== null ? ' hold' : ''}${selected && selected[0] === i && selected[1] === j ? ' selected' : ''}`;
      cell.dataset.a = show(a); cell.dataset.b = show(b); cell.dataset.acc = String(acc); cell.dataset.mac = String(mac);
      if (cols <= 12) cell.textContent = `${show(a)} ${show(b)}\n${acc}`;
    }
  }
  setReadout('pe-cycle', c < 0 ? '–' : String(c), c);
  $('pe-phase').textContent = snap ? `fold ${snap.fold + 1}/${trace.run.folds}, ${snap.phase} cycle ${snap.foldCycle}` : 'before the first cycle';
  if (selected && snap) {
    const [i, j] = selected;
    $('pe-selected').textContent = `(${i}, ${j})`;
    $('pe-values').textContent = `after cycle ${c}:\n  A operand  ${show(snap.a[i][j])}\n  B operand  ${show(snap.b[i][j])}\n  ${trace.shape.dataflow === 'os' ? 'accumulator' : 'partial sum'}  ${snap.acc[i][j]}\n  MAC started: ${snap.mac[i][j] ? 'yes' : 'no'}\n  busy cycles in the run: ${trace.run.busyCycles[i * cols + j]}`;
  } else if (!snap) {
    $('pe-values').textContent = '';
  }
  record(frameTimes.pe, performance.now() - t0);
}

function peStep(n: number): void {
  if (!trace) return;
  peShow(Math.min(trace.cycles.length - 1, peCycle + n));
}
function peRun(): void {
  $('pe-run').textContent = '❚❚ Pause';
  peTimer = setInterval(() => {
    if (!trace || peCycle >= trace.cycles.length - 1) return stopPeRun();
    peStep(1);
  }, 120);
}
function stopPeRun(): void {
  if (peTimer !== undefined) clearInterval(peTimer);
  peTimer = undefined;
  $('pe-run').textContent = '▶ Run';
}

// ---------------------------------------------------------------------------------------------------------------
// Exports

function download(name: string, text: string, type = 'application/json'): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

async function exportModel(): Promise<void> {
  if (!graph) return;
  const p = await new Promise<NetParams>((resolve) => { paramsWaiter = resolve; post({ type: 'params' }); });
  const doc = graphToDocument(graph, p, `the Systolab playground network after ${records.length} epochs on ${dataset?.name}`);
  download('playground-model.json', JSON.stringify(doc, null, 2));
}

function exportData(): void {
  if (dataset) download('playground-data.csv', datasetCsv(forLoss()), 'text/csv');
}

// ---------------------------------------------------------------------------------------------------------------

$('preset').replaceChildren(...PRESETS.map((p) => { const o = document.createElement('option'); o.value = p; o.textContent = p; return o; }));
$('version').textContent = embedded.version;
if (location.hash === '' || location.hash === '#') {
  // A fresh page starts from the default preset's SRAM, clock and energy table with the default's small array.
  update({ ...presetFields(DEFAULT_STATE.preset), rows: DEFAULT_STATE.rows, cols: DEFAULT_STATE.cols });
}
showState();
bindControls();
// A link pasted into this tab (only the hash changes, so the page does not load again) starts that setup.
window.addEventListener('hashchange', () => { if (location.hash.replace(/^#/, '') !== encodeState(state)) location.reload(); });
restartTraining();
recomputeHardware();
void rebuildTrace();

(window as unknown as { systolabPlayground: unknown }).systolabPlayground = {
  state: () => state,
  history: () => records,
  fixedHistory: () => fixedRecords,
  hardware: () => hwView,
  frameTimes: () => ({ update: [...frameTimes.update], pe: [...frameTimes.pe], hardware: [...frameTimes.hardware] }),
  trace: () => trace && { shape: trace.shape, cycles: trace.cycles.length, gemm: trace.gemm },
};
