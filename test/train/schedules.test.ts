import assert from 'node:assert/strict';
import { test } from 'node:test';
import { klWeight } from '../../src/objectives/kl-schedule.js';

test('constant schedule is β at every step', () => {
  for (const s of [0, 1, 1000]) assert.equal(klWeight({ kind: 'constant' }, 0.5, s), 0.5);
});

test('linear warm-up rises from 0 to β over `steps` and stays there', () => {
  const s = { kind: 'linear', steps: 100 } as const;
  assert.equal(klWeight(s, 2, 0), 0);
  assert.equal(klWeight(s, 2, 25), 0.5);
  assert.equal(klWeight(s, 2, 100), 2);
  assert.equal(klWeight(s, 2, 5000), 2);
});

test('cyclical schedule restarts every cycle and holds β after the ratio', () => {
  const s = { kind: 'cyclical', steps: 100, ratio: 0.5 } as const;
  assert.equal(klWeight(s, 1, 0), 0);
  assert.equal(klWeight(s, 1, 25), 0.5);
  assert.equal(klWeight(s, 1, 50), 1);
  assert.equal(klWeight(s, 1, 99), 1);
  assert.equal(klWeight(s, 1, 100), 0);
  assert.equal(klWeight(s, 1, 125), 0.5);
});
