/**
 * The export graph: a small, framework-neutral description of one inference network (a decoder, an
 * encoder, a sampler) as constants, named inputs and operations, from which `onnx.ts` writes an ONNX model
 * and `tfjs-graph.ts` a TensorFlow.js graph model. A model describes its own inference pass with the
 * builder below (models/…/export.ts); the writers know nothing of vaekit's models.
 *
 * Conventions, the same in every format vaekit writes:
 * - images are NHWC (batch, height, width, channels), the layout vaekit and TensorFlow.js use;
 * - the batch dimension is the only dynamic one, written −1 in shapes; every other size is static;
 * - every value is float32.
 */

/** The layout of every image input and output. */
export const IMAGE_SHAPE_DOC = 'images [batch, height, width, channels] (NHWC)';
/** What the image inputs and outputs of every exported part hold. */
export const IMAGE_DOC = `${IMAGE_SHAPE_DOC}, float32 in [0, 1]`;
/** What a decoder's image output is. */
export const MEAN_DOC = `E[x|z]: ${IMAGE_DOC}`;

/** One value of the graph: its id (index of the node that makes it) and its shape (batch first, −1). */
export interface Value {
  readonly id: number;
  readonly shape: readonly number[];
}

export type UnaryOp = 'relu' | 'elu' | 'tanh' | 'sigmoid' | 'exp';
export type BinaryOp = 'add' | 'sub' | 'mul';

/** 'same' as TensorFlow means it: output side ⌈in / stride⌉, the odd padding pixel at the end. */
export type Padding = 'same' | 'valid';

export type Node =
  | { op: 'input'; name: string; shape: readonly number[] }
  | { op: 'const'; name: string; shape: readonly number[]; data: Float32Array }
  /** a [−1, k] × b [k, n], b a constant. */
  | { op: 'matMul'; a: Value; b: Value }
  /** Elementwise with NumPy broadcasting. */
  | { op: BinaryOp; a: Value; b: Value }
  | { op: UnaryOp; x: Value }
  /** x for x ≥ 0, alpha·x below. */
  | { op: 'leakyRelu'; x: Value; alpha: number }
  /** 2-D convolution, x [−1, h, w, c], filter a constant [kh, kw, c, f] (HWIO); no bias (add it). */
  | { op: 'conv2d'; x: Value; filter: Value; strides: [number, number]; padding: Padding }
  /**
   * Transposed convolution (the gradient of conv2d with respect to its input), x [−1, h, w, c], filter a
   * constant [kh, kw, f, c] (TensorFlow's layout: output channels third), output [−1, ...outShape].
   */
  | {
      op: 'conv2dTranspose';
      x: Value;
      filter: Value;
      strides: [number, number];
      padding: Padding;
      outShape: [number, number, number];
    }
  /** Reshape keeping the batch: `shape` is the new shape without the batch dimension. */
  | { op: 'reshape'; x: Value; shape: readonly number[] }
  | { op: 'concat'; xs: Value[]; axis: number }
  /** x[…, begin : begin + size, …] along `axis` (≥ 1). */
  | { op: 'slice'; x: Value; axis: number; begin: number; size: number }
  /** Softmax over the last axis. */
  | { op: 'softmax'; x: Value }
  /** Sum over the last axis, which is dropped. */
  | { op: 'sumLast'; x: Value }
  /** min(max(x, min), max). */
  | { op: 'clip'; x: Value; min: number; max: number };

/** What an input holds: N(0, 1) noise or latents, values in [0, 1] (images), or one-hot rows (labels). */
export type InputKind = 'normal' | 'unit' | 'one-hot';

export interface GraphPort {
  name: string;
  value: Value;
  /** What the value means, its range and layout: written into the model's documentation strings. */
  doc: string;
  /** Inputs only: what values it takes (for checks and the model card). */
  kind?: InputKind;
}

const volume = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** NumPy broadcasting of two shapes; the batch (−1) broadcasts like any other size. */
function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`export graph: cannot broadcast [${a}] with [${b}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Output side of a convolution along one axis (TensorFlow's rule). */
export function convOutSide(inSide: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(inSide / stride) : Math.floor((inSide - kernel) / stride) + 1;
}

/**
 * Padding [before, after] of a convolution along one axis mapping `inSide` to `outSide`, TensorFlow's rule:
 * total = max((out − 1)·stride + kernel − in, 0), before = ⌊total / 2⌋. For a transposed convolution, pass
 * the sides of the forward convolution it is the gradient of (its output as `inSide`).
 */
export function convPads(inSide: number, outSide: number, kernel: number, stride: number, padding: Padding) {
  if (padding === 'valid') return [0, 0] as const;
  const total = Math.max((outSide - 1) * stride + kernel - inSide, 0);
  const before = Math.floor(total / 2);
  return [before, total - before] as const;
}

/**
 * Builds an export graph in topological order: each method adds one node and returns its value, with the
 * shape checked and inferred, so a description that does not fit together fails here, not in a runtime.
 */
export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly inputs: GraphPort[] = [];
  readonly outputs: GraphPort[] = [];
  private readonly names = new Set<string>();

  constructor(readonly name: string) {}

  private add(node: Node, shape: readonly number[]): Value {
    this.nodes.push(node);
    return { id: this.nodes.length - 1, shape };
  }

  private uniqueName(name: string): string {
    let n = name;
    for (let i = 1; this.names.has(n); i++) n = `${name}_${i}`;
    this.names.add(n);
    return n;
  }

  /** A named input, shape with the batch first as −1, holding values of `kind`. */
  input(name: string, shape: readonly number[], doc: string, kind: InputKind = 'normal'): Value {
    if (this.names.has(name)) throw new Error(`export graph: two ports named ${name}`);
    this.names.add(name);
    const value = this.add({ op: 'input', name, shape }, shape);
    this.inputs.push({ name, value, doc, kind });
    return value;
  }

  /** Marks `value` as the named output. */
  output(name: string, value: Value, doc: string): void {
    if (this.names.has(name)) throw new Error(`export graph: two ports named ${name}`);
    this.names.add(name);
    this.outputs.push({ name, value, doc });
  }

  /** A constant (a weight, or a fixed tensor the graph needs); `name` is made unique. */
  constant(name: string, data: Float32Array | number[], shape: readonly number[]): Value {
    if (data.length !== volume(shape)) {
      throw new Error(`export graph: constant ${name} has ${data.length} values for shape [${shape}]`);
    }
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.add({ op: 'const', name: this.uniqueName(name), shape, data: values }, shape);
  }

  /** A scalar constant (broadcasts everywhere). */
  scalar(value: number): Value {
    return this.constant('scalar', [value], []);
  }

  isConstant(v: Value): boolean {
    return this.nodes[v.id].op === 'const';
  }

  matMul(a: Value, b: Value): Value {
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0] || !this.isConstant(b)) {
      throw new Error(
        `export graph: matMul needs [−1, k] × constant [k, n], got [${a.shape}] × [${b.shape}]`,
      );
    }
    return this.add({ op: 'matMul', a, b }, [a.shape[0], b.shape[1]]);
  }

  binary(op: BinaryOp, a: Value, b: Value): Value {
    return this.add({ op, a, b }, broadcast(a.shape, b.shape));
  }

  add2(a: Value, b: Value): Value {
    return this.binary('add', a, b);
  }

  mul(a: Value, b: Value): Value {
    return this.binary('mul', a, b);
  }

  unary(op: UnaryOp, x: Value): Value {
    return this.add({ op, x }, x.shape);
  }

  leakyRelu(x: Value, alpha: number): Value {
    return this.add({ op: 'leakyRelu', x, alpha }, x.shape);
  }

  /** swish(x) = x·σ(x). */
  swish(x: Value): Value {
    return this.mul(x, this.unary('sigmoid', x));
  }

  conv2d(x: Value, filter: Value, strides: [number, number], padding: Padding): Value {
    const [, h, w, c] = x.shape;
    const [kh, kw, fc, f] = filter.shape;
    if (x.shape.length !== 4 || filter.shape.length !== 4 || fc !== c || !this.isConstant(filter)) {
      throw new Error(`export graph: conv2d of [${x.shape}] with filter [${filter.shape}]`);
    }
    const shape = [-1, convOutSide(h, kh, strides[0], padding), convOutSide(w, kw, strides[1], padding), f];
    return this.add({ op: 'conv2d', x, filter, strides, padding }, shape);
  }

  conv2dTranspose(
    x: Value,
    filter: Value,
    strides: [number, number],
    padding: Padding,
    outShape: [number, number, number],
  ): Value {
    const [, h, w, c] = x.shape;
    const [kh, kw, f, fc] = filter.shape;
    const fits =
      x.shape.length === 4 &&
      filter.shape.length === 4 &&
      fc === c &&
      f === outShape[2] &&
      convOutSide(outShape[0], kh, strides[0], padding) === h &&
      convOutSide(outShape[1], kw, strides[1], padding) === w;
    if (!fits || !this.isConstant(filter)) {
      throw new Error(
        `export graph: conv2dTranspose of [${x.shape}] with filter [${filter.shape}] to [${outShape}]`,
      );
    }
    return this.add({ op: 'conv2dTranspose', x, filter, strides, padding, outShape }, [-1, ...outShape]);
  }

  /** Reshape keeping the batch; `shape` excludes the batch dimension. */
  reshape(x: Value, shape: readonly number[]): Value {
    if (volume(shape) !== volume(x.shape.slice(1))) {
      throw new Error(`export graph: cannot reshape [${x.shape}] to [−1, ${shape}]`);
    }
    return this.add({ op: 'reshape', x, shape }, [-1, ...shape]);
  }

  /** Concatenation along `axis` (≥ 1; −1 for the last). */
  concat(xs: Value[], axis: number): Value {
    const rank = xs[0].shape.length;
    const a = axis < 0 ? rank + axis : axis;
    const shape = [...xs[0].shape];
    shape[a] = 0;
    for (const x of xs) {
      const same = x.shape.length === rank && x.shape.every((d, i) => i === a || d === xs[0].shape[i]);
      if (!same || a < 1)
        throw new Error(`export graph: cannot concatenate ${xs.map((v) => `[${v.shape}]`)}`);
      shape[a] += x.shape[a];
    }
    return this.add({ op: 'concat', xs, axis: a }, shape);
  }

  /** x[…, begin : begin + size, …] along `axis` (≥ 1; −1 for the last). */
  slice(x: Value, axis: number, begin: number, size: number): Value {
    const a = axis < 0 ? x.shape.length + axis : axis;
    if (a < 1 || begin < 0 || size < 1 || begin + size > x.shape[a]) {
      throw new Error(`export graph: slice ${begin}+${size} of axis ${a} of [${x.shape}]`);
    }
    const shape = [...x.shape];
    shape[a] = size;
    return this.add({ op: 'slice', x, axis: a, begin, size }, shape);
  }

  softmax(x: Value): Value {
    return this.add({ op: 'softmax', x }, x.shape);
  }

  sumLast(x: Value): Value {
    return this.add({ op: 'sumLast', x }, x.shape.slice(0, -1));
  }

  clip(x: Value, min: number, max: number): Value {
    return this.add({ op: 'clip', x, min, max }, x.shape);
  }
}
