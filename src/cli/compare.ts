import { Command } from 'commander';
import type { BackendChoice } from '../backend/index.js';
import { imageSize } from '../data/dataset.js';
import { defaultClassifierDir, loadClassifier } from '../eval/classifier.js';
import { drawSamples } from '../eval/sample-quality.js';
import { checkOutputFile } from '../io/files.js';
import { MODEL_TYPES } from '../models/registry.js';
import type { ImageShape } from '../nn/networks.js';
import { type ComparisonRow, checkSameData, compareRun, writeSideBySide } from '../run/compare.js';
import { loadRunDataFor } from '../run/data.js';
import { intArg } from './args.js';
import { backendOption, checkpointOption, openRun } from './common.js';

interface CompareFlags {
  classifier?: string;
  count: number;
  k: number;
  nllImages: number;
  seed: number;
  out: string;
  checkpoint: 'best' | 'latest';
  backend?: BackendChoice;
}

const num = (v: number | null, digits: number) => (v === null ? '–' : v.toFixed(digits));

/** The comparison as a Markdown table (pastes into a README). */
export function comparisonTable(rows: ComparisonRow[]): string {
  const lines = [
    '| run | model | steps | FCD ↓ | precision ↑ | recall ↑ | IS-NLL (nats) ↓ | bits/dim ↓ |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.run} | ${r.model} | ${r.step} | ${num(r.quality.frechetDistance, 2)} | ` +
        `${num(r.quality.precisionRecall.precision, 3)} | ${num(r.quality.precisionRecall.recall, 3)} | ` +
        `${num(r.isNll, 2)}${r.conditional && r.isNll !== null ? ' (given y)' : ''} | ${num(r.isNllBitsPerDim, 4)} |`,
    ),
  ];
  if (rows.some((r) => r.conditional && r.isNll !== null)) {
    lines.push(
      '',
      '"given y": a conditional model’s IS-NLL is −log p(x|y), the likelihood of an image given its class ' +
        'label; it is not comparable with the −log p(x) of the unconditional models.',
    );
  }
  return lines.join('\n');
}

export function compareCommand(): Command {
  return new Command('compare')
    .description(
      [
        `Score runs of any models (${MODEL_TYPES.join(', ')}) with the same metrics, in one table:`,
        '  FCD        Fréchet distance between classifier features of samples and',
        '             of test images (FID-like; lower is better)',
        '  precision  share of samples among the test images in feature space',
        '  recall     share of test images covered by the samples',
        '  IS-NLL     importance-sampled −log p(x) of test images (models with a likelihood;',
        '             −log p(x|y) for conditional ones, marked "given y")',
        'and a PNG of test images and each run’s samples side by side.',
        'The runs must share their data; the feature classifier comes from',
        '`vaekit train-classifier`.',
        '',
        'Example:',
        '  vaekit train-classifier --dataset fashion-mnist',
        '  vaekit compare runs/vae runs/gan runs/wgan-gp -o compare.png',
      ].join('\n'),
    )
    .argument('<runs...>', 'run directories')
    .option('--classifier <dir>', 'feature classifier (default: .cache/classifiers/<dataset>)')
    .option(
      '-n, --count <n>',
      'samples per model for FCD, precision and recall (against all test images; at most 50000)',
      intArg(10, 50_000),
      5000,
    )
    .option('-k, --k <k>', 'importance samples per test image for IS-NLL (0: skip)', intArg(0), 100)
    .option('--nll-images <n>', 'test images scored by IS-NLL', intArg(1), 1000)
    .option('-o, --out <file.png>', 'side-by-side PNG of samples', 'compare.png')
    .option('--seed <n>', 'random seed of the samples', intArg(0), 0)
    .addOption(checkpointOption())
    .addOption(backendOption())
    .action(async (dirs: string[], f: CompareFlags) => {
      checkOutputFile(f.out, '--out', ['.png']);
      const runs = [];
      for (const dir of dirs) runs.push({ ...(await openRun(dir, f)), dir });
      checkSameData(runs);
      const { split } = loadRunDataFor(runs[0].config);
      const { classifier, info } = loadClassifier(
        f.classifier ?? defaultClassifierDir(runs[0].config.data.dataset),
      );
      process.stdout.write(
        `features: classifier of ${info.dataset} (test accuracy ${(100 * info.testAccuracy).toFixed(1)}%, ` +
          `${info.featureDim} features); ${f.count} samples per model against ${split.test.count} test images; ` +
          `IS-NLL with k = ${f.k} on ${f.nllImages} test images\n\n`,
      );
      const rows = runs.map((run) =>
        compareRun(run, split.test, classifier, {
          samples: f.count,
          seed: f.seed,
          k: f.k,
          nllImages: f.nllImages,
        }),
      );
      process.stdout.write(`${comparisonTable(rows)}\n`);
      const shape = split.test.shape as ImageShape;
      const shown = 64;
      writeSideBySide(
        f.out,
        [
          split.test.images.subarray(0, shown * imageSize(split.test)),
          ...runs.map((r) => drawSamples(r.model, shown, f.seed)),
        ],
        shape,
      );
      process.stdout.write(`\nwrote ${f.out}: test images, then ${runs.map((r) => r.dir).join(', ')}\n`);
    });
}
