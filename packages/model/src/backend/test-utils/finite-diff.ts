/**
 * Finite-difference gradient checks for custom ops: the analytic gradient (what the op's gradient function returns)
 * against central differences of the op's *mathematics*, written as a float64 host function — so the check does not
 * trust any tfjs kernel, and rounding in float32 does not drown the difference quotient.
 */
import { expect } from 'vitest';

export interface FiniteDiffOptions {
  /** Step of the central difference. */
  h?: number;
  atol?: number;
  rtol?: number;
}

/**
 * For every element i of every input j: |analytic[j][i] − (L(x + h·e) − L(x − h·e)) / 2h| ≤ atol + rtol·|numeric|,
 * where `loss` maps the (flat, float64) inputs to a scalar.
 */
export function expectMatchesFiniteDifferences(
  loss: (inputs: number[][]) => number,
  inputs: number[][],
  analytic: ArrayLike<number>[],
  { h = 1e-4, atol = 2e-4, rtol = 2e-3 }: FiniteDiffOptions = {},
): void {
  expect(analytic).toHaveLength(inputs.length);
  inputs.forEach((values, which) => {
    expect(analytic[which]!.length, `gradient ${which} length`).toBe(values.length);
    values.forEach((v, i) => {
      const at = (delta: number) => {
        const copy = inputs.map((a) => a.slice());
        copy[which]![i] = v + delta;
        return loss(copy);
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      const got = analytic[which]![i]!;
      if (!(Math.abs(got - numeric) <= atol + rtol * Math.abs(numeric)))
        expect.fail(`input ${which}, element ${i}: analytic ${got}, finite difference ${numeric}`);
    });
  });
}
