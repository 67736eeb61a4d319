import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import type { BackendChoice } from '../backend/index.js';
import { InputError, NumericalError } from '../core/errors.js';
import { type EvalReport, readTrainingHistory, writeEvalReport } from '../eval/report.js';
import { checkOutputDir } from '../io/files.js';
import { imagesPerPass, maxImagesPerPass } from '../models/registry.js';
import { evaluateRun } from '../run/evaluate-run.js';
import { refinedAtEvaluation } from '../run/load-run.js';
import { intArg, numberArg } from './args.js';
import { backendOption, checkpointOption, localInference, openRun } from './common.js';

interface EvalFlags {
  k: number;
  iwaeK: number;
  limit?: number;
  samples: number;
  classifier?: string;
  quality: boolean;
  rows?: number;
  seed: number;
  out?: string;
  checkpoint: 'best' | 'latest';
  backend?: BackendChoice;
  gaps: boolean;
  aisSteps: number;
  aisChains: number;
  aisLeapfrog: number;
  gapSamples: number;
  gapTolerance: number;
  gapMaxSteps: number;
  refineSteps?: number;
}

/** The options that only --gaps reads, with their flags. */
const GAP_FLAGS = [
  ['aisSteps', '--ais-steps'],
  ['aisChains', '--ais-chains'],
  ['aisLeapfrog', '--ais-leapfrog'],
  ['gapSamples', '--gap-samples'],
  ['gapTolerance', '--gap-tolerance'],
  ['gapMaxSteps', '--gap-max-steps'],
] as const;

/** Images scored by --gaps when --limit is not given (the local optimisation and AIS cost minutes per 100). */
const DEFAULT_GAP_IMAGES = 100;

const f = (v: number, d = 2) => v.toFixed(d);
/** Importance samples per image: 1e6 decoder passes per image is already hours on a CPU. */
const MAX_K = 1_000_000;

/** The headline numbers of the report that are not finite, by name. */
function nonFiniteHeadlines(r: EvalReport): string[] {
  const gaps = (['test', 'train'] as const).flatMap((split): [string, number | undefined][] => {
    const g = r.gaps?.[split];
    return [
      [`${split} approximation gap`, g?.approximationGap.mean],
      [`${split} amortisation gap`, g?.amortisationGap.mean],
    ];
  });
  const numbers: [string, number | undefined][] = [
    [`test ${r.bound?.label}`, r.bound?.nats],
    ['IWAE bound', r.iwae?.nll],
    ['IS-NLL', r.importanceSampled?.nll],
    ['KL', r.latent?.kl],
    ['mutual information', r.latent?.mutualInformation],
    ['Fréchet distance', r.sampleQuality?.frechetDistance],
    ...gaps,
  ];
  return numbers.filter(([, v]) => v !== undefined && !Number.isFinite(v)).map(([name]) => name);
}

/** The report's headline numbers, one per line. */
export function summaryLines(r: EvalReport): string[] {
  const lines: string[] = [];
  const label = (s: string) => s.padEnd(22);
  const given = r.conditional ? ' (given y)' : '';
  if (r.bound)
    lines.push(
      `${label(`test ${r.bound.label}${given}`)}${f(r.bound.nats)} nats  (${f(r.bound.bitsPerDim, 4)} bits/dim)`,
    );
  if (r.iwae) lines.push(`${label(`−IWAE bound, k=${r.iwae.k}`)}${f(r.iwae.nll)} nats`);
  const is = r.importanceSampled;
  if (is) {
    lines.push(
      `${label(`IS-NLL${given}, k=${is.k}`)}${f(is.nll)} nats  (${f(is.bitsPerDim, 4)} bits/dim, ${f(is.seconds, 0)} s)`,
    );
    if (r.bound) lines.push(`${label('ELBO gap')}${f(r.bound.nats - is.nll)} nats`);
  }
  if (r.latent) {
    const l = r.latent;
    lines.push(
      `active units          ${l.activeUnits} / ${l.latentDim}   KL ${f(l.kl)} nats   MI ≈ ${f(l.mutualInformation)} nats (≤ log ${l.miCount})`,
    );
  }
  if (r.gaps) {
    const pm = (v: { mean: number; standardError: number }) =>
      `${f(v.mean)} ± ${Number.isFinite(v.standardError) ? f(v.standardError) : '–'}`;
    for (const split of ['test', 'train'] as const) {
      const g = r.gaps[split];
      lines.push(
        `${label(`gaps, ${g.images} ${split}`)}approximation ${pm(g.approximationGap)}   amortisation ${pm(g.amortisationGap)} nats` +
          `   (log p̂(x) ${f(g.logLikelihood.best.mean)}, L[q*] ${f(g.elboOptimal.mean)}, L[q_φ] ${f(g.elboAmortised.mean)})`,
      );
    }
  }
  if (r.sampleQuality) {
    const q = r.sampleQuality;
    lines.push(
      `Fréchet distance      ${f(q.frechetDistance, 3)} (classifier features)   precision ${f(q.precisionRecall.precision, 3)}   recall ${f(q.precisionRecall.recall, 3)}`,
    );
  }
  return lines;
}

export function evalCommand(): Command {
  return new Command('eval')
    .description(
      [
        'Evaluate a run honestly; writes eval.json, report.md and PNGs to <run>/eval/:',
        '- the test −ELBO next to the importance-sampled −log p(x) (--k samples per',
        '  image) and the IWAE bound (--iwae-k), in nats/image and bits/dim: the gap',
        '  between the bound and the likelihood is visible;',
        '- posterior collapse: KL per latent dimension (bar chart), active units',
        '  (Var_x E[z_j|x] > 0.01), the mutual information I(x; z) of the encoder;',
        '- sample quality when a feature classifier exists (vaekit train-classifier):',
        "  a Fréchet distance in the classifier's feature space (not FID) and k-NN",
        '  precision/recall;',
        '- training curves from metrics.jsonl and latent.jsonl;',
        '- with --gaps (VAE, CVAE), the inference gap split in two (Cremer et al.',
        '  2018): the approximation gap log p(x) − L[q*] and the amortisation gap',
        '  L[q*] − L[q_φ], q* the best posterior of the family for each image',
        '  (optimised from the encoder output), log p(x) the larger of the IS and',
        '  AIS estimates; on --limit test images (default 100) and as many',
        '  training images, with a histogram per split.',
        'k = 5000 (Burda et al. 2015) costs 5000 decoder passes per image: try',
        '--limit 100 first.',
      ].join('\n'),
    )
    .argument('<run-dir>', 'a run directory')
    .option(
      '--k <n>',
      'importance samples per image for log p(x) (0: skip; at most 1000000)',
      intArg(0, MAX_K),
      5000,
    )
    .option(
      '--iwae-k <n>',
      'k of the IWAE bound reported beside it (0: skip; at most 1000000)',
      intArg(0, MAX_K),
      50,
    )
    .option('--limit <n>', 'score only the first n test images', intArg(1))
    .option(
      '--samples <n>',
      'generated images for the sample-quality metrics (at most 50000)',
      intArg(0, 50_000),
      10000,
    )
    .option('--classifier <dir>', 'feature classifier (default: .cache/classifiers/<dataset> if it exists)')
    .option('--no-quality', 'skip the sample-quality metrics')
    .option(
      '--rows <n>',
      'decoder rows per tensor op while importance sampling (memory bound; default 5000, or what one pass of the model holds)',
      intArg(1),
    )
    .option(
      '--seed <n>',
      'random seed of the importance samples, MI samples and generated images',
      intArg(0),
      0,
    )
    .option('--gaps', 'split the inference gap into approximation and amortisation gaps')
    .option(
      '--ais-steps <T>',
      'annealing steps of AIS for log p(x) with --gaps (0: IS alone)',
      intArg(0, 100_000),
      500,
    )
    .option('--ais-chains <n>', 'AIS chains per image', intArg(1, 10_000), 16)
    .option('--ais-leapfrog <n>', 'leapfrog steps per HMC transition of AIS', intArg(1, 1000), 10)
    .option(
      '--gap-samples <n>',
      'draws of z per image for L[q*] and L[q_φ] (the same for both)',
      intArg(1, 100_000),
      1000,
    )
    .option(
      '--gap-tolerance <nats>',
      'the optimisation of q* stops when its windowed mean ELBO moves less',
      numberArg(1e-6, 100),
      0.01,
    )
    .option('--gap-max-steps <n>', 'most Adam steps of the optimisation of q*', intArg(1, 1_000_000), 5000)
    .option(
      '--refine-steps <K>',
      "refine q(z|x) by K gradient steps per image at evaluation (VAE, CVAE; default: as trained; 0: the encoder's own)",
      intArg(0, 100),
    )
    .option('-o, --out <dir>', 'output folder (default: <run-dir>/eval)')
    .addOption(checkpointOption())
    .addOption(backendOption())
    .action(async (dir: string, flags: EvalFlags, command: Command) => {
      const out = flags.out ?? join(dir, 'eval');
      checkOutputDir(out, flags.out === undefined ? 'the default output' : '--out');
      const opened = await openRun(dir, flags);
      const data = { inputShape: opened.model.inputShape, classes: opened.config.classes };
      if (flags.refineSteps !== undefined) localInference(opened.model, 'eval --refine-steps');
      const run = flags.refineSteps === undefined ? opened : refinedAtEvaluation(opened, flags.refineSteps);
      const rows = maxImagesPerPass(run.config.model, data);
      if (flags.rows !== undefined && flags.rows > rows) {
        throw new InputError({
          where: '--rows',
          expected: `at most ${rows} (what one pass of the model can hold in memory)`,
          found: String(flags.rows),
        });
      }
      if (!flags.gaps) {
        const given = GAP_FLAGS.find(([key]) => command.getOptionValueSource(key) === 'cli');
        if (given)
          throw new InputError({
            where: given[1],
            expected: 'to be given with --gaps (it sets how the inference gap is measured)',
            found: `${given[1]} without --gaps`,
          });
      }
      const local = flags.gaps ? localInference(run.model, 'eval --gaps') : null;
      if (flags.gaps && flags.k === 0 && flags.aisSteps === 0) {
        throw new InputError({
          where: '--gaps',
          expected: 'an estimate of log p(x): --k > 0 or --ais-steps > 0',
          found: '--k 0 and --ais-steps 0',
        });
      }
      const gapImages = flags.limit ?? DEFAULT_GAP_IMAGES;
      if (local && flags.limit === undefined)
        process.stderr.write(
          `vaekit: --gaps on the first ${gapImages} test and training images (--limit to change)\n`,
        );
      const bar = new cliProgress.SingleBar(
        {
          format: '{stage} |{bar}| {value}/{total} images  eta {eta_formatted}',
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      let stage = '';
      const report = evaluateRun(dir, run, {
        k: flags.k,
        iwaeK: flags.iwaeK,
        limit: flags.limit,
        samples: flags.samples,
        rows: flags.rows ?? imagesPerPass(run.config.model, data, 5000),
        seed: flags.seed,
        classifierDir: flags.quality ? flags.classifier : null,
        gaps: local
          ? {
              model: local,
              images: gapImages,
              k: flags.k,
              ais:
                flags.aisSteps > 0
                  ? { steps: flags.aisSteps, chains: flags.aisChains, leapfrog: flags.aisLeapfrog }
                  : null,
              elboSamples: flags.gapSamples,
              batchSize: 100,
              optimise: { tolerance: flags.gapTolerance, maxSteps: flags.gapMaxSteps },
            }
          : undefined,
        onProgress: (s, done, total) => {
          if (s !== stage) {
            if (stage) bar.stop();
            stage = s;
            bar.start(total, done, { stage: s });
          } else bar.update(done);
        },
      });
      if (stage) bar.stop();
      const written = writeEvalReport(out, report, readTrainingHistory(dir));
      const log = (s: string) => process.stdout.write(`${s}\n`);
      log(
        `vaekit eval ${dir} (${report.testImages} test images, backend ${run.backend}, ${f(report.seconds, 0)} s)`,
      );
      for (const line of summaryLines(report)) log(`  ${line}`);
      if (!report.sampleQuality && flags.quality && flags.samples > 0)
        log('  (no feature classifier: run `vaekit train-classifier --dataset <name>` for sample quality)');
      log(`wrote ${written.join(', ')}`);
      for (const split of ['test', 'train'] as const)
        for (const w of report.gaps?.[split].warnings ?? [])
          process.stderr.write(`vaekit: warning: ${split}: ${w}\n`);
      const broken = nonFiniteHeadlines(report);
      if (broken.length) {
        throw new NumericalError(
          `evaluation gave non-finite results (${broken.join(', ')}): the model overflows on the images evaluated ` +
            '(a run that diverged?); eval.json records them as null. Evaluate an earlier checkpoint or retrain with a lower --lr',
        );
      }
    });
}
