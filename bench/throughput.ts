/**
 * Training throughput of the reference VAEs on each tfjs backend, optionally against PyTorch CPU.
 *   npm run bench -- [--steps N] [--backends wasm,wasm-shipped,cpu] [--models mlp,conv] [--compare-pytorch]
 * `wasm` has our kernel patches, `wasm-shipped` is the backend as published, `cpu` is plain JS.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';
import { installWasmKernels, uninstallWasmKernels } from '../src/backend/wasm/index.js';
import { sampleRate, type TrainResult, trainSteps } from './measure.js';
import { type BenchModel, convVae, mlpVae } from './models.js';
import { pytorchUnavailable, runPytorch, type TorchResult } from './pytorch.js';

const BACKENDS = ['wasm', 'wasm-shipped', 'cpu'] as const;
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

async function use(backend: (typeof BACKENDS)[number]): Promise<void> {
  await initBackend(backend === 'cpu' ? 'cpu' : 'wasm');
  if (backend === 'wasm') installWasmKernels();
  if (backend === 'wasm-shipped') uninstallWasmKernels();
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
const trained = new Map<string, TrainResult>();
const fmt = (x: number, d = 0) => x.toFixed(d);

for (const backend of backends) {
  await use(backend);
  for (const name of models) {
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

const torch = new Map<ModelName, TorchResult>();
if (opts['compare-pytorch']) {
  const why = pytorchUnavailable();
  if (why != null) console.log(`PyTorch comparison skipped: ${why}`);
  for (const name of why == null ? models : []) {
    const r = runPytorch(name, 2);
    torch.set(name, r);
    rows.push([`torch ${r.version} (2 thr)`, `${name} train`, '-', fmt(r.msPerStep, 1), fmt(r.imgPerSec)]);
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
  header.push('tfjs/torch');
  for (const row of rows) {
    const t = torch.get(row[1].split(' ')[0] as ModelName);
    const r = trained.get(`${row[0]}/${row[1].split(' ')[0]}`);
    if (t != null && r != null && row[1].endsWith('train')) {
      while (row.length < header.length - 1) row.push('');
      row.push(`${(r.imgPerSec / t.imgPerSec).toFixed(2)}x`);
    }
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (r: string[]) => header.map((_, i) => (r[i] ?? '').padEnd(widths[i])).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
