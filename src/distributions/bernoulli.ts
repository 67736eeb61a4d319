import * as tf from '@tensorflow/tfjs';
import { bernoulliLogProb } from '../backend/index.js';

/**
 * Bernoulli likelihood with logits l (pixel probability p = sigmoid(l)).
 * log p(x) = x·log p + (1 − x)·log(1 − p) = x·l − softplus(l), computed stably as
 *            −(max(l, 0) − x·l + log(1 + e^{−|l|})).
 * x may be any value in [0, 1] (the "continuous Bernoulli" use on grey images is allowed, as in pytorch/examples).
 */
export class Bernoulli {
  constructor(readonly logits: tf.Tensor) {}

  logProbElementwise(x: tf.Tensor): tf.Tensor {
    const l = this.logits;
    return tf
      .relu(l)
      .sub(x.mul(l))
      .add(tf.log1p(tf.exp(tf.abs(l).neg())))
      .neg();
  }

  /** Summed over every axis but the batch axis: shape [B]; one fused op (its gradient x − sigmoid(l)). */
  logProb(x: tf.Tensor): tf.Tensor1D {
    return bernoulliLogProb(this.logits, x);
  }

  /** E[x] = sigmoid(l), what we show as the decoded image. */
  mean(): tf.Tensor {
    return tf.sigmoid(this.logits);
  }
}
