/**
 * A sweep folder's files: results.jsonl read and checked line by line (the complete lines only), the tables written
 * at the end (results.csv, summary.json, summary.txt, atomically), and what a previous run's run.json says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimError } from '../base/errors.js';
import { writeFileAtomic } from '../base/files.js';
import { effectiveStatus } from './lock.js';
import { type SweepRecord, type SweepSummary, frontOf, readRecordLine, recordsToCsv, summarize, summaryText } from './record.js';

/**
 * Reads results.jsonl: the complete lines, their records (each line parsed once) and the byte length they end at (a
 * trailing partial line is not counted).
 */
export function readResultsFile(file: string): { lines: string[]; records: SweepRecord[]; completeBytes: number; totalBytes: number } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SimError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, { code: 'missingFile', file });
  }
  const end = buf.lastIndexOf(0x0a) + 1;
  const text = buf.subarray(0, end).toString('utf8');
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  const records = lines.map((line, i) => {
    const r = readRecordLine(line);
    if (r.problem !== undefined) {
      throw new SimError(`is not a sweep result line: it ${r.problem}`, { code: 'malformed', file, path: `line ${i + 1}`, hint: 'results.jsonl holds one JSON record per line, as systolab sweep writes them; delete or fix that line.' });
    }
    return r.record;
  });
  return { lines, records, completeBytes: end, totalBytes: buf.length };
}

/** Writes results.csv, summary.json and summary.txt for a result set (`summary`: summarize(records)); returns the summary text. */
export function writeTables(out: string, records: readonly SweepRecord[], summary: SweepSummary = summarize(records)): string {
  const text = summaryText(summary);
  writeFileAtomic(join(out, 'results.csv'), recordsToCsv(records, frontOf(summary)));
  writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
  writeFileAtomic(join(out, 'summary.txt'), text);
  return text;
}

/** The note on a folder whose run.json still says "running" (see lock.ts), if any. */
export function previousRunNote(out: string): string | undefined {
  try {
    return effectiveStatus(out, (JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { status?: unknown }).status).note;
  } catch {
    return undefined; // no run.json: a new folder
  }
}
