/**
 * Export graphs for the writers' tests: each op alone, and the networks vaekit's models describe (an MLP
 * decoder, a conv encoder with two outputs, a conv decoder, a logistic-mixture mean), with random weights
 * from a fixed seed.
 */
import { Rng } from '../../src/core/random.js';
import { GraphBuilder, type Value } from '../../src/export/graph.js';

/** Uniform in [−scale, scale). */
export function randomValues(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * scale);
}

const volume = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function weight(g: GraphBuilder, rng: Rng, name: string, shape: number[], scale = 0.5): Value {
  return g.constant(name, randomValues(rng, volume(shape), scale), shape);
}

/** z [−1, 8] → dense 32, relu → dense 98 → [7, 7, 2] → sigmoid. */
export function mlpDecoder(seed = 1): GraphBuilder {
  const rng = new Rng(seed);
  const g = new GraphBuilder('mlp-decoder');
  const z = g.input('z', [-1, 8], 'latent');
  let h = g.add2(g.matMul(z, weight(g, rng, 'fc1.w', [8, 32])), weight(g, rng, 'fc1.b', [32]));
  h = g.unary('relu', h);
  h = g.add2(g.matMul(h, weight(g, rng, 'fc2.w', [32, 98])), weight(g, rng, 'fc2.b', [98]));
  g.output('x', g.unary('sigmoid', g.reshape(h, [7, 7, 2])), 'mean image');
  return g;
}

/**
 * x [−1, 28, 28, 1] → conv 'same' stride 2 → 14 → conv 'same' stride 2 → 7 → conv 'same' stride 2 on the
 * odd 7 → 4 → flatten → dense → mean and logvar by slicing.
 */
export function convEncoder(seed = 2): GraphBuilder {
  const rng = new Rng(seed);
  const g = new GraphBuilder('conv-encoder');
  let h = g.input('x', [-1, 28, 28, 1], 'image');
  const channels = [1, 4, 8, 8];
  for (let i = 0; i < 3; i++) {
    h = g.conv2d(h, weight(g, rng, `conv${i}.w`, [3, 3, channels[i], channels[i + 1]]), [2, 2], 'same');
    h = g.unary('relu', g.add2(h, weight(g, rng, `conv${i}.b`, [channels[i + 1]])));
  }
  const flat = g.reshape(h, [4 * 4 * 8]);
  const out = g.add2(g.matMul(flat, weight(g, rng, 'fc.w', [128, 6], 0.2)), weight(g, rng, 'fc.b', [6]));
  g.output('mean', g.slice(out, 1, 0, 3), 'posterior mean');
  g.output('logvar', g.slice(out, -1, 3, 3), 'posterior log-variance');
  return g;
}

/** z [−1, 4] → dense → [4, 4, 8] → transpose conv to 7 × 7 → to 14 × 14 → to 28 × 28 × 1 → sigmoid. */
export function convDecoder(seed = 3): GraphBuilder {
  const rng = new Rng(seed);
  const g = new GraphBuilder('conv-decoder');
  const z = g.input('z', [-1, 4], 'latent');
  let h = g.add2(g.matMul(z, weight(g, rng, 'fc.w', [4, 128])), weight(g, rng, 'fc.b', [128]));
  h = g.reshape(g.unary('relu', h), [4, 4, 8]);
  const steps: [number, number, number][] = [
    [7, 7, 4],
    [14, 14, 4],
    [28, 28, 1],
  ];
  let c = 8;
  steps.forEach((outShape, i) => {
    h = g.conv2dTranspose(h, weight(g, rng, `up${i}.w`, [3, 3, outShape[2], c]), [2, 2], 'same', outShape);
    h = g.add2(h, weight(g, rng, `up${i}.b`, [outShape[2]], 0.1));
    c = outShape[2];
    if (i < steps.length - 1) h = g.leakyRelu(h, 0.1);
  });
  g.output('x', g.unary('sigmoid', h), 'mean image');
  return g;
}

/**
 * A discretised-logistic-mixture mean as the PixelCNN-style decoders compute it, rank 5: params
 * [−1, 4, 4, 3·3K] → [−1, 4, 4, 3, 3K] → weights softmax(logits), component means tanh(·), their
 * weighted sum, mapped from [−1, 1] to [0, 1] and clipped.
 */
export function mixtureMean(k = 5): GraphBuilder {
  const g = new GraphBuilder('mixture-mean');
  const p = g.input('params', [-1, 4, 4, 9 * k], 'mixture parameters');
  const r = g.reshape(p, [4, 4, 3, 3 * k]);
  const weights = g.softmax(g.slice(r, -1, 0, k));
  const means = g.unary('tanh', g.slice(r, 4, k, k));
  const mean = g.sumLast(g.mul(weights, means));
  const unit = g.mul(g.add2(mean, g.scalar(1)), g.scalar(0.5));
  g.output('x', g.clip(unit, 0.05, 0.95), 'mean image in [0.05, 0.95]');
  return g;
}

/** Two inputs through concat (of three), sub, exp, elu, leakyRelu, a 'valid' conv and transpose conv. */
export function mixedOps(seed = 4): GraphBuilder {
  const rng = new Rng(seed);
  const g = new GraphBuilder('mixed-ops');
  const a = g.input('a', [-1, 7, 7, 2], 'first');
  const b = g.input('b', [-1, 7, 7, 1], 'second');
  const c = g.concat([a, g.unary('exp', b), g.binary('sub', b, a)], -1);
  const v = g.conv2d(c, weight(g, rng, 'valid.w', [3, 3, 5, 3]), [1, 1], 'valid');
  const e = g.unary('elu', v);
  const t = g.conv2dTranspose(e, weight(g, rng, 'back.w', [3, 3, 2, 3]), [1, 1], 'valid', [7, 7, 2]);
  g.output('y', g.leakyRelu(g.binary('sub', t, a), 0.3), 'mixed');
  g.output('c', c, 'the concatenation');
  return g;
}

/** One graph per op (and per variant of conv), each with one input 'in' and one output 'out'. */
export function singleOps(seed = 5): Record<string, GraphBuilder> {
  const rng = new Rng(seed);
  const one = (name: string, shape: number[], body: (g: GraphBuilder, x: Value) => Value) => {
    const g = new GraphBuilder(name);
    g.output('out', body(g, g.input('in', shape, 'input')), 'output');
    return g;
  };
  const image = [-1, 6, 5, 3];
  const graphs: Record<string, GraphBuilder> = {
    matMul: one('matMul', [-1, 6], (g, x) => g.matMul(x, weight(g, rng, 'w', [6, 4]))),
    add: one('add', image, (g, x) => g.add2(x, weight(g, rng, 'b', [3]))),
    sub: one('sub', image, (g, x) => g.binary('sub', weight(g, rng, 'b', [5, 3]), x)),
    mul: one('mul', image, (g, x) => g.mul(x, x)),
    leakyRelu: one('leakyRelu', image, (g, x) => g.leakyRelu(x, 0.2)),
    conv2dSame: one('conv2dSame', image, (g, x) =>
      g.conv2d(x, weight(g, rng, 'w', [3, 2, 3, 4]), [2, 1], 'same'),
    ),
    conv2dValid: one('conv2dValid', image, (g, x) =>
      g.conv2d(x, weight(g, rng, 'w', [2, 3, 3, 2]), [1, 2], 'valid'),
    ),
    conv2dTransposeSame: one('conv2dTransposeSame', image, (g, x) =>
      g.conv2dTranspose(x, weight(g, rng, 'w', [4, 4, 2, 3]), [2, 2], 'same', [11, 10, 2]),
    ),
    conv2dTransposeValid: one('conv2dTransposeValid', image, (g, x) =>
      g.conv2dTranspose(x, weight(g, rng, 'w', [3, 2, 2, 3]), [2, 1], 'valid', [13, 6, 2]),
    ),
    reshape: one('reshape', image, (g, x) => g.reshape(x, [3, 10, 3])),
    concat: one('concat', image, (g, x) => g.concat([x, g.unary('tanh', x)], 2)),
    slice: one('slice', image, (g, x) => g.slice(x, 2, 1, 3)),
    softmax: one('softmax', image, (g, x) => g.softmax(x)),
    sumLast: one('sumLast', image, (g, x) => g.sumLast(x)),
    clip: one('clip', image, (g, x) => g.clip(x, -0.25, 0.5)),
  };
  for (const op of ['relu', 'elu', 'tanh', 'sigmoid', 'exp'] as const)
    graphs[op] = one(op, image, (g, x) => g.unary(op, x));
  return graphs;
}
