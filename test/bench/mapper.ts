/**
 * Mapper speed (`npm run bench`), one JSON line per case, the fixed mapping measured beside it in the same run:
 *   - `simulate --mapper search` on the whole of ResNet-50 (inference and training), in process, per dataflow
 *     (issue target: a whole-ResNet-50 search in ≤ 10 s on 2 cores);
 *   - the same on the eyeriss preset's row-stationary array (temporal mappings: p, q, GLB tile, loop order);
 *   - the NCKU Lab 2 mapper (`map --compat ncku-lab2`) over VGG-8's five convs, pruned and random.
 */
import { nckuLab2 } from '../../sim/api/map.js';
import { simulate } from '../../sim/api/simulate.js';
import { bestMs } from './best-of.js';

for (const mode of ['inference', 'training'] as const) {
  for (const dataflow of ['os', 'ws', 'is'] as const) {
    const req = { model: 'resnet50', mode, dataflow, array: '32x32', sramKib: '64' };
    simulate({ ...req, mapper: 'search' }); // warm-up
    const searchMs = bestMs(() => simulate({ ...req, mapper: 'search' }), 5);
    const fixedMs = bestMs(() => simulate(req), 5);
    const r = simulate({ ...req, mapper: 'search' });
    const gemms = r.layers.filter((l) => l.kind === 'gemm');
    console.log(JSON.stringify({
      case: `mapper_search_resnet50_${mode}_${dataflow}_32x32`, ms: Number(searchMs.toFixed(1)), targetMs: 10_000,
      entries: gemms.length, rowsOuter: gemms.filter((l) => l.kind === 'gemm' && l.mapping?.foldOrder === 'rowsOuter').length,
      peer: 'the fixed mapping (same run)', peerMs: Number(fixedMs.toFixed(1)), ratio: Number((searchMs / fixedMs).toFixed(2)),
    }));
  }
}

for (const mode of ['inference', 'training'] as const) {
  const req = { model: 'resnet50', mode, hw: 'eyeriss' };
  const t0 = performance.now();
  const r = simulate({ ...req, mapper: 'search' });
  const searchMs = performance.now() - t0; // one run: the search is the slow part, and a warm-up would double it
  const fixedMs = bestMs(() => simulate(req), 3);
  const fixed = simulate(req);
  const edp = (x: typeof r) => x.totals.energy.total * x.totals.totalCycles;
  const gemms = r.layers.filter((l) => l.kind === 'gemm');
  console.log(JSON.stringify({
    case: `mapper_search_resnet50_${mode}_rs_eyeriss`, ms: Number(searchMs.toFixed(1)), targetMs: 10_000, entries: gemms.length,
    candidates: gemms.reduce((a, l) => a + (l.kind === 'gemm' ? l.mapping?.candidates ?? 0 : 0), 0),
    edpVsFixed: Number((edp(r) / edp(fixed)).toFixed(4)),
    peer: 'the fixed mapping (same run)', peerMs: Number(fixedMs.toFixed(1)), ratio: Number((searchMs / fixedMs).toFixed(2)),
  }));
}

for (const mode of ['pruned', 'random'] as const) {
  const ms = bestMs(() => nckuLab2({ search: { mode } }), 3);
  const r = nckuLab2({ search: { mode } });
  console.log(JSON.stringify({ case: `mapper_ncku_lab2_vgg8_${mode}`, ms: Number(ms.toFixed(1)), validPerLayer: r.layers.map((l) => l.validMappings) }));
}
