import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';

/** Tests of the maths run on the cpu reference backend unless a test asks for another. */
export async function useBackend(name: 'cpu' | 'wasm' = 'cpu'): Promise<void> {
  await initBackend(name);
  tf.engine().startScope();
}
