/**
 * Child-process script for init-backend.test.ts: initialises wasm with 2 threads, runs a matmul big enough to wake
 * the thread pool, prints the info as JSON, and then simply ends — no process.exit. The test asserts the process
 * exits on its own, i.e. no worker thread keeps the event loop alive.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../init-backend';

const info = await initBackend('wasm', { threads: 2, log: () => {} });
const a = tf.ones([256, 256]);
const sum = tf.sum(tf.matMul(a, a, false, true)).dataSync()[0];
process.stdout.write(`${JSON.stringify({ ...info, sum })}\n`);
