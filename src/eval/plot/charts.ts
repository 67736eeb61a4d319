/**
 * Bar and line charts as PNG, with numbered axes (titles and legends go in the Markdown that shows them).
 */
import { Raster, type Rgb } from './raster.js';

export const COLORS: Record<string, Rgb> = {
  blue: [31, 119, 180],
  orange: [255, 127, 14],
  green: [44, 160, 44],
  red: [214, 39, 40],
  grey: [160, 160, 160],
};
const AXIS: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];

export interface ChartOptions {
  width?: number;
  height?: number;
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^n, about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

const label = (v: number) => {
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(0).replace('+', '');
  return String(Number(v.toPrecision(4)));
};

interface Frame {
  r: Raster;
  x0: number;
  y0: number;
  w: number;
  h: number;
  yMin: number;
  yMax: number;
  y: (v: number) => number;
}

/** Canvas, y grid and labels, axes: the plotting area is [x0, x0 + w] × [y0 − h, y0]. */
function frame(lo: number, hi: number, opts: ChartOptions): Frame {
  const width = opts.width ?? 640;
  const height = opts.height ?? 320;
  const ticks = niceTicks(lo, hi);
  const yMin = ticks[0];
  const yMax = ticks[ticks.length - 1];
  const left = 12 + Math.max(...ticks.map((t) => Raster.textWidth(label(t))));
  const r = new Raster(width, height);
  const f: Frame = {
    r,
    x0: left,
    y0: height - 24,
    w: width - left - 12,
    h: height - 24 - 10,
    yMin,
    yMax,
    y: (v) => f.y0 - ((v - yMin) / (yMax - yMin)) * f.h,
  };
  for (const t of ticks) {
    const y = f.y(t);
    r.line(f.x0, y, f.x0 + f.w, y, GRID);
    r.line(f.x0 - 4, y, f.x0, y, AXIS);
    r.text(f.x0 - 8 - Raster.textWidth(label(t)), y - 5, label(t), AXIS);
  }
  r.line(f.x0, f.y0, f.x0 + f.w, f.y0, AXIS);
  r.line(f.x0, f.y0, f.x0, f.y0 - f.h, AXIS);
  return f;
}

/** Labels under the x axis at `positions` (pixel x) reading `labels`, skipping any that would overlap. */
function xLabels(f: Frame, positions: number[], labels: string[]): void {
  let lastEnd = Number.NEGATIVE_INFINITY;
  positions.forEach((x, i) => {
    const w = 4 + labels[i].length * 8;
    if (x - w / 2 < lastEnd + 6) return;
    f.r.line(x, f.y0, x, f.y0 + 3, AXIS);
    f.r.text(x - w / 2 + 2, f.y0 + 8, labels[i], AXIS);
    lastEnd = x + w / 2;
  });
}

/** One bar per value (x labels 0..n−1), with an optional dashed horizontal reference line. */
export function barChart(
  values: number[],
  opts: ChartOptions & { color?: Rgb; highlight?: (i: number) => boolean; reference?: number } = {},
): Buffer {
  const f = frame(Math.min(0, ...values), Math.max(0, ...values, opts.reference ?? 0), opts);
  const slot = f.w / Math.max(1, values.length);
  const barW = Math.max(1, slot * 0.7);
  values.forEach((v, i) => {
    const top = f.y(Math.max(0, v));
    const bottom = f.y(Math.min(0, v));
    const color = opts.highlight && !opts.highlight(i) ? COLORS.grey : (opts.color ?? COLORS.blue);
    f.r.fillRect(f.x0 + i * slot + (slot - barW) / 2, top, barW, Math.max(1, bottom - top), color);
  });
  if (opts.reference !== undefined) {
    const y = f.y(opts.reference);
    for (let x = f.x0; x < f.x0 + f.w; x += 8) f.r.line(x, y, Math.min(x + 4, f.x0 + f.w), y, COLORS.red);
  }
  xLabels(
    f,
    values.map((_, i) => f.x0 + (i + 0.5) * slot),
    values.map((_, i) => String(i)),
  );
  return f.r.png();
}

export interface Series {
  /** y values at x = xStart, xStart + 1, …; null or NaN leaves a gap. */
  values: (number | null)[];
  color: Rgb;
}

/** Lines over a shared integer x axis starting at `xStart` (epochs: 1). */
export function lineChart(series: Series[], opts: ChartOptions & { xStart?: number } = {}): Buffer {
  const finite = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const pad = (hi - lo) * 0.05 || 1;
  const f = frame(lo - pad, hi + pad, opts);
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const xStart = opts.xStart ?? 1;
  const x = (i: number) => f.x0 + 8 + (i / (n - 1)) * (f.w - 16);
  for (const s of series) {
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const prev = s.values[i - 1];
      if (i > 0 && prev !== null && prev !== undefined && Number.isFinite(prev))
        f.r.line(x(i - 1), f.y(prev), x(i), f.y(v), s.color, 2);
      f.r.fillRect(x(i) - 2, f.y(v) - 2, 5, 5, s.color);
    });
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  xLabels(
    f,
    idx.map(x),
    idx.map((i) => String(i + xStart)),
  );
  return f.r.png();
}

/**
 * Overlaid histograms of several samples over one shared range, `bins` bins (counts on the y axis, round
 * values on the x axis); each sample's bars are drawn side by side within a bin.
 */
export function histogramChart(samples: Series[], opts: ChartOptions & { bins?: number } = {}): Buffer {
  const bins = opts.bins ?? 30;
  const finite = samples.map((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const all = finite.flat();
  const ticks = niceTicks(all.length ? Math.min(...all) : 0, all.length ? Math.max(...all) : 1, 6);
  const lo = ticks[0];
  const width = (ticks[ticks.length - 1] - lo) / bins;
  const counts = finite.map((values) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of values) c[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    return c;
  });
  const f = frame(0, Math.max(1, ...counts.flat()), opts);
  const slot = f.w / bins;
  const barW = Math.max(1, (slot * 0.9) / Math.max(1, samples.length));
  counts.forEach((c, s) => {
    c.forEach((n, i) => {
      if (n === 0) return;
      const top = f.y(n);
      f.r.fillRect(
        f.x0 + i * slot + slot * 0.05 + s * barW,
        top,
        barW,
        Math.max(1, f.y0 - top),
        samples[s].color,
      );
    });
  });
  xLabels(
    f,
    ticks.map((t) => f.x0 + ((t - lo) / width) * slot),
    ticks.map(label),
  );
  return f.r.png();
}
