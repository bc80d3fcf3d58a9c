/** Saving a model (graphToDocument) and loading it again rebuilds the same graph and parameters. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { expect, it } from 'vitest';
import { buildGraph } from '../../sim/ir/graph.js';
import { parseModel } from '../../sim/ir/parse.js';
import { graphToDocument } from '../../sim/ir/serialize.js';
import { initParams } from '../../sim/float/init.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'models', 'README.md'), 'utf8');

it('round-trips every layer kind and attribute of the README example through JSON', () => {
  const g = buildGraph(parseModel(parseYaml(/```yaml\n([\s\S]*?)```/.exec(README)![1])));
  const params = initParams(g);
  const text = JSON.stringify(graphToDocument(g, params));
  const back = buildGraph(parseModel(JSON.parse(text)));
  expect(back.layers).toEqual(g.layers);
  expect(back.shapes).toEqual(g.shapes);
  expect(back.output).toBe(g.output);
  const again = initParams(back);
  for (const [key, t] of Object.entries(params)) expect(Array.from(again[key].data), key).toEqual(Array.from(t.data));
});
