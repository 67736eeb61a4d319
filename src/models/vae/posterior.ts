import type { Rng } from '../../core/random.js';
import type { NetworkSize } from '../../nn/size.js';
import { diagonalGaussianFamily, type PosteriorFamily } from '../../objectives/latent.js';
import type { PosteriorConfig, VAEConfig } from './config.js';
import { describeIaf, IafPosterior, iafParamWidth, iafSize } from './iaf.js';

/** The family of q(z|x) a config asks for: the diagonal Gaussian, or an IAF on it. */
export function posteriorFamily(m: number, c: PosteriorConfig, rng: Rng): PosteriorFamily {
  return c.type === 'iaf' ? new IafPosterior(m, c, rng) : diagonalGaussianFamily(m);
}

/** What the posterior adds to a VAE, from its config: the encoder's output width P, and the flow's size. */
export function posteriorSize(m: number, c: PosteriorConfig): { paramWidth: number; flow: NetworkSize } {
  return c.type === 'iaf'
    ? { paramWidth: iafParamWidth(m, c), flow: iafSize(m, c) }
    : { paramWidth: 2 * m, flow: { parameters: 0, activations: 0 } };
}

/**
 * How the model infers z, for its describe line: ", encoder ×2, IAF posterior, K steps (KL by Monte Carlo),
 * refined by 5 steps"; nothing for the plain encoder and Gaussian posterior.
 */
export const describeInference = (
  c: Pick<VAEConfig, 'posterior' | 'encoderWidth' | 'refineSteps' | 'refineGradient'>,
): string =>
  [
    c.encoderWidth > 1 ? `, encoder ×${c.encoderWidth}` : '',
    c.posterior.type === 'iaf' ? `, ${describeIaf(c.posterior)}` : '',
    c.refineSteps > 0
      ? `, refined by ${c.refineSteps} steps${c.refineGradient === 'stop' ? ' (encoder trained without them)' : ''}`
      : '',
  ].join('');
