/**
 * Synthesis with Yosys (Debian `yosys`): `synth` on the generated PE or array, then the checks and the numbers
 * `rtl synth` reports — `check -assert` (no multiple drivers, no combinational loops, no undriven inputs of cells),
 * no latches, cells by type, flip-flops, `stat -tech cmos`'s transistor estimate and `ltp -noff`'s logic depth.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimError } from '../base/errors.js';

export function yosysVersion(): string | undefined {
  const r = spawnSync('yosys', ['-V'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return /Yosys [\d.+]+/.exec(r.stdout)?.[0];
}

export interface SynthResult {
  readonly tool: string;
  readonly top: string;
  readonly cells: number;
  readonly cellsByType: Readonly<Record<string, number>>;
  /** Cells whose type names a flip-flop ($_DFF…, $_SDFF…, $_DFFE…, …): one per stored bit. */
  readonly flipFlops: number;
  readonly latches: number;
  /** Yosys' `stat -tech cmos` estimate (transistors of its CMOS gate models: a rough figure, not a layout). */
  readonly transistors: number;
  /** Gates on the longest path between flip-flops or ports (`ltp -noff`). */
  readonly logicDepth: number;
}

/** Synthesizes `top` from the Verilog `files` (testbenches excluded by the caller). */
export function synthesize(files: Readonly<Record<string, string>>, top: string): SynthResult {
  const version = yosysVersion();
  if (version === undefined) {
    throw new SimError('yosys is not installed', { code: 'missingTool', path: 'yosys', hint: 'Install it with `sudo apt-get install yosys` (Debian/Ubuntu), or run `npm run setup:rtl`.' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'systolab-yosys-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const script = [
      // check before synth's optimizations too: they resolve a doubly driven net silently (with a warning).
      `read_verilog ${Object.keys(files).join(' ')}`, `hierarchy -check -top ${top}`, 'proc', 'check -assert', `synth -top ${top}`, 'check -assert',
      'tee -q -o stat.txt stat -tech cmos', 'tee -q -o ltp.txt ltp -noff',
    ].join('; ');
    const r = spawnSync('yosys', ['-q', '-p', script], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      const said = `${r.stdout}${r.stderr}`.split('\n').find((l) => /ERROR|error/.test(l)) ?? `exit ${r.status}`;
      throw new SimError(`yosys synth failed: ${said.trim()}`, { code: 'malformed', path: Object.keys(files).join(', ') });
    }
    return parseSynth(version, top, readFileSync(join(dir, 'stat.txt'), 'utf8'), readFileSync(join(dir, 'ltp.txt'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads `stat -tech cmos` and `ltp -noff` output. Exported for its test. */
export function parseSynth(tool: string, top: string, stat: string, ltp: string): SynthResult {
  const cellsByType: Record<string, number> = {};
  for (const m of stat.matchAll(/^\s+(\$\S+|\\?\w+)\s+(\d+)\s*$/gm)) cellsByType[m[1]] = Number(m[2]);
  const count = (re: RegExp) => Object.entries(cellsByType).filter(([t]) => re.test(t)).reduce((s, [, n]) => s + n, 0);
  const number = (re: RegExp, text: string, what: string): number => {
    const m = re.exec(text);
    if (!m) throw new SimError(`could not read ${what} from yosys' output`, { code: 'internal', path: 'yosys' });
    return Number(m[1]);
  };
  return {
    tool, top, cells: number(/Number of cells:\s+(\d+)/, stat, 'the cell count'), cellsByType,
    flipFlops: count(/^\$_(S?DFF|DFFE|SDFFE|SDFFCE|ALDFF|DFFSR)/), latches: count(/^\$_DLATCH/),
    transistors: number(/Estimated number of transistors:\s+(\d+)/, stat, 'the transistor estimate'),
    logicDepth: number(/Longest topological path in \S+ \(length=(\d+)\)/, ltp, 'the logic depth'),
  };
}
