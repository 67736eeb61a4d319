/**
 * Writes the first N Fashion-MNIST training images (and the full 10,000-image test set, linked) as an
 * IDX directory that `vaekit train --dataset <dir>` reads: the training budget of the README comparison.
 *   node --import tsx docs/compare/subset.ts 15000      # → .cache/fashion-mnist-15k/
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { FASHION_MNIST_DIR } from '../../src/data/builtin.js';
import { readIdx, writeIdx } from '../../src/data/idx.js';

const n = Number(process.argv[2] ?? 15000);
const out = `.cache/fashion-mnist-${n / 1000}k`;
mkdirSync(out, { recursive: true });
for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) {
  const a = readIdx(`${FASHION_MNIST_DIR}/${f}`);
  const per = a.dims.slice(1).reduce((x, y) => x * y, 1);
  const data = a.data.subarray(0, n * per) as typeof a.data;
  writeIdx(`${out}/${f}`, { dims: [n, ...a.dims.slice(1)], data }, { gzip: true });
}
for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
  if (!existsSync(`${out}/${f}`)) symlinkSync(`${FASHION_MNIST_DIR}/${f}`, `${out}/${f}`);
}
process.stdout.write(`${out}\n`);
