/**
 * Test helpers: run the same tfjs computation on two backends and compare. Tensors never cross backends here:
 * inputs go in as plain arrays and results come out as plain arrays.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { mulberry32 } from '../../nn/rng';

/** Runs `fn` with `name` as the active backend, returns its plain result, restores the previous backend. */
export async function onBackend<T>(name: 'cpu' | 'wasm', fn: () => T): Promise<T> {
  const previous = tf.getBackend();
  if (!(await tf.setBackend(name))) throw new Error(`test setup: backend ${name} is not available`);
  try {
    return fn();
  } finally {
    if (previous && previous !== name) await tf.setBackend(previous);
  }
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), so failures reproduce. */
export function randomArray(size: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: size }, () => next() * 2 - 1);
}

/** Elementwise |a − b| ≤ atol + rtol·|b|, with the first offending index in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-4, rtol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`index ${i}: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}
