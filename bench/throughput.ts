/**
 * Training throughput of the reference VAEs on each tfjs backend, optionally against PyTorch CPU.
 *   npm run bench -- [--steps N] [--backends wasm,wasm-js,wasm-shipped,cpu] [--models mlp,conv] [--workers 1,2] [--compare-pytorch]
 * `wasm` has our kernel patches and the native addon (when built: native/, all cores), `wasm-js` the
 * patches without the addon (the pure-npm path), `wasm-shipped` is the backend as published, `cpu` plain JS.
 * `--workers` adds rows for vaekit's own VAE trained through trainStep on patched wasm, on the main
 * thread (1) or data-parallel over that many threads.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';
import { nativeKernels, setNativeKernelsEnabled } from '../src/backend/native.js';
import { installWasmKernels, uninstallWasmKernels } from '../src/backend/wasm/index.js';
import { trainStepsParallel } from './data-parallel.js';
import { sampleRate, trainSteps } from './measure.js';
import { type BenchModel, convVae, mlpVae } from './models.js';
import { pytorchUnavailable, runPytorch, type TorchResult } from './pytorch.js';

const BACKENDS = ['wasm', 'wasm-js', 'wasm-shipped', 'cpu'] as const;
const MODELS = { mlp: mlpVae, conv: convVae } as const;
type ModelName = keyof typeof MODELS;
/** Default timed steps on wasm; cpu runs a tenth of them (it is ~50x slower). */
const DEFAULT_STEPS: Record<ModelName, number> = { mlp: 60, conv: 15 };
const SAMPLES = 10_000;

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string' },
    backends: { type: 'string', default: BACKENDS.join(',') },
    models: { type: 'string', default: 'mlp,conv' },
    workers: { type: 'string', default: '' },
    'compare-pytorch': { type: 'boolean', default: false },
  },
});

function list<T extends string>(arg: string, allowed: readonly T[], what: string): T[] {
  const items = arg.split(',').filter(Boolean);
  for (const s of items) {
    if (!allowed.includes(s as T))
      throw new Error(`--${what}: expected some of ${allowed.join(',')}, got ${s}`);
  }
  return items as T[];
}

const backends = list(opts.backends!, BACKENDS, 'backends');
const models = list(opts.models!, Object.keys(MODELS) as ModelName[], 'models');
const workerCounts = opts.workers!.split(',').filter(Boolean).map(Number);
if (workerCounts.some((w) => !Number.isInteger(w) || w < 1))
  throw new Error(`--workers: expected positive integers, got ${opts.workers}`);

async function use(backend: (typeof BACKENDS)[number]): Promise<void> {
  await initBackend(backend === 'cpu' ? 'cpu' : 'wasm');
  if (backend === 'wasm-shipped') uninstallWasmKernels();
  else installWasmKernels();
  setNativeKernelsEnabled(backend === 'wasm');
  // tfjs-cpu prints its "use tfjs-node" banner on the first tensor it stores: keep it off the table.
  const warn = console.warn;
  console.warn = () => {};
  tf.tensor(0).dispose();
  console.warn = warn;
}

/** cpu conv training takes ~100 s a step; it runs only when asked for alone. */
function skipped(backend: string, model: ModelName): boolean {
  return backend === 'cpu' && model === 'conv' && !(backends.length === 1 && models.length === 1);
}

function steps(model: ModelName, backend: string): { timed: number; warmup: number } {
  const n = opts.steps != null ? Number(opts.steps) : DEFAULT_STEPS[model];
  return backend === 'cpu' ? { timed: Math.max(2, Math.ceil(n / 10)), warmup: 1 } : { timed: n, warmup: 3 };
}

async function withModel<T>(make: () => BenchModel, f: (m: BenchModel) => Promise<T> | T): Promise<T> {
  const model = make();
  try {
    return await f(model);
  } finally {
    tf.dispose(model.params);
  }
}

const rows: string[][] = [];
const trained = new Map<string, { imgPerSec: number }>();
const fmt = (x: number, d = 0) => x.toFixed(d);

for (const backend of backends) {
  await use(backend);
  for (const name of models) {
    if (skipped(backend, name)) {
      rows.push([backend, `${name} train`, '-', '-', 'skipped (~100 s/step; --backends cpu --models conv)']);
      continue;
    }
    const { timed, warmup } = steps(name, backend);
    try {
      const r = await withModel(MODELS[name], (m) => trainSteps(m, timed, warmup));
      trained.set(`${backend}/${name}`, r);
      rows.push([
        backend,
        `${name} train`,
        String(timed),
        fmt(r.msPerStep, 1),
        fmt(r.imgPerSec),
        fmt(r.peakRssMiB),
        fmt(r.peakTfMiB, 1),
        `${r.tensorsBefore} -> ${r.tensorsAfter}`,
        fmt(r.loss, 1),
      ]);
    } catch (e) {
      rows.push([backend, `${name} train`, '-', '-', `fails: ${(e as Error).message.slice(0, 60)}`]);
    }
  }
  const rate = await withModel(MODELS.mlp, (m) => sampleRate(m, SAMPLES));
  rows.push([backend, 'mlp sample 10k', '-', '-', fmt(rate)]);
}
installWasmKernels();
setNativeKernelsEnabled(true);

if (workerCounts.length > 0) await use('wasm');
for (const name of workerCounts.length > 0 ? models : []) {
  for (const workers of workerCounts) {
    const label = `vaekit wasm W=${workers}`;
    const { timed, warmup } = steps(name, 'wasm');
    const r = await trainStepsParallel(name, workers, timed, warmup);
    trained.set(`${label}/${name}`, r);
    rows.push([
      label,
      `${name} train`,
      String(timed),
      fmt(r.msPerStep, 1),
      fmt(r.imgPerSec),
      '',
      '',
      '',
      fmt(r.loss, 1),
    ]);
  }
}

/** PyTorch CPU with 2 threads (the target) and 1 thread (like-for-like with single-threaded wasm). */
const torch = new Map<string, TorchResult>();
if (opts['compare-pytorch']) {
  const why = pytorchUnavailable();
  if (why != null) console.log(`PyTorch comparison skipped: ${why}`);
  for (const name of why == null ? models : []) {
    for (const threads of [2, 1]) {
      const r = runPytorch(name, threads);
      torch.set(`${name}/${threads}`, r);
      rows.push([
        `torch ${r.version} ${threads} thr`,
        `${name} train`,
        '-',
        fmt(r.msPerStep, 1),
        fmt(r.imgPerSec),
      ]);
    }
  }
}

const header = [
  'backend',
  'work',
  'steps',
  'ms/step',
  'img/s',
  'peak RSS MiB',
  'peak tf MiB',
  'tensors',
  'loss',
];
if (torch.size > 0) {
  header.push('vs torch 2 thr', 'vs torch 1 thr');
  for (const row of rows) {
    const model = row[1].split(' ')[0];
    const r = trained.get(`${row[0]}/${model}`);
    if (r == null || !row[1].endsWith('train')) continue;
    while (row.length < header.length - 2) row.push('');
    for (const threads of [2, 1]) {
      const t = torch.get(`${model}/${threads}`);
      row.push(t == null ? '' : `${(r.imgPerSec / t.imgPerSec).toFixed(2)}x`);
    }
  }
}
const addon = nativeKernels();
console.log(
  addon == null
    ? 'native kernels: not built (the wasm row is the pure-npm path)'
    : `native kernels: built, ${addon.threads()} threads (VAEKIT_THREADS)`,
);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (r: string[]) => header.map((_, i) => (r[i] ?? '').padEnd(widths[i])).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
