/**
 * The implementation of `chooseToken` before issue 17 (a full sort of the vocabulary), kept verbatim as the
 * reference: the linear-time chooseToken must pick the same token with the same log-probability for the same logits,
 * params and draw (logits.test.ts property-tests it; logits.bench.ts times both and checks they agree).
 */
import type { TokenChoice, TokenChoiceParams } from '../logits';
import type { Uniform } from '../rng';

function refLogSumExp(row: ArrayLike<number>, t: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i]! / t > max) max = row[i]! / t;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i]! / t - max);
  return max + Math.log(s);
}

function refArgmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

export function chooseTokenBySort(
  logits: Float32Array,
  params: TokenChoiceParams,
  seen: ReadonlySet<number>,
  uniform: Uniform,
): TokenChoice {
  const vocab = logits.length;
  let work: Float32Array | Float64Array = logits;
  if (params.repetitionPenalty !== 1 && seen.size > 0) {
    work = Float64Array.from(logits);
    for (const id of seen) {
      if (id < 0 || id >= vocab) continue;
      const l = work[id]!;
      work[id] = l > 0 ? l / params.repetitionPenalty : l * params.repetitionPenalty;
    }
  }
  const modelLogprob = (token: number, t: number): number => logits[token]! / t - refLogSumExp(logits, t);
  if (params.temperature === 0) {
    const token = refArgmax(work);
    const logprob = params.logprobsMode === 'processed' ? 0 : modelLogprob(token, 1);
    return { token, logprob };
  }
  const t = params.temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < vocab; i++) if (work[i]! > max) max = work[i]!;
  const probs = new Float64Array(vocab);
  let total = 0;
  for (let i = 0; i < vocab; i++) {
    const p = Math.exp((work[i]! - max) / t);
    probs[i] = p;
    total += p;
  }
  const truncating = (params.topK > 0 && params.topK < vocab) || params.topP < 1 || params.minP > 0;
  if (truncating) {
    const order = Array.from({ length: vocab }, (_, i) => i).sort((a, b) => work[b]! - work[a]! || a - b);
    let keep = vocab;
    if (params.topK > 0) keep = Math.min(keep, params.topK);
    if (params.topP < 1) {
      let mass = 0;
      for (let r = 0; r < keep; r++) {
        mass += probs[order[r]!]! / total;
        if (mass >= params.topP) {
          keep = r + 1;
          break;
        }
      }
    }
    if (params.minP > 0) {
      const floor = params.minP * probs[order[0]!]!;
      let r = 1;
      while (r < keep && probs[order[r]!]! >= floor) r++;
      keep = r;
    }
    for (let r = keep; r < vocab; r++) probs[order[r]!] = 0;
    total = 0;
    for (let r = 0; r < keep; r++) total += probs[order[r]!]!;
  }
  const target = uniform() * total;
  let acc = 0;
  let token = -1;
  for (let i = 0; i < vocab; i++) {
    if (probs[i]! === 0) continue;
    acc += probs[i]!;
    token = i;
    if (acc > target) break;
  }
  let logprob: number;
  switch (params.logprobsMode) {
    case 'raw':
      logprob = modelLogprob(token, 1);
      break;
    case 'temperature':
      logprob = modelLogprob(token, t);
      break;
    case 'processed':
      logprob = Math.log(probs[token]! / total);
      break;
    default:
      throw new Error('unknown logprobsMode');
  }
  return { token, logprob };
}
