import { z } from 'zod';
import { flag } from '../core/flags.js';

/**
 * KL weight schedules (the cure for posterior collapse early in training):
 * - constant: β every step.
 * - linear warm-up (Bowman et al. 2016; Sønderby et al. 2016): β·min(1, step / steps).
 * - cyclical (Fu et al. 2019): within each cycle of `steps`, rise linearly over the first `ratio`
 *   of the cycle from 0 to β, then hold β.
 */
export const klScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  z.strictObject({
    kind: z.literal('linear'),
    steps: z
      .number()
      .int()
      .positive()
      .meta(
        flag('linear KL warm-up: β rises from 0 over this many steps', { name: 'kl-warmup', arg: 'steps' }),
      ),
  }),
  z.strictObject({
    kind: z.literal('cyclical'),
    steps: z
      .number()
      .int()
      .positive()
      .meta(
        flag('cyclical KL schedule with this cycle length in steps', { name: 'kl-cyclical', arg: 'steps' }),
      ),
    ratio: z.number().gt(0).max(1).default(0.5),
  }),
]);

export type KlSchedule = z.infer<typeof klScheduleSchema>;

export function klWeight(schedule: KlSchedule, beta: number, step: number): number {
  switch (schedule.kind) {
    case 'constant':
      return beta;
    case 'linear':
      return beta * Math.min(1, step / schedule.steps);
    case 'cyclical': {
      const pos = (step % schedule.steps) / schedule.steps;
      return beta * Math.min(1, pos / schedule.ratio);
    }
  }
}
