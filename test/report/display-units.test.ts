/**
 * Engineering units (sim/base/display-units.ts): the scale of a column is chosen by its largest magnitude and prints it
 * in [1, 1000); one scale serves every cell; formatting round-trips within its precision. Each law is also run against a
 * deliberately wrong implementation, to show it can fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DisplayScale, EDP_PJ_S, ENERGY_MAC, ENERGY_PJ, TIME_NS, type UnitLadder, chooseScale, formatIn, formatQuantity, inScale,
} from '../../sim/base/display-units.js';

const LADDERS: readonly UnitLadder[] = [ENERGY_PJ, EDP_PJ_S, ENERGY_MAC, TIME_NS];
/** Magnitudes from 1e-3 of the smallest unit to 1e6 of the largest, both signs. */
const value = fc.double({ min: 1e-3, max: 1e18, noNaN: true }).chain((v) => fc.constantFrom(v, -v));
const column = fc.array(value, { minLength: 1, maxLength: 20 });
const ladder = fc.constantFrom(...LADDERS);

/** The law of a scale choice: the column's largest magnitude prints in [1, 1000), unless no unit allows it. */
function scaleLawHolds(choose: (vs: readonly number[], u: UnitLadder) => DisplayScale, vs: readonly number[], u: UnitLadder): boolean {
  const s = choose(vs, u);
  const max = Math.max(...vs.map(Math.abs));
  const shown = max / s.perUnit;
  if (max < u[0].perUnit) return s === u[0];
  if (max >= u[u.length - 1].perUnit) return s === u[u.length - 1];
  return shown >= 1 && shown < 1000;
}

/** Formatting round trip: the printed number, read back and multiplied out, is within 4 significant figures. */
function roundTrips(format: (v: number, s: DisplayScale) => string, v: number, s: DisplayScale): boolean {
  const back = Number(format(v, s).replace(/,/g, '')) * s.perUnit;
  return Math.abs(back - v) <= 5e-4 * Math.abs(v) * (1 + 1e-9);
}

describe('chooseScale', () => {
  it('prints the largest magnitude of a column between 1 and 1000 (property)', () => {
    fc.assert(fc.property(column, ladder, (vs, u) => scaleLawHolds(chooseScale, vs, u)));
  });
  it('depends only on the largest magnitude: order and smaller cells do not matter (property)', () => {
    fc.assert(fc.property(column, ladder, (vs, u) => {
      const max = Math.max(...vs.map(Math.abs));
      return chooseScale([...vs].reverse(), u) === chooseScale([max], u) && chooseScale(vs, u) === chooseScale([max], u);
    }));
  });
  it('examples: 11,490,000,000 pJ is 11.49 mJ; a column of 1 pJ and 2 µJ is in µJ; no finite value → the smallest unit', () => {
    expect(formatQuantity(11_490_000_000, ENERGY_PJ)).toBe('11.49 mJ');
    expect(chooseScale([1, 2e6], ENERGY_PJ).unit).toBe('µJ');
    expect(formatIn(1, chooseScale([1, 2e6], ENERGY_PJ))).toBe('0.000001');
    expect(chooseScale([NaN, Infinity], ENERGY_PJ).unit).toBe('pJ');
    expect(formatQuantity(2.13e7, EDP_PJ_S, 3)).toBe('21.3 µJ·s');
    expect(formatQuantity(464, TIME_NS)).toBe('464 ns');
  });
  it('mutation: a choice by the smallest cell (per-cell thinking) breaks the law', () => {
    const bySmallest = (vs: readonly number[], u: UnitLadder) => chooseScale([Math.min(...vs.map(Math.abs))], u);
    expect(fc.check(fc.property(column, ladder, (vs, u) => scaleLawHolds(bySmallest, vs, u))).failed).toBe(true);
  });
});

describe('formatIn', () => {
  it('round-trips within 4 significant figures, with thousands separators and no exponent (property)', () => {
    fc.assert(fc.property(column, ladder, (vs, u) => {
      const s = chooseScale(vs, u);
      return vs.every((v) => roundTrips(formatIn, v, s) && !/e/i.test(formatIn(v, s)));
    }));
    expect(formatIn(123_456_789, ENERGY_PJ[0])).toBe('123,500,000');
    expect(inScale(5e3, ENERGY_PJ[1])).toBe(5);
  });
  it('mutation: formatting with toPrecision(2) loses the precision the round trip asks for', () => {
    const coarse = (v: number, s: DisplayScale) => String(Number((v / s.perUnit).toPrecision(2)));
    expect(fc.check(fc.property(value, ladder, (v, u) => roundTrips(coarse, v, chooseScale([v], u)))).failed).toBe(true);
  });
});
