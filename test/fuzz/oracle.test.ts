/**
 * The fuzz harness itself: every oracle rule flags the fault it exists for (mutation checks: each test feeds an
 * outcome with one injected fault), the sound outcomes pass, and the generators are what they claim (deterministic
 * for a seed, valid files among them, the hand-built ONNX protobuf decodes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOnnx } from '../../sim/load/onnx/decode.js';
import type { FuzzCase } from './case.js';
import { FORMATS, anyCase } from './formats.js';
import { tinyOnnx } from './gen-onnx.js';
import { type CliOutcome, checkNumbers, classOf, judgeCall, judgeCli, judgeRerun } from './oracle.js';

const JSON_CASE: FuzzCase = { format: 'model-yaml', category: 'valid', files: {}, argv: ['simulate', '--format', 'json'] };
const ok: CliOutcome = { code: 0, signal: null, stdout: '{"totals":{"cycles":600,"energy":{"total":1.5}}}\n', stderr: '', ms: 300, files: [] };
const kinds = (c: FuzzCase, o: Partial<CliOutcome>): string[] => judgeCli(c, { ...ok, ...o }).map((v) => v.kind);

describe('the CLI oracle', () => {
  it('passes sound outcomes: exit 0 with sound JSON, exit 2 with one line, exit 1 where a rule allows it', () => {
    expect(kinds(JSON_CASE, {})).toEqual([]);
    expect(kinds(JSON_CASE, { code: 2, stdout: '', stderr: 'systolab: model.yaml: layers[1].kernel: must be ≥ 1 (got 0).\n' })).toEqual([]);
    expect(kinds({ ...JSON_CASE, exit1Allowed: true }, { code: 1, stdout: '', stderr: 'check: agreement 0.5 < 0.99\n' })).toEqual([]);
  });

  it('flags each fault it exists for', () => {
    expect(kinds(JSON_CASE, { code: 2, stderr: 'systolab: Invalid values:\n  Argument: mode\nChoices: "a"\n' })).toEqual(['not-one-line']);
    expect(kinds(JSON_CASE, { code: 2, stderr: 'no prefix\n' })).toEqual(['not-one-line']);
    expect(kinds(JSON_CASE, { code: 2, stderr: `systolab: ${'x'.repeat(1100)}\n` })).toEqual(['long-message']);
    expect(kinds(JSON_CASE, { code: 1, stderr: 'systolab: internal error: boom\nRun again with --debug\n' })).toEqual(['internal-error']);
    expect(kinds(JSON_CASE, { code: 3, stderr: 'systolab: internal error: boom\n' })).toContain('internal-error');
    expect(kinds(JSON_CASE, { code: 1, stderr: 'systolab: something\n' })).toEqual(['exit-code']);
    expect(kinds(JSON_CASE, { code: 2, stderr: 'systolab: x\n    at f (/a/b.js:1:2)\n' })).toContain('stack-trace');
    expect(kinds(JSON_CASE, { code: 134, signal: null })).toContain('crash');
    expect(kinds(JSON_CASE, { code: null, signal: 'SIGKILL' })).toContain('crash');
    expect(kinds(JSON_CASE, { ms: 10_001 })).toEqual(['timeout']);
    expect(kinds(JSON_CASE, { ms: 10_600, code: null, signal: 'SIGKILL' })).toEqual(['timeout']); // our kill at the limit is no crash
    expect(kinds(JSON_CASE, { stdout: 'not json' })).toEqual(['not-json']);
    expect(kinds(JSON_CASE, { stdout: '{"totals":{"energy":{"total":null}}}' })).toEqual(['non-finite']);
    expect(kinds(JSON_CASE, { stdout: '{"totals":{"computeCycles":18014398509482144}}' })).toEqual(['inexact-count']);
    expect(kinds(JSON_CASE, { stdout: '{"totals":{"macs":2.5}}' })).toEqual(['inexact-count']);
    expect(kinds({ ...JSON_CASE, argv: ['simulate'] }, { stdout: 'energy NaN pJ\n' })).toEqual(['non-finite']);
    expect(kinds(JSON_CASE, { files: ['out/results.jsonl.tmp'] })).toEqual(['tmp-left']);
    expect(kinds(JSON_CASE, { files: ['out/.results.jsonl.123.systolab-tmp'] })).toEqual(['tmp-left']);
    expect(kinds({ ...JSON_CASE, mustNotEcho: 'root:x:0' }, { code: 2, stderr: 'systolab: /etc/passwd: bad (got "root:x:0:0").\n' })).toEqual(['echoed-file']);
  });

  it('does not call a NaN in a table a wrong number when the input itself says NaN', () => {
    expect(kinds({ ...JSON_CASE, argv: ['simulate', '--model', 'NaN'] }, { stdout: 'model NaN\n' })).toEqual([]);
  });

  it('flags a rerun that prints other bytes or exits otherwise', () => {
    expect(judgeRerun(ok, ok)).toEqual([]);
    expect(judgeRerun(ok, { ...ok, stdout: ok.stdout.replace('600', '601') }).map((v) => v.kind)).toEqual(['nondeterministic']);
    expect(judgeRerun(ok, { ...ok, code: 2 }).map((v) => v.kind)).toEqual(['nondeterministic']);
  });
});

describe('the in-process oracle', () => {
  it('passes values with sound numbers and one-line SimErrors', () => {
    expect(judgeCall({ kind: 'ok', value: { cycles: 3, seconds: 1e-9 }, ms: 1 })).toEqual([]);
    expect(judgeCall({ kind: 'simError', code: 'badValue', message: 'x.yaml: a: must be ≥ 1 (got 0).', ms: 1 })).toEqual([]);
  });

  it('flags each fault it exists for', () => {
    const k = (o: Parameters<typeof judgeCall>[0]): string[] => judgeCall(o).map((v) => v.kind);
    expect(k({ kind: 'ok', value: { totals: { energyPj: Number.NaN } }, ms: 1 })).toEqual(['non-finite']);
    expect(k({ kind: 'ok', value: { layers: [{ macs: 2 ** 53 + 2 }] }, ms: 1 })).toEqual(['inexact-count']);
    expect(k({ kind: 'ok', value: { data: new Float64Array([1, Number.POSITIVE_INFINITY]) }, ms: 1 })).toEqual(['non-finite']);
    expect(k({ kind: 'ok', value: {}, ms: 10_001 })).toEqual(['timeout']);
    expect(k({ kind: 'error', name: 'RangeError', message: 'Invalid typed array length: 2.89e+22', ms: 1 })).toEqual(['not-a-SimError']);
    expect(k({ kind: 'simError', code: 'internal', message: 'bug', ms: 1 })).toEqual(['internal-error']);
    expect(k({ kind: 'simError', code: 'malformed', message: 'a\nb', ms: 1 })).toEqual(['multi-line-message']);
    expect(k({ kind: 'timeout', ms: 10_000 })).toEqual(['timeout']);
    expect(k({ kind: 'crash', message: 'ERR_WORKER_OUT_OF_MEMORY', ms: 5 })).toEqual(['crash']);
  });

  it('law: finite numbers under non-count keys pass; any count beyond 2^53 is flagged', () => {
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('seconds', 'utilization', 'ratio', 'x'), fc.double({ noNaN: true, noDefaultInfinity: true })), (d) => checkNumbers(d).length === 0));
    fc.assert(fc.property(fc.constantFrom('cycles', 'macs', 'dramBytes', 'sramWords', 'folds'), fc.double({ min: 2 ** 53, max: 1e300, noNaN: true }), (key, v) =>
      checkNumbers({ [key]: v }).some((x) => x.kind === 'inexact-count')));
  });

  it('SQNR: ±Infinity is a defined value, NaN and a null are not; an unset threshold (maxSqnrDropDb: null) is fine', () => {
    expect(checkNumbers({ layers: [{ sqnrDb: Infinity, sqnrDropDb: -Infinity }], summary: { outputSqnrDb: 12 } })).toEqual([]);
    expect(checkNumbers({ rule: { maxSqnrDropDb: null }, steps: [{ gradSqnrDb: null }] })).toEqual([]);
    expect(checkNumbers({ layers: [{ sqnrDb: NaN }] }).map((v) => v.kind)).toEqual(['non-finite']);
    expect(checkNumbers({ summary: { outputSqnrDb: null } }).map((v) => v.kind)).toEqual(['non-finite']);
    expect(checkNumbers({ cycles: Infinity }).map((v) => v.kind)).toEqual(['non-finite']);
  });

  it('groups failures by rule, format and evidence, not by their numbers or temp folders', () => {
    const a = classOf('onnx', { kind: 'not-a-SimError', detail: 'RangeError: Invalid typed array length: 1099511627776 in /tmp/systolab-fuzz-ab12/model.onnx' });
    const b = classOf('onnx', { kind: 'not-a-SimError', detail: 'RangeError: Invalid typed array length: 2.89e+22 in /tmp/systolab-fuzz-zz99/model.onnx' });
    expect(a).toBe(b);
    expect(classOf('onnx', { kind: 'timeout', detail: 'x' })).not.toBe(classOf('hw-cfg', { kind: 'timeout', detail: 'x' }));
  });
});

describe('the generators', () => {
  it('give the same cases for the same seed (a fuzz run is reproducible)', () => {
    const strip = (cs: FuzzCase[]): string => JSON.stringify(cs, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
    expect(strip(fc.sample(anyCase, { seed: 7, numRuns: 60 }))).toBe(strip(fc.sample(anyCase, { seed: 7, numRuns: 60 })));
  });

  it('cover every format with valid and hostile cases, naming only files they write', () => {
    for (const [name, arb] of Object.entries(FORMATS)) {
      const cases = fc.sample(arb, { seed: 3, numRuns: 150 });
      expect(new Set(cases.map((c) => c.category)).size, name).toBeGreaterThan(3);
      for (const c of cases) {
        expect(c.argv.filter((a) => a.includes('\0')), `${name}: a command line cannot hold NUL`).toEqual([]);
        for (const [i, a] of c.argv.entries()) {
          const isValue = c.argv[i - 1]?.startsWith('--') || i <= 2;
          if (isValue && /\.(ya?ml|json|csv|cfg|onnx)$/.test(a) && !a.includes('/') && c.format !== 'sweep-spec') expect(Object.keys(c.files), `${name}: ${a}`).toContain(a);
        }
      }
    }
  });

  it('build ONNX protobufs the importer decodes (the hand-built models are well-formed, not just noise)', () => {
    const g = decodeOnnx(tinyOnnx([1n, 4n], 'Relu', 13n, 'relu'), 'tiny.onnx');
    expect(JSON.stringify(g)).toContain('Relu');
  });
});
