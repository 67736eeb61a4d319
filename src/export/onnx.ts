/**
 * Writes an export graph as an ONNX model (IR 8, opset 17). The graph's own layout is kept at the edges:
 * inputs and outputs are NHWC float32 with a dynamic batch ("batch"); only the convolutions, which ONNX
 * defines on NCHW, are wrapped in a pair of Transposes, their filters written already transposed.
 */
import { convOutSide, convPads, type GraphBuilder, type GraphPort, type Node, type Value } from './graph.js';
import { DataType, IR_VERSION, ModelProto, OPSET } from './onnx-schema.js';

type NodeOf<Op extends Node['op']> = Extract<Node, { op: Op }>;

export interface OnnxMeta {
  producerVersion: string;
  /** The model's documentation string. */
  doc: string;
  /** Written as the model's metadata_props. */
  metadata: Record<string, string>;
}

/** AttributeProto.AttributeType values used here. */
const AttrType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

type Attribute =
  | { name: string; type: typeof AttrType.FLOAT; f: number }
  | { name: string; type: typeof AttrType.INT; i: number }
  | { name: string; type: typeof AttrType.INTS; ints: number[] };

const int = (name: string, i: number): Attribute => ({ name, type: AttrType.INT, i });
const ints = (name: string, v: readonly number[]): Attribute => ({ name, type: AttrType.INTS, ints: [...v] });
const float = (name: string, f: number): Attribute => ({ name, type: AttrType.FLOAT, f });

const sanitise = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'value';

function littleEndian(data: Float32Array | number[], type: 'float' | 'int64'): Uint8Array {
  const size = type === 'float' ? 4 : 8;
  const view = new DataView(new ArrayBuffer(data.length * size));
  data.forEach((v, i) => {
    if (type === 'float') view.setFloat32(i * size, v, true);
    else view.setBigInt64(i * size, BigInt(v), true);
  });
  return new Uint8Array(view.buffer);
}

/** `data` (row-major, shape `dims`) with its axes permuted: axis k of the result is axis `perm[k]` of `data`. */
function permute(data: Float32Array, dims: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const stride = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const outDims = perm.map((p) => dims[p]);
  const index = new Array<number>(dims.length).fill(0); // position in the output, axis by axis
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < perm.length; k++) src += index[k] * stride[perm[k]];
    out[o] = data[src];
    for (let k = perm.length - 1; k >= 0 && ++index[k] === outDims[k]; k--) index[k] = 0;
  }
  return out;
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** The ONNX graph as it is built: nodes, initializers and the names of the export graph's values. */
class OnnxGraphWriter {
  readonly nodes: object[] = [];
  readonly initializers: object[] = [];
  private readonly used = new Set<string>();
  private readonly valueNames = new Map<number, string>();

  constructor(private readonly graph: GraphBuilder) {
    for (const port of [...graph.inputs, ...graph.outputs]) this.used.add(port.name);
  }

  fresh(base: string): string {
    const clean = sanitise(base);
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  initializer(base: string, dims: readonly number[], data: Float32Array | number[], type: 'float' | 'int64') {
    const name = this.fresh(base);
    const data_type = type === 'float' ? DataType.FLOAT : DataType.INT64;
    this.initializers.push({ name, dims: [...dims], data_type, raw_data: littleEndian(data, type) });
    return name;
  }

  ints(base: string, values: readonly number[]): string {
    return this.initializer(base, [values.length], [...values], 'int64');
  }

  scalar(base: string, value: number): string {
    return this.initializer(base, [], [value], 'float');
  }

  /** Adds a node with one output; returns the output's name (`out`, or a fresh one). */
  node(opType: string, input: string[], attribute: Attribute[] = [], out?: string): string {
    const output = out ?? this.fresh(opType);
    this.nodes.push({
      op_type: opType,
      name: this.fresh(`${opType}_node`),
      input,
      output: [output],
      attribute,
    });
    return output;
  }

  constNode(v: Value): NodeOf<'const'> {
    const node = this.graph.nodes[v.id];
    if (node.op !== 'const') throw new Error(`onnx: value ${v.id} is not a constant`);
    return node;
  }

  /** The name of a value; a constant becomes an initializer the first time a node reads it as it is. */
  name(v: Value): string {
    let name = this.valueNames.get(v.id);
    if (name === undefined) {
      const c = this.constNode(v);
      name = this.initializer(c.name, c.shape, c.data, 'float');
      this.valueNames.set(v.id, name);
    }
    return name;
  }

  setName(id: number, name: string): void {
    this.valueNames.set(id, name);
  }
}

const UNARY = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', exp: 'Exp' } as const;
const BINARY = { add: 'Add', sub: 'Sub', mul: 'Mul' } as const;

/** Runs an ONNX op on NCHW between two Transposes, so the graph around it stays NHWC. */
function inNchw(w: OnnxGraphWriter, x: string, op: (nchw: string) => string, out?: string): string {
  const nchw = w.node('Transpose', [x], [ints('perm', NHWC_TO_NCHW)]);
  return w.node('Transpose', [op(nchw)], [ints('perm', NCHW_TO_NHWC)], out);
}

/**
 * A filter [kh, kw, a, b] as ONNX's [b, a, kh, kw]: a Conv's HWIO becomes OIHW, and a ConvTranspose's
 * [kh, kw, out, in] becomes its [in, out, kh, kw].
 */
function channelsFirstFilter(w: OnnxGraphWriter, v: Value): string {
  const filter = w.constNode(v);
  const [kh, kw, a, b] = filter.shape;
  const data = permute(filter.data, filter.shape, [3, 2, 0, 1]);
  return w.initializer(`${filter.name}_onnx`, [b, a, kh, kw], data, 'float');
}

/** Height then width: the input's side, the kernel's and the stride. */
function spatialAxes(node: NodeOf<'conv2d'> | NodeOf<'conv2dTranspose'>) {
  return [0, 1].map((a) => ({ inSide: node.x.shape[a + 1], k: node.filter.shape[a], s: node.strides[a] }));
}

function conv2d(w: OnnxGraphWriter, node: NodeOf<'conv2d'>, out?: string): string {
  const { padding } = node;
  const pads = spatialAxes(node).map(({ inSide, k, s }) =>
    convPads(inSide, convOutSide(inSide, k, s, padding), k, s, padding),
  );
  const attrs = [
    ints('kernel_shape', node.filter.shape.slice(0, 2)),
    ints('strides', node.strides),
    ints('pads', [pads[0][0], pads[1][0], pads[0][1], pads[1][1]]),
  ];
  const weight = channelsFirstFilter(w, node.filter);
  return inNchw(w, w.name(node.x), (x) => w.node('Conv', [x, weight], attrs), out);
}

/**
 * ONNX's ConvTranspose is, like TensorFlow's, the gradient of a convolution, given that convolution's pads:
 * its output side is s·(in − 1) + k − pads. With the forward convolution's pads that is the wanted side,
 * except where TensorFlow's padding was clipped at 0 ('same' with kernel < stride, 'valid' where the stride
 * does not divide in − k): the last pixels, which the forward convolution never read, come from output_padding.
 */
function conv2dTranspose(w: OnnxGraphWriter, node: NodeOf<'conv2dTranspose'>, out?: string): string {
  // the forward convolution maps the output side back to the input side: its pads are convPads(out, in)
  const sides = spatialAxes(node).map(({ inSide, k, s }, a) => {
    const outSide = node.outShape[a];
    const [before, after] = convPads(outSide, inSide, k, s, node.padding);
    return { before, after, extra: outSide - (s * (inSide - 1) + k - before - after) };
  });
  const attrs = [
    ints('kernel_shape', node.filter.shape.slice(0, 2)),
    ints('strides', node.strides),
    ints('pads', [sides[0].before, sides[1].before, sides[0].after, sides[1].after]),
    ints('output_padding', [sides[0].extra, sides[1].extra]),
  ];
  const weight = channelsFirstFilter(w, node.filter);
  return inNchw(w, w.name(node.x), (x) => w.node('ConvTranspose', [x, weight], attrs), out);
}

/** Writes one node of the export graph as ONNX nodes; returns the name of its value. */
function writeNode(w: OnnxGraphWriter, node: Node, id: number, out?: string): string | undefined {
  const name = (v: Value) => w.name(v);
  switch (node.op) {
    case 'input':
      return node.name;
    case 'const':
      return undefined; // an initializer, written when a node reads it
    case 'matMul':
      return w.node('MatMul', [name(node.a), name(node.b)], [], out);
    case 'add':
    case 'sub':
    case 'mul':
      return w.node(BINARY[node.op], [name(node.a), name(node.b)], [], out);
    case 'relu':
    case 'tanh':
    case 'sigmoid':
    case 'exp':
      return w.node(UNARY[node.op], [name(node.x)], [], out);
    case 'elu':
      return w.node('Elu', [name(node.x)], [float('alpha', 1)], out);
    case 'leakyRelu':
      return w.node('LeakyRelu', [name(node.x)], [float('alpha', node.alpha)], out);
    case 'conv2d':
      return conv2d(w, node, out);
    case 'conv2dTranspose':
      return conv2dTranspose(w, node, out);
    case 'reshape':
      return w.node('Reshape', [name(node.x), w.ints(`shape_${id}`, [-1, ...node.shape])], [], out);
    case 'concat':
      return w.node('Concat', node.xs.map(name), [int('axis', node.axis)], out);
    case 'slice': {
      const starts = w.ints(`starts_${id}`, [node.begin]);
      const ends = w.ints(`ends_${id}`, [node.begin + node.size]);
      return w.node('Slice', [name(node.x), starts, ends, w.ints(`axes_${id}`, [node.axis])], [], out);
    }
    case 'softmax':
      return w.node('Softmax', [name(node.x)], [int('axis', -1)], out);
    case 'sumLast': {
      // Σ over the last axis as x·1 then Squeeze: onnxruntime's ReduceSum returns an empty input unreduced
      const k = node.x.shape.at(-1) as number;
      const ones = w.initializer(`ones_${id}`, [k, 1], new Float32Array(k).fill(1), 'float');
      const column = w.node('MatMul', [name(node.x), ones]);
      return w.node('Squeeze', [column, w.ints(`axes_${id}`, [-1])], [], out);
    }
    case 'clip': {
      const [min, max] = [w.scalar(`min_${id}`, node.min), w.scalar(`max_${id}`, node.max)];
      return w.node('Clip', [name(node.x), min, max], [], out);
    }
    default: {
      const unsupported: never = node;
      throw new Error(`onnx: no mapping for node ${JSON.stringify(unsupported)}`);
    }
  }
}

function valueInfo(port: GraphPort) {
  const dim = port.value.shape.map((d) => (d === -1 ? { dim_param: 'batch' } : { dim_value: d }));
  const type = { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } };
  return { name: port.name, type, doc_string: port.doc };
}

/** Encodes `graph` as an ONNX model file. */
export function writeOnnx(graph: GraphBuilder, meta: OnnxMeta): Uint8Array {
  const w = new OnnxGraphWriter(graph);
  // a port names the output of the node that computes its value; a port on an input or a constant, or on a
  // value an earlier port already names, is an Identity of it
  const outputOf = new Map<number, string>();
  for (const port of graph.outputs) {
    const op = graph.nodes[port.value.id].op;
    if (op !== 'input' && op !== 'const' && !outputOf.has(port.value.id))
      outputOf.set(port.value.id, port.name);
  }
  graph.nodes.forEach((node, id) => {
    const value = writeNode(w, node, id, outputOf.get(id));
    if (value !== undefined) w.setName(id, value);
  });
  for (const port of graph.outputs) {
    if (w.name(port.value) !== port.name) w.node('Identity', [w.name(port.value)], [], port.name);
  }
  const model = {
    ir_version: IR_VERSION,
    producer_name: 'vaekit',
    producer_version: meta.producerVersion,
    doc_string: meta.doc,
    opset_import: [{ domain: '', version: OPSET }],
    metadata_props: Object.entries(meta.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: sanitise(graph.name),
      node: w.nodes,
      initializer: w.initializers,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
