import { context, heat } from './draw.js';
import type { Posterior, PosteriorView } from './true-posterior.js';

/** Colours of q_φ and q* on the heat map and in the legend. */
export const POSTERIOR_COLOURS = { amortised: '#76d7ff', optimal: '#ffffff' };

/**
 * The grid's p(z|x) as a heat map (the colour ∝ each cell's mass, from 0 to the largest), z₁ to the right
 * and z₂ up, with the 1σ (solid) and 2σ (dashed) ellipses of q_φ and q*, and the samples of a flow
 * posterior as dots.
 */
export function drawPosterior(canvas: HTMLCanvasElement, size: number, view: PosteriorView): void {
  const ctx = context(canvas, size, size);
  const { box, size: g, mass } = view.grid;
  const max = mass.reduce((a, v) => Math.max(a, v), 0);
  const cell = size / g;
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      ctx.fillStyle = heat(mass[i * g + j] / max);
      ctx.fillRect(Math.floor(j * cell), Math.floor(i * cell), Math.ceil(cell) + 1, Math.ceil(cell) + 1);
    }
  }
  const scale = size / (2 * box.half);
  const px = (z1: number) => (z1 - box.centre[0] + box.half) * scale;
  const py = (z2: number) => (box.centre[1] + box.half - z2) * scale;
  const draw = (q: Posterior, colour: string) => {
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 1.5;
    if (q.samples) {
      ctx.globalAlpha = 0.6;
      for (let s = 0; s < q.samples.length; s += 2)
        ctx.fillRect(px(q.samples[s]) - 1, py(q.samples[s + 1]) - 1, 2, 2);
      ctx.globalAlpha = 1;
    }
    for (const k of [1, 2]) {
      ctx.setLineDash(k === 1 ? [] : [5, 4]);
      ctx.beginPath();
      ctx.ellipse(px(q.mean[0]), py(q.mean[1]), k * q.sd[0] * scale, k * q.sd[1] * scale, 0, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.setLineDash([]);
  };
  draw(view.amortised, POSTERIOR_COLOURS.amortised);
  draw(view.optimal, POSTERIOR_COLOURS.optimal);
}
