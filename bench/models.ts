/**
 * The two reference models of bench/reference/pytorch_vae_bench.py written with plain tfjs ops,
 * so tfjs and PyTorch run the same arithmetic. Layout is NHWC (PyTorch: NCHW); flattening order
 * differs, which permutes the dense layer's inputs but changes no cost.
 * Init as PyTorch's default: weights and biases ~ U(−1/√fanIn, 1/√fanIn).
 */
import * as tf from '@tensorflow/tfjs';

export interface BenchModel {
  params: tf.Variable[];
  /** Negative ELBO per example: (BCE-with-logits summed + KL) / batch. */
  loss(x: tf.Tensor2D): tf.Scalar;
  /** Decoder only: images (probabilities) for latent codes z. */
  decode(z: tf.Tensor2D): tf.Tensor2D;
  latent: number;
}

function uniform(shape: number[], fanIn: number): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -bound, bound));
}

interface Dense {
  w: tf.Variable;
  b: tf.Variable;
}
function dense(inDim: number, outDim: number): Dense {
  return { w: uniform([inDim, outDim], inDim), b: uniform([outDim], inDim) };
}
function linear(x: tf.Tensor2D, l: Dense): tf.Tensor2D {
  return tf.add(tf.matMul(x, l.w), l.b);
}

/** −ELBO / batch with Bernoulli likelihood: Σ softplus(l) − l·x, KL(N(μ,σ²) ‖ N(0,1)) in closed form. */
function negElbo(logits: tf.Tensor2D, x: tf.Tensor2D, mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Scalar {
  // BCE with logits, stable: max(l,0) − l·x + log(1 + e^−|l|)
  const bce = tf.sum(
    tf.sub(tf.add(tf.relu(logits), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), tf.mul(logits, x)),
  );
  // KL = −½ Σ (1 + log σ² − μ² − σ²)
  const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar))));
  return tf.div(tf.add(bce, kl), x.shape[0]);
}

/** z = μ + σ·ε, σ = exp(½ log σ²). */
function reparameterise(mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Tensor2D {
  return tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logvar)), tf.randomNormal(mu.shape)));
}

/** pytorch/examples VAE: 784-400-20(μ, log σ²)-400-784. */
export function mlpVae(): BenchModel {
  const f1 = dense(784, 400);
  const m = dense(400, 20);
  const v = dense(400, 20);
  const f3 = dense(20, 400);
  const f4 = dense(400, 784);
  const logits = (z: tf.Tensor2D) => linear(tf.relu(linear(z, f3)), f4);
  return {
    params: [f1, m, v, f3, f4].flatMap((l) => [l.w, l.b]),
    latent: 20,
    loss(x) {
      const h = tf.relu(linear(x, f1));
      const mu = linear(h, m);
      const logvar = linear(h, v);
      return negElbo(logits(reparameterise(mu, logvar)), x, mu, logvar);
    },
    decode: (z) => tf.sigmoid(logits(z)),
  };
}

interface Conv {
  w: tf.Variable;
  b: tf.Variable;
}
/** Conv2d(inC, outC, 4, 2, 1): filter [4, 4, inC, outC]. */
function conv(inC: number, outC: number): Conv {
  return { w: uniform([4, 4, inC, outC], inC * 16), b: uniform([outC], inC * 16) };
}
/** ConvTranspose2d(inC, outC, 4, 2, 1): filter [4, 4, outC, inC]; PyTorch's fan-in is outC·16. */
function deconv(inC: number, outC: number): Conv {
  return { w: uniform([4, 4, outC, inC], outC * 16), b: uniform([outC], outC * 16) };
}
function down(x: tf.Tensor4D, c: Conv): tf.Tensor4D {
  return tf.add(tf.conv2d(x, c.w as tf.Tensor4D, 2, 1), c.b);
}
function up(x: tf.Tensor4D, c: Conv): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const outC = c.w.shape[2]!;
  return tf.add(tf.conv2dTranspose(x, c.w as tf.Tensor4D, [n, 2 * h, 2 * w, outC], 2, 1), c.b);
}

/** 28² → conv 32 → conv 64 → dense z=16 (μ, log σ²) → dense 3136 → deconv 32 → deconv 1. */
export function convVae(): BenchModel {
  const c1 = conv(1, 32);
  const c2 = conv(32, 64);
  const m = dense(3136, 16);
  const v = dense(3136, 16);
  const d = dense(16, 3136);
  const d1 = deconv(64, 32);
  const d2 = deconv(32, 1);
  const logits = (z: tf.Tensor2D) => {
    const g = tf.reshape(tf.relu(linear(z, d)), [z.shape[0], 7, 7, 64]) as tf.Tensor4D;
    return tf.reshape(up(tf.relu(up(g, d1)), d2), [z.shape[0], 784]) as tf.Tensor2D;
  };
  return {
    params: [c1, c2, m, v, d, d1, d2].flatMap((l) => [l.w, l.b]),
    latent: 16,
    loss(x) {
      const img = tf.reshape(x, [x.shape[0], 28, 28, 1]) as tf.Tensor4D;
      const h = tf.reshape(tf.relu(down(tf.relu(down(img, c1)), c2)), [x.shape[0], 3136]) as tf.Tensor2D;
      const mu = linear(h, m);
      const logvar = linear(h, v);
      return negElbo(logits(reparameterise(mu, logvar)), x, mu, logvar);
    },
    decode: (z) => tf.sigmoid(logits(z)),
  };
}
