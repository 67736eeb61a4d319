import './style.css';
import { asGaussianLatent, type GenerativeModel, type ModelCapabilities } from '../../models/model.js';
import { capabilitiesOf, describeModel, modelConfigSchema } from '../../models/registry.js';
import { API, type CheckpointSpecs } from '../protocol.js';
import {
  ApiFailure,
  fetchCheckpointSpecs,
  fetchConfig,
  fetchLog,
  fetchTestImages,
  type RunInfo,
  type TestImages,
} from './api.js';
import { startBackend } from './backend.js';
import { classPicker } from './class-picker.js';
import { byId } from './context.js';
import { curvesPanel } from './curves.js';
import { addPngButtons } from './export-png.js';
import { interpolationPanel } from './interpolation.js';
import { latentMapPanel } from './latent-map.js';
import { mapPlane, topK } from './latent-math.js';
import { type Encoded, encodeImages, loadModel } from './model.js';
import { posteriorPanel } from './posterior-panel.js';
import { samplesPanel } from './samples.js';
import { slidersPanel } from './sliders.js';
import { keepInputsInUrl, restoreInputs } from './view-inputs.js';
import { readViewState, urlKeeper } from './view-state.js';

/** How often metrics.jsonl (and through it, a new checkpoint) is looked for. */
const POLL_MS = 2000;

/** The page's state for tests and styling: loading → ready | no-checkpoint | error. */
const setState = (state: string, message = '') => {
  document.body.dataset.state = state;
  const banner = byId('banner');
  banner.hidden = message === '';
  banner.textContent = message;
};

const info = (key: string, value: string) => {
  byId(`info-${key}`).textContent = value;
};

const params = new URLSearchParams(location.search);
/** The view the URL holds (a shared link), kept in the URL as it changes. */
const view = urlKeeper(readViewState(location.search));
/** `vaekit serve --seed` puts the first seed of the samples and of the random pairs in the URL. */
const seed = view.state.seed ?? 0;
restoreInputs(view.state);
const sliders = slidersPanel();
const map = latentMapPanel(sliders.setLatent);
sliders.onChange((z) => {
  map.setCurrent(z);
  view.update({ z });
});
const interpolation = interpolationPanel(seed);
const posterior = posteriorPanel(seed);
const classes = classPicker(() => render());
const samples = samplesPanel(seed, () => classes.current());
const curves = curvesPanel();
keepInputsInUrl(view.update);
addPngButtons(() => loaded?.checkpoint ?? 'no-checkpoint');

let run: RunInfo;
/** What the run's model kind can do (from the registry, before any checkpoint is loaded). */
let caps: ModelCapabilities;
let images: TestImages | undefined;
let model: GenerativeModel | undefined;
/** The test images' latent means and KL per dimension under the current model (models with one Gaussian latent). */
let encoded: Encoded | undefined;
let loaded: CheckpointSpecs | undefined;
/** The z a link asked for, applied once the model it fits is loaded. */
let linkedZ = view.state.z;
/** Epoch records in metrics.jsonl when the checkpoint was last looked for. */
let epochsSeen = -1;

/** Draws every panel the current model has (its capabilities say which), for the chosen class. */
function render(): void {
  if (!model) return;
  classes.show(model);
  samples.show(model);
  const gaussian = asGaussianLatent(model);
  document.body.classList.toggle('no-encoder', gaussian === null);
  if (gaussian && images && encoded) {
    const ctx = {
      model: gaussian,
      images,
      encoded,
      label: () => classes.current(),
      plane: gaussian.latentDim >= 2 ? mapPlane(encoded.means) : null,
    };
    map.show(ctx); // first: the sliders' z is then marked on the new map
    sliders.show(ctx);
    interpolation.show(ctx);
    posterior.show(ctx);
  }
}

/** (Re)builds the model from the current checkpoint and redraws every panel with it. */
async function showCheckpoint(): Promise<void> {
  const next = await loadModel(run);
  model?.dispose();
  model = next.model;
  loaded = next.specs;
  info('checkpoint', `${loaded.checkpoint} (epoch ${loaded.epoch})`);
  const gaussian = asGaussianLatent(next.model);
  encoded = undefined;
  if (gaussian) {
    images ??= await fetchTestImages();
    encoded = encodeImages(gaussian, images);
    curves.showKlPerDim(encoded.klPerDim, topK(encoded.klPerDim, 8), loaded.checkpoint);
  }
  render();
  if (gaussian && linkedZ?.length === gaussian.latentDim) sliders.setLatent(linkedZ, 'z from the link');
  linkedZ = undefined;
  view.update({ checkpoint: loaded.checkpoint });
  setState('ready');
}

/** Reads metrics.jsonl and latent.jsonl; when an epoch has ended since the last look, loads the newer checkpoint if any. */
async function poll(): Promise<void> {
  try {
    const [metrics, latent] = await Promise.all([fetchLog(API.metrics), fetchLog(API.latent)]);
    const epochs = curves.update(caps, metrics, latent, run.train.epochs);
    if (loaded && epochs === epochsSeen) return;
    const specs = await fetchCheckpointSpecs();
    if (specs.checkpoint !== loaded?.checkpoint) await showCheckpoint();
    epochsSeen = epochs;
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404 && !loaded) {
      setState('no-checkpoint', `No checkpoint yet — training in progress? ${e.body.hint ?? ''}`);
    } else {
      setState('error', `Could not update: ${(e as Error).message}`);
    }
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

async function start(): Promise<void> {
  try {
    const backend = await startBackend(params.get('backend'));
    info('backend', backend.name);
    byId('info-backend').title = backend.note;
    run = await fetchConfig();
    info('data', run.data.dataset);
    const config = modelConfigSchema.parse(run.model);
    caps = capabilitiesOf(config.type);
    info('model', describeModel(config));
    await poll();
  } catch (e) {
    setState('error', `The explorer could not start: ${(e as Error).message}`);
  }
}

// the canvases take their colours from the theme: a switch of the system's scheme redraws them
matchMedia('(prefers-color-scheme: light)').addEventListener('change', () => render());

start();
