/**
 * `systolab playground`: the bundled command serves dist/playground/ on 127.0.0.1 and prints the URL; GET / gives
 * the page, other paths 404, other methods 405; a port in use and a bad port are one-line errors (exit 2); Ctrl-C
 * (SIGINT) stops it with exit 0. Both --help examples run.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAYGROUND_EXAMPLES } from '../../sim/cli/playground-command.js';
import { CLI, ROOT, systolab } from '../helpers/cli.js';

/** Starts `systolab ARGS`, resolves with the child and the URL it printed. */
function start(args: readonly string[]): Promise<{ child: ReturnType<typeof spawn>; url: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out); if (m) resolve({ child, url: m[0] }); });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}
const exited = (child: ReturnType<typeof spawn>) => new Promise<string>((r) => child.once('exit', (code, signal) => r(`${code} ${signal}`)));

describe('systolab playground', () => {
  it('serves the page on 127.0.0.1, 404s the rest, refuses POST, and stops on SIGINT with exit 0', async () => {
    const { child, url } = await start(['playground', '--port', '0']);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('data-testid="latency-cycles"');
    expect((await fetch(`${url}index.html`)).status).toBe(200);
    expect((await fetch(`${url}../package.json`)).status).toBe(404);
    expect((await fetch(`${url}%2e%2e/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(405);
    const done = exited(child);
    child.kill('SIGINT');
    expect(await done).toBe('0 null');
  }, 30_000);

  it('a port in use, and a bad port, are one-line errors with exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const busy = systolab(['playground', '--port', String(port)]);
    blocker.close();
    expect(busy.code).toBe(2);
    expect(busy.err).toBe(`systolab: --port: is in use on 127.0.0.1 (got ${port}). Give another port, or --port 0 for any free one.\n`);
    const bad = systolab(['playground', '--port', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
  }, 30_000);

  it('every --help example runs (the default port where it is free)', async () => {
    expect(systolab(['playground', '--help']).out.replace(/\s+/g, ' ')).toContain('systolab playground --port 0');
    for (const [cmd] of PLAYGROUND_EXAMPLES) {
      const run = start(cmd.split(' '));
      const r = await run.then((x) => x, (e: Error) => e);
      if (r instanceof Error) {
        expect(r.message).toContain('is in use');   // 8780 taken on this machine: the error says so
        continue;
      }
      const done = exited(r.child);
      r.child.kill('SIGINT');
      expect(await done).toBe('0 null');
    }
    expect(join(ROOT, 'dist')).toBeTruthy();
  }, 30_000);
});
