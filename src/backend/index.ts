/**
 * The backend — the only folder that knows which tfjs backend runs, and the only door to what depends on
 * it: backend selection (`auto`: tfjs-node if the user installed it, then wasm, then cpu), the optimisers
 * (Adam fused in place where it is safe) and the gradient norm.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import type { OptimizerSpec } from '../core/trainable.js';
import { internalsProblem } from './internals.js';
import { loadNativeKernels, nativeKernelsOrigin } from './native.js';
import { FusedAdamOptimizer } from './wasm/adam.js';
import { installWasmKernels } from './wasm/index.js';

export { type BatchNormTraining, batchNormTraining } from './fused/batch-norm.js';
export { bernoulliLogProb } from './fused/bernoulli.js';
export { gatedResidual } from './fused/gated-residual.js';
export { gaussianKlToStandard, reparameterise } from './fused/gaussian.js';
export { logisticMixtureLogProb } from './fused/logistic-mixture.js';
export { swish } from './fused/swish.js';
export { globalNorm } from './wasm/norm.js';

/**
 * Whether the last update of `optimizer` left a non-finite value in the weights or its state, as far as
 * the update itself saw (the fused Adam checks as it writes); false when it cannot tell.
 */
export function updateLeftNonFinite(optimizer: tf.Optimizer): boolean {
  // the fused Adam, or an optimiser that forwards to one (the data-parallel group's main replica)
  return ((optimizer as { lastNonFinite?: number }).lastNonFinite ?? 0) > 0;
}

/** An optimiser for a spec: Adam (fused and in place on wasm with the addon) or RMSProp. */
export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  return spec.kind === 'adam'
    ? new FusedAdamOptimizer(spec.learningRate, spec.beta1, spec.beta2)
    : tf.train.rmsprop(spec.learningRate, spec.decay);
}

let warned = false;

/**
 * vaekit's kernels and addon for the wasm backend, when the tfjs internals they need are there; else
 * one warning line, and tfjs's own kernels.
 */
async function speedUpWasm(quiet: boolean): Promise<void> {
  const problem = internalsProblem();
  if (problem === null) {
    await loadNativeKernels();
    installWasmKernels();
  } else if (!warned && !quiet) {
    warned = true;
    console.warn(
      `vaekit: warning: ${problem}; vaekit's fast kernels and fused Adam are off (training is slower)`,
    );
  }
}

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

let nodeBindingTried = false;

/** tfjs-node registers the 'tensorflow' backend on import; it is optional and never a dependency. */
async function tryLoadNodeBinding(): Promise<boolean> {
  if (!nodeBindingTried) {
    nodeBindingTried = true;
    for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(name);
        return true;
      } catch {
        // not installed: fine, fall through to the next candidate
      }
    }
  }
  return tf.findBackend('tensorflow') != null;
}

async function loadWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
}

/**
 * tfjs prints a "use tfjs-node" banner the first time the cpu backend starts in Node.
 * A clean CLI must not show it, so swallow exactly that message.
 */
async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  const log = console.log;
  const filter =
    (orig: (...a: unknown[]) => void) =>
    (...a: unknown[]) => {
      const s = String(a[0] ?? '');
      if (s.includes('tfjs-node') || s.includes('Hi there')) return;
      orig(...a);
    };
  console.warn = filter(warn);
  console.log = filter(log);
  try {
    return await f();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

async function activate(name: string): Promise<boolean> {
  return quietly(async () => {
    try {
      const ok = await tf.setBackend(name);
      if (ok) {
        await tf.ready();
        tf.tidy(() => tf.scalar(0).dataSync()); // the cpu backend prints its banner on the first tensor
      }
      return ok;
    } catch {
      return false;
    }
  });
}

/** The running backend in words; for wasm, where its native kernels come from (or why there are none). */
export function describeBackend(): string {
  const name = tf.getBackend();
  return name === 'wasm' ? `wasm, native kernels ${nativeKernelsOrigin()}` : name;
}

/**
 * Activates a backend and returns its name. `auto` takes the fastest available;
 * an explicit choice that is not available is an InputError (exit code 2). `quiet`: no warning line (a
 * data-parallel worker, whose main thread has said it already).
 */
export async function initBackend(
  choice: BackendChoice = 'auto',
  opts: { quiet?: boolean } = {},
): Promise<string> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new InputError({
      where: '--backend',
      expected: BACKEND_CHOICES.join(' | '),
      found: String(choice),
    });
  }
  const order: string[] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    if (name === 'tensorflow' && !(await tryLoadNodeBinding())) continue;
    if (name === 'wasm') await loadWasm();
    if (await activate(name)) {
      if (name === 'wasm') await speedUpWasm(opts.quiet ?? false);
      return tf.getBackend();
    }
  }
  throw new InputError({
    where: '--backend',
    expected:
      choice === 'tensorflow'
        ? 'an installed @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu'
        : 'a backend that starts',
    found: `${choice} is not available`,
    hint: choice === 'tensorflow' ? 'npm install @tensorflow/tfjs-node' : 'try --backend cpu',
  });
}
