/**
 * The explorer's whole URL space. A request path is decoded (repeatedly, so double-encoded `%252e` is
 * seen for what it is) and matched against a fixed table; anything with `..`, a backslash, a NUL, an
 * encoded slash or an undecodable escape is refused, and anything not in the table is not found.
 * Nothing is ever looked up on disk by a name taken from the URL, except a built asset whose
 * name is in the listing of the built page's assets folder. With several runs served, a run's files are
 * under `/api/run/<k>/…`, k the run's index on the command line (never a path); the plain `/api/…`
 * paths are those of the first run.
 */

/** The routes of one run's files; `run` is the run's index (absent: the first run, by the plain paths). */
type RunRoute = {
  kind: 'config' | 'metrics' | 'latent' | 'steps' | 'status' | 'checkpoint-specs' | 'checkpoint-weights';
  run?: number;
  /** A checkpoint named by the page (a link's), instead of the run's best or latest. */
  checkpoint?: string;
};

export type Route =
  | { kind: 'page' }
  | { kind: 'asset'; name: string }
  | { kind: 'runs' }
  | { kind: 'checkpoints' }
  | RunRoute
  | { kind: 'test-images-meta' }
  | { kind: 'test-images-pixels' };

export type Resolved = { ok: true; route: Route } | { ok: false; status: 400 | 404; reason: string };

/** The files of a run, by their path under `/api/` (the first run) or `/api/run/<k>/`. */
const RUN_FILES: Record<string, RunRoute['kind']> = {
  config: 'config',
  metrics: 'metrics',
  latent: 'latent',
  steps: 'steps',
  status: 'status',
  'checkpoint/weights.json': 'checkpoint-specs',
  'checkpoint/weights.bin': 'checkpoint-weights',
};

const FIXED: Record<string, Route> = {
  '/': { kind: 'page' },
  '/index.html': { kind: 'page' },
  '/api/runs': { kind: 'runs' },
  '/api/checkpoints': { kind: 'checkpoints' },
  ...Object.fromEntries(Object.entries(RUN_FILES).map(([path, kind]) => [`/api/${path}`, { kind }])),
  '/api/test-images.json': { kind: 'test-images-meta' },
  '/api/test-images.bin': { kind: 'test-images-pixels' },
};

/** `/api/checkpoints/<name>/weights.{json,bin}`: a named checkpoint of the first run. */
const NAMED_CHECKPOINT = /^\/api\/checkpoints\/([A-Za-z0-9_-][A-Za-z0-9._-]{0,99})\/weights\.(json|bin)$/;

/** `/api/run/<k>/<file>`: k in decimal without leading zeros (at most 3 digits). */
const RUN_PATH = /^\/api\/run\/(0|[1-9][0-9]{0,2})\/(.+)$/;

const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
/** More rounds of percent-decoding than any honest URL needs. */
const MAX_DECODE_ROUNDS = 4;

/**
 * Percent-decodes until nothing changes. Null when an escape is malformed, it never settles, or some
 * round holds an encoded slash or backslash (which would let one "segment" name a longer path).
 */
function fullyDecoded(path: string): string | null {
  let cur = path;
  for (let i = 0; i < MAX_DECODE_ROUNDS; i++) {
    if (/%2f|%5c/i.test(cur)) return null;
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      return null;
    }
    if (next === cur) return cur;
    cur = next;
  }
  return null;
}

/**
 * The route a raw request target (`/assets/index-1a2b.js?x=1`) names; `hasAsset` knows the built files,
 * `runs` is the number of runs served (a run index k ≥ runs is not found).
 */
export function resolveRoute(rawUrl: string, hasAsset: (name: string) => boolean, runs = 1): Resolved {
  const rawPath = rawUrl.split(/[?#]/, 1)[0];
  if (!rawPath.startsWith('/')) return { ok: false, status: 400, reason: 'the path must start with /' };
  const decoded = fullyDecoded(rawPath);
  if (decoded === null) return { ok: false, status: 400, reason: 'malformed or encoded-separator path' };
  if (decoded.includes('..') || /[\\\0]/.test(decoded)) {
    return { ok: false, status: 400, reason: 'path traversal is not allowed' };
  }
  const fixed = FIXED[decoded];
  if (fixed) return { ok: true, route: fixed };
  const named = NAMED_CHECKPOINT.exec(decoded);
  if (named) {
    const kind = named[2] === 'json' ? 'checkpoint-specs' : 'checkpoint-weights';
    return { ok: true, route: { kind, checkpoint: named[1] } };
  }
  const run = RUN_PATH.exec(decoded);
  if (run && Object.hasOwn(RUN_FILES, run[2]) && Number(run[1]) < runs) {
    return { ok: true, route: { kind: RUN_FILES[run[2]], run: Number(run[1]) } };
  }
  const asset = /^\/assets\/([^/]+)$/.exec(decoded);
  if (asset && ASSET_NAME.test(asset[1]) && hasAsset(asset[1])) {
    return { ok: true, route: { kind: 'asset', name: asset[1] } };
  }
  return { ok: false, status: 404, reason: 'not found' };
}
