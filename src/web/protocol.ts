/** What the explorer's server and page say to each other: the API paths and the JSON they carry. */

export const API = {
  config: '/api/config',
  metrics: '/api/metrics',
  /** latent.jsonl: KL per latent dimension (and active units) on the test set after each epoch. */
  latent: '/api/latent',
  checkpointSpecs: '/api/checkpoint/weights.json',
  checkpointWeights: '/api/checkpoint/weights.bin',
  testImagesMeta: '/api/test-images.json',
  testImagesPixels: '/api/test-images.bin',
  /** steps.jsonl: the training metrics step by step (rate-limited), for the live curve. */
  steps: '/api/steps',
  /** Always 200: which checkpoint the page should show, if any (ExplorerStatus). */
  status: '/api/status',
  /** The runs served (RunEntry[]), the first one the main run. */
  runs: '/api/runs',
  /** The names of the main run's checkpoints (string[]): a link's checkpoint is looked up there first. */
  checkpoints: '/api/checkpoints',
} as const;

/** The API paths of one run's files. */
export interface RunApi {
  config: string;
  metrics: string;
  latent: string;
  steps: string;
  status: string;
  checkpointSpecs: string;
  checkpointWeights: string;
}

/** The API paths of checkpoint `name` of the first run (the one a link names). */
export function namedCheckpointApi(name: string): Pick<RunApi, 'checkpointSpecs' | 'checkpointWeights'> {
  const base = `/api/checkpoints/${encodeURIComponent(name)}`;
  return { checkpointSpecs: `${base}/weights.json`, checkpointWeights: `${base}/weights.bin` };
}

/** The API paths of run k (its index in `/api/runs`): `/api/run/<k>/…`. */
export function runApi(k: number): RunApi {
  const base = `/api/run/${k}`;
  return {
    config: `${base}/config`,
    metrics: `${base}/metrics`,
    latent: `${base}/latent`,
    steps: `${base}/steps`,
    status: `${base}/status`,
    checkpointSpecs: `${base}/checkpoint/weights.json`,
    checkpointWeights: `${base}/checkpoint/weights.bin`,
  };
}

/** `/api/runs`: one entry per run served, in the order of the command line. */
export interface RunEntry {
  index: number;
  /** The run directory's name (its last path segment). */
  name: string;
}

/** `/api/status`: the checkpoint the page should show, or null with a hint while there is none yet. */
export interface ExplorerStatus {
  checkpoint: string | null;
  /** Epochs completed and optimiser steps taken by the checkpoint (null without one). */
  epoch: number | null;
  step: number | null;
  hint: string | null;
}

/** Both checkpoint responses name the checkpoint they come from, so the page can tell a torn pair. */
export const CHECKPOINT_HEADER = 'x-vaekit-checkpoint';

/** `weights.json`: the tfjs weight specs of the checkpoint's model weights, and which checkpoint it is. */
export interface CheckpointSpecs {
  checkpoint: string;
  /** Optimiser steps taken when it was written, and the epochs completed by then. */
  step: number;
  epoch: number;
  weightSpecs: { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }[];
}

/** `test-images.json`; `test-images.bin` holds count·h·w·c bytes, pixel value = byte / 255. */
export interface TestImagesMeta {
  dataset: string;
  count: number;
  shape: [number, number, number];
  labels: number[] | null;
}

/** Every API error body. */
export interface ApiError {
  error: string;
  hint?: string;
}
