/** What the explorer's browser tests share: Debian's chromium through playwright-core, and canvas pixels. */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface CanvasPixels {
  width: number;
  height: number;
  /** RGBA bytes, row after row. */
  data: Uint8Array;
}

/** Headless chromium with a fresh temporary profile of its own (playwright's --user-data-dir). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Debian's chromium at ${CHROMIUM}: apt-get install chromium`);
  }
  return chromium.launch({
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
}

/**
 * A page that records console errors and uncaught exceptions (a CSP violation shows up as one), but
 * for console messages matching `ignore`.
 */
export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = { viewport: { width: 1480, height: 900 } },
  ignore?: RegExp,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage(options);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !ignore?.test(m.text())) errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

export const waitForState = (page: Page, state: string, timeout = 60_000) =>
  page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout });

/** The values of the latent sliders, in order. */
export const sliderValues = (page: Page) =>
  page.$$eval('#sliders input[type=range]', (inputs) =>
    inputs.map((i) => Number((i as HTMLInputElement).value)),
  );

/** A canvas's pixels, sent from the page as base64 (a plain array of numbers takes seconds). */
export async function pixels(page: Page, id: string): Promise<CanvasPixels> {
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
export function tile(p: CanvasPixels, col: number, row: number, size: number): number[] {
  const out: number[] = [];
  const [x0, y0] = [2 + col * (size + 2), 2 + row * (size + 2)];
  for (let y = y0; y < y0 + size; y++)
    for (let x = x0; x < x0 + size; x++) out.push(p.data[4 * (y * p.width + x)]);
  return out;
}

export const spread = (v: ArrayLike<number>) => {
  const a = Array.from(v);
  return a.reduce((m, x) => Math.max(m, x), 0) - a.reduce((m, x) => Math.min(m, x), 255);
};
export const changed = (a: ArrayLike<number>, b: ArrayLike<number>, by = 10) =>
  Array.from(a).filter((x, i) => Math.abs(x - b[i]) > by).length;
export const colours = (p: CanvasPixels) => {
  const set = new Set<number>();
  for (let i = 0; i < p.data.length; i += 4)
    set.add((p.data[i] << 16) | (p.data[i + 1] << 8) | p.data[i + 2]);
  return set;
};
export const rgb = (hex: string) => Number.parseInt(hex.slice(1), 16);
