/**
 * The explorer's whole URL space. A request path is decoded (repeatedly, so double-encoded `%252e` is
 * seen for what it is) and matched against a fixed table; anything with `..`, a backslash, a NUL, an
 * encoded slash or an undecodable escape is refused, and anything not in the table is not found.
 * Nothing is ever looked up on disk by a name taken from the URL, except a built asset whose
 * name is in the listing of the built page's assets folder.
 */

export type Route =
  | { kind: 'page' }
  | { kind: 'asset'; name: string }
  | { kind: 'config' }
  | { kind: 'metrics' }
  | { kind: 'latent' }
  | { kind: 'checkpoint-specs' }
  | { kind: 'checkpoint-weights' }
  | { kind: 'test-images-meta' }
  | { kind: 'test-images-pixels' };

export type Resolved = { ok: true; route: Route } | { ok: false; status: 400 | 404; reason: string };

const FIXED: Record<string, Route> = {
  '/': { kind: 'page' },
  '/index.html': { kind: 'page' },
  '/api/config': { kind: 'config' },
  '/api/metrics': { kind: 'metrics' },
  '/api/latent': { kind: 'latent' },
  '/api/checkpoint/weights.json': { kind: 'checkpoint-specs' },
  '/api/checkpoint/weights.bin': { kind: 'checkpoint-weights' },
  '/api/test-images.json': { kind: 'test-images-meta' },
  '/api/test-images.bin': { kind: 'test-images-pixels' },
};

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

/** The route a raw request target (`/assets/index-1a2b.js?x=1`) names; `hasAsset` knows the built files. */
export function resolveRoute(rawUrl: string, hasAsset: (name: string) => boolean): Resolved {
  const rawPath = rawUrl.split(/[?#]/, 1)[0];
  if (!rawPath.startsWith('/')) return { ok: false, status: 400, reason: 'the path must start with /' };
  const decoded = fullyDecoded(rawPath);
  if (decoded === null) return { ok: false, status: 400, reason: 'malformed or encoded-separator path' };
  if (decoded.includes('..') || /[\\\0]/.test(decoded)) {
    return { ok: false, status: 400, reason: 'path traversal is not allowed' };
  }
  const fixed = FIXED[decoded];
  if (fixed) return { ok: true, route: fixed };
  const asset = /^\/assets\/([^/]+)$/.exec(decoded);
  if (asset && ASSET_NAME.test(asset[1]) && hasAsset(asset[1])) {
    return { ok: true, route: { kind: 'asset', name: asset[1] } };
  }
  return { ok: false, status: 404, reason: 'not found' };
}
