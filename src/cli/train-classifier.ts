import { Command, Option } from 'commander';
import { type BackendChoice, initBackend } from '../backend/index.js';
import { InputError } from '../core/errors.js';
import { isImageFolder, loadDataset } from '../data/load.js';
import {
  classifierConfigSchema,
  defaultClassifierDir,
  saveClassifier,
  trainClassifier,
} from '../eval/classifier.js';
import { checkOutputDir } from '../io/files.js';
import { checkTrainingMemory } from '../models/registry.js';
import { encoderSize } from '../nn/size.js';
import { parseWith } from '../run/parse.js';
import { intArg, intListArg, numberArg } from './args.js';
import { backendOption } from './common.js';

interface ClassifierFlags {
  dataset: string;
  out?: string;
  hidden?: number[];
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  imageSize?: number;
  channels?: 1 | 3;
  backend?: BackendChoice;
}

export function trainClassifierCommand(): Command {
  return new Command('train-classifier')
    .description(
      [
        'Train the small MLP classifier whose last hidden layer is the feature space',
        "of vaekit eval's sample-quality metrics: a Fréchet distance and k-NN",
        'precision/recall (FID-like, but not FID: the features come from this',
        'classifier, not from Inception). Trained on the un-binarised training images;',
        'prints and stores its test accuracy. Cached in .cache/classifiers/<dataset>/',
        'by default, where vaekit eval finds it.',
      ].join('\n'),
    )
    .requiredOption(
      '--dataset <name|dir>',
      'mnist | fashion-mnist | a directory of IDX files (with labels) | an image folder (one subfolder per class)',
    )
    .option('-o, --out <dir>', 'where to write it (default: .cache/classifiers/<dataset>)')
    .option(
      '--hidden <sizes>',
      'hidden layer sizes; the last is the feature dimension (default 256,64)',
      intListArg,
    )
    .option('--epochs <n>', 'epochs (default 10)', intArg(1))
    .option('--batch-size <n>', 'mini-batch size (default 128)', intArg(1))
    .option('--lr <rate>', 'Adam learning rate (default 1e-3)', numberArg(1e-12))
    .option('--seed <n>', 'random seed (weights and batch order)', intArg(0))
    .option(
      '--image-size <px>',
      'image folders: centre-crop and resize to this square size (as in train)',
      intArg(1),
    )
    .addOption(
      new Option('--channels <c>', 'image folders: 1 (grey) or 3 (RGB) (default 3)')
        .choices(['1', '3'])
        .argParser((v) => Number(v) as 1 | 3),
    )
    .addOption(backendOption())
    .action(async (flags: ClassifierFlags) => {
      const config = parseWith(
        classifierConfigSchema,
        Object.fromEntries(
          Object.entries({
            hidden: flags.hidden,
            epochs: flags.epochs,
            batchSize: flags.batchSize,
            learningRate: flags.lr,
            seed: flags.seed,
          }).filter(([, v]) => v !== undefined),
        ),
        'train-classifier options',
      );
      const out = flags.out ?? defaultClassifierDir(flags.dataset);
      checkOutputDir(out, flags.out === undefined ? 'the default output' : '--out');
      const backend = await initBackend(flags.backend ?? 'auto');
      if (flags.imageSize === undefined && isImageFolder(flags.dataset)) {
        throw new InputError({
          where: '--dataset',
          expected: '--image-size for an image folder (the size the runs it scores were trained at)',
          found: `an image folder without it (${flags.dataset})`,
        });
      }
      if ((flags.imageSize !== undefined || flags.channels !== undefined) && !isImageFolder(flags.dataset)) {
        throw new InputError({
          where: flags.imageSize !== undefined ? '--image-size' : '--channels',
          expected: 'an image folder as --dataset (IDX data keeps its own size)',
          found: flags.dataset,
        });
      }
      const image = flags.imageSize ? { size: flags.imageSize, channels: flags.channels ?? 3 } : undefined;
      const data = loadDataset(flags.dataset, { image });
      const seen = new Set(data.train.labels ?? []);
      if (seen.size < 2) {
        throw new InputError({
          where: '--dataset',
          expected: 'training images of at least 2 classes (labels, or one subfolder per class)',
          found: `${seen.size === 0 ? 'no labels' : 'one class'} in ${flags.dataset}`,
        });
      }
      let classes = 2;
      for (const y of seen) if (y >= classes) classes = y + 1;
      checkTrainingMemory(
        encoderSize({ type: 'mlp', hidden: config.hidden }, data.train.shape, classes),
        `classifier (hidden ${config.hidden.join(',')}) on ${data.train.shape.join('×')} images`,
        { batchSize: config.batchSize },
      );
      const log = (s: string) => process.stdout.write(`${s}\n`);
      log(
        `vaekit: training a ${config.hidden.join('-')} classifier on ${flags.dataset} ` +
          `(${data.train.count} images, backend ${backend})`,
      );
      const { classifier, testAccuracy } = trainClassifier(data, config, (epoch, loss, acc) =>
        log(
          `epoch ${epoch}/${config.epochs}  train loss ${loss.toFixed(4)}  test accuracy ${(100 * acc).toFixed(2)}%`,
        ),
      );
      await saveClassifier(out, classifier, { dataset: flags.dataset, testAccuracy });
      classifier.dispose();
      log(`test accuracy ${(100 * testAccuracy).toFixed(2)}%; classifier written to ${out}`);
    });
}
