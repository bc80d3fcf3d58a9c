/**
 * `systolab playground`: serves the browser playground (dist/playground/index.html, docs/playground.md) on
 * 127.0.0.1 and prints its URL; the same page also opens straight from the file, which the command prints too.
 * Runs until Ctrl-C (or SIGTERM), then closes the server and exits 0.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { playgroundDir, servePlayground } from '../playground/server.js';

export interface PlaygroundArgs { port: number }

export const PLAYGROUND_EXAMPLES: readonly (readonly [string, string])[] = [
  ['playground', 'serve the playground on http://127.0.0.1:8780/ and print the URL to open'],
  ['playground --port 0', 'on any free port (the printed URL says which)'],
];

export function playgroundBuilder(y: Argv): Argv<PlaygroundArgs> {
  return y
    .option('port', { type: 'number', default: 8780, describe: 'port on 127.0.0.1 (0: any free port)' })
    .example(PLAYGROUND_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<PlaygroundArgs>;
}

/** Starts the server, prints where to point the browser, and resolves when a signal stops it. */
export async function playgroundCommand(a: PlaygroundArgs, write: (text: string) => void): Promise<void> {
  // The handlers go in first, so a Ctrl-C that arrives while the server starts still stops it cleanly.
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const dir = playgroundDir();
  const server = await servePlayground(dir, a.port);
  write([
    `Systolab playground: ${server.url}`,
    `(the page needs no server: ${pathToFileURL(join(dir, 'index.html')).href} opens it too)`,
    'Ctrl-C stops the server.',
    '',
  ].join('\n'));
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await server.close();
}
