/**
 * pass@k and mean@k. pass@k is the unbiased estimator of Chen et al. 2021 (Codex): with n samples of which c are
 * correct, pass@k = 1 − C(n−c, k) / C(n, k), computed as 1 − Π_{i=n−c+1..n} (1 − k / i), which never forms the huge
 * binomials. The R1 paper's pass@1 is mean@k: the mean correctness over the k samples of a problem.
 */

/** Unbiased pass@k for one problem with `n` samples, `c` of them correct. */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k)) {
    throw new Error(`passAtK(n=${n}, c=${c}, k=${k}): n, c and k must be integers`);
  }
  if (n < 1 || c < 0 || c > n) throw new Error(`passAtK(n=${n}, c=${c}, k=${k}): need n ≥ 1 and 0 ≤ c ≤ n`);
  if (k < 1 || k > n) throw new Error(`passAtK(n=${n}, c=${c}, k=${k}): need 1 ≤ k ≤ n (draw at most the n samples)`);
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}

/** Mean correctness over a problem's samples (the paper's pass@1 with k samples). NaN-free: needs ≥ 1 sample. */
export function meanAtK(correct: readonly boolean[]): number {
  if (correct.length === 0) throw new Error('meanAtK: a problem needs at least one sample');
  let c = 0;
  for (const x of correct) if (x) c++;
  return c / correct.length;
}

/**
 * The k values pass@k is reported for with `n` samples per problem: 1, 2, 4, … up to n, and n itself.
 *
 * @example passAtKGrid(16) // [1, 2, 4, 8, 16];  passAtKGrid(6) // [1, 2, 4, 6]
 */
export function passAtKGrid(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`passAtKGrid(${n}): n must be an integer ≥ 1`);
  const ks: number[] = [];
  for (let x = 1; x <= n; x *= 2) ks.push(x);
  if (ks.at(-1) !== n) ks.push(n);
  return ks;
}
