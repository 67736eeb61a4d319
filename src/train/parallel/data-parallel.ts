import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../core/errors.js';
import type { Batch, StepContext, StepResult } from '../../core/trainable.js';
import type { GenerativeModel } from '../../models/model.js';
import type { TrainConfig } from '../config.js';
import { makeOptimizers } from '../step.js';
import { localTrainer, type Trainer } from '../trainer.js';
import { GradientExchange } from './exchange.js';
import { MirroredOptimizer } from './mirrored-optimizer.js';
import {
  type FromWorker,
  type ReplicaSpec,
  type StepReply,
  type ToWorker,
  toWire,
  type WireTensor,
  type WorkerInit,
} from './protocol.js';
import { Replica } from './replica.js';
import { shardRanges } from './shards.js';

export interface DataParallelOptions {
  /** Replicas in all, the main thread's included (≥ 2). */
  workers: number;
  /** How the workers rebuild the model (its config, input shape and seed). */
  replica: ReplicaSpec;
  train: TrainConfig;
}

/**
 * The worker: the compiled worker.js beside this file; or, running from the .ts sources under tsx, a
 * bootstrap that registers tsx in the worker first (Node 20 does not pass `--import` loaders to workers).
 */
function spawnWorker(init: WorkerInit): Worker {
  const options = { workerData: init, transferList: [init.replies] };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), options);
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** Resolves on the worker's first message; rejects when it reports an error or exits first. */
function firstMessage(worker: Worker): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`data-parallel worker exited with code ${code}`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (m: FromWorker) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (m.kind === 'error') reject(new Error(`data-parallel worker failed to start: ${m.message}`));
      else resolve(m);
    });
  });
}

/**
 * Data-parallel training on several threads (worker_threads), for a model whose capabilities declare
 * `dataParallel` (one loss on the variable group `model`).
 * The main thread's model is shard 0 and the one the loop evaluates, checkpoints and samples;
 * W − 1 workers hold replicas. Each step splits the batch into W shards, every replica computes its
 * shard's gradient (its own noise seed, see shardSeeds), the gradients meet in shared memory, and every
 * replica applies the same average Σ (n_s/N) g_s with its own optimiser copy — so the replicas stay
 * identical without sending weights, and a step is a full-batch step with per-shard noise.
 * Free bits and KL balancing use batch means, so with shards they act on each shard's means.
 */
export class DataParallel implements Trainer {
  private readonly replica: Replica;
  private broken: Error | null = null;

  private constructor(
    readonly model: GenerativeModel,
    private readonly train: TrainConfig,
    exchange: GradientExchange,
    private readonly workers: Worker[],
    private readonly replies: MessagePort[],
  ) {
    this.replica = new Replica(model, exchange, 0);
  }

  /** Starts W − 1 workers (each builds the model and takes the main thread's weights). */
  static async create(model: GenerativeModel, opts: DataParallelOptions): Promise<DataParallel> {
    if (!model.capabilities.dataParallel) {
      throw new InputError({
        where: 'train.workers',
        expected: `1 for a ${model.kind} model (data-parallel training needs one gradient per step)`,
        found: String(opts.workers),
      });
    }
    const sizes = model.variableGroups().model.map((v) => v.size);
    const exchange = GradientExchange.create(sizes, opts.workers);
    const workers: Worker[] = [];
    const replies: MessagePort[] = [];
    for (let shard = 1; shard < opts.workers; shard++) {
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit = {
        shard,
        shards: opts.workers,
        backend: tf.getBackend(),
        replica: opts.replica,
        train: opts.train,
        buffers: exchange.buffers,
        sizes,
        replies: port2,
      };
      workers.push(spawnWorker(init));
      replies.push(port1);
    }
    try {
      await Promise.all(workers.map(firstMessage));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    // the workers never keep the process alive (a run that forgets close() still exits)
    for (const w of workers) w.unref();
    for (const p of replies) p.unref();
    const parallel = new DataParallel(model, opts.train, exchange, workers, replies);
    parallel.broadcast({ kind: 'weights', weights: toWire(model.weights()) });
    return parallel;
  }

  private broadcast(m: ToWorker): void {
    for (const w of this.workers) w.postMessage(m);
  }

  /** The loop's optimisers: created here and in every worker; a restored state reaches the workers too. */
  createOptimizers(lrScale: number): Record<string, tf.Optimizer> {
    const opts = makeOptimizers(this.model, this.train, lrScale);
    this.broadcast({ kind: 'optimizers', lrScale });
    return Object.fromEntries(
      Object.entries(opts).map(([group, o]) => [
        group,
        new MirroredOptimizer(o, (ws) =>
          this.broadcast({ kind: 'optimizerWeights', group, weights: toWire(ws) }),
        ),
      ]),
    );
  }

  step(
    batch: Batch,
    ctx: StepContext,
    optimizers: Record<string, tf.Optimizer>,
    clipNorm: number,
  ): StepResult {
    if (this.broken) throw this.broken;
    const { x, labels } = batch;
    const n = x.shape[0];
    const ranges = shardRanges(n, this.workers.length + 1);
    const data = x.dataSync() as Float32Array;
    const ys = labels?.dataSync() as Int32Array | undefined;
    const row = x.size / n;
    this.workers.forEach((w, i) => {
      const [a, b] = ranges[i + 1];
      const shard =
        b > a
          ? { x: data.slice(a * row, b * row), shape: [b - a, ...x.shape.slice(1)], labels: ys?.slice(a, b) }
          : null;
      w.postMessage(
        { kind: 'step', shard, ctx, clipNorm } satisfies ToWorker,
        shard ? [shard.x.buffer, ...(shard.labels ? [shard.labels.buffer] : [])] : [],
      );
    });
    const [, b0] = ranges[0];
    const own0: Batch | null = b0 > 0 ? { x: x.slice(0, b0), labels: labels?.slice(0, b0) } : null;
    const own = this.replica.contribute(own0, ctx);
    if (own0) tf.dispose([own0.x, own0.labels]);
    let result: StepResult | null = null;
    let barrierError: Error | null = null;
    try {
      result = this.replica.finish(optimizers.model, clipNorm);
    } catch (e) {
      barrierError = e as Error;
    }
    const replies = this.replies.map((p) => receiveMessageOnPort(p)?.message as StepReply | undefined);
    if (result == null) this.fail(own.error, replies, barrierError);
    const shards = [own, ...(replies as { count: number; metrics: Record<string, number> }[])];
    const total = shards.reduce((s, r) => s + r.count, 0);
    const metrics: Record<string, number> = { gradNorm: result!.metrics.gradNorm };
    for (const r of shards) {
      for (const [k, v] of Object.entries(r.metrics)) metrics[k] = (metrics[k] ?? 0) + (v * r.count) / total;
    }
    return { metrics, finite: result!.finite, poisoned: result!.poisoned };
  }

  /** A replica failed: nothing was applied anywhere; the group is unusable from here on. */
  private fail(own: Error | null, replies: (StepReply | undefined)[], barrier: Error | null): never {
    const workerError = replies.findIndex((r) => r != null && 'error' in r);
    this.broken =
      own ??
      (workerError >= 0
        ? new Error(
            `data-parallel worker ${workerError + 1}: ${(replies[workerError] as { error: string }).error}`,
          )
        : (barrier ?? new Error('data-parallel step failed')));
    throw this.broken;
  }

  /** Sets the main replica's weights and sends the same to every worker. */
  setWeights(weights: Map<string, tf.Tensor>): void {
    this.model.setWeights(weights);
    this.broadcast({ kind: 'weights', weights: toWire(this.model.weights()) });
  }

  /** Each worker's weights, in `weights()` order (to check that the replicas agree). */
  async workerWeights(): Promise<WireTensor[][]> {
    return Promise.all(
      this.workers.map(async (w) => {
        const answer = firstMessage(w);
        w.ref(); // an unref'd worker would not keep the process alive while we wait for its answer
        w.postMessage({ kind: 'reportWeights' } satisfies ToWorker);
        try {
          const m = await answer;
          if (m.kind !== 'weights') throw new Error(`data-parallel worker answered ${m.kind}`);
          return m.weights;
        } finally {
          w.unref();
        }
      }),
    );
  }

  /** Workers whose thread is still running. */
  get runningWorkers(): number {
    return this.workers.filter((w) => w.threadId !== -1).length;
  }

  /** Stops the workers (the main replica stays usable). */
  async close(): Promise<void> {
    this.broken ??= new Error('data-parallel group is closed');
    for (const p of this.replies) p.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Runs `f` with a trainer on `options.workers` threads (this thread only when 1), and stops the workers
 * afterwards, also when `f` throws.
 */
export async function withWorkers<T>(
  model: GenerativeModel,
  options: DataParallelOptions,
  f: (trainer: Trainer) => Promise<T>,
): Promise<T> {
  if (options.workers <= 1) return f(localTrainer(model, options.train));
  const parallel = await DataParallel.create(model, options);
  try {
    return await f(parallel);
  } finally {
    await parallel.close();
  }
}
