/**
 * Library = CLI: `import { simulate, trace, train, check, sweep } from 'systolab'` returns exactly what the bundled CLI
 * prints with --format json (sweep: the records of results.jsonl), with the same defaults. A changed default or field
 * on either side fails here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check, parseSweepSpec, simulate, sweep, trace, train } from '../../sim/index.js';
import { systolab } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'systolab-lib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The CLI's JSON for these flags (exit 0 asserted). */
function cli(args: string[]): unknown {
  const r = systolab([...args, '--format', 'json']);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}
/** What JSON keeps of a library object (undefined fields dropped), as the CLI prints it. */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('library = CLI', () => {
  it('simulate, with every default (the quick start\'s command)', () => {
    expect(asJson(simulate())).toEqual(cli(['simulate']));
  });

  it('simulate with flags: a zoo model, an array, a dataflow, training, a batch', () => {
    const flags = { model: 'mobilenet-v2', array: '16x16', dataflow: 'ws', mode: 'training', batch: 2 } as const;
    expect(asJson(simulate(flags))).toEqual(cli(['simulate', '--model', 'mobilenet-v2', '--array', '16x16', '--dataflow', 'ws', '--mode', 'training', '--batch', '2']));
  });

  it('simulate --compat scalesim on SCALE-Sim\'s own files', () => {
    const model = 'test/fixtures/scalesim/example_conv.csv', hw = 'test/fixtures/scalesim/example_8x16_user_bw4.cfg';
    expect(asJson(simulate({ model, hw, compat: 'scalesim' }))).toEqual(cli(['simulate', '--model', model, '--hw', hw, '--compat', 'scalesim']));
  });

  it('trace', () => {
    expect(asJson(trace({ gemm: '3x4x2', array: '2x2', dataflow: 'is', seed: 5 }))).toEqual(cli(['simulate', '--trace', '3x4x2', '--array', '2x2', '--dataflow', 'is', '--seed', '5']));
  });

  it('train (float), with the defaults the CLI has for what is not given', () => {
    const lib = train({ model: 'pass-fail-mlp', dataset: 'pass-fail', optimizer: 'adam', lr: 0.05, epochs: 5 });
    expect(asJson(lib)).toEqual(cli(['train', '--model', 'pass-fail-mlp', '--dataset', 'pass-fail', '--optimizer', 'adam', '--lr', '0.05', '--epochs', '5', '--out', join(tmp, 't1')]));
  });

  it('train (quantized)', () => {
    const lib = train({ model: 'iris-mlp', dataset: 'iris', precision: 'int8', epochs: 2 });
    expect(asJson(lib)).toEqual(cli(['train', '--model', 'iris-mlp', '--dataset', 'iris', '--precision', 'int8', '--epochs', '2', '--out', join(tmp, 't2')]));
  });

  it('check, default model and a chosen format', () => {
    expect(asJson(check({ model: 'models/trained/iris-mlp.json', precision: 'q4.12' }))).toEqual(cli(['check', '--model', 'models/trained/iris-mlp.json', '--precision', 'q4.12']));
  });

  it('sweep: the records are the lines of results.jsonl', async () => {
    const out = join(tmp, 'sw');
    const r = systolab(['sweep', '--model', 'tiny-cnn', '--array', '4x4,8x8', '--dataflow', 'os,ws', '--out', out, '--jobs', '1']);
    expect(r.code, r.err).toBe(0);
    const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const records = await sweep(parseSweepSpec({ models: ['tiny-cnn'], arrays: ['4x4', '8x8'], dataflows: ['os', 'ws'] }), { jobs: 1 });
    const byId = (xs: { id: string }[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
    expect(asJson(byId(records))).toEqual(byId(lines));
  });
});
