import type { GaussianLatent, GenerativeModel } from '../../models/model.js';
import type { TestImages } from './api.js';
import type { Plane } from './latent-math.js';
import type { Encoded } from './model.js';

/** Everything the latent-space panels share once a checkpoint is loaded. */
export interface LatentContext {
  model: GaussianLatent & GenerativeModel;
  images: TestImages;
  /** The class decoded images are drawn from (the header's picker), for a conditional model. */
  label(): number | undefined;
  encoded: Encoded;
  /** The principal plane of the test latent means; null with a single latent dimension. */
  plane: Plane | null;
}

/** Image i of the test sample, as drawable pixels. */
export function testImage(images: TestImages, i: number) {
  const size = images.shape[0] * images.shape[1] * images.shape[2];
  return { data: images.pixels.subarray(i * size, (i + 1) * size), count: 1, shape: images.shape };
}

/** Latent mean μ(x) of test image i. */
export function testLatent(ctx: LatentContext, i: number): Float32Array {
  const m = ctx.encoded.means.m;
  return ctx.encoded.means.data.slice(i * m, (i + 1) * m);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}
