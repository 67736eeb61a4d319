/**
 * A line chart one can read like TensorBoard's: each curve smoothed (exponential moving average, the raw
 * curve faint behind it), a linear or log10 y axis, and zoom — drag a box (or along the x axis) to zoom
 * into it, double-click to see everything again. Drawn in CSS pixels on a canvas set up by draw.ts's
 * `context`; text and grid take the page's theme colours (its CSS variables).
 */
import {
  logTicks,
  type Point,
  padded,
  positivePoints,
  rangeOfPixels,
  smooth,
  yExtent,
} from './curve-math.js';
import { context, niceTicks } from './draw.js';

export interface ChartSeries {
  /** Points in x order. */
  points: Point[];
  colour: string;
  /** A curve (smoothed when asked), or markers only (e.g. one test value per epoch). */
  style: 'line' | 'markers';
}

export interface ChartData {
  series: ChartSeries[];
  xLabel: string;
  /** EMA weight of the curves, 0 … 0.99. */
  smoothing: number;
  log: boolean;
  /** What the y axis measures (the metric): a zoomed y range does not carry over to another. */
  yKey?: string;
}

/** The zoomed ranges (null: everything), per axis. */
interface View {
  x: [number, number] | null;
  y: [number, number] | null;
}

const MARGIN = { left: 56, right: 14, top: 10, bottom: 36 };
/** A drag shorter than this (CSS px) is a click, not a box; a box flatter than it zooms x only. */
const MIN_DRAG = 6;

const themed = (name: string, fallback: string) =>
  getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

const label = (v: number) => {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
};

/**
 * An interactive chart on `canvas`, size w × h CSS pixels. `draw(data)` replaces what it shows (the zoom
 * stays); `onView` is told when the zoom changes. The canvas's dataset says what is drawn, for tests:
 * `points` (the curve points drawn), `zoomed`, `skipped` (values a log axis could not show).
 */
export function interactiveChart(
  canvas: HTMLCanvasElement,
  [w, h]: [number, number],
  onView?: (zoomed: boolean) => void,
) {
  let data: ChartData | null = null;
  let view: View = { x: null, y: null };
  /** The ranges last drawn, for turning a dragged box into data ranges. */
  let shown: { x: [number, number]; y: [number, number]; log: boolean } | null = null;
  let drag: { x0: number; y0: number; x1: number; y1: number } | null = null;
  const plot = { left: MARGIN.left, right: w - MARGIN.right, top: MARGIN.top, bottom: h - MARGIN.bottom };

  const draw = () => {
    const ctx = context(canvas, w, h);
    const [text, muted, line] = [
      themed('--text', '#ddd'),
      themed('--muted', '#888'),
      themed('--line', '#333'),
    ];
    ctx.font = '11px system-ui, sans-serif';
    canvas.dataset.points = '0';
    if (!data || data.series.every((s) => s.points.length === 0)) {
      shown = null;
      return;
    }
    const d = data;
    const smoothing = Math.min(Math.max(d.smoothing, 0), 0.99);
    let skipped = 0;
    const series = d.series.map((s) => {
      const raw = s.points;
      const smoothed = s.style === 'line' && smoothing > 0 ? smooth(raw, smoothing) : raw;
      if (!d.log) return { ...s, raw, smoothed };
      const a = positivePoints(raw);
      const b = positivePoints(smoothed);
      skipped += a.dropped;
      return { ...s, raw: a.kept, smoothed: b.kept };
    });
    canvas.dataset.skipped = String(skipped);
    const all = series.flatMap((s) => [...s.raw, ...s.smoothed]);
    if (all.length === 0) {
      shown = null;
      ctx.fillStyle = muted;
      ctx.fillText(
        'nothing to show on a log scale (no positive values)',
        plot.left,
        (plot.top + plot.bottom) / 2,
      );
      return;
    }
    const xs = all.map((p) => p[0]);
    const xFull: [number, number] = [Math.min(...xs), Math.max(...xs)];
    if (xFull[1] === xFull[0]) xFull[1] = xFull[0] + 1;
    const x = view.x ?? xFull;
    // y fits what is visible in the x range; the smoothed curves and markers matter, not the raw noise alone
    const y = view.y ?? padded(yExtent(all, x[0], x[1]) ?? yExtent(all) ?? [0, 1], d.log);
    shown = { x, y, log: d.log };
    const ly = (v: number) => (d.log ? Math.log10(v) : v);
    const px = (v: number) => plot.left + ((v - x[0]) / (x[1] - x[0] || 1)) * (plot.right - plot.left);
    const py = (v: number) =>
      plot.bottom - ((ly(v) - ly(y[0])) / (ly(y[1]) - ly(y[0]) || 1)) * (plot.bottom - plot.top);

    // grid and ticks
    ctx.strokeStyle = line;
    ctx.fillStyle = muted;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const yTicks = d.log ? logTicks(y[0], y[1]) : niceTicks(y[0], y[1]).filter((t) => t >= y[0] && t <= y[1]);
    for (const t of yTicks) {
      const yy = Math.round(py(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(plot.left, yy);
      ctx.lineTo(plot.right, yy);
      ctx.stroke();
      ctx.fillText(label(t), plot.left - 6, yy);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of niceTicks(x[0], x[1], 6).filter((t) => t >= x[0] && t <= x[1]))
      ctx.fillText(label(t), px(t), plot.bottom + 5);
    ctx.fillStyle = text;
    ctx.fillText(d.xLabel + (d.log ? ' · log y' : ''), (plot.left + plot.right) / 2, plot.bottom + 20);

    // the curves, clipped to the plot
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top);
    ctx.clip();
    let points = 0;
    const path = (pts: Point[]) => {
      ctx.beginPath();
      for (const [i, [a, b]] of pts.entries()) {
        if (i === 0) ctx.moveTo(px(a), py(b));
        else ctx.lineTo(px(a), py(b));
      }
      ctx.stroke();
    };
    for (const s of series) {
      ctx.strokeStyle = s.colour;
      ctx.fillStyle = s.colour;
      if (s.style === 'markers') {
        for (const [a, b] of s.raw) {
          ctx.beginPath();
          ctx.arc(px(a), py(b), 3.5, 0, 2 * Math.PI);
          ctx.fill();
        }
        continue;
      }
      points += s.raw.length;
      if (s.smoothed !== s.raw) {
        ctx.globalAlpha = 0.25;
        ctx.lineWidth = 1;
        path(s.raw);
        ctx.globalAlpha = 1;
      }
      ctx.lineWidth = 2;
      path(s.smoothed);
      // a lone point draws no line: a dot shows it
      if (s.smoothed.length === 1) ctx.fillRect(px(s.smoothed[0][0]) - 2, py(s.smoothed[0][1]) - 2, 4, 4);
    }
    ctx.restore();
    canvas.dataset.points = String(points);
    canvas.dataset.zoomed = String(view.x !== null || view.y !== null);

    if (drag) {
      ctx.strokeStyle = themed('--accent', '#f28e2b');
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1;
      const flat = Math.abs(drag.y1 - drag.y0) < MIN_DRAG;
      const [top, bottom] = flat ? [plot.top, plot.bottom] : [drag.y0, drag.y1];
      ctx.strokeRect(drag.x0, top, drag.x1 - drag.x0, bottom - top);
      ctx.setLineDash([]);
    }
  };

  /** The pointer's position on the chart in CSS pixels of the drawing (the canvas may be scaled by CSS). */
  const at = (e: MouseEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    const cx = ((e.clientX - r.left) / (r.width || w)) * w;
    const cy = ((e.clientY - r.top) / (r.height || h)) * h;
    return [Math.min(Math.max(cx, plot.left), plot.right), Math.min(Math.max(cy, plot.top), plot.bottom)];
  };
  const setView = (v: View) => {
    view = v;
    draw();
    onView?.(v.x !== null || v.y !== null);
  };

  // pointer events: a mouse, a pen or a finger drags the box (the canvas keeps the pointer while it does)
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || !shown) return;
    const [x, y] = at(e);
    drag = { x0: x, y0: y, x1: x, y1: y };
    canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    [drag.x1, drag.y1] = at(e);
    draw();
  });
  canvas.addEventListener('pointercancel', () => {
    drag = null;
    draw();
  });
  canvas.addEventListener('pointerup', () => {
    const box = drag;
    drag = null;
    if (!box || !shown) return;
    const dx = Math.abs(box.x1 - box.x0);
    const dy = Math.abs(box.y1 - box.y0);
    if (dx < MIN_DRAG) {
      draw();
      return;
    }
    const x = rangeOfPixels(box.x0, box.x1, [plot.left, plot.right], shown.x, false);
    // a flat drag zooms the steps only (y refits to what is visible)
    const y =
      dy < MIN_DRAG ? null : rangeOfPixels(box.y0, box.y1, [plot.bottom, plot.top], shown.y, shown.log);
    setView({ x, y });
  });
  canvas.addEventListener('dblclick', () => setView({ x: null, y: null }));

  return {
    draw(next: ChartData) {
      // a zoomed y range in other units (the log toggle) would mean nothing
      if (data && (next.log !== data.log || next.yKey !== data.yKey)) view = { ...view, y: null };
      data = next;
      draw();
    },
    resetZoom() {
      setView({ x: null, y: null });
    },
  };
}
