import { Command, Option } from 'commander';
import type { BackendChoice } from '../backend/index.js';
import { encodePosteriors } from '../eval/latent.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputFile } from '../io/files.js';
import { writeNpy } from '../io/npy.js';
import { loadRunDataFor } from '../run/data.js';
import { backendOption, checkpointOption, gaussianLatent, openRun } from './common.js';

export function encodeCommand(): Command {
  return new Command('encode')
    .description(
      'Write the latent means μ_φ(x) of a data split: CSV (one row per image, label first when known) or NPY (float32 [N, m]).',
    )
    .argument('<run-dir>', 'a run directory')
    .requiredOption('-o, --out <file>', 'output file, .csv or .npy')
    .addOption(
      new Option('--split <split>', 'which split to encode').choices(['train', 'test']).default('test'),
    )
    .addOption(checkpointOption())
    .addOption(backendOption())
    .action(
      async (
        dir: string,
        f: { out: string; split: 'train' | 'test'; checkpoint: 'best' | 'latest'; backend?: BackendChoice },
      ) => {
        checkOutputFile(f.out, '--out', ['.csv', '.npy']);
        const run = await openRun(dir, f);
        const model = gaussianLatent(run.model, 'encode');
        const ds = loadRunDataFor(run.config).split[f.split];
        const means = encodePosteriors(model, ds).mean;
        const m = model.latentDim;
        if (f.out.toLowerCase().endsWith('.npy')) {
          writeNpy(f.out, { shape: [ds.count, m], data: means });
        } else {
          const header = [
            ...(ds.labels ? ['label'] : []),
            ...Array.from({ length: m }, (_, j) => `z${j}`),
          ].join(',');
          const rows = Array.from({ length: ds.count }, (_, i) => {
            const z = Array.from(means.subarray(i * m, (i + 1) * m), (v) => v.toPrecision(6));
            return (ds.labels ? [String(ds.labels[i]), ...z] : z).join(',');
          });
          writeFileAtomic(f.out, `${header}\n${rows.join('\n')}\n`);
        }
        process.stdout.write(`wrote ${ds.count} × ${m} latent means of the ${f.split} split to ${f.out}\n`);
      },
    );
}
