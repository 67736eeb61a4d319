import type * as tf from '@tensorflow/tfjs';
import type { GraphBuilder, Value } from './graph.js';

type Config = Record<string, unknown>;

/** A layer's weights by their short name (kernel, bias, gamma, beta, moving_mean, moving_variance). */
function weightsOf(layer: tf.layers.Layer): Map<string, { data: Float32Array; shape: number[] }> {
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const w of layer.weights) {
    const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    out.set(short, { data: w.read().dataSync() as Float32Array, shape: w.shape as number[] });
  }
  return out;
}

function weight(g: GraphBuilder, layer: tf.layers.Layer, short: string): Value {
  const w = weightsOf(layer).get(short);
  if (!w) throw new Error(`export: layer ${layer.name} has no weight ${short}`);
  return g.constant(`${layer.name}_${short}`, w.data, w.shape);
}

/** An activation function by its tfjs name. */
export function activate(g: GraphBuilder, x: Value, name: string, where: string): Value {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
    case 'elu':
    case 'tanh':
    case 'sigmoid':
      return g.unary(name, x);
    case 'swish':
      return g.swish(x);
    default:
      throw new Error(`export: ${where} uses the activation ${name}, which vaekit cannot export`);
  }
}

/** x + bias, when the layer has one. */
function withBias(g: GraphBuilder, layer: tf.layers.Layer, c: Config, x: Value): Value {
  return c.useBias === false ? x : g.add2(x, weight(g, layer, 'bias'));
}

/**
 * One tfjs layer in inference mode as export-graph nodes. Batch norm uses its moving statistics, folded into
 * one scale and shift per channel: y = γ(x − m)/√(v + ε) + β = x·s + (β − m·s), s = γ/√(v + ε).
 */
export function lowerLayer(g: GraphBuilder, layer: tf.layers.Layer, x: Value): Value {
  const c = layer.getConfig() as Config;
  const name = layer.getClassName();
  switch (name) {
    case 'InputLayer':
      return x;
    case 'Flatten':
      return g.reshape(x, [x.shape.slice(1).reduce((a, b) => a * b, 1)]);
    case 'Reshape':
      return g.reshape(x, c.targetShape as number[]);
    case 'Dense':
      return activate(
        g,
        withBias(g, layer, c, g.matMul(x, weight(g, layer, 'kernel'))),
        String(c.activation),
        layer.name,
      );
    case 'Conv2D':
    case 'Conv2DTranspose': {
      const dilation = [c.dilationRate ?? 1].flat() as number[];
      if (c.dataFormat !== 'channelsLast' || dilation.some((d) => d !== 1)) {
        throw new Error(`export: ${layer.name} is not a channels-last, undilated convolution`);
      }
      const strides = c.strides as [number, number];
      const padding = c.padding as 'same' | 'valid';
      const kernel = weight(g, layer, 'kernel');
      const out =
        name === 'Conv2D'
          ? g.conv2d(x, kernel, strides, padding)
          : g.conv2dTranspose(
              x,
              kernel,
              strides,
              padding,
              (layer.outputShape as number[]).slice(1) as [number, number, number],
            );
      return activate(g, withBias(g, layer, c, out), String(c.activation), layer.name);
    }
    case 'Activation':
      return activate(g, x, String(c.activation), layer.name);
    case 'ReLU':
      if (c.maxValue != null) throw new Error(`export: ${layer.name} is a capped ReLU`);
      return g.unary('relu', x);
    case 'LeakyReLU':
      return g.leakyRelu(x, Number(c.alpha));
    case 'BatchNormalization': {
      const axis = [c.axis].flat()[0] as number;
      if (axis !== -1 && axis !== x.shape.length - 1)
        throw new Error(`export: ${layer.name} normalises axis ${axis}`);
      const w = weightsOf(layer);
      const mean = w.get('moving_mean')?.data as Float32Array;
      const variance = w.get('moving_variance')?.data as Float32Array;
      const gamma = w.get('gamma')?.data;
      const beta = w.get('beta')?.data;
      const eps = Number(c.epsilon);
      const scale = mean.map((_, i) => (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps));
      const shift = mean.map((m, i) => (beta ? beta[i] : 0) - m * scale[i]);
      const scaled = g.mul(x, g.constant(`${layer.name}_scale`, scale, [scale.length]));
      return g.add2(scaled, g.constant(`${layer.name}_shift`, shift, [shift.length]));
    }
    default:
      throw new Error(`export: ${layer.name} is a ${name} layer, which vaekit cannot export`);
  }
}

/** A tfjs Sequential model's layers applied in turn to x. */
export function lowerSequential(g: GraphBuilder, model: tf.Sequential, x: Value): Value {
  return model.layers.reduce((h, layer) => lowerLayer(g, layer, h), x);
}
