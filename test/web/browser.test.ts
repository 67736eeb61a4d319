/**
 * The explorer in a real browser: Debian's chromium driven by playwright-core. A run is created empty
 * (the page must say there is no checkpoint yet), trained for one epoch while the page is open (the page
 * must pick the checkpoint and the curves up by itself), then every panel is exercised and its canvas
 * pixels checked. VAEKIT_UPDATE_DOCS=1 also writes docs/explorer.png (of VAEKIT_DOCS_RUN when given,
 * e.g. a 10-epoch run, else of the tiny run).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { modelConfigSchema } from '../../src/models/registry.js';
import { trainRun } from '../../src/run/train-run.js';
import { type Explorer, startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import { emptyRun, tinyRunConfig, trainTinyRun } from './tiny-run.js';

const CHROMIUM = '/usr/bin/chromium';
const DOCS_SCREENSHOT = join(import.meta.dirname, '..', '..', 'docs', 'explorer.png');

interface CanvasPixels {
  width: number;
  height: number;
  /** RGBA bytes, row after row. */
  data: Uint8Array;
}

let browser: Browser;
let explorer: Explorer;
let runDir: string;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Debian's chromium at ${CHROMIUM}: apt-get install chromium`);
  }
  await useBackend('wasm');
  runDir = emptyRun();
  explorer = await startExplorer({ runDir, port: 0, testImages: 300 });
  // playwright starts chromium with a fresh temporary profile (--user-data-dir) of its own.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await explorer?.close();
});

/** A page that records console errors and uncaught exceptions (a CSP violation shows up as one). */
async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1480, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // Every console error counts, a 404 included: the page asks /api/status, not for a checkpoint that is not there.
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

const waitForState = (page: Page, state: string, timeout = 60_000) =>
  page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout });

/** A canvas's pixels, sent from the page as base64 (a plain array of numbers takes seconds). */
async function pixels(page: Page, id: string): Promise<CanvasPixels> {
  const { width, height, base64 } = await page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let bytes = '';
    for (let i = 0; i < d.length; i += 0x8000) bytes += String.fromCharCode(...d.subarray(i, i + 0x8000));
    return { width: c.width, height: c.height, base64: btoa(bytes) };
  }, id);
  return { width, height, data: new Uint8Array(Buffer.from(base64, 'base64')) };
}

/** Grey values (red channel) of the tile at column col, row row of an image grid drawn by drawImageGrid. */
function tile(p: CanvasPixels, col: number, row: number, size: number): number[] {
  const out: number[] = [];
  const [x0, y0] = [2 + col * (size + 2), 2 + row * (size + 2)];
  for (let y = y0; y < y0 + size; y++)
    for (let x = x0; x < x0 + size; x++) out.push(p.data[4 * (y * p.width + x)]);
  return out;
}

const spread = (v: ArrayLike<number>) => {
  const a = Array.from(v);
  return a.reduce((m, x) => Math.max(m, x), 0) - a.reduce((m, x) => Math.min(m, x), 255);
};
const changed = (a: ArrayLike<number>, b: ArrayLike<number>, by = 10) =>
  Array.from(a).filter((x, i) => Math.abs(x - b[i]) > by).length;
const colours = (p: CanvasPixels) => {
  const set = new Set<number>();
  for (let i = 0; i < p.data.length; i += 4)
    set.add((p.data[i] << 16) | (p.data[i + 1] << 8) | p.data[i + 2]);
  return set;
};
const rgb = (hex: string) => Number.parseInt(hex.slice(1), 16);

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
  if (process.env.VAEKIT_UPDATE_DOCS === '1') await screenshotForDocs(page);
  await page.close();
});

test('without ?backend the page picks the best backend it can start', async () => {
  const { page, errors } = await openPage(explorer.url);
  await waitForState(page, 'ready', 90_000);
  assert.ok(['webgl', 'wasm', 'cpu'].includes((await page.textContent('#info-backend')) ?? ''));
  assert.deepEqual(errors, []);
  await page.close();
});

/** docs/explorer.png for the README: of VAEKIT_DOCS_RUN when set (a properly trained run), else this page. */
async function screenshotForDocs(page: Page): Promise<void> {
  const docsRun = process.env.VAEKIT_DOCS_RUN;
  if (!docsRun) {
    await page.screenshot({ path: DOCS_SCREENSHOT, fullPage: true });
    return;
  }
  const docs = await startExplorer({ runDir: docsRun, port: 0 });
  try {
    const shown = await openPage(`${docs.url}?backend=wasm`);
    await waitForState(shown.page, 'ready');
    await shown.page.screenshot({ path: DOCS_SCREENSHOT, fullPage: true });
  } finally {
    await docs.close();
  }
}

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
