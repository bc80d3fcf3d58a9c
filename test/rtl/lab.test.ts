/**
 * Lab mode: the patterns `rtl lab` writes, and `rtl check` as the grader of a student's own array. The shipped
 * hand-written example passes; copies with one injected bug fail, naming the first wrong output, which the test
 * recomputes independently; protocol breaches, a hang and bad input are reported as such.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LabPatternFolder, type LabShape, labFolder, labManifestOf, rtlCheck } from '../../sim/api/rtl-lab.js';
import { randomIntGemm } from '../../sim/api/rtl.js';
import { ROOT, systolab } from '../helpers/cli.js';
import { SKIP_ICARUS, skipTitle } from './tools.js';

const EXAMPLE = join(ROOT, 'sim', 'rtl', 'lab-example', 'systolic_array.v');
const exampleText = readFileSync(EXAMPLE, 'utf8');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'systolab-lab-'));

/** A pattern folder in memory, as rtl check reads one from disk. */
function memoryFolder(shape: LabShape, m: number, k: number, n: number, seed: number): LabPatternFolder & { files: Record<string, string> } {
  const { files } = labFolder(shape, randomIntGemm(m, k, n, shape.dataBits, seed), `random-${m}x${k}x${n}`, `random, seed ${seed}`, 'test');
  return { dir: '(memory)', manifest: labManifestOf(JSON.parse(files['lab.json']), 'lab.json'), read: (f) => files[f], files };
}

/** Reads a pattern file back as signed integers (independent of the writer's BigInt code). */
function readHex(text: string, bits: number): number[] {
  return text.trim().split('\n').map((l) => {
    const u = Number.parseInt(l, 16);
    return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
  });
}
const wrapTo = (x: number, bits: number): number => {
  const u = ((x % 2 ** bits) + 2 ** bits) % 2 ** bits;
  return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
};

describe('rtl lab: the pattern files', () => {
  it('a.hex and b.hex hold A and B row-major, one element per line; c.hex is A·B wrapped at ACC_W bits', () => {
    fc.assert(fc.property(
      fc.record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 6 }), dataBits: fc.integer({ min: 2, max: 16 }), accBits: fc.integer({ min: 4, max: 40 }) }),
      fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.nat(1000),
      (shape, m, k, n, seed) => {
        const { files, manifest } = memoryFolder(shape, m, k, n, seed);
        const g = randomIntGemm(m, k, n, shape.dataBits, seed);
        const lines = (f: string): string[] => files[f].trim().split('\n');
        expect(lines('a.hex')).toHaveLength(m * k);
        expect(lines('b.hex')).toHaveLength(k * n);
        expect(lines('c.hex')).toHaveLength(m * n);
        for (const l of [...lines('a.hex'), ...lines('b.hex')]) expect(l).toMatch(new RegExp(`^[0-9a-f]{${Math.ceil(shape.dataBits / 4)}}$`));
        expect(readHex(files['a.hex'], shape.dataBits)).toEqual(Array.from(g.a));
        expect(readHex(files['b.hex'], shape.dataBits)).toEqual(Array.from(g.b));
        const c = readHex(files['c.hex'], shape.accBits);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let t = 0; t < k; t++) sum += g.a[i * k + t] * g.b[t * n + j];
            expect(c[i * n + j]).toBe(wrapTo(sum, shape.accBits));
          }
        }
        expect(manifest).toMatchObject({ ...shape, m, k, n });
      }), { numRuns: 60 });
  });

  it('lab.json from elsewhere is checked field by field', () => {
    expect(() => labManifestOf({ contract: 'other' }, 'x/lab.json')).toThrow(/lab pattern folder/);
    const { files } = memoryFolder({ rows: 2, cols: 2, dataBits: 8, accBits: 32 }, 2, 2, 2, 1);
    const good = JSON.parse(files['lab.json']);
    expect(() => labManifestOf({ ...good, k: 0 }, 'lab.json')).toThrow(/1 to 4096/);
    expect(() => labManifestOf({ ...good, files: ['../../etc/passwd'] }, 'lab.json')).toThrow(/plain name/);
    expect(() => labManifestOf({ ...good, files: ['..'] }, 'lab.json')).toThrow(/plain name/);
    expect(() => labManifestOf({ ...good, testbench: '../tb.v' }, 'lab.json')).toThrow(/plain name/);
    expect(() => labManifestOf({ ...good, testbench: 'other.v' }, 'lab.json')).toThrow(/one of the listed files/);
  });
});

describe.skipIf(SKIP_ICARUS !== '')(skipTitle('rtl check: the example passes, injected bugs fail', SKIP_ICARUS), () => {
  it('the shipped example passes the course set (LeNet dense 120→84, LeNet conv 5×5 6→16 as im2col, random) from the CLI', () => {
    const dir = tmp();
    const lab = systolab(['rtl', 'lab', '--course', '--out', join(dir, 'lab')]);
    expect(lab.code, lab.err).toBe(0);
    expect(readdirSync(join(dir, 'lab')).sort()).toEqual(['lenet-c3', 'lenet-f6', 'random-4x4x4', 'random-9x14x7']);
    const c3 = JSON.parse(readFileSync(join(dir, 'lab', 'lenet-c3', 'lab.json'), 'utf8'));
    expect([c3.m, c3.k, c3.n]).toEqual([100, 150, 16]); // 10×10 output pixels, 6·5·5 taps, 16 filters
    const f6 = JSON.parse(readFileSync(join(dir, 'lab', 'lenet-f6', 'lab.json'), 'utf8'));
    expect([f6.m, f6.k, f6.n]).toEqual([1, 120, 84]);
    const r = systolab(['rtl', 'check', '--dut', 'sim/rtl/lab-example/systolic_array.v', '--patterns', join(dir, 'lab'), '--format', 'json']);
    expect(r.code, r.out + r.err).toBe(0);
    const v = JSON.parse(r.out);
    expect(v.pass).toBe(true);
    expect(v.patterns.map((p: { name: string; outputs: number; wrong: number }) => [p.name, p.outputs, p.wrong]))
      .toEqual([['lenet-c3', 1600, 0], ['lenet-f6', 84, 0], ['random-4x4x4', 16, 0], ['random-9x14x7', 63, 0]]);
  }, 60_000);

  it('the example passes on other shapes and widths, wrapping accumulators included', () => {
    for (const [shape, dims] of [
      [{ rows: 1, cols: 1, dataBits: 8, accBits: 32 }, [3, 5, 2]],
      [{ rows: 3, cols: 5, dataBits: 4, accBits: 9 }, [7, 11, 12]], // 9 bits: sums of 11 int4 products wrap
      [{ rows: 2, cols: 3, dataBits: 16, accBits: 40 }, [5, 4, 7]],
      [{ rows: 6, cols: 2, dataBits: 2, accBits: 4 }, [6, 13, 3]], // products of 2-bit operands, 4-bit sums
    ] as const) {
      const f = memoryFolder(shape, dims[0], dims[1], dims[2], 7);
      const wraps = readHex(f.files['c.hex'], shape.accBits);
      const { result } = rtlCheck({ 'systolic_array.v': exampleText }, [f]);
      expect(result.pass, JSON.stringify({ shape, first: result.patterns[0].firstWrong, err: result.patterns[0].protocolError })).toBe(true);
      expect(result.patterns[0].outputs).toBe(dims[0] * dims[2]);
      expect(wraps.length).toBe(dims[0] * dims[2]);
    }
  });

  it('a skew one register short on the last B lane: exit 1, the first wrong output is C[0][3], in lane 3 only', () => {
    const dir = tmp();
    const buggy = join(dir, 'buggy.v');
    // Lane j of B should leave its delay line at stage j − 1; the bug takes stage j − 2 for the last lane.
    const bugged = exampleText.replace(
      'else b_skewed = b_dly[(j*COLS + j - 1)*DATA_W +: DATA_W];',
      'else if (j == COLS - 1 && j > 1) b_skewed = b_dly[(j*COLS + j - 2)*DATA_W +: DATA_W];\n      else b_skewed = b_dly[(j*COLS + j - 1)*DATA_W +: DATA_W];',
    );
    expect(bugged).not.toBe(exampleText);
    writeFileSync(buggy, bugged);
    expect(systolab(['rtl', 'lab', '--gemm', '6x10x7', '--seed', '2', '--out', join(dir, 'p')]).code).toBe(0);
    const r = systolab(['rtl', 'check', '--dut', buggy, '--patterns', join(dir, 'p')]);
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/FAIL: first wrong output C\[0\]\[3\] \(tile 0,0, its row 0, lane 3\) at tile cycle \d+: expected 0x[0-9a-f]{8} \(-?\d+\), got 0x[0-9a-f]{8} \(-?\d+\)/);
    const v = JSON.parse(systolab(['rtl', 'check', '--dut', buggy, '--patterns', join(dir, 'p'), '--format', 'json']).out);
    const p = v.patterns[0];
    expect(p.wrong).toBeGreaterThan(0);
    for (const o of p.table) expect(o.ok, `C[${o.row}][${o.col}]`).toBe(o.col % 4 !== 3);
  });

  it('an unsigned multiply: the named first wrong output is what A·unsigned(B) gives there', () => {
    const shape = { rows: 3, cols: 3, dataBits: 8, accBits: 32 };
    const f = memoryFolder(shape, 5, 6, 4, 11);
    const bugged = exampleText.replace('product = $signed(a) * $signed(b);', 'product = $signed(a) * $signed({1\'b0, b});');
    expect(bugged).not.toBe(exampleText);
    const { result } = rtlCheck({ 'student.v': bugged }, [f]);
    const p = result.patterns[0];
    expect(p.pass).toBe(false);
    const w = p.firstWrong!;
    const a = readHex(f.files['a.hex'], 8), b = readHex(f.files['b.hex'], 8);
    let sum = 0;
    for (let t = 0; t < 6; t++) sum += a[w.row * 6 + t] * (b[t * 4 + w.col] & 0xff);
    expect(Number(w.gotValue)).toBe(wrapTo(sum, 32));
    expect(Number(w.expectedValue)).toBe(readHex(f.files['c.hex'], 32)[w.row * 4 + w.col]);
    // It is the first output of C, in the order the testbench receives them, whose B column holds a negative value.
    const order = p.table.map((o) => [o.row, o.col]);
    const firstNegative = order.find(([i, j]) => Array.from({ length: 6 }, (_, t) => b[t * 4 + j]).some((x, t) => x < 0 && a[i * 6 + t] !== 0));
    expect([w.row, w.col]).toEqual(firstNegative);
  });

  it('one golden value changed in c.hex: exactly that output is reported, with its cycle', () => {
    const f = memoryFolder({ rows: 4, cols: 4, dataBits: 8, accBits: 32 }, 6, 5, 6, 3);
    const lines = f.files['c.hex'].trim().split('\n');
    const at = 2 * 6 + 5; // C[2][5]
    lines[at] = lines[at].slice(0, -1) + (Number.parseInt(lines[at].slice(-1), 16) ^ 1).toString(16); // its lowest bit flipped
    const edited = { ...f, read: (x: string) => (x === 'c.hex' ? `${lines.join('\n')}\n` : f.files[x]) };
    const p = rtlCheck({ 'systolic_array.v': exampleText }, [edited]).result.patterns[0];
    expect([p.pass, p.wrong, p.firstWrong?.row, p.firstWrong?.col, p.firstWrong?.tile]).toEqual([false, 1, 2, 5, [0, 1]]);
    expect(p.firstWrong?.cycle).toBe(p.table.find((o) => o.row === 2 && o.col === 4)?.cycle);
  });

  it('protocol breaches: out_valid one cycle too long, never raised; a zero-delay loop is stopped', () => {
    const f = memoryFolder({ rows: 2, cols: 2, dataBits: 8, accBits: 32 }, 2, 3, 2, 5);
    const long = exampleText.replace('if (send_row == ROWS) begin', 'if (send_row == ROWS + 1) begin');
    expect(rtlCheck({ 'a.v': long }, [f]).result.patterns[0].protocolError).toBe('out_valid stayed high after ROWS rows');
    const never = exampleText.replace('assign out_valid = sending;', 'assign out_valid = 1\'b0;');
    const p = rtlCheck({ 'a.v': never }, [f]).result.patterns[0];
    expect([p.pass, p.protocolError, p.missing]).toEqual([false, 'out_valid never rose after the tile\'s last input', 4]);
    const loop = exampleText.replace('assign c_out = c_reg;', 'assign c_out = c_reg;\n  reg ping = 1\'b0, pong = 1\'b0;\n  always @(ping) pong = ~pong;\n  always @(pong) ping = ~ping;\n  initial #20 ping = 1\'b1;');
    const hang = rtlCheck({ 'a.v': loop }, [f], { timeoutMs: 3000 }).result.patterns[0];
    expect(hang.protocolError).toMatch(/did not finish in 3 s/);
  });

  it('--top for another module name, --vcd keeps the waveform; the README\'s hand-run command passes', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'mine.v'), exampleText.replace(/^module systolic_array #\(/m, 'module my_sa #('));
    expect(systolab(['rtl', 'lab', '--gemm', '3x4x5', '--array', '2x2', '--precision', 'int4', '--accumulator-bits', '12', '--out', join(dir, 'p')]).code).toBe(0);
    const vcd = join(dir, 'wave.vcd');
    const r = systolab(['rtl', 'check', '--dut', join(dir, 'mine.v'), '--top', 'my_sa', '--patterns', join(dir, 'p'), '--vcd', vcd]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('PASS: all 15 outputs correct');
    expect(readFileSync(vcd, 'utf8')).toContain('$enddefinitions');
    // By hand, as the folder's README.txt says.
    copyFileSync(EXAMPLE, join(dir, 'p', 'systolic_array.v'));
    const c = spawnSync('iverilog', ['-g2005', '-o', 'lab.vvp', 'tb_systolic_array.v', 'systolic_array.v'], { cwd: join(dir, 'p'), encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    const run = spawnSync('vvp', ['lab.vvp'], { cwd: join(dir, 'p'), encoding: 'utf8' });
    expect(run.stdout).toContain('PASS: all 15 outputs of C (3x5) correct');
  });

  it('SystemVerilog (.sv) designs compile too (iverilog -g2012), and a wrong one still fails', () => {
    const sv = readFileSync(join(ROOT, 'test', 'fixtures', 'rtl-lab', 'plain-grid.sv'), 'utf8');
    const f = memoryFolder({ rows: 3, cols: 4, dataBits: 8, accBits: 32 }, 7, 5, 9, 4);
    expect(rtlCheck({ 'plain-grid.sv': sv }, [f]).result.pass).toBe(true);
    const wrong = sv.replace('acc[i][j] <= acc[i][j] + ', 'acc[i][j] <= acc[i][j] - ');
    expect(wrong).not.toBe(sv);
    expect(rtlCheck({ 'plain-grid.sv': wrong }, [f]).result.patterns[0].firstWrong).toMatchObject({ row: 0, col: 0 });
  });

  it('a student file that does not compile: exit 2, one line with the file and line', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'broken.v'), exampleText.replace('assign c_out = c_reg;', 'assign c_out = c_reg'));
    expect(systolab(['rtl', 'lab', '--gemm', '2x2x2', '--out', join(dir, 'p')]).code).toBe(0);
    const r = systolab(['rtl', 'check', '--dut', join(dir, 'broken.v'), '--patterns', join(dir, 'p')]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/broken\.v:\d+/);
  });
});

describe('rtl lab and check: bad input exits 2 with one line', () => {
  it.each([
    [['rtl', 'lab', '--dataflow', 'ws'], '--dataflow'],
    [['rtl', 'lab', '--overflow', 'saturate'], '--overflow'],
    [['rtl', 'lab', '--gemm', '2x2'], '--gemm'],
    [['rtl', 'lab', '--model', 'lenet-digits'], '--model'],
    [['rtl', 'check', '--patterns', '.'], '--dut'],
    [['rtl', 'check', '--dut', 'x.v'], '--patterns'],
    [['rtl', 'check', '--dut', 'sim/rtl/lab-example/systolic_array.v', '--patterns', '.'], '--patterns'],
    [['rtl', 'check', '--dut', 'README.md', '--patterns', '.'], 'README.md'],
  ])('%j', (args, names) => {
    const r = systolab(args);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(names);
  });
});
