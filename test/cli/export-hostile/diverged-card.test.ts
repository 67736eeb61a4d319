/**
 * Found by a hostile test (round 3, fixed since): a run that diverged (every epoch's test loss NaN, KL ∞; training
 * ends with "training ended with non-finite test metrics") is exported with exit 0, and its model card
 * hides that the metrics were non-finite:
 *   checkpoint: { which: 'fallback', asked: 'best', folder: 'step-000000016', … }
 *   metrics: { epoch: 4, step: 16, test: { loss: null, recon: null, kl: null, bitsPerDim: null } }
 * null is what the README says the card gives when no metrics were measured ("null when none were"); here
 * they were measured and were NaN / ∞ (JSON.stringify turns both into null, in metrics.jsonl and the card).
 * The exported encoder gives logvar ≈ 1.4e3 on ordinary images (σ² = e^1400 = ∞ in float32), so the
 * non-finite refusal of checkGraph (outputs NaN or ∞) lets it through; nothing in the card says the model
 * is broken but the fallback note.
 * Expected: either the export is refused like a run with non-finite outputs (exit 2), or the card's
 * metrics say which values were NaN / ∞ (e.g. as the strings "NaN", "Infinity") instead of null.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack3-diverged-'));
const vaekit = vaekitFromSource(work);

before(() => {
  // a learning rate of 3: the loss explodes in epoch 1; checkpoints are still written (finite weights)
  const r = trainTiny(
    vaekit,
    'div',
    idxDigits(100, 50),
    '--epochs',
    '4',
    '--batch-size',
    '25',
    '--likelihood',
    'gaussian-learned',
    '--lr',
    '3',
  );
  assert.match(r.err, /non-finite test metrics/, `expected the run to diverge: ${r.err}`);
});

test("a diverged run's card does not give its NaN / ∞ test metrics as null (= not measured)", () => {
  const log = readFileSync(join(work, 'runs', 'div', 'metrics.jsonl'), 'utf8');
  assert.match(log, /kl = Infinity/); // the event line says what the record's null stands for
  const r = vaekit('export', 'runs/div', '--format', 'onnx', '--part', 'all', '-o', 'div-export');
  if (r.code === 2) return; // refused as a broken model: fine
  assert.equal(r.code, 0, r.err);
  const card = JSON.parse(readFileSync(join(work, 'div-export', 'model-card.json'), 'utf8'));
  assert.ok(card.metrics !== null, 'metrics were measured at this checkpoint');
  const nulls = Object.entries(card.metrics.test).filter(([, v]) => v === null);
  assert.deepEqual(
    nulls.map(([k]) => k),
    [],
    `exit 0, and the card's metrics give the measured NaN / ∞ values as null: ${JSON.stringify(card.metrics)}`,
  );
});
