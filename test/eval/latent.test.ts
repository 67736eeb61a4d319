import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  ACTIVITY_THRESHOLD,
  latentDiagnostics,
  mutualInformation,
  type Posteriors,
  posteriorMeanVariance,
} from '../../src/eval/latent.js';
import { useBackend } from '../helpers/backend.js';
import { LinearGaussian, W3 } from './linear-gaussian.js';

before(() => useBackend('cpu'));

// σ = 0.5: posterior variances S_j = 1 / (1 + |w_j|²/σ²) = 1/9, 1/3 and 1 (the third dimension is the prior)
const model = new LinearGaussian({ w: W3, b: [0, 0, 0, 0], sigma: 0.5 });
const data = model.sampleData(2000, 11);

test('a dimension forced to the prior is inactive and has zero KL; the others are active', () => {
  const d = latentDiagnostics(model, data, { seed: 1 });
  assert.deepEqual(d.activeDims, [0, 1]);
  assert.equal(d.activeUnits, 2);
  // Var_x(E[z_j|x]) = 1 − S_j for the exact posterior: 8/9, 2/3, 0
  assert.ok(Math.abs(d.meanVariance[0] - 8 / 9) < 0.08, `${d.meanVariance[0]}`);
  assert.ok(Math.abs(d.meanVariance[1] - 2 / 3) < 0.06, `${d.meanVariance[1]}`);
  assert.ok(d.meanVariance[2] < ACTIVITY_THRESHOLD);
  // E_x KL_j = ½(E μ² + S − 1 − log S) = −½ log S_j: ½ log 9, ½ log 3, 0
  assert.ok(Math.abs(d.klPerDim[0] - 0.5 * Math.log(9)) < 0.06, `${d.klPerDim[0]}`);
  assert.ok(Math.abs(d.klPerDim[1] - 0.5 * Math.log(3)) < 0.06, `${d.klPerDim[1]}`);
  assert.ok(Math.abs(d.klPerDim[2]) < 1e-6);
  assert.ok(Math.abs(d.kl - d.klPerDim.reduce((a, b) => a + b)) < 1e-9);
});

test('with the exact posterior the MI estimate matches I(x; z) = ½ log det(I + WᵀW/σ²)', () => {
  const d = latentDiagnostics(model, data, { seed: 2 });
  const exact = 0.5 * Math.log(9) + 0.5 * Math.log(3);
  assert.equal(d.miCount, 2000);
  assert.ok(Math.abs(d.mutualInformation - exact) < 0.1, `MI ${d.mutualInformation} vs ${exact}`);
});

test('a fully collapsed encoder (q(z|x) = p(z) for every x) has no information and no active units', () => {
  const n = 500;
  const m = 4;
  const p: Posteriors = {
    count: n,
    latentDim: m,
    mean: new Float32Array(n * m),
    logVar: new Float32Array(n * m),
  };
  assert.ok(Math.abs(mutualInformation(p, 3)) < 1e-4);
  assert.deepEqual(posteriorMeanVariance(p), [0, 0, 0, 0]);
});

test('the MI estimate from N images cannot exceed log N (perfectly separated posteriors reach it)', () => {
  const n = 50;
  const mean = Float32Array.from({ length: n }, (_, i) => i * 100);
  const logVar = new Float32Array(n).fill(Math.log(1e-4));
  const mi = mutualInformation({ count: n, latentDim: 1, mean, logVar }, 1);
  assert.ok(Math.abs(mi - Math.log(n)) < 1e-3, `${mi} vs log ${n}`);
});
