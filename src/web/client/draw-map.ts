import { CLASS_COLOURS, context, ink, niceTicks } from './draw.js';

/** The plot is a square of this many CSS pixels, with room for tick labels left of and below it. */
const PLOT = 360;
const LEFT = 44;
const BOTTOM = 34;
const PAD = 8;
export const MAP_WIDTH = LEFT + PLOT + PAD;
export const MAP_HEIGHT = PAD + PLOT + BOTTOM;

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
  const sx = (a: number) => LEFT + ((a + half[0]) / (2 * half[0])) * PLOT;
  const sy = (b: number) => PAD + ((half[1] - b) / (2 * half[1])) * PLOT;
  ctx.fillStyle = colours.plot;
  ctx.fillRect(LEFT, PAD, PLOT, PLOT);

  // ticks and their grid lines, with the axes' names
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = colours.axis;
  ctx.strokeStyle = colours.gridline;
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(-half[0], half[0], 6)) {
    const x = Math.round(sx(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, PAD);
    ctx.lineTo(x, PAD + PLOT);
    ctx.stroke();
    ctx.fillText(String(t), x, PAD + PLOT + 4);
  }
  ctx.fillText(`${spec.names[0]} →`, LEFT + PLOT / 2, PAD + PLOT + 18);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(-half[1], half[1], 6)) {
    const y = Math.round(sy(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(LEFT, y);
    ctx.lineTo(LEFT + PLOT, y);
    ctx.stroke();
    ctx.fillText(String(t), LEFT - 5, y);
  }
  ctx.save();
  ctx.translate(10, PAD + PLOT / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(`${spec.names[1]} →`, 0, 0);
  ctx.restore();

  ctx.save();
  ctx.beginPath();
  ctx.rect(LEFT, PAD, PLOT, PLOT);
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
      return [((x - LEFT) / PLOT) * 2 * half[0] - half[0], half[1] - ((y - PAD) / PLOT) * 2 * half[1]];
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
