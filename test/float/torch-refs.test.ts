/**
 * The engine against independent PyTorch 1.13 float64 references for every layer kind and attribute form
 * (test/fixtures/torch-refs/layers.json, made by make_refs.py there): conv2d with dilation, strides, asymmetric
 * padding, groups and depthwise; pooling in ceil mode with both avg-pool divisor rules; shape ops; broadcasting
 * add/mul; concat; batched matmul; relu6/clip/gelu; softmax on any axis; layer norm; batch norm in eval and train
 * mode; dropout in eval; and multi-layer graphs. Each case is a ready model file with its parameters inline, run the
 * way a user runs it: `systolab run --input … --upstream … --format json`. Every expected layer output, input
 * gradient and parameter gradient is compared at rtol 1e-9, atol 1e-12.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunArgs, runCommand } from '../../sim/cli/run-command.js';
import { type JsonTensor, closeness } from '../helpers/golden.js';

const FILE = join(import.meta.dirname, '..', 'fixtures', 'torch-refs', 'layers.json');
const RTOL = 1e-9, ATOL = 1e-12;

interface TorchCase {
  name: string;
  description: string;
  model: { layers: unknown[] };
  inputs: Record<string, JsonTensor>;
  upstream: JsonTensor;
  trainMode: boolean;
  expect: {
    outputs: Record<string, JsonTensor>;
    inputs: Record<string, JsonTensor>;
    parameters: Record<string, JsonTensor>;
    /** Updated non-trainable parameters (batch-norm running statistics) after a training-mode pass. */
    state?: Record<string, JsonTensor>;
  };
}

interface RunJson {
  outputs: Record<string, JsonTensor>;
  gradients: { inputs: Record<string, JsonTensor>; parameters: Record<string, JsonTensor> };
  state?: Record<string, JsonTensor>;
}

const doc = JSON.parse(readFileSync(FILE, 'utf8')) as { torch: string; cases: TorchCase[] };

function run(c: TorchCase): RunJson {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-torch-refs-'));
  try {
    const w = (name: string, content: unknown): string => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(content));
      return file;
    };
    const args: RunArgs = {
      model: w('model.json', c.model), input: w('input.json', c.inputs), upstream: w('upstream.json', c.upstream),
      reduction: 'mean', trainMode: c.trainMode, seed: 0, format: 'json', full: false,
    };
    return JSON.parse(runCommand(args)) as RunJson;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Flat row-major index → [i, j, …] for the message. */
function multiIndex(flat: number, shape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

function checkTensor(what: string, actual: JsonTensor | undefined, expected: JsonTensor): void {
  expect.soft(actual, `${what} is missing from the run's output`).toBeDefined();
  if (actual === undefined) return;
  expect.soft(actual.shape, `${what} shape`).toEqual(expected.shape);
  if (actual.data.length !== expected.data.length) return;
  const { worst, at } = closeness(actual.data, expected.data, RTOL, ATOL);
  if (worst === 0) return;
  const a = Number(actual.data[at]), e = Number(expected.data[at]);
  expect.soft(
    worst,
    `${what}[${multiIndex(at, expected.shape).join(', ')}] (flat ${at}) = ${a}, expected ${e}: ` +
      `|diff| ${Math.abs(a - e).toExponential(3)}, relative ${(Math.abs(a - e) / Math.abs(e)).toExponential(3)}`,
  ).toBe(0);
}

describe(`PyTorch ${doc.torch} float64 references (torch-refs/layers.json)`, () => {
  it('has cases', () => {
    expect(doc.cases.length).toBeGreaterThan(0);
  });
  for (const c of doc.cases) {
    it(`${c.name}: ${c.description}`, () => {
      const out = run(c);
      for (const [layer, t] of Object.entries(c.expect.outputs)) checkTensor(`output of "${layer}"`, out.outputs[layer], t);
      expect.soft(Object.keys(out.gradients.inputs).sort(), 'inputs with gradients').toEqual(Object.keys(c.expect.inputs).sort());
      for (const [name, t] of Object.entries(c.expect.inputs)) checkTensor(`dL/d(input ${name})`, out.gradients.inputs[name], t);
      expect.soft(Object.keys(out.gradients.parameters).sort(), 'parameters with gradients').toEqual(Object.keys(c.expect.parameters).sort());
      for (const [key, t] of Object.entries(c.expect.parameters)) checkTensor(`dL/d(${key})`, out.gradients.parameters[key], t);
      for (const [key, t] of Object.entries(c.expect.state ?? {})) checkTensor(`updated ${key}`, out.state?.[key], t);
    });
  }
});
