import { byId, type LatentContext, testLatent } from './context.js';
import { drawImageGrid } from './draw.js';
import { topK } from './latent-math.js';
import { decodeLatents } from './model.js';

/** Sliders for the dimensions with the most KL: the rest carry (almost) nothing the decoder uses. */
const SLIDER_COUNT = 8;
/** Each slider reaches ±3 (the prior's 3σ), or further when z is set beyond it (a map point, an image's μ). */
const RANGE = 3;
const ZERO = 'z = 0, the mode of the prior';

/**
 * One slider per informative latent dimension; moving one decodes the new z at once. z starts at the
 * latent mean of the first test image, and can be set to 0 (the prior's mode), to the next test image's
 * latent mean or to a point picked on the latent map.
 */
export function slidersPanel() {
  /** Told of every new z (the latent map marks it, the URL keeps it). */
  const listeners: ((z: Float32Array) => void)[] = [];
  const canvas = byId<HTMLCanvasElement>('slider-canvas');
  const list = byId('sliders');
  const caption = byId('slider-caption');
  let ctx: LatentContext;
  let z = new Float32Array(0);
  let inputs = new Map<number, HTMLInputElement>();
  let nextTest = 0;

  const render = () => {
    drawImageGrid(canvas, decodeLatents(ctx.model, [z], ctx.label()), 1, 7);
    for (const listen of listeners) listen(z);
  };

  /** The slider of dimension d shows z[d], its range widened in whole units when |z[d]| > 3. */
  const showValue = (d: number, input: HTMLInputElement) => {
    const reach = Math.max(RANGE, Math.ceil(Math.abs(z[d])));
    input.min = String(-reach);
    input.max = String(reach);
    input.value = String(z[d]);
    input.setAttribute('aria-valuetext', z[d].toFixed(2));
    input.nextElementSibling!.textContent = z[d].toFixed(2);
  };

  const setLatent = (value: Float32Array, what: string) => {
    z = Float32Array.from(value);
    for (const [d, input] of inputs) showValue(d, input);
    caption.textContent = what;
    render();
  };

  const buildSliders = () => {
    const dims = topK(ctx.encoded.klPerDim, Math.min(SLIDER_COUNT, ctx.model.latentDim));
    list.replaceChildren();
    inputs = new Map();
    for (const d of dims) {
      const row = document.createElement('label');
      row.className = 'slider';
      const name = document.createElement('span');
      name.className = 'dim';
      name.textContent = `z${d}`;
      name.title = `mean KL of dimension ${d} on the test images: ${ctx.encoded.klPerDim[d].toFixed(2)} nats`;
      const kl = document.createElement('span');
      kl.className = 'kl';
      kl.textContent = `${ctx.encoded.klPerDim[d].toFixed(1)} nats`;
      const input = document.createElement('input');
      Object.assign(input, { type: 'range', min: -RANGE, max: RANGE, step: 0.05, value: 0 });
      input.dataset.dim = String(d);
      input.setAttribute('aria-label', `latent dimension ${d}`);
      const value = document.createElement('output');
      input.addEventListener('input', () => {
        z[d] = Number(input.value);
        value.textContent = z[d].toFixed(2);
        caption.textContent = 'z edited by hand';
        render();
      });
      row.append(name, kl, input, value);
      list.append(row);
      inputs.set(d, input);
    }
  };

  byId('slider-zero').addEventListener('click', () => setLatent(new Float32Array(ctx.model.latentDim), ZERO));
  const fromTestImage = () => {
    const i = nextTest++ % ctx.images.count;
    setLatent(testLatent(ctx, i), `z = μ(x) of test image #${i}`);
  };
  byId('slider-test').addEventListener('click', fromTestImage);

  return {
    show(c: LatentContext) {
      ctx = c;
      buildSliders();
      if (z.length === c.model.latentDim) setLatent(z, caption.textContent ?? '');
      else fromTestImage();
    },
    setLatent,
    onChange(listen: (z: Float32Array) => void) {
      listeners.push(listen);
    },
  };
}
