#!/usr/bin/env node
// Compares two recordings of test/snapshot/record.mjs: every stdout, stderr and exit code must be identical, except
// the documented CostReport schema-v1 → v2 renames (docs/cost-report.md), which are applied to the "before" side
// first. Prints one line per difference and a summary; exits 1 on any difference.
//   node test/snapshot/compare.mjs BEFORE_DIR AFTER_DIR
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [before, after] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(join(before, 'cases.json'), 'utf8'));
const read = (dir, name, ext) => readFileSync(join(dir, `${name}.${ext}`), 'utf8');

const VECTOR_ZEROS = ['macs', 'rowFolds', 'colFolds', 'mappingEfficiency', 'computeUtilization', 'overallUtilization'];

/** A schema-v1 CostReport as schema v2 states it. */
function v1ToV2(r) {
  const scalesim = r.compat === 'scalesim';
  const layers = r.layers.map((l) => {
    const o = { ...l };
    delete o.energyPj; delete o.energyNormalized;
    if (l.kind === 'vector') {
      for (const k of VECTOR_ZEROS) {
        if (o[k] !== 0) throw new Error(`v1 vector entry ${l.id} has ${k} = ${o[k]}, not 0`);
        delete o[k];
      }
      return o;
    }
    rename(o, 'sram', 'sramWords');
    rename(o, 'dram', 'dramWords');
    if (scalesim) rename(o, 'bandwidthBytesPerCycle', 'bandwidthWordsPerCycle');
    return o;
  });
  const totals = { ...r.totals };
  delete totals.energyPj; delete totals.energyNormalized;
  rename(totals, 'sram', 'sramWords');
  rename(totals, 'dram', 'dramWords');
  if (totals.byPass) {
    totals.byPass = Object.fromEntries(Object.entries(totals.byPass).map(([p, v]) => [p, { ...v, energy: { unit: r.energyTable.unit, total: v.energy } }]));
  }
  return { ...r, schemaVersion: 2, layers, totals };
}

function rename(o, from, to) {
  if (!(from in o)) return;
  o[to] = o[from];
  delete o[from];
}

/** v2 adds `op` to vector entries; check it is there, then drop it for the comparison. */
function dropNew(r) {
  return { ...r, layers: r.layers.map((l) => {
    if (l.kind !== 'vector') return l;
    if (typeof l.op !== 'string') throw new Error(`v2 vector entry ${l.id} has no op`);
    const { op: _op, ...rest } = l;
    return rest;
  }) };
}

const canon = (v) => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));

function firstDiff(a, b, path = '') {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) return `${path}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
  if (a && typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDiff(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path}: ${a} vs ${b}`;
}

// CSV (simulate --format csv): columns renamed, vector rows' zero columns blank, `op` and `energy.unit` added.
function csvRows(text) {
  const lines = text.trim().split('\n');
  const head = lines[0].split(',');
  return { head, rows: lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v]))) };
}
function csvV1ToV2(row, scalesim) {
  const o = {};
  for (const [k, v] of Object.entries(row)) {
    let key = k.replace(/^sram\./, 'sramWords.').replace(/^dram\./, 'dramWords.');
    if (scalesim) key = key.replace(/^bandwidthBytesPerCycle\./, 'bandwidthWordsPerCycle.');
    if (key === 'energyPj' || key === 'energyNormalized') key = v === '' ? `(${k})` : 'energy.total';
    if (key.startsWith('(')) continue;
    if (row.kind === 'vector' && VECTOR_ZEROS.includes(key) && v === '0') continue;
    if (v !== '') o[key] = v;
  }
  return o;
}
function csvV2(row) {
  const o = {};
  for (const [k, v] of Object.entries(row)) if (v !== '' && k !== 'op' && k !== 'energy.unit') o[k] = v;
  return o;
}

let differ = 0, same = 0;
const say = (name, what) => { differ++; console.log(`DIFF ${name}: ${what}`); };
for (const { name, args } of cases) {
  if (!existsSync(join(after, `${name}.out`))) { say(name, 'missing in the after recording'); continue; }
  const rcA = read(before, name, 'rc'), rcB = read(after, name, 'rc');
  const errA = read(before, name, 'err'), errB = read(after, name, 'err');
  if (rcA !== rcB) { say(name, `exit code ${rcA.trim()} vs ${rcB.trim()}`); continue; }
  if (errA !== errB) { say(name, `stderr differs:\n  ${errA.slice(0, 300)}\n  ${errB.slice(0, 300)}`); continue; }
  const outA = read(before, name, 'out'), outB = read(after, name, 'out');
  const json = args.includes('simulate') && args.includes('json') && !args.includes('--trace');
  const csv = args.includes('simulate') && args.includes('csv');
  if (json && rcA.trim() === '0') {
    const a = canon(v1ToV2(JSON.parse(outA))), b = canon(dropNew(JSON.parse(outB)));
    if (a !== b) { say(name, firstDiff(JSON.parse(a), JSON.parse(b)) ?? 'key order'); continue; }
  } else if (csv && rcA.trim() === '0') {
    const scalesim = args.includes('scalesim');
    const A = csvRows(outA), B = csvRows(outB);
    if (A.rows.length !== B.rows.length) { say(name, `${A.rows.length} vs ${B.rows.length} CSV rows`); continue; }
    const bad = A.rows.findIndex((r, i) => canon(csvV1ToV2(r, scalesim)) !== canon(csvV2(B.rows[i])));
    if (bad >= 0) { say(name, `CSV row ${bad + 1}: ${firstDiff(csvV1ToV2(A.rows[bad], scalesim), csvV2(B.rows[bad]))}`); continue; }
  } else if (outA !== outB) {
    const i = [...outA].findIndex((c, j) => c !== outB[j]);
    say(name, `stdout differs at char ${i}: ${JSON.stringify(outA.slice(Math.max(0, i - 40), i + 60))} vs ${JSON.stringify(outB.slice(Math.max(0, i - 40), i + 60))}`);
    continue;
  }
  same++;
}
console.log(`${same} identical (after the documented v1 → v2 renames), ${differ} differ, of ${cases.length} cases`);
process.exit(differ > 0 ? 1 : 0);
