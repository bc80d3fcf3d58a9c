/**
 * `rtl sim` speed (`npm run bench`), one JSON line per case: an 8×8 array per dataflow on a 64×64×64 GEMM under
 * Icarus Verilog (generate, compile, simulate, compare: the whole `rtl sim`), with the cycle-stepped PE array on the
 * same GEMM beside it. Skips, saying so, without iverilog.
 */
import { randomIntGemm, rtlSim } from '../../sim/api/rtl.js';
import { simulateArrayGemm } from '../../sim/array/systolic-array.js';
import { DATAFLOWS } from '../../sim/arch/types.js';
import { icarusVersion } from '../../sim/eda/icarus.js';

const version = icarusVersion();
if (version === undefined) {
  console.log(JSON.stringify({ case: 'rtl_sim', skipped: 'iverilog is not installed (npm run setup:rtl)' }));
} else {
  for (const dataflow of DATAFLOWS) {
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
