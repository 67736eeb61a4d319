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
} as const;

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
