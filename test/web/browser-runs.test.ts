/**
 * The explorer's live step chart and compared runs in a real browser (Debian's chromium driven by
 * playwright-core): a run trains in another process, paused by the test at fixed steps, so the page is
 * seen drawing steps before the first epoch ends — without a console error (no 404 while there is no
 * checkpoint) and with the "no checkpoint yet" banner said once; then the chart's smoothing, log scale
 * and zoom; then two runs served together, in one chart and with two sample grids.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { trainRun } from '../../src/run/train-run.js';
import { startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import {
  changed,
  colours,
  launchBrowser,
  openPage,
  pixels,
  rgb,
  spread,
  tile,
  waitForState,
} from './browser-helpers.js';
import { emptyRun, tinyRunConfig } from './tiny-run.js';

const BANNER = 'No checkpoint yet — training in progress? a checkpoint is written at the end of each epoch';

let browser: Browser;
/** The run trained (paced) by the first test, compared by the last. */
let runDir: string;

before(async () => {
  await useBackend('wasm');
  runDir = emptyRun();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const dataset = (page: Page, id: string, key: string) =>
  page.evaluate(([i, k]) => document.getElementById(i)!.dataset[k] ?? '', [id, key]);
const stepPoints = async (page: Page) => Number(await dataset(page, 'steps-chart', 'points'));

async function waitForFile(path: string, child: { exitCode: number | null }): Promise<void> {
  while (!existsSync(path)) {
    if (child.exitCode !== null) throw new Error(`the training process exited (${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('while a run trains, the step chart grows before the first epoch ends; no 404, the banner said once', async () => {
  const explorer = await startExplorer({ runDir, port: 0, testImages: 100 });
  const gates = mkdtempSync(join(tmpdir(), 'vk-gates-'));
  const script = join(import.meta.dirname, 'gated-train.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, runDir, gates, '20,50'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const { page, errors } = await openPage(browser, `${explorer.url}?backend=wasm`);
    await waitForState(page, 'no-checkpoint');
    assert.equal(await page.textContent('#banner'), BANNER);

    // paused at step 20 of the first epoch's 90: steps.jsonl has a line per step, metrics.jsonl none
    await waitForFile(join(gates, 'at-20'), child);
    await page.waitForFunction(
      () => Number(document.getElementById('steps-chart')!.dataset.points) >= 2,
      null,
      {
        timeout: 30_000,
      },
    );
    const first = await stepPoints(page);
    assert.match(
      (await page.textContent('#steps-status')) ?? '',
      /^step \d+ · epoch 1 of 1 · training −ELBO \d/,
    );
    assert.ok(colours(await pixels(page, 'steps-chart')).has(rgb('#4e79a7')), 'the run drawn in its colour');

    // on to step 50, still in the first epoch: the curve grows
    writeFileSync(join(gates, 'go-20'), '');
    await waitForFile(join(gates, 'at-50'), child);
    await page.waitForFunction(
      (n) => Number(document.getElementById('steps-chart')!.dataset.points) > n,
      first,
      { timeout: 30_000 },
    );
    await page.waitForFunction(() =>
      /^step 50 · /.test(document.getElementById('steps-status')!.textContent ?? ''),
    );
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'no-checkpoint');
    // several polls later, the banner still says it once
    const banner = (await page.textContent('#banner')) ?? '';
    assert.equal(banner, BANNER);
    assert.equal(banner.split('training in progress?').length - 1, 1);

    // the epoch ends: the checkpoint is loaded, the banner goes, the test value of the epoch is drawn
    writeFileSync(join(gates, 'go-50'), '');
    await waitForState(page, 'ready');
    assert.match((await page.textContent('#info-checkpoint')) ?? '', /^step-\d{9} \(epoch 1\)$/);
    assert.equal(await page.locator('#banner').isVisible(), false);
    assert.equal(await exited, 0, stderr);
    await page.waitForFunction(() =>
      /^step 90 · /.test(document.getElementById('steps-status')!.textContent ?? ''),
    );
    assert.equal(await stepPoints(page), 90);
    assert.match((await page.locator('#steps-legend').textContent()) ?? '', /run/);
    assert.deepEqual(errors, [], 'no console errors: no 404 while there was no checkpoint');
    await page.close();
  } finally {
    if (child.exitCode === null) child.kill();
    await explorer.close();
  }
});

test('the step chart: smoothing draws the raw curve faint behind, a log scale, zoom by a dragged box', async () => {
  const explorer = await startExplorer({ runDir, port: 0, testImages: 100 });
  try {
    const { page, errors } = await openPage(browser, `${explorer.url}?backend=wasm`);
    await waitForState(page, 'ready');
    await page.waitForFunction(() => Number(document.getElementById('steps-chart')!.dataset.points) === 90);
    const smoothed = await pixels(page, 'steps-chart');
    const slider = page.locator('#steps-smoothing');
    await slider.focus();
    await page.keyboard.press('Home');
    assert.equal(await page.textContent('#steps-smoothing-value'), '0.00');
    const raw = await pixels(page, 'steps-chart');
    assert.ok(changed(smoothed.data, raw.data) > 100, 'smoothing changes the curve');
    await page.keyboard.press('End');
    assert.equal(await page.textContent('#steps-smoothing-value'), '0.99');

    // log scale: every −ELBO is positive, nothing skipped
    await page.check('#steps-log');
    assert.equal(await dataset(page, 'steps-chart', 'skipped'), '0');
    assert.ok(changed(raw.data, (await pixels(page, 'steps-chart')).data) > 100, 'the log axis redraws');
    assert.doesNotMatch((await page.textContent('#steps-status')) ?? '', /not shown|no positive/);
    await page.uncheck('#steps-log');

    // a box dragged over the plot zooms into it; double-click shows everything again
    assert.equal(await page.isDisabled('#steps-reset'), true);
    const box = (await page.locator('#steps-chart').boundingBox())!;
    await page.mouse.move(box.x + 200, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + 400, box.y + 200, { steps: 5 });
    await page.mouse.up();
    assert.equal(await dataset(page, 'steps-chart', 'zoomed'), 'true');
    assert.equal(await page.isDisabled('#steps-reset'), false);
    // another metric keeps the steps zoomed but not the y range of the last one: its curve is in view
    const metrics = await page.$$eval('#steps-metric option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    const kl = metrics.find((m) => /kl/i.test(m));
    assert.ok(kl, `a KL metric among ${metrics}`);
    await page.selectOption('#steps-metric', kl);
    assert.ok(colours(await pixels(page, 'steps-chart')).has(rgb('#4e79a7')), 'the KL curve is drawn');
    assert.equal(await dataset(page, 'steps-chart', 'zoomed'), 'true', 'the steps stay zoomed');
    await page.locator('#steps-chart').dblclick({ position: { x: 300, y: 150 } });
    assert.equal(await dataset(page, 'steps-chart', 'zoomed'), 'false');
    assert.equal(await page.isDisabled('#steps-reset'), true);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await explorer.close();
  }
});

test('two runs served together: both in the chart and its legend, and two sample grids at one seed and temperature', async () => {
  const other = join(mkdtempSync(join(tmpdir(), 'vk-web-')), 'beta');
  await trainRun({ dir: other, config: { ...tinyRunConfig(), seed: 11 }, stepsLogMs: 0 });
  const explorer = await startExplorer({ runDirs: [runDir, other], port: 0, testImages: 100 });
  try {
    const { page, errors } = await openPage(browser, `${explorer.url}?backend=wasm`);
    await waitForState(page, 'ready');
    const entries = page.locator('#steps-legend .run-entry');
    assert.equal(await entries.count(), 2);
    assert.equal(await entries.nth(0).textContent(), 'run (main)');
    assert.equal(await entries.nth(1).textContent(), 'beta');
    await page.waitForFunction(() => Number(document.getElementById('steps-chart')!.dataset.points) === 180);
    const chart = colours(await pixels(page, 'steps-chart'));
    assert.ok(chart.has(rgb('#4e79a7')) && chart.has(rgb('#f28e2b')), 'one colour per run');

    assert.equal(await page.isVisible('#compare-panel'), true);
    const rendered = () =>
      page.waitForFunction(() =>
        [0, 1].every((k) => document.getElementById(`compare-samples-${k}`)?.dataset.rendered),
      );
    await rendered();
    const a = await pixels(page, 'compare-samples-0');
    const b = await pixels(page, 'compare-samples-1');
    assert.equal(a.width, 4 * 58 + 2);
    assert.ok(spread(tile(a, 0, 0, 56)) > 50 && spread(tile(b, 0, 0, 56)) > 50, 'samples, not blank grids');
    assert.ok(changed(a.data, b.data) > 1000, 'two models, two different grids');
    assert.match(
      (await page.textContent('#compare-samples')) ?? '',
      /run.*step-\d{9} \(epoch 1\).*beta.*step-\d{9}/s,
    );

    // the main panel's temperature applies to both: at t = 0 every sample of a run is the same image
    await page.locator('#samples-temperature').focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() =>
      [0, 1].every((k) =>
        document.getElementById(`compare-samples-${k}`)!.dataset.rendered!.endsWith('-0-0'),
      ),
    );
    for (const k of [0, 1]) {
      const cold = await pixels(page, `compare-samples-${k}`);
      assert.deepEqual(tile(cold, 0, 0, 56), tile(cold, 3, 3, 56), `run ${k} at temperature 0`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await explorer.close();
  }
});

test('a run trained before steps.jsonl existed: the chart shows its training means per epoch, and says so', async () => {
  const old = join(mkdtempSync(join(tmpdir(), 'vk-web-')), 'old');
  await trainRun({ dir: old, config: tinyRunConfig() });
  rmSync(join(old, 'steps.jsonl'));
  const explorer = await startExplorer({ runDir: old, port: 0, testImages: 100 });
  try {
    const { page, errors } = await openPage(browser, `${explorer.url}?backend=wasm`);
    await waitForState(page, 'ready');
    await page.waitForFunction(() => document.getElementById('steps-chart')!.dataset.points === '1');
    assert.match(
      (await page.textContent('#steps-status')) ?? '',
      /^step 90 · .* per epoch: this run has no steps\.jsonl/,
    );
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await explorer.close();
  }
});

test('a log scale leaves out the values ≤ 0 and says how many; a metric with none positive is said to have none', async () => {
  const dir = emptyRun();
  // a hand-written step log: loss crosses 0 (3 values ≤ 0), gap is negative throughout
  const lines = Array.from({ length: 10 }, (_, i) =>
    JSON.stringify({ step: i + 1, epoch: 1, time: 1.8e9 + i, steps: 1, train: { loss: i - 2, gap: -1 - i } }),
  );
  writeFileSync(join(dir, 'steps.jsonl'), `${lines.join('\n')}\n`);
  const explorer = await startExplorer({ runDir: dir, port: 0, testImages: 20 });
  try {
    const { page, errors } = await openPage(browser, `${explorer.url}?backend=wasm`);
    await waitForState(page, 'no-checkpoint');
    await page.waitForFunction(() => document.getElementById('steps-chart')!.dataset.points === '10');
    await page.selectOption('#steps-metric', 'loss');
    await page.check('#steps-log');
    assert.equal(await dataset(page, 'steps-chart', 'skipped'), '3');
    assert.match((await page.textContent('#steps-status')) ?? '', /log scale: 3 values ≤ 0 not shown/);
    await page.selectOption('#steps-metric', 'gap');
    assert.match(
      (await page.textContent('#steps-status')) ?? '',
      /log scale: gap has no positive values to show/,
    );
    await page.uncheck('#steps-log');
    assert.doesNotMatch((await page.textContent('#steps-status')) ?? '', /log scale/);
    assert.equal(await dataset(page, 'steps-chart', 'points'), '10');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await explorer.close();
  }
});
