/** Tokens in the top-p nucleus of one row at temperature `t`, by sorted probability (for bench reports only). */
export function nucleusSize(row: Float32Array, t: number, topP: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const l of row) if (l > max) max = l;
  const p = Float64Array.from(row, (l) => Math.exp((l - max) / t))
    .sort()
    .reverse();
  const total = p.reduce((s, x) => s + x, 0);
  let mass = 0;
  for (let k = 0; k < p.length; k++) {
    mass += p[k]! / total;
    if (mass >= topP) return k + 1;
  }
  return p.length;
}
