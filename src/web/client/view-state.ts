/**
 * The view a link reopens, kept in the page's URL as it changes:
 *   ?run=vae-mnist&checkpoint=step-000000900&z=0.5,-1.25,0&class=7&t=0.8&seed=3&from=4&to=17&steps=12
 * (the run and the checkpoint shown, the sliders' z, a conditional model's class, the samples' temperature and seed, the interpolation pair and
 * its steps). Values that do not parse are ignored, so a hand-edited link never breaks the page.
 */
export interface ViewState {
  /** The main run's name (its directory's), so a link opened on another run can say so. */
  run?: string;
  checkpoint?: string;
  z?: Float32Array;
  /** The class a conditional model draws (the header's picker). */
  class?: number;
  temperature?: number;
  seed?: number;
  from?: number;
  to?: number;
  steps?: number;
}

/** Longer z lists than any latent the page draws are refused rather than parsed. */
const MAX_LATENT = 4096;
const CHECKPOINT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** A number that stays finite in float32 (the page's tensors), or undefined. */
const finite = (text: string | null): number | undefined => {
  if (text === null || text.trim() === '') return undefined;
  const v = Number(text);
  return Number.isFinite(Math.fround(v)) ? v : undefined;
};
const whole = (text: string | null): number | undefined => {
  const v = finite(text);
  return v !== undefined && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
};

/** The state a URL's query holds (only the parts that parse). */
export function readViewState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const state: ViewState = {};
  const run = p.get('run');
  if (run && run.length <= 255) state.run = run;
  const checkpoint = p.get('checkpoint');
  if (checkpoint && CHECKPOINT_NAME.test(checkpoint)) state.checkpoint = checkpoint;
  const z = p.get('z')?.split(',');
  if (z && z.length <= MAX_LATENT) {
    const values = z.map((v) => finite(v));
    if (values.every((v) => v !== undefined)) state.z = Float32Array.from(values as number[]);
  }
  const t = finite(p.get('t'));
  if (t !== undefined && t >= 0) state.temperature = t;
  for (const key of ['class', 'seed', 'from', 'to', 'steps'] as const) {
    const v = whole(p.get(key));
    if (v !== undefined) state[key] = v;
  }
  return state;
}

/** A number as short as it can be written with 4 decimals (0.5, not 0.5000). */
const short = (v: number) => String(Number(v.toFixed(4)));

/** The query for a state, other parameters of `search` (e.g. ?backend) kept. */
export function writeViewState(search: string, state: ViewState): string {
  const p = new URLSearchParams(search);
  const set = (key: string, value: string | undefined) => {
    if (value === undefined) p.delete(key);
    else p.set(key, value);
  };
  set('run', state.run);
  set('checkpoint', state.checkpoint);
  set('z', state.z && Array.from(state.z, short).join(','));
  set('t', state.temperature === undefined ? undefined : short(state.temperature));
  for (const key of ['class', 'seed', 'from', 'to', 'steps'] as const) set(key, state[key]?.toString());
  const query = p.toString();
  return query ? `?${query}` : '';
}

/**
 * Keeps the URL in step with the view: `update` merges a change in and rewrites the address (without a
 * new history entry, at most every 250 ms, so dragging a slider does not flood the history API).
 */
export function urlKeeper(initial: ViewState) {
  const state: ViewState = { ...initial };
  let pending = false;
  const flush = () => {
    pending = false;
    const query = writeViewState(location.search, state);
    history.replaceState(history.state, '', `${location.pathname}${query}${location.hash}`);
  };
  return {
    state,
    update(change: Partial<ViewState>) {
      Object.assign(state, change);
      if (pending) return;
      pending = true;
      setTimeout(flush, 250);
    },
  };
}
