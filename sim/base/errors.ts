/**
 * The one error type for bad input. Expected outcomes are values; only bad input throws, and it throws this:
 * the file, the key path inside it, the offending value and a hint, so the CLI can print one line and exit 2.
 */
export interface SimErrorInfo {
  /** A short machine-readable code, e.g. `unknownKind`, `shapeMismatch`, `missingFile`. */
  readonly code: string;
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
  readonly code: string;
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

  /** The same error, attributed to a file (loaders add the file once they catch an error from a pure stage). */
  inFile(file: string): SimError {
    return this.file !== undefined ? this : new SimError(this.problem, { ...this.info, file });
  }
}

function formatMessage(message: string, info: SimErrorInfo): string {
  const where = [info.file, info.path].filter((s) => s !== undefined && s !== '').join(': ');
  const value = 'value' in info ? ` (got ${showValue(info.value)})` : '';
  const hint = info.hint ? ` ${info.hint}` : '';
  return `${where ? `${where}: ` : ''}${message}${value}.${hint}`;
}

/** A compact, one-line rendering of a bad value: long arrays and strings are shortened. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) =>
      Array.isArray(v) && v.length > 8 ? [...v.slice(0, 8), `... ${v.length - 8} more`] : v,
    ) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
