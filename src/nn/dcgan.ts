import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import { convDown, convUp, dense } from './layers.js';
import type { ImageShape } from './networks.js';

/** Slope of the critic's leaky ReLU for x < 0 (Radford et al. 2016). */
const LEAK = 0.2;
/** PyTorch's BatchNorm momentum 0.1 is tfjs's 0.9 (tfjs keeps `momentum` of the old average). */
const batchNorm = (name: string) => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name });

/**
 * DCGAN generator (Radford et al. 2016): z → dense to the smallest feature map → batch norm → ReLU →
 * one 4×4 stride-2 transposed convolution per further entry of `filters` (each doubling the side, with
 * batch norm and ReLU) → a last transposed convolution to the image's channels → sigmoid.
 * `filters` runs from the coarsest map to the finest: [128, 64] on 28×28 gives 7×7×128 → 14×14×64 → 28×28×c.
 *
 * Output in [0, 1] through a sigmoid, the range of vaekit's data, where DCGAN uses tanh on data rescaled
 * to [−1, 1]: tanh(a) = 2σ(2a) − 1, so the two differ only by that affine map of the pixels.
 */
export function buildGenerator(filters: number[], latentDim: number, outShape: ImageShape, rng: Rng) {
  const [h, w, c] = outShape;
  const n = filters.length;
  const f = 2 ** n;
  if (h % f !== 0 || w % f !== 0) {
    throw new InputError({
      where: 'model.generator.filters',
      expected: `an image side divisible by 2^${n} = ${f} for ${n} transposed convolutions`,
      found: `${h}×${w}`,
    });
  }
  const model = tf.sequential({ name: 'gen' });
  model.add(tf.layers.inputLayer({ inputShape: [latentDim], name: 'gen_input' }));
  model.add(dense(latentDim, (h / f) * (w / f) * filters[0], 'linear', rng, 'gen_dense'));
  model.add(batchNorm('gen_bn'));
  model.add(tf.layers.reLU({ name: 'gen_relu' }));
  model.add(tf.layers.reshape({ targetShape: [h / f, w / f, filters[0]], name: 'gen_reshape' }));
  for (let i = 1; i < n; i++) {
    model.add(convUp(filters[i], 'linear', rng, `gen_deconv${i}`));
    model.add(batchNorm(`gen_bn${i}`));
    model.add(tf.layers.reLU({ name: `gen_relu${i}` }));
  }
  model.add(convUp(c, 'linear', rng, 'gen_out'));
  model.add(tf.layers.activation({ activation: 'sigmoid', name: 'gen_sigmoid' }));
  return model;
}

/**
 * DCGAN discriminator / WGAN critic: one 4×4 stride-2 convolution per entry of `filters`, each followed
 * by a leaky ReLU (slope 0.2), then a dense layer to one unnormalised score D(x) (a logit for the GAN,
 * a Wasserstein potential for the critics).
 * `batchNorm`: batch norm after every convolution but the first, as in DCGAN and the WGAN paper. The
 * WGAN-GP critic must have none: its penalty is a per-example gradient, and batch norm mixes examples.
 * Every op here can be differentiated twice in tfjs (see second-order.ts).
 */
export function buildCritic(filters: number[], inputShape: ImageShape, batchNormalize: boolean, rng: Rng) {
  const model = tf.sequential({ name: 'critic' });
  model.add(tf.layers.inputLayer({ inputShape, name: 'critic_input' }));
  let [h, w, c] = inputShape;
  filters.forEach((f, i) => {
    model.add(convDown(c, f, rng, `critic_conv${i}`, 'linear'));
    if (batchNormalize && i > 0) model.add(batchNorm(`critic_bn${i}`));
    model.add(tf.layers.leakyReLU({ alpha: LEAK, name: `critic_lrelu${i}` }));
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
    c = f;
  });
  model.add(tf.layers.flatten({ name: 'critic_flatten' }));
  model.add(dense(h * w * c, 1, 'linear', rng, 'critic_out'));
  return model;
}
