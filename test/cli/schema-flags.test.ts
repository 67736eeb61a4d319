/**
 * `vaekit train`'s flags are derived from the config schemas: each lands in its field for every model
 * kind, a field of one union variant chooses that variant, two flags that choose different variants are
 * refused, and a flag that switches the config file's variant does so and says so.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeFlags } from '../../src/cli/train.js';
import { InputError } from '../../src/core/errors.js';
import { runConfigSchema } from '../../src/run/config.js';

const merged = (given: Record<string, unknown>, file: unknown = {}) => mergeFlags(file, given);

test('each flag lands in its field; a model setting goes to the model, else to the training config', () => {
  const { raw } = merged({ model: 'hvae', latentDim: 3, width: 64, groups: 4, lr: 0.01, epochs: 2, seed: 5 });
  assert.deepEqual(raw, {
    model: { type: 'hvae', latentDim: 3, hidden: 64, groups: 4 },
    train: { learningRate: 0.01, epochs: 2 },
    seed: 5,
  });
  // a GAN keeps its own optimiser settings
  assert.deepEqual(merged({ model: 'wgan-gp', lr: 2e-4, nCritic: 3 }).raw.model, {
    type: 'wgan-gp',
    learningRate: 2e-4,
    nCritic: 3,
  });
  assert.throws(
    () => merged({ model: 'vae', nCritic: 2 }),
    /--n-critic \(model\.nCritic\): expected a model that has this setting \(gan, wgan, wgan-gp\)/,
  );
});

test('a field of one variant chooses it; fields every variant has survive a switch', () => {
  assert.deepEqual(merged({ filters: [4, 8] }).raw.model, { network: { type: 'conv', filters: [4, 8] } });
  assert.deepEqual(merged({ k: 3 }).raw.train, { objective: { kind: 'iwae', k: 3 } });
  assert.deepEqual(merged({ klWarmup: 100 }).raw.train, { klSchedule: { kind: 'linear', steps: 100 } });
  assert.deepEqual(merged({ activation: 'elu', filters: [4, 8] }).raw.model, {
    network: { type: 'conv', filters: [4, 8], activation: 'elu' },
  });
  assert.deepEqual(merged({ arch: 'conv', activation: 'tanh' }).raw.model, {
    network: { type: 'conv', activation: 'tanh' },
  });
  // --flow-steps is a setting of the IAF posterior, so it makes the posterior one
  assert.deepEqual(merged({ flowSteps: 3 }).raw.model, { posterior: { type: 'iaf', flowSteps: 3 } });
  assert.deepEqual(merged({ model: 'cvae', posterior: 'iaf' }).raw.model, {
    type: 'cvae',
    posterior: { type: 'iaf' },
  });
  assert.throws(
    () => merged({ model: 'hvae', flowSteps: 2 }),
    /--flow-steps \(model\.posterior\.flowSteps\): expected a model that has this setting \(vae, cvae\)/,
  );
});

test('a field every variant has, given alone, goes into the default variant or the one already chosen', () => {
  // --activation alone once left the network without its type: "Expected 'mlp' | 'conv', found nothing"
  for (const model of ['vae', 'hvae', 'cvae']) {
    const { raw } = merged({ model, activation: 'tanh' });
    assert.deepEqual(
      (raw.model as Record<string, unknown>).network,
      { type: 'mlp', activation: 'tanh' },
      model,
    );
    assert.equal(runConfigSchema.safeParse(raw).success, true, model);
  }
  const file = { model: { network: { type: 'conv', filters: [4] } } };
  const { raw, notes } = merged({ activation: 'elu' }, file);
  assert.deepEqual(raw.model, { network: { type: 'conv', filters: [4], activation: 'elu' } });
  assert.deepEqual(notes, []);
});

test('two flags that choose different variants of one union are refused, in either order', () => {
  for (const given of [
    { arch: 'conv', hidden: [400] },
    { filters: [32], arch: 'mlp' },
    { objective: 'elbo', k: 3 },
    { posterior: 'gaussian', flowSteps: 2 },
    { klWarmup: 100, klCyclical: 50 },
    { klCyclical: 50, klWarmup: 100 },
  ]) {
    assert.throws(() => merged(given), InputError, JSON.stringify(given));
  }
  assert.deepEqual(merged({ objective: 'iwae', k: 3 }).raw.train, { objective: { kind: 'iwae', k: 3 } });
});

test('a flag that switches the variant of the config file does so, keeps shared fields, and says so', () => {
  const file = { model: { network: { type: 'conv', filters: [4, 8], activation: 'elu' } } };
  const { raw, notes } = merged({ hidden: [16] }, file);
  assert.deepEqual(raw.model, { network: { type: 'mlp', hidden: [16], activation: 'elu' } });
  assert.match(
    notes.join('\n'),
    /--hidden makes model\.network mlp: the config file's conv settings are dropped/,
  );
  // the same variant: nothing to say
  assert.deepEqual(merged({ filters: [2] }, file).notes, []);
});

test('numbers on the command line are decimal: no hex, no spaces; an integer may have an exponent (1e9)', async () => {
  const { trainCommand } = await import('../../src/cli/train.js');
  const parse = (flag: string, value: string) => {
    const command = trainCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => {} });
    command.action(() => {});
    command.parse(['node', 'train', `--${flag}`, value]);
    return command.opts()[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
  };
  assert.equal(parse('batch-size', '32'), 32);
  assert.equal(parse('epochs', '1e3'), 1000);
  assert.equal(parse('lr', '1e-3'), 1e-3);
  assert.equal(parse('lr', '.5'), 0.5);
  for (const [flag, bad] of [
    ['batch-size', '0x20'],
    ['batch-size', ' 5'],
    ['epochs', '1e-1'],
    ['epochs', '1e20'],
    ['latent-dim', '2.5'],
    ['lr', '0x1'],
    ['lr', ''],
  ]) {
    assert.throws(() => parse(flag, bad), /expected/, `--${flag} "${bad}"`);
  }
});
