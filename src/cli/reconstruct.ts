import { join } from 'node:path';
import { Command } from 'commander';
import type { BackendChoice } from '../backend/index.js';
import { checkOutputFile } from '../io/files.js';
import { loadRunDataFor } from '../run/data.js';
import { checkGridCount, writeReconstructionGrid } from '../run/pictures.js';
import { intArg } from './args.js';
import { backendOption, checkpointOption, openRun, reconstructor } from './common.js';

export function reconstructCommand(): Command {
  return new Command('reconstruct')
    .description('Write test images next to their reconstructions E[x | z = μ(x)] as a PNG grid.')
    .argument('<run-dir>', 'a run directory')
    .option('-n, --count <n>', 'number of test images', intArg(1), 32)
    .option('-o, --out <file.png>', 'output PNG (default: <run-dir>/samples/reconstructions.png)')
    .addOption(checkpointOption())
    .addOption(backendOption())
    .action(
      async (
        dir: string,
        f: { count: number; out?: string; checkpoint: 'best' | 'latest'; backend?: BackendChoice },
      ) => {
        if (f.out !== undefined) checkOutputFile(f.out, '--out', ['.png']);
        const run = await openRun(dir, f);
        const model = reconstructor(run.model, 'reconstruct');
        const { split } = loadRunDataFor(run.config);
        checkGridCount(run.config, Math.min(f.count, split.test.count), '--count', 2);
        const out = f.out ?? join(dir, 'samples', 'reconstructions.png');
        if (f.out === undefined) checkOutputFile(out, 'the default output');
        writeReconstructionGrid(model, split.test, out, { count: f.count });
        process.stdout.write(
          `wrote ${Math.min(f.count, split.test.count)} test images and reconstructions to ${out}\n`,
        );
      },
    );
}
