/**
 * ONNX bytes: truncated and bit-flipped copies of the small fixtures in test/fixtures/onnx, and tiny models built
 * here from protobuf's wire format (an input with hostile dimensions → one operator → an output), so the
 * importer meets both broken encodings and well-formed files with absurd contents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type FuzzCase, DIR } from './case.js';
import { ROOT } from './runners.js';
import { EDGE_NUMBERS } from './values.js';

const FIXTURES = ['cnn-noweights.onnx', 'transformer-noweights.onnx', 'flat-cnn-dynamic.onnx', 'unsupported.onnx', 'tv-squeezenet1_1-noweights.onnx'];
const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(ROOT, 'test', 'fixtures', 'onnx', name)));

/** Protobuf wire format, just enough for a ModelProto. */
function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}
const tag = (field: number, wire: number): number[] => varint(BigInt((field << 3) | wire));
const int = (field: number, n: bigint): number[] => [...tag(field, 0), ...varint(n)];
const bytes = (field: number, b: readonly number[]): number[] => [...tag(field, 2), ...varint(BigInt(b.length)), ...b];
const str = (field: number, s: string): number[] => bytes(field, [...new TextEncoder().encode(s)]);

/** ValueInfoProto: a float tensor named `name` with these dimensions. */
function valueInfo(name: string, dims: readonly bigint[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, 1n), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

/** A one-operator model: x (dims) → op → y, opset `opset`. */
export function tinyOnnx(dims: readonly bigint[], op: string, opset: bigint, nodeName: string): Uint8Array {
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(3, nodeName), ...str(4, op)];
  const graph = [...bytes(1, node), ...str(2, 'g'), ...bytes(11, valueInfo('x', dims)), ...bytes(12, valueInfo('y', dims))];
  return new Uint8Array([...int(1, 8n), ...bytes(7, graph), ...bytes(8, int(2, opset))]);
}

const dim: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: 1n, max: 8n }) },
  { weight: 2, arbitrary: fc.constantFrom(0n, -1n, 1099511627776n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 31n) },
);

const built: fc.Arbitrary<{ bytes: Uint8Array; category: string }> = fc
  .tuple(fc.array(dim, { minLength: 0, maxLength: 5 }), fc.constantFrom('Relu', 'Softmax', 'Sigmoid', 'Flatten', 'GlobalAveragePool', 'NoSuchOp', ''),
    fc.constantFrom(13n, 7n, 17n, 1n, 99n, -1n), fc.constantFrom('relu', '', '<b>x</b>', 'x'.repeat(3000)))
  .map(([dims, op, opset, name]) => ({ bytes: tinyOnnx(dims, op, opset, name), category: 'built' }));

/** A fixture cut short, bit-flipped in a few places, or with a run of bytes overwritten by 0xff. */
const mutated: fc.Arbitrary<{ bytes: Uint8Array; category: string }> = fc
  .tuple(fc.constantFrom(...FIXTURES), fc.constantFrom('truncated', 'bit-flip', 'ff-run', 'valid'), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 4 }))
  .map(([name, how, cut, flips]) => {
    const b = fixtureBytes(name).slice();
    if (how === 'truncated') return { bytes: b.slice(0, Math.floor(cut * b.length)), category: how };
    if (how === 'bit-flip') for (const [at, bit] of flips) b[Math.floor(at * (b.length - 1))] ^= 1 << bit;
    if (how === 'ff-run') b.fill(0xff, Math.floor(cut * (b.length - 1)), Math.floor(cut * (b.length - 1)) + 10);
    return { bytes: b, category: how };
  });

const inputShape = fc.oneof(
  { weight: 3, arbitrary: fc.constant<string[]>([]) },
  { weight: 1, arbitrary: fc.constantFrom(...EDGE_NUMBERS.map(String), '4x1x28x28', '1099511627776x1x28x28', 'x', '0x1x28x28', 'input=1x1x28x28').map((s) => ['--input-shape', s]) },
);

export const onnxCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.oneof({ weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: built }), fc.boolean(), inputShape)
  .map(([m, simulate, shape]): FuzzCase => {
    const base = { format: 'onnx', category: m.category, files: { 'model.onnx': m.bytes } };
    const shapes = shape.length ? [shape[1]] : undefined;
    if (simulate) {
      return { ...base, argv: ['simulate', '--model', 'model.onnx', '--format', 'json'], call: { fn: 'simulate', args: { model: `${DIR}model.onnx` } } };
    }
    return { ...base, argv: ['import', 'model.onnx', ...shape], call: { fn: 'import', args: { file: `${DIR}model.onnx`, ...(shapes ? { inputShape: shapes } : {}) } } };
  });
