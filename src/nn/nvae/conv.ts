import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/random.js';
import { torchUniform } from '../init.js';

export interface ConvOptions {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  /** One k×k filter per channel (outChannels = inChannels). */
  depthwise?: boolean;
}

const variable = (make: () => tf.Tensor) => tf.tidy(() => tf.variable(make()));

/**
 * A k×k convolution with bias and 'same' padding, its weights plain variables initialised as PyTorch
 * does (U(±1/√fan-in), fan-in = c_in·k² or k² for a depthwise filter). Kernel [k, k, c_in, c_out]
 * (depthwise: [k, k, c, 1]).
 */
export class Conv {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly stride: number;
  readonly depthwise: boolean;

  constructor(o: ConvOptions, rng: Rng) {
    this.stride = o.stride ?? 1;
    this.depthwise = o.depthwise ?? false;
    const fanIn = (this.depthwise ? 1 : o.inChannels) * o.kernel * o.kernel;
    const init = torchUniform(fanIn, rng);
    const shape = this.depthwise
      ? [o.kernel, o.kernel, o.inChannels, 1]
      : [o.kernel, o.kernel, o.inChannels, o.outChannels];
    this.kernel = variable(() => init.apply(shape));
    this.bias = variable(() => init.apply([this.depthwise ? o.inChannels : o.outChannels]));
  }

  /** The fused op: the bias is added by the convolution's kernel, not by a kernel of its own. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const args = {
      x,
      filter: this.kernel as tf.Tensor4D,
      strides: this.stride,
      pad: 'same' as const,
      bias: this.bias,
    };
    return this.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  }

  get variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }
}

/** Parameters of a Conv: k²·c_in·c_out + c_out (depthwise: k²·c + c). */
export const convParameters = (o: ConvOptions): number =>
  o.depthwise
    ? o.kernel * o.kernel * o.inChannels + o.inChannels
    : o.kernel * o.kernel * o.inChannels * o.outChannels + o.outChannels;
