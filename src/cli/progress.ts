import cliProgress from 'cli-progress';
import type { ModelCapabilities } from '../models/model.js';
import type { EpochRecord, TrainCallbacks } from '../train/loop.js';

const fmt = (v: number | undefined, digits = 2) => (v === undefined ? '-' : v.toFixed(digits));

/** The metrics of a model without a bound on −log p(x) (GANs), e.g. `criticLoss 1.21  wasserstein 0.35`. */
const metricList = (m: Record<string, number>) =>
  Object.entries(m)
    .filter(([k]) => k !== 'gradNorm')
    .map(([k, v]) => `${k} ${fmt(v, 3)}`)
    .join('  ');

/**
 * One line per epoch: train and test loss (the bound, −ELBO in nats), bits/dim, the terms, and speed;
 * for models without a bound (GANs) their train and test metrics.
 */
export function epochLine(caps: ModelCapabilities, r: EpochRecord, epochs: number): string {
  const t = r.test;
  if (caps.bound === undefined) {
    return (
      `epoch ${r.epoch}/${epochs}  train ${metricList(r.train)}  |  test ${metricList(t)}  ` +
      `${Math.round(r.imagesPerSecond)} img/s${r.skippedSteps ? `  skipped ${r.skippedSteps} non-finite steps` : ''}`
    );
  }
  return (
    `epoch ${r.epoch}/${epochs}  train loss ${fmt(r.train[caps.bound])}  test loss ${fmt(t[caps.bound])} ` +
    `(${fmt(t.bitsPerDim, 4)} bits/dim)  recon ${fmt(t.recon)}  kl ${fmt(t.kl)}  ` +
    `${Math.round(r.imagesPerSecond)} img/s${r.skippedSteps ? `  skipped ${r.skippedSteps} non-finite steps` : ''}`
  );
}

/**
 * Progress on the terminal: a bar with the live loss while an epoch runs (only when stderr is a
 * terminal), a summary line per epoch on stdout, events (roll-backs) on stderr.
 */
export function terminalProgress(
  caps: ModelCapabilities,
  epochs: number,
  batchSize: number,
  out: (line: string) => void,
): TrainCallbacks {
  const bar = new cliProgress.SingleBar(
    {
      format:
        'epoch {epoch}/{epochs} |{bar}| {value}/{total} steps  {metric} {loss}  {speed} img/s  eta {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let stepsPerEpoch = 0;
  let steps = 0;
  let epochStart = 0;
  let active = false;
  return {
    onStart: ({ stepsPerEpoch: s }) => {
      stepsPerEpoch = s;
    },
    onStep: (state, m) => {
      if (!active) {
        active = true;
        epochStart = performance.now();
        steps = 0;
        bar.start(stepsPerEpoch, state.batch, {
          epoch: state.epoch + 1,
          epochs,
          metric: 'loss',
          loss: '-',
          speed: '-',
        });
      }
      steps++;
      const secs = (performance.now() - epochStart) / 1000;
      // the bound (−ELBO); for GANs the first metric they declare and report (the Wasserstein estimate, or the critic's loss)
      const shown = caps.bound ?? caps.metrics.find((s) => m[s.name] !== undefined)?.name ?? 'loss';
      bar.update(state.batch, {
        metric: shown,
        loss: fmt(m[shown]),
        speed: secs > 0 ? Math.round((steps * batchSize) / secs) : '-',
      });
    },
    onEpochEnd: (r) => {
      if (active) bar.stop();
      active = false;
      out(epochLine(caps, r, epochs));
    },
    onEvent: (e) => {
      if (active) bar.stop();
      active = false;
      process.stderr.write(`[${e.kind}] ${e.message}\n`);
    },
  };
}
