/**
 * base/limits.ts and the memory checks that use it: checkSize's law, and each check made to fire (a size one past
 * its limit must throw a SimError naming the field, before anything is allocated).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/base/errors.js';
import { LIMITS, checkSize } from '../../sim/base/limits.js';
import { SystolicArray } from '../../sim/array/systolic-array.js';
import { floatsFor, zeros } from '../../sim/float/tensor.js';
import { parseModel } from '../../sim/ir/parse.js';
import { buildGraph, inferShapes } from '../../sim/ir/graph.js';
import { withOverrides } from '../../sim/arch/parse.js';
import { loadHwConfig } from '../../sim/load/hw.js';

const at = { file: 'f.yaml', path: 'layers[0].units' };

describe('checkSize', () => {
  it('law: a value passes exactly when it is within [min, max]', () => {
    fc.assert(fc.property(fc.constantFrom(...(Object.keys(LIMITS) as (keyof typeof LIMITS)[])), fc.double({ noNaN: true }), (name, v) => {
      const { max, min = -Infinity } = LIMITS[name] as { max: number; min?: number };
      const passes = (() => { try { checkSize(v, name, at); return true; } catch (e) { expect(e).toBeInstanceOf(SimError); return false; } })();
      expect(passes).toBe(v >= min && v <= max);
    }), { seed: 19, numRuns: 1000 });
  });

  it('names the file, field, value, limit and the doc in one line; NaN is refused', () => {
    expect(() => checkSize(2 ** 24 + 1, 'dim', at)).toThrow('f.yaml: layers[0].units: exceeds the limit 16,777,216 (2^24), which keeps counts exact below 2^53 (got 16777217). Why: docs/limits.md, "dim".');
    expect(() => checkSize(NaN, 'dim', at)).toThrow(SimError);
  });
});

describe('memory checks fire before allocating', () => {
  it('the float engine refuses a tensor one element past floatElements', () => {
    expect(floatsFor([LIMITS.floatElements.max])).toBe(LIMITS.floatElements.max);
    expect(() => zeros([LIMITS.floatElements.max + 1])).toThrow(/floatElements/);
    expect(() => zeros([2 ** 40, 2 ** 40])).toThrow(SimError); // would be an Invalid typed array length
  });

  it('the PE array refuses registers beyond peArrayBytes', () => {
    expect(() => new SystolicArray({ rows: 4096, cols: 4096, dataflow: 'os', macPipelineCycles: 1024 })).toThrow(/peArrayBytes/);
    expect(() => new SystolicArray({ rows: 4, cols: 4, dataflow: 'os', macPipelineCycles: 1 })).not.toThrow();
  });

  it('a graph: shapes, parameters and GEMMs per pass', () => {
    const graph = (layers: unknown[]) => buildGraph(parseModel({ name: 'g', layers }, 'g.yaml'), 'g.yaml');
    const x = { name: 'x', kind: 'input', shape: [1, 4096] };
    expect(() => graph([x, { name: 'd', kind: 'dense', units: 4096 }])).not.toThrow();
    // an input of 2^41 elements is beyond tensorElements (2^40), though each dimension is within dim (2^24)
    expect(() => graph([{ name: 'x', kind: 'input', shape: [2 ** 20, 2 ** 21] }])).toThrow(/tensorElements/);
    expect(() => graph([{ name: 'x', kind: 'input', shape: [1, 2 ** 24 + 1] }])).toThrow(/layers\[0\]\.shape\[1\]/);
    const a = { name: 'a', kind: 'input', shape: [20_000, 1, 2, 2] };
    expect(() => graph([a, { name: 'm', kind: 'matmul', inputs: ['a', 'a'] }])).toThrow(/gemmsPerPass/);
    // the float engine runs a batched matmul as one kernel: no GEMM limit there, only the memory limits
    const small = graph([{ name: 'a', kind: 'input', shape: [2, 1, 2, 2] }, { name: 'm', kind: 'matmul', inputs: ['a', 'a'] }]);
    expect(() => inferShapes(small.layers, small.order, { a: [20_000, 1, 2, 2] }, undefined, false)).not.toThrow();
    expect(() => inferShapes(small.layers, small.order, { a: [20_000, 1, 2, 2] })).toThrow(/gemmsPerPass/);
  });

  it('hardware flags: each limit is named by its flag', () => {
    const hw = loadHwConfig('edge-16x16');
    expect(() => withOverrides(hw, { array: '4097x1' })).toThrow(/--array: rows 4097 exceeds the limit 4,096/);
    expect(() => withOverrides(hw, { sramKib: 2 ** 25 })).toThrow(/--sram-kib: exceeds the limit/);
    expect(() => withOverrides(hw, { clockMhz: '1e6' })).toThrow(/--clock-mhz: exceeds the limit 100,000/);
    expect(withOverrides(hw, { array: '4096x4096', clockMhz: 0.001 }).array.rows).toBe(4096);
  });
});

describe('simulate --trace sizes', () => {
  it('refuses a dimension past traceDim before allocating the operands (was a RangeError), accepts one at it', async () => {
    const { parseGemmSpec } = await import('../../sim/run/trace.js');
    expect(() => parseGemmSpec('2147483647x6x1')).toThrow(/M exceeds the limit 256/);
    expect(() => parseGemmSpec('2x300x2')).toThrow(/K exceeds the limit/);
    expect(parseGemmSpec('256x256x256')).toEqual({ m: 256, k: 256, n: 256 });
  });
});
