import type { Pixels } from './model.js';

/** Colours of the ten classes (Tableau 10), shared by the latent map and its legend. */
export const CLASS_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The theme's colours for drawing on canvases (style.css sets them for light and dark schemes). */
export function ink() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    gap: v('--canvas-gap'),
    plot: v('--canvas-bg'),
    axis: v('--muted'),
    gridline: v('--gridline'),
    text: v('--text'),
    marker: v('--marker'),
  };
}

/** The canvas's size in CSS pixels, as `context` set it (its backing store is devicePixelRatio times larger). */
export function cssSize(canvas: HTMLCanvasElement): [number, number] {
  return [Number(canvas.dataset.width ?? canvas.width), Number(canvas.dataset.height ?? canvas.height)];
}

/**
 * The canvas resized to width × height CSS pixels (which clears it) and a context that draws in CSS
 * pixels: the backing store has devicePixelRatio times as many, so lines and text stay sharp on HiDPI
 * screens, and images magnified without smoothing stay crisp.
 */
export function context(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = Math.min(4, Math.max(1, globalThis.devicePixelRatio || 1));
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.dataset.width = String(width);
  canvas.dataset.height = String(height);
  canvas.style.width = `${width}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(canvas.width / width, 0, 0, canvas.height / height, 0, 0);
  ctx.imageSmoothingEnabled = false;
  return ctx;
}

/** One image (index i) as RGBA bytes; grey images are repeated over the three colour channels. */
function imageData(pixels: Pixels, i: number): ImageData {
  const [h, w, c] = pixels.shape;
  const out = new ImageData(w, h);
  const base = i * h * w * c;
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) {
      const v = pixels.data[base + p * c + (c === 1 ? 0 : k)];
      out.data[4 * p + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    out.data[4 * p + 3] = 255;
  }
  return out;
}

/** Images in a grid of `cols` columns, each magnified `scale` times (nearest neighbour) with a 2 px gap. */
export function drawImageGrid(canvas: HTMLCanvasElement, pixels: Pixels, cols: number, scale: number): void {
  const [h, w] = pixels.shape;
  const gap = 2;
  const rows = Math.ceil(pixels.count / cols);
  const ctx = context(canvas, cols * (w * scale + gap) + gap, rows * (h * scale + gap) + gap);
  ctx.fillStyle = ink().gap;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const tile = document.createElement('canvas');
  tile.width = w;
  tile.height = h;
  const tctx = tile.getContext('2d')!;
  for (let i = 0; i < pixels.count; i++) {
    tctx.putImageData(imageData(pixels, i), 0, 0);
    const x = gap + (i % cols) * (w * scale + gap);
    const y = gap + Math.floor(i / cols) * (h * scale + gap);
    ctx.drawImage(tile, x, y, w * scale, h * scale);
  }
}

export interface Series {
  label: string;
  colour: string;
  dashed?: boolean;
  points: [number, number][];
}

/** Maps data ranges onto a canvas with margins for the axes' labels. */
export interface Frame {
  ctx: CanvasRenderingContext2D;
  x: (v: number) => number;
  y: (v: number) => number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const FONT = '11px system-ui, sans-serif';

/** Round numbers 1, 2, 5 × 10ᵏ covering [lo, hi] with about `count` ticks. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((s) => s * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Room (CSS px) a frame leaves left of, right of and below its plot for tick labels and the x label. */
export const FRAME_MARGIN = { left: 48, right: 12, bottom: 34 };

export function frame(
  ctx: CanvasRenderingContext2D,
  top: number,
  xRange: [number, number],
  yRange: [number, number],
): Frame {
  const [width, height] = cssSize(ctx.canvas);
  const [left, right, bottom] = [FRAME_MARGIN.left, width - FRAME_MARGIN.right, height - FRAME_MARGIN.bottom];
  const span = (r: [number, number]) => r[1] - r[0] || 1;
  return {
    ctx,
    left,
    right,
    top,
    bottom,
    x: (v) => left + ((v - xRange[0]) / span(xRange)) * (right - left),
    y: (v) => bottom - ((v - yRange[0]) / span(yRange)) * (bottom - top),
  };
}

/** A line sample of each series and its label, in rows above the plot; returns the height used. */
function legend(ctx: CanvasRenderingContext2D, series: Series[], left: number, right: number): number {
  ctx.font = FONT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 2;
  let [x, y] = [left, 10];
  for (const s of series) {
    const width = 26 + ctx.measureText(s.label).width + 16;
    if (x + width > right && x > left) [x, y] = [left, y + 16];
    ctx.strokeStyle = s.colour;
    ctx.setLineDash(s.dashed ? [5, 4] : []);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 20, y);
    ctx.stroke();
    ctx.fillStyle = ink().text;
    ctx.fillText(s.label, x + 26, y);
    x += width;
  }
  ctx.setLineDash([]);
  return y + 14;
}

/**
 * Tick labels and horizontal grid lines; with `opts.xGrid` vertical grid lines at the x ticks too, and
 * with `opts.yLabel` the y axis's name, written upwards left of the tick labels.
 */
export function axes(
  f: Frame,
  xTicks: number[],
  yTicks: number[],
  xLabel: string,
  opts: { xGrid?: boolean; yLabel?: string } = {},
): void {
  const { ctx } = f;
  ctx.font = FONT;
  const colours = ink();
  ctx.fillStyle = colours.axis;
  ctx.strokeStyle = colours.gridline;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yTicks) {
    ctx.beginPath();
    ctx.moveTo(f.left, Math.round(f.y(t)) + 0.5);
    ctx.lineTo(f.right, Math.round(f.y(t)) + 0.5);
    ctx.stroke();
    ctx.fillText(String(t), f.left - 6, f.y(t));
  }
  if (opts.xGrid) {
    for (const t of xTicks) {
      ctx.beginPath();
      ctx.moveTo(Math.round(f.x(t)) + 0.5, f.top);
      ctx.lineTo(Math.round(f.x(t)) + 0.5, f.bottom);
      ctx.stroke();
    }
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of xTicks) ctx.fillText(String(t), f.x(t), f.bottom + 5);
  ctx.fillText(xLabel, (f.left + f.right) / 2, f.bottom + 20);
  if (opts.yLabel) {
    ctx.save();
    ctx.translate(10, (f.top + f.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(opts.yLabel, 0, 0);
    ctx.restore();
  }
}

/** Line chart of several series over a shared x axis (integer ticks), with the legend above it. */
export function drawLineChart(
  canvas: HTMLCanvasElement,
  size: [number, number],
  series: Series[],
  xLabel: string,
): void {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xRange: [number, number] = [Math.min(...xs), Math.max(Math.min(...xs) + 1, ...xs)];
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const yRange: [number, number] = [Math.min(yTicks[0], ...ys), Math.max(yTicks.at(-1)!, ...ys)];
  const ctx = context(canvas, size[0], size[1]);
  const f = frame(ctx, legend(ctx, series, 48, size[0] - 12) + 6, xRange, yRange);
  axes(f, niceTicks(xRange[0], xRange[1], 6).filter(Number.isInteger), yTicks, xLabel);
  ctx.lineWidth = 2;
  for (const s of series) {
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.setLineDash(s.dashed ? [5, 4] : []);
    ctx.beginPath();
    for (const [x, y] of s.points) ctx.lineTo(f.x(x), f.y(y));
    ctx.stroke();
    for (const [x, y] of s.points) ctx.fillRect(f.x(x) - 2, f.y(y) - 2, 4, 4);
  }
  ctx.setLineDash([]);
}

/** Bars of one value per latent dimension; `highlight` bars drawn in the accent colour. */
export function drawBarChart(
  canvas: HTMLCanvasElement,
  size: [number, number],
  values: ArrayLike<number>,
  highlight: ReadonlySet<number>,
): void {
  const n = values.length;
  const yTicks = niceTicks(0, Math.max(1e-6, ...Array.from(values)));
  const f = frame(context(canvas, size[0], size[1]), 12, [-0.5, n - 0.5], [0, yTicks.at(-1)!]);
  const every = Math.ceil(n / 16);
  axes(
    f,
    Array.from({ length: n }, (_, i) => i).filter((i) => i % every === 0),
    yTicks,
    'latent dimension',
  );
  const width = Math.max(1, ((f.right - f.left) / n) * 0.7);
  for (let i = 0; i < n; i++) {
    f.ctx.fillStyle = highlight.has(i) ? '#f28e2b' : '#4e79a7';
    f.ctx.fillRect(f.x(i) - width / 2, f.y(values[i]), width, f.y(0) - f.y(values[i]));
  }
}

/** Dark blue at 0 to the accent colour at 1. */
export function heat(t: number): string {
  const mix = (a: number, b: number) => Math.round(a + (b - a) * Math.min(1, Math.max(0, t)));
  return `rgb(${mix(18, 242)}, ${mix(28, 142)}, ${mix(48, 43)})`;
}

/**
 * A matrix as coloured cells: column j = x value xs[j], row i (top to bottom) = row i of `rows`; the colour
 * runs from 0 to the largest value, which is written in the corner.
 */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  size: [number, number],
  xs: number[],
  rows: number[][],
  xLabel: string,
  unit: string,
): void {
  const ctx = context(canvas, size[0], size[1]);
  const max = Math.max(1e-9, ...rows.flat());
  const f = frame(ctx, 22, [xs[0] - 0.5, xs.at(-1)! + 0.5], [rows.length - 0.5, -0.5]);
  const every = Math.ceil(rows.length / 10);
  axes(
    f,
    niceTicks(xs[0], xs.at(-1)!, 6).filter(Number.isInteger),
    rows.map((_, i) => i).filter((i) => i % every === 0),
    xLabel,
  );
  const [w, h] = [f.x(1) - f.x(0), f.y(1) - f.y(0)];
  rows.forEach((row, i) => {
    for (const [j, v] of row.entries()) {
      ctx.fillStyle = heat(v / max);
      ctx.fillRect(f.x(xs[j]) - w / 2, f.y(i) - h / 2, Math.ceil(w), Math.ceil(h));
    }
  });
  ctx.fillStyle = ink().text;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(`0`, f.left, 10);
  const gradient = ctx.createLinearGradient(f.left + 12, 0, f.left + 112, 0);
  gradient.addColorStop(0, heat(0));
  gradient.addColorStop(1, heat(1));
  ctx.fillStyle = gradient;
  ctx.fillRect(f.left + 12, 5, 100, 10);
  ctx.fillStyle = ink().text;
  ctx.fillText(`${max.toFixed(2)} ${unit}`, f.left + 118, 10);
}
