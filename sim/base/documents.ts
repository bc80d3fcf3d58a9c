/**
 * The text of a YAML or JSON file → its value, or a one-line SimError naming the file, the line and column and the
 * kind of problem. Pure. A message never quotes the file's text: the file may not be what its path promised
 * (`paramsFile: /etc/shadow`), so it says where the problem is and what kind it is, in our words.
 *
 * YAML is read as plain data: the YAML 1.2 core schema and nothing else (no custom tags, no YAML 1.1 `!!binary`,
 * `!!set` or timestamps, whatever a `%YAML 1.1` directive says), one document, aliases only to anchors set before
 * them and expanding to at most {@link MAX_YAML_ALIAS_COUNT} nodes. The yaml package's warnings (an unknown tag)
 * are errors here, so nothing is ever printed by the library itself.
 */
import { type ErrorCode, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import { SimError } from './errors.js';

/** How many nodes a document's aliases may expand to (the yaml package's measure), against alias bombs. */
export const MAX_YAML_ALIAS_COUNT = 1000;

/** Each yaml parse error, in our words (the package's messages can quote the source). */
const YAML_PROBLEMS: Record<ErrorCode, string> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'a malformed alias or anchor',
  BAD_COLLECTION_TYPE: 'a tag that does not fit its collection',
  BAD_DIRECTIVE: 'a malformed or unsupported % directive',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BAD_INDENT: 'bad indentation',
  BAD_PROP_ORDER: 'an anchor or a tag in the wrong place',
  BAD_SCALAR_START: 'a plain value starting with a reserved character (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a block collection used as a key',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection ([…] or {…})',
  DUPLICATE_KEY: 'a key given twice in one mapping',
  IMPOSSIBLE: 'text the parser cannot read',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MISSING_CHAR: 'a missing character (an unclosed quote, bracket or brace, or a missing comma or colon)',
  MULTILINE_IMPLICIT_KEY: 'a key that spans lines',
  MULTIPLE_ANCHORS: 'a value with two anchors',
  MULTIPLE_DOCS: 'more than one document (a `---` line); Systolab reads one document per file',
  MULTIPLE_TAGS: 'a value with two tags',
  NON_STRING_KEY: 'a key that is not a string',
  RESOURCE_EXHAUSTION: `aliases (*name) that expand beyond ${MAX_YAML_ALIAS_COUNT} nodes (write the values out, or alias less)`,
  TAB_AS_INDENT: 'a tab used for indentation (indent with spaces)',
  TAG_RESOLVE_FAILED: 'a tag Systolab does not read (plain YAML only: the core tags !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)',
  UNEXPECTED_TOKEN: 'an unexpected character or token',
};

/** `line L, column C` (1-based) of an offset into `text`. */
function lineColumn(lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
}

/** A YAML file's text → its value (see the module comment for what is accepted). */
export function parseYamlText(text: string, file: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines, prettyErrors: false, logLevel: 'error', uniqueKeys: true, schema: 'core', resolveKnownTags: false,
  });
  const problems: YAMLError[] = [...doc.errors, ...doc.warnings].sort((a, b) => a.pos[0] - b.pos[0]);
  const bad = (problem: string, offset?: number): SimError =>
    new SimError(`is not valid YAML: ${problem}`, { code: 'malformed', file, path: offset === undefined ? undefined : lineColumn(lines, offset) });
  if (problems.length > 0) throw bad(YAML_PROBLEMS[problems[0].code], problems[0].pos[0]);
  let dangling: number | undefined;
  visit(doc, {
    Alias(_key, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      dangling = alias.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  if (dangling !== undefined) throw bad('an alias (*name) with no anchor (&name) set before it', dangling);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (e) {
    // Every alias resolves (checked above), so the one ReferenceError left is the package's alias-count limit.
    if (e instanceof ReferenceError) throw bad(YAML_PROBLEMS.RESOURCE_EXHAUSTION);
    throw e;
  }
  return collection(value, file, 'YAML');
}

/**
 * Every file Systolab reads as YAML or JSON holds a mapping or a list (an empty file, null, is left to the loader's
 * own message). A lone string or number is some other file (a password file, a key, a log): refused without quoting it.
 */
function collection(value: unknown, file: string, format: 'YAML' | 'JSON'): unknown {
  if (value === null || typeof value === 'object') return value;
  const what = typeof value === 'string' ? `one text value of ${value.length} characters` : `one ${typeof value}`;
  throw new SimError(`is not a ${format} mapping or list but ${what}`, {
    code: 'malformed', file, hint: 'Is it the right file? Model, hardware, tensor, energy-table and sweep files are mappings (key: value).',
  });
}

/** A JSON file's text → its value; a syntax error names the line and column where the text stops being JSON. */
export function parseJsonText(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const offset = jsonErrorOffset(text) ?? 0;
    const lines = new LineCounter();
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    const problem = offset >= text.length ? 'the text ends inside a value (an unclosed string, bracket or brace?)' : 'an unexpected character';
    throw new SimError(`is not valid JSON: ${problem}`, { code: 'malformed', file, path: lineColumn(lines, offset) });
  }
  return collection(value, file, 'JSON');
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * Where `text` stops being JSON (RFC 8259): the offset of the first character that cannot continue it, `text.length`
 * when it ends too early, undefined when it is valid. An explicit stack, so deep nesting cannot overflow the call
 * stack. JSON.parse decides validity; this only says where, because V8's message quotes the text around the error.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const open: string[] = [];
  let i = 0;
  let state: 'value' | 'key' | 'after' = 'value';
  const skipSpace = (): void => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  /** Moves past a string starting at i; false (i at the bad character) when it is not one. */
  const string = (): boolean => {
    i++;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c) || c < 0x20) return false;
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c !== 0x5c) i++;
      else {
        JSON_ESCAPE.lastIndex = i;
        if (!JSON_ESCAPE.test(text)) return false;
        i = JSON_ESCAPE.lastIndex;
      }
    }
  };
  for (;;) {
    skipSpace();
    if (state === 'key') {
      if (text[i] !== '"' || !string()) return i;
      skipSpace();
      if (text[i] !== ':') return i;
      i++;
      state = 'value';
    } else if (state === 'value') {
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skipSpace();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          state = 'after';
        } else {
          open.push(c);
          state = c === '{' ? 'key' : 'value';
        }
      } else if (c === '"') {
        if (!string()) return i;
        state = 'after';
      } else {
        const literal = ['true', 'false', 'null'].find((l) => text.startsWith(l, i));
        JSON_NUMBER.lastIndex = i;
        if (literal !== undefined) i += literal.length;
        else if (JSON_NUMBER.test(text)) i = JSON_NUMBER.lastIndex;
        else return i;
        state = 'after';
      }
    } else {
      const top = open.at(-1);
      if (top === undefined) return i < text.length ? i : undefined;
      if (text[i] === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (text[i] === (top === '{' ? '}' : ']')) {
        i++;
        open.pop();
      } else return i;
    }
  }
}
