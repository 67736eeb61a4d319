import { Rng } from '../../core/random.js';

/** [start, end) rows of each of `shards` near-equal parts of a batch of n (the first n mod shards get one more). */
export function shardRanges(n: number, shards: number): [number, number][] {
  const base = Math.floor(n / shards);
  const extra = n % shards;
  const out: [number, number][] = [];
  let start = 0;
  for (let s = 0; s < shards; s++) {
    const end = start + base + (s < extra ? 1 : 0);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * The noise seed of each shard of a step with seed `seed`: a data-parallel step is the single-thread
 * computation of the same shards with these seeds, so the two can be compared exactly.
 */
export function shardSeeds(seed: number, shards: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: shards }, () => rng.seed());
}
