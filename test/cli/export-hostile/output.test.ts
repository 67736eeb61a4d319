/**
 * -o values and --part combinations a user can give, on small real runs.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack-out-'));
const vaekit = vaekitFromSource(work);
const data = idxDigits(100, 50);

before(() => {
  for (const [name, ...args] of [['vae'], ['iaf', '--posterior', 'iaf', '--flow-hidden', '8']]) {
    const r = trainTiny(vaekit, name, data, ...args);
    assert.equal(r.code, 0, r.err);
  }
});

test('-o with a name of 245 characters (a valid file name, NAME_MAX is 255) is written', () => {
  const name = 'e'.repeat(245);
  const r = vaekit('export', 'runs/vae', '--format', 'onnx', '-o', name);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(work, name, 'decoder.onnx')));
});

test('-o naming a dangling symlink is refused up front as existing, not after the work with an error about a staging folder', () => {
  symlinkSync('nowhere', join(work, 'link'));
  const r = vaekit('export', 'runs/vae', '--format', 'onnx', '-o', 'link');
  assert.equal(r.code, 2, r.out + r.err);
  assert.doesNotMatch(r.err, /vaekit-staging/, `the error names vaekit's staging folder: ${r.err}`);
  assert.match(r.err, /exists/, r.err);
});

test('--part all on a VAE with an IAF posterior exports every part it can (the decoder), or names --part all', () => {
  const r = vaekit('export', 'runs/iaf', '--format', 'onnx', '--part', 'all', '-o', 'iaf-all');
  // --part all is documented as "every part the model has": not an error blaming --part encoder
  if (r.code === 0) {
    const card = JSON.parse(readFileSync(join(work, 'iaf-all', 'model-card.json'), 'utf8'));
    assert.deepEqual(
      card.parts.map((p: { part: string }) => p.part),
      ['decoder'],
    );
  } else {
    assert.match(r.err, /--part all/, `--part all was refused, blaming another flag: ${r.err}`);
  }
  assert.deepEqual(
    readdirSync(work).filter((f) => f.startsWith('.vaekit-staging-')),
    [],
  );
});
