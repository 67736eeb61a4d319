/**
 * The explorer in a real browser: Debian's chromium driven by playwright-core. A run is created empty
 * (the page must say there is no checkpoint yet), trained for one epoch while the page is open (the page
 * must pick the checkpoint and the curves up by itself), then every panel is exercised and its canvas
 * pixels checked. (browser-view.test.ts tests the layouts and the map, and takes the README's screenshots.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { modelConfigSchema } from '../../src/models/registry.js';
import { trainRun } from '../../src/run/train-run.js';
import { type Explorer, startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import {
  changed,
  colours,
  launchBrowser,
  openPage as open,
  pixels,
  rgb,
  spread,
  tile,
  waitForState,
} from './browser-helpers.js';
import { emptyRun, tinyRunConfig, trainTinyRun } from './tiny-run.js';

let browser: Browser;
let explorer: Explorer;
let runDir: string;

before(async () => {
  await useBackend('wasm');
  runDir = emptyRun();
  explorer = await startExplorer({ runDir, port: 0, testImages: 300 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await explorer?.close();
});

/** A page that records every console error, a 404 included: the page asks /api/status, not for a checkpoint that is not there. */
const openPage = (url: string) => open(browser, url);

test('the explorer: no checkpoint yet, then live after an epoch; sliders, map, interpolation, samples, curves', async () => {
  const { page, errors } = await openPage(`${explorer.url}?backend=wasm`);
  await waitForState(page, 'no-checkpoint');
  assert.match((await page.textContent('#banner')) ?? '', /No checkpoint yet — training in progress\?/);

  await trainTinyRun(runDir); // the page polls metrics.jsonl and loads the new checkpoint itself
  await waitForState(page, 'ready');
  assert.equal(await page.textContent('#info-backend'), 'wasm');
  assert.match((await page.textContent('#info-checkpoint')) ?? '', /^step-\d{9} \(epoch 1\)$/);
  assert.equal(await page.locator('#banner').isVisible(), false);
  assert.equal(await page.isVisible('#class-picker'), false, 'a VAE is not conditional: no class picker');

  // Sliders: one per latent dimension (6 < 8), ordered by KL; moving the first one redraws the image.
  const sliders = page.locator('#sliders input[type=range]');
  assert.equal(await sliders.count(), 6);
  const before = await pixels(page, 'slider-canvas');
  assert.ok(spread(before.data) > 100, 'a decoded digit, not a blank canvas');
  const first = sliders.first();
  await first.focus();
  await page.keyboard.press(Number(await first.inputValue()) > 0 ? 'Home' : 'End');
  assert.equal(Math.abs(Number(await first.inputValue())), 3);
  const moved = await pixels(page, 'slider-canvas');
  assert.ok(changed(before.data, moved.data) > before.data.length / 100, 'the decoded image changed');

  // Latent map: the coloured classes, and a decoded grid of 12×12 distinct images over the plane.
  const map = await pixels(page, 'map-canvas');
  assert.ok(colours(map).size >= 10, 'points in several class colours');
  const grid = await pixels(page, 'plane-canvas');
  assert.equal(grid.width, 12 * 30 + 2);
  assert.ok(changed(tile(grid, 0, 0, 28), tile(grid, 11, 11, 28)) > 20, 'opposite corners differ');
  // A click on the map decodes that point with the sliders.
  await page.locator('#map-canvas').click({ position: { x: 300, y: 60 } });
  assert.match((await page.textContent('#slider-caption')) ?? '', /latent map/);
  assert.ok(changed(moved.data, (await pixels(page, 'slider-canvas')).data) > 0);

  // Interpolation between test images 3 and 7 in 10 steps: both strips drawn, endpoints different.
  await page.fill('#interp-from', '3');
  await page.fill('#interp-to', '7');
  await page.click('#interp-run');
  await page.waitForFunction(() => document.getElementById('interp-linear')?.dataset.rendered === '3-7-10');
  const linear = await pixels(page, 'interp-linear');
  const spherical = await pixels(page, 'interp-spherical');
  assert.equal(linear.width, 10 * (56 + 2) + 2);
  for (let k = 0; k < 10; k++) assert.ok(spread(tile(linear, k, 0, 56)) > 50, `linear tile ${k} not blank`);
  assert.ok(changed(tile(linear, 0, 0, 56), tile(linear, 9, 0, 56)) > 50, 'the strip goes somewhere');
  assert.deepEqual(tile(spherical, 0, 0, 56), tile(linear, 0, 0, 56), 'both paths start at μ(x₃)');
  assert.ok(changed(tile(spherical, 4, 0, 56), tile(linear, 4, 0, 56), 0) > 0, 'the paths differ between');

  // Samples: at temperature 0 every z is 0, so all 32 images are the same.
  const samples = page.locator('#samples-temperature');
  await samples.focus();
  await page.keyboard.press('Home');
  assert.equal(await page.textContent('#samples-temperature-value'), '0.00');
  const cold = await pixels(page, 'samples-canvas');
  assert.deepEqual(tile(cold, 0, 0, 56), tile(cold, 7, 3, 56));
  await page.keyboard.press('End');
  const hot = await pixels(page, 'samples-canvas');
  assert.ok(changed(tile(hot, 0, 0, 56), tile(hot, 7, 3, 56)) > 0, 'at t = 1.5 the samples vary');

  // Curves from metrics.jsonl, and the KL of each dimension.
  assert.ok(colours(await pixels(page, 'curves-elbo')).has(rgb('#e15759')), '−ELBO drawn');
  const terms = colours(await pixels(page, 'curves-terms'));
  assert.ok(terms.has(rgb('#4e79a7')) && terms.has(rgb('#f28e2b')), 'reconstruction and KL drawn');
  assert.ok(colours(await pixels(page, 'kl-dims')).has(rgb('#f28e2b')), 'KL bars drawn');
  assert.ok(await page.locator('#kl-history').isVisible(), 'latent.jsonl drawn');
  assert.match((await page.textContent('#kl-history-note')) ?? '', /of 6 dimensions active after epoch 1/);
  assert.match(
    (await page.textContent('#curves-status')) ?? '',
    /^epoch 1 of 1 · step 90 · test −ELBO \d+\.\d\d nats/,
  );

  // The true posterior needs a 2-dimensional latent: here it says so in one line instead.
  assert.match(
    (await page.textContent('#posterior-reason')) ?? '',
    /needs a 2-dimensional latent \(this model has 6\)/,
  );
  assert.equal(await page.isVisible('#posterior-reason'), true);
  assert.equal(await page.isVisible('#posterior-canvas'), false);

  assert.deepEqual(errors, [], 'no console errors (CSP violations included)');
  await page.close();
});

test('without ?backend the page picks the best backend it can start', async () => {
  const { page, errors } = await openPage(explorer.url);
  await waitForState(page, 'ready', 90_000);
  assert.ok(['webgl', 'wasm', 'cpu'].includes((await page.textContent('#info-backend')) ?? ''));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a conditional model gets a class picker; choosing a class redraws the samples; its 2-D latent, the true posterior', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-web-cvae-')), 'run');
  const config = tinyRunConfig();
  await trainRun({
    dir,
    config: {
      ...config,
      model: modelConfigSchema.parse({ type: 'cvae', latentDim: 2, network: { type: 'mlp', hidden: [64] } }),
    },
  });
  const cvae = await startExplorer({ runDir: dir, port: 0, testImages: 200 });
  try {
    const { page, errors } = await openPage(`${cvae.url}?backend=wasm`);
    await waitForState(page, 'ready');
    assert.equal(await page.isVisible('#class-picker'), true);
    assert.equal(await page.locator('#class-picker option').count(), 10);
    const before = await pixels(page, 'samples-canvas');
    await page.selectOption('#class-picker', '7');
    await page.waitForFunction(
      () => (document.getElementById('class-picker') as HTMLSelectElement).value === '7',
    );
    const after = await pixels(page, 'samples-canvas');
    assert.ok(changed(before.data, after.data) > 1000, 'the samples did not change with the class');
    // the latent panels work with the condition too (2 latent dimensions: sliders and a map)
    assert.equal(await page.isVisible('#sliders-panel'), true);
    await checkTruePosterior(page);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await cvae.close();
  }
});

/** The numbers under the true posterior: log p(x), L[q*], L[q_φ] and the two gaps, in that order. */
async function posteriorNumbers(page: Page): Promise<number[]> {
  const text = (await page.textContent('#posterior-numbers')) ?? '';
  const m = text.match(
    /^log p\(x\) ≈ (\S+), L\[q\*\] = (\S+), L\[q_φ\] = (\S+): approximation gap (\S+), amortisation gap (\S+) nats$/,
  );
  assert.ok(m, `the numbers read: ${text}`);
  return m.slice(1).map(Number);
}

const posteriorDrawn = (page: Page, image: number) =>
  page.waitForFunction(
    (i) => {
      const panel = document.getElementById('posterior-panel')!;
      return panel.dataset.image === String(i) && panel.dataset.state !== 'computing';
    },
    image,
    { timeout: 60_000 },
  );

/** A 2-D latent: the heat map of p(z|x) with both ellipses, finite numbers, no negative amortisation gap. */
async function checkTruePosterior(page: Page): Promise<void> {
  assert.equal(await page.isVisible('#posterior-reason'), false);
  await posteriorDrawn(page, 0);
  assert.equal(await page.getAttribute('#posterior-panel', 'data-state'), 'done');
  const heat = await pixels(page, 'posterior-canvas');
  assert.ok(colours(heat).size > 30, 'a heat map, not a blank canvas');
  const some = (f: (r: number, g: number, b: number) => boolean) => {
    for (let i = 0; i < heat.data.length; i += 4)
      if (f(heat.data[i], heat.data[i + 1], heat.data[i + 2])) return true;
    return false;
  };
  // the heat map's colours have little blue: white pixels are q*'s ellipse, light blue ones q_φ's
  assert.ok(
    some((r, g, b) => r > 200 && g > 200 && b > 200),
    'q* drawn',
  );
  assert.ok(
    some((r, _g, b) => b > 180 && r < 160),
    'q_φ drawn',
  );
  const [logPx, optimal, amortised, approximation, amortisation] = await posteriorNumbers(page);
  assert.ok([logPx, optimal, amortised].every(Number.isFinite), `${logPx} ${optimal} ${amortised}`);
  assert.ok(amortisation >= -0.05, `amortisation gap ${amortisation}`);
  assert.ok(Number.isFinite(approximation));
  assert.match((await page.textContent('#posterior-status')) ?? '', /^q\* after \d+ Adam steps/);
  // another test image: drawn again, other numbers
  await page.fill('#posterior-image', '5');
  await page.click('#posterior-run');
  await posteriorDrawn(page, 5);
  assert.notEqual((await posteriorNumbers(page))[0], logPx);
  assert.match((await page.textContent('#posterior-caption')) ?? '', /test image #5 on a 64×64 grid/);
}

test('an NVAE run: the page rebuilds the spatial model in the browser and draws its samples at any temperature', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-web-nvae-')), 'run');
  const config = tinyRunConfig();
  await trainRun({
    dir,
    config: {
      ...config,
      model: modelConfigSchema.parse({
        type: 'nvae',
        hidden: 8,
        latentChannels: 2,
        expansion: 2,
        bnBatches: 2,
      }),
    },
  });
  const nvae = await startExplorer({ runDir: dir, port: 0, testImages: 100 });
  try {
    const { page, errors } = await openPage(`${nvae.url}?backend=wasm`);
    await waitForState(page, 'ready', 90_000);
    const samples = page.locator('#samples-temperature');
    await samples.focus();
    await page.keyboard.press('End');
    const hot = await pixels(page, 'samples-canvas');
    assert.ok(spread(hot.data) > 50, 'samples drawn, not a blank canvas');
    assert.ok(changed(tile(hot, 0, 0, 56), tile(hot, 7, 3, 56)) > 0, 'the samples vary');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await nvae.close();
  }
});
