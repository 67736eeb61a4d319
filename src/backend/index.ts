/**
 * Backend selection — the only module that knows which tfjs backend runs.
 * Order for `auto`: tfjs-node (native TensorFlow, if the user installed it), then wasm, then cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { installWasmKernels } from './wasm/index.js';

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

/**
 * Activates a backend and returns its name. `auto` takes the fastest available;
 * an explicit choice that is not available is an InputError (exit code 2).
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<string> {
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
      if (name === 'wasm') installWasmKernels();
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
