/** A folder served over HTTP on 127.0.0.1 (a free port), as a web server would serve a written model or a page. */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
};

export interface Served {
  /** The folder's URL, ending in '/'. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the files of `root`, and under each prefix of `mounts` ('/node_modules/' → a folder) that folder's.
 */
export async function serveFolder(root: string, mounts: Record<string, string> = {}): Promise<Served> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const mount = Object.keys(mounts).find((prefix) => path.startsWith(prefix));
    const file = mount
      ? join(mounts[mount], path.slice(mount.length))
      : join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
