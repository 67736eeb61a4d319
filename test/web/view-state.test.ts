import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readViewState, writeViewState } from '../../src/web/client/view-state.js';

test('a view written to a query reads back the same, other parameters kept', () => {
  const view = {
    checkpoint: 'step-000000900',
    z: Float32Array.of(0.5, -1.25, 0, 1.23456),
    temperature: 0.8,
    seed: 3,
    from: 4,
    to: 17,
    steps: 12,
  };
  const query = writeViewState('?backend=wasm&seed=1', view);
  assert.match(query, /^\?backend=wasm&/);
  assert.match(query, /z=0\.5%2C-1\.25%2C0%2C1\.2346/);
  const back = readViewState(query);
  assert.deepEqual({ ...back, z: Array.from(back.z!) }, { ...view, z: [0.5, -1.25, 0, Math.fround(1.2346)] });
  assert.equal(writeViewState('?z=1', {}), '');
});

test('values that do not parse are left out, not guessed', () => {
  assert.deepEqual(
    readViewState('?z=1,abc&t=-3&seed=x&from=1e400&to=-1&steps=2.5&checkpoint=../../etc/passwd'),
    {},
  );
  assert.deepEqual(readViewState('?z=&t=&seed='), {});
  assert.equal(readViewState(`?z=${Array(5000).fill(0).join(',')}`).z, undefined, 'an absurdly long z');
  assert.deepEqual(Array.from(readViewState('?z=1e3,-0').z!), [1000, -0]);
  // finite as a double but not as float32 (the page's tensors): left out, not turned into Infinity
  assert.equal(readViewState('?z=1e39,0').z, undefined);
  assert.equal(readViewState('?seed=1e20').seed, undefined, 'beyond a safe integer');
  assert.equal(readViewState('?class=7').class, 7);
  assert.equal(readViewState('?class=-1').class, undefined);
});
