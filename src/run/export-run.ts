import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { BUILTIN_DATASETS } from '../data/builtin.js';
import { exampleFeeds, maxRelativeError } from '../export/feeds.js';
import type { GraphBuilder, InputKind } from '../export/graph.js';
import { writeOnnx } from '../export/onnx.js';
import { runGraph } from '../export/run-graph.js';
import { writeTfjsGraph } from '../export/tfjs-graph.js';
import { writeFileAtomic } from '../io/atomic.js';
import { statPath } from '../io/files.js';
import { asExportable, type ExportPart, type GenerativeModel } from '../models/model.js';
import { capabilitiesOf, describeModel, MODEL_KINDS } from '../models/registry.js';
import type { RunConfig } from './config.js';
import type { LoadedRun } from './load-run.js';
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

/** Whether anything (a file, a folder, a link, even a dangling one) is at `path`. */
const existsAt = (path: string) => lstatSync(path, { throwIfNoEntry: false }) !== undefined;

/**
 * Checks, before the model is loaded, that an export folder can be created at `out`: nothing is there yet
 * and its parent folder exists.
 */
export function checkExportFolder(out: string): void {
  if (out === '') throw new InputError({ where: '-o', expected: 'a folder name', found: 'an empty name' });
  // lstat: a link at -o, even one that points nowhere, is something that exists there
  if (existsAt(out)) {
    throw new InputError({
      where: `-o ${out}`,
      expected: 'a folder that does not exist yet (vaekit export never writes over files)',
      found: 'it exists',
      hint: 'choose another name, or remove the old export first',
    });
  }
  const parent = dirname(resolve(out));
  if (!statPath(parent, 'a folder to write into')?.isDirectory()) {
    throw new InputError({
      where: `-o ${out}`,
      expected: 'a folder inside an existing folder',
      found: `no folder ${parent}`,
      hint: `create it first (mkdir -p ${parent})`,
    });
  }
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
    tf.dispose([...Object.values(feeds), ...Object.values(got), ...Object.values(want)]);
  }
  if (!(worst <= GRAPH_TOLERANCE)) {
    throw new Error(
      `vaekit export: the ${part} graph differs from the model by ${worst} (more than ${GRAPH_TOLERANCE}); nothing was written. This is a bug in vaekit.`,
    );
  }
  return worst;
}

/** The run's logged metrics for the epoch its checkpoint ends (metrics.jsonl counts epochs from 1). */
function checkpointMetrics(dir: string, epoch: number): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(runPaths(dir).metrics, 'utf8');
  } catch {
    return null;
  }
  const records = text
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    })
    .filter((r) => typeof r.epoch === 'number' && r.test !== undefined);
  const record = records.find((r) => r.epoch === epoch) ?? records.at(-1);
  return record ? { epoch: record.epoch, test: record.test } : null;
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
 * checked against the model before anything is written; the files are written into a temporary folder beside
 * `out` that is renamed to `out` at the end, so `out` holds a whole export or nothing.
 */
export function exportRun(dir: string, run: LoadedRun, o: ExportOptions): ExportedPart[] {
  checkExportFolder(o.out);
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
  const staging = `${resolve(o.out)}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    const exported: ExportedPart[] = graphs.map(({ part, graph, checkedError }) => ({
      part,
      files: writePart(staging, part, graph, o, { ...run, name: basename(resolve(dir)) }),
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
      `${JSON.stringify(modelCard(dir, run, o, exported), null, 2)}\n`,
    );
    checkExportFolder(o.out); // nothing appeared there meanwhile
    renameSync(staging, o.out);
    return exported;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** What a user of the exported files needs to know, without vaekit: data, preprocessing, ports, metrics. */
function modelCard(dir: string, run: LoadedRun, o: ExportOptions, parts: ExportedPart[]) {
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
      which: o.checkpoint,
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
    },
    data: {
      dataset: config.data.dataset,
      imageShape: { height: h, width: w, channels: c, layout: 'NHWC' },
      inputRange: '[0, 1], float32 (8-bit pixels divided by 255)',
      preprocessing: preprocessing(config.data),
    },
    parts,
    metrics: checkpointMetrics(dir, state.epoch),
    metricUnits: run.model.capabilities.bound
      ? 'per test image, in nats (loss = −ELBO, an upper bound on −log p(x)); bitsPerDim = loss / (D · ln 2), D = height · width · channels'
      : "the adversarial game's scores, without units",
  };
}

/** How the training images became the model's inputs, in words. */
function preprocessing(data: RunConfig['data']): string[] {
  const out = ['pixel values divided by 255 (8-bit images), so x is in [0, 1]'];
  if (!(BUILTIN_DATASETS as readonly string[]).includes(data.dataset)) {
    const colour = data.channels === 1 ? 'grey' : 'RGB';
    out.push(
      `image folders: centre-cropped to a square and area-resized to ${data.imageSize}×${data.imageSize}, ${colour}; IDX files as stored`,
    );
  }
  if (data.binarize !== 'none')
    out.push(`binarised during training (${data.binarize}): the model was fit to 0/1 pixels`);
  return out;
}
