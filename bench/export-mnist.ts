/**
 * Writes the built-in `mnist` split (9,000 train / 1,000 test, values in [0, 1]) as NPY files, so a
 * PyTorch script can train on exactly the same digits: `node --import tsx bench/export-mnist.ts <dir>`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadBuiltin } from '../src/data/builtin.js';
import { writeNpy } from '../src/io/npy.js';

const dir = process.argv[2] ?? '.cache/mnist-npy';
mkdirSync(dir, { recursive: true });
const { train, test } = loadBuiltin('mnist');
writeNpy(join(dir, 'train.npy'), { shape: [train.count, 784], data: train.images });
writeNpy(join(dir, 'test.npy'), { shape: [test.count, 784], data: test.images });
process.stdout.write(`wrote ${train.count} + ${test.count} digits to ${dir}\n`);
