/**
 * examples/python/sample_onnx.py on exports it may be given: on an encoder-only export it says there is no
 * decoder (it once died with a bare StopIteration traceback).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const python = process.env.VAEKIT_ONNX_PYTHON ?? join(repo, '.venv-onnx', 'bin', 'python');
const pythonHasOnnx =
  existsSync(python) &&
  spawnSync(python, ['-c', 'import onnxruntime, onnx'], { encoding: 'utf8' }).status === 0;
const work = mkdtempSync(join(tmpdir(), 'vk-attack-python-'));
const vaekit = vaekitFromSource(work);

test('sample_onnx.py on an encoder-only export says it has no decoder (no StopIteration traceback)', {
  skip: pythonHasOnnx ? false : `no Python with onnxruntime and onnx at ${python}`,
}, () => {
  const data = idxDigits(100, 50);
  const t = trainTiny(vaekit, 'vae', data);
  assert.equal(t.code, 0, t.err);
  const e = vaekit('export', 'runs/vae', '--format', 'onnx', '--part', 'encoder', '-o', 'enc');
  assert.equal(e.code, 0, e.err);
  const r = spawnSync(python, [join(repo, 'examples', 'python', 'sample_onnx.py'), join(work, 'enc')], {
    encoding: 'utf8',
  });
  assert.doesNotMatch(r.stderr, /Traceback|StopIteration/, r.stderr);
  assert.match(r.stdout + r.stderr, /decoder/);
});
