import type { ImageShape } from '../../nn/networks.js';
import { addSizes, decoderSize, encoderSize, type NetworkSize } from '../../nn/size.js';
import { likelihoodSize } from '../likelihood.js';
import { widerNetwork } from '../network-config.js';
import type { VAEConfig } from './config.js';
import { posteriorSize } from './posterior.js';

/**
 * The size of a Gaussian VAE (vae.ts): encoder to the posterior's λ (2m for μ and log σ², plus an IAF's
 * context), the flow's MADEs, decoder from m to `outChannels` per pixel, log σ for a Gaussian likelihood.
 * A conditional VAE's networks also see `classes` one-hot inputs: beside the flattened image (MLP) or as
 * constant feature maps (conv), and beside z.
 */
export function gaussianVaeSize(
  c: Omit<VAEConfig, 'type'>,
  inputShape: ImageShape,
  outChannels: number,
  classes = 0,
): NetworkSize {
  const [h, w, channels] = inputShape;
  const encoderIn: ImageShape =
    classes === 0
      ? inputShape
      : c.network.type === 'mlp'
        ? [1, 1, h * w * channels + classes]
        : [h, w, channels + classes];
  const posterior = posteriorSize(c.latentDim, c.posterior);
  return addSizes(
    encoderSize(widerNetwork(c.network, c.encoderWidth), encoderIn, posterior.paramWidth),
    posterior.flow,
    decoderSize(c.network, c.latentDim + classes, [h, w, outChannels]),
    likelihoodSize(c, inputShape),
  );
}
