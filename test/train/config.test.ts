import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainConfigSchema } from '../../src/train/config.js';

test('free bits with the IWAE objective are refused when the config is read, naming the field', () => {
  const bad = trainConfigSchema.safeParse({ objective: { kind: 'iwae', k: 5 }, freeBits: 0.5 });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0].path, ['freeBits']);
  assert.match(bad.error?.issues[0].message ?? '', /IWAE/);
  assert.equal(trainConfigSchema.safeParse({ objective: { kind: 'iwae' } }).success, true);
  assert.equal(trainConfigSchema.safeParse({ freeBits: 0.5 }).success, true);
});
