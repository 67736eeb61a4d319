import { Rng } from '../../core/random.js';
import { byId, type LatentContext, testImage, testLatent } from './context.js';
import { drawImageGrid } from './draw.js';
import { type Interpolation, interpolate } from './latent-math.js';
import { decodeLatents } from './model.js';

/**
 * Decodes the paths between the latent means of two test images, spherical and linear, as two strips
 * one above the other; the two originals are shown beside their indices.
 */
export function interpolationPanel(seed: number) {
  const from = byId<HTMLInputElement>('interp-from');
  const to = byId<HTMLInputElement>('interp-to');
  const steps = byId<HTMLInputElement>('interp-steps');
  const strips: Record<Interpolation, HTMLCanvasElement> = {
    spherical: byId('interp-spherical'),
    linear: byId('interp-linear'),
  };
  let ctx: LatentContext;
  const pairs = new Rng(seed);

  const index = (input: HTMLInputElement) => {
    const i = Math.min(ctx.images.count - 1, Math.max(0, Math.trunc(Number(input.value)) || 0));
    input.value = String(i);
    return i;
  };

  const run = () => {
    const [a, b] = [index(from), index(to)];
    drawImageGrid(byId('interp-from-image'), testImage(ctx.images, a), 1, 2);
    drawImageGrid(byId('interp-to-image'), testImage(ctx.images, b), 1, 2);
    const n = Math.min(16, Math.max(3, Math.trunc(Number(steps.value)) || 10));
    steps.value = String(n);
    for (const [mode, strip] of Object.entries(strips)) {
      const path = interpolate(testLatent(ctx, a), testLatent(ctx, b), n, mode as Interpolation);
      drawImageGrid(strip, decodeLatents(ctx.model, path, ctx.label()), n, 2);
      strip.dataset.rendered = `${a}-${b}-${n}`;
    }
  };

  byId('interp-run').addEventListener('click', run);
  for (const input of [from, to, steps]) input.addEventListener('change', run);
  byId('interp-random').addEventListener('click', () => {
    from.value = String(pairs.int(ctx.images.count));
    to.value = String(pairs.int(ctx.images.count));
    run();
  });

  return {
    show(c: LatentContext) {
      ctx = c;
      from.max = to.max = String(c.images.count - 1);
      run();
    },
  };
}
