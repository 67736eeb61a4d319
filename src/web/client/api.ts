import * as tf from '@tensorflow/tfjs';
import {
  API,
  type ApiError,
  CHECKPOINT_HEADER,
  type CheckpointSpecs,
  type ExplorerStatus,
  type RunApi,
  type RunEntry,
  type TestImagesMeta,
} from '../protocol.js';

/** An API answer that was not 200: the server's error and hint. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.error);
  }
}

async function get(path: string): Promise<Response> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) {
    const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
    throw new ApiFailure(res.status, body as ApiError);
  }
  return res;
}

/** The parts of the run's config.json the page reads (the model config is validated by its own schema). */
export interface RunInfo {
  seed: number;
  inputShape?: [number, number, number];
  /** Number of classes of the labels, for conditional models. */
  classes?: number;
  data: { dataset: string; binarize: string };
  /** The model's config (validated by the registry's schema where it is used). */
  model: unknown;
  train: { epochs: number };
}

export const fetchConfig = async (path: string = API.config): Promise<RunInfo> => (await get(path)).json();

/** The checkpoint to show, or none yet (always answered, so a run without one logs no error). */
export const fetchStatus = async (path: string = API.status): Promise<ExplorerStatus> =>
  (await get(path)).json();

/** The runs served, the main one first. */
export const fetchCheckpointNames = async (): Promise<string[]> => (await get(API.checkpoints)).json();

export const fetchRuns = async (): Promise<RunEntry[]> => (await get(API.runs)).json();

/** The records of a JSON-lines log (metrics.jsonl, latent.jsonl, steps.jsonl), skipping a line still being written. */
export async function fetchLog(path: string): Promise<Record<string, unknown>[]> {
  const text = await (await get(path)).text();
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line)] : [];
    } catch {
      return [];
    }
  });
}

export const fetchCheckpointSpecs = async (path: string = API.checkpointSpecs): Promise<CheckpointSpecs> =>
  (await get(path)).json();

/**
 * The current checkpoint's weights by name. The specs and the bytes are two requests; when a training
 * run writes a new checkpoint between them they come from different checkpoints, so try again.
 */
export async function fetchWeights(
  paths: Pick<RunApi, 'checkpointSpecs' | 'checkpointWeights'> = API,
): Promise<{ specs: CheckpointSpecs; weights: Map<string, tf.Tensor> }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const specs = await fetchCheckpointSpecs(paths.checkpointSpecs);
    const res = await get(paths.checkpointWeights);
    if (res.headers.get(CHECKPOINT_HEADER) !== specs.checkpoint) continue;
    const named = tf.io.decodeWeights(await res.arrayBuffer(), specs.weightSpecs);
    return { specs, weights: new Map(Object.entries(named)) };
  }
  throw new Error('the checkpoint kept changing while it was being read');
}

export interface TestImages extends TestImagesMeta {
  /** count·h·w·c values in [0, 1]. */
  pixels: Float32Array;
}

export async function fetchTestImages(): Promise<TestImages> {
  const meta: TestImagesMeta = await (await get(API.testImagesMeta)).json();
  const bytes = new Uint8Array(await (await get(API.testImagesPixels)).arrayBuffer());
  return { ...meta, pixels: Float32Array.from(bytes, (b) => b / 255) };
}
