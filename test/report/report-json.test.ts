/**
 * An exact SQNR (+Infinity dB, −Infinity drop; a NumericsReport or a quantized train history) survives JSON: written
 * as "Infinity"/"-Infinity", never `null`, and read back by `report` as the same numbers. The mutation: plain
 * JSON.stringify loses it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportJson, reviveReportJson } from '../../sim/report/report-json.js';

// JSON keeps no −0, so the finite values are drawn without it (x + 0 turns −0 into 0).
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0);
const db = fc.oneof(finite, fc.constantFrom(Infinity, -Infinity));
const report = fc.record({
  schemaVersion: fc.constant(2), idealSqnrDb: finite,
  layers: fc.array(fc.record({ name: fc.string(), sqnrDb: db, sqnrDropDb: db, cosine: fc.double({ min: -1, max: 1, noNaN: true }).map((x) => x + 0) }), { maxLength: 5 }),
  summary: fc.record({ outputSqnrDb: db, worstSqnrDropDb: db, note: fc.constantFrom('Infinity', 'x') }),
  // a quantized train history's steps: an exact gradient (+Infinity) or none measured (null)
  steps: fc.array(fc.record({ layer: fc.string(), gradSqnrDb: fc.oneof(db, fc.constant(null)) }), { maxLength: 3 }),
});

describe("numerics-report.json and history.json", () => {
  it('round-trips every SQNR, infinite ones included, as valid JSON whose only nulls are the unmeasured ones', () => {
    fc.assert(fc.property(report, fc.constantFrom(undefined, 1), (r, indent) => {
      const text = reportJson(r, indent);
      let nulls = 0;
      JSON.parse(text, (_k, v: unknown) => { if (v === null) nulls++; return v; });
      expect(nulls).toBe(r.steps.filter((x) => x.gradSqnrDb === null).length);
      expect(reviveReportJson(JSON.parse(text))).toEqual(r);
    }));
  });

  it('leaves a string "Infinity" outside the SQNR fields a string', () => {
    const r = { summary: { note: 'Infinity', outputSqnrDb: Infinity } };
    expect(reviveReportJson(JSON.parse(reportJson(r)))).toEqual(r);
  });

  it('mutation: plain JSON.stringify writes an exact SQNR as null, which the round trip catches', () => {
    const r = { layers: [{ sqnrDb: Infinity }] };
    expect(reviveReportJson(JSON.parse(JSON.stringify(r)))).not.toEqual(r);
  });
});
