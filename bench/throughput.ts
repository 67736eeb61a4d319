/**
 * Training throughput of the reference VAEs, vaekit against PyTorch CPU, interleaved over rounds.
 *   npm run bench -- [--rounds 5] [--steps N] [--backends wasm,wasm-js,wasm-shipped,cpu] [--models mlp,conv]
 *                    [--workers 1,2] [--pytorch on|off]
 * `wasm` has our kernel patches and the native addon (when built: native/, all cores), `wasm-js` the
 * patches without the addon (the pure-npm path), `wasm-shipped` is the backend as published, `cpu` plain JS.
 * `--workers` adds rows for vaekit's own VAE trained through trainStep on patched wasm, on the main
 * thread (1) or data-parallel over that many threads. PyTorch runs bench/reference/pytorch_vae_bench.py
 * in every setting of pytorch.ts. Each round runs every row once, in turn (the order reversed every other
 * round), so a busy spell of a shared machine hits every row alike. Each row shows its median and best
 * round; the reference is PyTorch's best setting, taken separately for the medians and for the bests.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';
import { nativeKernels, setNativeKernelsEnabled } from '../src/backend/native.js';
import { installWasmKernels, uninstallWasmKernels } from '../src/backend/wasm/index.js';
import { cpuInfo } from './cpu.js';
import { trainStepsParallel } from './data-parallel.js';
import { trainStepFlops } from './flops.js';
import { BATCH, sampleRate, trainSteps } from './measure.js';
import { type BenchModel, convVae, mlpVae } from './models.js';
import { pytorchUnavailable, runPytorch, settingLabel, TORCH_SETTINGS } from './pytorch.js';

const BACKENDS = ['wasm', 'wasm-js', 'wasm-shipped', 'cpu'] as const;
type Backend = (typeof BACKENDS)[number];
const MODELS = { mlp: mlpVae, conv: convVae } as const;
type ModelName = keyof typeof MODELS;
/** Default timed steps on wasm; cpu runs a tenth of them (it is ~50x slower). */
const DEFAULT_STEPS: Record<ModelName, number> = { mlp: 60, conv: 15 };
const SAMPLES = 10_000;

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    steps: { type: 'string' },
    backends: { type: 'string', default: 'wasm' },
    models: { type: 'string', default: 'mlp,conv' },
    workers: { type: 'string', default: '1' },
    pytorch: { type: 'string', default: 'on' },
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
function positive(arg: string, what: string): number {
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${what}: expected a positive integer, got ${arg}`);
  return n;
}

const rounds = positive(opts.rounds!, 'rounds');
const backends = list(opts.backends!, BACKENDS, 'backends');
const models = list(opts.models!, Object.keys(MODELS) as ModelName[], 'models');
const workerCounts = opts
  .workers!.split(',')
  .filter(Boolean)
  .map((w) => positive(w, 'workers'));
const pytorch = list(opts.pytorch!, ['on', 'off'], 'pytorch')[0] === 'on';

async function use(backend: Backend): Promise<void> {
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

function steps(model: ModelName, backend: string): { timed: number; warmup: number } {
  const n = opts.steps != null ? positive(opts.steps, 'steps') : DEFAULT_STEPS[model];
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

/** One measurement of a row: images per second, and what else the row reports (from its last round). */
interface Sample {
  imgPerSec: number;
  notes: string;
}
interface Row {
  who: string;
  work: string;
  /** The model a training row is compared on; none for the sampling rows. */
  model?: ModelName;
  torch?: boolean;
  run(): Promise<Sample>;
  samples: number[];
  notes: string;
}

const fmt = (x: number, d = 0) => x.toFixed(d);
const rows: Row[] = [];
const add = (r: Omit<Row, 'samples' | 'notes'>) => rows.push({ ...r, samples: [], notes: '' });

for (const backend of backends) {
  for (const name of models) {
    // cpu conv training takes ~100 s a step: it runs only when asked for alone.
    if (backend === 'cpu' && name === 'conv' && !(backends.length === 1 && models.length === 1)) continue;
    add({
      who: backend,
      work: `${name} train`,
      model: name,
      run: async () => {
        await use(backend);
        const { timed, warmup } = steps(name, backend);
        const r = await withModel(MODELS[name], (m) => trainSteps(m, timed, warmup));
        const notes = `loss ${fmt(r.loss, 1)}, peak RSS ${fmt(r.peakRssMiB)} MiB, tf ${fmt(r.peakTfMiB, 1)} MiB, tensors ${r.tensorsBefore} -> ${r.tensorsAfter}`;
        return { imgPerSec: r.imgPerSec, notes };
      },
    });
  }
  add({
    who: backend,
    work: 'mlp sample 10k',
    run: async () => {
      await use(backend);
      return { imgPerSec: await withModel(MODELS.mlp, (m) => sampleRate(m, SAMPLES)), notes: '' };
    },
  });
}
for (const name of models) {
  for (const workers of workerCounts) {
    add({
      who: `vaekit W=${workers}`,
      work: `${name} train`,
      model: name,
      run: async () => {
        await use('wasm');
        const { timed, warmup } = steps(name, 'wasm');
        const r = await trainStepsParallel(name, workers, timed, warmup);
        return { imgPerSec: r.imgPerSec, notes: `loss ${fmt(r.loss, 1)}` };
      },
    });
  }
}
const torchProblem = pytorch ? pytorchUnavailable() : 'off (--pytorch off)';
for (const name of torchProblem == null ? models : []) {
  for (const setting of TORCH_SETTINGS) {
    add({
      who: settingLabel(setting),
      work: `${name} train`,
      model: name,
      torch: true,
      run: async () => {
        const { timed } = steps(name, 'wasm');
        // as many steps as vaekit, and at least 20 (so a round lasts long enough to time)
        const r = runPytorch(name, setting, Math.max(20, timed), 5);
        return { imgPerSec: r.imgPerSec, notes: `torch ${r.version}, OpenBLAS kernels ${r.blasCore}` };
      },
    });
  }
}

for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? rows : [...rows].reverse();
  for (const row of order) {
    try {
      const s = await row.run();
      row.samples.push(s.imgPerSec);
      row.notes = s.notes;
    } catch (e) {
      row.notes = `fails: ${(e as Error).message.slice(0, 80)}`;
    }
  }
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}
const best = (xs: number[]) => Math.max(...xs);

/** PyTorch's best setting for a model, by one statistic: its value and the setting's name. */
function reference(model: ModelName, stat: (xs: number[]) => number): { value: number; who: string } | null {
  const candidates = rows.filter((r) => r.torch && r.model === model && r.samples.length > 0);
  if (candidates.length === 0) return null;
  const top = candidates.reduce((a, b) => (stat(b.samples) > stat(a.samples) ? b : a));
  return { value: stat(top.samples), who: top.who };
}

const cpu = cpuInfo();
console.log(
  `CPU: ${cpu.model}, ${cpu.cores} cores, ${cpu.flags.join(' ')}, ${fmt(cpu.ghz, 2)} GHz (${cpu.clockSource})`,
);
console.log(
  `peak ${fmt(cpu.peakGflops)} GFLOP/s fp32 = ${cpu.cores} cores × ${cpu.flopPerCycle} FLOP/cycle [${cpu.flopReason}] × ${fmt(cpu.ghz, 2)} GHz`,
);
console.log(
  `FLOPs per training step of ${BATCH} images (dense and conv layers: forward, weight and input gradients): ` +
    models.map((m) => `${m} ${fmt(trainStepFlops(m, BATCH) / 1e9, 3)} G`).join(', '),
);
const addon = nativeKernels();
console.log(
  addon == null
    ? 'native kernels: not built (the wasm row is the pure-npm path)'
    : `native kernels: built, ${addon.threads()} threads (VAEKIT_THREADS)`,
);
if (torchProblem != null) console.log(`PyTorch comparison skipped: ${torchProblem}`);
console.log(`${rounds} interleaved rounds; img/s per row: median and best round`);

const header = [
  'who',
  'work',
  'img/s median',
  'img/s best',
  'ms/step median',
  'GFLOP/s best',
  '% peak',
  'vs torch best (bests)',
  'vs torch best (medians)',
  'last round',
];
const table = rows.map((r) => {
  if (r.samples.length === 0) return [r.who, r.work, '-', '-', '-', '-', '-', '-', '-', r.notes];
  const med = median(r.samples);
  const top = best(r.samples);
  const train = r.model != null;
  const gflops = train ? (trainStepFlops(r.model!, BATCH) * top) / BATCH / 1e9 : null;
  const refBest = train ? reference(r.model!, best) : null;
  const refMedian = train ? reference(r.model!, median) : null;
  return [
    r.who,
    r.work,
    fmt(med),
    fmt(top),
    train ? fmt((BATCH * 1000) / med, 1) : '-',
    gflops == null ? '-' : fmt(gflops, 1),
    gflops == null ? '-' : `${fmt((100 * gflops) / cpu.peakGflops)} %`,
    refBest == null ? '-' : `${fmt(top / refBest.value, 2)}x`,
    refMedian == null ? '-' : `${fmt(med / refMedian.value, 2)}x`,
    r.notes,
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of table) console.log(line(r));
for (const name of models) {
  const b = reference(name, best);
  const m = reference(name, median);
  if (b != null && m != null)
    console.log(`PyTorch reference, ${name}: best of bests ${b.who}; best median ${m.who}`);
}
