import './style.css';
import { asGaussianLatent, type GenerativeModel, type ModelCapabilities } from '../../models/model.js';
import { capabilitiesOf, describeModel, modelConfigSchema } from '../../models/registry.js';
import { API, type CheckpointSpecs, namedCheckpointApi } from '../protocol.js';
import {
  ApiFailure,
  fetchCheckpointNames,
  fetchConfig,
  fetchLog,
  fetchStatus,
  fetchTestImages,
  type RunInfo,
  type TestImages,
} from './api.js';
import { startBackend } from './backend.js';
import { classPicker } from './class-picker.js';
import { byId } from './context.js';
import { curvesPanel } from './curves.js';
import { drawPadPanel } from './draw-pad.js';
import { addPngButtons, refreshPngButtons } from './export-png.js';
import { interpolationPanel } from './interpolation.js';
import { latentMapPanel } from './latent-map.js';
import { mapPlane, topK } from './latent-math.js';
import { type Encoded, encodeImages, loadModel } from './model.js';
import { posteriorPanel } from './posterior-panel.js';
import { reconstructionsPanel } from './reconstructions.js';
import { runsPanel } from './runs-panel.js';
import { samplesPanel } from './samples.js';
import { showPanelReasons } from './show-reasons.js';
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
  refreshPngButtons();
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
const classes = classPicker(() => {
  view.update({ class: classes.current() });
  render();
}, view.state.class);
const samples = samplesPanel(seed, () => classes.current());
const curves = curvesPanel();
const runs = runsPanel();
const ownImage = drawPadPanel(
  sliders.setLatent,
  () => classes.current(),
  () => run.data.binarize,
);
const reconstructions = reconstructionsPanel();
const inputsToUrl = keepInputsInUrl(view.update);
addPngButtons(() => loaded?.checkpoint ?? 'no-checkpoint');

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
/** The z a link asked for, applied once the model it fits is loaded. */
let linkedZ = view.state.z;
/** The checkpoint a link names: shown instead of the run's current one until "follow the run". */
let pinned = view.state.checkpoint;
/** What the page says about the link it was opened with (another run, a checkpoint gone). */
let linkNote = '';

/** Draws every panel the current model has (its capabilities say which), for the chosen class. */
function render(): void {
  if (!model) return;
  classes.show(model);
  samples.show(model);
  const gaussian = asGaussianLatent(model);
  showPanelReasons(caps, kindName);
  ownImage.show(model, images);
  reconstructions.show(model, images);
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
  refreshPngButtons();
}

/** (Re)builds the model from the current checkpoint and redraws every panel with it. */
async function showCheckpoint(): Promise<void> {
  const next = await loadPinnedOrCurrent();
  model?.dispose();
  model = next.model;
  loaded = next.specs;
  info('checkpoint', `${loaded.checkpoint} (epoch ${loaded.epoch})${pinned ? ', from the link' : ''}`);
  byId('banner').hidden = true; // the header names a checkpoint: "no checkpoint yet" is over
  const gaussian = asGaussianLatent(next.model);
  encoded = undefined;
  if (caps.encoder) images ??= await fetchTestImages();
  if (gaussian && images) {
    encoded = encodeImages(gaussian, images);
    curves.showKlPerDim(encoded.klPerDim, topK(encoded.klPerDim, 8), loaded.checkpoint);
  }
  render();
  if (gaussian && linkedZ?.length === gaussian.latentDim) sliders.setLatent(linkedZ, 'z from the link');
  linkedZ = undefined;
  inputsToUrl(); // the values the panels drew with, a link's out-of-range ones clamped
  view.update({ checkpoint: loaded.checkpoint });
  setState('ready', linkNote);
}

/** The model at the link's checkpoint while it is pinned (if the run still has it), else at the current one. */
async function loadPinnedOrCurrent(): ReturnType<typeof loadModel> {
  if (pinned && (await fetchCheckpointNames()).includes(pinned)) {
    try {
      return await loadModel(run, namedCheckpointApi(pinned));
    } catch (e) {
      if (!(e instanceof ApiFailure && e.status === 404)) throw e; // pruned meanwhile
    }
  }
  if (pinned) {
    linkNote = `The link names checkpoint ${pinned}, which this run does not have (any more): showing its current one.`;
    pinned = undefined;
  }
  return loadModel(run);
}

/** While a link's checkpoint is shown, a button offers the run's current one (when it is another). */
const follow = byId<HTMLButtonElement>('follow-run');
follow.addEventListener('click', async () => {
  pinned = undefined;
  follow.hidden = true;
  await showCheckpoint();
});

/**
 * Reads metrics.jsonl, latent.jsonl, every run's steps.jsonl and the status (always answered, so a run
 * without a checkpoint logs no error); loads the checkpoint the status names when it is not the one shown.
 */
async function poll(): Promise<void> {
  try {
    const [metrics, latent, status] = await Promise.all([
      fetchLog(API.metrics),
      fetchLog(API.latent),
      fetchStatus(),
    ]);
    curves.update(caps, metrics, latent, run.train.epochs);
    if (status.checkpoint === null) {
      if (!loaded)
        setState('no-checkpoint', `No checkpoint yet — training in progress? ${status.hint ?? ''}`.trim());
    } else if (pinned ? loaded?.checkpoint !== pinned : status.checkpoint !== loaded?.checkpoint) {
      await showCheckpoint();
    } else if (document.body.dataset.state === 'error') {
      setState('ready'); // what failed works again
    }
    follow.hidden = !pinned || status.checkpoint === null || status.checkpoint === pinned;
    follow.textContent = `show the run's current one, ${status.checkpoint}`;
    await runs.poll(metrics);
  } catch (e) {
    setState('error', `Could not update: ${(e as Error).message}`);
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
    kindName = config.type.toUpperCase();
    info('model', describeModel(config));
    const name = await runs.start();
    if (view.state.run !== undefined && view.state.run !== name)
      linkNote = `The link was made for run ${view.state.run}; this page shows run ${name}.`;
    view.update({ run: name });
    await poll();
  } catch (e) {
    setState('error', `The explorer could not start: ${(e as Error).message}`);
  }
}

// the canvases take their colours from the theme: a switch of the system's scheme redraws them
// (the checkpoint is shown afresh: every panel redraws as it does for a new one, nothing of the view is lost)
matchMedia('(prefers-color-scheme: light)').addEventListener('change', async () => {
  curves.redraw();
  runs.repaint();
  if (model)
    await showCheckpoint().catch((e) => setState('error', `Could not redraw: ${(e as Error).message}`));
});

start();
