import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/core/random.js';
import { buildCritic } from '../../src/nn/dcgan.js';
import {
  discriminatorLoss,
  gradientPenalty,
  nonSaturatingGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from '../../src/objectives/gan.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const close = (a: number[], b: number[], tol: number) =>
  a.every((v, i) => Math.abs(v - b[i]) <= tol) || assert.fail(`${a} ≠ ${b} (±${tol})`);

test('GAN losses are the cross-entropies of Goodfellow et al.; WGAN losses the critic differences', () => {
  const real = tf.tensor1d([2, -1, 0]);
  const fake = tf.tensor1d([-3, 0.5, 0]);
  const sig = (a: number) => 1 / (1 + Math.exp(-a));
  const r = values(real);
  const f = values(fake);
  // −log σ(D(x)) − log(1 − σ(D(G(z)))); at D = 0 both terms are log 2
  close(
    values(discriminatorLoss(real, fake)),
    r.map((a, i) => -Math.log(sig(a)) - Math.log(1 - sig(f[i]))),
    1e-5,
  );
  close([values(discriminatorLoss(real, fake))[2]], [2 * Math.LN2], 1e-6);
  close(
    values(nonSaturatingGeneratorLoss(fake)),
    f.map((b) => -Math.log(sig(b))),
    1e-5,
  );
  close(
    values(wassersteinCriticLoss(real, fake)),
    f.map((b, i) => b - r[i]),
    1e-6,
  );
  close(
    values(wassersteinGeneratorLoss(fake)),
    f.map((b) => -b),
    1e-6,
  );
});

test('gradient penalty: ~0 for an exactly 1-Lipschitz linear critic, (‖w‖ − 1)² for D(x) = wᵀx', () => {
  const shape: [number, number, number, number] = [6, 5, 5, 2];
  const real = tf.randomUniform(shape, 0, 1, 'float32', 1);
  const fake = tf.randomUniform(shape, 0, 1, 'float32', 2);
  const w = tf.randomNormal([50, 1], 0, 1, 'float32', 3);
  const unit = w.div(w.norm());
  const linear = (v: tf.Tensor) => (x: tf.Tensor) => tf.matMul(x.reshape([x.shape[0], -1]), v).add(0.7);
  const gp1 = values(gradientPenalty(linear(unit), real, fake, 4));
  assert.equal(gp1.length, 6);
  close(
    gp1,
    gp1.map(() => 0),
    1e-6,
  );
  // ‖∇D‖ = ‖w‖ = 3 everywhere → (3 − 1)² = 4 for every example
  close(
    values(gradientPenalty(linear(unit.mul(3)), real, fake, 4)),
    gp1.map(() => 4),
    1e-4,
  );
});

/**
 * The penalty's gradient with respect to the weights of a small DCGAN critic (conv, leaky ReLU,
 * dense) — tfjs differentiating its own backward pass — against central finite differences along
 * random directions of all weights. Leaky ReLU makes the penalty piecewise smooth, so each difference
 * is only taken where no pre-activation changes sign between w − εv and w + εv.
 */
function penaltyGradientCheck(): { analytic: number[]; numeric: number[] } {
  const critic = buildCritic([3, 4], [8, 8, 1], false, new Rng(7));
  const vars = critic.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 8);
  // real = fake: then x̂ = x whatever ε is, so the sign pattern below is the one the penalty sees
  const penalty = () => gradientPenalty((v) => critic.apply(v) as tf.Tensor, x, x, 9).mean() as tf.Scalar;
  const probe = tf.model({
    inputs: critic.inputs,
    outputs: critic.layers.filter((l) => l.name.includes('conv')).map((l) => l.output as tf.SymbolicTensor),
  });
  const pattern = () =>
    tf.tidy(() =>
      ([] as tf.Tensor[]).concat(probe.predict(x) as tf.Tensor[]).flatMap((t) => values(t.sign())),
    );
  const { grads } = tf.variableGrads(penalty, vars);
  const analytic: number[] = [];
  const numeric: number[] = [];
  const origin = vars.map((v) => v.clone());
  for (let d = 0; d < 4; d++) {
    const dir = vars.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', 100 * d + i));
    const at = (s: number) => {
      vars.forEach((v, i) => {
        v.assign(origin[i].add(dir[i].mul(s)));
      });
      return { value: penalty().dataSync()[0], signs: pattern() };
    };
    let eps = 1e-2;
    let plus = at(eps);
    let minus = at(-eps);
    while (plus.signs.some((s, i) => s !== minus.signs[i])) {
      eps /= 2;
      plus = at(eps);
      minus = at(-eps);
    }
    vars.forEach((v, i) => {
      v.assign(origin[i]);
    });
    numeric.push((plus.value - minus.value) / (2 * eps));
    // a weight the penalty does not depend on (the output bias) has no gradient: it counts as 0
    const terms = vars.filter((v) => grads[v.name]).map((v) => grads[v.name].mul(dir[vars.indexOf(v)]).sum());
    analytic.push(tf.addN(terms).dataSync()[0]);
  }
  critic.dispose();
  return { analytic, numeric };
}

test('the gradient penalty’s gradient through conv, leaky ReLU and dense matches finite differences (cpu)', () => {
  const { analytic, numeric } = penaltyGradientCheck();
  assert.ok(
    analytic.some((a) => Math.abs(a) > 1e-2),
    `gradients too small to test: ${analytic}`,
  );
  analytic.forEach((a, i) => {
    assert.ok(Math.abs(a - numeric[i]) <= 1e-3 + 1e-2 * Math.abs(numeric[i]), `${analytic} vs ${numeric}`);
  });
});

test('… and on the wasm backend, where conv gradients are patched kernels', async () => {
  await initBackend('wasm');
  try {
    const { analytic, numeric } = penaltyGradientCheck();
    analytic.forEach((a, i) => {
      assert.ok(Math.abs(a - numeric[i]) <= 1e-3 + 1e-2 * Math.abs(numeric[i]), `${analytic} vs ${numeric}`);
    });
  } finally {
    await initBackend('cpu');
  }
});
