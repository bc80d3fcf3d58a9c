/**
 * Cycle-stepped array speed (`npm run bench`), one JSON line per case: PE-cycles per second (cycles × rows × cols)
 * for a 256×256×256 GEMM on a 32×32 array, per dataflow, float64 and int (32-bit saturating accumulator).
 * Target ≥ 100 million PE-cycles per second per core. Operands are small integers from a seeded RNG (Float64Array for
 * float, Int32Array for int). The last cases use a 4-stage MAC pipeline (the general path with pipeline registers).
 */
import { simulateArrayGemm } from '../../sim/array/systolic-array.js';
import type { ArrayNumerics } from '../../sim/array/numerics.js';
import { createRng } from '../../sim/float/rng.js';
import { GEMM_DATAFLOWS } from '../../sim/arch/types.js';

const [m, k, n, rows, cols] = [256, 256, 256, 32, 32];
const rng = createRng(1);
const a = Float64Array.from({ length: m * k }, () => Math.floor(rng.uniform() * 15) - 7);
const b = Float64Array.from({ length: k * n }, () => Math.floor(rng.uniform() * 15) - 7);
const numerics: Record<string, ArrayNumerics> = { float: { kind: 'float' }, int: { kind: 'int', accumulatorBits: 32, overflow: 'saturate' } };

const cases = [...GEMM_DATAFLOWS.flatMap((df) => [[df, 'float', 1], [df, 'int', 1]] as const), ['os', 'float', 4], ['ws', 'int', 4]] as const;
for (const [dataflow, name, d] of cases) {
  {
    const num = numerics[name];
    const shape = { rows, cols, dataflow, macPipelineCycles: d };
    const [x, y] = name === 'int' ? [Int32Array.from(a), Int32Array.from(b)] : [a, b];
    simulateArrayGemm({ m: 64, k: 64, n: 64, a: x.subarray(0, 64 * 64), b: y.subarray(0, 64 * 64) }, shape, num); // warm-up
    let ms = Infinity, cycles = 0;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = process.hrtime.bigint();
      cycles = simulateArrayGemm({ m, k, n, a: x, b: y }, shape, num).computeCycles;
      ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const peCycles = cycles * rows * cols;
    console.log(JSON.stringify({
      case: `array_${rows}x${cols}_${dataflow}_${name}_d${d}_gemm_${m}x${k}x${n}`, cycles, peCycles, ms: Number(ms.toFixed(1)),
      peCyclesPerSecond: Math.round(peCycles / (ms / 1e3)), target: 1e8,
    }));
  }
}
