/**
 * A NumericsReport's exact SQNR (+Infinity dB, −Infinity drop) survives JSON: written as "Infinity"/"-Infinity",
 * never `null`, and read back by `report` as the same numbers. The mutation: plain JSON.stringify loses it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numericsReportJson, reviveNumericsReport } from '../../sim/report/numerics-json.js';

// JSON keeps no −0, so the finite values are drawn without it (x + 0 turns −0 into 0).
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0);
const db = fc.oneof(finite, fc.constantFrom(Infinity, -Infinity));
const report = fc.record({
  schemaVersion: fc.constant(2), idealSqnrDb: finite,
  layers: fc.array(fc.record({ name: fc.string(), sqnrDb: db, sqnrDropDb: db, cosine: fc.double({ min: -1, max: 1, noNaN: true }) }), { maxLength: 5 }),
  summary: fc.record({ outputSqnrDb: db, worstSqnrDropDb: db, note: fc.constantFrom('Infinity', 'x') }),
});

describe('numerics-report.json', () => {
  it('round-trips every SQNR, infinite ones included, as valid JSON without null', () => {
    fc.assert(fc.property(report, fc.constantFrom(undefined, 1), (r, indent) => {
      const text = numericsReportJson(r, indent);
      let nulls = 0;
      JSON.parse(text, (_k, v: unknown) => { if (v === null) nulls++; return v; });
      expect(nulls).toBe(0);
      expect(reviveNumericsReport(JSON.parse(text))).toEqual(r);
    }));
  });

  it('leaves a string "Infinity" outside the SQNR fields a string', () => {
    const r = { summary: { note: 'Infinity', outputSqnrDb: Infinity } };
    expect(reviveNumericsReport(JSON.parse(numericsReportJson(r)))).toEqual(r);
  });

  it('mutation: plain JSON.stringify writes an exact SQNR as null, which the round trip catches', () => {
    const r = { layers: [{ sqnrDb: Infinity }] };
    expect(reviveNumericsReport(JSON.parse(JSON.stringify(r)))).not.toEqual(r);
  });
});
