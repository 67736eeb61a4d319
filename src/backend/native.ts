/**
 * The optional native addon (native/*.cc): prebuilt in the npm package for linux-x64 and linux-arm64, else
 * built by node-gyp when the package is installed. It multiplies matrices in place on the wasm heap with
 * register tiles of vector extensions (AVX-512/AVX2 on x86-64, NEON on aarch64) on every core.
 * Absent (no binary for the platform and no compiler, a browser) or disabled with VAEKIT_NATIVE=0,
 * the wasm kernels run alone: nothing else changes. This module imports nothing from Node statically,
 * so code that the browser page bundles may use it (there it always answers null).
 */
export interface NativeKernels {
  /** C[m×n] = op(A)·op(B) on `heap`; aAt, bAt, cAt are offsets in floats. */
  sgemm(
    heap: Float32Array,
    aAt: number,
    bAt: number,
    cAt: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** cols[r, (ky·kw + kx)·inC + ci] = x[b, iy, ix, ci] for NHWC x (see im2col.ts for the geometry). */
  im2col(heap: Float32Array, xAt: number, colsAt: number, ...geometry: ConvGeometry): void;
  /** dx = the adjoint of im2col: each tap of cols scatter-added back to its input pixel. */
  col2im(heap: Float32Array, colsAt: number, dxAt: number, ...geometry: ConvGeometry): void;
  /**
   * y = im2col(x)·w (+ bias per output channel; biasAt −1 for none) for w as [kh·kw·inC, outC], the im2col
   * matrix built a cache-sized block of rows at a time (inC ≥ 8), or x itself for a pointwise filter.
   */
  convForward(
    heap: Float32Array,
    xAt: number,
    wAt: number,
    biasAt: number,
    yAt: number,
    outC: number,
    ...geometry: ConvGeometry
  ): void;
  /** dx = col2im(dy·wᵀ), blocked likewise. */
  convBackpropInput(
    heap: Float32Array,
    dyAt: number,
    wAt: number,
    dxAt: number,
    outC: number,
    ...geometry: ConvGeometry
  ): void;
  /** dw = im2col(x)ᵀ·dy, blocked likewise. */
  convBackpropFilter(
    heap: Float32Array,
    xAt: number,
    dyAt: number,
    dwAt: number,
    outC: number,
    ...geometry: ConvGeometry
  ): void;
  /**
   * Depthwise convolution of NHWC x by w [kh, kw, C, multiplier] (depthwise.cc; geometry with inC = C):
   * y[b, oy, ox, c·M + m] = Σ_{ky, kx} x[b, iy, ix, c]·w[ky, kx, c, m].
   */
  depthwiseConv(
    heap: Float32Array,
    xAt: number,
    wAt: number,
    yAt: number,
    multiplier: number,
    ...geometry: ConvGeometry
  ): void;
  /** Its gradient for the input: dx[b, iy, ix, c] = Σ dy[b, oy, ox, c·M + m]·w[ky, kx, c, m]. */
  depthwiseBackpropInput(
    heap: Float32Array,
    dyAt: number,
    wAt: number,
    dxAt: number,
    multiplier: number,
    ...geometry: ConvGeometry
  ): void;
  /** Its gradient for the filter: dw[ky, kx, c, m] = Σ_{b, oy, ox} x[b, iy, ix, c]·dy[b, oy, ox, c·M + m]. */
  depthwiseBackpropFilter(
    heap: Float32Array,
    xAt: number,
    dyAt: number,
    dwAt: number,
    multiplier: number,
    ...geometry: ConvGeometry
  ): void;
  /** out[c] = Σ_r x[r, c] for x stored [rows, cols], in double precision. */
  sumRows(heap: Float32Array, xAt: number, outAt: number, rows: number, cols: number): void;
  /** Σ x² over n floats, in double precision (NaN or ∞ when an element is). */
  sumSquares(heap: Float32Array, xAt: number, n: number): number;
  /** out = x repeated reps[d] times along each axis d (rank ≤ 8). */
  tile(heap: Float32Array, xAt: number, outAt: number, shape: Int32Array, reps: Int32Array): void;
  /**
   * One Adam step in place on θ, m, v (tfjs's formula and float32 constants); correction_i = 1 − β_iᵗ.
   * Returns how many of the new values are not finite.
   */
  adam(
    heap: Float32Array,
    thetaAt: number,
    gAt: number,
    mAt: number,
    vAt: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    correction1: number,
    correction2: number,
  ): number;
  /** Bernoulli log-likelihood from logits per row: out[r] = Σ_c x·l − softplus(l) (elementwise.cc). */
  bernoulliLogProb(
    heap: Float32Array,
    lAt: number,
    xAt: number,
    outAt: number,
    rows: number,
    cols: number,
  ): void;
  /** Its gradient for an upstream dy[r]: dl = dy[r]·(x − σ(l)), dx = dy[r]·l. */
  bernoulliLogProbGrad(
    heap: Float32Array,
    lAt: number,
    xAt: number,
    dyAt: number,
    dlAt: number,
    dxAt: number,
    rows: number,
    cols: number,
  ): void;
  /** KL(N(μ, e^lv) ‖ N(0, 1)) per element: ½ (μ² + e^lv − 1 − lv). */
  gaussianKl(heap: Float32Array, muAt: number, lvAt: number, outAt: number, n: number): void;
  /** dμ = dy·μ, dlv = ½ dy (e^lv − 1). */
  gaussianKlGrad(
    heap: Float32Array,
    muAt: number,
    lvAt: number,
    dyAt: number,
    dmuAt: number,
    dlvAt: number,
    n: number,
  ): void;
  /** z = μ + e^{lv/2}·ε. */
  reparameterise(heap: Float32Array, muAt: number, lvAt: number, epsAt: number, zAt: number, n: number): void;
  /** dlv = ½ dy e^{lv/2} ε (and dμ = dy). */
  reparameteriseGrad(
    heap: Float32Array,
    lvAt: number,
    epsAt: number,
    dyAt: number,
    dlvAt: number,
    n: number,
  ): void;
  /** A bias added to every row: out[r, c] = x[r, c] + b[c]. */
  addRows(heap: Float32Array, xAt: number, bAt: number, outAt: number, rows: number, cols: number): void;
  /** The gradient of relu: dx = dy·step(x) (step: 1 for x > 0, else 0; NaN for NaN). */
  reluGrad(heap: Float32Array, xAt: number, dyAt: number, dxAt: number, n: number): void;
  /** Swish: y = x·σ(x). */
  swish(heap: Float32Array, xAt: number, yAt: number, n: number): void;
  /** Its gradient: dx = dy·σ(x)·(1 + x·(1 − σ(x))). */
  swishGrad(heap: Float32Array, xAt: number, dyAt: number, dxAt: number, n: number): void;
  /** y = skip + s·x·gate for x, skip, y [B, P, C] and gate [B, C] (an NVAE cell's end). */
  gatedResidual(
    heap: Float32Array,
    skipAt: number,
    xAt: number,
    gateAt: number,
    yAt: number,
    B: number,
    P: number,
    C: number,
    s: number,
  ): void;
  /** Its gradient: dx = s·dy·gate, dgate[b, c] = s·Σ_p dy·x (dskip is dy itself). */
  gatedResidualGrad(
    heap: Float32Array,
    xAt: number,
    gateAt: number,
    dyAt: number,
    dxAt: number,
    dgateAt: number,
    B: number,
    P: number,
    C: number,
    s: number,
  ): void;
  /**
   * The discretised logistic mixture's log-likelihood (logistic-mixture.cc): params [n, 3K] per element
   * (K logits, K pre-tanh locations, K pre-clamp log scales), x [n] in [0, 1] → out [n].
   */
  logisticMixtureLogProb(
    heap: Float32Array,
    paramsAt: number,
    xAt: number,
    outAt: number,
    n: number,
    K: number,
  ): void;
  /** Its gradient for the parameters, dparams [n, 3K], and for x, dx [n], for an upstream dy [n]. */
  logisticMixtureLogProbGrad(
    heap: Float32Array,
    paramsAt: number,
    xAt: number,
    dyAt: number,
    dparamsAt: number,
    dxAt: number,
    n: number,
    K: number,
  ): void;
  /** Batch-norm statistics over the rows of x [rows, C]: stats = [μ (C), biased variance (C)]. */
  batchNormStats(heap: Float32Array, xAt: number, statsAt: number, rows: number, C: number): void;
  /** y = γ·(x − μ)/√(v + ε) + β per channel, μ and v from stats; with `swish`, swish of that. */
  batchNormApply(
    heap: Float32Array,
    xAt: number,
    gammaAt: number,
    betaAt: number,
    statsAt: number,
    yAt: number,
    rows: number,
    C: number,
    epsilon: number,
    swish: boolean,
  ): void;
  /**
   * dβ = Σg, dγ = Σg·x̂, dx = γ/√(v+ε)·(g − mean(g) − x̂·mean(g·x̂)) (μ and v functions of x), g = dy, or
   * with `swish` g = dy·swish'(γ·x̂ + β).
   */
  batchNormGrad(
    heap: Float32Array,
    xAt: number,
    gammaAt: number,
    betaAt: number,
    statsAt: number,
    dyAt: number,
    dxAt: number,
    dgammaAt: number,
    dbetaAt: number,
    rows: number,
    C: number,
    epsilon: number,
    swish: boolean,
  ): void;
  /** Threads the addon multiplies on (VAEKIT_THREADS, default: the machine's cores, at most 8). */
  threads(): number;
  /** The compiler and architecture it was built with, e.g. "gcc 12.2.0, x86-64". */
  compiler(): string;
}

/**
 * The 14 integers of a convolution's geometry, in this order: batch, inH, inW, inC, outH, outW,
 * filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft.
 */
export type ConvGeometry = number[];

let loaded: NativeKernels | null = null;
let attempted = false;
let enabled = true;
/** Where the loaded addon came from, or why there is none, in words (see nativeKernelsOrigin). */
let origin = 'not loaded yet';

/** Turns the native kernels off (or back on) for this process: for tests and benchmarks of both paths. */
export function setNativeKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** Every function an addon must have to serve (an older build, or another package's .node, lacks some). */
const KERNEL_NAMES = [
  'sgemm',
  'im2col',
  'col2im',
  'convForward',
  'convBackpropInput',
  'convBackpropFilter',
  'depthwiseConv',
  'depthwiseBackpropInput',
  'depthwiseBackpropFilter',
  'sumRows',
  'sumSquares',
  'tile',
  'adam',
  'bernoulliLogProb',
  'bernoulliLogProbGrad',
  'gaussianKl',
  'gaussianKlGrad',
  'reparameterise',
  'reparameteriseGrad',
  'addRows',
  'reluGrad',
  'swish',
  'swishGrad',
  'gatedResidual',
  'gatedResidualGrad',
  'logisticMixtureLogProb',
  'logisticMixtureLogProbGrad',
  'batchNormStats',
  'batchNormApply',
  'batchNormGrad',
  'threads',
  'compiler',
] as const satisfies readonly (keyof NativeKernels)[];

/** native/binary.cjs, as the loader uses it. */
interface Binaries {
  servingProblem(file: string): string | null;
  loadAddon(file: string): unknown;
  builtBinary(): string | null;
  prebuiltCandidate(): { file?: string; why?: string } | null;
}

/**
 * Loads the addon once (initBackend calls this), in Node unless VAEKIT_NATIVE=0: the file VAEKIT_NATIVE_ADDON
 * names (relative to the working folder, any file name; that one alone), else the first of build/Release
 * (built from source) and prebuilds/<platform>-<arch> (the binaries the npm package ships, if built from the
 * sources beside them) that is a whole binary for this machine, loads in a child process (once per binary),
 * and has every kernel. In a browser, or when none serves, the wasm kernels serve alone; nativeKernelsOrigin
 * says which, and why the others did not.
 */
export async function loadNativeKernels(): Promise<void> {
  if (attempted) return;
  attempted = true;
  const proc = (
    globalThis as {
      process?: {
        versions?: { node?: string };
        env: Record<string, string | undefined>;
        platform: string;
        arch: string;
        cwd(): string;
      };
    }
  ).process;
  if (!proc?.versions?.node) return;
  if (proc.env.VAEKIT_NATIVE === '0') {
    origin = 'turned off (VAEKIT_NATIVE=0)';
    return;
  }
  const target = `${proc.platform}-${proc.arch}`;
  // computed specifiers: the explorer's bundler must not try to resolve Node built-ins
  const [nodeModule, nodePath] = ['node:module', 'node:path'];
  const { createRequire } = (await import(/* @vite-ignore */ nodeModule)) as {
    createRequire(url: string): (id: string) => unknown;
  };
  const { resolve } = (await import(/* @vite-ignore */ nodePath)) as { resolve(...p: string[]): string };
  // src/backend/native.ts and dist/backend/native.js both sit two folders below the package root
  const binaries = createRequire(import.meta.url)('../../native/binary.cjs') as Binaries;
  const skipped: string[] = [];
  /** The addon in `file`, or null (and why, in `skipped`). */
  const tryLoad = (file: string, label: string): NativeKernels | null => {
    // a quick look, then a load in a child: a damaged binary must not crash (or hang) this process
    const problem = binaries.servingProblem(file);
    if (problem) {
      skipped.push(`${label} ${problem}`);
      return null;
    }
    try {
      const addon = binaries.loadAddon(file) as Partial<NativeKernels>;
      const missing = KERNEL_NAMES.filter((k) => typeof addon[k] !== 'function');
      if (missing.length === 0) return addon as NativeKernels;
      skipped.push(
        `${label} lacks ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''} (not this vaekit's addon)`,
      );
    } catch (e) {
      skipped.push(`${label} does not load (${String((e as Error).message).split('\n')[0]})`);
    }
    return null;
  };
  const explicit = proc.env.VAEKIT_NATIVE_ADDON;
  if (explicit) {
    const file = resolve(proc.cwd(), explicit);
    loaded = tryLoad(file, `VAEKIT_NATIVE_ADDON=${explicit}`);
    origin = loaded ? `from VAEKIT_NATIVE_ADDON (${file})` : `none: ${skipped[0]}; the wasm kernels alone`;
    return;
  }
  const prebuilt = binaries.prebuiltCandidate();
  if (prebuilt?.why) skipped.push(prebuilt.why);
  const candidates: [string | null | undefined, string, string][] = [
    [binaries.builtBinary(), 'built from source', 'build/Release'],
    [prebuilt?.file, `prebuilt for ${target}`, `the prebuilt binary for ${target}`],
  ];
  for (const [file, what, label] of candidates) {
    if (!file) continue;
    loaded = tryLoad(file, label);
    if (loaded) {
      origin = skipped.length ? `${what} (${skipped.join('; ')})` : what;
      return;
    }
  }
  const none = skipped.length ? skipped.join('; ') : `no binary built here and none prebuilt for ${target}`;
  origin = `none (${none}): the wasm kernels alone, about half as fast; to build them: npm install-scripts approve vaekit, then npm rebuild vaekit`;
}

/** Where the native kernels come from (prebuilt, built from source), or why there are none, in a few words. */
export function nativeKernelsOrigin(): string {
  return enabled ? origin : 'turned off in this process';
}

/** The addon, or null when it is not built, VAEKIT_NATIVE=0, turned off, or not loaded yet. */
export function nativeKernels(): NativeKernels | null {
  return enabled ? loaded : null;
}
