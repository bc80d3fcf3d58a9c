/**
 * `systolab playground`'s local server: dist/playground/ over HTTP on 127.0.0.1 only (never another interface), GET
 * and HEAD of the files in that folder, nothing else. The page needs no server (it works from file://); the server is
 * for browsers or setups that block file:// pages. An edge: it listens on a socket and reads files.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { join } from 'node:path';
import { SimError } from '../base/errors.js';
import { packageRoot } from '../base/package-root.js';

export const PLAYGROUND_HOST = '127.0.0.1';

/** dist/playground/ of this installation; a clear error when the build has not made it. */
export function playgroundDir(): string {
  const dir = join(packageRoot(), 'dist', 'playground');
  if (!existsSync(join(dir, 'index.html'))) {
    throw new SimError('is missing: the playground has not been built', { code: 'missingFile', file: join(dir, 'index.html'), hint: 'Run npm run build in the checkout.' });
  }
  return dir;
}

const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.png': 'image/png' };

export interface PlaygroundServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the server on `port` (0: any free port). The folder's files are read once: what the build wrote. */
export function servePlayground(dir: string, port: number): Promise<PlaygroundServer> {
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    return Promise.reject(new SimError('must be an integer from 0 to 65535 (0: any free port)', { code: 'badValue', path: '--port', value: port }));
  }
  const files = new Map(readdirSync(dir).filter((f) => Object.hasOwn(TYPES, f.slice(f.lastIndexOf('.')))).map((f) => [`/${f}`, readFileSync(join(dir, f))]));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const body = files.get(path === '/' ? '/index.html' : path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    } else {
      const name = path === '/' ? '/index.html' : path;
      res.writeHead(200, { 'content-type': TYPES[name.slice(name.lastIndexOf('.'))], 'content-length': body.length, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    }
  };
  return new Promise((resolve, reject) => {
    const server = createServer(handle);
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'EADDRINUSE'
        ? new SimError(`is in use on ${PLAYGROUND_HOST}`, { code: 'busy', path: '--port', value: port, hint: 'Give another port, or --port 0 for any free one.' })
        : e);
    });
    server.listen(port, PLAYGROUND_HOST, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        url: `http://${PLAYGROUND_HOST}:${bound}/`, port: bound,
        close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}
