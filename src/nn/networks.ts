import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import { type Activation, convDown, convUp, dense } from './layers.js';

export type ImageShape = [number, number, number];

export type NetworkSpec =
  | { type: 'mlp'; hidden: number[]; activation?: Activation }
  | { type: 'conv'; filters: number[]; activation?: Activation };

const volume = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Encoder: image [h, w, c] → vector of `outDim` (for a VAE, outDim = 2m: μ and log σ²).
 * MLP: flatten → dense(hidden…, relu) → dense(outDim).
 * Conv: conv 4×4 stride 2 per entry of `filters` (relu) → flatten → dense(outDim).
 */
export function buildEncoder(
  spec: NetworkSpec,
  inputShape: ImageShape,
  outDim: number,
  rng: Rng,
  prefix = 'enc',
) {
  const model = tf.sequential({ name: `${prefix}` });
  const act = spec.activation ?? 'relu';
  if (spec.type === 'mlp') {
    model.add(tf.layers.flatten({ inputShape, name: `${prefix}_flatten` }));
    let d = volume(inputShape);
    spec.hidden.forEach((units, i) => {
      model.add(dense(d, units, act, rng, `${prefix}_dense${i}`));
      d = units;
    });
    model.add(dense(d, outDim, 'linear', rng, `${prefix}_out`));
  } else {
    let [h, w, c] = inputShape;
    model.add(tf.layers.inputLayer({ inputShape, name: `${prefix}_input` }));
    spec.filters.forEach((f, i) => {
      model.add(convDown(c, f, rng, `${prefix}_conv${i}`));
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
      c = f;
    });
    model.add(tf.layers.flatten({ name: `${prefix}_flatten` }));
    model.add(dense(h * w * c, outDim, 'linear', rng, `${prefix}_out`));
  }
  return model;
}

/**
 * Decoder: latent vector of `inDim` → image parameters [h, w, channels] (logits or means).
 * MLP mirrors the encoder's hidden sizes; conv starts from a dense layer to the smallest feature map
 * and doubles the resolution with each transposed convolution (filters reversed), so the image side
 * must be divisible by 2^(number of conv layers).
 */
export function buildDecoder(
  spec: NetworkSpec,
  inDim: number,
  outShape: ImageShape,
  rng: Rng,
  prefix = 'dec',
) {
  const model = tf.sequential({ name: `${prefix}` });
  const act = spec.activation ?? 'relu';
  if (spec.type === 'mlp') {
    let d = inDim;
    model.add(tf.layers.inputLayer({ inputShape: [inDim], name: `${prefix}_input` }));
    [...spec.hidden].reverse().forEach((units, i) => {
      model.add(dense(d, units, act, rng, `${prefix}_dense${i}`));
      d = units;
    });
    model.add(dense(d, volume(outShape), 'linear', rng, `${prefix}_out`));
    model.add(tf.layers.reshape({ targetShape: outShape, name: `${prefix}_reshape` }));
  } else {
    const [h, w, c] = outShape;
    const n = spec.filters.length;
    const f = 2 ** n;
    if (h % f !== 0 || w % f !== 0) {
      throw new InputError({
        where: 'model.decoder.filters',
        expected: `an image side divisible by 2^${n} = ${f} for ${n} transposed convolutions`,
        found: `${h}×${w}`,
      });
    }
    const rev = [...spec.filters].reverse();
    const h0 = h / f;
    const w0 = w / f;
    model.add(tf.layers.inputLayer({ inputShape: [inDim], name: `${prefix}_input` }));
    model.add(dense(inDim, h0 * w0 * rev[0], act, rng, `${prefix}_dense`));
    model.add(tf.layers.reshape({ targetShape: [h0, w0, rev[0]], name: `${prefix}_reshape` }));
    rev.forEach((_, i) => {
      const last = i === n - 1;
      model.add(convUp(last ? c : rev[i + 1], last ? 'linear' : act, rng, `${prefix}_deconv${i}`));
    });
  }
  return model;
}
