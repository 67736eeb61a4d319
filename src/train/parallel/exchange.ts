import type { Gradients } from '../step.js';
import { Barrier } from './barrier.js';

/** The shared memory of one data-parallel group (posted to each worker: SharedArrayBuffers are shared, not copied). */
export interface ExchangeBuffers {
  grads: SharedArrayBuffer;
  meta: SharedArrayBuffer;
  barrier: SharedArrayBuffer;
}

/** Per shard: examples, loss, failed, then a has-gradient flag per variable. */
const COUNT = 0;
const LOSS = 1;
const FAILED = 2;
const PRESENT = 3;

/** The gradient averaged over every shard, weighted by its examples; null where no shard has one. */
export interface AveragedGradients {
  loss: number;
  grads: (Float32Array | null)[];
}

/**
 * Where replicas meet: each shard writes its flattened gradient into its slot of a SharedArrayBuffer,
 * waits on the barrier, and then every replica reads all slots and averages them the same way
 * (same order, same arithmetic), so all of them apply the same update.
 * Slots are double-buffered by step parity: a replica may write step t+1 while a slower one still
 * reads step t, and none can reach step t+2 before everyone has passed the barrier of t+1.
 */
export class GradientExchange {
  readonly barrier: Barrier;
  private readonly grads: Float32Array;
  private readonly meta: Float64Array;
  private readonly offsets: number[];
  private readonly size: number;
  private readonly metaSize: number;

  constructor(
    readonly buffers: ExchangeBuffers,
    readonly sizes: number[],
    readonly shards: number,
  ) {
    this.offsets = [];
    let size = 0;
    for (const n of sizes) {
      this.offsets.push(size);
      size += n;
    }
    this.size = size;
    this.metaSize = PRESENT + sizes.length;
    this.grads = new Float32Array(buffers.grads);
    this.meta = new Float64Array(buffers.meta);
    this.barrier = new Barrier(new Int32Array(buffers.barrier), shards);
  }

  /** Shared memory for `shards` replicas of a model whose variables have `sizes` elements. */
  static create(sizes: number[], shards: number): GradientExchange {
    const total = sizes.reduce((a, b) => a + b, 0);
    const buffers = {
      grads: new SharedArrayBuffer(2 * shards * total * 4),
      meta: new SharedArrayBuffer(2 * shards * (PRESENT + sizes.length) * 8),
      barrier: Barrier.create(shards).buffer,
    };
    return new GradientExchange(buffers, sizes, shards);
  }

  private slot(parity: number, shard: number): number {
    return parity * this.shards + shard;
  }

  /** Publishes one shard's gradient (null: an empty shard, or a failed one). */
  write(parity: number, shard: number, count: number, g: Gradients | null, failed: boolean): void {
    const slot = this.slot(parity, shard);
    const m = slot * this.metaSize;
    this.meta[m + COUNT] = g ? count : 0;
    this.meta[m + LOSS] = g ? g.loss : 0;
    this.meta[m + FAILED] = failed ? 1 : 0;
    const base = slot * this.size;
    this.sizes.forEach((_, i) => {
      const t = g?.grads[i];
      this.meta[m + PRESENT + i] = t ? 1 : 0;
      if (t) this.grads.set(t.dataSync() as Float32Array, base + this.offsets[i]);
    });
  }

  anyFailed(parity: number): boolean {
    for (let s = 0; s < this.shards; s++) {
      if (this.meta[this.slot(parity, s) * this.metaSize + FAILED] !== 0) return true;
    }
    return false;
  }

  /** ḡ = Σ_s (n_s / N) g_s and the loss likewise (each shard's loss is its mean over n_s examples). */
  average(parity: number): AveragedGradients {
    const present = new Array<boolean>(this.sizes.length).fill(false);
    const parts: { w: number; g: Float32Array }[] = [];
    let total = 0;
    for (let s = 0; s < this.shards; s++) total += this.meta[this.slot(parity, s) * this.metaSize + COUNT];
    let loss = 0;
    for (let s = 0; s < this.shards; s++) {
      const slot = this.slot(parity, s);
      const m = slot * this.metaSize;
      const n = this.meta[m + COUNT];
      if (n === 0) continue;
      loss += (n / total) * this.meta[m + LOSS];
      parts.push({ w: n / total, g: this.grads.subarray(slot * this.size, (slot + 1) * this.size) });
      this.sizes.forEach((_, i) => {
        if (this.meta[m + PRESENT + i] !== 0) present[i] = true;
      });
    }
    const out = weightedSum(parts, this.size);
    return {
      loss,
      grads: this.sizes.map((n, i) =>
        present[i] ? out.subarray(this.offsets[i], this.offsets[i] + n) : null,
      ),
    };
  }
}

/** Σ_s w_s g_s, the first two terms in one pass (two shards, the usual case, read the memory once). */
function weightedSum(parts: { w: number; g: Float32Array }[], size: number): Float32Array {
  const out = new Float32Array(size);
  const [a, b, ...rest] = parts;
  if (a && b) {
    for (let i = 0; i < size; i++) out[i] = a.w * a.g[i] + b.w * b.g[i];
  } else if (a) {
    for (let i = 0; i < size; i++) out[i] = a.w * a.g[i];
  }
  for (const p of rest) for (let i = 0; i < size; i++) out[i] += p.w * p.g[i];
  return out;
}
