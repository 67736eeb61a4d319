import { join } from 'node:path';
import { Command } from 'commander';
import type { BackendChoice } from '../backend/index.js';
import { InputError } from '../core/errors.js';
import { checkOutputFile } from '../io/files.js';
import { checkGridCount, writeSampleGrid } from '../run/pictures.js';
import { intArg, numberArg } from './args.js';
import { backendOption, checkpointOption, conditional, openRun } from './common.js';

export function sampleCommand(): Command {
  return new Command('sample')
    .description('Decode images from the prior z ~ N(0, t²I) of a trained run and write them as a PNG grid.')
    .argument('<run-dir>', 'a run directory, e.g. runs/vae-mnist-…')
    .option('-n, --count <n>', 'number of samples', intArg(1), 64)
    .option(
      '-t, --temperature <t>',
      'prior temperature t (t < 1: sharper, less varied samples; at most 100)',
      numberArg(0, 100),
      1,
    )
    .option('-o, --out <file.png>', 'output PNG (default: <run-dir>/samples/sample-seed<seed>.png)')
    .option(
      '--class <y>',
      'conditional models: draw every sample of class y (default: column c of the grid shows class c)',
      intArg(0),
    )
    .option('--seed <n>', 'random seed', intArg(0), 0)
    .addOption(checkpointOption())
    .addOption(backendOption())
    .action(
      async (
        dir: string,
        f: {
          count: number;
          temperature: number;
          out?: string;
          seed: number;
          class?: number;
          checkpoint: 'best' | 'latest';
          backend?: BackendChoice;
        },
      ) => {
        if (f.out !== undefined) checkOutputFile(f.out, '--out', ['.png']);
        const run = await openRun(dir, f);
        checkGridCount(run.config, f.count, '--count');
        let labels: Int32Array | undefined;
        if (f.class !== undefined) {
          const { classes } = conditional(run.model, 'sample --class');
          if (f.class >= classes) {
            throw new InputError({
              where: '--class',
              expected: `a class from 0 to ${classes - 1}`,
              found: String(f.class),
            });
          }
          labels = new Int32Array(f.count).fill(f.class);
        }
        const which = f.class === undefined ? '' : `-class${f.class}`;
        const out = f.out ?? join(dir, 'samples', `sample-seed${f.seed}${which}.png`);
        if (f.out === undefined) checkOutputFile(out, 'the default output');
        writeSampleGrid(run.model, out, { count: f.count, seed: f.seed, temperature: f.temperature, labels });
        const of = f.class === undefined ? '' : ` of class ${f.class}`;
        process.stdout.write(`wrote ${f.count} samples${of} (t = ${f.temperature}) to ${out}\n`);
      },
    );
}
