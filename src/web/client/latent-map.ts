import { byId, type LatentContext, testImage } from './context.js';
import { CLASS_COLOURS, drawImageGrid } from './draw.js';
import { drawMap, type MapView, nearestPoint } from './draw-map.js';
import { pointInPlane, project, projectPoint } from './latent-math.js';
import { decodeLatents } from './model.js';

/** Decoded images per side of the grid over the plane, and how far (in standard deviations) it reaches. */
const GRID = 12;
const GRID_REACH = 2;
/** The scatter shows ±3 standard deviations along each axis of the plane. */
const MAP_REACH = 3;
/** A hovered point within this many CSS pixels of the pointer shows its image. */
const HOVER_PX = 8;
/** Arrow keys move the current z by this fraction of the map's half-width (Shift: five times as far). */
const KEY_STEP = 0.05;

/**
 * The test images' latent means on a plane — the latent's own z0 × z1 for a 2-dimensional latent, else
 * their first two principal directions — coloured by label, with the current z (the sliders') marked and
 * the ±2σ square the decoded grid beside it covers. Hovering a point shows its image and label; a click,
 * or the arrow keys when the map has focus, send that point of the plane to the sliders.
 */
export function latentMapPanel(onPick: (z: Float32Array, what: string) => void) {
  const map = byId<HTMLCanvasElement>('map-canvas');
  const grid = byId<HTMLCanvasElement>('plane-canvas');
  const legend = byId('map-legend');
  const note = byId('map-note');
  const caption = byId('map-caption');
  const gridCaption = byId('plane-caption');
  const tooltip = byId('map-tooltip');
  const tooltipImage = byId<HTMLCanvasElement>('map-tooltip-image');
  const tooltipText = byId('map-tooltip-text');
  let ctx: LatentContext | undefined;
  let points: Float32Array = new Float32Array(0);
  let view: MapView | undefined;
  /** The current z's coordinates in the plane. */
  let current: [number, number] | null = null;

  const redraw = () => {
    if (!ctx?.plane) return;
    const plane = ctx.plane;
    view = drawMap(map, {
      points,
      labels: ctx.images.labels,
      half: [MAP_REACH * plane.spread[0], MAP_REACH * plane.spread[1]],
      extent: [GRID_REACH * plane.spread[0], GRID_REACH * plane.spread[1]],
      names: plane.names,
      marker: current,
    });
    map.setAttribute(
      'aria-label',
      `Latent map of ${ctx.images.count} test images on ${plane.names.join(' × ')}` +
        (current ? `; current z at (${current[0].toFixed(2)}, ${current[1].toFixed(2)})` : '') +
        '. Arrow keys move z, Shift moves it further.',
    );
  };

  const pick = (a: number, b: number) => {
    if (!ctx?.plane) return;
    onPick(pointInPlane(ctx.plane, a, b), `z from the latent map: (${a.toFixed(2)}, ${b.toFixed(2)})`);
  };

  map.addEventListener('click', (e) => {
    if (!view) return;
    const r = map.getBoundingClientRect();
    const [a, b] = view.toData(e.clientX - r.left, e.clientY - r.top, r.width);
    pick(a, b);
  });

  map.addEventListener('keydown', (e) => {
    if (!view || !ctx?.plane) return;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, 1],
      ArrowDown: [0, -1],
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    const step = KEY_STEP * (e.shiftKey ? 5 : 1);
    const [a, b] = current ?? [0, 0];
    pick(a + move[0] * step * view.half[0], b + move[1] * step * view.half[1]);
  });

  /** Shows the image of the point under (or, for a finger, near) the pointer, kept inside the window. */
  const hover = (e: PointerEvent) => {
    if (!view || !ctx) return;
    const r = map.getBoundingClientRect();
    const reach = e.pointerType === 'touch' ? 2 * HOVER_PX : HOVER_PX;
    const i = nearestPoint(view, points, e.clientX - r.left, e.clientY - r.top, r.width, reach);
    tooltip.hidden = i < 0;
    if (i < 0) return;
    drawImageGrid(tooltipImage, testImage(ctx.images, i), 1, 2);
    const label = ctx.images.labels?.[i];
    tooltipText.textContent = `test image #${i}${label === undefined ? '' : `, label ${label}`}`;
    tooltip.dataset.image = String(i);
    const box = map.parentElement!.getBoundingClientRect();
    const width = tooltip.offsetWidth;
    // right of the pointer, or left of it where the window ends
    const x = e.clientX + 12 + width <= window.innerWidth - 4 ? e.clientX + 12 : e.clientX - 12 - width;
    tooltip.style.left = `${Math.max(4, x) - box.left}px`;
    tooltip.style.top = `${e.clientY - box.top + 12}px`;
  };
  map.addEventListener('pointermove', hover);
  // a tap has no hover: the tapped point's image shows until the next tap
  map.addEventListener('pointerdown', (e) => {
    if (e.pointerType !== 'mouse') hover(e);
  });
  map.addEventListener('pointerleave', (e) => {
    if (e.pointerType === 'mouse') tooltip.hidden = true;
  });

  const drawLegend = () => {
    const labels = ctx!.images.labels;
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
    const plane = ctx!.plane!;
    const coord = (i: number, spread: number) => (-1 + (2 * i) / (GRID - 1)) * GRID_REACH * spread;
    const zs = Array.from({ length: GRID * GRID }, (_, k) =>
      pointInPlane(plane, coord(k % GRID, plane.spread[0]), -coord(Math.floor(k / GRID), plane.spread[1])),
    );
    drawImageGrid(grid, decodeLatents(ctx!.model, zs, ctx!.label()), GRID, 1);
  };

  return {
    show(c: LatentContext) {
      ctx = c;
      const panel = byId('map-panel');
      panel.classList.toggle('not-applicable', !c.plane);
      if (!c.plane) {
        note.textContent = `The map needs at least two latent dimensions (this model has ${c.model.latentDim}).`;
        return;
      }
      const [s1, s2] = c.plane.spread;
      const [n1, n2] = c.plane.names;
      const onLatent = n1 === 'z0';
      note.textContent = onLatent
        ? `${c.images.count} test images' μ(x) in the latent's own coordinates z0 (→) × z1 (↑), the sliders' ` +
          'axes; the grid decodes z over ±2 (the prior’s ±2σ). Hover a point to see its image; click, or use ' +
          'the arrow keys, to decode a point with the sliders.'
        : `${c.images.count} test images; principal directions with standard deviations ` +
          `${s1.toFixed(2)} and ${s2.toFixed(2)}. Hover a point to see its image; click, or use the arrow ` +
          'keys, to decode a point with the sliders.';
      caption.textContent = onLatent
        ? 'test means μ(x): z0 (→), z1 (↑); dashed: the grid’s extent, ±2'
        : `test means μ(x) on principal directions ${n1} (→) and ${n2} (↑); dashed: the grid’s extent, ±2σ`;
      gridCaption.textContent = onLatent
        ? 'decoded on a 12×12 grid of z0 × z1 over ±2'
        : 'decoded on a 12×12 grid over the same plane (±2σ)';
      points = project(c.encoded.means, c.plane);
      redraw();
      drawLegend();
      drawPlaneGrid();
    },
    /** Marks the current z (projected onto the plane) on the map. */
    setCurrent(z: Float32Array) {
      if (!ctx?.plane || z.length !== ctx.model.latentDim) return;
      current = projectPoint(z, ctx.plane);
      redraw();
    },
  };
}
