/**
 * examples/decoder-page with odd ?n= values: n=0 (which once failed inside createImageData), a negative or a
 * fractional n, is refused with a message that names n.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';
import { serveFolder } from '../../helpers/serve-folder.js';
import { launchBrowser, openPage } from '../../web/browser-helpers.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'vk-attack-page-'));
const vaekit = vaekitFromSource(work);

test('the example page refuses ?n=0, a negative, a fractional or a non-number n, naming it; a good n draws', async () => {
  const data = idxDigits(100, 50);
  const t = trainTiny(vaekit, 'vae', data);
  assert.equal(t.code, 0, t.err);
  for (const format of ['onnx', 'tfjs']) {
    const r = vaekit('export', 'runs/vae', '--format', format, '-o', `vae-${format}`);
    assert.equal(r.code, 0, r.err);
  }
  const served = await serveFolder(repo, {
    '/exports/': work,
    '/node_modules/': realpathSync(join(repo, 'node_modules')),
  });
  const browser = await launchBrowser();
  try {
    const cases = [
      ['vae-onnx/decoder.onnx', '0'],
      ['vae-tfjs/decoder/model.json', '0'],
      ['vae-onnx/decoder.onnx', '-3'],
      ['vae-tfjs/decoder/model.json', '2.5'],
      ['vae-onnx/decoder.onnx', 'many'],
    ];
    for (const [model, n] of cases) {
      const { page } = await openPage(
        browser,
        `${served.url}examples/decoder-page/?model=/exports/${model}&n=${n}`,
      );
      await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 90_000 });
      const status = (await page.textContent('#status')) ?? '';
      const state = await page.evaluate(() => document.body.dataset.state);
      assert.equal(state, 'error', `${model} with n=${n}: ${status}`);
      assert.ok(status.includes(`?n=${n}`), `${model} with n=${n}: ${status}`);
      await page.close();
    }
    // and a good n still draws
    const { page } = await openPage(
      browser,
      `${served.url}examples/decoder-page/?model=/exports/vae-onnx/decoder.onnx&n=3`,
    );
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 90_000 });
    assert.match((await page.textContent('#status')) ?? '', /^3 samples/);
    await page.close();
  } finally {
    await browser.close();
    await served.close();
  }
});
