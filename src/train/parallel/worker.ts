/**
 * A data-parallel worker: a replica of the main thread's model on its own tfjs backend. It receives
 * its shard of each batch, contributes its gradient through shared memory and applies the averaged
 * one with its own optimiser copy; it also follows the main thread's weight and optimiser restores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '../../backend/index.js';
import { initBackend } from '../../backend/index.js';
import { buildModel } from '../../models/registry.js';
import { makeOptimizers } from '../step.js';
import { GradientExchange } from './exchange.js';
import {
  type FromWorker,
  fromWire,
  fromWireBatch,
  type StepReply,
  type ToWorker,
  toWire,
  type WorkerInit,
} from './protocol.js';
import { Replica } from './replica.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);
const exchange = new GradientExchange(init.buffers, init.sizes, init.shards);
let replica: Replica;
let optimizers: Record<string, tf.Optimizer> = {};
/** An error outside a step (e.g. a restore); reported at the next step, which then fails everywhere. */
let failure: Error | null = null;

function step(m: Extract<ToWorker, { kind: 'step' }>): void {
  const shard = m.shard && fromWireBatch(m.shard);
  const c = replica.contribute(shard, m.ctx, failure);
  if (shard) tf.dispose([shard.x, shard.labels]);
  const reply: StepReply = c.error
    ? { error: c.error.stack ?? c.error.message }
    : { count: c.count, metrics: c.metrics };
  init.replies.postMessage(reply);
  replica.finish(optimizers.model, m.clipNorm);
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.kind) {
    case 'weights': {
      const ws = fromWire(m.weights);
      replica.model.setWeights(new Map(ws.map((w) => [w.name, w.tensor])));
      tf.dispose(ws.map((w) => w.tensor));
      return;
    }
    case 'optimizers':
      for (const o of Object.values(optimizers)) o.dispose();
      optimizers = makeOptimizers(replica.model, init.train, m.lrScale);
      return;
    case 'optimizerWeights':
      await optimizers[m.group].setWeights(fromWire(m.weights));
      return;
    case 'step':
      return step(m);
    case 'reportWeights':
      return send({ kind: 'weights', weights: toWire(replica.model.weights()) });
  }
}

async function start(): Promise<void> {
  await initBackend(init.backend as BackendChoice, { quiet: true });
  const model = buildModel(init.replica.model, init.replica.data, init.replica.seed);
  replica = new Replica(model, exchange, init.shard);
  let queue = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    queue = queue
      .then(() => handle(m))
      .catch((e: unknown) => {
        failure ??= e instanceof Error ? e : new Error(String(e));
      });
  });
  send({ kind: 'ready' });
}

// a replica that dies unexpectedly must not leave the others waiting at the barrier
process.on('exit', () => exchange.barrier.abort());
start().catch((e: unknown) =>
  send({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
);
