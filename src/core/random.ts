/**
 * What a tfjs random op is given for vaekit's seed 0. tfjs reads a seed of 0 as "no seed"
 * (`seed ? seed : Math.random()` in randomNormal, truncatedNormal and randomGamma), and tfjs seeds are
 * used through their decimal text, so a non-integer stands for 0 without colliding with any integer seed.
 */
export const TF_SEED_FOR_ZERO = 0.5;

/**
 * The seed to pass to a tfjs random op (`tf.randomNormal(…, tfSeed(seed))`, an initializer's `seed`) for
 * a vaekit seed: every finite seed other than 0 unchanged, 0 (the default seed, and a value `Rng.seed()`
 * can return) mapped to `TF_SEED_FOR_ZERO`, so that every seed, 0 included, draws the same numbers each
 * time. Every tfjs random call in vaekit goes through it (test/reliability/seed-zero.test.ts checks).
 */
export function tfSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`tfSeed: a seed must be a finite number, got ${seed}`);
  return seed === 0 ? TF_SEED_FOR_ZERO : seed;
}

/**
 * A small seeded pseudo-random generator (mulberry32) whose whole state is one 32-bit integer,
 * so a checkpoint can store it and a resumed run continues the same stream.
 */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A fresh seed (an integer in [0, 2³¹ − 1), 0 included): hand it to a tfjs random op through `tfSeed`. */
  seed(): number {
    return this.int(2147483647);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  get state(): number {
    return this.s;
  }

  static fromState(state: number): Rng {
    const r = new Rng(0);
    r.s = state >>> 0;
    return r;
  }
}
