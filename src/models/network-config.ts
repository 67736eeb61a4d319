import { z } from 'zod';
import { flag } from '../core/flags.js';

const positiveInt = z.number().int().positive();
const activation = z
  .enum(['relu', 'elu', 'tanh'])
  .meta(flag('hidden-layer activation (default relu)', { arg: 'fn' }));

/** The encoder/decoder networks of the VAEs (and the stem/head of the hierarchical VAE): MLP or conv. */
export const networkSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('mlp'),
      hidden: z
        .array(positiveInt)
        .default([400])
        .meta(flag('MLP hidden layer sizes, e.g. 400 or 512,256', { arg: 'sizes' })),
      activation: activation.optional(),
    }),
    z.strictObject({
      type: z.literal('conv'),
      filters: z
        .array(positiveInt)
        .min(1)
        .default([32, 64])
        .meta(flag('conv filters per stride-2 layer, e.g. 32,64', { arg: 'sizes' })),
      activation: activation.optional(),
    }),
  ])
  .meta(flag('encoder/decoder networks', { name: 'arch', arg: 'type' }));

export type NetworkConfig = z.infer<typeof networkSchema>;

/** "mlp 400" or "conv 32-64", for reports. */
export function describeNetwork(n: NetworkConfig): string {
  return `${n.type} ${(n.type === 'mlp' ? n.hidden : n.filters).join('-')}`;
}

/** The same network with every hidden layer (MLP) or filter count (conv) `factor` times as wide. */
export function widerNetwork(n: NetworkConfig, factor: number): NetworkConfig {
  if (factor === 1) return n;
  return n.type === 'mlp'
    ? { ...n, hidden: n.hidden.map((h) => h * factor) }
    : { ...n, filters: n.filters.map((f) => f * factor) };
}
