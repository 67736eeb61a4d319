import * as tf from '@tensorflow/tfjs';
import { toBatch } from '../../data/tensor-batches.js';
import { asGaussianLatent, asReconstructing, type GenerativeModel } from '../../models/model.js';
import type { ImageShape } from '../../nn/networks.js';
import type { TestImages } from './api.js';
import { byId } from './context.js';
import { drawImageGrid } from './draw.js';
import './draw-pad.css';
import { meanValue, type Preprocessed, preprocessImage, type RgbaImage } from './preprocess.js';

/** The pad's width in CSS pixels at most; its height follows the model's aspect ratio. */
const PAD_CSS = 280;

/** Where the image to encode comes from: the pad, or a file as decoded (at its own size). */
type Source = { kind: 'pad' } | { kind: 'file'; name: string; image: RgbaImage };

/**
 * "Your own image": a pad to draw on (mouse, touch, pen: Pointer Events with pointer capture) and a
 * PNG/JPEG file dropped on the panel or chosen. "Encode" makes it an input like the training data
 * (`preprocessImage`), shows it beside its reconstruction by the model's own `reconstruct`, and for a model
 * with one Gaussian latent sends μ(x) to the sliders. A file is encoded when it arrives. Models without an
 * encoder get the reason line of panel-reasons.ts instead.
 */
export function drawPadPanel(
  setLatent: (z: Float32Array, what: string) => void,
  label: () => number | undefined,
  binarize: () => string,
) {
  const panel = byId('own-image-panel');
  const pad = byId<HTMLCanvasElement>('own-pad');
  const brush = byId<HTMLInputElement>('own-brush');
  const invert = byId<HTMLInputElement>('own-invert');
  const file = byId<HTMLInputElement>('own-file');
  const status = byId('own-status');
  const latentNote = byId('own-latent-note');
  const invertNote = byId('own-invert-note');
  const pen = pad.getContext('2d', { willReadFrequently: true })!;
  let model: GenerativeModel | undefined;
  let shape: ImageShape = [28, 28, 1];
  let source: Source = { kind: 'pad' };
  let input: Preprocessed | undefined;
  let invertTouched = false;
  let encodes = 0;
  /** The class the shown reconstruction was decoded with (a conditional model). */
  let shownLabel: number | undefined;

  const say = (state: 'idle' | 'encoded' | 'error', text: string) => {
    panel.dataset.state = state;
    status.textContent = text;
  };

  /** A black pad with the model's aspect ratio, its backing store at the device's pixel ratio. */
  const clear = () => {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.round(PAD_CSS * dpr);
    const height = Math.round((PAD_CSS * dpr * shape[0]) / shape[1]);
    if (pad.width !== width || pad.height !== height) Object.assign(pad, { width, height });
    pad.style.aspectRatio = `${shape[1]} / ${shape[0]}`;
    pen.fillStyle = '#000';
    pen.fillRect(0, 0, pad.width, pad.height);
    source = { kind: 'pad' };
  };

  // Drawing: a pointer's coordinates through the pad's box on screen, whatever its CSS size and the DPR.
  let drawing: number | null = null;
  let last: [number, number] = [0, 0];
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  /** The brush's width on the pad: `brush` pixels of the model's input, thicker with a pen pressed harder. */
  const lineWidth = (e: PointerEvent) =>
    ((Number(brush.value) * pad.width) / shape[1]) *
    (e.pointerType === 'pen' && e.pressure > 0 ? 0.5 + e.pressure : 1);
  const stroke = (e: PointerEvent, to: [number, number]) => {
    Object.assign(pen, { strokeStyle: '#fff', lineCap: 'round', lineJoin: 'round', lineWidth: lineWidth(e) });
    pen.beginPath();
    pen.moveTo(...last);
    // a dot for a tap: a zero-length round-capped line draws nothing in every browser
    pen.lineTo(to[0] + (to[0] === last[0] && to[1] === last[1] ? 0.01 : 0), to[1]);
    pen.stroke();
    last = to;
  };
  pad.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    drawing = e.pointerId;
    source = { kind: 'pad' };
    last = at(e);
    stroke(e, last);
  });
  pad.addEventListener('pointermove', (e) => {
    if (e.pointerId !== drawing) return;
    for (const c of e.getCoalescedEvents?.() ?? [e]) stroke(c, at(c));
  });
  const end = (e: PointerEvent) => {
    if (e.pointerId === drawing) drawing = null;
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  byId('own-clear').addEventListener('click', () => {
    clear();
    say('idle', '');
  });
  const brushValue = byId('own-brush-value');
  brush.addEventListener('input', () => {
    brushValue.textContent = brush.value;
  });
  invert.addEventListener('change', () => {
    invertTouched = true;
    if (input) encode();
  });

  /** The image to encode as RGBA bytes: the file as decoded, or the pad. */
  const sourceImage = (): RgbaImage =>
    source.kind === 'file' ? source.image : pen.getImageData(0, 0, pad.width, pad.height);

  /** Input and reconstruction of the current input under the current model (and μ(x) to the sliders if `toSliders`). */
  const run = (toSliders: boolean) => {
    const m = model && asReconstructing(model);
    if (!m || !input) return;
    const x = input;
    const y = label();
    shownLabel = y;
    let recon: Float32Array = new Float32Array(0);
    let mean: Float32Array | null = null;
    tf.tidy(() => {
      const batch = toBatch(x.pixels, 1, x.shape, y === undefined ? undefined : Int32Array.of(y));
      recon = m.reconstruct(batch).dataSync() as Float32Array;
      const gaussian = toSliders ? asGaussianLatent(m) : null;
      if (gaussian) mean = gaussian.posterior(batch).mean.dataSync() as Float32Array;
    });
    const scale = Math.max(1, Math.round(112 / Math.max(x.shape[0], x.shape[1])));
    drawImageGrid(byId('own-input'), { data: x.pixels, count: 1, shape: x.shape }, 1, scale);
    drawImageGrid(byId('own-recon'), { data: recon, count: 1, shape: x.shape }, 1, scale);
    if (mean)
      setLatent(
        mean,
        source.kind === 'file' ? `z = μ(x) of your image ${source.name}` : 'z = μ(x) of your drawing',
      );
  };

  /** What was done to the input, and the class it is encoded with (a conditional model). */
  const sayEncoded = () => {
    const y = label();
    const condition = y === undefined ? '' : ` Encoded with class ${y}, the header's.`;
    say('encoded', `Made into the model's input: ${input!.steps}${condition}`);
  };

  const encode = () => {
    if (!model || !asReconstructing(model)) return;
    try {
      input = preprocessImage(sourceImage(), shape, binarize(), { invert: invert.checked });
      run(true);
      panel.dataset.encodes = String(++encodes);
      sayEncoded();
    } catch (e) {
      say('error', `Could not encode this image: ${(e as Error).message}`);
    }
  };
  byId('own-encode').addEventListener('click', encode);

  /** Decodes an image file (PNG, JPEG, anything the browser reads), shows it on the pad and encodes it. */
  const load = async (f: File | undefined) => {
    if (!f) {
      say('error', 'That was not a file: drop or choose a PNG or JPEG image.');
      return;
    }
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(f);
    } catch {
      say(
        'error',
        `${f.name} is not an image this browser can read (${f.type || 'unknown type'}): drop or choose a PNG or JPEG.`,
      );
      return;
    }
    try {
      const full = document.createElement('canvas');
      Object.assign(full, { width: bitmap.width, height: bitmap.height });
      const c = full.getContext('2d')!;
      c.drawImage(bitmap, 0, 0);
      const image = c.getImageData(0, 0, bitmap.width, bitmap.height);
      // on the pad as the crop the model sees (cover): drawing on it edits it at the pad's resolution
      clear();
      const s = Math.max(pad.width / bitmap.width, pad.height / bitmap.height);
      pen.imageSmoothingEnabled = true;
      pen.drawImage(
        bitmap,
        (pad.width - bitmap.width * s) / 2,
        (pad.height - bitmap.height * s) / 2,
        bitmap.width * s,
        bitmap.height * s,
      );
      source = { kind: 'file', name: f.name, image };
    } catch (e) {
      say('error', `Could not read ${f.name}: ${(e as Error).message}`);
      return;
    } finally {
      bitmap.close();
    }
    encode();
  };
  file.addEventListener('change', () => {
    void load(file.files?.[0]);
    file.value = '';
  });
  panel.addEventListener('dragover', (e) => {
    e.preventDefault();
    panel.classList.add('dragging');
  });
  panel.addEventListener('dragleave', () => panel.classList.remove('dragging'));
  panel.addEventListener('drop', (e) => {
    e.preventDefault();
    panel.classList.remove('dragging');
    void load(e.dataTransfer?.files[0]);
  });

  clear();
  say('idle', '');

  return {
    /** The current model (and the test images, whose brightness sets the invert default). */
    show(next: GenerativeModel, images: TestImages | undefined) {
      if (!invertTouched && images) {
        const mean = meanValue(images.pixels);
        invert.checked = mean > 0.5;
        invertNote.textContent =
          `Invert (1 − x) starts ${mean > 0.5 ? 'on' : 'off'}: the test images' mean value is ${mean.toFixed(2)}, ` +
          `${mean > 0.5 ? 'a light background, and the pad draws white on black' : 'a dark background, like the pad'}; ` +
          'switch it for an image whose background is the other way round.';
      }
      byId('own-recon-caption').textContent = asGaussianLatent(next)
        ? 'its reconstruction E[x|z = μ(x)]'
        : 'its reconstruction E[x|z], every group at its posterior mean';
      latentNote.textContent = asGaussianLatent(next)
        ? 'Encode sends z = μ(x) to the latent sliders.'
        : `The latent sliders need a single Gaussian latent and this model has ${next.capabilities.latent === 'hierarchical-gaussian' ? 'a hierarchy of latent groups' : 'another latent'}: Encode shows the reconstruction only.`;
      const changedShape = next.inputShape.some((v, i) => v !== shape[i]);
      shape = next.inputShape;
      if (changedShape) clear();
      if (next === model && label() === shownLabel) return;
      model = next;
      // a new checkpoint or class: the same input reconstructed again; the sliders stay where they are
      if (asReconstructing(next) && input) {
        run(false);
        sayEncoded();
      }
    },
  };
}
