/**
 * The explorer's "Your own image" and "Reconstructions" panels, and the reason lines of the panels a model
 * cannot draw, in Debian's chromium driven by playwright-core (as in browser.test.ts): a stroke drawn on
 * the pad (at DPR 2, and with a finger on a phone) and encoded moves the sliders; a PNG chosen or dropped is
 * encoded; a file that is no image says so; HVAE, CVAE and NVAE runs reconstruct (the HVAE and NVAE without
 * sliders, saying why); a GAN run says in one line per panel why not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { modelConfigSchema } from '../../src/models/registry.js';
import { trainRun } from '../../src/run/train-run.js';
import { type Explorer, startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import {
  type CanvasPixels,
  changed,
  launchBrowser,
  openPage,
  pixels,
  sliderValues,
  spread,
  tile,
  waitForState,
} from './browser-helpers.js';
import { emptyRun, tinyRunConfig, trainTinyRun } from './tiny-run.js';

let browser: Browser;
let explorer: Explorer;
let files: string;

before(async () => {
  await useBackend('wasm');
  files = mkdtempSync(join(tmpdir(), 'vk-web-draw-files-'));
  const runDir = emptyRun();
  await trainTinyRun(runDir);
  explorer = await startExplorer({ runDir, port: 0, testImages: 200 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await explorer?.close();
});

/** The mean grey value (red channel) of the part [x0, x1) × [y0, y1) of a canvas, as fractions of its size. */
function meanOf(p: CanvasPixels, x0: number, x1: number, y0 = 0.1, y1 = 0.9): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(y0 * p.height); y < Math.floor(y1 * p.height); y++)
    for (let x = Math.floor(x0 * p.width); x < Math.floor(x1 * p.width); x++) {
      sum += p.data[4 * (y * p.width + x)];
      n++;
    }
  return sum / n;
}

const encoded = (page: Page, n: number) =>
  page.waitForFunction((k) => document.getElementById('own-image-panel')?.dataset.encodes === String(k), n, {
    timeout: 30_000,
  });

/** A stroke on the pad from (fx0, fy0) to (fx1, fy1), as fractions of its box on screen. */
async function stroke(page: Page, [fx0, fy0]: [number, number], [fx1, fy1]: [number, number]): Promise<void> {
  await page.locator('#own-pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#own-pad').boundingBox();
  assert.ok(box, 'the pad is on screen');
  await page.mouse.move(box.x + fx0 * box.width, box.y + fy0 * box.height);
  await page.mouse.down();
  await page.mouse.move(box.x + fx1 * box.width, box.y + fy1 * box.height, { steps: 12 });
  await page.mouse.up();
}

/** A PNG of w×h: a white vertical bar over the middle fifth, black elsewhere, opaque. */
function barPng(w: number, h: number): Buffer {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = x >= 0.4 * w && x < 0.6 * w && y >= 0.15 * h && y < 0.85 * h ? 255 : 0;
      png.data.set([v, v, v, 255], 4 * (y * w + x));
    }
  return PNG.sync.write(png);
}

test('drawing on the pad at DPR 2, then Encode: the input shows the stroke, the sliders take μ(x), a reconstruction is drawn', async () => {
  const { page, errors } = await openPage(browser, `${explorer.url}?backend=wasm`, {
    viewport: { width: 1480, height: 900 },
    deviceScaleFactor: 2,
  });
  await waitForState(page, 'ready', 90_000);
  assert.equal(await page.isVisible('#own-image-panel .why-not'), false, 'a VAE encodes: no reason line');
  assert.match((await page.textContent('#own-latent-note')) ?? '', /sends z = μ\(x\) to the latent sliders/);
  assert.match(
    (await page.textContent('#own-invert-note')) ?? '',
    /^Invert \(1 − x\) starts off: the test images' mean value is 0\.\d\d, a dark background/,
  );
  assert.equal(await page.isChecked('#own-invert'), false);
  const pad = await page.$eval('#own-pad', (c) => [
    (c as HTMLCanvasElement).width,
    (c as HTMLCanvasElement).height,
  ]);
  assert.deepEqual(pad, [560, 560], 'the backing store at the device pixel ratio');
  const before = await sliderValues(page);
  assert.equal(before.length, 6);

  // a vertical stroke in the left third of the pad
  await stroke(page, [0.25, 0.2], [0.25, 0.8]);
  await page.click('#own-encode');
  await encoded(page, 1);
  assert.equal(await page.getAttribute('#own-image-panel', 'data-state'), 'encoded');
  const input = await pixels(page, 'own-input');
  assert.ok(meanOf(input, 0.15, 0.35) > 60, `the stroke is on the left (mean ${meanOf(input, 0.15, 0.35)})`);
  assert.ok(meanOf(input, 0.55, 0.95) < 5, 'nothing on the right');
  const recon = await pixels(page, 'own-recon');
  assert.ok(spread(recon.data) > 50, 'a reconstruction, not a blank canvas');
  const after = await sliderValues(page);
  assert.notDeepEqual(after, before, 'the sliders moved to μ(x) of the drawing');
  assert.equal(await page.textContent('#slider-caption'), 'z = μ(x) of your drawing');
  assert.equal(await page.textContent('#own-recon-caption'), 'its reconstruction E[x|z = μ(x)]');
  assert.match(
    (await page.textContent('#own-status')) ?? '',
    /^Made into the model's input: 560×560 resized to 28×28 by area averaging .*grey .*scaled to \[0, 1\].*grey values kept/,
  );

  // Clear gives a black pad; encoding it gives other slider values again
  await page.click('#own-clear');
  await page.click('#own-encode');
  await encoded(page, 2);
  assert.ok(meanOf(await pixels(page, 'own-input'), 0.1, 0.9) < 1, 'an empty input after Clear');
  assert.notDeepEqual(await sliderValues(page), after);

  assert.deepEqual(errors, [], 'no console errors');
  await page.close();
});

test('on a phone: the pad fits the screen and a finger draws on it', async () => {
  const { page, errors } = await openPage(browser, `${explorer.url}?backend=wasm`, {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    hasTouch: true,
    isMobile: true,
  });
  await waitForState(page, 'ready', 90_000);
  for (const id of ['#own-pad', '#own-clear', '#own-file', '#own-encode']) {
    const box = await page.locator(id).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${id} fits: ${JSON.stringify(box)}`);
  }
  assert.equal(
    await page.$eval('#own-pad', (c) => getComputedStyle(c).touchAction),
    'none',
    'the page does not scroll under the finger',
  );
  await page.locator('#own-pad').scrollIntoViewIfNeeded();
  const at = (await page.locator('#own-pad').boundingBox())!;
  await page.touchscreen.tap(at.x + 0.7 * at.width, at.y + 0.3 * at.height);
  await page.click('#own-encode');
  await encoded(page, 1);
  const input = await pixels(page, 'own-input');
  const dot = meanOf(input, 0.6, 0.8, 0.2, 0.4);
  assert.ok(dot > 8, `a dot where the finger was (mean ${dot})`);
  assert.ok(meanOf(input, 0.1, 0.4, 0.6, 0.9) < 1, 'nothing elsewhere');
  assert.deepEqual(errors, [], 'no console errors');
  await page.close();
});

test('a PNG chosen with the file input, or dropped on the panel, is encoded; a file that is no image says so', async () => {
  const { page, errors } = await openPage(browser, `${explorer.url}?backend=wasm`);
  await waitForState(page, 'ready', 90_000);
  const before = await sliderValues(page);

  const path = join(files, 'bar.png');
  writeFileSync(path, barPng(60, 40));
  await page.setInputFiles('#own-file', path);
  await encoded(page, 1);
  const input = await pixels(page, 'own-input');
  assert.ok(meanOf(input, 0.45, 0.55) > 150, 'the bar is in the middle');
  assert.ok(meanOf(input, 0.05, 0.3) < 5 && meanOf(input, 0.7, 0.95) < 5, 'black on both sides');
  assert.ok(spread((await pixels(page, 'own-recon')).data) > 50, 'a reconstruction');
  assert.notDeepEqual(await sliderValues(page), before);
  assert.equal(await page.textContent('#slider-caption'), 'z = μ(x) of your image bar.png');
  assert.match((await page.textContent('#own-status')) ?? '', /60×40 centre-cropped to the aspect ratio/);

  // invert encodes the same image again, 1 − x
  await page.check('#own-invert');
  await encoded(page, 2);
  const inverted = await pixels(page, 'own-input');
  assert.ok(meanOf(inverted, 0.45, 0.55) < 100 && meanOf(inverted, 0.05, 0.3) > 250, 'inverted');
  assert.match((await page.textContent('#own-status')) ?? '', /inverted \(1 − x\)/);
  await page.uncheck('#own-invert');
  await encoded(page, 3);

  // dropped: a wide bar image as a File in a DataTransfer
  const base64 = barPng(200, 50).toString('base64');
  const transfer = await page.evaluateHandle((b64) => {
    const dt = new DataTransfer();
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    return dt;
  }, base64);
  await page.dispatchEvent('#own-image-panel', 'drop', { dataTransfer: transfer });
  await encoded(page, 4);
  assert.equal(await page.textContent('#slider-caption'), 'z = μ(x) of your image dropped.png');

  // not an image: a clear message in the panel, nothing thrown, the sliders untouched
  const shown = await sliderValues(page);
  const text = join(files, 'notes.txt');
  writeFileSync(text, 'not a picture');
  await page.setInputFiles('#own-file', text);
  await page.waitForFunction(() => document.getElementById('own-image-panel')?.dataset.state === 'error');
  assert.match(
    (await page.textContent('#own-status')) ?? '',
    /^notes\.txt is not an image this browser can read \(text\/plain\): drop or choose a PNG or JPEG\.$/,
  );
  // a file named .png that is not one
  const torn = join(files, 'torn.png');
  writeFileSync(torn, barPng(10, 10).subarray(0, 30));
  await page.setInputFiles('#own-file', torn);
  await page.waitForFunction(() =>
    /torn\.png/.test(document.getElementById('own-status')?.textContent ?? ''),
  );
  assert.match(
    (await page.textContent('#own-status')) ?? '',
    /torn\.png is not an image this browser can read/,
  );
  assert.deepEqual(await sliderValues(page), shown);
  assert.equal(await page.getAttribute('#own-image-panel', 'data-encodes'), '4');

  assert.deepEqual(errors, [], 'no console errors');
  await page.close();
});

/** Trains a one-epoch run of the tiny config with another model, serves it and opens the page on it. */
async function servedRun(model: object, testImages = 100) {
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-web-draw-run-')), 'run');
  await trainRun({ dir, config: { ...tinyRunConfig(), model: modelConfigSchema.parse(model) } });
  const served = await startExplorer({ runDir: dir, port: 0, testImages });
  try {
    const { page, errors } = await openPage(browser, `${served.url}?backend=wasm`);
    await waitForState(page, 'ready', 90_000);
    return { page, errors, close: () => served.close() };
  } catch (e) {
    await served.close();
    throw e;
  }
}

/** The reconstructions panel is drawn: the first test image and its reconstruction are not blank. */
async function checkReconstructions(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getElementById('recon-panel')?.dataset.state === 'done', null, {
    timeout: 60_000,
  });
  const grid = await pixels(page, 'recon-canvas');
  assert.ok(spread(tile(grid, 0, 0, 56)) > 100, 'a test image');
  assert.ok(spread(tile(grid, 1, 0, 56)) > 30, 'its reconstruction, not a blank tile');
  assert.equal(await page.isVisible('#recon-panel .why-not'), false);
}

test('an HVAE run: reconstructions of the test images and of a drawing; the sliders say why not', async () => {
  const run = await servedRun({
    type: 'hvae',
    groups: 3,
    latentDim: 3,
    hidden: 24,
    network: { type: 'mlp', hidden: [32] },
  });
  try {
    const { page, errors } = run;
    await checkReconstructions(page);
    const grid = await pixels(page, 'recon-canvas');
    assert.equal(grid.width, 8 * (56 + 2) + 2, '4 pairs per row at scale 2');

    const reason =
      'HVAE: the sliders need a single Gaussian latent (it has a hierarchy of latent groups); see the reconstructions panel.';
    assert.equal(await page.textContent('#sliders-panel .why-not'), reason);
    assert.equal(await page.isVisible('#sliders-panel .why-not'), true);
    assert.equal(await page.isVisible('#sliders'), false);
    assert.match(
      (await page.textContent('#map-panel .why-not')) ?? '',
      /^HVAE: the latent map needs a single Gaussian latent/,
    );

    // your own image: the reconstruction only
    assert.match((await page.textContent('#own-latent-note')) ?? '', /sliders need a single Gaussian latent/);
    await stroke(page, [0.5, 0.2], [0.5, 0.8]);
    await page.click('#own-encode');
    await encoded(page, 1);
    assert.ok(spread((await pixels(page, 'own-recon')).data) > 30, 'a reconstruction of the drawing');
    assert.equal(await page.textContent('#slider-caption'), '', 'nothing sent to the sliders');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await run.close();
  }
});

test('a CVAE run: reconstructions with the test labels; a drawing is encoded with the header’s class', async () => {
  const run = await servedRun({ type: 'cvae', latentDim: 2, network: { type: 'mlp', hidden: [64] } });
  try {
    const { page, errors } = run;
    await checkReconstructions(page);
    await page.selectOption('#class-picker', '3');
    const before = await sliderValues(page);
    await stroke(page, [0.3, 0.3], [0.7, 0.7]);
    await page.click('#own-encode');
    await encoded(page, 1);
    assert.match((await page.textContent('#own-status')) ?? '', /Encoded with class 3, the header's\.$/);
    assert.notDeepEqual(await sliderValues(page), before);
    assert.equal(await page.textContent('#slider-caption'), 'z = μ(x) of your drawing');
    // another class: the drawing's reconstruction is decoded again with it, the sliders stay, the link keeps it
    const recon3 = await pixels(page, 'own-recon');
    const z = await sliderValues(page);
    await page.selectOption('#class-picker', '8');
    await page.waitForFunction(() =>
      /Encoded with class 8/.test(document.getElementById('own-status')?.textContent ?? ''),
    );
    assert.ok(changed(recon3.data, (await pixels(page, 'own-recon')).data) > 20, 'reconstructed as an 8');
    assert.deepEqual(await sliderValues(page), z);
    await page.waitForFunction(() => /[?&]class=8/.test(location.search));
    const again = await openPage(browser, page.url());
    await waitForState(again.page, 'ready', 90_000);
    assert.equal(await again.page.inputValue('#class-picker'), '8');
    await again.page.close();
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await run.close();
  }
});

test('an NVAE run: reconstructions of the test images and of a drawing', async () => {
  const run = await servedRun({ type: 'nvae', hidden: 8, latentChannels: 2, expansion: 2, bnBatches: 2 });
  try {
    const { page, errors } = run;
    await checkReconstructions(page);
    assert.match(
      (await page.textContent('#sliders-panel .why-not')) ?? '',
      /^NVAE: the sliders need a single Gaussian latent/,
    );
    await stroke(page, [0.5, 0.2], [0.5, 0.8]);
    await page.click('#own-encode');
    await encoded(page, 1);
    assert.ok(spread((await pixels(page, 'own-recon')).data) > 30, 'a reconstruction of the drawing');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await run.close();
  }
});

test('a GAN run: one line per panel says why not, from its capabilities', async () => {
  const run = await servedRun({ type: 'gan', latentDim: 4, generatorFilters: [6, 4], criticFilters: [4, 6] });
  try {
    const { page, errors } = run;
    const lines = {
      'own-image-panel': 'A GAN has no encoder: it cannot encode an image.',
      'recon-panel': 'A GAN has no encoder: no reconstructions.',
      'sliders-panel': 'A GAN has no encoder: no latent sliders.',
      'map-panel': 'A GAN has no encoder: no latent map of the test images.',
      'interp-panel': 'A GAN has no encoder: no interpolation between test images.',
      'posterior-panel': 'A GAN has no encoder: no posterior q(z|x) to compare.',
    };
    for (const [id, line] of Object.entries(lines)) {
      assert.equal(await page.textContent(`#${id} .why-not`), line, id);
      assert.equal(await page.isVisible(`#${id} .why-not`), true, id);
    }
    for (const hidden of ['#own-pad', '#own-encode', '#recon-canvas', '#sliders', '#map-canvas']) {
      assert.equal(await page.isVisible(hidden), false, hidden);
    }
    assert.equal(await page.isVisible('#samples-canvas'), true, 'the samples are drawn as before');
    // a panel that only says why not has nothing to save: no PNG button there
    for (const id of Object.keys(lines)) assert.equal(await page.isVisible(`#${id} button.png`), false, id);
    assert.equal(await page.isVisible('#samples-panel button.png'), true);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await run.close();
  }
});
