/** Writes the procedural colour shapes folder: `node --import tsx bench/make-shapes.ts <dir> [count] [size]`. */
import { writeShapesFolder } from '../src/data/shapes.js';

const [dir = '.cache/shapes', count = '4000', size = '32'] = process.argv.slice(2);
writeShapesFolder(dir, Number(count), Number(size));
process.stdout.write(`wrote ${count} ${size}×${size} shape images to ${dir}\n`);
