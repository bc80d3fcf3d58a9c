/** `systolab rtl gen|sim` as users run it: the help examples, exit codes, the JSON verdict, a missing tool. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RTL_EXAMPLES } from '../../sim/cli/rtl-command.js';
import { CLI, WORKSPACE, systolab } from '../helpers/cli.js';
import { SKIP_ICARUS, SKIP_YOSYS, skipTitle } from './tools.js';

const SKIP = [SKIP_ICARUS, SKIP_YOSYS].filter((s) => s !== '').join('; ');
describe.skipIf(SKIP !== '')(skipTitle('systolab rtl', SKIP), () => {
  it('every --help example works (gen first: the last example reads its folder)', () => {
    const help = systolab(['rtl', '--help']).out.replace(/\s+/g, ' ');
    for (const [cmd, what] of RTL_EXAMPLES) {
      expect(help).toContain(`systolab ${cmd}`);
      expect(help).toContain(what);
      const r = systolab(cmd.split(' '));
      expect(r.code, `${cmd}\n${r.err}`).toBe(0);
    }
    const manifest = JSON.parse(readFileSync(join(WORKSPACE, 'reports/rtl-4x4-os/manifest.json'), 'utf8'));
    expect(manifest.parameters).toMatchObject({ rows: 4, cols: 4, dataflow: 'os', operandBits: 8 });
  }, 120_000);

  it('an edited folder that computes wrongly: exit 1 naming the first wrong output', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'systolab-rtl-')), 'g');
    expect(systolab(['rtl', 'gen', '--array', '3x5', '--dataflow', 'is', '--out', dir]).code).toBe(0);
    const pe = join(dir, 'systolab_pe.v');
    writeFileSync(pe, readFileSync(pe, 'utf8').replace('psum_valid_out <= psum_valid_in | pf_valid;', 'psum_valid_out <= pf_valid;'));
    const r = systolab(['rtl', 'sim', '--rtl', dir, '--gemm', '7x8x4']);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/^MISMATCH: output C\[\d+\]\[\d+\] /m);
    const j = systolab(['rtl', 'sim', '--rtl', dir, '--gemm', '7x8x4', '--format', 'json']);
    expect(j.code).toBe(1);
    const v = JSON.parse(j.out);
    expect(v.agree).toBe(false);
    expect(v.firstMismatch).toMatchObject({ cycle: expect.any(Number) });
  });

  it('JSON on agreement', () => {
    const r = systolab(['rtl', 'sim', '--array', '2x3', '--dataflow', 'ws', '--gemm', '5x4x7', '--format', 'json']);
    expect(r.code, r.err).toBe(0);
    const v = JSON.parse(r.out);
    expect(v).toMatchObject({ agree: true, gemm: { m: 5, k: 4, n: 7 }, config: { rows: 2, cols: 3, dataflow: 'ws' } });
    expect(v.rtlCycles).toBe(v.fastModelCycles);
  });
});

describe('systolab rtl: bad input and missing tools exit 2 with one line', () => {
  it('bad flags', () => {
    for (const args of [['--gemm', '3x3'], ['--precision', 'fp16'], ['--accumulator-bits', '60'], ['--array', '0x4']]) {
      const r = systolab(['rtl', 'sim', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
  it('without iverilog on the PATH: which tool, and how to install it', () => {
    const bin = mkdtempSync(join(tmpdir(), 'systolab-nobin-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = spawnSync(join(bin, 'node'), [CLI, 'rtl', 'sim', '--array', '2x2'], { cwd: WORKSPACE, encoding: 'utf8', env: { ...process.env, PATH: bin } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/iverilog .*not installed.*apt-get install iverilog/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
