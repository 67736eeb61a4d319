import { byId, type LatentContext } from './context.js';
import { CLASS_COLOURS, drawImageGrid, drawScatter } from './draw.js';
import { pointInPlane, project } from './latent-math.js';
import { decodeLatents } from './model.js';

const MAP_SIZE = 360;
/** Decoded images per side of the grid over the plane, and how far (in standard deviations) it reaches. */
const GRID = 12;
const GRID_REACH = 2;
/** The scatter shows ±3 standard deviations along each principal direction. */
const MAP_REACH = 3;

/**
 * The test images' latent means projected on their first two principal directions, coloured by label,
 * beside the images decoded on a regular grid over the same plane. A click on the map sends that
 * latent point to the sliders.
 */
export function latentMapPanel(onPick: (z: Float32Array, what: string) => void) {
  const map = byId<HTMLCanvasElement>('map-canvas');
  const grid = byId<HTMLCanvasElement>('plane-canvas');
  const legend = byId('map-legend');
  const note = byId('map-note');
  let ctx: LatentContext;
  let marker: [number, number] | null = null;
  let toData: (px: number, py: number) => [number, number] = () => [0, 0];

  const drawMap = () => {
    const plane = ctx.plane!;
    const half: [number, number] = [MAP_REACH * plane.spread[0], MAP_REACH * plane.spread[1]];
    const points = project(ctx.encoded.means, plane);
    toData = drawScatter(map, MAP_SIZE, points, ctx.images.labels, half, marker).toData;
  };

  map.addEventListener('click', (e) => {
    if (!ctx?.plane) return;
    const r = map.getBoundingClientRect();
    marker = toData(((e.clientX - r.left) / r.width) * MAP_SIZE, ((e.clientY - r.top) / r.height) * MAP_SIZE);
    drawMap();
    const [a, b] = marker;
    onPick(pointInPlane(ctx.plane, a, b), `z from the latent map: (${a.toFixed(2)}, ${b.toFixed(2)})`);
  });

  const drawLegend = () => {
    const labels = ctx.images.labels;
    legend.replaceChildren(
      ...(labels ? [...new Set(labels)].sort((a, b) => a - b) : []).map((label) => {
        const item = document.createElement('span');
        const swatch = document.createElement('i');
        swatch.style.background = CLASS_COLOURS[label % CLASS_COLOURS.length];
        item.append(swatch, String(label));
        return item;
      }),
    );
  };

  /** Row r, column c of the grid decodes x̄ + a·v₁ + b·v₂, a left to right, b top to bottom (as on the map). */
  const drawPlaneGrid = () => {
    const plane = ctx.plane!;
    const coord = (i: number, spread: number) => (-1 + (2 * i) / (GRID - 1)) * GRID_REACH * spread;
    const zs = Array.from({ length: GRID * GRID }, (_, k) =>
      pointInPlane(plane, coord(k % GRID, plane.spread[0]), -coord(Math.floor(k / GRID), plane.spread[1])),
    );
    drawImageGrid(grid, decodeLatents(ctx.model, zs, ctx.label()), GRID, 1);
  };

  return {
    show(c: LatentContext) {
      ctx = c;
      if (!c.plane) {
        note.textContent = 'The map needs at least two latent dimensions.';
        return;
      }
      const [s1, s2] = c.plane.spread;
      note.textContent =
        `${c.images.count} test images; principal directions with standard deviations ` +
        `${s1.toFixed(2)} and ${s2.toFixed(2)}. Click the map to decode that point with the sliders.`;
      drawMap();
      drawLegend();
      drawPlaneGrid();
    },
  };
}
