import * as tf from '@tensorflow/tfjs';
import type { GraphBuilder, Node, Value } from './graph.js';

/** The tfjs op of each elementwise node. */
const UNARY = { relu: tf.relu, elu: tf.elu, tanh: tf.tanh, sigmoid: tf.sigmoid, exp: tf.exp } as const;
const BINARY = { add: tf.add, sub: tf.sub, mul: tf.mul } as const;

/**
 * Runs an export graph with tfjs ops, node by node: the reference that says what the graph means. The
 * export command checks a model's graph against the model with it before writing anything, and the
 * writers' tests check the ONNX and TensorFlow.js files against it.
 */
export function runGraph(graph: GraphBuilder, feeds: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const values: tf.Tensor[] = [];
    const at = (v: Value) => values[v.id];
    const evaluate = (node: Node): tf.Tensor => {
      switch (node.op) {
        case 'input': {
          const t = feeds[node.name];
          if (!t) throw new Error(`export graph: no value fed for input ${node.name}`);
          return t;
        }
        case 'const':
          return tf.tensor(node.data, [...node.shape]);
        case 'matMul':
          return tf.matMul(at(node.a) as tf.Tensor2D, at(node.b) as tf.Tensor2D);
        case 'add':
        case 'sub':
        case 'mul':
          return BINARY[node.op](at(node.a), at(node.b));
        case 'relu':
        case 'elu':
        case 'tanh':
        case 'sigmoid':
        case 'exp':
          return UNARY[node.op](at(node.x));
        case 'leakyRelu':
          return tf.leakyRelu(at(node.x), node.alpha);
        case 'conv2d':
          return tf.conv2d(
            at(node.x) as tf.Tensor4D,
            at(node.filter) as tf.Tensor4D,
            node.strides,
            node.padding,
          );
        case 'conv2dTranspose': {
          const x = at(node.x) as tf.Tensor4D;
          const shape: [number, number, number, number] = [x.shape[0], ...node.outShape];
          return tf.conv2dTranspose(x, at(node.filter) as tf.Tensor4D, shape, node.strides, node.padding);
        }
        case 'reshape':
          return at(node.x).reshape([-1, ...node.shape]);
        case 'concat':
          return tf.concat(node.xs.map(at), node.axis);
        case 'slice': {
          const x = at(node.x);
          const begin = x.shape.map((_, i) => (i === node.axis ? node.begin : 0));
          const size = x.shape.map((_, i) => (i === node.axis ? node.size : -1));
          return tf.slice(x, begin, size);
        }
        case 'softmax':
          return tf.softmax(at(node.x));
        case 'sumLast':
          return tf.sum(at(node.x), -1);
        case 'clip':
          return tf.clipByValue(at(node.x), node.min, node.max);
      }
    };
    for (const node of graph.nodes) values.push(evaluate(node));
    return Object.fromEntries(graph.outputs.map((o) => [o.name, at(o.value)]));
  });
}
