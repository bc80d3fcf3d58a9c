/** Every input format the CLI reads, with its case generator: the fuzz suite and the campaign draw from these. */
import fc from 'fast-check';
import type { FuzzCase } from './case.js';
import { cfgCase, datasetCase, tensorCase, topologyCase } from './gen-files.js';
import { hwYamlCase, modelCase } from './gen-model.js';
import { onnxCase } from './gen-onnx.js';
import { flagCase, resultsCase, sweepCase } from './gen-runs.js';

export const FORMATS: Readonly<Record<string, fc.Arbitrary<FuzzCase>>> = {
  model: modelCase,
  'hw-yaml': hwYamlCase,
  'scalesim-cfg': cfgCase,
  'scalesim-topology': topologyCase,
  onnx: onnxCase,
  'dataset-csv': datasetCase,
  'tensor-json': tensorCase,
  'sweep-spec': sweepCase,
  'results-jsonl': resultsCase,
  flags: flagCase,
};

/** A case of any format, each format equally likely. */
export const anyCase: fc.Arbitrary<FuzzCase> = fc.oneof(...Object.values(FORMATS));
