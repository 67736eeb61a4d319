import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBuiltin } from '../../src/data/builtin.js';
import { writeIdx } from '../../src/data/idx.js';

/** An MNIST-style IDX directory with the first `train` and `test` built-in digits (ubyte, with labels). */
export function idxDigits(train: number, test: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'vk-idx-'));
  const { train: a, test: b } = loadBuiltin('mnist');
  for (const [prefix, ds, n] of [
    ['train', a, train],
    ['t10k', b, test],
  ] as const) {
    const pixels = Uint8Array.from(ds.images.subarray(0, n * 784), (v) => Math.round(v * 255));
    writeIdx(join(dir, `${prefix}-images-idx3-ubyte`), { dims: [n, 28, 28], data: pixels });
    writeIdx(join(dir, `${prefix}-labels-idx1-ubyte`), {
      dims: [n],
      data: Uint8Array.from(ds.labels!.subarray(0, n)),
    });
  }
  return dir;
}
