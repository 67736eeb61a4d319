/**
 * Training throughput of the reference VAEs, vaekit against PyTorch CPU, interleaved over rounds.
 *   npm run bench -- [--rounds 5] [--steps N] [--backends wasm,wasm-js,wasm-shipped,cpu] [--models mlp,conv,nvae]
 *                    [--workers 1,2] [--pytorch on|off]
 * `wasm` has our kernel patches and the native addon (when built: native/, all cores), `wasm-js` the
 * patches without the addon (the pure-npm path), `wasm-shipped` is the backend as published, `cpu` plain JS.
 * `--workers` adds rows for vaekit's own VAE trained through trainStep on patched wasm, on the main
 * thread (1) or data-parallel over that many threads. PyTorch runs bench/reference/pytorch_vae_bench.py
 * in every setting of pytorch.ts. Each round runs every row once, in turn (the order reversed every other
 * round), so a busy spell of a shared machine hits every row alike. `nvae` (not run by default: slow) is
 * vaekit's own default spatial NVAE (bench/nvae.ts) on 64 random 8-bit colour images 32×32, trained
 * through vaekit's training step on each backend, against bench/reference/pytorch_nvae_bench.py; it is
 * not data-parallel, so it has no `vaekit W=` rows. Each row shows its median and best
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
import { BATCH, sampleRate, type TrainResult, trainSteps } from './measure.js';
import { type BenchModel, convVae, mlpVae } from './models.js';
import { NVAE_BATCH, nvaeParameterCounts, nvaeTrainStepFlops, trainNvaeSteps } from './nvae.js';
import { pytorchUnavailable, runPytorch, settingLabel, TORCH_SETTINGS } from './pytorch.js';

const BACKENDS = ['wasm', 'wasm-js', 'wasm-shipped', 'cpu'] as const;
type Backend = (typeof BACKENDS)[number];
interface ModelSpec {
  /** Images per training step. */
  batch: number;
  /** FLOPs of one training step (flops.ts's count). */
  flops: number;
  /** One timed round on the backend in use. */
  train(steps: number, warmup: number): Promise<TrainResult>;
}
/** The plain-tfjs mirrors of the PyTorch VAEs (bench/models.ts), and vaekit's own NVAE (bench/nvae.ts). */
const MODELS = {
  mlp: {
    batch: BATCH,
    flops: trainStepFlops('mlp', BATCH),
    train: (n, w) => withModel(mlpVae, (m) => trainSteps(m, n, w)),
  },
  conv: {
    batch: BATCH,
    flops: trainStepFlops('conv', BATCH),
    train: (n, w) => withModel(convVae, (m) => trainSteps(m, n, w)),
  },
  nvae: { batch: NVAE_BATCH, flops: nvaeTrainStepFlops(NVAE_BATCH), train: trainNvaeSteps },
} satisfies Record<string, ModelSpec>;
type ModelName = keyof typeof MODELS;
/** Models of vaekit's data-parallel rows (bench/data-parallel.ts). */
const PARALLEL = ['mlp', 'conv'] as const;
const parallel = (m: ModelName): m is (typeof PARALLEL)[number] =>
  (PARALLEL as readonly string[]).includes(m);
/** Default timed steps on wasm; cpu runs a tenth of them (it is ~50x slower). */
const DEFAULT_STEPS: Record<ModelName, number> = { mlp: 60, conv: 15, nvae: 4 };
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
    // cpu conv (and nvae) training takes ~100 s a step: it runs only when asked for alone.
    if (backend === 'cpu' && name !== 'mlp' && !(backends.length === 1 && models.length === 1)) continue;
    add({
      // the NVAE rows are vaekit's own model through its training step: the `vaekit W=1` of the VAE rows
      who: name !== 'nvae' ? backend : backend === 'wasm' ? 'vaekit W=1' : `vaekit W=1, ${backend}`,
      work: `${name} train`,
      model: name,
      run: async () => {
        await use(backend);
        const { timed, warmup } = steps(name, backend);
        const r = await MODELS[name].train(timed, warmup);
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
      return { imgPerSec: await withModel(mlpVae, (m) => sampleRate(m, SAMPLES)), notes: '' };
    },
  });
}
for (const name of models.filter(parallel)) {
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
        const { timed, warmup } = steps(name, 'wasm');
        // as many steps as vaekit, and at least 20 (so a round lasts long enough to time); an NVAE step
        // takes seconds, so there as many as vaekit's
        const r =
          name === 'nvae'
            ? runPytorch(name, setting, timed, warmup)
            : runPytorch(name, setting, Math.max(20, timed), 5);
        const stored = r.stored == null ? '' : `, ${r.stored} stored values`;
        return {
          imgPerSec: r.imgPerSec,
          notes: `torch ${r.version}, OpenBLAS kernels ${r.blasCore}${stored}`,
        };
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
  `FLOPs per training step (dense and conv layers: forward, weight and input gradients): ` +
    models.map((m) => `${m} ${fmt(MODELS[m].flops / 1e9, 3)} G (${MODELS[m].batch} images)`).join(', '),
);
if (models.includes('nvae')) {
  const n = nvaeParameterCounts();
  console.log(
    `nvae: vaekit stores ${n.stored} values (modelSize ${n.size}; ${n.trainable} trained, the rest batch-norm running statistics and power-iteration vectors)`,
  );
}
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
  const spec = r.model != null ? MODELS[r.model] : null;
  const gflops = spec ? (spec.flops * top) / spec.batch / 1e9 : null;
  const refBest = r.model != null ? reference(r.model, best) : null;
  const refMedian = r.model != null ? reference(r.model, median) : null;
  return [
    r.who,
    r.work,
    fmt(med),
    fmt(top),
    spec ? fmt((spec.batch * 1000) / med, 1) : '-',
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
