/**
 * The dependency rules of sim/, as a pure checker (no file system), so that test/architecture.test.ts can both run it
 * over the real tree and feed it synthetic faults. docs/ARCHITECTURE.md describes the same order in prose: change both.
 */
import { posix } from 'node:path';

/** A folder of sim/ may import only itself and folders to its left. */
export const RANK_ORDER = [
  'base', 'ir', 'float', 'datasets', 'lower', 'arch', 'map', 'timing', 'compat', 'array', 'energy', 'fixed', 'rtl',
  'run', 'load', 'eda', 'sweep', 'cluster', 'api', 'report', 'playground', 'cli',
] as const;

/** models/zoo/ ranks with ir; sim/index.ts (the library entry) ranks after everything and may import anything. */
const ZOO = 'zoo';
const INDEX = 'index';
const rankOf = (folder: string): number =>
  folder === ZOO ? RANK_ORDER.indexOf('ir') : folder === INDEX ? RANK_ORDER.length : (RANK_ORDER as readonly string[]).indexOf(folder);

/** Bans on top of the order: `from` may not import any of `to` even where the order would allow it. */
export const EXTRA_BANS: readonly { from: string; to: readonly string[]; why: string }[] = [
  { from: 'array', to: ['timing', 'compat'], why: 'the PE array is the independent check of the fast model' },
];

/** The only places that may touch the file system, processes, workers or network. */
export const EDGE_FOLDERS: readonly string[] = ['load', 'eda', 'sweep', 'cluster', 'report', 'playground', 'cli'];
/** Single edge files inside otherwise pure folders. */
export const EDGE_FILES: readonly string[] = ['sim/base/files.ts', 'sim/base/package-root.ts'];

/** Modules only edges may import; matched on the top-level name, so `fs/promises` and `node:fs` both hit `fs`. */
export const EDGE_ONLY_MODULES: readonly string[] = [
  'fs', 'child_process', 'http', 'https', 'http2', 'net', 'dgram', 'dns', 'tls', 'worker_threads', 'cluster',
  'process', 'os', 'readline', 'module', 'piscina', 'cli-progress', 'playwright-core', '@resvg/resvg-js',
];

export interface Violation {
  file: string;
  /** 1-based. For an import, the line of its module specifier (the `from '...'` line of a multi-line import). */
  line: number;
  message: string;
}

export const formatViolation = (v: Violation): string => `${v.file}:${v.line} ${v.message}`;

const NOT_IN_ORDER = (folder: string) =>
  `folder ${folder} is not in the rank order: add it to RANK_ORDER in test/architecture-rules.ts and docs/ARCHITECTURE.md`;

/** Where a repo-relative path sits: in a ranked folder, in sim/ but outside the order, or outside sim/ and models/zoo/. */
type Place =
  | { kind: 'ranked'; folder: string; rank: number }
  | { kind: 'unranked'; folder: string; why: string }
  | { kind: 'outside' };

function placeOf(path: string): Place {
  const parts = path.split('/');
  if (parts[0] === 'models' && parts[1] === ZOO && parts.length > 2) return { kind: 'ranked', folder: ZOO, rank: rankOf(ZOO) };
  if (parts[0] !== 'sim' || parts.length < 2) return { kind: 'outside' };
  if (parts.length === 2) {
    // A file at the top of sim/: only the library entry belongs there (imported as index.js, checked as index.ts).
    if (/^index\.[jt]s$/.test(parts[1])) return { kind: 'ranked', folder: INDEX, rank: rankOf(INDEX) };
    return { kind: 'unranked', folder: parts[1], why: `sim/${parts[1]} sits at the top of sim/, where only index.ts may: move it into a folder of the order` };
  }
  const rank = rankOf(parts[1]);
  return rank >= 0 ? { kind: 'ranked', folder: parts[1], rank } : { kind: 'unranked', folder: parts[1], why: NOT_IN_ORDER(parts[1]) };
}

function isEdge(path: string): boolean {
  const parts = path.split('/');
  return EDGE_FILES.includes(path) || (parts[0] === 'sim' && parts.length > 2 && EDGE_FOLDERS.includes(parts[1]));
}

/** Keywords after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

/**
 * The source with comments, and the insides of string, template and regex literals, replaced by spaces; newlines and
 * the quote characters stay, so offsets and line numbers match the original. `${...}` inside templates stays code.
 * A heuristic lexer, not a parser: good enough for this codebase's style.
 */
export function maskSource(src: string): string {
  const out = src.split('');
  const blank = (from: number, to: number) => { for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '; };
  // One entry per open `${`: how many plain `{` are open inside it, so we know which `}` resumes the template.
  const braces: number[] = [];
  // Scans template text from j (just after a backtick or a `}` closing `${`); returns where code resumes.
  const template = (j: number): number => {
    const start = j;
    for (; j < src.length; j++) {
      if (src[j] === '\\') { j++; continue; }
      if (src[j] === '`') { blank(start, j); return j + 1; }
      if (src[j] === '$' && src[j + 1] === '{') { blank(start, j); braces.push(0); return j + 2; }
    }
    blank(start, j);
    return j;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      blank(i, end < 0 ? src.length : end);
      i = end < 0 ? src.length : end;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      blank(i, end < 0 ? src.length : end + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
    } else if (c === '`') {
      i = template(i + 1);
    } else if (c === '{') {
      if (braces.length) braces[braces.length - 1]++;
      i++;
    } else if (c === '}' && braces.length && braces[braces.length - 1] === 0) {
      braces.pop();
      i = template(i + 1);
    } else if (c === '}') {
      if (braces.length) braces[braces.length - 1]--;
      i++;
    } else if (c === '/' && startsRegex(out, i)) {
      let j = i + 1;
      let inClass = false;
      for (; j < src.length && src[j] !== '\n'; j++) {
        if (src[j] === '\\') { j++; continue; }
        if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
      }
      blank(i + 1, j);
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

/** Whether the `/` at i opens a regex: judged by the previous significant character (or keyword) of the masked text. */
function startsRegex(masked: string[], i: number): boolean {
  let k = i - 1;
  while (k >= 0 && /\s/.test(masked[k])) k--;
  if (k < 0) return true;
  const p = masked[k];
  if (/[\w$]/.test(p)) {
    let s = k;
    while (s > 0 && /[\w$]/.test(masked[s - 1])) s--;
    return BEFORE_REGEX.has(masked.slice(s, k + 1).join(''));
  }
  return !/[)\]'"`]/.test(p);
}

// Matched on the masked text, so comments and strings cannot fake an import; each ends at the specifier's opening quote.
const IMPORT_PATTERNS = [
  // import x from, import type { a } from, import * as n from, export { a } from, export * from, export * as n from:
  // between the keyword and `from` only identifiers, braces, commas, stars and spaces (which multi-line imports need).
  /(?<![\w$.])(?:import|export)\b[\w$\s{},*]*?\bfrom\s*(['"])/g,
  /(?<![\w$.])import\s*(['"])/g, // import './side-effect.js'
  /(?<![\w$.])import\s*\(\s*(['"])/g, // import('./dynamic.js'), also the type form typeof import('...')
];
// process.env, process?.exit, process['env'], globalThis.process.x
const PROCESS_USE = /(?:(?<![\w$.])|(?<=\bglobalThis\??\.))process\s*(?:\??\.\s*([\w$]+)|\[)/g;

/** Every import specifier of a source with the 1-based line of its opening quote, in source order. */
export function importsOf(source: string): { specifier: string; line: number }[] {
  const masked = maskSource(source);
  const quotes = new Set<number>();
  for (const re of IMPORT_PATTERNS) for (const m of masked.matchAll(re)) quotes.add(m.index + m[0].length - 1);
  return [...quotes].sort((a, b) => a - b).map((q) => {
    const end = masked.indexOf(masked[q], q + 1);
    return { specifier: source.slice(q + 1, end < 0 ? undefined : end), line: lineAt(source, q) };
  });
}

const lineAt = (source: string, offset: number): number => source.slice(0, offset).split('\n').length;

/** The top-level module name of a bare specifier: `node:fs/promises` → `fs`, `@resvg/resvg-js/x` → `@resvg/resvg-js`. */
function moduleName(specifier: string): string {
  const parts = specifier.replace(/^node:/, '').split('/');
  return parts[0].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** All rule violations of one file. `path` is repo-relative with forward slashes, e.g. `sim/array/trace.ts`. */
export function checkFile(path: string, source: string): Violation[] {
  const file = path.replace(/\\/g, '/');
  const self = placeOf(file);
  const edge = isEdge(file);
  const found: Violation[] = [];
  const flag = (line: number, message: string) => found.push({ file, line, message });

  if (self.kind === 'unranked') flag(1, self.why);

  for (const { specifier, line } of importsOf(source)) {
    const imports = `imports '${specifier}'`;
    if (!specifier.startsWith('.')) {
      if (!edge && EDGE_ONLY_MODULES.includes(moduleName(specifier))) flag(line, `${imports} outside an edge folder`);
      continue;
    }
    const target = placeOf(posix.normalize(posix.join(posix.dirname(file), specifier)));
    if (target.kind === 'outside') continue; // e.g. ../package.json
    if (target.kind === 'unranked') {
      // Inside one unranked folder the file-level violation already says it all.
      if (!(self.kind === 'unranked' && self.folder === target.folder)) flag(line, `${imports}: ${target.why}`);
      continue;
    }
    if (self.kind !== 'ranked') continue; // no rank to compare against
    const ban = EXTRA_BANS.find((b) => b.from === self.folder && b.to.includes(target.folder));
    if (target.rank > self.rank) {
      flag(line, `${imports}: ${self.folder} (rank ${self.rank}) may not import ${target.folder} (rank ${target.rank})`);
    } else if (ban) {
      flag(line, `${imports}: ${self.folder} may not import ${target.folder} (${ban.why})`);
    }
  }

  if (!edge) {
    for (const m of maskSource(source).matchAll(PROCESS_USE)) {
      flag(lineAt(source, m.index), `uses process${m[1] ? `.${m[1]}` : '[...]'} outside an edge folder`);
    }
  }
  return found.sort((a, b) => a.line - b.line);
}
