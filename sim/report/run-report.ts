/**
 * RunResult → what `systolab run` prints: the JSON document (exact values, shortest round-trip) or a table a
 * student can read (one row per layer with its shape and statistics, then the values, shortened unless `full`).
 */
import { tensorToJson } from '../ir/tensor-json.js';
import type { Tensor } from '../float/tensor.js';
import type { RunResult } from '../run/run-model.js';

export function runToJson(r: RunResult): unknown {
  const tensors = (m: Readonly<Record<string, Tensor>>) => Object.fromEntries(Object.entries(m).map(([k, t]) => [k, tensorToJson(t)]));
  return {
    model: r.model,
    mode: r.mode,
    ...(r.randomInputs.length ? { randomInputs: r.randomInputs } : {}),
    outputs: Object.fromEntries(r.order.map((name) => [name, tensorToJson(r.outputs[name])])),
    ...(r.loss ? { loss: r.loss.value, lossKind: r.loss.kind, lossReduction: r.loss.reduction, lossGradient: tensorToJson(r.loss.gradient) } : {}),
    ...(r.gradients ? { gradients: { inputs: tensors(r.gradients.inputs), parameters: tensors(r.gradients.params) } } : {}),
    ...(Object.keys(r.state).length ? { state: tensors(r.state) } : {}),
  };
}

const fmt = (v: number): string => (Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : v.toPrecision(6));

function stats(t: Tensor): [string, string, string] {
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of t.data) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return t.data.length ? [fmt(min), fmt(max), fmt(sum / t.data.length)] : ['-', '-', '-'];
}

function values(t: Tensor, full: boolean, limit = 8): string {
  const shown = full ? t.data : t.data.subarray(0, limit);
  const rest = t.data.length - shown.length;
  return `[${Array.from(shown, fmt).join(', ')}${rest > 0 ? `, … ${rest} more` : ''}]`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function tensorSection(title: string, entries: [string, Tensor][], full: boolean): string {
  const rows = entries.map(([name, t]) => [name, `[${t.shape.join(', ')}]`, ...stats(t), values(t, full)]);
  return `${title}\n${table(['name', 'shape', 'min', 'max', 'mean', 'values (flat, row-major)'], rows, new Set([2, 3, 4]))}`;
}

export function runToText(r: RunResult, full: boolean): string {
  const parts: string[] = [];
  parts.push(`model ${r.model}, ${r.mode} mode${r.randomInputs.length ? `; inputs ${r.randomInputs.join(', ')} drawn N(0, 1) from the seed (give --input FILE.json for your own)` : ''}`);
  parts.push('');
  const rows = r.order.map((name) => {
    const t = r.outputs[name];
    return [name, r.kinds[name], `[${t.shape.join(', ')}]`, ...stats(t), values(t, full)];
  });
  parts.push(`Forward pass: every layer's output\n${table(['layer', 'kind', 'output shape', 'min', 'max', 'mean', 'values (flat, row-major)'], rows, new Set([3, 4, 5]))}`);
  if (r.loss) {
    parts.push('');
    parts.push(`Loss ${r.loss.kind} (${r.loss.reduction}) on "${r.output}": ${r.loss.value}`);
    parts.push(tensorSection('dL/d(output):', [[r.output, r.loss.gradient]], full));
  }
  if (r.gradients) {
    parts.push('');
    parts.push(tensorSection('Backward pass: gradients w.r.t. inputs', Object.entries(r.gradients.inputs), full));
    const ps = Object.entries(r.gradients.params);
    if (ps.length) {
      parts.push('');
      parts.push(tensorSection('Gradients w.r.t. parameters (layer.param)', ps, full));
    }
  }
  if (Object.keys(r.state).length) {
    parts.push('');
    parts.push(tensorSection('Running statistics after this training-mode pass', Object.entries(r.state), full));
  }
  const shortened = !full && [...Object.values(r.outputs), ...Object.values(r.gradients?.params ?? {})].some((t) => t.data.length > 8);
  if (shortened) parts.push('\n(values shortened to 8 per tensor: --full prints all, --format json prints exact values)');
  return parts.join('\n');
}
