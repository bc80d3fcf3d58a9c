/** One-way dependencies between the folders of sim/: the real tree obeys test/architecture-rules.ts, and the checker catches faults. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFile, EXTRA_BANS, formatViolation, RANK_ORDER } from './architecture-rules.js';

const ROOT = join(import.meta.dirname, '..');

/** Every .ts file under the given repo-relative folders, as sorted repo-relative posix paths. */
function tsFiles(...dirs: string[]): string[] {
  return dirs
    .flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((f) => `${dir}/${f.split('\\').join('/')}`))
    .filter((f) => f.endsWith('.ts'))
    .sort();
}

/** The violations of a synthetic file, as `line: message`. */
const check = (path: string, source: string): string[] => checkFile(path, source).map((v) => `${v.line}: ${v.message}`);

describe('the sim/ tree', () => {
  it('imports only leftward in the rank order, and touches I/O only in edge folders', () => {
    const files = tsFiles('sim', 'models/zoo');
    expect(files).toContain('sim/index.ts'); // the walk is not vacuous
    const lines = files.flatMap((f) => checkFile(f, readFileSync(join(ROOT, f), 'utf8'))).map(formatViolation);
    if (lines.length > 0) {
      expect.fail(`${lines.length} architecture violation(s) (rules in test/architecture-rules.ts):\n${lines.join('\n')}`);
    }
  });
});

describe('the checker catches', () => {
  it('an upward import', () => {
    expect(check('sim/timing/x.ts', "import { run } from '../run/pipeline.js';\n")).toEqual([
      "1: imports '../run/pipeline.js': timing (rank 7) may not import run (rank 13)",
    ]);
  });

  it('array importing timing, though timing ranks to its left (an extra ban)', () => {
    expect(check('sim/array/x.ts', "\nimport { timeGemm } from '../timing/gemm-timing.js';")).toEqual([
      "2: imports '../timing/gemm-timing.js': array may not import timing (the PE array is the independent check of the fast model)",
    ]);
    expect(check('sim/array/x.ts', "import type { A } from '../compat/scalesim/a.js';")).toHaveLength(1);
  });

  it('node:fs, bare fs/promises and I/O packages outside an edge folder', () => {
    expect(check('sim/energy/x.ts', "import { readFileSync } from 'node:fs';")).toEqual(["1: imports 'node:fs' outside an edge folder"]);
    expect(check('sim/float/x.ts', "import { readFile } from 'fs/promises';\nconst P = await import('piscina');")).toEqual([
      "1: imports 'fs/promises' outside an edge folder",
      "2: imports 'piscina' outside an edge folder",
    ]);
  });

  it('a multi-line import, on the line of its specifier (the `from` line)', () => {
    expect(check('sim/timing/x.ts', "// header\nimport {\n  a,\n  b\n} from '../cli/main.js';\n")).toEqual([
      `5: imports '../cli/main.js': timing (rank 7) may not import cli (rank ${RANK_ORDER.indexOf('cli')})`,
    ]);
  });

  it('a dynamic import, a side-effect import, export * from and export type from', () => {
    const src = [
      'export const f = async () => {',
      "  const m = await import('../report/write-report.js');",
      '};',
      "import '../sweep/run.js';",
      "export * from '../cli/main.js';",
      "export type { X } from '../run/x.js';",
    ].join('\n');
    expect(check('sim/energy/x.ts', src).map((l) => l.split(':')[0])).toEqual(['2', '4', '5', '6']);
  });

  it('process.* in a pure folder, including inside a template expression', () => {
    expect(check('sim/energy/x.ts', 'const a = 1;\nconst dir = process.env.X ?? process.cwd();\nconst t = `${process.pid}`;')).toEqual([
      '2: uses process.env outside an edge folder',
      '2: uses process.cwd outside an edge folder',
      '3: uses process.pid outside an edge folder',
    ]);
  });

  it('a folder, or a top-level file, not in the order', () => {
    expect(check('sim/foo/x.ts', 'export const x = 1;')).toEqual([
      '1: folder foo is not in the rank order: add it to RANK_ORDER in test/architecture-rules.ts and docs/ARCHITECTURE.md',
    ]);
    expect(check('sim/ir/x.ts', "\nimport { y } from '../foo/y.js';")).toEqual([
      "2: imports '../foo/y.js': folder foo is not in the rank order: add it to RANK_ORDER in test/architecture-rules.ts and docs/ARCHITECTURE.md",
    ]);
    expect(check('sim/errors.ts', 'export class E {}')[0]).toMatch(/^1: sim\/errors\.ts sits at the top of sim\//);
  });

  it('models/zoo ranking with ir, both as importer and as target', () => {
    expect(check('models/zoo/x.ts', "import { a } from '../../sim/ir/types.js';\nimport { b } from '../../sim/float/tensor.js';")).toEqual([
      "2: imports '../../sim/float/tensor.js': zoo (rank 1) may not import float (rank 2)",
    ]);
    expect(check('sim/base/x.ts', "import { zoo } from '../../models/zoo/index.js';")).toEqual([
      "1: imports '../../models/zoo/index.js': base (rank 0) may not import zoo (rank 1)",
    ]);
    expect(check('sim/ir/x.ts', "import { zoo } from '../../models/zoo/index.js';")).toEqual([]);
  });
});

describe('the checker allows', () => {
  it('imports and process.* that appear only in comments and strings', () => {
    const src = [
      "// import x from '../cli/main.js'",
      "/* import y from '../cli/main.js';",
      '   process.exit(1) */',
      "const s = \"import z from '../cli/main.js'; process.exit(1)\";",
      "const t = `from '../cli/main.js' process.env`;",
      "const r = /import '..\\/cli'/;",
      "const n = 'tail'; // process.exit",
    ].join('\n');
    expect(check('sim/energy/x.ts', src)).toEqual([]);
  });

  it('leftward imports, imports leaving sim/, and ordinary node modules', () => {
    const src = "import { a } from '../float/tensor.js';\nimport pkg from '../../package.json';\nimport { join } from 'node:path';\nimport { b } from './y.js';";
    expect(check('sim/energy/x.ts', src)).toEqual([]);
  });

  it('I/O in edge folders and edge files, but not elsewhere in base/', () => {
    const fs = "import { readFileSync } from 'node:fs';\nconst e = process.env.HOME;";
    expect(check('sim/load/x.ts', fs)).toEqual([]);
    expect(check('sim/cli/x.ts', fs)).toEqual([]);
    expect(check('sim/base/files.ts', fs)).toEqual([]);
    expect(check('sim/base/units.ts', fs)).toEqual([
      "1: imports 'node:fs' outside an edge folder",
      '2: uses process.env outside an edge folder',
    ]);
    expect(check('sim/index.ts', fs)).toHaveLength(2); // the library entry is not an edge...
    expect(check('sim/index.ts', "export * from './cli/main.js';")).toEqual([]); // ...but may import anything
  });
});

describe('properties', () => {
  const forms = [
    (s: string) => `import { a } from '${s}';`,
    (s: string) => `import type { A } from '${s}';`,
    (s: string) => `export * from '${s}';`,
    (s: string) => `import '${s}';`,
    (s: string) => `const m = await import('${s}');`,
  ];
  const banned = (from: string, to: string) => EXTRA_BANS.some((b) => b.from === from && b.to.includes(to));

  it('folder j may import folder i exactly when i <= j and no extra ban applies, whatever the import form', () => {
    const rank = fc.integer({ min: 0, max: RANK_ORDER.length - 1 });
    fc.assert(fc.property(rank, rank, fc.constantFrom(...forms), (i, j, form) => {
      const [to, from] = [RANK_ORDER[i], RANK_ORDER[j]];
      const flagged = check(`sim/${from}/x.ts`, form(`../${to}/m.js`)).length > 0;
      expect(flagged).toBe(i > j || banned(from, to));
    }));
  });

  it('lines of comments and blanks put before a file shift every violation by that many lines', () => {
    const filler = fc.array(fc.constantFrom('', '// import x from "../cli/main.js"', '/* process.exit */'), { maxLength: 5 });
    const src = "import { a } from '../cli/main.js';\nconst x = process.env.X;";
    const base = checkFile('sim/float/x.ts', src).map((v) => v.line);
    fc.assert(fc.property(filler, (lines) => {
      const shifted = checkFile('sim/float/x.ts', [...lines, src].join('\n')).map((v) => v.line);
      expect(shifted).toEqual(base.map((l) => l + lines.length));
    }));
  });
});
