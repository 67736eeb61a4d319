/**
 * Floating-point work of one training step of the two bench models, counted from their layer shapes
 * (bench/models.ts, bench/reference/pytorch_vae_bench.py): only the dense and convolution layers, whose
 * multiply-adds are nearly all of it; elementwise ops, the loss and Adam are left out.
 * A layer of M multiply-adds per image costs 2·M FLOPs forward, and as much again for each of its two
 * gradients (weights, input) — except the first layer, whose input needs no gradient.
 */

/** Multiply-adds per image of each layer, first layer first. */
const LAYER_MACS: Record<'mlp' | 'conv', number[]> = {
  // 784-400, 400-20 (μ), 400-20 (log σ²), 20-400, 400-784
  mlp: [784 * 400, 400 * 20, 400 * 20, 20 * 400, 400 * 784],
  conv: [
    14 * 14 * 32 * (4 * 4 * 1), // conv 1→32, 4×4 stride 2: 28² → 14²
    7 * 7 * 64 * (4 * 4 * 32), // conv 32→64: 14² → 7²
    3136 * 16, // dense μ
    3136 * 16, // dense log σ²
    16 * 3136, // dense z → 7·7·64
    7 * 7 * 64 * (4 * 4 * 32), // deconv 64→32: each input pixel scatters a 4×4×32 patch per input channel
    14 * 14 * 32 * (4 * 4 * 1), // deconv 32→1
  ],
};

/** FLOPs of one training step (forward and both gradients) on a batch of `batch` images. */
export function trainStepFlops(model: 'mlp' | 'conv', batch: number): number {
  const macs = LAYER_MACS[model];
  const all = macs.reduce((s, m) => s + m, 0);
  return 2 * batch * (3 * all - macs[0]);
}
