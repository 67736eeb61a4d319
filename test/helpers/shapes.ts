import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { Rng } from '../../src/util/random.js';

/**
 * A procedural colour image folder: `count` PNGs of size×size, each a coloured disc or square on a
 * coloured background, in class subfolders `disc/` and `square/`.
 */
export function shapesFolder(count: number, size = 16, seed = 1): string {
  const root = mkdtempSync(join(tmpdir(), 'vk-shapes-'));
  const rng = new Rng(seed);
  for (const c of ['disc', 'square']) mkdirSync(join(root, c));
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
    writeFileSync(join(root, kind, `${n}.png`), PNG.sync.write(png));
  }
  return root;
}
