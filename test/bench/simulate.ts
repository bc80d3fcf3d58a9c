/**
 * Simulator speed (`npm run bench`), one JSON line per case:
 *   - SCALE-Sim's ResNet-18 topology (21 layers) at 32×32 os, in-process: load excluded, lower + time + report
 *     (target: well under 5 ms; SCALE-Sim v2 takes about 6 minutes for it);
 *   - raw (layer × config) evaluations per second of the timing model (target ≥ 100,000 per core);
 *   - the whole `systolab simulate` process for that run (target ≤ 150 ms);
 *   - ResNet-50 inference with timing, memory and energy, in-process (target ≤ 2 ms).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadHwConfig, resolveMachine } from '../../sim/load/hw.js';
import { withOverrides } from '../../sim/arch/parse.js';
import { loadAnyModel } from '../../sim/load/model.js';
import { lowerGraph } from '../../sim/lower/lower.js';
import { type SimulateOptions, simulateGraph } from '../../sim/run/pipeline.js';
import type { HwConfig, Dataflow } from '../../sim/arch/types.js';
import type { LayerGraph } from '../../sim/ir/types.js';

import { timeGemm } from '../../sim/timing/gemm-timing.js';
import { bestMs } from './best-of.js';

/** The pipeline on a graph and a config, its energy table loaded. */
const simulate = (g: LayerGraph, hw: HwConfig, o: SimulateOptions) => simulateGraph(g, resolveMachine(hw), o);

const root = process.cwd();
const graph = loadAnyModel(join(root, 'models', 'scalesim', 'resnet18.csv'));
const hw = withOverrides(loadHwConfig('scalesim-32x32'), { rows: 32, cols: 32, dataflow: 'os' });

for (let i = 0; i < 50; i++) simulate(graph, hw, { mode: 'inference', compat: 'none', version: 'bench' });
const ms = bestMs(() => simulate(graph, hw, { mode: 'inference', compat: 'none', version: 'bench' }), 200);
const layers = simulate(graph, hw, { mode: 'inference', compat: 'none', version: 'bench' }).layers.length;
console.log(JSON.stringify({ case: 'resnet18_32x32_os_in_process', layers, ms: Number(ms.toFixed(4)), targetMs: 5 }));

const gemms = lowerGraph(graph, { mode: 'inference' }).ops.flatMap((o) => (o.kind === 'gemm' ? [o] : []));
const dataflows: Dataflow[] = ['os', 'ws', 'is'];
const sizes = [8, 16, 32, 64, 128, 256];
let evaluations = 0;
let sink = 0;
const evalMs = bestMs(() => {
  evaluations = 0;
  for (const df of dataflows) for (const r of sizes) for (const c of sizes) for (const g of gemms) {
    sink += timeGemm(g.m, g.k, g.n, { rows: r, cols: c, dataflow: df, macPipelineCycles: 1 }).computeCycles;
    evaluations++;
  }
}, 20);
console.log(JSON.stringify({ case: 'timing_evaluations_per_second', evaluations, ms: Number(evalMs.toFixed(3)), perSecond: Math.round(evaluations / (evalMs / 1e3)), target: 100000, sink: sink > 0 }));

const cli = join(root, 'dist', 'systolab.cjs');
const procMs = bestMs(() => {
  const r = spawnSync(process.execPath, [cli, 'simulate', '--format', 'json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}, 7);
console.log(JSON.stringify({ case: 'systolab_simulate_process', ms: Number(procMs.toFixed(1)), targetMs: 150 }));

// Whole ResNet-50 inference in-process: timing + closed-form memory + energy, area and analysis (simulate prices
// every op since the energy issue; target ≤ 2 ms), on the 45 nm table and on the Eyeriss-normalized one.
{
  const r50 = loadAnyModel('resnet50');
  for (const table of ['45nm', 'eyeriss-normalized']) {
    const hwE = { ...hw, energy: { table, leakage: 'lstp' as const } };
    for (let i = 0; i < 50; i++) simulate(r50, hwE, { mode: 'inference', compat: 'none', version: 'bench' });
    const ms50 = bestMs(() => simulate(r50, hwE, { mode: 'inference', compat: 'none', version: 'bench' }), 200);
    const r = simulate(r50, hwE, { mode: 'inference', compat: 'none', version: 'bench' });
    console.log(JSON.stringify({ case: `resnet50_timing_memory_energy_in_process_${table}`, layers: r.layers.length, ms: Number(ms50.toFixed(4)), targetMs: 2, energy: Number(r.totals.energy.total.toPrecision(4)), unit: r.totals.energy.unit, areaMm2: Number(r.totals.areaMm2.toPrecision(4)) }));
  }
}
// Compat mode: ResNet-18 (SCALE-Sim's CSV) with CALC DRAM read counting by address-level emulation (target: seconds).
{
  const msCalc = bestMs(() => simulate(graph, hw, { mode: 'inference', compat: 'scalesim', version: 'bench' }), 3);
  console.log(JSON.stringify({ case: 'resnet18_compat_calc_dram_emulation', ms: Number(msCalc.toFixed(1)), targetMs: 5000 }));
}
