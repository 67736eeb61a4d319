import { byId } from './context.js';
import { drawBarChart, drawLineChart, type Series } from './draw.js';

interface EpochRecord {
  epoch: number;
  step: number;
  train: Record<string, number>;
  test: Record<string, number>;
}

const CHART: [number, number] = [410, 230];
const COLOURS: Record<string, string> = { loss: '#e15759', recon: '#4e79a7', kl: '#f28e2b' };
const NAMES: Record<string, string> = { loss: '−ELBO', recon: 'reconstruction', kl: 'KL' };

const isEpoch = (r: Record<string, unknown>): r is Record<string, unknown> & EpochRecord =>
  typeof r.epoch === 'number' && typeof r.test === 'object' && typeof r.train === 'object';

/** Test (solid) and training (dashed) curves of the given metrics, per epoch. */
function series(records: EpochRecord[], keys: string[]): Series[] {
  return keys.flatMap((k) =>
    (['test', 'train'] as const)
      .filter((split) => records.some((r) => Number.isFinite(r[split][k])))
      .map((split) => ({
        label: `${split} ${NAMES[k] ?? k}`,
        colour: COLOURS[k] ?? '#76b7b2',
        dashed: split === 'train',
        points: records.filter((r) => Number.isFinite(r[split][k])).map((r) => [r.epoch, r[split][k]]),
      })),
  );
}

/**
 * Training curves from metrics.jsonl (−ELBO; reconstruction and KL, in nats per image), redrawn as the
 * file grows, and the KL of each latent dimension at the loaded checkpoint.
 */
export function curvesPanel() {
  const status = byId('curves-status');
  let shown = -1;
  return {
    /** Redraws when the number of epoch records changed; returns that number. */
    update(lines: Record<string, unknown>[], totalEpochs: number): number {
      const records = lines.filter(isEpoch);
      const last = records.at(-1);
      if (records.length === shown) return shown;
      shown = records.length;
      if (!last) {
        status.textContent = 'No epoch finished yet; metrics.jsonl is read every 2 s.';
        return shown;
      }
      drawLineChart(byId('curves-elbo'), CHART, series(records, ['loss']), 'epoch');
      drawLineChart(byId('curves-terms'), CHART, series(records, ['recon', 'kl']), 'epoch');
      const of = last.epoch <= totalEpochs ? ` of ${totalEpochs}` : '';
      status.textContent =
        `epoch ${last.epoch}${of} · step ${last.step} · test −ELBO ${last.test.loss?.toFixed(2)} nats` +
        ' · read from metrics.jsonl every 2 s';
      return shown;
    },
    showKlPerDim(klPerDim: Float32Array, highlighted: number[], checkpoint: string) {
      drawBarChart(byId('kl-dims'), CHART, klPerDim, new Set(highlighted));
      byId('kl-dims-note').textContent =
        `Mean KL(q(z_j|x) ‖ N(0,1)) per dimension j on the test sample, checkpoint ${checkpoint}; ` +
        `total ${klPerDim.reduce((s, v) => s + v, 0).toFixed(2)} nats. Orange: the dimensions with sliders.`;
    },
  };
}
