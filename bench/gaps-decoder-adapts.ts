// Usage: node --import tsx bench/gaps-decoder-adapts.ts runs/<iaf run> (after `vaekit eval --gaps` on it).
// The decoder of a flow-posterior run, scored with the diagonal-Gaussian family's best posterior q* (Cremer et al.'s
// "the decoder adapts to the posterior family" check): approximation gap log p̂(x) − L[q*_gaussian].
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';
import { subset } from '../src/data/dataset.js';
import { forEachBatch } from '../src/data/tensor-batches.js';
import { meanWithError } from '../src/eval/gaps.js';
import { optimisePosterior } from '../src/eval/optimal-posterior.js';
import type { VAE } from '../src/models/vae/vae.js';
import { diagonalGaussianFamily, type LocalLatentModel } from '../src/objectives/latent.js';
import { localElbo } from '../src/objectives/local-elbo.js';
import { loadRunDataFor } from '../src/run/data.js';
import { loadRun } from '../src/run/load-run.js';

await initBackend('auto');
const dir = process.argv[2];
const run = loadRun(dir);
const vae = run.model as unknown as VAE;
const family = diagonalGaussianFamily(vae.latentDim);
const gaussian: LocalLatentModel = {
  latentDim: vae.latentDim,
  family,
  posteriorParams: (b) => {
    const q = vae.posterior(b);
    return tf.concat([q.mean, q.logVar], 1) as tf.Tensor2D;
  },
  inferenceParams: (b) => gaussian.posteriorParams(b),
  latentTermsAt: (p, b, s) => family.terms(p, (z, l) => vae.decode(z, l), b, s),
  latentTerms: (b, s) => gaussian.latentTermsAt(gaussian.posteriorParams(b), b, s),
  logLikelihood: (z, b, t) => vae.logLikelihood(z, b, t),
};
const report = JSON.parse(readFileSync(`${dir}/eval/eval.json`, 'utf8'));
const test = loadRunDataFor(run.config).split.test;
const n = report.gaps.test.images;
const data = subset(
  test,
  Int32Array.from({ length: n }, (_, i) => i),
);
const elbo: number[] = [];
forEachBatch(data, 100, (batch) => {
  const r = optimisePosterior(gaussian, gaussian.posteriorParams(batch), batch, { seed: 1 });
  elbo.push(...localElbo(gaussian, r.params, batch, { k: 1000, seed: 2 }).arraySync());
});
const logPx: number[] = report.gaps.test.perImage.logLikelihood;
const gap = meanWithError(logPx.map((l, i) => l - elbo[i]));
console.log(
  `${dir}: Gaussian-family approximation gap on its decoder ${gap.mean.toFixed(2)} ± ${gap.standardError.toFixed(2)} (its own family: ${report.gaps.test.approximationGap.mean.toFixed(2)})`,
);
