import type { MetricSpec } from './model.js';

/** What every latent model (VAE, CVAE, hierarchical VAE) reports, in nats per image. */
export const LATENT_METRICS: readonly MetricSpec[] = [
  {
    name: 'loss',
    label: '−ELBO',
    unit: 'nats',
    role: 'objective',
    description: 'training: the loss minimised (β, free bits, or −IWAE bound); test: −ELBO in nats per image',
  },
  {
    name: 'recon',
    label: 'reconstruction',
    unit: 'nats',
    role: 'term',
    description: '−log p(x|z), one posterior sample',
  },
  {
    name: 'kl',
    label: 'KL',
    unit: 'nats',
    role: 'term',
    description: 'KL(q(z|x) ‖ p(z)), closed form (one sample with a flow posterior)',
  },
  {
    name: 'gradNorm',
    label: 'gradient norm',
    unit: 'score',
    role: 'diagnostic',
    description: 'global norm of the gradient before clipping',
  },
];

/** A hierarchical model's KL per latent group. */
export const GROUP_KL_METRIC: MetricSpec = {
  name: 'klGroup<ℓ>',
  label: 'KL <ℓ>',
  unit: 'nats',
  role: 'detail',
  description: 'KL of latent group ℓ (L = top), given the groups above',
};
