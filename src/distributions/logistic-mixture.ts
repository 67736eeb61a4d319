import * as tf from '@tensorflow/tfjs';
import { logisticMixtureLogProb } from '../backend/index.js';
import { sumPerExample } from './gaussian.js';

/** Half the width of one 8-bit intensity bin on the [−1, 1] scale: 1/255. */
const HALF_BIN = 1 / 255;

/**
 * The same boolean mask, cut off from the gradient tape: tfjs has no gradient for comparison ops and
 * would refuse to differentiate through a `where` whose condition depends on the parameters.
 */
function constantMask(mask: tf.Tensor): tf.Tensor {
  return tf.tensor(mask.dataSync(), mask.shape, 'bool');
}

/**
 * log Σ_k exp(t_k) over axis 0, shifted by max_k t_k taken as a constant: the result and its gradient
 * (softmax weights) are exact, and the backward pass avoids the slow Equal/Tile of tf.logSumExp's max.
 */
function logSumExp0(t: tf.Tensor, keepDims = false): tf.Tensor {
  const m = tf.tensor(t.max(0, true).dataSync(), [1, ...t.shape.slice(1)]);
  const out = tf.log(tf.exp(t.sub(m)).sum(0, true)).add(m);
  return keepDims ? out : out.squeeze([0]);
}

/**
 * Discretised mixture of logistics (Salimans et al. 2017, PixelCNN++; NVAE's likelihood for colour
 * images) for 8-bit data. Each channel of each pixel has its own K-component mixture; x ∈ [0, 1] is
 * mapped to [−1, 1] and each of the 256 levels is a bin of width 2/255:
 *   P(x) = Σ_k π_k [σ((x + 1/255 − μ_k)/s_k) − σ((x − 1/255 − μ_k)/s_k)],
 * with the edge bins taking all the mass below −1 + 1/255 and above 1 − 1/255, so P sums to 1 over
 * the 256 levels. (PixelCNN++ also couples the colour channels linearly; we keep them independent.)
 * Parameters: [B, h, w, c·3K] laid out as (mixture logits, means, log scales) for each channel.
 */
export class LogisticMixture {
  private readonly shape: number[];
  /** The three parameter blocks, made on first use (the fused log-likelihood needs none of them). */
  private blocks: { logits: tf.Tensor2D; means: tf.Tensor2D; logScales: tf.Tensor2D } | null = null;

  constructor(
    private readonly params: tf.Tensor,
    readonly channels: number,
    readonly mixtures: number,
  ) {
    const [b, h, w] = params.shape;
    this.shape = [b, h, w, channels];
  }

  /** Mixture logits, [K, N] with N = B·h·w·c values. */
  get logits(): tf.Tensor2D {
    return this.parameterBlocks().logits;
  }

  /** Locations tanh(·) in [−1, 1], [K, N]. */
  get means(): tf.Tensor2D {
    return this.parameterBlocks().means;
  }

  /** Log scales clamped from below at −7, [K, N]. */
  get logScales(): tf.Tensor2D {
    return this.parameterBlocks().logScales;
  }

  /**
   * [B, h, w, c·3K] → [3K, N]: the three parameter blocks become contiguous rows (cheap slices). Made once,
   * and again if a tf.tidy that was open at the first use has disposed them since.
   */
  private parameterBlocks() {
    if (this.blocks == null || Object.values(this.blocks).some((t) => t.isDisposed)) {
      const { params, shape, mixtures } = this;
      const p = params.reshape([tf.util.sizeFromShape(shape), 3 * mixtures]).transpose() as tf.Tensor2D;
      const n = p.shape[1];
      const rows = (i: number) => p.slice([i * mixtures, 0], [mixtures, n]);
      this.blocks = {
        logits: rows(0),
        means: tf.tanh(rows(1)), // keep the locations inside the data range
        logScales: tf.maximum(rows(2), -7),
      };
    }
    return this.blocks;
  }

  /** log P(x) for each pixel and channel: [B, h, w, c]. */
  logProbElementwise(x: tf.Tensor): tf.Tensor {
    // natively one kernel each way (backend/fused/logistic-mixture.ts), else the same formula in tf ops
    if (x.size === tf.util.sizeFromShape(this.shape)) {
      const xs = tf.util.arraysEqual(x.shape, this.shape) ? x : x.reshape(this.shape);
      const fused = logisticMixtureLogProb(this.params, xs, this.mixtures);
      if (fused != null) return fused;
    }
    const xs = x.reshape([1, -1]).mul(2).sub(1); // [1, N] in [−1, 1]
    const centred = xs.sub(this.means);
    const invS = tf.exp(this.logScales.neg());
    const plusIn = invS.mul(centred.add(HALF_BIN));
    const minIn = invS.mul(centred.sub(HALF_BIN));
    const logCdfPlus = plusIn.sub(tf.softplus(plusIn)); // log σ(plusIn), for the bottom edge
    const logOneMinusCdfMin = tf.softplus(minIn).neg(); // log(1 − σ(minIn)), for the top edge
    const cdfDelta = tf.sigmoid(plusIn).sub(tf.sigmoid(minIn));
    // where the bin mass underflows, use the density at the centre times the bin width (2/255)
    const midIn = invS.mul(centred);
    const logPdfMid = midIn.sub(this.logScales).sub(tf.softplus(midIn).mul(2));
    const inner = tf.where(
      constantMask(cdfDelta.greater(1e-5)),
      tf.log(tf.maximum(cdfDelta, 1e-12)),
      logPdfMid.sub(Math.log(127.5)),
    );
    // the edge bins: 0/1 masks [1, N] (constants) broadcast over the K components
    const low = constantMask(xs.less(-0.999)).toFloat();
    const high = constantMask(xs.greater(0.999)).toFloat();
    const logProbK = inner.add(low.mul(logCdfPlus.sub(inner))).add(high.mul(logOneMinusCdfMin.sub(inner)));
    return logSumExp0(logProbK.add(this.logWeights())).reshape(this.shape);
  }

  /** log π_k = logits_k − log Σ_j exp(logits_j), over the component axis 0. */
  private logWeights(): tf.Tensor {
    return this.logits.sub(logSumExp0(this.logits, true));
  }

  logProb(x: tf.Tensor): tf.Tensor1D {
    return sumPerExample(this.logProbElementwise(x));
  }

  /** E[x] in [0, 1]: Σ_k π_k μ_k mapped back from [−1, 1] (the logistic's mean is its location). */
  mean(): tf.Tensor {
    return tf
      .exp(this.logWeights())
      .mul(this.means)
      .sum(0)
      .add(1)
      .div(2)
      .clipByValue(0, 1)
      .reshape(this.shape);
  }
}
