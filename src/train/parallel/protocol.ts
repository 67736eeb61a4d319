import type { MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { Batch, NamedWeight, StepContext } from '../../core/trainable.js';
import type { DataInfo } from '../../models/kind.js';
import type { ModelConfig } from '../../models/registry.js';
import type { TrainConfig } from '../config.js';
import type { ExchangeBuffers } from './exchange.js';

/** How a worker rebuilds the main thread's model (its weights then arrive in a `weights` message). */
export interface ReplicaSpec {
  model: ModelConfig;
  data: DataInfo;
  seed: number;
}

/** A tensor as it crosses threads (structured clone). */
export interface WireTensor {
  name: string;
  shape: number[];
  dtype: tf.DataType;
  data: tf.TypedArray;
}

/** A shard of a batch as it crosses threads: images [n, h, w, c] and their labels. */
export interface WireBatch {
  x: Float32Array;
  shape: number[];
  labels?: Int32Array;
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
  | { kind: 'step'; shard: WireBatch | null; ctx: StepContext; clipNorm: number }
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

export function fromWireBatch(b: WireBatch): Batch {
  return {
    x: tf.tensor4d(b.x, b.shape as [number, number, number, number]),
    labels: b.labels && tf.tensor1d(b.labels, 'int32'),
  };
}
