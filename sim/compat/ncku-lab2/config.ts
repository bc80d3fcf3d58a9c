/**
 * hw-configs/compat/ncku-lab2.yaml → the lab's hardware, workload and hand-picked mapping, checked key by key (a
 * bad value is a SimError naming the file and the key). Pure: load/ncku-lab2.ts reads the file.
 */
import { type At, type RawObject, boolean, checkKeys, child, fail, integer, isObject, number, object, string } from '../../base/fields.js';
import type { LabHardware, LabLayer, LabMapping } from './model.js';

export interface LabConfig {
  readonly hardware: LabHardware;
  readonly layers: readonly LabLayer[];
  readonly mapping: LabMapping;
}

const HW_KEYS = ['peArrayH', 'peArrayW', 'ifmapSpad', 'filterSpad', 'psumSpad', 'glbBytes', 'busBytesPerCycle', 'nocBytesPerCycle',
  'dramAccessCycles', 'glbAccessCycles', 'ppuCyclesPool', 'ppuCyclesPlain', 'clockHz', 'macPj', 'glbPjPerByte', 'dramPjPerByte', 'leakageUw'] as const;
const COUNT_KEYS = new Set(['peArrayH', 'peArrayW', 'ifmapSpad', 'filterSpad', 'psumSpad', 'glbBytes']);
const LAYER_KEYS = ['name', 'n', 'c', 'h', 'w', 'm', 'r', 's', 'u', 'pad', 'maxPool'] as const;
const MAPPING_KEYS = ['m', 'n', 'e', 'p', 'q', 'r', 't'] as const;

function section(doc: RawObject, key: string, at: At): RawObject {
  if (!(key in doc)) fail(child(at, key), 'is required', undefined, undefined, 'missingField');
  return object(doc[key], child(at, key));
}

function positive(v: unknown, at: At): number {
  const x = number(v, at);
  if (!(x > 0) || !Number.isFinite(x)) fail(at, 'must be a positive number', v);
  return x;
}

function mappingOf(o: RawObject, at: At): LabMapping {
  checkKeys(o, MAPPING_KEYS, at, 'a mapping');
  const get = (k: (typeof MAPPING_KEYS)[number]): number => {
    if (!(k in o)) fail(child(at, k), 'is required', undefined, 'Example: { m: 16, n: 1, e: 8, p: 4, q: 4, r: 1, t: 2 }', 'missingField');
    return integer(o[k], child(at, k), 1);
  };
  return { m: get('m'), n: get('n'), e: get('e'), p: get('p'), q: get('q'), r: get('r'), t: get('t') };
}

export function parseLabConfig(doc: unknown, file: string): LabConfig {
  const root: At = { file, path: '' };
  const d = object(doc, root);
  checkKeys(d, ['hardware', 'layers', 'mapping'], root, 'the lab config');
  const h = section(d, 'hardware', root);
  const hwAt = child(root, 'hardware');
  checkKeys(h, HW_KEYS, hwAt, 'the hardware');
  const hw: Record<string, number> = {};
  for (const k of HW_KEYS) {
    if (!(k in h)) fail(child(hwAt, k), 'is required', undefined, undefined, 'missingField');
    hw[k] = COUNT_KEYS.has(k) ? integer(h[k], child(hwAt, k), 1) : positive(h[k], child(hwAt, k));
  }
  const layersAt = child(root, 'layers');
  if (!Array.isArray(d.layers) || d.layers.length === 0) fail(layersAt, 'must be a non-empty list of conv layers', d.layers);
  const layers = (d.layers as unknown[]).map((raw, i): LabLayer => {
    const at = child(layersAt, i);
    if (!isObject(raw)) fail(at, 'must be a mapping', raw);
    checkKeys(raw, LAYER_KEYS, at, 'a layer');
    const int = (k: string, min: number): number => integer(raw[k], child(at, k), min);
    const layer = {
      name: string(raw.name, child(at, 'name')), n: int('n', 1), c: int('c', 1), h: int('h', 1), w: int('w', 1), m: int('m', 1),
      r: int('r', 1), s: int('s', 1), u: int('u', 1), pad: int('pad', 0), maxPool: 'maxPool' in raw ? boolean(raw.maxPool, child(at, 'maxPool')) : false,
    };
    if (layer.h + 2 * layer.pad < layer.r || layer.w + 2 * layer.pad < layer.s) fail(at, 'has a filter larger than its padded input', raw);
    return layer;
  });
  return { hardware: hw as unknown as LabHardware, layers, mapping: mappingOf(section(d, 'mapping', root), child(root, 'mapping')) };
}
