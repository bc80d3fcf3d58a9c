/**
 * `systolab merge DIR… --out DIR`: the union of sweep result folders (shards, interrupted runs, earlier merges) as one
 * result set. Lines are deduplicated by point id (a line depends only on its point, so shards agree byte for byte);
 * the output folder's own results, if any, are part of the union, so merging is incremental and idempotent.
 * Inputs are only read (a trailing partial line in one is ignored). Output files are written atomically.
 */
import { removeStaleTemps, writeFileAtomic } from '../base/files.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimError } from '../base/errors.js';

import { type SweepRecord, compareRecords } from './record.js';
import { lockOut } from './lock.js';
import { readResultsFile, writeTables } from './results-file.js';

export interface MergeOutcome {
  readonly records: SweepRecord[];
  readonly inputs: number;
  /** Lines seen more than once (same id). */
  readonly duplicates: number;
  /** Same id, different line (e.g. results of different Systolab versions): the first is kept. */
  readonly conflicts: number;
  /** When every input's run.json names the same grid: its size. */
  readonly gridPoints?: number;
  readonly summary: string;
}

interface RunInfo { gridHash?: string; gridPoints?: number }

function runInfo(dir: string): RunInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}

/** Merges under the output folder's lock (a sweep or another merge writing there is refused). */
export function mergeSweeps(dirs: readonly string[], out: string, version = 'library'): MergeOutcome {
  if (dirs.length === 0) throw noDirs();
  const existed = existsSync(out);
  const lock = lockOut(out);
  try {
    removeStaleTemps(out);
    return mergeLocked(dirs, out, version);
  } catch (e) {
    lock.release();
    if (!existed) rmSync(out, { recursive: true, force: true }); // bad input writes nothing: not even the folder
    throw e;
  } finally {
    lock.release();
  }
}

const noDirs = () => new SimError('needs at least one sweep folder', { code: 'missingField', path: 'merge', hint: 'Example: systolab merge reports/sweep-a reports/sweep-b --out reports/sweep-all' });

function mergeLocked(dirs: readonly string[], out: string, version: string): MergeOutcome {
  const sources = [...dirs];
  if (existsSync(join(out, 'results.jsonl')) && !dirs.some((d) => resolve(d) === resolve(out))) sources.push(out);
  // Read and validate everything before writing anything.
  const inputs = sources.map((dir) => {
    const file = join(dir, 'results.jsonl');
    if (!existsSync(file)) throw new SimError('has no results.jsonl: not a sweep folder', { code: 'missingFile', file: dir });
    const { lines, records } = readResultsFile(file);
    return { dir, lines, records, info: runInfo(dir) };
  });
  const byId = new Map<string, { line: string; record: SweepRecord }>();
  let duplicates = 0, conflicts = 0;
  for (const input of inputs) {
    input.lines.forEach((line, i) => {
      const record = input.records[i];
      const seen = byId.get(record.id);
      if (seen === undefined) byId.set(record.id, { line, record });
      else {
        duplicates++;
        if (seen.line !== line) conflicts++;
      }
    });
  }
  // The canonical order (record.ts compareRecords): what a complete unsharded sweep's results.jsonl holds, byte for byte.
  const kept = [...byId.values()].sort((a, b) => compareRecords(a.record, b.record));
  const lines = kept.map((k) => k.line);
  const records = kept.map((k) => k.record);
  const hashes = new Set(inputs.map((i) => i.info?.gridHash));
  const gridPoints = hashes.size === 1 && !hashes.has(undefined) ? inputs[0].info?.gridPoints : undefined;
  writeFileAtomic(join(out, 'results.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
  const summary = writeTables(out, records);
  writeFileAtomic(join(out, 'run.json'), `${JSON.stringify({
    tool: { name: 'systolab', version }, status: 'merged', mergedAt: new Date().toISOString(), sources: sources,
    points: records.length, duplicates, conflicts, ...(gridPoints !== undefined ? { gridPoints, gridHash: [...hashes][0] } : {}),
  }, null, 1)}\n`);
  return { records, inputs: sources.length, duplicates, conflicts, ...(gridPoints !== undefined ? { gridPoints } : {}), summary };
}
