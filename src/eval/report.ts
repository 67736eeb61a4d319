/** `eval.json`, a short Markdown report and its PNG charts, written into a run's `eval/` folder. */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import type { EpochRecord } from '../train/loop.js';
import type { ModelEvaluation } from './evaluate-model.js';
import type { GapEstimate, GapOptions, MeanWithError } from './gaps.js';
import type { LatentRecord } from './latent.js';
import { ACTIVITY_THRESHOLD } from './latent.js';
import { barChart, COLORS, histogramChart, lineChart } from './plot/charts.js';

/** `eval --gaps`: the inference gap split on test and training images, and the settings used. */
export interface GapReport {
  settings: Omit<GapOptions, 'seed' | 'rows' | 'onProgress'>;
  test: GapEstimate;
  train: GapEstimate;
}

export interface EvalReport extends ModelEvaluation {
  gaps?: GapReport;
  run: string;
  checkpoint: string;
  step: number;
  epochs: number;
  model: string;
  objective: string;
  dataset: string;
  binarize: string;
  seed: number;
  /** Values per image (for bits/dim). */
  dims: number;
  seconds: number;
}

export interface TrainingHistory {
  epochs: EpochRecord[];
  latent: LatentRecord[];
}

function jsonLines<T>(path: string, keep: (v: Record<string, unknown>) => boolean): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        const v = JSON.parse(l);
        return keep(v) ? [v as T] : [];
      } catch {
        return []; // a line cut short by a crash
      }
    });
}

/** Per-epoch records of `metrics.jsonl` and `latent.jsonl` (the last record of each epoch, after resumes). */
export function readTrainingHistory(runDir: string): TrainingHistory {
  const lastPerEpoch = <T extends { epoch: number }>(rows: T[]) =>
    [...new Map(rows.map((r) => [r.epoch, r])).values()].sort((a, b) => a.epoch - b.epoch);
  return {
    epochs: lastPerEpoch(
      jsonLines<EpochRecord>(join(runDir, 'metrics.jsonl'), (v) => typeof v.epoch === 'number' && !!v.test),
    ),
    latent: lastPerEpoch(
      jsonLines<LatentRecord>(join(runDir, 'latent.jsonl'), (v) => typeof v.epoch === 'number'),
    ),
  };
}

const f = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

/** The report as Markdown; `plots` are the PNG file names written beside it. */
export function reportMarkdown(r: EvalReport, plots: Record<string, string>): string {
  const out: string[] = [];
  out.push(`# Evaluation of \`${r.run}\``, '');
  out.push(
    `${r.model} trained on ${r.dataset} (binarise: ${r.binarize}) with the ${r.objective} objective for ${r.epochs} ` +
      `epochs; checkpoint \`${r.checkpoint}\` (step ${r.step}). Scored on the first ${r.testImages} test images, ` +
      `seed ${r.seed}, in ${f(r.seconds, 0)} s.`,
    '',
  );
  const p = r.conditional ? 'p̂(x|y)' : 'p̂(x)';
  if (!r.bound && !r.importanceSampled) {
    out.push('This model has no likelihood (a GAN): only sample quality applies.');
  } else {
    out.push('## Likelihood: the bound and the estimate', '');
    if (r.conditional)
      out.push(
        'A conditional model: every likelihood here is of an image given its class label, log p(x|y) — ' +
          'not comparable with the log p(x) of an unconditional model (knowing y is worth up to log(classes) nats).',
        '',
      );
    out.push('| measure | nats / image | bits / dim |', '|---|---|---|');
    if (r.bound)
      out.push(
        `| test ${r.bound.label} (1 posterior sample) | ${f(r.bound.nats)} | ${f(r.bound.bitsPerDim, 4)} |`,
      );
    if (r.iwae) out.push(`| −IWAE bound, k = ${r.iwae.k} | ${f(r.iwae.nll)} | ${f(r.iwae.bitsPerDim, 4)} |`);
    const is = r.importanceSampled;
    if (is) {
      out.push(`| **IS-NLL, −log ${p}, k = ${is.k}** | **${f(is.nll)}** | **${f(is.bitsPerDim, 4)}** |`);
      if (r.bound)
        out.push(
          '',
          `The ELBO is a lower bound on log p(x): here it sits ${f(r.bound.nats - is.nll)} nats below the ` +
            `importance-sampled estimate (the gap is the mean KL(q(z|x) ‖ p(z|x)) that the encoder leaves). ` +
            `An IWAE bound lies in between and rises with k. (The estimate took ${f(is.seconds, 0)} s.)`,
        );
    }
    if (r.bound?.terms.length)
      out.push(
        '',
        `${r.bound.label} = ${r.bound.terms.map((t) => `${t.label} ${f(t.nats)}`).join(' + ')} nats.`,
      );
  }
  const l = r.latent;
  if (l) {
    out.push('', '## Posterior collapse', '');
    out.push(
      `- **active units: ${l.activeUnits} of ${l.latentDim}** (dimension j is active when ` +
        `Var_x(E_q[z_j | x]) > ${ACTIVITY_THRESHOLD}; Burda et al. 2015)`,
      `- KL(q(z|x) ‖ p(z)) = ${f(l.kl)} nats, of which ${f(l.klPerDim.filter((_, j) => l.activeDims.includes(j)).reduce((a, b) => a + b, 0))} in the active dimensions`,
      `- mutual information I_q(x; z) ≈ ${f(l.mutualInformation)} nats (estimated from ${l.miCount} images, ` +
        `so at most log ${l.miCount} = ${f(Math.log(l.miCount))}); KL − I = ${f(l.kl - l.mutualInformation)} nats ` +
        `is the KL of the aggregate posterior q(z) to the prior`,
      '',
    );
    if (plots.klPerDim)
      out.push(
        `![KL per latent dimension](${plots.klPerDim})`,
        '',
        'KL per latent dimension (nats, x axis: dimension index); blue: active, grey: inactive.',
      );
  }
  if (r.gaps) out.push('', ...gapSection(r.gaps, plots));
  const q = r.sampleQuality;
  out.push('', '## Sample quality', '');
  if (q) {
    out.push(
      `In the ${q.featureDim}-dimensional penultimate layer of the classifier \`${q.classifier}\` ` +
        `(test accuracy ${f(100 * q.classifierTestAccuracy, 1)}%), ${q.sampleCount} samples against ${q.realCount} ` +
        'test images (not binarised):',
      '',
      '| Fréchet distance (classifier features; not FID) ↓ | precision ↑ | recall ↑ |',
      '|---|---|---|',
      `| ${f(q.frechetDistance, 3)} | ${f(q.precisionRecall.precision, 3)} | ${f(q.precisionRecall.recall, 3)} |`,
      '',
      `Precision/recall: k = ${q.precisionRecall.k} nearest neighbours, ${q.prCount} images a side ` +
        '(Kynkäänniemi et al. 2019). Compare these numbers only between models scored with the same classifier.',
    );
  } else {
    out.push('Skipped: no feature classifier. Train one with `vaekit train-classifier --dataset <name>`.');
  }
  if (plots.curves || plots.latentCurves) out.push('', '## Training', '');
  if (plots.curves)
    out.push(
      `![training curves](${plots.curves})`,
      '',
      `Per epoch (x axis): blue, the training loss (${r.objective === 'elbo' ? '−ELBO' : `−IWAE bound (${r.objective})`}, nats); ` +
        'orange, the test −ELBO.',
      '',
    );
  if (plots.latentCurves)
    out.push(
      `![active units per epoch](${plots.latentCurves})`,
      '',
      'Per epoch: active units (blue) and the mutual-information estimate in nats (orange).',
    );
  return `${out.join('\n')}\n`;
}

const pm = (v: MeanWithError | null) => (v ? `${f(v.mean)} ± ${f(v.standardError)}` : '–');

/** The report's section on the inference gap (eval --gaps). */
function gapSection(g: GapReport, plots: Record<string, string>): string[] {
  const { test, train, settings } = g;
  const row = (what: string, pick: (e: GapEstimate) => MeanWithError | null) =>
    `| ${what} | ${pm(pick(test))} | ${pm(pick(train))} |`;
  const ais = settings.ais;
  const acceptance = (e: GapEstimate) => (e.ais ? f(100 * e.ais.acceptance, 0) : '–');
  const steps = (e: GapEstimate) =>
    `${f(e.optimisation.steps.reduce((a, b) => a + b, 0) / Math.max(1, e.optimisation.batches), 0)} on average ` +
    `(the longest batch ${Math.max(0, ...e.optimisation.steps)}; ${e.optimisation.converged} of ${e.optimisation.batches} batches converged)`;
  const warnings = [...test.warnings.map((w) => `test: ${w}`), ...train.warnings.map((w) => `train: ${w}`)];
  return [
    '## The inference gap: approximation and amortisation',
    '',
    'Cremer, Li & Duvenaud (2018): log p(x) − L[q_φ] = (log p(x) − L[q*]) + (L[q*] − L[q_φ]), the approximation gap ' +
      '(what the posterior family cannot express) plus the amortisation gap (what is lost because one encoder serves ' +
      'every image). q* is the best posterior of the family for each image alone, optimised from the encoder’s output ' +
      'with the decoder fixed. Nats per image, mean ± standard error over images.',
    '',
    ...warnings.map((w) => `> **Warning** — ${w}.\n`),
    `| measure | test (${test.images} images) | train (${train.images} images) |`,
    '|---|---|---|',
    ...(settings.k > 0
      ? [row(`log p̂(x), importance sampling, k = ${settings.k}`, (e) => e.logLikelihood.is)]
      : []),
    ...(ais
      ? [
          row(
            `log p̂(x), AIS (T = ${ais.steps}, ${ais.chains} chains, ${ais.leapfrog} leapfrog steps)`,
            (e) => e.logLikelihood.ais,
          ),
        ]
      : []),
    row('**log p̂(x)** (the estimate with the larger mean)', (e) => e.logLikelihood.best),
    row('L[q*], the best posterior of the family', (e) => e.elboOptimal),
    row('L[q_φ], the posterior the model infers', (e) => e.elboAmortised),
    row('**approximation gap** log p̂(x) − L[q*]', (e) => e.approximationGap),
    row('**amortisation gap** L[q*] − L[q_φ]', (e) => e.amortisationGap),
    row('total gap log p̂(x) − L[q_φ]', (e) => e.totalGap),
    '',
    `L[q*] and L[q_φ] on the same ${settings.elboSamples} draws of z per image. Optimisation steps per batch of ` +
      `${settings.batchSize} images: test ${steps(test)}; train ${steps(train)}. Importance sampling draws from q*, ` +
      'so its estimate of log p(x) is at least L[q*] in expectation.' +
      (ais ? ` AIS acceptance: test ${acceptance(test)} %, train ${acceptance(train)} % (target 65 %).` : ''),
    '',
    ...(plots.gapsTest
      ? [
          `![gaps per test image](${plots.gapsTest}) ![gaps per training image](${plots.gapsTrain})`,
          '',
          'Per image (x axis: nats; y axis: images): blue, the approximation gap; orange, the amortisation gap. ' +
            'Left: test images; right: training images.',
        ]
      : []),
  ];
}

/** Every chart `writeEvalReport` can write. */
const EVAL_PLOTS = ['kl-per-dim.png', 'curves.png', 'latent-curves.png', 'gaps-test.png', 'gaps-train.png'];

/** Writes eval.json, report.md and the charts into `outDir`; returns the paths written. */
export function writeEvalReport(outDir: string, report: EvalReport, history: TrainingHistory): string[] {
  mkdirSync(outDir, { recursive: true });
  const plots: Record<string, string> = {};
  if (report.latent) {
    const active = new Set(report.latent.activeDims);
    writeFileAtomic(
      join(outDir, 'kl-per-dim.png'),
      barChart(report.latent.klPerDim, { highlight: (j) => active.has(j) }),
    );
    plots.klPerDim = 'kl-per-dim.png';
  }
  if (history.epochs.some((e) => e.test.loss !== undefined)) {
    writeFileAtomic(
      join(outDir, 'curves.png'),
      lineChart([
        { values: history.epochs.map((e) => e.train.loss ?? null), color: COLORS.blue },
        { values: history.epochs.map((e) => e.test.loss ?? null), color: COLORS.orange },
      ]),
    );
    plots.curves = 'curves.png';
  }
  if (history.latent.length > 0) {
    writeFileAtomic(
      join(outDir, 'latent-curves.png'),
      lineChart([
        { values: history.latent.map((e) => e.activeUnits), color: COLORS.blue },
        { values: history.latent.map((e) => e.mutualInformation), color: COLORS.orange },
      ]),
    );
    plots.latentCurves = 'latent-curves.png';
  }
  if (report.gaps) {
    for (const [split, key] of [
      ['test', 'gapsTest'],
      ['train', 'gapsTrain'],
    ] as const) {
      const g = report.gaps[split].perImage;
      writeFileAtomic(
        join(outDir, `gaps-${split}.png`),
        histogramChart([
          { values: g.approximationGap, color: COLORS.blue },
          { values: g.amortisationGap, color: COLORS.orange },
        ]),
      );
      plots[key] = `gaps-${split}.png`;
    }
  }
  writeJsonAtomic(join(outDir, 'eval.json'), report);
  writeFileAtomic(join(outDir, 'report.md'), reportMarkdown(report, plots));
  // a chart an earlier evaluation wrote here and this one did not would sit beside a report without it
  for (const name of EVAL_PLOTS)
    if (!Object.values(plots).includes(name)) rmSync(join(outDir, name), { force: true });
  return ['eval.json', 'report.md', ...Object.values(plots)].map((p) => join(outDir, p));
}
