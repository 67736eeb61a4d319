// Draws samples from a decoder that `vaekit export` wrote, with plain TensorFlow.js or onnxruntime-web.
// ?model=<url of decoder/model.json or decoder.onnx>  ?n=<samples, default 16>  ?seed=<default 1>
// The model card beside the export (model-card.json) says what the decoder's inputs are.

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? '/exports/decoder/model.json';
const status = document.getElementById('status');
const MAX_SAMPLES = 1024;

/** A whole-number query parameter within [min, max], or an error that names it. */
function wholeParam(name, fallback, min, max) {
  const text = params.get(name) ?? String(fallback);
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max)
    throw new Error(`?${name}=${text}: expected a whole number from ${min} to ${max}`);
  return value;
}

/** A seeded stream of N(0, 1) numbers (mulberry32 and Box–Muller), so a seed always draws the same z. */
function normals(s) {
  let a = s >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Inputs for n samples, from the model card: N(0, I) latents or noise, and class i mod K for one-hot labels. */
function makeInputs(card, n, seed) {
  const decoder = card.parts.find((p) => p.part === 'decoder');
  if (!decoder)
    throw new Error(
      `this export has no decoder (its model card lists: ${card.parts.map((p) => p.part).join(', ')})`,
    );
  const draw = normals(seed);
  return decoder.inputs.map(({ name, shape, kind }) => {
    const dims = [n, ...shape.slice(1)];
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (kind === 'one-hot') for (let i = 0; i < n; i++) data[i * dims[1] + (i % dims[1])] = 1;
    else for (let i = 0; i < size; i++) data[i] = draw();
    return { name, dims, data };
  });
}

async function runTfjs(inputs) {
  const tf = await import('@tensorflow/tfjs');
  const model = await tf.loadGraphModel(modelUrl);
  const feeds = Object.fromEntries(inputs.map((i) => [i.name, tf.tensor(i.data, i.dims)]));
  const x = model.execute(feeds, 'x');
  return { dims: x.shape, data: await x.data(), runtime: `TensorFlow.js (${tf.getBackend()})` };
}

async function runOnnx(inputs) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(modelUrl);
  const feeds = Object.fromEntries(inputs.map((i) => [i.name, new ort.Tensor('float32', i.data, i.dims)]));
  const { x } = await session.run(feeds);
  return { dims: x.dims, data: x.data, runtime: 'onnxruntime-web (wasm)' };
}

/** The images [n, h, w, c] in [0, 1] as a grid on the canvas, 2 px apart. */
function drawGrid(canvas, { dims, data }) {
  const [n, h, w, c] = dims;
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  canvas.width = cols * (w + 2) + 2;
  canvas.height = rows * (h + 2) + 2;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let k = 0; k < n; k++) {
    const [x0, y0] = [2 + (k % cols) * (w + 2), 2 + Math.floor(k / cols) * (h + 2)];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const o = 4 * ((y0 + y) * canvas.width + x0 + x);
        const v = (ch) => Math.round(255 * data[((k * h + y) * w + x) * c + Math.min(ch, c - 1)]);
        image.data.set([v(0), v(1), v(2), 255], o);
      }
  }
  ctx.putImageData(image, 0, 0);
}

try {
  const cardUrl = new URL(
    modelUrl.endsWith('.onnx') ? 'model-card.json' : '../model-card.json',
    new URL(modelUrl, location.href),
  );
  const response = await fetch(cardUrl);
  if (!response.ok)
    throw new Error(
      `no model card at ${cardUrl} (${response.status}): vaekit export writes one beside the model`,
    );
  const card = await response.json();
  const count = wholeParam('n', 16, 1, MAX_SAMPLES);
  const seed = wholeParam('seed', 1, 0, 2 ** 32 - 1);
  const inputs = makeInputs(card, count, seed);
  const out = modelUrl.endsWith('.onnx') ? await runOnnx(inputs) : await runTfjs(inputs);
  drawGrid(document.getElementById('samples'), out);
  status.textContent = `${count} samples of ${card.model.description}, seed ${seed}, run by ${out.runtime}`;
  window.samples = {
    inputs: inputs.map((i) => ({ ...i, data: [...i.data] })),
    x: { dims: out.dims, data: [...out.data] },
  };
  document.body.dataset.state = 'done';
} catch (e) {
  status.textContent = `Could not draw samples: ${e.message}`;
  document.body.dataset.state = 'error';
}
