/**
 * What drives runs rather than describes a model: sweep specs (YAML), result folders for `merge` and `report`
 * (results.jsonl lines), and odd flag values on the commands (hardware flags, built-in model parameters, --trace,
 * --batch, choices).
 */
import fc from 'fast-check';
import { type FuzzCase, DIR } from './case.js';
import { type Path, documentText, mutatedDoc, setAt } from './gen-text.js';
import { EDGE_NUMBERS, argText, numberText as anyNumberText } from './values.js';

const numberText = anyNumberText.map(argText);

const SPEC = { models: ['tiny-cnn'], modes: ['inference'], arrays: ['8x8', '16x16'], dataflows: ['os'], sramKib: [16] };
const SPEC_PATHS: Path[] = [['models'], ['models', 0], ['modes', 0], ['arrays', 0], ['arrays'], ['dataflows', 0], ['sramKib', 0], ['sramKib'], ['hw'], ['clockMhz'], ['dramBytesPerCycle'], ['precisions']];

export const sweepCase: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    { weight: 4, arbitrary: mutatedDoc(SPEC, SPEC_PATHS) },
    { weight: 1, arbitrary: fc.constantFrom('../../../../../../etc/passwd', '/etc/passwd', 'a,b.yaml', 'nope.yaml').map((m) => ({ doc: setAt(SPEC, ['models', 0], m), category: 'model-path' })) },
  )
  .chain((s) => documentText(s.doc, true).map(({ text, spoilt }): FuzzCase => ({
    format: 'sweep-spec', category: spoilt === 'none' ? s.category : spoilt, files: { 'spec.yaml': text },
    argv: ['sweep', 'spec.yaml', '--jobs', '1', '--out', 'out'],
    call: { fn: 'sweep', args: { spec: `${DIR}spec.yaml`, out: `${DIR}out` } },
  })));

/** A results.jsonl line as `sweep` writes it (tiny-cnn on the default preset). */
const RECORD = {
  id: '1f9a70bb121180b8',
  params: { model: 'tiny-cnn', mode: 'inference', hw: 'scalesim-32x32', rows: 32, cols: 32, dataflow: 'os', ifmapKib: 16, filterKib: 16, ofmapKib: 16, dramBytesPerCycle: 10, bandwidthMode: 'calc', precision: 'int8', clockMhz: 1000 },
  totals: { cycles: 600, seconds: 6e-7, macs: 6360, utilization: 0.0103515625, computeUtilization: 0.011875597514340345, mappingEfficiency: 0.08523995535714286, stallCycles: 0, dramReadBytes: 600, dramWriteBytes: 611, dramBytes: 1211, energyPj: 218248.59882465156, areaMm2: 0.8926827199999999, edpPjS: 0.13094915929479092 },
};
const RECORD_PATHS: Path[] = [
  ['id'], ['params'], ['totals'], ['params', 'model'], ['params', 'rows'], ['params', 'dataflow'], ['params', 'mode'],
  ...Object.keys(RECORD.totals).map((k) => ['totals', k]),
];

const resultsText: fc.Arbitrary<{ text: string; category: string }> = fc
  .tuple(mutatedDoc(RECORD, RECORD_PATHS), fc.constantFrom('none', 'truncated', 'garbage-line', 'duplicate', 'blank-lines', 'bom', 'crlf', 'nan-literal', 'empty'), fc.nat())
  .map(([r, how, n]) => {
    const line = JSON.stringify(r.doc);
    const other = JSON.stringify(setAt(setAt(RECORD, ['id'], '0123456789abcdef'), ['params', 'rows'], 16));
    const lines = [line, other];
    switch (how) {
      case 'truncated': return { text: `${other}\n${line.slice(0, n % (line.length + 1))}`, category: how };
      case 'garbage-line': return { text: `${lines.join('\n')}\n{"id": null}\nnot json\n`, category: how };
      case 'duplicate': return { text: `${line}\n${line}\n${other}\n`, category: how };
      case 'blank-lines': return { text: `\n${line}\n\n${other}\n\n`, category: how };
      case 'bom': return { text: `\uFEFF${lines.join('\n')}\n`, category: how };
      case 'crlf': return { text: `${lines.join('\r\n')}\r\n`, category: how };
      case 'nan-literal': return { text: `${line.replace(/"cycles":\d+/, '"cycles":NaN')}\n${other}\n`, category: how };
      case 'empty': return { text: '', category: how };
      default: return { text: `${lines.join('\n')}\n`, category: r.category };
    }
  });

export const resultsCase: fc.Arbitrary<FuzzCase> = fc.tuple(resultsText, fc.constantFrom('merge', 'merge', 'merge', 'report')).map(([r, cmd]): FuzzCase => {
  const base = { format: 'results-jsonl', category: r.category, files: { 'runs/a/results.jsonl': r.text } };
  // `report` renders charts (a second or more a case): judged through the CLI only, where its cost is the spawn's anyway.
  if (cmd === 'report') return { ...base, argv: ['report', 'runs/a'] };
  return { ...base, argv: ['merge', 'runs/a', '--out', 'merged'], call: { fn: 'merge', args: { dirs: [`${DIR}runs/a`], out: `${DIR}merged` } } };
});

/** Hardware flags take strings (arch/ validates them, naming the flag); their keys in the library request. */
const HW_FLAG_KEYS = {
  array: 'array', 'sram-kib': 'sramKib', 'ifmap-kib': 'ifmapKib', 'ofmap-kib': 'ofmapKib', 'dram-bytes-per-cycle': 'dramBytesPerCycle',
  'clock-mhz': 'clockMhz', precision: 'precision', dataflow: 'dataflow', 'bandwidth-mode': 'bandwidthMode',
} as const;
const arrayText = fc.oneof(fc.tuple(numberText, numberText).map(([r, c]) => `${r}x${c}`), fc.constantFrom('8x8', '1x1', '100000x100000', '675539944105574400x1', '8', 'x', '8X8', ' 8x8 '));

const hwFlag: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.constantFrom(...Object.keys(HW_FLAG_KEYS) as (keyof typeof HW_FLAG_KEYS)[]), numberText, arrayText, fc.constantFrom('tiny-cnn', 'resnet18', 'scalesim-resnet18'), fc.constantFrom('inference', 'training'))
  .map(([flag, num, arr, model, mode]) => {
    const value = flag === 'array' ? arr : num;
    return {
      format: 'flags', category: `--${flag}`, files: {},
      argv: ['simulate', '--model', model, '--mode', mode, `--${flag}`, value, '--bandwidth-mode', flag === 'bandwidth-mode' ? value : 'user', '--format', 'json'],
      call: { fn: 'simulate', args: { model, mode, bandwidthMode: 'user', [HW_FLAG_KEYS[flag]]: value } },
    };
  });

/** Built-in models with absurd parameters, --batch, --mac-pipeline-cycles (yargs numbers), --trace. */
const zooFlag: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc.tuple(fc.constantFrom('resnet18:resolution=', 'bert-base-layer:batch=', 'bert-base-layer:seq=', 'mobilenet-v2:width=', 'lenet5:batch=', 'tiny-cnn:batch='), numberText)
    .map(([spec, v]) => ({ format: 'flags', category: 'zoo-param', files: {}, argv: ['simulate', '--model', `${spec}${v}`, '--format', 'json'], call: { fn: 'simulate', args: { model: `${spec}${v}` } } }) as FuzzCase),
  fc.tuple(fc.constantFrom('batch', 'mac-pipeline-cycles'), fc.constantFrom(...EDGE_NUMBERS, 2, 16)).map(([flag, v]) => ({
    format: 'flags', category: `--${flag}`, files: {}, argv: ['simulate', '--model', 'tiny-cnn', `--${flag}`, String(v), '--format', 'json'],
    call: { fn: 'simulate', args: { model: 'tiny-cnn', [flag === 'batch' ? 'batch' : 'macPipelineCycles']: v } },
  }) as FuzzCase),
  fc.tuple(numberText, numberText, numberText, fc.constantFrom('2x2', '4x4', '1x1')).map(([m, k, n, array]) => ({
    format: 'flags', category: '--trace', files: {}, argv: ['simulate', '--trace', `${m}x${k}x${n}`, '--array', array, '--format', 'json'],
    call: { fn: 'trace', args: { gemm: `${m}x${k}x${n}`, array } },
  }) as FuzzCase),
  // Choices yargs checks before any library call: only the CLI sees these.
  fc.tuple(fc.constantFrom('--mode', '--compat', '--format', '--dataflow'), fc.constantFrom('bogus', '', 'JSON', 'os,ws')).map(([flag, v]) => ({
    format: 'flags', category: `${flag}-choice`, files: {}, argv: ['simulate', '--model', 'tiny-cnn', flag, v],
  }) as FuzzCase),
);

export const flagCase: fc.Arbitrary<FuzzCase> = fc.oneof({ weight: 2, arbitrary: hwFlag }, { weight: 2, arbitrary: zooFlag });
