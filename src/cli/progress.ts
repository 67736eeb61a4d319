import cliProgress from 'cli-progress';
import { type MetricSpec, type ModelCapabilities, metricSpec } from '../models/model.js';
import type { EpochRecord, TrainCallbacks } from '../train/loop.js';

const fmt = (v: number | undefined, digits = 2) => (v === undefined ? '-' : v.toFixed(digits));

/** `name value` for each reported metric that the capabilities declare with one of `roles`, in their order. */
function metricList(caps: ModelCapabilities, m: Record<string, number>, roles: MetricSpec['role'][]): string {
  return Object.keys(m)
    .filter((k) => roles.includes(metricSpec(caps, k)?.role ?? 'diagnostic'))
    .map((k) => `${k} ${fmt(m[k], caps.bound ? 2 : 3)}`)
    .join('  ');
}

/**
 * One line per epoch: train and test loss (the bound, −ELBO in nats), bits/dim, the declared terms, and
 * speed; for models without a bound (GANs) their declared train and test metrics.
 */
export function epochLine(caps: ModelCapabilities, r: EpochRecord, epochs: number): string {
  const t = r.test;
  const tail = `${Math.round(r.imagesPerSecond)} img/s${r.skippedSteps ? `  skipped ${r.skippedSteps} non-finite steps` : ''}`;
  if (caps.bound === undefined) {
    const shown: MetricSpec['role'][] = ['objective', 'term'];
    return `epoch ${r.epoch}/${epochs}  train ${metricList(caps, r.train, shown)}  |  test ${metricList(caps, t, shown)}  ${tail}`;
  }
  const terms = metricList(caps, t, ['term']);
  return (
    `epoch ${r.epoch}/${epochs}  train loss ${fmt(r.train[caps.bound])}  test loss ${fmt(t[caps.bound])} ` +
    `(${fmt(t.bitsPerDim, 4)} bits/dim)  ${terms}  ${tail}`
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
      const shown =
        caps.bound ??
        caps.metrics.find((s) => s.role !== 'diagnostic' && m[s.name] !== undefined)?.name ??
        'loss';
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
