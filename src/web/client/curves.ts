import { byId } from './context.js';
import { drawBarChart, drawHeatmap, drawLineChart, type Series } from './draw.js';

interface EpochRecord {
  epoch: number;
  step: number;
  train: Record<string, number>;
  test: Record<string, number>;
}

const CHART: [number, number] = [330, 230];
/** The first chart: the objective (−ELBO), or a GAN's two losses; the second: every other metric. */
const OBJECTIVES = ['loss', 'criticLoss', 'generatorLoss'];
const NOT_SHOWN = new Set(['bitsPerDim', 'gradNorm']);
const COLOURS: Record<string, string> = {
  loss: '#e15759',
  recon: '#4e79a7',
  kl: '#f28e2b',
  criticLoss: '#e15759',
  generatorLoss: '#4e79a7',
  wasserstein: '#59a14f',
};
const PALETTE = ['#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const NAMES: Record<string, string> = { loss: '−ELBO', recon: 'reconstruction', kl: 'KL' };
const DESCRIPTIONS: Record<string, string> = {
  loss: '−ELBO in nats per image',
  recon: 'reconstruction −E[log p(x|z)]',
  kl: 'KL(q(z|x) ‖ p(z))',
  criticLoss: 'critic loss',
  generatorLoss: 'generator loss',
  wasserstein: "the critic's estimate of the Wasserstein distance",
  gradientPenalty: 'gradient penalty',
};
/** Legend and caption names of a metric; `klGroup2` is the hierarchical VAE's KL of latent group 2. */
function names(k: string): { short: string; long: string } {
  const group = /^klGroup(\d+)$/.exec(k)?.[1];
  if (group) return { short: `KL ${group}`, long: `KL of group ${group}` };
  return { short: NAMES[k] ?? k, long: DESCRIPTIONS[k] ?? k };
}
const describe = (keys: string[]) => keys.map((k) => names(k).long).join(', ');

const isEpoch = (r: Record<string, unknown>): r is Record<string, unknown> & EpochRecord =>
  typeof r.epoch === 'number' && typeof r.test === 'object' && typeof r.train === 'object';

/** A line of latent.jsonl (the fields the page shows). */
interface LatentRecord {
  epoch: number;
  klPerDim: number[];
  activeUnits: number;
  latentDim: number;
}

const isLatent = (r: Record<string, unknown>): r is Record<string, unknown> & LatentRecord =>
  typeof r.epoch === 'number' && Array.isArray(r.klPerDim);

/** KL of each latent dimension (rows) after each epoch (columns), from latent.jsonl. */
function klHistory(records: LatentRecord[]): void {
  const figure = byId('kl-history').parentElement!;
  figure.hidden = records.length === 0;
  const last = records.at(-1);
  if (!last) return;
  const rows = last.klPerDim.map((_, i) => records.map((r) => r.klPerDim[i]));
  drawHeatmap(
    byId('kl-history'),
    CHART,
    records.map((r) => r.epoch),
    rows,
    'epoch',
    'nats',
  );
  byId('kl-history-note').textContent =
    `KL of each latent dimension (rows) on the test set after each epoch; ` +
    `${last.activeUnits} of ${last.latentDim} dimensions active after epoch ${last.epoch}.`;
}

/** Metrics that some record has, objectives first. */
function metricKeys(records: EpochRecord[]): { objectives: string[]; others: string[] } {
  const keys = new Set(records.flatMap((r) => [...Object.keys(r.test), ...Object.keys(r.train)]));
  return {
    objectives: OBJECTIVES.filter((k) => keys.has(k)),
    others: [...keys].filter((k) => !OBJECTIVES.includes(k) && !NOT_SHOWN.has(k)),
  };
}

/** Test (solid) and training (dashed) curves of the given metrics, per epoch. */
function series(records: EpochRecord[], keys: string[]): Series[] {
  let spare = 0;
  return keys.flatMap((k) => {
    const colour = COLOURS[k] ?? PALETTE[spare++ % PALETTE.length];
    return (['test', 'train'] as const)
      .filter((split) => records.some((r) => Number.isFinite(r[split][k])))
      .map((split) => ({
        label: `${split} ${names(k).short}`,
        colour,
        dashed: split === 'train',
        points: records.filter((r) => Number.isFinite(r[split][k])).map((r) => [r.epoch, r[split][k]]),
      }));
  });
}

/** Draws a chart with its caption when it has something to show, and hides its figure otherwise. */
function chart(id: string, records: EpochRecord[], keys: string[], caption: string): void {
  const canvas = byId<HTMLCanvasElement>(id);
  const lines = series(records, keys);
  canvas.parentElement!.hidden = lines.length === 0;
  if (!lines.length) return;
  drawLineChart(canvas, CHART, lines, 'epoch');
  byId(`${id}-note`).textContent = caption;
}

/**
 * Training curves from metrics.jsonl, redrawn as the file grows: the objective (−ELBO, nats per image;
 * a GAN's critic and generator losses) and the other metrics (reconstruction and KL; a hierarchical VAE's
 * KL per group; a WGAN's distance estimate), the KL of each latent dimension per epoch from latent.jsonl,
 * and the KL of each latent dimension at the loaded checkpoint.
 */
export function curvesPanel() {
  const status = byId('curves-status');
  let shown = -1;
  return {
    /** Redraws when the number of epoch records changed; returns that number. */
    update(
      lines: Record<string, unknown>[],
      latentLines: Record<string, unknown>[],
      totalEpochs: number,
    ): number {
      const records = lines.filter(isEpoch);
      const last = records.at(-1);
      if (records.length === shown) return shown;
      shown = records.length;
      if (!last) {
        status.textContent = 'No epoch finished yet; metrics.jsonl is read every 2 s.';
        return shown;
      }
      klHistory(latentLines.filter(isLatent));
      const { objectives, others } = metricKeys(records);
      chart('curves-elbo', records, objectives, `${describe(objectives)} (solid: test, dashed: training)`);
      chart('curves-terms', records, others, describe(others));
      const of = last.epoch <= totalEpochs ? ` of ${totalEpochs}` : '';
      const elbo = Number.isFinite(last.test.loss) ? ` · test −ELBO ${last.test.loss.toFixed(2)} nats` : '';
      status.textContent = `epoch ${last.epoch}${of} · step ${last.step}${elbo} · read from metrics.jsonl every 2 s`;
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
