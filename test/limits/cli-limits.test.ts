/**
 * Issue 19, failure classes 1, 2, 3 and 6, through the bundled CLI: every absurd size is refused where it is read —
 * exit 2, one stderr line naming the file or flag, the field and the limit — within a few seconds (each run is
 * time-boxed at 10 s and must not time out). Runs in a temp folder; writes nothing into the repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';

const { onnx } = onnxProto;
const DIR = mkdtempSync(join(tmpdir(), 'systolab-limits-'));
symlinkSync(join(ROOT, 'test'), join(DIR, 'test'), 'dir');
const file = (name: string, text: string | Uint8Array): string => {
  writeFileSync(join(DIR, name), text);
  return name;
};

/** The bundled CLI with a 10 s time box. */
function run(args: readonly string[]): { code: number | null; err: string; out: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: DIR, encoding: 'utf8', timeout: 10_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, err: r.stderr, out: r.stdout, timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || r.signal !== null };
}

const cfg = readFileSync(join(ROOT, 'test', 'fixtures', 'scalesim', 'example_16x16_ws.cfg'), 'utf8');
const hugeOnnx = (): Uint8Array => {
  const m = onnx.ModelProto.decode(readFileSync(join(ROOT, 'test', 'fixtures', 'onnx', 'flat-cnn.onnx')));
  const dims = m.graph!.input![0].type!.tensorType!.shape!.dim!;
  dims[dims.length - 1] = { dimValue: 1099511627776 };
  return onnx.ModelProto.encode(m).finish();
};

// [what, args, text the one line must hold]
const CASES: readonly (readonly [string, readonly string[], readonly string[]])[] = [
  ['class 1: a topology value of 1e10 (was Invalid typed array length)', ['simulate', '--model', file('huge-gemm.csv', 'L,M,N,K,\nfc,10000000000,10000000000,10000000000,\n'), '--compat', 'scalesim'], ['huge-gemm.csv', 'line 2', 'field 2', 'exceeds the limit 16,777,216', 'docs/limits.md']],
  ['class 1: ArrayWidth 675539944105574400 in a .cfg', ['simulate', '--hw', file('wide.cfg', cfg.replace(/ArrayWidth:\s*16/, 'ArrayWidth: 675539944105574400')), '--model', 'tiny-cnn', '--compat', 'scalesim'], ['wide.cfg', 'ArrayWidth (line 6)', 'exceeds the limit 4,096']],
  ['class 1: ONNX input dims of 2^40', ['simulate', '--model', file('huge.onnx', hugeOnnx())], ['huge.onnx', 'input', 'exceeds the limit 16,777,216']],
  ['class 2: ArrayWidth 1e8 printed counts above 2^53', ['simulate', '--hw', file('wide2.cfg', cfg.replace(/ArrayWidth:\s*16/, 'ArrayWidth: 100000000')), '--model', 'tiny-cnn', '--format', 'json'], ['wide2.cfg', 'ArrayWidth', 'exceeds the limit 4,096']],
  ['class 2: --array 1x100000000', ['simulate', '--array', '1x100000000', '--format', 'json'], ['--array', 'cols 100000000', 'exceeds the limit 4,096']],
  ['class 2: --mac-pipeline-cycles 1e15', ['simulate', '--model', 'tiny-cnn', '--mac-pipeline-cycles', '1e15', '--format', 'json'], ['--mac-pipeline-cycles', 'exceeds the limit 1,024']],
  ['class 2: --clock-mhz 1e-300 gave null energy', ['simulate', '--model', 'tiny-cnn', '--clock-mhz', '1e-300', '--format', 'json'], ['--clock-mhz', 'is below the limit 0.001']],
  ['class 2: --dram-bytes-per-cycle 1e-300 gave null cycles', ['simulate', '--model', 'tiny-cnn', '--dram-bytes-per-cycle', '1e-300', '--bandwidth-mode', 'user', '--format', 'json'], ['--dram-bytes-per-cycle', 'is below the limit']],
  ['class 2: a sub-KiB SRAM in --compat scalesim gave Infinity bandwidth', ['simulate', '--model', 'tiny-cnn', '--compat', 'scalesim', '--sram-kib', '0.0625', '--format', 'json'], ['sram.ifmapKib', 'whole number of KiB ≥ 1']],
  ['class 3: a 4000³ GEMM in --compat scalesim (was 50 s)', ['simulate', '--model', file('g4000.csv', 'L,M,N,K,\nfc,4000,4000,4000,\n'), '--compat', 'scalesim', '--array', '32x32'], ['layer fc', 'exceeds the limit 268,435,456', 'scalesimSteps']],
  ['class 3: a 1-byte SRAM in --compat scalesim did not finish', ['simulate', '--model', 'tiny-cnn', '--compat', 'scalesim', '--sram-kib', '0.0009765625'], ['sram.ifmapKib']],
  ['class 6: bert-base-layer:batch=1000000000000 (6 min, then out of memory)', ['simulate', '--model', 'bert-base-layer:batch=1000000000000'], ['bert-base-layer: batch exceeds the limit 16,777,216']],
  ['class 6: bert-base-layer:batch=5000 lowers to 120,000 GEMMs', ['simulate', '--model', 'bert-base-layer:batch=5000'], ['GEMM count of one pass', 'exceeds the limit 16,384', 'gemmsPerPass']],
  ['class 6: --batch 5000 on bert-base-layer (the limit holds at any --batch)', ['simulate', '--model', 'bert-base-layer', '--batch', '5000'], ['at batch 5000, layers[', 'GEMM count of one pass', 'exceeds the limit 16,384']],
  ['a 1,000,000³ GEMM: each size within dim, 10^18 MACs (was refused by the memory model without the file)', ['simulate', '--model', file('g1e6.csv', 'L,M,N,K,\nfc,1000000,1000000,1000000,\n')], ['g1e6.csv', 'layers[1]', 'MAC count of one forward pass', 'exceeds the limit 1,125,899,906,842,624 (2^50)', 'macsPerPass']],
  ['--batch past dim names the batch, not only the model file', ['simulate', '--model', 'tiny-cnn', '--batch', '100000000'], ['at batch 100000000, layers[0]', 'exceeds the limit 16,777,216']],
  ['class 6: models show mobilenet-v2:width=1000000000000000', ['models', 'show', 'mobilenet-v2:width=1000000000000000'], ['mobilenet-v2: width exceeds the limit 1,024']],
  ['class 6: resnet18:resolution=2147483647 (111 s and 4.2 GB)', ['simulate', '--model', 'resnet18:resolution=2147483647'], ['resnet18: resolution exceeds the limit']],
  ['class 6: a YAML model with 2^25 filters', ['simulate', '--model', file('wide.yaml', 'name: wide\nlayers:\n  - { name: x, kind: input, shape: [1, 3, 8, 8] }\n  - { name: c, kind: conv2d, filters: 33554432, kernel: 3 }\n')], ['wide.yaml', 'layers[1].filters', 'exceeds the limit 16,777,216']],
  ['class 6: train on a 3-row CSV whose largest label is 1e9', ['train', '--model', 'iris-mlp', '--dataset', file('labels.csv', 'a,b,label\n1,2,0\n3,4,1000000000\n5,6,2\n')], ['labels.csv', 'row 2', 'column "label"', '1000000001 classes exceeds the limit 65,536']],
  ['class 6: check on the same CSV', ['check', '--model', 'iris-mlp', '--dataset', 'labels.csv'], ['labels.csv', 'exceeds the limit 65,536']],
];

describe('absurd sizes: exit 2, one line naming the field and the limit, within 10 s', () => {
  it.each(CASES)('%s', (_what, args, want) => {
    const r = run(args);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    for (const w of want) expect(lines[0]).toContain(w);
    expect(r.err).not.toContain('internal error');
  }, 15_000);
});

describe('sizes at their limits still run', () => {
  it('a 4096×4096 array and 1 KiB SRAMs in --compat scalesim are accepted', () => {
    const a = run(['simulate', '--model', 'tiny-cnn', '--array', '4096x4096', '--format', 'json']);
    expect(a.code).toBe(0);
    const b = run(['simulate', '--model', 'tiny-cnn', '--compat', 'scalesim', '--sram-kib', '1', '--format', 'json']);
    expect(b.code).toBe(0);
    expect(b.out).not.toContain('null');
  }, 25_000);
});
