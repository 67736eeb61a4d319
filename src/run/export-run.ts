import { accessSync, constants, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { datasetClassNames, describePreparation } from '../data/preparation.js';
import { exampleFeeds, maxRelativeError } from '../export/feeds.js';
import type { GraphBuilder, InputKind } from '../export/graph.js';
import { writeOnnx } from '../export/onnx.js';
import { runGraph } from '../export/run-graph.js';
import { writeTfjsGraph } from '../export/tfjs-graph.js';
import { writeFileAtomic } from '../io/atomic.js';
import { existsAt, statPath } from '../io/files.js';
import { writeFolderStaged } from '../io/staged-folder.js';
import { asExportable, type ExportPart, type GenerativeModel } from '../models/model.js';
import { capabilitiesOf, describeModel, MODEL_KINDS } from '../models/registry.js';
import type { RunConfig } from './config.js';
import type { LoadedRun } from './load-run.js';
import { epochTestRecord } from './metrics-log.js';
import { runPaths } from './run-dir.js';

export type ExportFormat = 'onnx' | 'tfjs';

export interface ExportOptions {
  format: ExportFormat;
  part: ExportPart | 'all';
  /** The folder to create; it must not exist yet. */
  out: string;
  /** Which of the run's checkpoints was loaded, for the model card. */
  checkpoint: 'best' | 'latest';
  /** vaekit's version, written into the files. */
  version: string;
}

/** What one exported part is: its files and its ports, for the model card and the command's report. */
export interface ExportedPart {
  part: ExportPart;
  files: string[];
  inputs: { name: string; shape: (number | 'batch')[]; kind?: InputKind; holds: string }[];
  outputs: { name: string; shape: (number | 'batch')[]; holds: string }[];
  /** Largest relative difference between the graph and the model on example inputs. */
  checkedError: number;
}

/** The graph must compute what the model does; a larger difference than this is a bug in vaekit, not bad input. */
const GRAPH_TOLERANCE = 1e-4;

/**
 * Checks, before the model is loaded, that an export folder can be created at `out`: nothing is there yet,
 * and its parent is an existing folder this process may write in. Returns the folder's absolute, normalised
 * path (`new/.` is `new`; `..` is the folder above, which exists), the one the export is renamed to.
 */
export function checkExportFolder(out: string): string {
  if (out === '') throw new InputError({ where: '-o', expected: 'a folder name', found: 'an empty name' });
  const target = resolve(out);
  // lstat: a link at -o, even one that points nowhere, is something that exists there
  if (existsAt(target)) {
    throw new InputError({
      where: `-o ${out}`,
      expected: 'a folder that does not exist yet (vaekit export never writes over files)',
      found: out === target ? 'it exists' : `it exists (${target})`,
      hint: 'choose another name, or remove the old export first',
    });
  }
  const parent = dirname(target);
  if (!statPath(parent, 'a folder to write into')?.isDirectory()) {
    throw new InputError({
      where: `-o ${out}`,
      expected: 'a folder inside an existing folder',
      found: `no folder ${parent}`,
      hint: `create it first (mkdir -p ${parent})`,
    });
  }
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch {
    throw new InputError({
      where: `-o ${out}`,
      expected: 'a folder inside a folder this user may write in',
      found: `no permission to write in ${parent}`,
    });
  }
  return target;
}

/**
 * The parts of a model of kind `type` to export: `part`, or all it has; an InputError names what the model
 * has. Read from the registry, so a run is refused before its checkpoint is loaded.
 */
export function exportParts(type: string, part: ExportPart | 'all'): ExportPart[] {
  const has = capabilitiesOf(type).exports;
  if (has.length === 0) {
    const kinds = MODEL_KINDS.filter((k) => k.capabilities.exports.length > 0).map((k) => k.type);
    throw new InputError({
      where: 'vaekit export',
      expected: `a run of a model that can be exported (${kinds.join(', ')})`,
      found: `a ${type} run: its batch-norm statistics are re-estimated per temperature at sampling time, which a fixed graph cannot do`,
    });
  }
  if (part !== 'all' && !has.includes(part)) {
    throw new InputError({
      where: `--part ${part}`,
      expected: `a part a ${type} model has: ${has.join(', ')} (or all)`,
      found: `a ${type} model has no ${part} to export`,
    });
  }
  return part === 'all' ? [...has] : [part];
}

const shapeOf = (s: readonly number[]) => s.map((d) => (d === -1 ? ('batch' as const) : d));

/** Runs the graph and the model on the same example inputs (two batch sizes) and returns the largest difference. */
function checkGraph(model: GenerativeModel, part: ExportPart, graph: GraphBuilder): number {
  const exportable = asExportable(model);
  if (!exportable) throw new Error(`${model.kind}: declares exports but is not Exportable`);
  let worst = 0;
  for (const n of [1, 3]) {
    const feeds = exampleFeeds(graph, n, 11);
    const got = runGraph(graph, feeds);
    const want = exportable.exportReference(part, feeds);
    worst = Math.max(worst, maxRelativeError(got, want));
    let [bad, values] = [0, 0];
    for (const t of Object.values(want)) {
      const data = t.dataSync();
      values += data.length;
      for (const v of data) if (!Number.isFinite(v)) bad++;
    }
    tf.dispose([...Object.values(feeds), ...Object.values(got), ...Object.values(want)]);
    if (bad > 0) {
      // the run itself is broken (weights that overflow): an export of it would give the same NaN or ∞
      throw new InputError({
        where: `the run's checkpoint (${part})`,
        expected: 'a model whose outputs are finite on ordinary inputs (N(0, I) latents, images in [0, 1])',
        found: `${bad} of ${values} output values NaN or ∞ on such inputs; nothing was written`,
      });
    }
  }
  if (!(worst <= GRAPH_TOLERANCE)) {
    throw new Error(
      `vaekit export: the ${part} graph differs from the model by ${worst} (more than ${GRAPH_TOLERANCE}); nothing was written. This is a bug in vaekit.`,
    );
  }
  return worst;
}

/** Writes one part in the chosen format into `folder`; returns the files written, relative to it. */
function writePart(
  folder: string,
  part: ExportPart,
  graph: GraphBuilder,
  o: ExportOptions,
  run: LoadedRun & { name: string },
) {
  const metadata = {
    vaekit: o.version,
    run: run.name,
    model: describeModel(run.config.model),
    part,
  };
  if (o.format === 'onnx') {
    const doc = `vaekit ${part} of a ${run.config.model.type} model: ${metadata.model}`;
    writeFileAtomic(
      join(folder, `${part}.onnx`),
      writeOnnx(graph, { producerVersion: o.version, doc, metadata }),
    );
    return [`${part}.onnx`];
  }
  const { modelJson, weights } = writeTfjsGraph(graph, { producerVersion: o.version, metadata });
  mkdirSync(join(folder, part));
  writeFileAtomic(join(folder, part, 'weights.bin'), weights);
  writeFileAtomic(join(folder, part, 'model.json'), JSON.stringify(modelJson));
  return [`${part}/model.json`, `${part}/weights.bin`];
}

/**
 * Exports a loaded run's parts as ONNX or TensorFlow.js graph models with a `model-card.json`. Each graph is
 * checked against the model before anything is written; the folder is staged (io/staged-folder.ts), so `out`
 * holds a whole export or nothing.
 */
export function exportRun(dir: string, run: LoadedRun, o: ExportOptions): ExportedPart[] {
  const target = checkExportFolder(o.out);
  const metrics = epochTestRecord(runPaths(dir).metrics, run.state.epoch, run.state.step);
  // JSON writes NaN and ∞ as null: a measured bound of null is a run that diverged at this checkpoint
  const test = metrics?.test as Record<string, unknown> | undefined;
  if (run.model.capabilities.bound && test && 'loss' in test && test.loss === null) {
    throw new InputError({
      where: `${basename(run.checkpoint)} (${dir})`,
      expected: 'a checkpoint whose test loss was a number',
      found:
        'a test loss of NaN or ∞ logged at this checkpoint: the run had diverged there; nothing was written',
      hint: 'try --checkpoint best, or train again with a smaller learning rate',
    });
  }
  // a flow posterior has no (μ, log σ²) encoder to export: `all` then means the decoder alone
  const flow = (run.config.model as { posterior?: { type: string } }).posterior?.type === 'iaf';
  const parts = exportParts(run.model.kind, o.part).filter(
    (p) => !(o.part === 'all' && flow && p === 'encoder'),
  );
  const exportable = asExportable(run.model) as NonNullable<ReturnType<typeof asExportable>>;
  const graphs = parts.map((part) => {
    const graph = exportable.exportGraph(part);
    return { part, graph, checkedError: checkGraph(run.model, part, graph) };
  });
  const name = basename(resolve(dir));
  return writeFolderStaged(
    target,
    (staging) => {
      const exported: ExportedPart[] = graphs.map(({ part, graph, checkedError }) => ({
        part,
        files: writePart(staging, part, graph, o, { ...run, name }),
        inputs: graph.inputs.map((p) => ({
          name: p.name,
          shape: shapeOf(p.value.shape),
          kind: p.kind,
          holds: p.doc,
        })),
        outputs: graph.outputs.map((p) => ({ name: p.name, shape: shapeOf(p.value.shape), holds: p.doc })),
        checkedError,
      }));
      writeFileAtomic(
        join(staging, 'model-card.json'),
        `${JSON.stringify(modelCard(dir, run, o, exported, metrics), null, 2)}\n`,
      );
      return exported;
    },
    () => checkExportFolder(o.out), // nothing appeared there meanwhile
  );
}

/** What a user of the exported files needs to know, without vaekit: data, preprocessing, ports, metrics. */
function modelCard(
  dir: string,
  run: LoadedRun,
  o: ExportOptions,
  parts: ExportedPart[],
  metrics: ReturnType<typeof epochTestRecord>,
) {
  const { config, state } = run;
  const model = config.model as Record<string, unknown>;
  const [h, w, c] = config.inputShape ?? [];
  return {
    format:
      o.format === 'onnx'
        ? 'ONNX (opset 17), one .onnx file per part'
        : 'TensorFlow.js graph model, one folder per part (tf.loadGraphModel)',
    producer: `vaekit ${o.version}`,
    run: basename(resolve(dir)),
    checkpoint: {
      // the loader falls back (and says why) when the one asked for is gone or unreadable
      which: run.checkpointNote ? 'fallback' : o.checkpoint,
      ...(run.checkpointNote ? { asked: o.checkpoint, note: run.checkpointNote } : {}),
      folder: basename(run.checkpoint),
      epochsTrained: state.epoch,
      steps: state.step,
    },
    model: {
      type: config.model.type,
      description: describeModel(config.model),
      latentDim: model.latentDim ?? null,
      likelihood: model.likelihood ?? null,
      classes: config.model.type === 'cvae' ? config.classes : null,
      ...(config.model.type === 'cvae' ? { labelColumns: labelColumns(config) } : {}),
    },
    data: {
      dataset: config.data.dataset,
      imageShape: { height: h, width: w, channels: c, layout: 'NHWC' },
      inputRange: '[0, 1], float32',
      preprocessing: preprocessing(config),
    },
    parts,
    metrics,
    metricUnits: run.model.capabilities.bound
      ? 'per test image, in nats (loss = −ELBO, an upper bound on −log p(x)); bitsPerDim = loss / (D · ln 2), D = height · width · channels'
      : "the adversarial game's scores, without units",
  };
}

/** What column k of a CVAE's one-hot `y` stands for: the data's class names, or its label k. */
function labelColumns(config: RunConfig): string[] {
  const n = config.classes ?? 0;
  // label k is class folder k (classes counts up to the last label that has images; an empty last folder is
  // named, not counted); a run from before names were recorded reads them from its dataset, if still there
  const names = config.classNames ?? datasetClassNames(config.data.dataset);
  return Array.from({ length: n }, (_, k) => names?.[k] ?? `label ${k} of the data's label file`);
}

/**
 * How the training images became the model's inputs, in words: as recorded when the run was created, else
 * told from the dataset if it is still there.
 */
function preprocessing(config: RunConfig): string[] {
  const { data } = config;
  let out = config.dataPreparation;
  if (!out) {
    try {
      out = describePreparation(data.dataset, data, config.inputShape ?? []);
    } catch {
      out = [
        'the stored images as vaekit read them, in [0, 1] (the dataset is no longer there to tell how: see data.dataset)',
      ];
    }
  }
  return data.binarize === 'none'
    ? out
    : [...out, `binarised during training (${data.binarize}): the model was fit to 0/1 pixels`];
}
