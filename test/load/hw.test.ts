/** Hardware configs: presets load, SCALE-Sim .cfg files import with the documented mapping, bad input is one clear SimError. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hwConfigNames, listHwConfigs, loadHwConfig } from '../../sim/load/hw.js';
import { parseHwConfig, withOverrides } from '../../sim/arch/parse.js';
import { parseScaleSimCfg } from '../../sim/load/scalesim-cfg.js';
import { PRECISIONS } from '../../sim/arch/types.js';
import fc from 'fast-check';
import { errorOf } from '../helpers/errors.js';

const SAMPLES = join(import.meta.dirname, '..', 'fixtures', 'scalesim'); // SCALE-Sim's sample inputs (test/fixtures/scalesim/README.md)
const README = readFileSync(join(import.meta.dirname, '..', '..', 'hw-configs', 'README.md'), 'utf8');

const base = { name: 'edge', array: { rows: 16, cols: 16, dataflow: 'os' } };
const FILE = 'hw-configs/edge.yaml';

describe('presets', () => {
  it('every preset loads, by name and by file, and is documented in the README', () => {
    const names = hwConfigNames();
    expect(names).toEqual(expect.arrayContaining(['scalesim-32x32', 'tpu-v1', 'eyeriss', 'edge-16x16']));
    for (const { name, file, config } of listHwConfigs()) {
      expect(config.name).toBe(name);
      expect(config.source).toBe(`hw-configs/${name}.yaml`);
      expect(loadHwConfig(name)).toEqual(config);
      expect({ ...loadHwConfig(file), source: config.source }).toEqual(config);
      expect(README).toContain(`\`${name}\``);
    }
  });

  it('have the documented figures', () => {
    const tpu = loadHwConfig('tpu-v1');
    expect(tpu.array).toEqual({ rows: 256, cols: 256, dataflow: 'ws', macPipelineCycles: 1 });
    expect(tpu.clockHz).toBe(700e6);
    expect(tpu.numerics).toEqual({ input: 'int8', weight: 'int8', accumulatorBits: 32, rounding: 'gemmlowp', overflow: 'saturate' });
    expect(tpu.sram.ifmapKib).toBe(24 * 1024);
    const eyeriss = loadHwConfig('eyeriss');
    expect([eyeriss.array.rows, eyeriss.array.cols, eyeriss.array.dataflow, eyeriss.clockHz]).toEqual([12, 14, 'rs', 200e6]);
    expect(eyeriss.array.spad).toEqual({ ifmapWords: 12, filterWords: 224, psumWords: 24 });
    expect(eyeriss.sram.ifmapKib + eyeriss.sram.filterKib + eyeriss.sram.ofmapKib).toBe(108);
    expect(eyeriss.numerics.input).toBe('int16');
    const edge = loadHwConfig('edge-16x16');
    expect([edge.array.rows, edge.array.cols, edge.array.dataflow, edge.clockHz]).toEqual([16, 16, 'os', 500e6]);
    expect([edge.sram.ifmapKib, edge.sram.filterKib, edge.sram.ofmapKib]).toEqual([64, 64, 32]);
    const s = loadHwConfig('scalesim-32x32');
    expect([s.array.rows, s.array.cols, s.array.dataflow, s.sram.ifmapKib, s.sram.filterKib, s.sram.ofmapKib])
      .toEqual([32, 32, 'os', 64, 64, 64]);
    expect(s.dram).toMatchObject({ bytesPerCycle: 10, bandwidthMode: 'calc' });
  });

  it('an unknown name lists the presets', () => {
    const e = errorOf(() => loadHwConfig('tpu-v9'));
    expect(e.message).toContain('"tpu-v9"');
    for (const name of hwConfigNames()) expect(e.message).toContain(name);
  });

  it('a missing file is reported with its path', () => {
    expect(errorOf(() => loadHwConfig('no/such/file.yaml')).code).toBe('missingFile');
    expect(errorOf(() => loadHwConfig('no/such/file.cfg')).message).toContain('no/such/file.cfg');
  });
});

describe('parseHwConfig', () => {
  it('fills the documented defaults', () => {
    const hw = parseHwConfig(base, FILE);
    expect(hw).toEqual({
      schemaVersion: 1, name: 'edge', clockHz: 1e9,
      array: { rows: 16, cols: 16, dataflow: 'os', macPipelineCycles: 1 },
      numerics: { input: 'int8', weight: 'int8', accumulatorBits: 32, rounding: 'gemmlowp', overflow: 'saturate' },
      sram: { ifmapKib: 64, filterKib: 64, ofmapKib: 64, doubleBuffered: true },
      dram: { bytesPerCycle: 10, bandwidthMode: 'calc', type: 'generic' },
      vectorUnit: { lanes: 16 },
      source: FILE,
    });
    expect(parseHwConfig({ array: base.array }, 'dir/my-npu.yaml').name).toBe('my-npu');
    expect(parseHwConfig({ ...base, numerics: { input: 'fp16' } }).numerics).toEqual({ input: 'fp16', weight: 'fp16', accumulatorBits: 32, rounding: 'gemmlowp', overflow: 'saturate' });
  });

  const cases: [string, unknown, string[]][] = [
    ['zero rows', { ...base, array: { ...base.array, rows: 0 } }, [FILE, 'array.rows', 'got 0', 'Example: rows: 16']],
    ['negative cols', { ...base, array: { ...base.array, cols: -4 } }, [FILE, 'array.cols', 'got -4']],
    ['non-integer rows', { ...base, array: { ...base.array, rows: 16.5 } }, [FILE, 'array.rows', 'got 16.5']],
    ['string rows', { ...base, array: { ...base.array, rows: '16' } }, [FILE, 'array.rows', 'got "16"']],
    ['unknown dataflow', { ...base, array: { ...base.array, dataflow: 'xs' } }, [FILE, 'array.dataflow', 'got "xs"', 'os, ws, is, rs']],
    ['unknown top-level key', { ...base, clockGhz: 5 }, [FILE, 'clockGhz', 'got 5', 'Allowed: schemaVersion, name', 'clockMhz']],
    ['unknown array key', { ...base, array: { ...base.array, row: 4 } }, [FILE, 'array.row', 'Allowed: rows, cols, dataflow, macPipelineCycles']],
    ['missing rows', { ...base, array: { cols: 4, dataflow: 'os' } }, [FILE, 'array.rows', 'is required']],
    ['missing array', { name: 'x' }, [FILE, 'array', 'is required']],
    ['bad precision', { ...base, numerics: { input: 'int33' } }, [FILE, 'numerics.input', 'got "int33"', 'int2 … int32, fp16, bf16, fp32']],
    ['narrow accumulator', { ...base, numerics: { input: 'int16', accumulatorBits: 8 } }, [FILE, 'numerics.accumulatorBits', 'got 8']],
    ['zero SRAM', { ...base, sram: { ifmapKib: 0 } }, [FILE, 'sram.ifmapKib', 'got 0']],
    ['bad bandwidth mode', { ...base, dram: { bandwidthMode: 'USER' } }, [FILE, 'dram.bandwidthMode', 'got "USER"', 'calc, user']],
    ['schema version', { ...base, schemaVersion: 2 }, [FILE, 'schemaVersion', 'got 2']],
    ['not a mapping', [1, 2], [FILE, '(top level)']],
  ];
  it.each(cases)('%s → one SimError naming file, key and value', (_what, doc, parts) => {
    const e = errorOf(() => parseHwConfig(doc, FILE));
    for (const part of parts) expect(e.message).toContain(part);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('reads YAML and JSON files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-hw-'));
    writeFileSync(join(dir, 'a.yaml'), 'name: a\narray: { rows: 4, cols: 8, dataflow: is }\n');
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ name: 'b', array: { rows: 2, cols: 2, dataflow: 'ws' } }));
    expect(loadHwConfig(join(dir, 'a.yaml')).array).toMatchObject({ rows: 4, cols: 8, dataflow: 'is' });
    expect(loadHwConfig(join(dir, 'b.json')).array.dataflow).toBe('ws');
    writeFileSync(join(dir, 'c.yaml'), 'array: { rows: 0, cols: 8, dataflow: os }\n');
    expect(errorOf(() => loadHwConfig(join(dir, 'c.yaml'))).message).toContain(`${join(dir, 'c.yaml')}: array.rows: must be an integer ≥ 1 (got 0)`);
  });
});

describe('SCALE-Sim .cfg', () => {
  it('example_16x16_ws.cfg: 16×16 ws, 32/32/16 KiB, CALC', () => {
    const hw = loadHwConfig(join(SAMPLES, 'example_16x16_ws.cfg'));
    expect(hw.name).toBe('example_16x16_ws');
    expect(hw.array).toEqual({ rows: 16, cols: 16, dataflow: 'ws', macPipelineCycles: 1 });
    expect(hw.sram).toEqual({ ifmapKib: 32, filterKib: 32, ofmapKib: 16, doubleBuffered: true });
    expect(hw.dram).toMatchObject({ bytesPerCycle: 4, bandwidthMode: 'calc' });
    expect(hw.numerics).toEqual({ input: 'int8', weight: 'int8', accumulatorBits: 32, rounding: 'gemmlowp', overflow: 'saturate' });
  });

  it('example_8x16_user_bw4.cfg: 8 rows × 16 cols os, 8/8/4 KiB, USER at 4 B/cycle', () => {
    const hw = loadHwConfig(join(SAMPLES, 'example_8x16_user_bw4.cfg'));
    expect(hw.array).toEqual({ rows: 8, cols: 16, dataflow: 'os', macPipelineCycles: 1 });
    expect([hw.sram.ifmapKib, hw.sram.filterKib, hw.sram.ofmapKib]).toEqual([8, 8, 4]);
    expect(hw.dram).toMatchObject({ bytesPerCycle: 4, bandwidthMode: 'user' });
    expect(hw.vectorUnit.lanes).toBe(16);
  });

  const good = readFileSync(join(SAMPLES, 'example_8x16_user_bw4.cfg'), 'utf8');
  it('accepts configparser syntax: = and :, any key case, comments, [DEFAULT], bandwidth lists, ignored keys', () => {
    const text = [
      '# a comment', '; another', '[DEFAULT]', 'interfacebandwidth = USER', '[general]', 'run_name = x',
      '[Architecture_Presets]', 'arrayheight = 4', 'ARRAYWIDTH: 2', 'IfmapSramSzkB=1', 'FilterSramSzkB :2', 'OfmapSramSzkB: 3',
      'Dataflow = IS', 'Bandwidth : 6, 7', 'SomethingNew: yes', '[sparsity]', 'SparsitySupport : false', '[run_presets]',
    ].join('\n');
    const hw = parseScaleSimCfg(text, 'x.cfg');
    expect(hw.array).toMatchObject({ rows: 4, cols: 2, dataflow: 'is' });
    expect([hw.sram.ifmapKib, hw.sram.filterKib, hw.sram.ofmapKib]).toEqual([1, 2, 3]);
    expect(hw.dram).toMatchObject({ bytesPerCycle: 6, bandwidthMode: 'user' });
  });

  it('CALC mode does not need Bandwidth', () => {
    const hw = parseScaleSimCfg(good.replace(/^Bandwidth.*$/m, '').replace('USER', 'CALC'), 'x.cfg');
    expect(hw.dram).toMatchObject({ bytesPerCycle: 10, bandwidthMode: 'calc' });
  });

  const cfgCases: [string, string, string[]][] = [
    ['zero rows', good.replace('ArrayHeight:    8', 'ArrayHeight:    0'), ['bad.cfg', 'ArrayHeight (line 5)', 'got "0"']],
    ['negative cols', good.replace('ArrayWidth:     16', 'ArrayWidth: -16'), ['bad.cfg', 'ArrayWidth (line 6)', 'got "-16"']],
    ['non-integer rows', good.replace('ArrayHeight:    8', 'ArrayHeight: 8.5'), ['bad.cfg', 'ArrayHeight (line 5)', 'got "8.5"']],
    ['unknown dataflow', good.replace('Dataflow : os', 'Dataflow : xs'), ['bad.cfg', 'Dataflow (line 14)', 'got "xs"', 'os, ws, is']],
    ['malformed line', good.replace('MemoryBanks:   1', 'MemoryBanks 1'), ['bad.cfg', 'line 15', 'got "MemoryBanks 1"', 'key: value']],
    ['missing key', good.replace(/^IfmapSramSzkB.*$/m, ''), ['bad.cfg', '[architecture_presets] IfmapSramSzkB', 'is required']],
    ['bad mode', good.replace('USER', 'FAST'), ['bad.cfg', 'InterfaceBandwidth (line 18)', 'got "FAST"', 'CALC, USER']],
    ['USER without Bandwidth', good.replace(/^Bandwidth.*$/m, ''), ['bad.cfg', '[architecture_presets] Bandwidth', 'is required']],
    ['bad bandwidth', good.replace('Bandwidth : 4', 'Bandwidth : 4x'), ['bad.cfg', 'Bandwidth (line 13)', 'got "4x"']],
    ['inline comment', good.replace('ArrayHeight:    8', 'ArrayHeight: 8 # rows'), ['bad.cfg', 'ArrayHeight (line 5)', 'got "8 # rows"']],
    ['key before a section', `ArrayHeight: 4\n${good}`, ['bad.cfg', 'line 1', 'before any [section]']],
    ['repeated key', good.replace('ArrayWidth:     16', 'ArrayWidth: 16\narraywidth: 8'), ['bad.cfg', 'line 7', 'repeats the key']],
  ];
  it.each(cfgCases)('%s → SimError naming file, line or key, and value', (_what, text, parts) => {
    const e = errorOf(() => parseScaleSimCfg(text, 'bad.cfg'));
    for (const part of parts) expect(e.message).toContain(part);
  });
});

describe('withOverrides', () => {
  const hw = loadHwConfig('edge-16x16');
  it('applies CLI flags', () => {
    const o = withOverrides(hw, { rows: 8, cols: '32', dataflow: 'ws', precision: 'int16', macPipelineCycles: 2 });
    expect(o.array).toEqual({ rows: 8, cols: 32, dataflow: 'ws', macPipelineCycles: 2 });
    expect(o.numerics).toEqual({ input: 'int16', weight: 'int16', accumulatorBits: 32, rounding: 'gemmlowp', overflow: 'saturate' });
    expect(o.sram).toEqual(hw.sram);
    expect(withOverrides(hw, {})).toEqual(hw);
    expect(withOverrides(loadHwConfig('eyeriss'), { precision: 'fp32' }).numerics.accumulatorBits).toBe(32);
  });
  it('validates them, naming the flag', () => {
    expect(errorOf(() => withOverrides(hw, { rows: 0 })).message).toContain('--rows: must be an integer ≥ 1 (got 0)');
    expect(errorOf(() => withOverrides(hw, { cols: 2.5 })).message).toContain('--cols');
    expect(errorOf(() => withOverrides(hw, { dataflow: 'xs' })).message).toContain('os, ws, is, rs');
    expect(errorOf(() => withOverrides(hw, { precision: 'int1' })).message).toContain('--precision');
    expect(errorOf(() => withOverrides(hw, { bandwidthMode: 'fast' })).message).toContain('--bandwidth-mode: is not an allowed value');
    expect(errorOf(() => withOverrides(hw, { ifmapKib: '0.0001' })).message).toContain('--ifmap-kib: must be a whole number of bytes');
  });
  it('--sram-kib sets the three buffers, a buffer\'s own flag wins', () => {
    const o = withOverrides(hw, { sramKib: 8, ofmapKib: '2', dramBytesPerCycle: '3.5', bandwidthMode: 'calc', clockMhz: '250' });
    expect(o.sram).toEqual({ ...hw.sram, ifmapKib: 8, filterKib: 8, ofmapKib: 2 });
    expect([o.dram.bytesPerCycle, o.dram.bandwidthMode, o.clockHz]).toEqual([3.5, 'calc', 250e6]);
  });
});

describe('a report\'s hw block is a config (one format)', () => {
  const presets = listHwConfigs().map((p) => p.config);
  const overrides = fc.record({
    array: fc.tuple(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 512 })).map(([r, c]) => `${r}x${c}`),
    dataflow: fc.constantFrom('os', 'ws', 'is'), precision: fc.constantFrom(...PRECISIONS),
    sramKib: fc.integer({ min: 1, max: 1 << 20 }).map((b) => b / 1024), dramBytesPerCycle: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
    bandwidthMode: fc.constantFrom('calc', 'user'), clockMhz: fc.double({ min: 1, max: 5000, noNaN: true }),
  }, { requiredKeys: [] });

  it('parses back to the config it was written from: parseHwConfig(JSON(hw)) = hw', () => {
    fc.assert(fc.property(fc.constantFrom(...presets), overrides, (preset, o) => {
      const hw = withOverrides(preset, o);
      expect(parseHwConfig(JSON.parse(JSON.stringify(hw)))).toEqual(hw);
      // Loaded from a file, the file becomes the source.
      expect(parseHwConfig(JSON.parse(JSON.stringify(hw)), 'copy.json')).toEqual({ ...hw, source: 'copy.json' });
    }));
  });

  it('clockHz or clockMhz, not both; clockHz is a whole number of Hz', () => {
    expect(parseHwConfig({ ...base, clockHz: 7e8 }).clockHz).toBe(7e8);
    expect(errorOf(() => parseHwConfig({ ...base, clockMhz: 700, clockHz: 7e8 }, FILE)).message).toContain(`${FILE}: clockHz: gives the clock a second time`);
    expect(errorOf(() => parseHwConfig({ ...base, clockHz: 1.5 }, FILE)).message).toContain(`${FILE}: clockHz: must be an integer`);
  });
});
