/**
 * `rtl sim` and `rtl synth` speed (`npm run bench`), one JSON line per case:
 * - an 8×8 array per dataflow on a 64×64×64 GEMM under Icarus Verilog (generate, compile, simulate, compare: the
 *   whole `rtl sim`), with the cycle-stepped PE array on the same GEMM beside it;
 * - 16×16 and 32×32 os arrays under Verilator on a 128×128×128 GEMM: the first run builds (into an empty cache), the
 *   second reuses the build, so compile = first − second and run = second;
 * - Yosys synthesis of one int8/int32 os PE, with the Debian yosys and with @yowasp/yosys.
 * A case whose tool is missing prints why instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomIntGemm, rtlSim } from '../../sim/api/rtl.js';
import { simulateArrayGemm } from '../../sim/array/systolic-array.js';
import { GEMM_DATAFLOWS } from '../../sim/arch/types.js';
import { icarusVersion } from '../../sim/eda/icarus.js';
import { verilatorVersion } from '../../sim/eda/verilator.js';
import { synthesize, yosysVersion } from '../../sim/eda/yosys.js';
import { generateRtl } from '../../sim/rtl/verilog.js';

const msSince = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;

const version = icarusVersion();
if (version === undefined) {
  console.log(JSON.stringify({ case: 'rtl_sim', skipped: 'iverilog is not installed (npm run setup:rtl)' }));
} else {
  for (const dataflow of GEMM_DATAFLOWS) {
    const cfg = { rows: 8, cols: 8, dataflow, operandBits: 8, accumulatorBits: 32, overflow: 'saturate' as const, macPipelineCycles: 1 };
    const g = randomIntGemm(64, 64, 64, 8, 1);
    const t0 = process.hrtime.bigint();
    const r = rtlSim(cfg, g);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const t1 = process.hrtime.bigint();
    simulateArrayGemm(g, { rows: 8, cols: 8, dataflow, macPipelineCycles: 1 }, { kind: 'int', accumulatorBits: 32, overflow: 'saturate' });
    const arrayMs = Number(process.hrtime.bigint() - t1) / 1e6;
    const peCycles = (r.rtlCycles ?? 0) * 64;
    console.log(JSON.stringify({
      case: `rtl_sim_icarus_8x8_${dataflow}_gemm_64x64x64`, simulator: version, agree: r.agree, cycles: r.rtlCycles,
      ms: Number(ms.toFixed(0)), peCyclesPerSecond: Math.round(peCycles / (ms / 1e3)), peer: 'sim/array (same GEMM)',
      peerMs: Number(arrayMs.toFixed(1)), ratio: Number((ms / arrayMs).toFixed(0)),
    }));
  }
}

const verilator = verilatorVersion();
for (const n of [16, 32]) {
  if (verilator === undefined) {
    console.log(JSON.stringify({ case: `rtl_sim_verilator_${n}x${n}`, skipped: 'verilator is not installed (npm run setup:rtl)' }));
    continue;
  }
  const cfg = { rows: n, cols: n, dataflow: 'os' as const, operandBits: 8, accumulatorBits: 32, overflow: 'saturate' as const, macPipelineCycles: 1 };
  const g = randomIntGemm(128, 128, 128, 8, 1);
  const cacheDir = mkdtempSync(join(tmpdir(), 'systolab-bench-verilator-'));
  try {
    const t0 = process.hrtime.bigint();
    const first = rtlSim(cfg, g, undefined, { kind: 'verilator', cacheDir });
    const firstMs = msSince(t0);
    const t1 = process.hrtime.bigint();
    const second = rtlSim(cfg, g, undefined, { kind: 'verilator', cacheDir });
    const runMs = msSince(t1);
    const t2 = process.hrtime.bigint();
    simulateArrayGemm(g, { rows: n, cols: n, dataflow: 'os', macPipelineCycles: 1 }, { kind: 'int', accumulatorBits: 32, overflow: 'saturate' });
    const arrayMs = msSince(t2);
    console.log(JSON.stringify({
      case: `rtl_sim_verilator_${n}x${n}_os_gemm_128x128x128`, simulator: verilator, agree: first.agree && second.agree, cycles: second.rtlCycles,
      compileMs: Number((firstMs - runMs).toFixed(0)), runMs: Number(runMs.toFixed(0)),
      peCyclesPerSecond: Math.round(((second.rtlCycles ?? 0) * n * n) / (runMs / 1e3)),
      peer: 'sim/array (same GEMM)', peerMs: Number(arrayMs.toFixed(1)), ratio: Number((runMs / arrayMs).toFixed(1)),
    }));
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

const { 'systolab_tb.v': _tb, ...pe } = generateRtl({ rows: 1, cols: 1, dataflow: 'os', operandBits: 8, accumulatorBits: 32, overflow: 'saturate', macPipelineCycles: 1 }).files;
for (const tool of ['system', 'wasm'] as const) {
  if (tool === 'system' && yosysVersion() === undefined) {
    console.log(JSON.stringify({ case: 'rtl_synth_pe_int8_int32_system', skipped: 'yosys is not installed (npm run setup:rtl)' }));
    continue;
  }
  const t = process.hrtime.bigint();
  const r = await synthesize(pe, 'systolab_pe', tool);
  console.log(JSON.stringify({ case: `rtl_synth_pe_int8_int32_${tool}`, tool: r.tool, ms: Number(msSince(t).toFixed(0)), cells: r.cells, flipFlops: r.flipFlops, transistors: r.transistors, logicDepth: r.logicDepth }));
}
