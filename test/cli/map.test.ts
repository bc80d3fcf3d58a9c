/** `systolab map` as users run it: the help examples, the published Eyeriss counts through the CLI, bad input. */
import { describe, expect, it } from 'vitest';
import { MAP_EXAMPLES } from '../../sim/cli/map-command.js';
import { systolab } from '../helpers/cli.js';

describe('systolab map', () => {
  it('every --help example works', () => {
    const help = systolab(['map', '--help']).out.replace(/\s+/g, ' ');
    for (const [cmd, what] of MAP_EXAMPLES) {
      expect(help).toContain(`systolab ${cmd}`);
      expect(help).toContain(what.replace(/\s+/g, ' '));
      const r = systolab(cmd.split(' '));
      expect(r.code, `${cmd}\n${r.err}`).toBe(0);
    }
  });

  it('AlexNet on 12×14: the active PEs Eyeriss reports, in the table and the JSON', () => {
    const t = systolab(['map', '--model', 'alexnet', '--array', '12x14']);
    expect(t.out).toMatch(/^conv1 .* 4 \(14\+14\+14\+13\) .* 154 /m);
    const j = JSON.parse(systolab(['map', '--model', 'alexnet', '--array', '12x14', '--format', 'json']).out);
    expect(j.layers.slice(0, 5).map((l: { mapping: { activePes: number } }) => l.mapping.activePes)).toEqual([154, 135, 156, 156, 156]);
  });

  it('bad input: exit 2, one line naming the flag', () => {
    for (const [args, flag] of [
      [['map', '--model', 'alexnet', '--layer', 'nope'], '--layer'], [['map', '--model', 'alexnet', '--array', '0x3'], '--array'], [['map'], '--model'],
      [['map', '--compat', 'ncku-lab2', '--model', 'alexnet'], '--model'], [['map', '--compat', 'ncku-lab2', '--top', '0'], '--top'],
      [['map', '--compat', 'ncku-lab2', '--config', 'missing.yaml'], 'missing.yaml'],
      [['map', '--compat', 'ncku-lab2', '--search', 'exhaustive'], '--search'],
    ] as const) {
      const r = systolab(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toContain(flag);
    }
  });
});
