/** Cells of the barrier's Int32Array. */
const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;
export const BARRIER_CELLS = 3;

/** How often a waiting thread looks at the abort flag (ms). */
const POLL_MS = 200;

/**
 * A reusable barrier for `parties` threads over shared memory (Atomics.wait / Atomics.notify, which Node
 * allows on its main thread too). The last thread to arrive starts the next generation and wakes the others.
 * `abort()` releases every waiter with an error, so a failed or closing replica never leaves one hanging.
 */
export class Barrier {
  constructor(
    private readonly cells: Int32Array,
    private readonly parties: number,
  ) {}

  static create(parties: number): Barrier {
    return new Barrier(new Int32Array(new SharedArrayBuffer(BARRIER_CELLS * 4)), parties);
  }

  get buffer(): SharedArrayBuffer {
    return this.cells.buffer as SharedArrayBuffer;
  }

  arriveAndWait(): void {
    const c = this.cells;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, ARRIVED, 1) === this.parties - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    while (Atomics.load(c, GENERATION) === generation) {
      if (Atomics.load(c, ABORTED)) throw new Error('data-parallel barrier aborted (a replica stopped)');
      Atomics.wait(c, GENERATION, generation, POLL_MS);
    }
  }

  abort(): void {
    Atomics.store(this.cells, ABORTED, 1);
    Atomics.notify(this.cells, GENERATION);
  }

  get aborted(): boolean {
    return Atomics.load(this.cells, ABORTED) === 1;
  }
}
