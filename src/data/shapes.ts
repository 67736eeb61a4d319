import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { Rng } from '../core/random.js';

/**
 * Writes a procedural colour image folder into `root`: `count` PNGs of size×size, each a coloured disc
 * or square (class subfolders `disc/`, `square/`) at a random place and size on a coloured background.
 * A small colour dataset that needs no download, for trying colour models and for tests.
 */
export function writeShapesFolder(root: string, count: number, size = 16, seed = 1): string {
  const rng = new Rng(seed);
  for (const c of ['disc', 'square']) mkdirSync(join(root, c), { recursive: true });
  for (let n = 0; n < count; n++) {
    const kind = n % 2 === 0 ? 'disc' : 'square';
    const png = new PNG({ width: size, height: size });
    const bg = [rng.int(256), rng.int(256), rng.int(256)];
    const fg = [rng.int(256), rng.int(256), rng.int(256)];
    const cx = size / 4 + rng.next() * (size / 2);
    const cy = size / 4 + rng.next() * (size / 2);
    const r = size / 8 + rng.next() * (size / 5);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside =
          kind === 'disc'
            ? (x - cx) ** 2 + (y - cy) ** 2 < r * r
            : Math.abs(x - cx) < r && Math.abs(y - cy) < r;
        png.data.set([...(inside ? fg : bg), 255], (y * size + x) * 4);
      }
    }
    writeFileSync(join(root, kind, `${String(n).padStart(5, '0')}.png`), PNG.sync.write(png));
  }
  return root;
}
