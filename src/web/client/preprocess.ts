/**
 * An image of the user's own (drawn on the pad, dropped or chosen as a file) made into an input of the
 * run's model the way the training data were made: centre-cropped and resized by area averaging
 * (`cropResizeTo`, the image folders' code), grey as the BT.601 luma of the data loaders or RGB, values in
 * [0, 1], then binarised like the run's data, deterministically. Pure: no DOM, so it is tested in Node.
 */
import { type Binarization, threshold } from '../../data/binarize.js';
import { cropResizeTo, type RgbaImage } from '../../data/resize.js';
import type { ImageShape } from '../../nn/networks.js';

export type { RgbaImage };

export interface Preprocessed {
  /** h·w·c values in [0, 1], HWC. */
  pixels: Float32Array;
  shape: ImageShape;
  /** What was done, in words, for the panel. */
  steps: string;
}

/** What the deterministic counterpart of each binarisation of the training data is, in words. */
const BINARISED: Record<Binarization, string> = {
  none: 'grey values kept, as in the training data (binarize: none)',
  threshold: 'binarised, pixel > 0.5 → 1, as the training data (binarize: threshold)',
  static:
    'binarised, pixel > 0.5 → 1: the likelier value of the Bernoulli(pixel) draw the training data took once (binarize: static)',
  dynamic:
    'binarised, pixel > 0.5 → 1: the likelier value of the Bernoulli(pixel) draw the training data take per batch (binarize: dynamic)',
};

/**
 * The model input for an RGBA image: `shape` [h, w, c] with c 1 or 3, values in [0, 1]; `invert` turns
 * x into 1 − x before binarising (a drawing, white on black, for data with a light background). Throws an
 * Error that says why for an empty image, an unknown binarisation or another number of channels.
 */
export function preprocessImage(
  img: RgbaImage,
  shape: ImageShape,
  binarize: string,
  opts: { invert?: boolean } = {},
): Preprocessed {
  const [h, w, c] = shape;
  if (!(img.width >= 1 && img.height >= 1) || img.data.length < img.width * img.height * 4) {
    throw new Error(`the image is empty or torn (${img.width}×${img.height}, ${img.data.length} bytes)`);
  }
  if (c !== 1 && c !== 3)
    throw new Error(`the model takes ${c} channels; only grey (1) or RGB (3) images can be made`);
  if (!(binarize in BINARISED)) throw new Error(`unknown binarisation '${binarize}' in config.json`);
  const shapeOnly = c === 1 && hasTransparentBackground(img);
  const pixels = new Float32Array(h * w * c);
  cropResizeTo(shapeOnly ? alphaAsInk(img) : img, h, w, c, pixels);
  if (opts.invert) for (let i = 0; i < pixels.length; i++) pixels[i] = 1 - pixels[i];
  if (binarize !== 'none') threshold(pixels, 0.5, pixels);
  const crop = img.width * h === img.height * w ? '' : 'centre-cropped to the aspect ratio and ';
  const colour = c === 1 ? 'grey (0.299 R + 0.587 G + 0.114 B)' : 'RGB';
  const steps = [
    `${img.width}×${img.height} ${crop}resized to ${h}×${w} by area averaging ` +
      (shapeOnly
        ? '(a transparent background: the opaque shape, whatever its colour, taken as white ink on black)'
        : '(transparency over black)'),
    `${colour}, scaled to [0, 1]`,
    ...(opts.invert ? ['inverted (1 − x)'] : []),
    BINARISED[binarize as Binarization],
  ];
  return { pixels, shape, steps: `${steps.join('; ')}.` };
}

/** At least this share of transparent pixels (alpha < ½) makes a background transparent. */
const TRANSPARENT_SHARE = 0.05;

function hasTransparentBackground(img: RgbaImage): boolean {
  let transparent = 0;
  const n = img.width * img.height;
  for (let p = 0; p < n; p++) if (img.data[4 * p + 3] < 128) transparent++;
  return transparent >= TRANSPARENT_SHARE * n && transparent < n;
}

/**
 * The image's alpha as grey ink, white on opaque black: a digit drawn on a transparent background (as
 * drawing apps export it) is its shape, black ink or white, and a grey model sees it as the pad draws.
 */
function alphaAsInk(img: RgbaImage): RgbaImage {
  const data = new Uint8ClampedArray(img.width * img.height * 4);
  for (let p = 0; p < img.width * img.height; p++) {
    const a = img.data[4 * p + 3];
    data.set([a, a, a, 255], 4 * p);
  }
  return { width: img.width, height: img.height, data };
}

/** The mean of some pixel values (0.5 for none): above 0.5, the data's background is light. */
export function meanValue(pixels: ArrayLike<number>): number {
  if (pixels.length === 0) return 0.5;
  let sum = 0;
  for (let i = 0; i < pixels.length; i++) sum += pixels[i];
  return sum / pixels.length;
}
