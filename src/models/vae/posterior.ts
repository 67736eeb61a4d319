import type { Rng } from '../../core/random.js';
import type { NetworkSize } from '../../nn/size.js';
import { diagonalGaussianFamily, type PosteriorFamily } from '../../objectives/latent.js';
import type { PosteriorConfig } from './config.js';
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

/** ", IAF posterior, K steps (KL by Monte Carlo)" for a model's describe line; nothing for the Gaussian. */
export const describePosterior = (c: PosteriorConfig): string =>
  c.type === 'iaf' ? `, ${describeIaf(c)}` : '';
