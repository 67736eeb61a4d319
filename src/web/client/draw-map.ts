import { axes, CLASS_COLOURS, context, FRAME_MARGIN, frame, ink, niceTicks } from './draw.js';

/** The plot is a square of this many CSS pixels, in a frame with room for the tick labels (draw.ts). */
const PLOT = 360;
const TOP = 8;
export const MAP_WIDTH = FRAME_MARGIN.left + PLOT + FRAME_MARGIN.right;
export const MAP_HEIGHT = TOP + PLOT + FRAME_MARGIN.bottom;

export interface MapSpec {
  /** (a, b) of each point, row after row. */
  points: Float32Array;
  labels: number[] | null;
  /** The plot shows a ∈ [−half₀, half₀], b ∈ [−half₁, half₁]. */
  half: [number, number];
  /** The dashed rectangle: the extent of the decoded grid. */
  extent: [number, number];
  names: [string, string];
  /** The current z, ringed. */
  marker: [number, number] | null;
}

/** How a drawn map relates CSS pixels (as laid out, `shown` pixels wide) to plane coordinates. */
export interface MapView {
  half: [number, number];
  toData(px: number, py: number, shown: number): [number, number];
  toPixels(a: number, b: number): [number, number];
}

/** The scatter of the points coloured by class, with axis ticks, the grid's extent and the marker. */
export function drawMap(canvas: HTMLCanvasElement, spec: MapSpec): MapView {
  const ctx = context(canvas, MAP_WIDTH, MAP_HEIGHT);
  const colours = ink();
  const { half } = spec;
  const f = frame(ctx, TOP, [-half[0], half[0]], [-half[1], half[1]]);
  const [sx, sy] = [f.x, f.y];
  ctx.fillStyle = colours.plot;
  ctx.fillRect(f.left, f.top, PLOT, PLOT);
  const ticks = (h: number) => niceTicks(-h, h, 6);
  axes(f, ticks(half[0]), ticks(half[1]), `${spec.names[0]} →`, {
    xGrid: true,
    yLabel: `${spec.names[1]} →`,
  });

  ctx.save();
  ctx.beginPath();
  ctx.rect(f.left, f.top, PLOT, PLOT);
  ctx.clip();
  ctx.globalAlpha = 0.8;
  for (let i = 0; i < spec.points.length / 2; i++) {
    ctx.fillStyle = CLASS_COLOURS[(spec.labels?.[i] ?? 0) % CLASS_COLOURS.length];
    ctx.beginPath();
    ctx.arc(sx(spec.points[2 * i]), sy(spec.points[2 * i + 1]), 2.2, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = colours.text;
  ctx.setLineDash([4, 4]);
  const [e0, e1] = spec.extent;
  ctx.strokeRect(sx(-e0), sy(e1), sx(e0) - sx(-e0), sy(-e1) - sy(e1));
  ctx.setLineDash([]);
  if (spec.marker) {
    const [x, y] = [sx(spec.marker[0]), sy(spec.marker[1])];
    ctx.lineWidth = 2;
    ctx.strokeStyle = colours.marker;
    ctx.beginPath();
    ctx.arc(x, y, 7, 0, 2 * Math.PI);
    ctx.moveTo(x - 11, y);
    ctx.lineTo(x - 4, y);
    ctx.moveTo(x + 4, y);
    ctx.lineTo(x + 11, y);
    ctx.stroke();
  }
  ctx.restore();

  return {
    half,
    toData(px, py, shown) {
      const scale = MAP_WIDTH / shown;
      const [x, y] = [px * scale, py * scale];
      return [((x - f.left) / PLOT) * 2 * half[0] - half[0], half[1] - ((y - f.top) / PLOT) * 2 * half[1]];
    },
    toPixels: (a, b) => [sx(a), sy(b)],
  };
}

/** Index of the point nearest (px, py) within `radius` CSS pixels of the map as laid out, or −1. */
export function nearestPoint(
  view: MapView,
  points: Float32Array,
  px: number,
  py: number,
  shown: number,
  radius: number,
): number {
  const scale = MAP_WIDTH / shown;
  const [x, y] = [px * scale, py * scale];
  let best = -1;
  let bestDistance = (radius * scale) ** 2;
  for (let i = 0; i < points.length / 2; i++) {
    const [qx, qy] = view.toPixels(points[2 * i], points[2 * i + 1]);
    const d = (qx - x) ** 2 + (qy - y) ** 2;
    if (d <= bestDistance) [best, bestDistance] = [i, d];
  }
  return best;
}
