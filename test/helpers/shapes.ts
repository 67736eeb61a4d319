import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeShapesFolder } from '../../src/data/shapes.js';

/** A procedural colour image folder of `count` size×size PNGs in a fresh temp dir (classes disc/square). */
export function shapesFolder(count: number, size = 16, seed = 1): string {
  return writeShapesFolder(mkdtempSync(join(tmpdir(), 'vk-shapes-')), count, size, seed);
}
