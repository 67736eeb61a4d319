import { type ModelCapabilities, metricLabel, metricSpec } from '../../models/model.js';
import { byId } from './context.js';
import { drawBarChart, drawHeatmap, drawLineChart, type Series } from './draw.js';

interface EpochRecord {
  epoch: number;
  step: number;
  train: Record<string, number>;
  test: Record<string, number>;
}

const CHART: [number, number] = [330, 230];
/** The first colours go to the first metrics a model declares (its objective, then its terms). */
const PALETTE = [
  '#e15759',
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
];

const describe = (caps: ModelCapabilities, keys: string[]) =>
  keys.map((k) => metricSpec(caps, k)?.description ?? k).join('; ');

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

/**
 * The metrics some record has, by the role the model's capabilities declare: its objective (the first
 * chart) and its terms and their details (the second); diagnostics are not charted.
 */
function metricKeys(
  caps: ModelCapabilities,
  records: EpochRecord[],
): { objectives: string[]; others: string[] } {
  const keys = [...new Set(records.flatMap((r) => [...Object.keys(r.test), ...Object.keys(r.train)]))];
  const declared = (k: string) => caps.metrics.indexOf(metricSpec(caps, k)!);
  const ofRole = (...roles: string[]) =>
    keys
      .filter((k) => roles.includes(metricSpec(caps, k)?.role ?? ''))
      .sort((a, b) => declared(a) - declared(b));
  return { objectives: ofRole('objective'), others: ofRole('term', 'detail') };
}

/** Test (solid) and training (dashed) curves of the given metrics, per epoch, each in its colour. */
function series(
  caps: ModelCapabilities,
  records: EpochRecord[],
  keys: string[],
  colours: Map<string, string>,
): Series[] {
  return keys.flatMap((k) => {
    const colour = colours.get(k) ?? PALETTE[0];
    return (['test', 'train'] as const)
      .filter((split) => records.some((r) => Number.isFinite(r[split][k])))
      .map((split) => ({
        label: `${split} ${metricLabel(caps, k)}`,
        colour,
        dashed: split === 'train',
        points: records.filter((r) => Number.isFinite(r[split][k])).map((r) => [r.epoch, r[split][k]]),
      }));
  });
}

/** Draws a chart with its caption when it has something to show, and hides its figure otherwise. */
function chart(
  caps: ModelCapabilities,
  id: string,
  records: EpochRecord[],
  keys: string[],
  colours: Map<string, string>,
  caption: string,
): void {
  const canvas = byId<HTMLCanvasElement>(id);
  const lines = series(caps, records, keys, colours);
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
  /** The bar chart of the loaded checkpoint, redrawn as it was when the theme changes. */
  let drawKlBars = () => {};
  return {
    /** The theme changed: the bars now, the curves at the next update. */
    redraw() {
      shown = -1;
      drawKlBars();
    },
    /** Redraws when the number of epoch records changed. */
    update(
      caps: ModelCapabilities,
      lines: Record<string, unknown>[],
      latentLines: Record<string, unknown>[],
      totalEpochs: number,
    ): void {
      const records = lines.filter(isEpoch);
      const last = records.at(-1);
      if (records.length === shown) return;
      shown = records.length;
      if (!last) {
        status.textContent = 'No epoch finished yet; metrics.jsonl is read every 2 s.';
        return;
      }
      klHistory(latentLines.filter(isLatent));
      const { objectives, others } = metricKeys(caps, records);
      // one colour per metric across both charts, in the order the model declares them
      const colours = new Map([...objectives, ...others].map((k, i) => [k, PALETTE[i % PALETTE.length]]));
      const solid = '(solid: test, dashed: training)';
      chart(caps, 'curves-elbo', records, objectives, colours, `${describe(caps, objectives)} ${solid}`);
      chart(caps, 'curves-terms', records, others, colours, describe(caps, others));
      const of = last.epoch <= totalEpochs ? ` of ${totalEpochs}` : '';
      const bound = caps.bound;
      const elbo =
        bound && Number.isFinite(last.test[bound])
          ? ` · test ${metricLabel(caps, bound)} ${last.test[bound].toFixed(2)} nats`
          : '';
      status.textContent = `epoch ${last.epoch}${of} · step ${last.step}${elbo} · read from metrics.jsonl every 2 s`;
    },
    showKlPerDim(klPerDim: Float32Array, highlighted: number[], checkpoint: string) {
      drawKlBars = () => drawBarChart(byId('kl-dims'), CHART, klPerDim, new Set(highlighted));
      drawKlBars();
      byId('kl-dims-note').textContent =
        `Mean KL(q(z_j|x) ‖ N(0,1)) per dimension j on the test sample, checkpoint ${checkpoint}; ` +
        `total ${klPerDim.reduce((s, v) => s + v, 0).toFixed(2)} nats. Orange: the dimensions with sliders.`;
    },
  };
}
