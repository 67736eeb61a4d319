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
import { drawPadPanel } from './draw-pad.js';
import { interpolationPanel } from './interpolation.js';
import { latentMapPanel } from './latent-map.js';
import { principalPlane, topK } from './latent-math.js';
import { type Encoded, encodeImages, loadModel } from './model.js';
import { posteriorPanel } from './posterior-panel.js';
import { reconstructionsPanel } from './reconstructions.js';
import { samplesPanel } from './samples.js';
import { showPanelReasons } from './show-reasons.js';
import { slidersPanel } from './sliders.js';

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
/** `vaekit serve --seed` puts the first seed of the samples and of the random pairs in the URL. */
const seed = Math.max(0, Math.trunc(Number(params.get('seed'))) || 0);
const sliders = slidersPanel();
const map = latentMapPanel(sliders.setLatent);
const interpolation = interpolationPanel(seed);
const posterior = posteriorPanel(seed);
const classes = classPicker(() => render());
const samples = samplesPanel(seed, () => classes.current());
const curves = curvesPanel();
const ownImage = drawPadPanel(
  sliders.setLatent,
  () => classes.current(),
  () => run.data.binarize,
);
const reconstructions = reconstructionsPanel();

let run: RunInfo;
/** What the run's model kind can do (from the registry, before any checkpoint is loaded). */
let caps: ModelCapabilities;
/** The model kind's name for the panels' reasons ("GAN", "HVAE"). */
let kindName = '';
let images: TestImages | undefined;
let model: GenerativeModel | undefined;
/** The test images' latent means and KL per dimension under the current model (models with one Gaussian latent). */
let encoded: Encoded | undefined;
let loaded: CheckpointSpecs | undefined;
/** Epoch records in metrics.jsonl when the checkpoint was last looked for. */
let epochsSeen = -1;

/** Draws every panel the current model has (its capabilities say which), for the chosen class. */
function render(): void {
  if (!model) return;
  classes.show(model);
  samples.show(model);
  const gaussian = asGaussianLatent(model);
  document.body.classList.toggle('no-encoder', gaussian === null);
  showPanelReasons(caps, kindName);
  ownImage.show(model, images);
  reconstructions.show(model, images);
  if (gaussian && images && encoded) {
    const ctx = {
      model: gaussian,
      images,
      encoded,
      label: () => classes.current(),
      plane: gaussian.latentDim >= 2 ? principalPlane(encoded.means) : null,
    };
    sliders.show(ctx);
    map.show(ctx);
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
  if (caps.encoder) images ??= await fetchTestImages();
  if (gaussian && images) {
    encoded = encodeImages(gaussian, images);
    curves.showKlPerDim(encoded.klPerDim, topK(encoded.klPerDim, 8), loaded.checkpoint);
  }
  render();
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
    info('backend', await startBackend(params.get('backend')));
    run = await fetchConfig();
    info('data', run.data.dataset);
    const config = modelConfigSchema.parse(run.model);
    caps = capabilitiesOf(config.type);
    kindName = config.type.toUpperCase();
    info('model', describeModel(config));
    await poll();
  } catch (e) {
    setState('error', `The explorer could not start: ${(e as Error).message}`);
  }
}

start();
