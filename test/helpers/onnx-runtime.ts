import * as ort from 'onnxruntime-web';

// In Node, `onnxruntime-web` resolves to its node build, whose wasm backend loads the .wasm from the
// package itself (nothing is fetched). One thread: no worker threads, the same summation order every run.
ort.env.wasm.numThreads = 1;

export interface OnnxTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** An onnxruntime-web session (wasm backend) on the bytes of an ONNX model. */
export function onnxSession(model: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
}

/** Runs a session on float32 feeds; returns every output as float32 data and its dims. */
export async function runOnnx(
  session: ort.InferenceSession,
  feeds: Record<string, OnnxTensor>,
): Promise<Record<string, OnnxTensor>> {
  const inputs = Object.fromEntries(
    Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.dims)]),
  );
  const results = await session.run(inputs);
  return Object.fromEntries(
    Object.entries(results).map(([name, t]) => [name, { data: t.data as Float32Array, dims: t.dims }]),
  );
}
