/**
 * The one error type for bad input. Expected outcomes are values; only bad input throws, and it throws this:
 * the file, the key path inside it, the offending value and a hint, so the CLI can print one line and exit 2.
 */
/** Every kind of bad input, as a machine-readable code (tests and scripts match on these, never on the text). */
export const SIM_ERROR_CODES = [
  'badValue',            // a value outside what the field allows
  'malformed',           // a file that does not parse (YAML, JSON, .cfg, ONNX bytes, a results line)
  'missingFile',         // a file that cannot be read
  'missingField',        // a required key is absent
  'unknownField',        // a key the format does not have
  'unknownKind',         // a layer kind not in LayerKind
  'unknownParam',        // a "layer.param" key naming no parameter
  'unknownModel',        // a built-in model name not in the zoo
  'unknownPreset',       // a hardware preset or energy table not shipped
  'unknownDataset',      // a dataset name not in the registry
  'unknownInput',        // an input tensor naming no model input
  'unknownColumn',       // a CSV column not in the header
  'missingInput',        // a model input without a tensor
  'missingEntry',        // an energy-table entry the pricing needs
  'duplicateName',       // two layers with one name
  'danglingInput',       // a layer input naming no layer
  'cycle',               // a layer graph with a cycle (or a layer reading its own output)
  'arity',               // a layer with the wrong number of inputs
  'shapeMismatch',       // shapes that do not fit together
  'dynamicShape',        // a dimension that is not fixed
  'dataLength',          // tensor data of the wrong length
  'notNumber',           // a CSV cell or value that is not a number
  'raggedRow',           // a CSV row with the wrong number of cells
  'badCsv',              // a CSV file that cannot be used as a dataset
  'badLabel',            // labels that do not fit the task
  'lossMismatch',        // a loss that does not fit the model's output
  'negativeEnergy',      // an energy or area below 0
  'overflow',            // a count beyond the exact range of a double (2^53)
  'traceTooLarge',       // a --trace beyond what a trace shows
  'unsupported',         // valid input Systolab does not handle (ONNX external data, string tensors, dilation in a SCALE-Sim export)
  'missingTool',         // an external program a command needs (iverilog, verilator, yosys, sbatch) is not installed
  'submitRejected',      // sbatch refused a job (its first line is quoted: a partition or time limit the cluster does not have)
  'unsupportedOpset',    // an ONNX opset outside 7–17
  'unsupportedOperator', // ONNX operators the importer does not map
  'onnx',                // an ONNX node the importer cannot map as it stands (the message names the node)
  'badPackageData',      // data inside an installed npm package is not as expected
  'exists',              // a sweep folder that already holds results (use --resume)
  'busy',                // an output folder another running sweep holds (its lock file names the pid)
  'cannotWrite',         // an output file or folder that cannot be created or written (read-only, full disk)
  'pathNotAllowed',      // a file named inside another file that lies outside that file's folder (docs/files.md)
  'internal',            // a bug: please report it
] as const;
export type SimErrorCode = (typeof SIM_ERROR_CODES)[number];

export interface SimErrorInfo {
  /** A short machine-readable code, e.g. `unknownKind`, `shapeMismatch`, `missingFile`. */
  readonly code: SimErrorCode;
  /** The file the bad input came from, when there is one. */
  readonly file?: string;
  /** Key path inside the file, e.g. `layers[3].kernel`. */
  readonly path?: string;
  /** The offending value, when there is one (printed compactly). */
  readonly value?: unknown;
  /** What to do about it: allowed values, an example. */
  readonly hint?: string;
}

export class SimError extends Error {
  readonly code: SimErrorCode;
  readonly file?: string;
  readonly path?: string;
  readonly value?: unknown;
  readonly hint?: string;
  /** The message without the file/path prefix, value and hint. */
  readonly problem: string;
  private readonly info: SimErrorInfo;

  constructor(problem: string, info: SimErrorInfo) {
    super(formatMessage(problem, info));
    this.name = 'SimError';
    this.problem = problem;
    this.info = info;
    this.code = info.code;
    this.file = info.file;
    this.path = info.path;
    this.value = info.value;
    this.hint = info.hint;
  }

  /** The same error with `context` before its key path, e.g. `at batch 1000` when a batch override made it. */
  under(context: string): SimError {
    return new SimError(this.problem, { ...this.info, path: this.path ? `${context}, ${this.path}` : context });
  }

  /** The same error, attributed to a file (loaders add the file once they catch an error from a pure stage). */
  inFile(file: string): SimError {
    return this.file !== undefined ? this : new SimError(this.problem, { ...this.info, file });
  }
}

function formatMessage(message: string, info: SimErrorInfo): string {
  const where = [info.file, info.path].filter((s): s is string => s !== undefined && s !== '').map((s) => oneLine(s, LIMIT_CHARS.where)).join(': ');
  const value = 'value' in info ? ` (got ${showValue(info.value)})` : '';
  const hint = info.hint ? ` ${oneLineSentence(info.hint, LIMIT_CHARS.hint)}` : '';
  return `${where ? `${where}: ` : ''}${oneLineSentence(message, LIMIT_CHARS.problem)}${value}.${hint}`;
}

/**
 * How many characters each part of a message keeps. A longer part keeps its head and says how long it was, so a
 * message stays one readable line whatever the input: a 30,000-character model name, a 5,000-character flag value,
 * a file of one long line.
 */
export const LIMIT_CHARS = { where: 100, problem: 200, value: 60, json: 120, hint: 400 } as const;
/** The longest a message can be: every part at its limit (a string value's characters escaped as `\uXXXX` at worst), each with its `… (N characters)` note. */
export const MAX_MESSAGE_CHARS = 2 * LIMIT_CHARS.where + LIMIT_CHARS.problem + Math.max(6 * LIMIT_CHARS.value, LIMIT_CHARS.json) + LIMIT_CHARS.hint + 5 * 40;

/** Line and paragraph breaks (where a terminal or an editor starts a new line) and tabs. */
const BREAKS = /[\n\r\v\f\t\u0085\u2028\u2029]+/g;
/** Other control characters (escape sequences would drive the terminal). */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text as one line of at most `maxChars` characters (plus a length note): breaks become spaces, controls `�`. */
export function oneLine(text: string, maxChars: number): string {
  return abbreviate(text.replace(BREAKS, ' ').replace(CONTROLS, '\ufffd'), maxChars);
}

/** A word (a run without spaces) longer than this inside a sentence keeps its head; a long path still fits. */
const WORD_CHARS = 100;
const LONG_WORD = new RegExp(`\\S{${WORD_CHARS + 1},}`, 'g');

/** {@link oneLine} for a sentence: a long word keeps its head, so the words around a 30,000-character name are still read. */
export function oneLineSentence(text: string, maxChars: number): string {
  return oneLine(text.replace(LONG_WORD, (w) => abbreviate(w, WORD_CHARS)), maxChars);
}

/** The head of `text` and how long it was, when it is longer than `maxChars`. */
function abbreviate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${head(text, maxChars)}… (${text.length} characters)`;
}

/** The first `maxChars` UTF-16 units of `text`, one fewer rather than half a surrogate pair. */
export function head(text: string, maxChars: number): string {
  return text.slice(0, /[\udc00-\udfff]/.test(text[maxChars] ?? '') ? maxChars - 1 : maxChars);
}

/** What a key in a Systolab file looks like: letters, digits and `_ . - / [ ]`, at most 64 characters. */
const NAME_LIKE = /^[\p{L}\p{N}_.\-/[\]]{1,64}$/u;

/**
 * A key from a file, as a message may name it. A key that is not name-like is not named (only its length is
 * given): it may be a line of some other file, read by mistake (`root:$6$…:::` of /etc/shadow parses as a YAML key).
 */
export function shownKey(key: string): string {
  return NAME_LIKE.test(key) ? key : `(a key of ${key.length} characters that is not a name)`;
}

/** A compact, one-line rendering of a bad value: long arrays are shortened, long strings and JSON keep their head. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= LIMIT_CHARS.value) return escapeBreaks(JSON.stringify(value));
    return `${escapeBreaks(JSON.stringify(`${head(value, LIMIT_CHARS.value)}…`))} (${value.length} characters)`;
  }
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) =>
      Array.isArray(v) && v.length > 8 ? [...v.slice(0, 8), `... ${v.length - 8} more`] : v,
    ) ?? String(value);
  } catch {
    text = String(value);
  }
  return oneLine(escapeBreaks(text), LIMIT_CHARS.json);
}

/** JSON leaves U+0085, U+2028 and U+2029 as they are; some terminals and editors break lines at them. */
function escapeBreaks(json: string): string {
  return json.replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
