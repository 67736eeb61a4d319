/**
 * Writes an export graph as a TensorFlow.js graph model: the model.json and weights.bin that
 * `tf.loadGraphModel` reads, the format tensorflowjs_converter writes for a TensorFlow SavedModel. The
 * topology is a TensorFlow GraphDef in proto3 JSON (int64 values as strings, strings base64, enums by
 * name), with only ops the tfjs-converter executor runs; every constant, the int32 shapes and axes
 * included, is a Const node whose value is the weights.bin entry of the same name. Plain @tensorflow/tfjs
 * runs the result: nothing of vaekit is needed to use it.
 */
import type { GraphBuilder, Node, Padding } from './graph.js';

type AttrValue = Record<string, unknown>;

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr: Record<string, AttrValue>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

const FLOAT: AttrValue = { type: 'DT_FLOAT' };
const INT32: AttrValue = { type: 'DT_INT32' };
const T = { T: FLOAT };

/** AttrValue encodings as in the converter's JSON (int64 values are strings there). */
const int = (i: number): AttrValue => ({ i: String(i) });
const ints = (xs: readonly number[]): AttrValue => ({ list: { i: xs.map(String) } });
const bool = (b: boolean): AttrValue => ({ b });
const str = (s: string): AttrValue => ({ s: btoa(s) });
const shapeProto = (shape: readonly number[]) =>
  shape.length ? { dim: shape.map((d) => ({ size: String(d) })) } : {};

const UNARY = { relu: 'Relu', elu: 'Elu', tanh: 'Tanh', sigmoid: 'Sigmoid', exp: 'Exp' } as const;
const BINARY = { add: 'AddV2', sub: 'Sub', mul: 'Mul' } as const;

/** tfjs reads `signature` and `structuredOutputKeys` in userDefinedMetadata in place of the model's own. */
const RESERVED_METADATA = ['signature', 'structuredOutputKeys'];

/** A TensorFlow node name: [A-Za-z0-9.][A-Za-z0-9_.\-/]* (a ':' would read as an output index). */
function nodeName(name: string): string {
  const n = name.replace(/[^A-Za-z0-9_.\-/]/g, '_');
  return /^[A-Za-z0-9.]/.test(n) ? n : `n${n}`;
}

/**
 * An export graph as a TensorFlow.js graph model: `modelJson` is model.json (a TF GraphDef in JSON, a signature
 * naming the ports, `metadata` as userDefinedMetadata) and `weights` the weights.bin it names, for
 * `tf.loadGraphModel` in plain `@tensorflow/tfjs`. Conv transposes take their batch from the input (dynamic).
 */
export function writeTfjsGraph(
  graph: GraphBuilder,
  meta: { producerVersion: string; metadata: Record<string, unknown> },
): { modelJson: Record<string, unknown>; weights: Uint8Array } {
  for (const key of RESERVED_METADATA) {
    if (key in meta.metadata)
      throw new Error(`tfjs graph: metadata may not have a '${key}' key (tfjs reads it)`);
  }
  const nodes: TfNode[] = [];
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  const used = new Set<string>();
  const unique = (name: string) => {
    const base = nodeName(name);
    let n = base;
    for (let i = 1; used.has(n); i++) n = `${base}_${i}`;
    used.add(n);
    return n;
  };
  // the ports' nodes take their names first, so that model.json reads like the graph
  const portNodes = new Map([...graph.inputs, ...graph.outputs].map((p) => [p, unique(p.name)]));
  const inputNode = new Map(graph.inputs.map((p) => [p.name, portNodes.get(p)!]));

  const emit = (name: string, op: string, input: string[], attr: Record<string, AttrValue>) => {
    nodes.push(input.length ? { name, op, input, attr } : { name, op, attr });
    return name;
  };
  const constant = (name: string, shape: readonly number[], data: Float32Array | Int32Array) => {
    const dtype = data instanceof Float32Array ? 'float32' : 'int32';
    const type = dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
    const n = unique(name);
    // the converter leaves the tensor's dtype and shape in the node and moves its values to the weights
    emit(n, 'Const', [], {
      dtype: { type },
      value: { tensor: { dtype: type, tensorShape: shapeProto(shape) } },
    });
    specs.push({ name: n, shape: [...shape], dtype });
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return n;
  };
  // int32 constants (shapes, axes, slice bounds) are shared by value
  const intConsts = new Map<string, string>();
  const int32 = (values: number[], scalar = false) => {
    const key = `${scalar ? 's' : 'v'}${values}`;
    let n = intConsts.get(key);
    if (!n) {
      n = constant(
        scalar ? 'int32_scalar' : 'int32_vector',
        scalar ? [] : [values.length],
        Int32Array.from(values),
      );
      intConsts.set(key, n);
    }
    return n;
  };
  const float32 = (value: number) => constant('float32_scalar', [], Float32Array.of(value));

  const names: string[] = [];
  const rank = (v: { shape: readonly number[] }) => v.shape.length;
  const conv = (strides: [number, number], padding: Padding) => ({
    ...T,
    strides: ints([1, strides[0], strides[1], 1]),
    padding: str(padding.toUpperCase()),
    data_format: str('NHWC'),
    dilations: ints([1, 1, 1, 1]),
  });
  /**
   * Conv2DBackpropInput takes its output shape as a tensor, so the batch in it must be the batch of x at
   * run time: [shape(x)[0:1], h, w, c].
   */
  const outputShape = (x: string, outShape: [number, number, number], id: number) => {
    const shape = emit(unique(`Shape_${id}`), 'Shape', [x], { ...T, out_type: INT32 });
    const masks = { begin_mask: int(0), end_mask: int(0), ellipsis_mask: int(0), new_axis_mask: int(0) };
    const batch = emit(
      unique(`StridedSlice_${id}`),
      'StridedSlice',
      [shape, int32([0]), int32([1]), int32([1])],
      {
        T: INT32,
        Index: INT32,
        ...masks,
        shrink_axis_mask: int(0),
      },
    );
    return emit(unique(`ConcatV2_${id}`), 'ConcatV2', [batch, int32(outShape), int32([0], true)], {
      T: INT32,
      N: int(2),
      Tidx: INT32,
    });
  };

  const write = (node: Node, id: number): string => {
    const op = (tfOp: string, input: string[], attr: Record<string, AttrValue>) =>
      emit(unique(`${tfOp}_${id}`), tfOp, input, attr);
    switch (node.op) {
      case 'input': {
        const n = inputNode.get(node.name)!;
        return emit(n, 'Placeholder', [], { dtype: FLOAT, shape: { shape: shapeProto(node.shape) } });
      }
      case 'const':
        return constant(node.name, node.shape, node.data);
      case 'matMul':
        return op('MatMul', [names[node.a.id], names[node.b.id]], {
          ...T,
          transpose_a: bool(false),
          transpose_b: bool(false),
        });
      case 'add':
      case 'sub':
      case 'mul':
        return op(BINARY[node.op], [names[node.a.id], names[node.b.id]], T);
      case 'relu':
      case 'elu':
      case 'tanh':
      case 'sigmoid':
      case 'exp':
        return op(UNARY[node.op], [names[node.x.id]], T);
      case 'leakyRelu':
        return op('LeakyRelu', [names[node.x.id]], { ...T, alpha: { f: node.alpha } });
      case 'conv2d':
        return op('Conv2D', [names[node.x.id], names[node.filter.id]], {
          ...conv(node.strides, node.padding),
          use_cudnn_on_gpu: bool(true),
        });
      case 'conv2dTranspose': {
        const shape = outputShape(names[node.x.id], node.outShape, id);
        return op(
          'Conv2DBackpropInput',
          [shape, names[node.filter.id], names[node.x.id]],
          conv(node.strides, node.padding),
        );
      }
      case 'reshape':
        return op('Reshape', [names[node.x.id], int32([-1, ...node.shape])], { ...T, Tshape: INT32 });
      case 'concat':
        // N matters: tfjs concatenates only the first N inputs (2 when N is missing)
        return op('ConcatV2', [...node.xs.map((x) => names[x.id]), int32([node.axis], true)], {
          ...T,
          N: int(node.xs.length),
          Tidx: INT32,
        });
      case 'slice': {
        const begin = node.x.shape.map((_, i) => (i === node.axis ? node.begin : 0));
        const size = node.x.shape.map((_, i) => (i === node.axis ? node.size : -1));
        return op('Slice', [names[node.x.id], int32(begin), int32(size)], { ...T, Index: INT32 });
      }
      case 'softmax':
        return op('Softmax', [names[node.x.id]], T);
      case 'sumLast':
        return op('Sum', [names[node.x.id], int32([rank(node.x) - 1])], {
          ...T,
          Tidx: INT32,
          keep_dims: bool(false),
        });
      case 'clip':
        return op('ClipByValue', [names[node.x.id], float32(node.min), float32(node.max)], T);
    }
  };
  for (const [id, node] of graph.nodes.entries()) names.push(write(node, id));
  for (const port of graph.outputs) emit(portNodes.get(port)!, 'Identity', [names[port.value.id]], T);

  const tensorInfo = (node: string, shape: readonly number[]) => ({
    name: `${node}:0`,
    dtype: 'DT_FLOAT',
    tensorShape: shapeProto(shape),
  });
  const signature = (ports: GraphBuilder['inputs']) =>
    Object.fromEntries(ports.map((p) => [p.name, tensorInfo(portNodes.get(p)!, p.value.shape)]));

  const weights = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    weights.set(c, offset);
    offset += c.byteLength;
  }
  const by = `vaekit ${meta.producerVersion}`;
  return {
    modelJson: {
      format: 'graph-model',
      generatedBy: by,
      convertedBy: by,
      // versions: tfjs reads them only into model.modelVersion
      modelTopology: { node: nodes, library: {}, versions: { producer: 1, minConsumer: 0 } },
      weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
      // execute/predict map these keys (the graph's port names) to the tensors named here
      signature: { inputs: signature(graph.inputs), outputs: signature(graph.outputs) },
      userDefinedMetadata: meta.metadata,
    },
    weights,
  };
}
