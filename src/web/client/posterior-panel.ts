import * as tf from '@tensorflow/tfjs';
import { toBatch } from '../../data/tensor-batches.js';
import { asLocalInference } from '../../models/model.js';
import type { LocalLatentModel } from '../../objectives/latent.js';
import { byId, type LatentContext, testImage } from './context.js';
import { drawImageGrid } from './draw.js';
import { drawPosterior, POSTERIOR_COLOURS } from './draw-posterior.js';
import { GRID, type PosteriorView, REACH, truePosterior } from './true-posterior.js';

const CANVAS = 360;

const nats = (v: number) => v.toFixed(2);

/** Why the panel cannot be drawn for this model, or '' when it can. */
function absence(model: LocalLatentModel | null): string {
  if (!model) return 'The true posterior needs a model with per-image posterior parameters.';
  if (model.latentDim !== 2) {
    return `The true posterior needs a 2-dimensional latent (this model has ${model.latentDim}).`;
  }
  return '';
}

/**
 * The true posterior p(z|x) of one test image on a grid, with the ellipses of q_φ and q*, and log p(x), both
 * ELBOs and the two gaps, for models with a 2-dimensional latent. The work (q* takes a few hundred Adam
 * steps) starts once the page has shown "computing…"; a newer request (another image, a new checkpoint)
 * supersedes a pending one.
 */
export function posteriorPanel(seed: number) {
  const panel = byId('posterior-panel');
  const reason = byId('posterior-reason');
  const body = byId('posterior-body');
  const input = byId<HTMLInputElement>('posterior-image');
  const status = byId('posterior-status');
  const numbers = byId('posterior-numbers');
  let ctx: LatentContext;
  let model: LocalLatentModel | null = null;
  let request = 0;

  const show = (view: PosteriorView, i: number, seconds: number) => {
    drawPosterior(byId<HTMLCanvasElement>('posterior-canvas'), CANVAS, view);
    const { box, logPx } = view.grid;
    const range = (d: 0 | 1) => `[${nats(box.centre[d] - box.half)}, ${nats(box.centre[d] + box.half)}]`;
    byId('posterior-caption').textContent =
      `p(z|x) of test image #${i} on a ${GRID}×${GRID} grid, z₁ ∈ ${range(0)} →, z₂ ∈ ${range(1)} ↑: ` +
      `the means of q_φ and q* ± ${REACH} times the largest of their standard deviations`;
    const [optimal, amortised] = [view.optimal.elbo, view.amortised.elbo];
    numbers.textContent =
      `log p(x) ≈ ${nats(logPx)}, L[q*] = ${nats(optimal)}, L[q_φ] = ${nats(amortised)}: ` +
      `approximation gap ${nats(logPx - optimal)}, amortisation gap ${nats(optimal - amortised)} nats`;
    status.textContent = `q* after ${view.steps} Adam steps${view.converged ? '' : ' (not converged)'}, ${seconds.toFixed(1)} s`;
  };

  const compute = (local: LocalLatentModel, i: number) => {
    const started = performance.now();
    const label = ctx.images.labels?.[i];
    const batch = toBatch(
      testImage(ctx.images, i).data,
      1,
      ctx.images.shape,
      label === undefined ? undefined : Int32Array.of(label),
    );
    try {
      show(truePosterior(local, batch, seed), i, (performance.now() - started) / 1000);
      panel.dataset.state = 'done';
    } catch (e) {
      status.textContent = `Could not compute the posterior: ${(e as Error).message}`;
      panel.dataset.state = 'error';
    } finally {
      tf.dispose([batch.x, batch.labels ?? []]);
    }
  };

  const run = () => {
    const local = model;
    if (!local) return;
    const i = Math.min(ctx.images.count - 1, Math.max(0, Math.trunc(Number(input.value)) || 0));
    input.value = String(i);
    drawImageGrid(byId('posterior-thumb'), testImage(ctx.images, i), 1, 2);
    status.textContent = 'computing…';
    panel.dataset.state = 'computing';
    panel.dataset.image = String(i);
    const id = ++request;
    // after the next paint, so that "computing…" shows while the page works
    requestAnimationFrame(() => setTimeout(() => id === request && compute(local, i)));
  };

  byId('posterior-legend').replaceChildren(
    ...[
      [POSTERIOR_COLOURS.amortised, 'q_φ(z|x), as the model infers it'],
      [POSTERIOR_COLOURS.optimal, 'q*(z|x), the best for this image'],
    ].map(([colour, text]) => {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = colour;
      item.append(swatch, text);
      return item;
    }),
  );
  input.addEventListener('change', run);
  byId('posterior-run').addEventListener('click', run);

  return {
    show(c: LatentContext) {
      ctx = c;
      const local = asLocalInference(c.model);
      const why = absence(local);
      reason.textContent = why;
      reason.hidden = why === '';
      body.hidden = why !== '';
      // a new class in the header changes nothing here; a new checkpoint redraws
      if (local === model) return;
      model = why ? null : local;
      run();
    },
  };
}
