import type { Dataset } from '../data/dataset.js';
import { type LatentRecord, latentDiagnostics } from '../eval/latent.js';
import { appendLine } from '../io/atomic.js';
import type { GaussianLatent } from '../models/model.js';
import type { TrainCallbacks } from '../train/loop.js';
import { truncateLog } from './metrics-log.js';

/**
 * A training callback that logs active units, KL per dimension and the mutual-information estimate
 * on (the first `limit` images of) the test set after every epoch, one JSON line each in `path`
 * (on resume, the lines after the checkpoint resumed from are dropped first).
 */
export function latentLogger(
  model: GaussianLatent,
  test: Dataset,
  path: string,
  opts: { seed?: number; limit?: number; onRecord?: (r: LatentRecord) => void } = {},
): TrainCallbacks {
  return {
    onRestore: (at) => truncateLog(path, at),
    onEpochEnd: (r) => {
      const d = latentDiagnostics(model, test, { seed: opts.seed, limit: opts.limit ?? 2000, miLimit: 1000 });
      const record: LatentRecord = {
        epoch: r.epoch,
        step: r.step,
        activeUnits: d.activeUnits,
        latentDim: d.latentDim,
        kl: d.kl,
        klPerDim: d.klPerDim,
        mutualInformation: d.mutualInformation,
        miCount: d.miCount,
      };
      appendLine(path, JSON.stringify(record));
      opts.onRecord?.(record);
    },
  };
}
