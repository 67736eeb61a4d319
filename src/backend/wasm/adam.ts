/**
 * Adam with one fused native pass per variable on the wasm backend: θ, m and v are updated in place
 * on the heap by the addon (tfjs's formula, float32 constants and bias correction — see
 * native/adam.cc) instead of a dozen tensor ops and three new tensors per variable. Anywhere else
 * (no addon, another backend, a variable whose memory another tensor shares) it is tfjs's Adam.
 * In place is safe only where no kernel keeps a copy of a weight between calls. XNNPACK's matmul and
 * conv kernels do (packed weights cached by tensor id); with the addon every kernel that reads weights
 * in vaekit's networks is ours (BatchMatMul, _FusedMatMul, Conv2D, FusedConv2D, the conv backprops),
 * and a weight that any other weight-caching kernel has read is never updated in place
 * (weight-cache.ts). test/backend/native.test.ts checks that an update is seen by the very next
 * forward pass, also after a foreign weight-caching kernel has read the weight.
 * The optimiser's state (iterations, accumulated β powers, moments named `<var>/m`, `<var>/v`) is
 * tfjs's own, so checkpoints are the same either way.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { internalsUsable } from '../internals.js';
import { nativeKernels } from '../native.js';
import { heapF32, offset } from './heap.js';
import { safeToUpdateInPlace } from './weight-cache.js';

/** tfjs's AdamOptimizer keeps these private; we read and update them exactly as it does. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/** Names under which the bias-correction powers β₁ᵗ, β₂ᵗ are saved beside tfjs's own Adam state. */
const ACC_BETA1 = 'adam/accBeta1';
const ACC_BETA2 = 'adam/accBeta2';

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * How many values of θ, m and v the last fused update left non-finite (0 when it was healthy, or when
   * the update ran through tfjs's Adam, which cannot tell without reading every tensor back).
   */
  lastNonFinite = 0;

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    this.lastNonFinite = 0;
    const native = nativeKernels();
    if (native == null || !internalsUsable() || Array.isArray(variableGradients)) {
      super.applyGradients(variableGradients);
      return;
    }
    const backend = tf.backend() as BackendWasm;
    const state = this as unknown as AdamInternals;
    const names = Object.keys(variableGradients);
    const variables = names.map((name) => tf.engine().registeredVariables[name]);
    // Moments are positional, as in tfjs: moment i belongs to the i-th name of the update.
    names.forEach((name, i) => {
      state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: zeros(variables[i]) };
      state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: zeros(variables[i]) };
    });
    // ours alone: float32, no other tensor shares the memory, and no foreign kernel has cached it
    const owned = (t: tf.Tensor) =>
      t.dtype === 'float32' && backend.refCount(t.dataId) === 1 && safeToUpdateInPlace(t);
    const inPlace = names.every(
      (name, i) =>
        variableGradients[name] == null ||
        (owned(variables[i]) &&
          owned(state.accumulatedFirstMoment[i].variable) &&
          owned(state.accumulatedSecondMoment[i].variable) &&
          variableGradients[name].dtype === 'float32'),
    );
    if (!inPlace) {
      super.applyGradients(variableGradients);
      return;
    }
    // 1 − β₁ᵗ and 1 − β₂ᵗ as tfjs forms them (a float32 subtraction).
    const correction1 = Math.fround(1 - state.accBeta1.dataSync()[0]);
    const correction2 = Math.fround(1 - state.accBeta2.dataSync()[0]);
    names.forEach((name, i) => {
      const g = variableGradients[name];
      if (g == null) return;
      this.lastNonFinite += native.adam(
        heapF32(backend),
        offset(backend, variables[i]),
        offset(backend, g),
        offset(backend, state.accumulatedFirstMoment[i].variable),
        offset(backend, state.accumulatedSecondMoment[i].variable),
        g.size,
        this.learningRate,
        this.beta1,
        this.beta2,
        this.epsilon,
        correction1,
        correction2,
      );
    });
    tf.tidy(() => {
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /**
   * tfjs's state (iterations, moments) plus β₁ᵗ and β₂ᵗ themselves: tfjs's setWeights recomputes them as
   * pow(β, t + 1), which differs in the last bits from the running product, so a resumed run would not
   * be bit-identical to one that never stopped.
   */
  override async getWeights(): Promise<{ name: string; tensor: tf.Tensor }[]> {
    const state = this as unknown as AdamInternals;
    return [
      ...(await super.getWeights()),
      { name: ACC_BETA1, tensor: state.accBeta1 },
      { name: ACC_BETA2, tensor: state.accBeta2 },
    ];
  }

  override async setWeights(weights: { name: string; tensor: tf.Tensor }[]): Promise<void> {
    const powers = new Map(
      weights.filter((w) => w.name === ACC_BETA1 || w.name === ACC_BETA2).map((w) => [w.name, w.tensor]),
    );
    await super.setWeights(weights.filter((w) => !powers.has(w.name)));
    const state = this as unknown as AdamInternals;
    const b1 = powers.get(ACC_BETA1);
    const b2 = powers.get(ACC_BETA2);
    if (b1) state.accBeta1.assign(b1 as tf.Scalar);
    if (b2) state.accBeta2.assign(b2 as tf.Scalar);
  }
}

function zeros(like: tf.Variable): tf.Variable {
  return tf.tidy(() => tf.zerosLike(like).variable(false));
}
