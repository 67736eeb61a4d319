import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilitiesOf, MODEL_TYPES } from '../../src/models/registry.js';
import { panelReason, withArticle } from '../../src/web/client/panel-reasons.js';

test('panelReason: from the capabilities, one line per panel and model kind', () => {
  for (const type of MODEL_TYPES) {
    const caps = capabilitiesOf(type);
    const name = type.toUpperCase();
    for (const id of ['sliders-panel', 'map-panel', 'own-image-panel', 'recon-panel', 'kl-dims', 'unknown']) {
      for (const need of ['encoder', 'gaussian'] as const) {
        const why = panelReason(id, need, caps, name);
        const expected = !caps.encoder || (need === 'gaussian' && caps.latent !== 'gaussian');
        assert.equal(why !== '', expected, `${type} ${id} ${need}: '${why}'`);
        assert.ok(!why.includes('\n'));
      }
    }
  }
  assert.equal(
    panelReason('sliders-panel', 'gaussian', capabilitiesOf('gan'), 'GAN'),
    'A GAN has no encoder: no latent sliders.',
  );
  assert.equal(
    panelReason('own-image-panel', 'encoder', capabilitiesOf('wgan'), 'WGAN'),
    'A WGAN has no encoder: it cannot encode an image.',
  );
  assert.equal(
    panelReason('sliders-panel', 'gaussian', capabilitiesOf('hvae'), 'HVAE'),
    'HVAE: the sliders need a single Gaussian latent (it has a hierarchy of latent groups); see the reconstructions panel.',
  );
  assert.equal(panelReason('recon-panel', 'encoder', capabilitiesOf('nvae'), 'NVAE'), '');
  assert.equal(panelReason('sliders-panel', 'gaussian', capabilitiesOf('cvae'), 'CVAE'), '');
});

test('withArticle', () => {
  assert.equal(withArticle('GAN'), 'a GAN');
  assert.equal(withArticle('HVAE'), 'an HVAE');
  assert.equal(withArticle('NVAE'), 'an NVAE');
  assert.equal(withArticle('VAE'), 'a VAE');
});
