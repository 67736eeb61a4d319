/**
 * Image preprocessing for image folders (and the explorer's own images): centre-crop to the target's
 * aspect ratio (a square for image folders), then resize by area averaging
 * (each output pixel is the mean of the source area it covers, with fractional edge weights):
 * alias-free when shrinking, close to nearest-neighbour with soft edges when enlarging.
 * Alpha is composited over black; grey is the ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B.
 */
/** RGBA bytes, row after row (a decoded PNG or JPEG, a canvas's ImageData). No Node imports: the explorer page uses this file. */
export interface RgbaImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

type Taps = [index: number, weight: number][];

/** For each of `n` outputs spanning source pixels [offset, offset + span): the source pixels and weights. */
function areaTaps(offset: number, span: number, n: number): Taps[] {
  const f = span / n;
  return Array.from({ length: n }, (_, o) => {
    // the bounds from integers ((o + 1)·span / n is exact at the end), the taps kept inside the crop
    const a = offset + (o * span) / n;
    const b = offset + ((o + 1) * span) / n;
    const taps: Taps = [];
    for (let p = Math.max(offset, Math.floor(a)); p < Math.min(offset + span, Math.ceil(b)); p++) {
      const w = (Math.min(b, p + 1) - Math.max(a, p)) / f;
      if (w > 0) taps.push([p, w]);
    }
    return taps;
  });
}

/**
 * Centre-crop an RGBA image to a square, resize it to size×size and write its values in [0, 1]
 * (HWC, 1 or 3 channels) into `out` starting at `offset`.
 */
export function cropResize(
  img: RgbaImage,
  size: number,
  channels: 1 | 3,
  out: Float32Array,
  offset = 0,
): void {
  cropResizeTo(img, size, size, channels, out, offset);
}

/**
 * Centre-crop an RGBA image to the aspect ratio of height×width (whole source pixels, at least one),
 * resize it to height×width and write its values in [0, 1] (HWC, 1 or 3 channels) into `out` starting at
 * `offset`. For a square target this is `cropResize`.
 */
export function cropResizeTo(
  img: RgbaImage,
  height: number,
  width: number,
  channels: 1 | 3,
  out: Float32Array,
  offset = 0,
): void {
  const cropW = Math.max(1, Math.min(img.width, Math.round((img.height * width) / height)));
  const cropH = Math.max(1, Math.min(img.height, Math.round((img.width * height) / width)));
  const xs = areaTaps(Math.floor((img.width - cropW) / 2), cropW, width);
  const ys = areaTaps(Math.floor((img.height - cropH) / 2), cropH, height);
  const { data } = img;
  const stride = img.width;
  let o = offset;
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [y, wy] of ys[i]) {
        for (const [x, wx] of xs[j]) {
          const k = (y * stride + x) * 4;
          const w = (wy * wx * data[k + 3]) / (255 * 255);
          r += w * data[k];
          g += w * data[k + 1];
          b += w * data[k + 2];
        }
      }
      if (channels === 1) {
        out[o++] = Math.min(1, 0.299 * r + 0.587 * g + 0.114 * b);
      } else {
        out[o++] = Math.min(1, r);
        out[o++] = Math.min(1, g);
        out[o++] = Math.min(1, b);
      }
    }
  }
}
