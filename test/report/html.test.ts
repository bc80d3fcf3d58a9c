/**
 * The HTML report: user strings escaped (a model named <script>alert(1)</script> appears as text), inlined libraries
 * cannot close their <script> early, and `systolab report DIR` regenerates charts and index.html from the data files.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { escapeHtml, inlineScript, renderHtml, scriptJson } from '../../sim/report/html.js';
import { regenerateReport, writeCheckReport, writeSweepReport } from '../../sim/report/write-report.js';
import { REPORT_EXAMPLES } from '../../sim/cli/report-command.js';
import { recordLine } from '../../sim/sweep/record.js';
import { sampleCheck, sampleHistory, sampleSweep } from './samples.js';
import { WORKSPACE } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'systolab.cjs');
const EVIL = '<script>alert(1)</script>';
const systolab = (args: string[], cwd = WORKSPACE) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** The HTML without the inlined <script> elements (library code may legitimately contain any text). */
const markup = (html: string) => html.replace(/<script>[\s\S]*?<\/script>/g, '<script/>');

describe('escaping', () => {
  it('escapes &, <, >, quotes', () => {
    expect(escapeHtml(`${EVIL} & "x" 'y'`)).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;');
  });
  it('JSON and library code inside <script> cannot close it', () => {
    expect(scriptJson({ model: EVIL })).not.toMatch(/<\/script/i);
    expect(JSON.parse(scriptJson({ model: EVIL }))).toEqual({ model: EVIL });
    expect(inlineScript('var s = "</script><script>alert(1)</script>"; // <!--')).not.toMatch(/<\/script|<!--/i);
  });
  it('a model, layer and command named <script>alert(1)</script> appear as text only', () => {
    const check = { ...sampleCheck(EVIL), layers: sampleCheck().layers.map((l, i) => (i === 0 ? { ...l, name: EVIL } : l)) };
    const html = renderHtml({
      title: `check: ${EVIL}`, command: `systolab check --model '${EVIL}'`, summary: [['model', EVIL]], charts: [],
      tables: [{ title: 'Layers', header: ['layer'], rows: check.layers.map((l) => [l.name]) }], config: { title: 'cfg', value: { name: EVIL } },
    }, ['var lib = "</script>";']);
    expect(markup(html)).not.toContain(EVIL);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<\/script>/g)!.length).toBe(html.match(/<script>/g)!.length);
  });
});

describe('report files', () => {
  it('sweep: charts (vl.json, svg, png) and a self-contained index.html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-report-'));
    const w = await writeSweepReport(dir, sampleSweep(EVIL), `systolab sweep --model '${EVIL}'`);
    for (const c of ['cycles-vs-array', 'utilization-heatmap', 'pareto']) for (const ext of ['vl.json', 'svg', 'png']) expect(existsSync(join(dir, 'charts', `${c}.${ext}`))).toBe(true);
    const html = readFileSync(w.html, 'utf8');
    expect(html.length).toBeGreaterThan(500_000);   // the libraries are inlined
    expect(markup(html)).not.toContain(EVIL);
    expect(markup(html).match(/<script[^>]+src=|<link[^>]+href=/)).toBeNull();   // nothing fetched
    rmSync(dir, { recursive: true, force: true });
  });

  it('regenerateReport reads results.jsonl, numerics-report.json and history.json', async () => {
    const sweepDir = mkdtempSync(join(tmpdir(), 'systolab-report-'));
    writeFileSync(join(sweepDir, 'results.jsonl'), `${sampleSweep().map(recordLine).join('\n')}\n{"trunc`);
    expect((await regenerateReport(sweepDir)).kind).toBe('sweep');
    expect(existsSync(join(sweepDir, 'index.html'))).toBe(true);
    const checkDir = mkdtempSync(join(tmpdir(), 'systolab-report-'));
    writeFileSync(join(checkDir, 'numerics-report.json'), JSON.stringify(sampleCheck()));
    const r = await regenerateReport(checkDir);
    expect(r.kind).toBe('check');
    expect(existsSync(join(checkDir, 'charts', 'check-sqnr.png'))).toBe(true);
    const trainDir = mkdtempSync(join(tmpdir(), 'systolab-report-'));
    writeFileSync(join(trainDir, 'history.json'), JSON.stringify(sampleHistory()));
    expect((await regenerateReport(trainDir)).kind).toBe('train');
    expect(existsSync(join(trainDir, 'charts', 'loss-curves.svg'))).toBe(true);
    await expect(regenerateReport(mkdtempSync(join(tmpdir(), 'systolab-empty-')))).rejects.toThrow(/holds none of/);
    void writeCheckReport;
  });
});

describe('the CLI', () => {
  it('simulate --out writes the data, charts and index.html; report DIR regenerates them without re-simulating', () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-cli-'));
    const out = join(dir, 'sim');
    const plain = systolab(['simulate', '--model', 'models/tiny-cnn.yaml', '--format', 'json']);
    const r = systolab(['simulate', '--model', 'models/tiny-cnn.yaml', '--format', 'json', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(plain.out);   // stdout unchanged
    expect(r.err).toContain(join(out, 'charts'));
    for (const c of ['utilization', 'energy-per-layer', 'energy-by-component', 'roofline']) expect(existsSync(join(out, 'charts', `${c}.png`))).toBe(true);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('simulate --model models/tiny-cnn.yaml --format json --out');
    rmSync(join(out, 'charts'), { recursive: true });
    rmSync(join(out, 'index.html'));
    const again = systolab(['report', out]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^simulate report: 12 chart file\(s\)/);
    expect(existsSync(join(out, 'charts', 'roofline.svg'))).toBe(true);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('simulate --model models/tiny-cnn.yaml');   // command.txt kept
  });

  it('simulate in table format writes its report under reports/simulate-MODEL-HW-MODE and says so on stderr only', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'systolab-cwd-'));
    const r = systolab(['simulate', '--model', join(ROOT, 'models', 'tiny-cnn.yaml')], cwd);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain('charts');
    expect(r.err).toContain(join('reports', 'simulate-tiny-cnn-scalesim-32x32-inference', 'charts'));
    expect(existsSync(join(cwd, 'reports', 'simulate-tiny-cnn-scalesim-32x32-inference', 'index.html'))).toBe(true);
    const none = systolab(['simulate', '--model', join(ROOT, 'models', 'tiny-cnn.yaml'), '--no-charts'], mkdtempSync(join(tmpdir(), 'systolab-cwd-')));
    expect(none.err).toBe('');
  });

  it('report: bad folders fail with one line and exit 2; help examples are the exported ones', () => {
    const r = systolab(['report', mkdtempSync(join(tmpdir(), 'systolab-empty-'))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^systolab: .*holds none of results\.jsonl, cost-report\.json/);
    const help = systolab(['report', '--help']);
    for (const [cmd] of REPORT_EXAMPLES) expect(help.out).toContain(`systolab ${cmd}`);
  });
});
