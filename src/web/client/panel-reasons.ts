/**
 * Why a panel cannot be drawn for the run's model, in one line, from the model kind's capabilities (the
 * registry), never from its name. A panel needs either one Gaussian latent vector per image (`gaussian`:
 * the latent panels, the default) or just an encoder (`encoder`: reconstructions, your own image); the
 * page marks such panels `needs-encoder` (with `data-needs="encoder"` for the latter) and shows the reason
 * in place of their contents (show-reasons.ts; the rule that hides them: draw-pad.css). No DOM here: it is
 * tested in Node.
 */
import type { ModelCapabilities } from '../../models/model.js';

export type Need = 'encoder' | 'gaussian';

/** What each panel offers, for the sentence that says it is not there; `it` for a panel not listed. */
const OFFERS: Record<string, { noEncoder: string; notGaussian: string }> = {
  'sliders-panel': { noEncoder: 'no latent sliders', notGaussian: 'the sliders need' },
  'map-panel': { noEncoder: 'no latent map of the test images', notGaussian: 'the latent map needs' },
  'interp-panel': { noEncoder: 'no interpolation between test images', notGaussian: 'interpolation needs' },
  'posterior-panel': { noEncoder: 'no posterior q(z|x) to compare', notGaussian: 'the true posterior needs' },
  'kl-dims': { noEncoder: 'no KL per latent dimension', notGaussian: 'KL per dimension needs' },
  'own-image-panel': { noEncoder: 'it cannot encode an image', notGaussian: 'the sliders need' },
  'recon-panel': { noEncoder: 'no reconstructions', notGaussian: 'this panel needs' },
};

/** "a GAN", "an HVAE", "an NVAE": the article as the letters are spoken. */
export const withArticle = (name: string) => `${/^[AEFHILMNORSX]/i.test(name) ? 'an' : 'a'} ${name}`;

/**
 * Why panel `id` (needing `need`) cannot be drawn for a model of kind `name` with capabilities `caps`, or
 * '' when it can.
 */
export function panelReason(id: string, need: Need, caps: ModelCapabilities, name: string): string {
  const offers = OFFERS[id] ?? { noEncoder: 'nothing to show here', notGaussian: 'this panel needs' };
  if (!caps.encoder) {
    const sentence = `${withArticle(name)} has no encoder: ${offers.noEncoder}.`;
    return sentence[0].toUpperCase() + sentence.slice(1);
  }
  if (need === 'gaussian' && caps.latent !== 'gaussian') {
    const latent =
      caps.latent === 'hierarchical-gaussian' ? 'a hierarchy of latent groups' : 'no latent vector';
    return `${name}: ${offers.notGaussian} a single Gaussian latent (it has ${latent}); see the reconstructions panel.`;
  }
  return '';
}
