import * as tf from '@tensorflow/tfjs';
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
 * Discretised mixture of logistics (Salimans et al. 2017, PixelCNN++; NVAE's likelihood for colour
 * images) for 8-bit data. Each channel of each pixel has its own K-component mixture; x ∈ [0, 1] is
 * mapped to [−1, 1] and each of the 256 levels is a bin of width 2/255:
 *   P(x) = Σ_k π_k [σ((x + 1/255 − μ_k)/s_k) − σ((x − 1/255 − μ_k)/s_k)],
 * with the edge bins taking all the mass below −1 + 1/255 and above 1 − 1/255, so P sums to 1 over
 * the 256 levels. (PixelCNN++ also couples the colour channels linearly; we keep them independent.)
 * Parameters: [B, h, w, c·3K] laid out as (mixture logits, means, log scales) for each channel.
 */
export class LogisticMixture {
  readonly logits: tf.Tensor; // [B, h, w, c, K]
  readonly means: tf.Tensor;
  readonly logScales: tf.Tensor;

  constructor(
    params: tf.Tensor,
    readonly channels: number,
    readonly mixtures: number,
  ) {
    const [b, h, w] = params.shape;
    const p = params.reshape([b, h, w, channels, 3 * mixtures]);
    const [logits, means, logScales] = tf.split(p, 3, -1);
    this.logits = logits;
    this.means = tf.tanh(means); // keep the means inside the data range
    this.logScales = tf.maximum(logScales, -7);
  }

  /** log P(x) for each pixel and channel: [B, h, w, c]. */
  logProbElementwise(x: tf.Tensor): tf.Tensor {
    const xs = x.mul(2).sub(1).expandDims(-1); // [B, h, w, c, 1] in [−1, 1]
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
    const logProbK = tf.where(
      xs.less(-0.999),
      logCdfPlus,
      tf.where(xs.greater(0.999), logOneMinusCdfMin, inner),
    );
    return tf.logSumExp(logProbK.add(tf.logSoftmax(this.logits)), -1);
  }

  logProb(x: tf.Tensor): tf.Tensor1D {
    return sumPerExample(this.logProbElementwise(x));
  }

  /** E[x] in [0, 1]: Σ_k π_k μ_k mapped back from [−1, 1] (the logistic's mean is its location). */
  mean(): tf.Tensor {
    return tf.softmax(this.logits).mul(this.means).sum(-1).add(1).div(2).clipByValue(0, 1);
  }
}
