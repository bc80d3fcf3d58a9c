/**
 * The file helpers every edge uses: a user's text file or YAML/JSON document in (a missing or malformed file is a
 * SimError naming it), and atomic writes out (a temp file renamed, so nothing is ever half-written).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseJsonText, parseYamlText } from './documents.js';
import { SimError } from './errors.js';
import { packageRoot, resolveShippedPath } from './package-root.js';
import { type ShippedDocuments, shippedDocument } from './shipped-documents.js';

/**
 * A user's text file (or, when a relative `models/…` or `hw-configs/…` path is not in the working folder, the file
 * of that name shipped with the package); a missing or unreadable file is a SimError naming it.
 */
export function readTextFile(file: string): string {
  try {
    return readFileSync(resolveShippedPath(file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SimError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, {
      code: 'missingFile', file, hint: code === 'ENOENT' ? `Looked in ${resolve(file)}.` : undefined,
    });
  }
}

/**
 * Reads and parses a YAML or JSON document (documents.ts: plain YAML, bounded aliases, one-line errors that never
 * quote the file); JSON when the file ends in .json (faster for large tensors). A leading byte-order mark is skipped.
 */
export function readDocument(file: string): unknown {
  const text = readTextFile(file).replace(/^\ufeff/, '');
  if (extname(file).toLowerCase() === '.json') return parseJsonText(text, file);
  return shippedDocument(shippedDocuments(), packagePath(file), text) ?? parseYamlText(text, file);
}

let shipped: ShippedDocuments | undefined;

/** The build's table of the shipped YAML files (base/shipped-documents.ts); none when the package was not built. */
function shippedDocuments(): ShippedDocuments {
  if (shipped === undefined) {
    try {
      shipped = JSON.parse(readFileSync(join(packageRoot(), 'dist', 'shipped-documents.json'), 'utf8')) as ShippedDocuments;
    } catch {
      shipped = {};
    }
  }
  return shipped;
}

/** The file's path inside the package, `/`-separated (`hw-configs/tpu-v1.yaml`); outside it, one that starts `../`. */
function packagePath(file: string): string {
  return relative(packageRoot(), resolve(resolveShippedPath(file))).split(sep).join('/');
}

/**
 * Writes a file (text or bytes) whole or not at all: it goes to a temp file beside it (`.NAME.PID.systolab-tmp`, a
 * dot file no reader opens), then is renamed over the target. A folder or file that cannot be written (read-only, full disk) is a
 * SimError naming the path. A kill mid-write can leave the temp file; `removeStaleTemps` deletes it on the next run.
 */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  makeFolder(dirname(file));
  const tmp = tempName(file);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeError(e, file);
  }
}

/** What every temp name ends with: `removeStaleTemps` deletes only names like these. */
export const TEMP_SUFFIX = '.systolab-tmp';
const TEMP_NAME = /^\.(.+)\.(\d+)\.systolab-tmp$/;

/** The temp name of a target: a dot file in the same folder, with this process's pid. */
export function tempName(file: string, pid = process.pid): string {
  return join(dirname(file), `.${basename(file)}.${pid}${TEMP_SUFFIX}`);
}

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the temp files (and temp folders) that killed runs left in `dir`: those whose pid no longer runs. */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed = names.filter((n) => {
    const m = TEMP_NAME.exec(n);
    return m !== null && Number(m[2]) !== process.pid && !pidAlive(Number(m[2]));
  });
  for (const n of removed) rmSync(join(dir, n), { recursive: true, force: true });
  return removed;
}

/**
 * mkdir -p, as a SimError naming the folder when it cannot be made. One level at a time: Node's recursive mkdir
 * never returns under /proc (it retries ENOENT forever), so a hostile --out would hang.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(e, dir); // EEXIST: made meanwhile
    }
  }
}

const WRITE_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left on the disk',
  EDQUOT: 'disk quota exceeded', ENOTDIR: 'a parent is a file, not a folder', EEXIST: 'a file of that name is in the way', ENOENT: 'a parent folder cannot be made',
  EISDIR: 'it is a folder',
};

/** A failed write as a one-line SimError naming the path; anything but a file-system error is passed through. */
export function writeError(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof SimError || typeof code !== 'string') return e;
  return new SimError(`cannot be written: ${WRITE_REASONS[code] ?? code}`, {
    code: 'cannotWrite', file: path, hint: 'Choose another --out folder, or free space / fix the permissions.',
  });
}

/**
 * Writes a run's files so that they appear together or not at all: all of them into a sibling temp folder, which is
 * then swapped with `dir` by two renames (the previous `dir` moves aside, then is deleted after its other entries,
 * such as charts/, move into the new folder). A kill between the renames leaves no `dir` but the previous run whole
 * beside it; `recoverFolderSwap` (run first by every call) puts it back. Returns the files written.
 */
export function writeFilesTogether(dir: string, files: Readonly<Record<string, string>>): string[] {
  const target = resolve(dir);
  makeFolder(dirname(target));
  recoverFolderSwap(target);
  const fresh = swapName(target, 'new'), aside = swapName(target, 'old');
  rmSync(fresh, { recursive: true, force: true });
  makeFolder(fresh);
  for (const [name, text] of Object.entries(files)) {
    try {
      if (name.includes('/')) makeFolder(dirname(join(fresh, name)));
      writeFileSync(join(fresh, name), text);
    } catch (e) {
      rmSync(fresh, { recursive: true, force: true });
      throw writeError(e, join(dir, name));
    }
  }
  try {
    if (existsSync(target)) renameSync(target, aside);
    renameSync(fresh, target);
  } catch (e) {
    throw writeError(e, dir);
  }
  if (existsSync(aside)) finishSwap(target, aside);
  return Object.keys(files).map((n) => join(dir, n));
}

const SWAP_NAME = /^\.(.+)\.(\d+)\.(new|old)\.systolab-tmp$/;
const swapName = (target: string, kind: 'new' | 'old') => join(dirname(target), `.${basename(target)}.${process.pid}.${kind}${TEMP_SUFFIX}`);

/** Moves the entries of the previous folder that the new one lacks (charts, notes) into it, then deletes it. */
function finishSwap(target: string, aside: string): void {
  for (const n of readdirSync(aside)) if (!existsSync(join(target, n))) renameSync(join(aside, n), join(target, n));
  rmSync(aside, { recursive: true, force: true });
}

/**
 * Finishes what a killed `writeFilesTogether` on `target` left: with `target` missing, the previous run (moved aside)
 * comes back; with `target` present, a moved-aside folder hands over its remaining entries. Half-written new folders
 * are deleted. Only the leftovers of processes that no longer run are touched. Returns what it did, one line each.
 */
export function recoverFolderSwap(target: string): string[] {
  const parent = dirname(target);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const n of names) {
    const m = SWAP_NAME.exec(n);
    if (m === null || m[1] !== basename(target) || pidAlive(Number(m[2]))) continue;
    const path = join(parent, n);
    if (m[3] === 'new') {
      rmSync(path, { recursive: true, force: true });
      done.push(`removed the unfinished ${n}`);
    } else if (!existsSync(target)) {
      renameSync(path, target);
      done.push(`restored the previous run from ${n}`);
    } else {
      finishSwap(target, path);
      done.push(`finished moving ${n} into ${basename(target)}`);
    }
  }
  return done;
}

// ---------------------------------------------------------------------------------------------------------------
// The path rule (docs/files.md): a file named inside another file stays inside that file's folder

let anyPath = false;

/** `--allow-paths`: files named inside other files may lie anywhere (the path rule is off for this process). */
export function allowPathsAnywhere(on: boolean): void {
  anyPath = on;
}

/** Whether the rule is off (`--allow-paths`). */
export const pathsAllowedAnywhere = (): boolean => anyPath;

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p; // a missing file: checked as written, and the loader reports it missing
  }
};
const inside = (file: string, dir: string): boolean => {
  const r = relative(dir, file);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
};

/**
 * A file that `namingFile` names in `field` (`paramsFile`, `energy.table`, `models[0]` …): resolved against the
 * naming file's folder, and allowed only inside that folder or the package's own data (models/, hw-configs/), links
 * followed, unless `--allow-paths`. Outside: a SimError naming the naming file, the field and the path (never what
 * the file holds).
 */
export function namedFile(spec: string, namingFile: string, field: string): string {
  const dir = dirname(resolve(namingFile));
  const file = resolve(dir, spec);
  if (anyPath) return file;
  const target = real(file);
  const roots = [real(dir), ...['models', 'hw-configs'].map((d) => real(join(packageRoot(), d)))];
  if (roots.some((root) => inside(target, root))) return file;
  throw new SimError(`names a file outside the folder of ${basename(namingFile)}`, {
    code: 'pathNotAllowed', file: namingFile, path: field, value: spec,
    hint: `Allowed: files in ${dir} (and below) or the package's models/ and hw-configs/; pass --allow-paths to read it anyway (docs/files.md).`,
  });
}
