/**
 * The size of the networks of networks.ts, dcgan.ts, residual.ts and made.ts, counted from their specs without
 * building them: the number of stored weights (exact — `test/models/registry.test.ts` checks every model
 * kind against a built model) and the floats one image's forward pass creates (an estimate: every layer's
 * output, and a dense or conv layer's pre-activation as well). A model kind adds up its networks to
 * declare its size, and vaekit refuses a model too large to train before allocating anything.
 */
import type { ImageShape, NetworkSpec } from './networks.js';

export interface NetworkSize {
  /** Weights the network stores (kernels, biases, batch-norm statistics). */
  parameters: number;
  /** Floats that one image's pass through the network creates. */
  activations: number;
}

const volume = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Sums network sizes. */
export function addSizes(...sizes: NetworkSize[]): NetworkSize {
  return {
    parameters: sizes.reduce((n, s) => n + s.parameters, 0),
    activations: sizes.reduce((n, s) => n + s.activations, 0),
  };
}

/** A dense layer with bias: in·out + out weights; its output before and after the activation. */
export const denseSize = (inDim: number, units: number): NetworkSize => ({
  parameters: inDim * units + units,
  activations: 2 * units,
});

/** A 4×4 convolution (or transposed convolution) with bias from `inC` to `outC` channels, output h×w. */
const conv4x4Size = (inC: number, outC: number, h: number, w: number): NetworkSize => ({
  parameters: 16 * inC * outC + outC,
  activations: 2 * h * w * outC,
});

/** Batch norm over `features`: γ, β and the moving mean and variance. */
const batchNormSize = (features: number, activations: number): NetworkSize => ({
  parameters: 4 * features,
  activations: 2 * activations,
});

/** buildEncoder's network: image → vector of `outDim`. */
export function encoderSize(spec: NetworkSpec, inputShape: ImageShape, outDim: number): NetworkSize {
  const parts: NetworkSize[] = [{ parameters: 0, activations: volume(inputShape) }];
  if (spec.type === 'mlp') {
    let d = volume(inputShape);
    for (const units of spec.hidden) {
      parts.push(denseSize(d, units));
      d = units;
    }
    parts.push(denseSize(d, outDim));
  } else {
    let [h, w, c] = inputShape;
    for (const f of spec.filters) {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
      parts.push(conv4x4Size(c, f, h, w));
      c = f;
    }
    parts.push(denseSize(h * w * c, outDim));
  }
  return addSizes(...parts);
}

/** buildDecoder's network: vector of `inDim` → image parameters [h, w, c]. */
export function decoderSize(spec: NetworkSpec, inDim: number, outShape: ImageShape): NetworkSize {
  const parts: NetworkSize[] = [{ parameters: 0, activations: inDim }];
  if (spec.type === 'mlp') {
    let d = inDim;
    for (const units of [...spec.hidden].reverse()) {
      parts.push(denseSize(d, units));
      d = units;
    }
    parts.push(denseSize(d, volume(outShape)));
  } else {
    const [h, w, c] = outShape;
    const rev = [...spec.filters].reverse();
    const f = 2 ** rev.length;
    let hh = Math.max(1, Math.floor(h / f));
    let ww = Math.max(1, Math.floor(w / f));
    parts.push(denseSize(inDim, hh * ww * rev[0]));
    rev.forEach((inC, i) => {
      hh *= 2;
      ww *= 2;
      parts.push(conv4x4Size(inC, i === rev.length - 1 ? c : rev[i + 1], hh, ww));
    });
  }
  return addSizes(...parts);
}

/** buildGenerator's network (DCGAN): z → image [h, w, c]. */
export function generatorSize(filters: number[], latentDim: number, outShape: ImageShape): NetworkSize {
  const [h, w, c] = outShape;
  const f = 2 ** filters.length;
  let hh = Math.max(1, Math.floor(h / f));
  let ww = Math.max(1, Math.floor(w / f));
  const first = hh * ww * filters[0];
  const parts: NetworkSize[] = [
    { parameters: 0, activations: latentDim },
    denseSize(latentDim, first),
    batchNormSize(first, first),
  ];
  for (let i = 1; i < filters.length; i++) {
    hh *= 2;
    ww *= 2;
    parts.push(
      conv4x4Size(filters[i - 1], filters[i], hh, ww),
      batchNormSize(filters[i], hh * ww * filters[i]),
    );
  }
  parts.push(conv4x4Size(filters.at(-1)!, c, 2 * hh, 2 * ww), { parameters: 0, activations: 2 * h * w * c });
  return addSizes(...parts);
}

/** buildCritic's network (DCGAN discriminator / WGAN critic): image → one score. */
export function criticSize(filters: number[], inputShape: ImageShape, batchNorm: boolean): NetworkSize {
  let [h, w, c] = inputShape;
  const parts: NetworkSize[] = [{ parameters: 0, activations: volume(inputShape) }];
  filters.forEach((f, i) => {
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
    parts.push(conv4x4Size(c, f, h, w));
    if (batchNorm && i > 0) parts.push(batchNormSize(f, h * w * f));
    c = f;
  });
  parts.push(denseSize(h * w * c, 1));
  return addSizes(...parts);
}

/** `count` residual cells of `width` (residual.ts): two dense layers each, plus the sum. */
export function residualStackSize(count: number, width: number): NetworkSize {
  const cell = addSizes(denseSize(width, width), denseSize(width, width), {
    parameters: 0,
    activations: width,
  });
  return { parameters: count * cell.parameters, activations: count * cell.activations };
}

/** A MADE of made.ts over m dimensions: its masked dense layers, the context weights C, two output heads. */
export function madeSize(m: number, hidden: readonly number[], contextDim: number): NetworkSize {
  const layers = hidden.map((units, l) => denseSize(l === 0 ? m : hidden[l - 1], units));
  const last = hidden.at(-1)!;
  return addSizes(
    ...layers,
    { parameters: contextDim * hidden[0], activations: hidden[0] },
    denseSize(last, m),
    denseSize(last, m),
  );
}
