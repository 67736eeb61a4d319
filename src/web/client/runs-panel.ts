/**
 * Training step by step, and runs compared: the training metric of every run served (steps.jsonl, one
 * colour per run) with its test value after each epoch (metrics.jsonl), live, on one interactive chart;
 * and, with several runs, each run's samples from the prior side by side (the same seed and temperature
 * as the main samples panel), each model rebuilt in the page by the code that trained it.
 */
import './runs.css';
import { type GenerativeModel, type ModelCapabilities, metricLabel, metricSpec } from '../../models/model.js';
import { capabilitiesOf, modelConfigSchema } from '../../models/registry.js';
import { type RunApi, runApi } from '../protocol.js';
import { fetchConfig, fetchLog, fetchRuns, fetchStatus, type RunInfo } from './api.js';
import { interactiveChart } from './chart.js';
import { byId } from './context.js';
import type { Point } from './curve-math.js';
import { curvesControls } from './curves-controls.js';
import { drawImageGrid } from './draw.js';
import { loadModel, samplePixels } from './model.js';

/** One colour per run (Tableau 10, in order). */
const RUN_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
/** Run i's colour: the palette's first eight, then hues a golden angle apart (no two runs alike). */
const runColour = (i: number) =>
  i < RUN_COLOURS.length ? RUN_COLOURS[i] : `hsl(${Math.round((i * 137.508) % 360)} 65% 55%)`;
const CHART: [number, number] = [880, 300];
const COLS = 4;
const ROWS = 4;

interface StepRecord {
  step: number;
  epoch: number;
  train: Record<string, number>;
}
interface EpochRecord {
  epoch: number;
  step: number;
  train?: Record<string, number>;
  test: Record<string, number>;
}

/**
 * The training line of a run: its steps.jsonl, or, for a run trained before vaekit wrote one, the
 * training means of its epochs.
 */
const trainLine = (r: { steps: StepRecord[]; epochs: EpochRecord[] }): StepRecord[] =>
  r.steps.length > 0
    ? r.steps
    : r.epochs.map((e) => ({ step: e.step, epoch: e.epoch, train: e.train ?? {} }));

const isStep = (r: Record<string, unknown>): r is Record<string, unknown> & StepRecord =>
  typeof r.step === 'number' && typeof r.train === 'object' && r.train !== null;
const isEpoch = (r: Record<string, unknown>): r is Record<string, unknown> & EpochRecord =>
  typeof r.epoch === 'number' && typeof r.step === 'number' && typeof r.test === 'object' && r.test !== null;

interface Run {
  index: number;
  name: string;
  colour: string;
  api: RunApi;
  info: RunInfo;
  caps: ModelCapabilities | null;
  steps: StepRecord[];
  epochs: EpochRecord[];
  /** Compared runs: the model shown in the side-by-side samples and its checkpoint. */
  model?: GenerativeModel;
  checkpoint?: string;
  figure?: { canvas: HTMLCanvasElement; caption: HTMLElement };
  /** Why its logs could not be read at the last poll. */
  error?: string;
}

const capsOf = (info: RunInfo): ModelCapabilities | null => {
  try {
    return capabilitiesOf(modelConfigSchema.parse(info.model).type);
  } catch {
    return null;
  }
};

export function runsPanel() {
  const status = byId('steps-status');
  const legend = byId('steps-legend');
  const chart = interactiveChart(byId<HTMLCanvasElement>('steps-chart'), CHART, (zoomed) =>
    controls.zoomed(zoomed),
  );
  const controls = curvesControls(
    () => redraw(),
    () => chart.resetZoom(),
  );
  const seed = byId<HTMLInputElement>('samples-seed');
  const temperature = byId<HTMLInputElement>('samples-temperature');
  let runs: Run[] = [];

  /** The metric to chart: the one chosen, else the main run's bound (−ELBO), else its first objective. */
  const defaultMetric = (keys: string[]) => {
    const caps = runs[0]?.caps;
    const bound = caps?.bound;
    if (bound && keys.includes(bound)) return bound;
    return keys.find((k) => caps && metricSpec(caps, k)?.role === 'objective') ?? keys[0];
  };

  function redraw(): void {
    const keys = [...new Set(runs.flatMap((r) => trainLine(r).flatMap((s) => Object.keys(s.train))))];
    const main = runs[0];
    const labelOf = (k: string) => (main?.caps && metricSpec(main.caps, k) ? metricLabel(main.caps, k) : k);
    const metric = controls.metrics(keys, labelOf, defaultMetric(keys));
    const last = main && trainLine(main).at(-1);
    if (!metric || !last) {
      status.textContent = 'No training step logged yet; steps.jsonl is read every 2 s.';
      chart.draw({ series: [], xLabel: 'step', smoothing: 0, log: false });
      return;
    }
    const series = runs.flatMap((r) => {
      const train: Point[] = trainLine(r)
        .filter((s) => Number.isFinite(s.train[metric]))
        .map((s) => [s.step, s.train[metric]]);
      const test: Point[] = r.epochs
        .filter((e) => Number.isFinite(e.test[metric]))
        .map((e) => [e.step, e.test[metric]]);
      return [
        { points: train, colour: r.colour, style: 'line' as const },
        { points: test, colour: r.colour, style: 'markers' as const },
      ];
    });
    const { smoothing, log } = controls.current();
    chart.draw({ series, xLabel: 'step', smoothing, log, yKey: metric });
    const canvas = byId<HTMLCanvasElement>('steps-chart');
    const skipped = Number(canvas.dataset.skipped ?? 0);
    const total = main.info.train.epochs;
    const logNote = !log
      ? ''
      : canvas.dataset.points === '0'
        ? ` · log scale: ${labelOf(metric)} has no positive values to show`
        : skipped > 0
          ? ` · log scale: ${skipped} value${skipped === 1 ? '' : 's'} ≤ 0 not shown`
          : '';
    const perEpoch = main.steps.length === 0 ? ' · per epoch: this run has no steps.jsonl' : '';
    status.textContent =
      `step ${last.step} · epoch ${last.epoch}${last.epoch <= total ? ` of ${total}` : ''} · ` +
      `training ${labelOf(metric)} ${last.train[metric]?.toFixed(3) ?? '–'}${logNote}${perEpoch} · read every 2 s`;
    byId('steps-note').textContent =
      `${labelOf(metric)} — lines: training, mean of the steps between log lines` +
      `${smoothing > 0 ? ' (smoothed; faint: raw)' : ''}; dots: test set after each epoch. ` +
      'Drag a box (or along the steps) to zoom, double-click to see all.';
  }

  function showLegend(): void {
    legend.replaceChildren(
      ...runs.map((r) => {
        const item = document.createElement('span');
        item.className = 'run-entry';
        item.dataset.run = String(r.index);
        const swatch = document.createElement('i');
        swatch.className = 'run-swatch';
        swatch.style.background = r.colour;
        item.append(swatch, r.name + (r.index === 0 && runs.length > 1 ? ' (main)' : ''));
        if (r.error) {
          const why = document.createElement('em');
          why.textContent = ` — could not be read: ${r.error}`;
          item.append(why);
        }
        return item;
      }),
    );
  }

  /** One figure per run for its samples, when there are several runs. */
  function compareFigures(): void {
    if (runs.length < 2) return;
    byId('compare-panel').hidden = false;
    const row = byId('compare-samples');
    row.replaceChildren(
      ...runs.map((r) => {
        const figure = document.createElement('figure');
        figure.className = 'run-samples';
        figure.dataset.pngCaption = r.name;
        const canvas = document.createElement('canvas');
        canvas.id = `compare-samples-${r.index}`;
        const caption = document.createElement('figcaption');
        const swatch = document.createElement('i');
        swatch.className = 'run-swatch';
        swatch.style.background = r.colour;
        const name = document.createElement('b');
        name.textContent = r.name;
        const note = document.createElement('span');
        note.textContent = 'no checkpoint yet';
        caption.append(swatch, name, note);
        figure.append(canvas, caption);
        r.figure = { canvas, caption: note };
        return figure;
      }),
    );
  }

  const drawSamples = (r: Run) => {
    if (!r.model || !r.figure) return;
    const t = Number(temperature.value);
    const s = Math.trunc(Number(seed.value)) || 0;
    drawImageGrid(r.figure.canvas, samplePixels(r.model, COLS * ROWS, s, t), COLS, 2);
    r.figure.canvas.dataset.rendered = `${r.checkpoint}-${s}-${t}`;
    byId('compare-note').textContent =
      `${COLS * ROWS} samples of each run's checkpoint at seed ${s} and temperature ${t.toFixed(2)} ` +
      '(set in "Samples from the prior"); z ~ N(0, t²I), decoded.';
  };
  const drawAllSamples = () => {
    for (const r of runs) drawSamples(r);
  };
  temperature.addEventListener('input', drawAllSamples);
  seed.addEventListener('change', drawAllSamples);
  byId('samples-new').addEventListener('click', drawAllSamples);

  /** A compared run's newest checkpoint, loaded when it changed; its error stays in its caption. */
  async function refreshModel(r: Run): Promise<void> {
    if (!r.figure) return;
    try {
      const s = await fetchStatus(r.api.status);
      if (s.checkpoint === null) {
        r.figure.caption.textContent = `no checkpoint yet — ${s.hint ?? ''}`;
        return;
      }
      if (s.checkpoint === r.checkpoint) return;
      const next = await loadModel(r.info, r.api);
      r.model?.dispose();
      r.model = next.model;
      r.checkpoint = next.specs.checkpoint;
      r.figure.caption.textContent = `${next.specs.checkpoint} (epoch ${next.specs.epoch})`;
      drawSamples(r);
    } catch (e) {
      r.figure.caption.textContent = `could not load: ${(e as Error).message}`;
    }
  }

  return {
    /** Draws the chart and every run's samples again (the theme changed). */
    repaint(): void {
      redraw();
      drawAllSamples();
    },
    /** Reads which runs are served and their configs; returns the main run's name. */
    async start(): Promise<string> {
      const entries = await fetchRuns();
      runs = await Promise.all(
        entries.map(async (e, i) => {
          const api = runApi(e.index);
          const info = await fetchConfig(api.config);
          return {
            index: e.index,
            name: e.name,
            colour: runColour(i),
            api,
            info,
            caps: capsOf(info),
            steps: [],
            epochs: [],
          };
        }),
      );
      showLegend();
      compareFigures();
      return entries[0].name;
    },
    /** Re-reads every run's step log (and the other runs' metrics; the main run's are given) and redraws. */
    async poll(mainMetrics: Record<string, unknown>[]): Promise<void> {
      await Promise.all(
        runs.map(async (r) => {
          try {
            const [steps, metrics] = await Promise.all([
              fetchLog(r.api.steps),
              r.index === 0 ? mainMetrics : fetchLog(r.api.metrics),
            ]);
            r.steps = steps.filter(isStep);
            r.epochs = metrics.filter(isEpoch);
            r.error = undefined;
          } catch (e) {
            // one run that cannot be read (say, a log linked out of its directory) does not stop the others
            r.error = (e as Error).message;
          }
        }),
      );
      showLegend();
      redraw();
      await Promise.all(runs.map(refreshModel));
    },
  };
}
