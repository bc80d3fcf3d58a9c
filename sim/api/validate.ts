/**
 * `systolab validate` as a library call: every (preset, workload, published figure) row — the figure, its source,
 * the published value, ours, the error and the tolerance — for the presets of machines that were built and measured
 * (hw-configs/tpu-v1.yaml, eyeriss.yaml, gemmini.yaml). Nothing here is fitted: the presets come from the papers'
 * descriptions, and these rows are the out-of-sample check (docs/validation.md is generated from them).
 *
 * The GEMM machines run with `--mapper search --objective latency`: their compilers tile the streamed dim so that
 * partial sums stay in the accumulators, which the fixed mapping does not (docs/mapper.md). Eyeriss runs its fixed
 * row-stationary mapping.
 *
 * A row passes when its error is within its tolerance. A row our model cannot meet says why (`knownGap`), and a
 * figure that needs what we do not model is reported with our figure and `not modelled`. Any other miss fails, and
 * `validate` exits 1.
 */
import { buildGraph } from '../ir/graph.js';
import { parseModel } from '../ir/parse.js';
import { packageVersion } from '../base/package-root.js';
import { loadHwConfig, resolveMachine } from '../load/hw.js';
import { simulateGraph } from '../run/pipeline.js';
import type { CostReport, GemmCost } from '../run/cost-report.js';
import { TPU_APPS, TPU_TABLE1, type TpuApp, tpuApp } from '../../models/zoo/validation.js';
import type { HwConfig } from '../arch/types.js';
import { loadAnyModel } from '../load/model.js';

export type Tolerance =
  | { readonly kind: 'relative'; readonly value: number }
  | { readonly kind: 'absolute'; readonly value: number; readonly unit: string }
  | { readonly kind: 'exact' }
  | { readonly kind: 'category' };

export type RowStatus = 'pass' | 'known-gap' | 'not-modelled' | 'fail';

export interface ValidationRow {
  readonly machine: string;
  readonly workload: string;
  readonly figure: string;
  /** Paper, and table or section. */
  readonly source: string;
  readonly published: number | string;
  readonly simulated: number | string;
  readonly unit: string;
  /** (simulated − published) / published for relative rows, simulated − published for absolute ones. */
  readonly error?: number;
  readonly tolerance: Tolerance;
  readonly status: RowStatus;
  /** Why a row misses (known-gap), what is not modelled, or how the figure is derived. */
  readonly note?: string;
}

export interface ValidationResult {
  readonly version: string;
  readonly rows: readonly ValidationRow[];
  readonly counts: Readonly<Record<RowStatus, number>>;
}

const JOUPPI = 'Jouppi et al., ISCA 2017';
const CHEN = 'Chen et al., JSSC 2017';

interface RowSpec {
  readonly machine: string; readonly workload: string; readonly figure: string; readonly source: string;
  readonly published: number | string; readonly simulated: number | string; readonly unit: string;
  readonly tolerance: Tolerance;
  /** Reported as is, never a failure: a figure that needs what the model lacks. */
  readonly notModelled?: string;
  /** Why the row may miss; a miss without it fails. */
  readonly knownGap?: string;
  readonly note?: string;
}

function row(s: RowSpec): ValidationRow {
  const { notModelled, knownGap, ...rest } = s;
  let error: number | undefined, within: boolean;
  const t = s.tolerance;
  if (t.kind === 'category' || t.kind === 'exact') {
    within = s.simulated === s.published;
  } else {
    const pub = s.published as number, sim = s.simulated as number;
    error = t.kind === 'relative' ? (sim - pub) / pub : sim - pub;
    within = Math.abs(error) <= t.value + 1e-12;
  }
  const status: RowStatus = notModelled !== undefined ? 'not-modelled' : within ? 'pass' : knownGap !== undefined ? 'known-gap' : 'fail';
  const note = notModelled ?? (status === 'known-gap' ? knownGap : s.note);
  return { ...rest, ...(error !== undefined ? { error } : {}), status, ...(note !== undefined ? { note } : {}) };
}

const rel = (value: number): Tolerance => ({ kind: 'relative', value });
const gemmEntries = (r: CostReport) => r.layers.filter((l): l is GemmCost => l.kind === 'gemm');

/** Measured TOPS and weight-stall shares of TPU v1 (Jouppi et al., Table 3). */
const TPU_TABLE3: Readonly<Record<TpuApp, { readonly tops: number; readonly weightStallPct: number }>> = {
  mlp0: { tops: 12.3, weightStallPct: 53.9 }, mlp1: { tops: 9.7, weightStallPct: 44.2 }, lstm0: { tops: 3.7, weightStallPct: 58.1 },
  lstm1: { tops: 2.8, weightStallPct: 62.1 }, cnn0: { tops: 86.0, weightStallPct: 0.0 }, cnn1: { tops: 14.1, weightStallPct: 28.1 },
};
/** Jouppi et al., Table 1's ceilings as the issue quotes them: 2·min(peak, 34 GB/s × intensity), TOPS. */
const TPU_CEILINGS: Readonly<Record<TpuApp, number>> = { mlp0: 13.6, mlp1: 11.4, lstm0: 4.35, lstm1: 6.53, cnn0: 91.75, cnn1: 91.75 };
/**
 * Why a TPU row may miss. The preset keeps activations in the Unified Buffer (sram.activationsOnChip), as the paper
 * describes, so only weights move through the 34 GB/s port.
 */
const STALL_DEFINITION = 'our stalls are the weight-memory time compute does not hide, and our ws model counts shifting weights in (rows cycles per fold) as compute; Table 3 counts weight shifting separately and its weight stalls include waiting on a Weight FIFO four tiles deep';
const SERIAL_PRELOAD = 'our ws model (SCALE-Sim\'s convention) preloads each fold\'s weights and fills and drains the array fold by fold, and runs CNN0\'s 2,888-row GEMMs in two chunks to keep their partial sums in half of the 4 MiB of accumulators (the other half is the double buffer); the TPU shifts the next weight tile in while the current one computes and keeps its matrix unit 94 % busy';
const TPU_GAPS: Partial<Record<TpuApp, Partial<Record<'bound' | 'throughput' | 'stalls', string>>>> = {
  mlp0: { stalls: STALL_DEFINITION }, mlp1: { stalls: STALL_DEFINITION }, lstm0: { stalls: STALL_DEFINITION },
  lstm1: {
    throughput: 'the measured 2.8 TOPS is far below LSTM1\'s 6.53 ceiling; the paper charges it with its 19 vector layers and weight shifting, which our GEMM-only stand-in (37 square FC layers) leaves out',
    stalls: STALL_DEFINITION,
  },
  cnn0: { throughput: SERIAL_PRELOAD },
  cnn1: {
    throughput: 'the paper\'s CNN1 loses most of its cycles to work outside the matrix unit (its Table 3: non-matrix cycles, RAW stalls, input stalls) that a GEMM model does not have; our stand-in has the paper\'s layer counts, not its network',
    stalls: 'the paper does not give CNN1\'s layer shapes, so our stand-in\'s stall share is not the network\'s',
  },
};

function tpuRows(presets: Presets): ValidationRow[] {
  const hw = presets['tpu-v1'] ?? loadHwConfig('tpu-v1');
  const machine = resolveMachine(hw);
  const pes = hw.array.rows * hw.array.cols;
  const peakOps = 2 * pes * hw.clockHz, bwBytesPerSecond = hw.dram.bytesPerCycle * hw.clockHz;
  const rows: ValidationRow[] = [row({
    machine: 'tpu-v1', workload: '—', figure: 'roofline ridge point', source: `${JOUPPI}, section 4 (Fig. 5)`,
    published: 1350, simulated: pes / hw.dram.bytesPerCycle, unit: 'MACs per weight byte', tolerance: rel(0.01),
    note: 'peak MACs per cycle ÷ DRAM bytes per cycle of the preset',
  })];
  for (const app of TPU_APPS) {
    const t1 = TPU_TABLE1[app];
    rows.push(row({
      machine: 'tpu-v1', workload: app.toUpperCase(), figure: 'roofline ceiling at Table 1\'s intensity', source: `${JOUPPI}, Table 1`,
      published: TPU_CEILINGS[app], simulated: Math.min(peakOps, 2 * bwBytesPerSecond * t1.intensity) / 1e12, unit: 'TOPS', tolerance: rel(0.01),
      note: `2 · min(peak MACs/s, DRAM B/s × ${t1.intensity} MACs/B)`,
    }));
  }
  for (const app of TPU_APPS) {
    const graph = buildGraph(parseModel(tpuApp(app)));
    const r = simulateGraph(graph, machine, { mode: 'inference', compat: 'none', version: packageVersion(), mapper: { objective: 'latency' } });
    const t = r.totals, t3 = TPU_TABLE3[app], name = app.toUpperCase();
    const bound = t.roofline.bound === 'memory' ? 'weight-bandwidth-bound' : 'compute-bound';
    rows.push(row({
      machine: 'tpu-v1', workload: name, figure: 'bound', source: `${JOUPPI}, section 4 (Fig. 5)`,
      published: app.startsWith('cnn') ? 'compute-bound' : 'weight-bandwidth-bound', simulated: bound, unit: '', tolerance: { kind: 'category' }, knownGap: TPU_GAPS[app]?.bound,
      note: `our roofline of the simulated workload (${t.roofline.arithmeticIntensityMacsPerByte.toFixed(0)} MACs per DRAM byte)`,
    }));
    rows.push(row({
      machine: 'tpu-v1', workload: name, figure: 'throughput', source: `${JOUPPI}, Table 3`,
      published: t3.tops, simulated: (2 * t.macs) / t.seconds / 1e12, unit: 'TOPS', tolerance: rel(0.25), knownGap: TPU_GAPS[app]?.throughput,
    }));
    rows.push(row({
      machine: 'tpu-v1', workload: name, figure: 'weight-stall share of cycles', source: `${JOUPPI}, Table 3`,
      published: t3.weightStallPct, simulated: (100 * t.stallCycles) / t.totalCycles, unit: '% of cycles', tolerance: { kind: 'absolute', value: 15, unit: 'points' },
      knownGap: TPU_GAPS[app]?.stalls, note: 'our DRAM stall cycles over all cycles',
    }));
  }
  return rows;
}

function eyerissRows(presets: Presets): ValidationRow[] {
  const machine = resolveMachine(presets.eyeriss ?? loadHwConfig('eyeriss'));
  const convs = (model: string, batch: number) => {
    const r = simulateGraph(loadAnyModel(`${model}:batch=${batch}`), machine, { mode: 'inference', compat: 'none', version: packageVersion() });
    const conv = gemmEntries(r).filter((l) => l.layerKind === 'conv2d');
    const macs = conv.reduce((a, l) => a + l.macs, 0), cycles = conv.reduce((a, l) => a + l.totalCycles, 0);
    const dram = conv.reduce((a, l) => a + l.dramWords.ifmapReads + l.dramWords.filterReads + (l.dramWords.ofmapReads ?? 0) + l.dramWords.ofmapWrites, 0);
    return { conv, macs, seconds: cycles / r.hw.clockHz, dramPerMac: dram / macs };
  };
  const alex = convs('alexnet', 4), vgg = convs('vgg16', 3);
  const rows: ValidationRow[] = [];
  const published = [154, 135, 156, 156, 156];
  alex.conv.forEach((l, i) => rows.push(row({
    machine: 'eyeriss', workload: `AlexNet CONV${i + 1}, batch 4`, figure: 'active PEs', source: `${CHEN}, section VI (AlexNet CONV1–5, batch 4)`,
    published: published[i], simulated: l.rs!.spatial.activePes, unit: 'PEs', tolerance: { kind: 'exact' },
  })));
  const compression = 'Eyeriss measured it with run-length compression of zero activations, which Systolab does not model; ours is the uncompressed count';
  rows.push(row({
    machine: 'eyeriss', workload: 'AlexNet CONV1–5, batch 4', figure: 'DRAM accesses per MAC', source: `${CHEN}, section VI (AlexNet, batch 4)`,
    published: 0.0029, simulated: alex.dramPerMac, unit: 'accesses/MAC', tolerance: rel(0.25), notModelled: compression,
  }));
  rows.push(row({
    machine: 'eyeriss', workload: 'VGG-16 conv layers, batch 3', figure: 'DRAM accesses per MAC', source: `${CHEN}, section VI (VGG-16, batch 3)`,
    published: 0.0035, simulated: vgg.dramPerMac, unit: 'accesses/MAC', tolerance: rel(0.25), notModelled: compression,
  }));
  rows.push(row({
    machine: 'eyeriss', workload: 'AlexNet CONV1–5, batch 4', figure: 'throughput', source: `${CHEN}, section VI (AlexNet, batch 4)`,
    published: 23.1, simulated: alex.macs / alex.seconds / 1e9, unit: 'GMACS', tolerance: rel(0.25),
  }));
  rows.push(row({
    machine: 'eyeriss', workload: 'AlexNet CONV1–5, batch 4', figure: 'frame rate', source: `${CHEN}, section VI (AlexNet, batch 4)`,
    published: 34.7, simulated: 4 / alex.seconds, unit: 'frames/s', tolerance: rel(0.25),
    knownGap: 'we run torchvision\'s single-tower AlexNet (655 M MACs per image), the paper the original; the GMACS row compares like with like',
  }));
  return rows;
}

function gemminiRows(presets: Presets): ValidationRow[] {
  const hw = presets.gemmini ?? loadHwConfig('gemmini');
  const graph = loadAnyModel('resnet50:batch=4');
  const run = (h: HwConfig) => simulateGraph(graph, resolveMachine(h), { mode: 'inference', compat: 'none', version: packageVersion(), mapper: { objective: 'latency' } });
  const small = run(hw), large = run({ ...hw, array: { ...hw.array, rows: 64, cols: 64 } });
  return [
    row({
      machine: 'gemmini', workload: 'ResNet-50, batch 4', figure: 'cycles', source: 'Gemmini repository, pull request #69 (40 % utilization)',
      published: 153.7e6, simulated: small.totals.totalCycles, unit: 'cycles', tolerance: rel(0.35),
      knownGap: `our model keeps the array ${(small.totals.overallUtilization * 100).toFixed(0)} % busy, the measured run 40 %: it overlaps every DMA with compute (double buffering) and has no instruction issue, host-side work or DMA setup, which the pull request does not break down`,
    }),
    row({
      machine: 'gemmini', workload: 'ResNet-50, batch 4', figure: 'speed-up of a 64×64 array over 16×16', source: 'Gemmini repository, issue #397 (about 3×)',
      published: 3, simulated: small.totals.totalCycles / large.totals.totalCycles, unit: '×', tolerance: rel(0.5),
      note: 'the same scratchpad, accumulator and DMA; 16× the PEs',
    }),
  ];
}

/** The presets the rows run on (absent: the shipped ones); tests pass altered ones to show a row can fail. */
export type Presets = Partial<Record<'tpu-v1' | 'eyeriss' | 'gemmini', HwConfig>>;

export function validate(presets: Presets = {}): ValidationResult {
  const rows = [...tpuRows(presets), ...eyerissRows(presets), ...gemminiRows(presets)];
  const counts = { pass: 0, 'known-gap': 0, 'not-modelled': 0, fail: 0 };
  for (const r of rows) counts[r.status]++;
  return { version: packageVersion(), rows, counts };
}
