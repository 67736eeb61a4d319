/**
 * The explorer's view in a real browser: layouts from a phone to 1920 px, both colour schemes, HiDPI
 * canvases, the latent map (hover, marker, keyboard, the z0 × z1 manifold of a 2-dimensional latent, a
 * 1-dimensional latent, two test images), links that reopen a view, PNG export, seeds and backends.
 * VAEKIT_UPDATE_DOCS=1 also writes docs/explorer.png and docs/explorer-phone.png (of VAEKIT_DOCS_RUN
 * when given, e.g. a 10-epoch run, else of the tiny run).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { decodePng } from '../../src/io/png.js';
import { modelConfigSchema } from '../../src/models/registry.js';
import { trainRun } from '../../src/run/train-run.js';
import { type Explorer, startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import {
  type CanvasPixels,
  changed,
  colours,
  launchBrowser,
  openPage,
  pixels,
  sliderValues,
  spread,
  tile,
  waitForState,
} from './browser-helpers.js';
import { emptyRun, tinyRunConfig, trainTinyRun } from './tiny-run.js';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');

let browser: Browser;
let explorer: Explorer;
let runDir: string;
const started: Explorer[] = [];

before(async () => {
  await useBackend('wasm');
  runDir = emptyRun();
  await trainTinyRun(runDir);
  explorer = await startExplorer({ runDir, port: 0, testImages: 300 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await explorer?.close();
  for (const e of started) await e.close();
});

/** A tiny VAE with `latentDim` latent dimensions, trained one epoch, and its explorer. */
async function latentRun(latentDim: number, testImages = 300): Promise<Explorer> {
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-web-latent-')), 'run');
  const config = tinyRunConfig();
  await trainRun({
    dir,
    config: {
      ...config,
      model: modelConfigSchema.parse({ latentDim, network: { type: 'mlp', hidden: [64] } }),
    },
  });
  const e = await startExplorer({ runDir: dir, port: 0, testImages });
  started.push(e);
  return e;
}

async function ready(url: string, options?: Parameters<typeof openPage>[2]) {
  const opened = await openPage(browser, url, options);
  await waitForState(opened.page, 'ready');
  return opened;
}

/** The image decoded from the sliders (drawn 7× magnified) sampled back at one value per pixel. */
function sliderImage(p: CanvasPixels, size: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) out.push(p.data[4 * ((2 + 7 * y + 3) * p.width + 2 + 7 * x + 3)]);
  return out;
}

test('on a 390 × 844 phone the page fits the width: no sideways scroll, slider tracks and buttons shown', async () => {
  const { page, errors } = await ready(`${explorer.url}?backend=wasm`, {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `the page is ${scroll} px wide in a ${inner} px window`);
  const track = await page.locator('#sliders input[type=range]').first().boundingBox();
  assert.ok(track && track.width >= 60, `a slider track ${track?.width} px wide`);
  for (const b of await page.locator('main button:visible').all()) {
    const box = await b.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= inner, `${await b.textContent()} clipped`);
  }
  for (const c of await page.locator('main canvas:visible').all()) {
    const box = await c.boundingBox();
    assert.ok(box && box.x + box.width <= inner + 0.5, `canvas ${await c.getAttribute('id')} overflows`);
  }
  if (process.env.VAEKIT_UPDATE_DOCS === '1') await screenshotForDocs('explorer-phone.png', 390, 844);
  assert.deepEqual(errors, []);
  await page.close();
});

test('at 1280 and 1920 px the panels share rows: the width is used', async () => {
  for (const width of [1280, 1920]) {
    const { page } = await ready(`${explorer.url}?backend=wasm`, { viewport: { width, height: 1000 } });
    const lefts = await page.$$eval('main > section.panel', (panels) =>
      panels.filter((p) => p.getClientRects().length > 0).map((p) => Math.round(p.getBoundingClientRect().x)),
    );
    const columns = new Set(lefts).size;
    assert.ok(columns >= (width === 1920 ? 3 : 2), `${columns} columns at ${width} px: ${lefts}`);
    const main = (await page.locator('#curves-panel').boundingBox())!;
    assert.ok(main.width > width - 100, `the training panel is ${main.width} px wide at ${width} px`);
    await page.close();
  }
});

test('light and dark schemes follow prefers-color-scheme, canvases included', async () => {
  const backgrounds: string[] = [];
  const gaps: number[] = [];
  for (const colorScheme of ['dark', 'light'] as const) {
    const { page, errors } = await ready(`${explorer.url}?backend=wasm`, { colorScheme });
    backgrounds.push(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
    gaps.push((await pixels(page, 'samples-canvas')).data[0]); // the grid's gap, top-left corner
    assert.deepEqual(errors, []);
    await page.close();
  }
  const luminance = (css: string) =>
    css
      .match(/\d+/g)!
      .slice(0, 3)
      .map(Number)
      .reduce((a, b) => a + b);
  assert.ok(luminance(backgrounds[0]) < 150 && luminance(backgrounds[1]) > 600, backgrounds.join(' / '));
  assert.ok(gaps[0] < 60 && gaps[1] > 150, `grid gap ${gaps}`);
});

test('a switch of the colour scheme while the page is open redraws every canvas in the new colours', async () => {
  const { page, errors } = await ready(`${explorer.url}?backend=wasm`, { colorScheme: 'dark' });
  const corner = (id: string) =>
    page.evaluate((c) => {
      const canvas = document.getElementById(c) as HTMLCanvasElement;
      return canvas.getContext('2d')!.getImageData(0, 0, 1, 1).data[0];
    }, id);
  const ids = ['samples-canvas', 'recon-canvas', 'plane-canvas', 'interp-linear'];
  for (const id of ids) assert.ok((await corner(id)) < 60, `${id} dark first`);
  const axis = async () => (await pixels(page, 'kl-dims')).data;
  const darkBars = await axis();
  await page.emulateMedia({ colorScheme: 'light' });
  for (const id of ids) {
    await page.waitForFunction((c) => {
      const canvas = document.getElementById(c) as HTMLCanvasElement;
      return canvas.getContext('2d')!.getImageData(0, 0, 1, 1).data[0] > 150;
    }, id);
  }
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  assert.ok(changed(darkBars, await axis(), 30) > 50, 'the KL bars’ axes in the light colours');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the map’s tooltip stays inside a narrow window; a tap shows it on a touch screen', async () => {
  const { page, errors } = await ready(`${explorer.url}?backend=wasm`, {
    viewport: { width: 420, height: 800 },
  });
  const map = page.locator('#map-canvas');
  await map.scrollIntoViewIfNeeded();
  const box = (await map.boundingBox())!;
  let seen = 0;
  for (let k = 0; k < 60 && seen < 5; k++) {
    await page.mouse.move(
      box.x + box.width * (0.55 + (0.4 * ((k * 7) % 10)) / 10),
      box.y + box.height * (0.1 + (0.8 * ((k * 3) % 10)) / 10),
    );
    if (!(await page.isVisible('#map-tooltip'))) continue;
    seen++;
    const tip = (await page.locator('#map-tooltip').boundingBox())!;
    assert.ok(tip.x >= 0 && tip.x + tip.width <= 420, `the tooltip at ${tip.x}…${tip.x + tip.width}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 420, `the page is ${width} px wide with the tooltip shown`);
  }
  assert.ok(seen > 0, 'some point on the right half was hovered');
  assert.deepEqual(errors, []);
  await page.close();

  const phone = await ready(`${explorer.url}?backend=wasm`, {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const touchMap = phone.page.locator('#map-canvas');
  await touchMap.scrollIntoViewIfNeeded();
  const tb = (await touchMap.boundingBox())!;
  let shown = false;
  for (let k = 0; k < 30 && !shown; k++) {
    const r = 3 * k;
    await phone.page.touchscreen.tap(
      tb.x + tb.width * 0.55 + r * Math.cos(k),
      tb.y + tb.height * 0.47 + r * Math.sin(k),
    );
    shown = await phone.page.isVisible('#map-tooltip');
  }
  assert.ok(shown, 'a tap near the points shows one’s image');
  assert.match((await phone.page.textContent('#map-tooltip-text')) ?? '', /^test image #\d+/);
  assert.deepEqual(phone.errors, []);
  await phone.page.close();
});

test('canvases are drawn at devicePixelRatio: sharp on a HiDPI screen, the same size on the page', async () => {
  const { page } = await ready(`${explorer.url}?backend=wasm`, { deviceScaleFactor: 2 });
  const size = await page.$eval('#samples-canvas', (c) => {
    const canvas = c as HTMLCanvasElement;
    return { backing: canvas.width, css: canvas.getBoundingClientRect().width };
  });
  assert.equal(size.backing, 2 * size.css);
  assert.equal(size.css, 8 * (56 + 2) + 2);
  await page.close();
});

test('the map: hovering a point shows its image and label; the marker follows z; arrow keys move z', async () => {
  const { page, errors } = await ready(`${explorer.url}?backend=wasm`);
  const map = page.locator('#map-canvas');
  await map.scrollIntoViewIfNeeded();
  const box = (await map.boundingBox())!;
  // the means crowd the middle of the plane: some point is within reach of a pointer there
  let shown = false;
  for (let k = 0; k < 40 && !shown; k++) {
    const r = 4 * k;
    await page.mouse.move(box.x + 44 + 180 + r * Math.cos(k), box.y + 8 + 180 + r * Math.sin(k));
    shown = await page.isVisible('#map-tooltip');
  }
  assert.ok(shown, 'a tooltip near the middle of the map');
  assert.match((await page.textContent('#map-tooltip-text')) ?? '', /^test image #\d+, label \d$/);
  const i = Number(await page.getAttribute('#map-tooltip', 'data-image'));
  assert.ok(spread((await pixels(page, 'map-tooltip-image')).data) > 100, 'the hovered image, not a blank');
  await page.mouse.move(box.x - 20, box.y - 20);
  assert.equal(await page.isVisible('#map-tooltip'), false);
  assert.ok(i >= 0 && i < 300);

  // "z = 0" and "next test image" move the marker
  const before = await pixels(page, 'map-canvas');
  await page.click('#slider-zero');
  const atZero = await pixels(page, 'map-canvas');
  assert.ok(changed(before.data, atZero.data) > 50, 'the marker moved to z = 0');
  await page.click('#slider-test');
  assert.ok(changed(atZero.data, (await pixels(page, 'map-canvas')).data) > 50, 'and to the next image');

  // a slider moves it too
  const moved = await pixels(page, 'map-canvas');
  const first = page.locator('#sliders input[type=range]').first();
  await first.focus();
  await page.keyboard.press('End');
  assert.ok(changed(moved.data, (await pixels(page, 'map-canvas')).data) > 50, 'the marker follows a slider');

  // the keyboard: the map takes focus, arrows move z along the plane
  const z0 = await sliderValues(page);
  await map.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowUp');
  assert.match((await page.textContent('#slider-caption')) ?? '', /latent map/);
  assert.notDeepEqual(await sliderValues(page), z0);
  assert.match((await map.getAttribute('aria-label')) ?? '', /current z at \(/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link keeps the view: z, temperature, seed and interpolation pair reopen as they were', async () => {
  const { page } = await ready(`${explorer.url}?backend=wasm`);
  await page.locator('#map-canvas').click({ position: { x: 300, y: 80 } });
  await page.fill('#samples-seed', '5');
  await page.press('#samples-seed', 'Enter');
  await page.locator('#samples-temperature').fill('0.6');
  await page.fill('#interp-from', '12');
  await page.fill('#interp-to', '40');
  await page.click('#interp-run');
  await page.waitForFunction(() => /[?&]z=.*t=0\.6&seed=5&from=12&to=40&steps=10$/.test(location.search));
  const url = page.url();
  const z = await sliderValues(page);
  const image = await pixels(page, 'slider-canvas');
  const samples = await pixels(page, 'samples-canvas');
  await page.close();

  const again = await ready(url);
  assert.deepEqual(await sliderValues(again.page), z);
  assert.equal(await again.page.textContent('#slider-caption'), 'z from the link');
  assert.deepEqual((await pixels(again.page, 'slider-canvas')).data, image.data, 'the same decoded z');
  assert.deepEqual((await pixels(again.page, 'samples-canvas')).data, samples.data, 'the same samples');
  assert.equal(await again.page.inputValue('#samples-temperature'), '0.6');
  assert.equal(await again.page.inputValue('#interp-from'), '12');
  assert.equal(await again.page.inputValue('#interp-to'), '40');
  assert.match(again.page.url(), /checkpoint=step-\d{9}/);
  assert.deepEqual(again.errors, []);
  await again.page.close();

  // a hand-edited link with nonsense in it opens the default view
  const odd = await ready(`${explorer.url}?backend=wasm&z=1,abc&t=-3&seed=x&from=1e400`);
  assert.match((await odd.page.textContent('#slider-caption')) ?? '', /test image #0/);
  assert.deepEqual(odd.errors, []);
  await odd.page.close();
});

test('a link keeps its checkpoint after training moved on, and offers the current one; a gone checkpoint or another run is said', async () => {
  const { page } = await ready(`${explorer.url}?backend=wasm`);
  await page.waitForFunction(
    () => /checkpoint=step-\d{9}/.test(location.search) && /run=run/.test(location.search),
  );
  const url = page.url();
  const first = new URL(url).searchParams.get('checkpoint')!;
  const samples = await pixels(page, 'samples-canvas');
  await page.close();

  await trainRun({ dir: runDir, resume: true, epochs: 2 }); // a newer checkpoint, the run's best or latest
  const fresh = await ready(`${explorer.url}?backend=wasm`);
  await fresh.page.waitForFunction(() => /checkpoint=step-\d{9}/.test(location.search));
  const newest = new URL(fresh.page.url()).searchParams.get('checkpoint');
  await fresh.page.close();
  assert.ok(newest && newest !== first, `${newest} after ${first}`);

  const { page: again, errors } = await ready(url);
  assert.equal(await again.textContent('#info-checkpoint'), `${first} (epoch 1), from the link`);
  assert.deepEqual(
    (await pixels(again, 'samples-canvas')).data,
    samples.data,
    'the link’s model, not the newest',
  );
  const follow = again.locator('#follow-run');
  await follow.waitFor({ state: 'visible' });
  assert.equal(await follow.textContent(), `show the run's current one, ${newest}`);
  await follow.click();
  await again.waitForFunction(
    (n) => document.getElementById('info-checkpoint')?.textContent?.startsWith(n),
    newest,
  );
  assert.equal(await again.isVisible('#follow-run'), false);
  assert.notDeepEqual((await pixels(again, 'samples-canvas')).data, samples.data);
  assert.deepEqual(errors, []);
  await again.close();

  const gone = await ready(`${explorer.url}?backend=wasm&checkpoint=step-000999999&run=another-run`);
  assert.match(
    (await gone.page.textContent('#banner')) ?? '',
    /checkpoint step-000999999, which this run does not have \(any more\): showing its current one/,
  );
  assert.match(
    (await gone.page.textContent('#info-checkpoint')) ?? '',
    new RegExp(`^${newest} \\(epoch 2\\)$`),
  );
  await gone.page.close();
  const other = await ready(`${explorer.url}?backend=wasm&run=another-run`);
  assert.match(
    (await other.page.textContent('#banner')) ?? '',
    /made for run another-run; this page shows run run\./,
  );
  await other.page.close();
});

test('seed 0 gives the same samples on every reload and redraw', async () => {
  const draws: CanvasPixels[] = [];
  for (let k = 0; k < 2; k++) {
    const { page } = await ready(`${explorer.url}?backend=wasm`);
    assert.equal(await page.inputValue('#samples-seed'), '0');
    draws.push(await pixels(page, 'samples-canvas'));
    await page.click('#samples-new');
    await page.fill('#samples-seed', '0');
    await page.press('#samples-seed', 'Enter');
    draws.push(await pixels(page, 'samples-canvas'));
    await page.close();
  }
  for (const d of draws.slice(1)) assert.deepEqual(d.data, draws[0].data);
  // a seed below 0 is shown and kept as the 0 it draws with
  const { page } = await ready(`${explorer.url}?backend=wasm`);
  await page.fill('#samples-seed', '-1');
  await page.press('#samples-seed', 'Enter');
  assert.equal(await page.inputValue('#samples-seed'), '0');
  assert.deepEqual((await pixels(page, 'samples-canvas')).data, draws[0].data);
  await page.close();
});

test('a 2-dimensional latent: the map and the grid are z0 × z1 on the sliders’ axes', async () => {
  const e = await latentRun(2);
  const { page, errors } = await ready(`${e.url}?backend=wasm&z=-2,2`);
  assert.match((await page.textContent('#map-caption')) ?? '', /z0 \(→\), z1 \(↑\)/);
  assert.match((await page.textContent('#plane-caption')) ?? '', /z0 × z1 over ±2/);
  // the grid's top-left image decodes z = (−2, 2): the sliders show the same image
  const grid = await pixels(page, 'plane-canvas');
  const decoded = sliderImage(await pixels(page, 'slider-canvas'), 28);
  assert.ok(changed(tile(grid, 0, 0, 28), decoded, 2) < 10, 'top-left of the grid is z = (−2, 2)');
  assert.ok(changed(tile(grid, 11, 11, 28), decoded, 2) > 20, 'bottom-right is not');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a 1-dimensional latent says why there is no map, with no blank canvases; two test images still draw a map', async () => {
  const one = await latentRun(1);
  const { page, errors } = await ready(`${one.url}?backend=wasm`);
  assert.match(
    (await page.textContent('#map-note')) ?? '',
    /needs at least two latent dimensions \(this model has 1\)/,
  );
  assert.equal(await page.isVisible('#map-canvas'), false);
  assert.equal(await page.isVisible('#plane-canvas'), false);
  assert.deepEqual(errors, []);
  await page.close();

  const two = await startExplorer({ runDir, port: 0, testImages: 2 });
  started.push(two);
  const small = await ready(`${two.url}?backend=wasm`);
  const map = await pixels(small.page, 'map-canvas');
  const plot = await small.page.evaluate(() =>
    getComputedStyle(document.documentElement).getPropertyValue('--canvas-bg'),
  );
  assert.ok(colours(map).size > 6, `two points drawn on the map, not an empty plot (${plot})`);
  assert.ok(spread(tile(await pixels(small.page, 'plane-canvas'), 0, 0, 28)) > 50, 'a decoded grid');
  assert.deepEqual(small.errors, []);
  await small.page.close();
});

test('every panel saves as PNG; the steps field shows what is drawn; sliders reach beyond ±3', async () => {
  const { page, errors } = await ready(`${explorer.url}?backend=wasm`);
  const download = page.waitForEvent('download');
  await page.click('#samples-panel button.png');
  const file = await download;
  assert.match(file.suggestedFilename(), /^vaekit-samples-step-\d{9}\.png$/);
  const bytes = readFileSync((await file.path())!);
  assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
  assert.ok(bytes.readUInt32BE(16) > 8 * 58 && bytes.readUInt32BE(20) > 4 * 58, 'the whole sample grid');
  assert.equal(
    await page.locator('main section.panel h2 button.png').count(),
    await page.locator('main section.panel').count(),
  );
  // the latent map's picture has the map, the captions under its canvases and the class legend below them
  const mapDownload = page.waitForEvent('download');
  await page.click('#map-panel button.png');
  const picture = decodePng(readFileSync((await (await mapDownload).path())!), 'map PNG');
  const canvasHeight = await page.$eval('#map-canvas', (c) => (c as HTMLCanvasElement).height);
  const classes = await page.locator('#map-legend i').count();
  assert.ok(classes >= 2, 'the map has a class legend');
  assert.ok(
    picture.height >= 34 + canvasHeight + 20 + 20,
    `room for captions and the legend: ${picture.height}`,
  );
  const bottom = new Set<string>();
  for (let y = picture.height - 40; y < picture.height; y++)
    for (let x = 0; x < picture.width; x++) {
      const o = 4 * (y * picture.width + x);
      bottom.add(`${picture.data[o]},${picture.data[o + 1]},${picture.data[o + 2]}`);
    }
  assert.ok(bottom.size >= classes, `the legend's swatches are drawn at the bottom (${bottom.size} colours)`);

  await page.fill('#interp-steps', '100');
  await page.click('#interp-run');
  assert.equal(await page.inputValue('#interp-steps'), '16');
  assert.equal((await pixels(page, 'interp-linear')).width, 16 * 58 + 2);

  // a map point far out: the slider's range widens to show it rather than clipping at 3
  await page.locator('#map-canvas').click({ position: { x: 405, y: 12 } });
  const values = await sliderValues(page);
  const readouts = await page.$$eval('#sliders output', (os) => os.map((o) => Number(o.textContent)));
  for (const [k, v] of values.entries())
    assert.ok(Math.abs(v - readouts[k]) <= 0.025, `${v} vs ${readouts[k]}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('backends: an unknown ?backend is named with the choices; software WebGL is passed over for wasm', async () => {
  const bogus = await openPage(browser, `${explorer.url}?backend=bogus`);
  await waitForState(bogus.page, 'error');
  assert.match(
    (await bogus.page.textContent('#banner')) ?? '',
    /unknown backend "bogus" in the URL: use \?backend=webgl, \?backend=wasm, \?backend=cpu/,
  );
  await bogus.page.close();

  const { page, errors } = await ready(explorer.url);
  const software = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    const fast = document
      .createElement('canvas')
      .getContext('webgl2', { failIfMajorPerformanceCaveat: true });
    return gl !== null && fast === null;
  });
  const backend = await page.textContent('#info-backend');
  if (software) {
    assert.equal(backend, 'wasm');
    assert.match((await page.getAttribute('#info-backend', 'title')) ?? '', /software-rendered/);
  } else {
    assert.notEqual(backend, 'cpu');
  }
  assert.deepEqual(errors, []);
  await page.close();
});

/** docs/<name> for the README at width × height: of VAEKIT_DOCS_RUN when set, else of the tiny run. */
async function screenshotForDocs(name: string, width: number, height: number): Promise<void> {
  const docsRun = process.env.VAEKIT_DOCS_RUN;
  const docs = docsRun ? await startExplorer({ runDir: docsRun, port: 0 }) : explorer;
  try {
    const shown = await ready(`${docs.url}?backend=wasm`, {
      viewport: { width, height },
      isMobile: width < 600,
      deviceScaleFactor: width < 600 ? 2 : 1,
    });
    await shown.page.screenshot({ path: join(DOCS, name), fullPage: true });
    await shown.page.close();
  } finally {
    if (docs !== explorer) await docs.close();
  }
}

test('docs screenshot at 1480 px (VAEKIT_UPDATE_DOCS=1 only)', {
  skip: process.env.VAEKIT_UPDATE_DOCS !== '1',
}, async () => {
  await screenshotForDocs('explorer.png', 1480, 900);
});
