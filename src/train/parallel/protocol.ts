import type { MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { GradientContext, NamedWeight } from '../../core/trainable.js';
import type { ModelConfig } from '../../models/build.js';
import type { ImageShape } from '../../nn/networks.js';
import type { TrainConfig } from '../config.js';
import type { ExchangeBuffers } from './exchange.js';

/** How a worker rebuilds the main thread's model (its weights then arrive in a `weights` message). */
export interface ReplicaSpec {
  model: ModelConfig;
  inputShape: ImageShape;
  seed: number;
}

/** A tensor as it crosses threads (structured clone). */
export interface WireTensor {
  name: string;
  shape: number[];
  dtype: tf.DataType;
  data: tf.TypedArray;
}

/** `workerData` of each worker. */
export interface WorkerInit {
  shard: number;
  shards: number;
  backend: string;
  replica: ReplicaSpec;
  train: TrainConfig;
  buffers: ExchangeBuffers;
  sizes: number[];
  /** The worker answers each step on this port; the blocked main thread reads it with receiveMessageOnPort. */
  replies: MessagePort;
}

/** Main thread → worker, handled in order. */
export type ToWorker =
  | { kind: 'weights'; weights: WireTensor[] }
  | { kind: 'optimizers'; lrScale: number }
  | { kind: 'optimizerWeights'; group: string; weights: WireTensor[] }
  | { kind: 'step'; x: { data: Float32Array; shape: number[] } | null; ctx: GradientContext }
  | { kind: 'reportWeights' };

/** Worker → main thread, outside steps. */
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'error'; message: string }
  | { kind: 'weights'; weights: WireTensor[] };

/** Worker → main thread, one per step, posted before the worker reaches the barrier. */
export type StepReply = { count: number; metrics: Record<string, number> } | { error: string };

export function toWire(weights: NamedWeight[]): WireTensor[] {
  return weights.map(({ name, tensor }) => ({
    name,
    shape: tensor.shape,
    dtype: tensor.dtype,
    data: tensor.dataSync().slice(),
  }));
}

export function fromWire(weights: WireTensor[]): NamedWeight[] {
  return weights.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape, w.dtype) }));
}
