import { existsSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.js';
import type { RunConfig } from '../run/config.js';
import { checkCheckpointConfig } from '../run/load-run.js';
import { readRunConfig } from '../run/run-dir.js';
import { ConfinedDir, RefusedPath } from './confined.js';
import { type ApiError, CHECKPOINT_HEADER, type ExplorerStatus, type RunEntry } from './protocol.js';
import { type Route, resolveRoute } from './routes.js';
import {
  type CurrentCheckpoint,
  checkpointNames,
  checkpointWeights,
  currentCheckpoint,
  logText,
  NonFiniteWeights,
  namedCheckpoint,
  runFiles,
  stepsText,
  testImageSample,
} from './run-files.js';

/** The built page (`npm run build` puts it here); the same path from src/web and dist/web. */
export const CLIENT_DIR = fileURLToPath(new URL('../../dist/web/client', import.meta.url));

export interface ExplorerOptions {
  /** The run directory to serve (or give `runDirs`). */
  runDir?: string;
  /**
   * Several runs, compared on one page: their curves on one chart and their samples side by side. The
   * first is the main run, the one every other panel shows. Takes the place of `runDir`.
   */
  runDirs?: string[];
  /** Interface to bind; loopback unless the user asks otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  checkpoint?: 'best' | 'latest';
  /** Test images sent to the page (encoded there for the latent map and interpolation). */
  testImages?: number;
  clientDir?: string;
}

export interface Explorer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
export const isLoopback = (host: string) => LOOPBACK.has(host);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Only this origin's scripts, styles, images and fetches; WebAssembly compilation for the wasm backend. */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

interface Reply {
  status: number;
  type: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

const json = (status: number, value: unknown, headers?: Record<string, string>): Reply => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
  headers,
});
const apiError = (status: number, error: ApiError) => json(status, error);

/** What the page is told while a run has no checkpoint yet. */
const NO_CHECKPOINT_HINT = 'a checkpoint is written at the end of each epoch';

/** One run served: its files (confined to its directory), its config, and its checkpoint check. */
interface ServedRun {
  dir: string;
  name: string;
  files: ConfinedDir;
  config: RunConfig;
  fitsConfig(ck: CurrentCheckpoint): void;
}

/** The run directories asked for: at least one, each once. */
function runDirsOf(opts: ExplorerOptions): string[] {
  const dirs = opts.runDirs ?? (opts.runDir === undefined ? [] : [opts.runDir]);
  if (dirs.length === 0) {
    throw new InputError({ where: 'vaekit serve', expected: 'one or more run directories', found: 'none' });
  }
  return dirs;
}

/**
 * Opens a run to serve and checks it as every reader does: a checkpoint with non-finite weights, or one
 * written with another configuration than config.json now holds, stops the explorer (exit 2, file named);
 * any other problem of the checkpoint files (a link out of the run, a torn pointer) is answered per request
 * (403, 500), since a run being trained may mend it.
 */
function openRun(dir: string, which: 'best' | 'latest'): ServedRun {
  const files = confinedRun(dir);
  const config = readRunConfig(dir);
  const fitsConfig = (ck: CurrentCheckpoint) =>
    checkCheckpointConfig(dir, config, ck.runConfig, join(dir, 'checkpoints', ck.name));
  let current: CurrentCheckpoint | null = null;
  try {
    current = currentCheckpoint(files, which);
    if (current) checkpointWeights(files, current);
  } catch (e) {
    if (e instanceof NonFiniteWeights)
      throw new InputError({ where: join(dir, e.file), expected: 'finite weights', found: e.found });
  }
  if (current) fitsConfig(current);
  return { dir, name: basename(resolve(dir)), files, config, fitsConfig };
}

/** The runs, each once (a directory named twice, through any path or link, is refused), with distinct names. */
function openRuns(dirs: string[], which: 'best' | 'latest'): ServedRun[] {
  const runs: ServedRun[] = [];
  for (const dir of dirs) {
    const run = openRun(dir, which);
    const same = runs.find((r) => r.files.root === run.files.root);
    if (same) {
      throw new InputError({
        where: dir,
        expected: 'each run directory once',
        found: `the same directory as ${same.dir}`,
      });
    }
    runs.push(run);
  }
  // two runs of the same name in different folders are told apart by the paths given
  const names = runs.map((r) => r.name);
  for (const r of runs) if (names.filter((n) => n === r.name).length > 1) r.name = r.dir;
  return runs;
}

/**
 * `vaekit serve`: a read-only HTTP server for one run or several — the built explorer page and each run's
 * config, metrics, step log, current checkpoint, and a sample of the first run's test images — and nothing else.
 */
export async function startExplorer(opts: ExplorerOptions): Promise<Explorer> {
  const which = opts.checkpoint ?? 'best';
  const runs = openRuns(runDirsOf(opts), which);
  const main = runs[0];
  const clientDir = opts.clientDir ?? CLIENT_DIR;
  if (!existsSync(join(clientDir, 'index.html'))) {
    throw new InputError({
      where: clientDir,
      expected: 'the built explorer page (index.html)',
      found: 'nothing',
      hint: 'run `npm run build` in the vaekit package',
    });
  }
  // The page's files are read only from inside the built client, whatever links it holds.
  const client = new ConfinedDir(clientDir, 'the built explorer page');
  // Listed per request, so a rebuilt page is served without a restart.
  const hasAsset = (name: string) => readdirSync(join(clientDir, 'assets')).includes(name);
  const host = opts.host ?? '127.0.0.1';
  // the main run's own test images, read now: data that is missing or not the run's is exit 2 at start
  const testImages = testImageSample(main.config, opts.testImages ?? 1000);
  const sample = () => testImages;
  const entries: RunEntry[] = runs.map((r, index) => ({ index, name: r.name }));

  const handle = (route: Route): Reply => {
    switch (route.kind) {
      case 'page':
        return {
          status: 200,
          type: CONTENT_TYPES['.html'],
          body: mustRead(client, 'index.html'),
        };
      case 'asset':
        return {
          status: 200,
          type: CONTENT_TYPES[extname(route.name)] ?? 'application/octet-stream',
          body: mustRead(client, 'assets', route.name),
          // Built assets carry a content hash in their names.
          headers: { 'Cache-Control': 'public, max-age=31536000, immutable' },
        };
      case 'runs':
        return json(200, entries);
      case 'config':
        return json(200, runs[route.run ?? 0].config);
      case 'metrics':
      case 'latent':
        return {
          status: 200,
          type: 'application/x-ndjson; charset=utf-8',
          body: logText(runs[route.run ?? 0].files, route.kind),
        };
      case 'steps':
        return {
          status: 200,
          type: 'application/x-ndjson; charset=utf-8',
          body: stepsText(runs[route.run ?? 0].files),
        };
      case 'checkpoints':
        return json(200, checkpointNames(runs[0].files));
      case 'status': {
        const run = runs[route.run ?? 0];
        const ck = currentCheckpoint(run.files, which);
        if (ck) run.fitsConfig(ck);
        const status: ExplorerStatus = ck
          ? { checkpoint: ck.name, epoch: ck.specs.epoch, step: ck.specs.step, hint: null }
          : { checkpoint: null, epoch: null, step: null, hint: NO_CHECKPOINT_HINT };
        return json(200, status);
      }
      case 'checkpoint-specs':
      case 'checkpoint-weights': {
        const { files, fitsConfig } = runs[route.run ?? 0];
        const ck = route.checkpoint
          ? namedCheckpoint(files, route.checkpoint)
          : currentCheckpoint(files, which);
        if (!ck && route.checkpoint) {
          return apiError(404, {
            error: `this run has no checkpoint ${route.checkpoint}`,
            hint: 'it may have been pruned since the link was made',
          });
        }
        if (!ck) {
          return apiError(404, {
            error: 'no checkpoint yet',
            hint: `training in progress? ${NO_CHECKPOINT_HINT}`,
          });
        }
        fitsConfig(ck);
        const headers = { [CHECKPOINT_HEADER]: ck.specs.checkpoint };
        if (route.kind === 'checkpoint-specs') return json(200, ck.specs, headers);
        const body = checkpointWeights(files, ck);
        if (!body)
          return apiError(503, { error: 'the checkpoint was replaced while it was read', hint: 'retry' });
        return { status: 200, type: 'application/octet-stream', body, headers };
      }
      case 'test-images-meta':
        return json(200, sample().meta);
      case 'test-images-pixels':
        return { status: 200, type: 'application/octet-stream', body: sample().pixels };
    }
  };

  const server = createServer((req, res) => {
    let reply: Reply;
    try {
      reply = respond(
        req,
        allowedHosts(host, server),
        (url) => resolveRoute(url, hasAsset, runs.length),
        handle,
      );
    } catch (e) {
      reply =
        e instanceof RefusedPath
          ? apiError(403, {
              error: e.message,
              hint: 'the explorer serves only files inside the run directory',
            })
          : e instanceof InputError
            ? apiError(409, { error: e.message, hint: e.details.hint })
            : e instanceof NonFiniteWeights
              ? apiError(422, {
                  error: e.message,
                  hint: 'the checkpoint cannot be shown; an earlier one may be fine',
                })
              : apiError(500, { error: (e as Error).message });
    }
    send(req, res, reply);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new InputError(
          {
            where: `${host}:${opts.port ?? 0}`,
            expected: 'an address to listen on',
            found: e.code ?? e.message,
          },
          { cause: e },
        ),
      ),
    );
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The run directory's files, confined to it; its config.json must be inside it too (it is served at
 * /api/config), else the explorer does not start.
 */
function confinedRun(runDir: string): ConfinedDir {
  let files: ConfinedDir;
  try {
    files = runFiles(runDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new InputError(
      {
        where: runDir,
        expected: 'a run directory with config.json',
        found: code === 'ENOENT' ? 'no such directory' : `an unreadable path (${code})`,
      },
      { cause: e },
    );
  }
  try {
    files.read('config.json');
  } catch (e) {
    if (!(e instanceof RefusedPath)) throw e;
    throw new InputError(
      { where: join(runDir, 'config.json'), expected: 'a file inside the run directory', found: e.reason },
      { cause: e },
    );
  }
  return files;
}

/** A file the built page must have (it was there at start-up); a page rebuilt without it is a 500. */
function mustRead(client: ConfinedDir, ...path: string[]): Buffer {
  const bytes = client.read(...path);
  if (!bytes) throw new Error(`the built explorer page has no ${path.join('/')} (rebuilt meanwhile?)`);
  return bytes;
}

/** Host headers a loopback server answers to (a page on another site must not reach it by DNS rebinding). */
function allowedHosts(host: string, server: Server): Set<string> | null {
  if (!isLoopback(host)) return null;
  const { port } = server.address() as AddressInfo;
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

function respond(
  req: IncomingMessage,
  hosts: Set<string> | null,
  resolve: (url: string) => ReturnType<typeof resolveRoute>,
  handle: (route: Route) => Reply,
): Reply {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { ...apiError(405, { error: 'read-only: only GET and HEAD' }), headers: { Allow: 'GET, HEAD' } };
  }
  if (hosts && !hosts.has(req.headers.host ?? '')) {
    return apiError(403, { error: 'unexpected Host header', hint: 'open the URL vaekit serve printed' });
  }
  const r = resolve(req.url ?? '');
  return r.ok ? handle(r.route) : apiError(r.status, { error: r.reason });
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  res.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    'Content-Type': reply.type,
    'Content-Length': body.byteLength,
    // The run's files change while it trains.
    'Cache-Control': 'no-store',
    ...reply.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
