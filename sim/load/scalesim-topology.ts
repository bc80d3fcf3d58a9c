/**
 * SCALE-Sim topology CSVs, read as-is, → ParsedModel (then `buildGraph`, as for any model file). Pure: the caller
 * reads the file. Format (docs/cycle-model.md, SCALE-Sim compatibility; SCALE-Sim v2's
 * scalesim/topology_utils.py):
 *  - conv form: `name, IFMAP H, IFMAP W, Filter H, Filter W, Channels, Num Filter, Stride,` — 7 numbers; SCALE-Sim
 *    also accepts an 8th (stride along the width), and so do we;
 *  - GEMM form (SCALE-Sim's `-i gemm`): `name, M, N, K,` — 3 numbers.
 * Forms are told apart by the number of fields (the header's wording varies between files); every row of a file must
 * have the same form. Every row ends with a trailing comma (SCALE-Sim drops the last field); a missing trailing comma is
 * tolerated. A first line that is not all numbers is the header and ignored; blank lines are skipped.
 *
 * SCALE-Sim does not chain rows: each is an independent layer (its ifmap sizes often include the padding, and
 * shortcut convs sit between the rows of the main path). We emit, per row, an input layer and the layer itself, and
 * the input of every row but the first `standsFor` the previous row (ir/types.ts): inference is unchanged, and in
 * training the rows form the network the file lists — every row gets dW, every row but the first gets dX, which the
 * lowering hands on as the previous row's dY (docs/cycle-model.md, "Training on a SCALE-Sim topology"):
 *  - conv: `${name}.ifmap` [1, C, H, W] → conv2d `${name}` (kernel [R, S], stride, K filters, no bias);
 *  - `DP` in the name (depthwise): SCALE-Sim expands it into C single-channel layers of K filters each; we emit one
 *    conv2d with groups = C and filters = C·K, which lowers to C GEMMs, one per group — the same numbers;
 *  - GEMM: `${name}.input` [M, K] → dense `${name}` with N units, no bias: the GEMM m = M, k = K, n = N (SCALE-Sim runs
 *    it as a conv of an M×K ifmap with N filters of 1×K, one channel, stride 1 — the same m, k, n).
 */
import { SimError } from '../base/errors.js';
import { checkSize } from '../base/limits.js';
import { type ParsedModel, parseModel } from '../ir/parse.js';

/** A SCALE-Sim topology file is recognized by its `.csv` extension. */
export function isScaleSimTopology(file: string): boolean {
  return /\.csv$/i.test(file);
}

interface Row { readonly line: number; readonly name: string; readonly numbers: readonly number[] }

const CONV_HINT = 'Conv rows are `name, IFMAP H, IFMAP W, Filter H, Filter W, Channels, Num Filter, Stride,` '
  + '(e.g. `Conv1,224,224,7,7,3,64,2,`); GEMM rows are `name, M, N, K,` (e.g. `fc1,64,128,256,`).';

function rowFail(file: string, line: number, problem: string, value: unknown, hint = CONV_HINT): never {
  throw new SimError(problem, { code: 'malformed', file, path: `line ${line}`, value, hint });
}

const isInt = (s: string): boolean => /^\+?\d+$/.test(s);

/**
 * Padding that makes the floor rule (ours, PyTorch's) give SCALE-Sim's output size. SCALE-Sim computes
 * P = ceil((H − R + s)/s): a last window that hangs over the bottom/right edge still counts (it reads the missing
 * elements as if they were there). The documented equivalent is zero padding on the bottom (right) of
 * pb = (P − 1)·s + R − H when positive (always < s): then floor((H + pb − R)/s) + 1 = P.
 */
function overhang(h: number, r: number, s: number): number {
  const p = Math.ceil((h - r + s) / s);
  return Math.max(0, (p - 1) * s + r - h);
}

function splitRows(text: string, file: string): Row[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: Row[] = [];
  let first = true;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const fields = raw.split(',').map((f) => f.trim());
    if (fields.length > 1 && fields[fields.length - 1] === '') fields.pop(); // the trailing comma
    const isHeader = first && fields.slice(1).some((f) => !isInt(f));
    first = false;
    if (isHeader) return;
    const [name, ...rest] = fields;
    if (name === '') rowFail(file, line, 'has no layer name in its first field', raw.trim());
    if (rest.length !== 3 && rest.length !== 7 && rest.length !== 8) {
      rowFail(file, line, `has ${rest.length} number${rest.length === 1 ? '' : 's'} after the layer name; expected 7 (conv) or 3 (GEMM)`, raw.trim());
    }
    const numbers = rest.map((f, j) => {
      if (!isInt(f) || Number(f) < 1) {
        rowFail(file, line, `field ${j + 2} of layer "${name}" must be an integer ≥ 1`, f);
      }
      return checkSize(Number(f), 'dim', { file, path: `line ${line}` }, `field ${j + 2} of layer "${name}"`);
    });
    rows.push({ line, name, numbers });
  });
  if (rows.length === 0) rowFail(file, lines.length, 'has no layer rows after the header', undefined);
  return rows;
}

/** Parses a SCALE-Sim topology CSV (conv or GEMM form). `file` names the model and appears in errors. */
export function parseScaleSimTopology(text: string, file: string): ParsedModel {
  const rows = splitRows(text, file);
  const gemmForm = rows[0].numbers.length === 3;
  const seen = new Map<string, number>();
  const layers: Record<string, unknown>[] = [];
  let previous: string | undefined;
  for (const row of rows) {
    const { line, name, numbers } = row;
    if ((numbers.length === 3) !== gemmForm) {
      rowFail(file, line, `has ${numbers.length} numbers but line ${rows[0].line} has ${rows[0].numbers.length}: a file holds one form`, name);
    }
    if (seen.has(name)) rowFail(file, line, `repeats the layer name of line ${seen.get(name)}`, name, 'Layer names must be unique.');
    seen.set(name, line);
    const standsFor = previous === undefined ? {} : { standsFor: previous };
    previous = name;
    if (gemmForm) {
      const [m, n, k] = numbers;
      layers.push({ name: `${name}.input`, kind: 'input', shape: [m, k], ...standsFor });
      layers.push({ name, kind: 'dense', inputs: [`${name}.input`], units: n, bias: false });
      continue;
    }
    const [h, w, r, s, c, k, strideH, strideW = strideH] = numbers;
    if (r > h) rowFail(file, line, `filter height ${r} of layer "${name}" is larger than its ifmap height ${h}`, r, 'SCALE-Sim does not pad: pad H yourself.');
    if (s > w) rowFail(file, line, `filter width ${s} of layer "${name}" is larger than its ifmap width ${w}`, s, 'SCALE-Sim does not pad: pad W yourself.');
    const depthwise = name.includes('DP');
    layers.push({ name: `${name}.ifmap`, kind: 'input', shape: [1, c, h, w], ...standsFor });
    layers.push({
      name, kind: 'conv2d', inputs: [`${name}.ifmap`],
      kernel: [r, s], stride: [strideH, strideW],
      padding: [0, overhang(h, r, strideH), 0, overhang(w, s, strideW)],
      filters: depthwise ? c * k : k, groups: depthwise ? c : 1, bias: false,
    });
  }
  const modelName = file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  return parseModel({ name: modelName, output: rows[rows.length - 1].name, layers }, file);
}
