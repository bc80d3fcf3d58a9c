/**
 * Tests write only to temp folders: this records what the repository's `reports/` holds before the run and fails the
 * run when anything was added or changed there by the end (a user's own reports must survive `npm test`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REPORTS = join(import.meta.dirname, '..', 'reports');

/** Every file under reports/ with its size and modification time. */
export function snapshot(dir = REPORTS): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const s = statSync(path);
        files.set(path, `${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return files;
}

/** The paths added or changed between two snapshots. */
export function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([path, stamp]) => before.get(path) !== stamp).map(([path]) => path).sort();
}

export default function setup(): () => void {
  const before = snapshot();
  return () => {
    const changed = changedPaths(before, snapshot());
    if (changed.length > 0) {
      // vitest reports an error thrown here but still exits 0, so the exit code is set as well.
      process.exitCode = 1;
      throw new Error(`tests wrote into the repository's reports/ (they must use temp folders): ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''}`);
    }
  };
}
