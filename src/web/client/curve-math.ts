/** The numbers behind the training charts, free of the DOM (tested in Node): smoothing, log scale, zoom ranges. */

export type Point = [number, number];

/**
 * Exponential moving average as TensorBoard draws it: s ← w·s + (1 − w)·y over the points in order,
 * divided by 1 − wⁿ so the first points are not pulled towards 0 (debiased). w = 0 is the raw curve;
 * a non-finite value is passed over (it keeps its place, unsmoothed, and does not poison the average).
 */
export function smooth(points: readonly Point[], weight: number): Point[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return points.map(([x, y]) => [x, y]);
  let s = 0;
  let n = 0;
  return points.map(([x, y]) => {
    if (!Number.isFinite(y)) return [x, y];
    s = w * s + (1 - w) * y;
    n++;
    return [x, s / (1 - w ** n)];
  });
}

/** Points a log-scaled axis can show (y > 0, finite), and how many it could not. */
export function positivePoints(points: readonly Point[]): { kept: Point[]; dropped: number } {
  const kept = points.filter(([, y]) => y > 0 && Number.isFinite(y));
  return { kept, dropped: points.length - kept.length };
}

/**
 * Ticks of a log10 axis over [lo, hi] (both > 0): 10ᵏ over many decades, 1, 2, 5 × 10ᵏ over a few, every
 * digit × 10ᵏ over less than one; at least two ticks (else evenly spaced round numbers).
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const [a, b] = [Math.floor(Math.log10(lo)), Math.ceil(Math.log10(hi))];
  const within = (mantissas: number[]) => {
    const ticks: number[] = [];
    for (let k = a; k <= b; k++)
      for (const m of mantissas) {
        const v = Number((m * 10 ** k).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
      }
    return ticks;
  };
  for (const mantissas of b - a > 2
    ? [[1], [1, 2, 5]]
    : [
        [1, 2, 5],
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
      ]) {
    const ticks = within(mantissas);
    if (ticks.length >= 2) return ticks;
  }
  // less than a digit's step: round numbers as on a linear axis
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 2 || hi));
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi * (1 + 1e-9); v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks.length >= 2 ? ticks : [lo, hi];
}

/** The smallest and largest finite y of the points with x in [x0, x1]; null when there is none. */
export function yExtent(points: readonly Point[], x0 = -Infinity, x1 = Infinity): [number, number] | null {
  let [lo, hi] = [Infinity, -Infinity];
  for (const [x, y] of points) {
    if (x < x0 || x > x1 || !Number.isFinite(y)) continue;
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A range with a little room, never empty (a flat curve gets ±5 % or ±1 around its value). */
export function padded([lo, hi]: [number, number], log: boolean): [number, number] {
  if (log) {
    const [a, b] = [Math.log10(lo), Math.log10(hi)];
    const pad = b > a ? (b - a) * 0.04 : 0.1;
    return [10 ** (a - pad), 10 ** (b + pad)];
  }
  const pad = hi > lo ? (hi - lo) * 0.04 : Math.abs(lo) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

/**
 * The data range a dragged box covers, from two pixel positions along an axis that maps `range` onto
 * [p0, p1] (p1 < p0 for a y axis drawn upwards), in linear or log10 units; sorted.
 */
export function rangeOfPixels(
  a: number,
  b: number,
  pixels: [number, number],
  range: [number, number],
  log: boolean,
): [number, number] {
  const [p0, p1] = pixels;
  const [r0, r1] = log ? [Math.log10(range[0]), Math.log10(range[1])] : range;
  const at = (p: number) => {
    const v = r0 + ((p - p0) / (p1 - p0)) * (r1 - r0);
    return log ? 10 ** v : v;
  };
  const [u, v] = [at(a), at(b)];
  return u <= v ? [u, v] : [v, u];
}
