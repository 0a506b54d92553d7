/**
 * Choosing the next token from one row of logits: repetition penalty → temperature → top-k → top-p → min-p →
 * renormalise → draw (the order Hugging Face's logits warpers apply them). Plain JS over a Float32Array row; it knows
 * nothing about tensors or tokenizers. Also reports the chosen token's log-probability under the requested
 * {@link LogprobsMode}.
 *
 * Linear time per row, and no full sort of the vocabulary (151,936 entries for Qwen): one pass finds the maximum, one
 * computes the probabilities, the softmax mass and a histogram of the tokens over buckets of their distance from the
 * top logit; the histogram says how many buckets the top-k / top-p / min-p cut can reach, and only those tokens are
 * collected and sorted. Top-p alone (the R1 protocol) skips the histogram: the tokens above a logit floor whose tail
 * cannot hold the mass the cut drops are collected and sorted. Long ranges (a high-entropy row's nucleus) are
 * radix-sorted on their float32 bits. The model's log-normaliser reuses the sampling exp wherever the two exponents
 * are the same number. The result is exactly what sorting the whole vocabulary gives — the same token, the same
 * log-probability, bit for bit (a property test holds it against the old full-sort implementation): the cut is walked
 * in the same rank order with the same floating-point sums, and the walk takes further buckets if the estimate was
 * short. Rows with NaN, +Infinity or nothing finite, and non-finite or non-positive temperatures, take the full sort,
 * which defines their (meaningless but reproducible) result. Scratch buffers are kept between calls.
 *
 * Without a repetition penalty, the passes over the row — the maximum, the softmax (the time of a JS pass is almost
 * all `Math.exp` calls) and the top-p floor's candidates — run in wasm SIMD (`wasm/softmax.ts`), with V8's own exp
 * ported operation for operation, so the numbers are the JS loops' bit for bit; long rows split the softmax's exps
 * over worker threads (`R1_SAMPLER_THREADS`). `R1_SAMPLER_WASM=0` keeps every pass in JS.
 *
 * Padded vocabularies: a real checkpoint's `vocab_size` (Qwen2.5, R1-Distill-Qwen: 151,936) is larger than its
 * tokenizer (151,665–151,669 ids), and the rows past the tokenizer are padding that no text decodes to. With
 * `sampleable` < the row's length, ids ≥ `sampleable` are never drawn: every filter and the draw see only
 * `logits[0, sampleable)`, so the `processed` log-prob is under that masked distribution, while `raw` and
 * `temperature` stay log softmax over the whole row — what a trainer computes from the model's logits.
 */
import type { Uniform } from './rng';
import type { LogprobsMode } from './types';
import { loadRow } from './wasm/softmax';

export interface TokenChoiceParams {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  repetitionPenalty: number;
  logprobsMode: LogprobsMode;
}

export interface TokenChoice {
  token: number;
  logprob: number;
}

/**
 * Buckets of x = (max − logit) · FINE / min(T, 1), i.e. of −log p in units of 1/FINE (in logit units for T ≥ 1):
 * linear below x = FINE, then FINE buckets per doubling of x, and one last bucket from x = 2³¹ (and −Infinity).
 * Any non-decreasing function of (max − logit) would be exact; this one keeps the buckets near a cut small at any
 * temperature.
 */
const FINE_BITS = 6;
const FINE = 1 << FINE_BITS;
const LAST = FINE + (30 - FINE_BITS) * FINE + FINE;

/** The bucket of x ≥ 0; non-decreasing in x. Exported for tests. */
export function bucketOf(x: number): number {
  if (x < FINE) return x | 0;
  if (!(x < 2147483648)) return LAST;
  const ix = x | 0;
  const e = 31 - Math.clz32(ix); // FINE_BITS … 30
  return FINE + ((e - FINE_BITS) << FINE_BITS) + ((ix >>> (e - FINE_BITS)) & (FINE - 1));
}

// Scratch, grown to the largest row seen. chooseToken runs to completion without calling out once it has drawn its
// uniform (first thing), so no call can see another's buffers.
let penalisedBuf = new Float64Array(0);
let probsBuf: Float64Array<ArrayBufferLike> = new Float64Array(0);
let keptBuf = new Int32Array(0);
let keptFlags = new Uint8Array(0);
const bucketMass = new Float64Array(LAST + 1);
const EMPTY_ROW = new Float64Array(0);

/**
 * The rank order — penalised logit descending, token id ascending — materialised a range of buckets at a time:
 * `ids[0, size)` are ranks 0 … size − 1. Tokens of a lower bucket always rank before those of a higher one, so
 * sorting each newly taken range and appending it extends the same order. `counts` is the row's histogram (tokens
 * per bucket of (max − logit) · inv), filled by the caller before `start`. Exported for tests.
 */
export class Ranking {
  readonly counts = new Int32Array(LAST + 1);
  /** Each token's bucket, when the caller filled it with the histogram (`start(…, true)`); saves recomputing them. */
  buckets = new Uint16Array(0);
  ids = new Int32Array(0);
  size = 0;
  #hi = -1;
  #work: ArrayLike<number> = EMPTY_ROW;
  #max = 0;
  #inv = 0;
  #known = false;
  /** Not NaN: the row is ranked by this logit threshold instead of buckets (`startAbove`). */
  #floor = Number.NaN;
  #compare = (a: number, b: number): number => this.#work[b]! - this.#work[a]! || a - b;

  /**
   * Starts a row (no NaN) and takes every bucket up to `through`. `bucketsKnown`: `buckets[i]` already holds token
   * i's bucket, `bucketOf((max − work[i]) · inv)`.
   */
  start(work: ArrayLike<number>, max: number, inv: number, through: number, bucketsKnown = false): void {
    this.#begin(work);
    this.#max = max;
    this.#inv = inv;
    this.#known = bucketsKnown;
    this.#take(through);
  }

  /**
   * Starts a row (no NaN) with every token whose logit is ≥ `floor` — a prefix of the rank order, whatever the
   * floating-point rounding — and takes the rest, in one go, only if a walk asks past them. What a top-p cut needs
   * when the tail below `floor` cannot hold the rest of the mass: no histogram. `above`: those tokens, already
   * collected in id order.
   */
  startAbove(work: ArrayLike<number>, floor: number, above?: Int32Array): void {
    this.#begin(work);
    this.#floor = floor;
    if (above === undefined) this.#takeSplit(true);
    else {
      // Collected by the caller (in id order, as #takeSplit collects them).
      this.ids.set(above);
      this.#sortRange(0, above.length);
      this.size = above.length;
      this.#hi = 0;
    }
  }

  /** Starts a row ranked whole, with exactly the sort the full-sort implementation did (NaN-safe: same result). */
  startFull(work: ArrayLike<number>): void {
    this.#begin(work);
    const order = Array.from({ length: work.length }, (_, i) => i).sort(this.#compare);
    this.ids.set(order);
    this.size = work.length;
    this.#hi = LAST;
  }

  /** Makes rank r available (r < the row's length). */
  ensure(r: number): void {
    while (r >= this.size) {
      if (this.#hi >= LAST) throw new Error(`internal: rank ${r} asked of a row of ${this.size} tokens`);
      if (!Number.isNaN(this.#floor)) {
        this.#takeSplit(false);
        continue;
      }
      // At least double what is there, so a long walk costs O(log V) passes over the row.
      const want = Math.max(r + 1, 2 * this.size);
      let hi = this.#hi;
      let count = this.size;
      while (hi < LAST && count < want) count += this.counts[++hi]!;
      this.#take(hi);
    }
  }

  /** Lets go of the row (it may be a view of a whole batch's logits). */
  end(): void {
    this.#work = EMPTY_ROW;
  }

  #begin(work: ArrayLike<number>): void {
    if (this.ids.length < work.length) this.ids = new Int32Array(work.length);
    this.#work = work;
    this.size = 0;
    this.#hi = -1;
    this.#floor = Number.NaN;
  }

  /** Appends the tokens at or above the floor (`above`), or all the others, in rank order. */
  #takeSplit(above: boolean): void {
    const work = this.#work;
    const { ids } = this;
    const floor = this.#floor;
    const from = this.size;
    let n = from;
    for (let i = 0; i < work.length; i++) if (work[i]! >= floor === above) ids[n++] = i;
    this.#sortRange(from, n);
    this.size = n;
    this.#hi = above ? 0 : LAST;
  }

  /** Sorts `ids[from, to)`, collected in id order, into rank order (a stable sort by logit alone suffices). */
  #sortRange(from: number, to: number): void {
    const work = this.#work;
    if (to - from >= RADIX_MIN && work instanceof Float32Array) radixSortByLogit(this.ids.subarray(from, to), work);
    else this.ids.subarray(from, to).sort(this.#compare);
  }

  /** Appends the tokens of buckets (hi, through], in rank order. */
  #take(through: number): void {
    const lo = this.#hi;
    if (through <= lo) return;
    const work = this.#work;
    const { ids } = this;
    const max = this.#max;
    const inv = this.#inv;
    const from = this.size;
    let n = from;
    if (this.#known) {
      const buckets = this.buckets;
      for (let i = 0; i < work.length; i++) {
        const b = buckets[i]!;
        if (b > lo && b <= through) ids[n++] = i;
      }
    } else {
      for (let i = 0; i < work.length; i++) {
        const b = bucketOf((max - work[i]!) * inv);
        if (b > lo && b <= through) ids[n++] = i;
      }
    }
    this.#sortRange(from, n);
    this.size = n;
    this.#hi = through;
  }
}

/** From this many tokens up, a range is radix-sorted (a comparator sort of 75k tokens took ~28 ms, this ~2 ms). */
export const RADIX_MIN = 512;
let radixIds = new Int32Array(0);
let radixKeys = new Uint32Array(0);
let radixKeys2 = new Uint32Array(0);
const radixCounts = new Int32Array(1 << 16);

/**
 * Sorts `ids` (token ids in ascending order, of a row without NaN) by `row[id]` descending, ties in id order — the
 * order `(a, b) => row[b] − row[a] || a − b` gives (−0 ties +0). A stable LSD radix sort on the float32 bits, mapped
 * to integers that order as the floats do, descending: two 16-bit digits for long ranges, three of 11 otherwise.
 * Exported for tests.
 */
export function radixSortByLogit(ids: Int32Array, row: Float32Array): void {
  const n = ids.length;
  if (radixIds.length < n) {
    radixIds = new Int32Array(n);
    radixKeys = new Uint32Array(n);
    radixKeys2 = new Uint32Array(n);
  }
  const bits = new Uint32Array(row.buffer, row.byteOffset, row.length);
  const keys = radixKeys;
  for (let j = 0; j < n; j++) {
    let u = bits[ids[j]!]!;
    if (u === 0x80000000) u = 0; // −0 ranks as +0
    // Negative floats: larger bits, smaller value — already descending; positive: flip (and keep below 2³¹).
    keys[j] = u >= 0x80000000 ? u : ~u & 0x7fffffff;
  }
  // Ping-pong between (keys, ids) and the scratch pair; a digit all keys share moves nothing and is skipped.
  let inScratch = false;
  const digits = n >= 1 << 15 ? [0, 16, 16, 16] : [0, 11, 11, 11, 22, 10];
  for (let d = 0; d < digits.length; d += 2) {
    const moved = inScratch
      ? radixPass(radixKeys2, radixIds, radixKeys, ids, n, digits[d]!, digits[d + 1]!)
      : radixPass(radixKeys, ids, radixKeys2, radixIds, n, digits[d]!, digits[d + 1]!);
    if (moved) inScratch = !inScratch;
  }
  if (inScratch) ids.set(radixIds.subarray(0, n));
}

/** One stable counting pass on the digit (key >>> shift) & (2^width − 1); false (nothing written) if all share it. */
function radixPass(
  srcKeys: Uint32Array,
  srcIds: Int32Array,
  dstKeys: Uint32Array,
  dstIds: Int32Array,
  n: number,
  shift: number,
  width: number,
): boolean {
  const mask = (1 << width) - 1;
  const counts = radixCounts;
  counts.fill(0, 0, mask + 1);
  for (let j = 0; j < n; j++) counts[(srcKeys[j]! >>> shift) & mask]!++;
  if (counts[(srcKeys[0]! >>> shift) & mask] === n) return false;
  let sum = 0;
  for (let d = 0; d <= mask; d++) {
    const c = counts[d]!;
    counts[d] = sum;
    sum += c;
  }
  for (let j = 0; j < n; j++) {
    const key = srcKeys[j]!;
    const at = counts[(key >>> shift) & mask]!++;
    dstKeys[at] = key;
    dstIds[at] = srcIds[j]!;
  }
  return true;
}

const ranking = new Ranking();

/** log Σ exp(x_i / t) over a row, computed stably. */
function logSumExp(row: ArrayLike<number>, t: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i]! / t > max) max = row[i]! / t;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i]! / t - max);
  return max + Math.log(s);
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** The row with the repetition penalty applied (in float64, in scratch), or the row itself without one. */
function penalise(logits: Float32Array, penalty: number, seen: ReadonlySet<number>): Float32Array | Float64Array {
  if (penalty === 1 || seen.size === 0) return logits;
  const vocab = logits.length;
  if (penalisedBuf.length < vocab) penalisedBuf = new Float64Array(vocab);
  const work = penalisedBuf.subarray(0, vocab);
  work.set(logits);
  for (const id of seen) {
    if (id < 0 || id >= vocab) continue;
    const l = work[id]!;
    work[id] = l > 0 ? l / penalty : l * penalty;
  }
  return work;
}

/**
 * The last bucket the cut can reach, from the histogram: where the count reaches top-k, where the mass reaches top-p
 * (with a margin for summing in a different order), and one non-empty bucket past the last min-p can keep (the walk
 * reads the first token it drops). An estimate only: `Ranking.ensure` takes more if the walk needs them.
 */
function lastBucket(params: TokenChoiceParams, vocab: number, total: number): number {
  const bucketCount = ranking.counts;
  let through = LAST;
  if (params.topK > 0 && params.topK < vocab) {
    let count = 0;
    for (let b = 0; b <= LAST; b++) {
      count += bucketCount[b]!;
      if (count >= params.topK) {
        through = b;
        break;
      }
    }
  }
  if (params.topP < 1) {
    const goal = params.topP * total * (1 + 1e-9);
    let mass = 0;
    for (let b = 0; b < through; b++) {
      mass += bucketMass[b]!;
      if (mass >= goal) {
        through = b;
        break;
      }
    }
  }
  if (params.minP > 0) {
    // Kept: p = exp(−(max − l) / T) ≥ minP, i.e. x ≤ FINE · max(T, 1) · −ln(minP) (plus exp's rounding).
    const x = FINE * Math.max(params.temperature, 1) * (1e-9 - Math.log(params.minP)) * (1 + 1e-9);
    let b = Math.max(0, bucketOf(x)) + 1;
    while (b < LAST && bucketCount[b] === 0) b++;
    through = Math.min(through, b);
  }
  return through;
}

/**
 * A logit floor for a top-p cut: the tokens below it hold at most half of the mass (1 − topP) the cut may drop, so
 * the nucleus lies above it. Each of them has p = exp((l − max) / T) < τ (up to exp's rounding, covered twice over by
 * the factor 4), where τ = (1 − topP) · total / (4 · vocab): together less than half of (1 − topP) · total. An
 * estimate only, like `lastBucket`: a walk that runs past the floor takes the rest of the row.
 */
function topPFloor(params: TokenChoiceParams, vocab: number, total: number, max: number): number {
  const tau = ((1 - params.topP) * total) / (4 * vocab);
  return max + params.temperature * Math.log(tau);
}

/**
 * Pass 2 of `chooseToken` without a penalty or a histogram, in JS: the same sums, in the same order. Exported for the
 * test that holds the wasm kernel to it.
 */
export function softmaxPass(
  row: Float32Array,
  probs: Float64Array,
  max: number,
  t: number,
  tModel: number,
  maxModel: number,
): { total: number; modelSum: number } {
  let total = 0;
  let modelSum = 0;
  for (let i = 0; i < row.length; i++) {
    const l = row[i]!;
    const x = (l - max) / t;
    const p = Math.exp(x);
    probs[i] = p;
    total += p;
    const y = l / tModel - maxModel;
    modelSum += y === x ? p : Math.exp(y);
  }
  return { total, modelSum };
}

/**
 * Picks one token. `seen` holds the token ids the repetition penalty applies to (prompt and generated so far).
 * `uniform` is this completion's own random stream (one draw per call; none when temperature is 0). `sampleable`
 * (default: the whole row) is how many leading ids may be drawn; the rest is vocabulary padding (see the header).
 */
export function chooseToken(
  logits: Float32Array,
  params: TokenChoiceParams,
  seen: ReadonlySet<number>,
  uniform: Uniform,
  sampleable: number = logits.length,
): TokenChoice {
  const full = logits.length;
  if (full === 0) throw new RangeError('chooseToken: the logits row is empty; pass one logit per vocabulary entry');
  if (!Number.isInteger(sampleable) || sampleable < 1 || sampleable > full) {
    throw new RangeError(
      `chooseToken: sampleable must be an integer in [1, ${full}] (the row's length), got ${sampleable}`,
    );
  }
  // The ids that can be drawn; `logits` stays the whole row for the model's own log-normaliser.
  const row = sampleable < full ? logits.subarray(0, sampleable) : logits;
  const vocab = row.length;
  const t = params.temperature;
  const u = t === 0 ? 0 : uniform();
  const work = penalise(row, params.repetitionPenalty, seen);

  if (t === 0) {
    const token = argmax(work);
    const logprob = params.logprobsMode === 'processed' ? 0 : logits[token]! - logSumExp(logits, 1);
    return { token, logprob };
  }

  // Pass 1: the top penalised logit; the top of logits / T' for the model log-prob (T' = 1 for 'raw'). Dividing by
  // T' > 0 is monotonic under rounding, so that top is (the top logit) / T' — no division per token.
  const tModel = params.logprobsMode === 'raw' ? 1 : t;
  // Without a penalty the row's passes run in wasm SIMD (`wasm/softmax.ts`), with the same results bit for bit.
  const wasmRow = work === row ? loadRow(row) : null;
  let max = Number.NEGATIVE_INFINITY;
  let nan = false;
  if (wasmRow !== null) ({ max, nan } = wasmRow.max());
  if (wasmRow === null || max === 0) {
    // (A zero maximum: the JS pass, whose sign of zero is the first one met.)
    max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < vocab; i++) {
      const w = work[i]!;
      if (w > max) max = w;
      else if (Number.isNaN(w)) nan = true;
    }
  }
  let maxModel = Number.NEGATIVE_INFINITY;
  if (tModel > 0 && tModel < Number.POSITIVE_INFINITY) {
    let top = Number.NEGATIVE_INFINITY;
    if (work === row) top = max;
    else for (let i = 0; i < vocab; i++) if (logits[i]! > top) top = logits[i]!;
    for (let i = vocab; i < full; i++) if (logits[i]! > top) top = logits[i]!;
    maxModel = top / tModel;
  } else {
    for (let i = 0; i < full; i++) {
      const q = logits[i]! / tModel;
      if (q > maxModel) maxModel = q;
    }
  }

  const truncating = (params.topK > 0 && params.topK < vocab) || params.topP < 1 || params.minP > 0;
  const degenerate = nan || !(max > Number.NEGATIVE_INFINITY && max < Number.POSITIVE_INFINITY);
  const bucketed = truncating && !degenerate && t > 0 && t < Number.POSITIVE_INFINITY;
  // Top-p alone (the R1 protocol) needs no histogram: see `topPFloor`.
  const topPOnly = bucketed && !(params.topK > 0 && params.topK < vocab) && !(params.minP > 0);
  const histogram = bucketed && !topPOnly;
  const inv = Math.min(FINE / Math.min(t, 1), 1e300);
  const bucketCount = ranking.counts;
  if (histogram) {
    bucketCount.fill(0);
    bucketMass.fill(0);
  }

  // Pass 2: probabilities of the tempered, penalised distribution (unnormalised, max = 1), their sum, the model's
  // log-normaliser, the histogram (and each token's bucket, for the ranking). Where the model's exponent is the same
  // number as the sampling one (T' = T and no penalty: about two tokens in three at T 0.6; every token at T 1), its
  // exp is the one already computed.
  if (probsBuf.length < vocab) probsBuf = new Float64Array(vocab);
  let probs = probsBuf;
  if (histogram && ranking.buckets.length < vocab) ranking.buckets = new Uint16Array(vocab);
  const buckets = ranking.buckets;
  const wantModel = params.logprobsMode !== 'processed';
  let total = 0;
  let modelSum = 0;
  const wasm = wasmRow !== null && !histogram ? wasmRow.softmax(max, t, tModel, maxModel, wantModel) : null;
  if (wasm !== null) {
    // No penalty, no histogram (the R1 protocol's case): the same pass in wasm SIMD.
    probs = wasm.probs;
    total = wasm.total;
    modelSum = wasm.modelSum;
  } else if (wantModel && !histogram && work === row) {
    // The same case in JS, in a loop of its own: ~10% faster than the general one below.
    const softmax = softmaxPass(row, probs, max, t, tModel, maxModel);
    total = softmax.total;
    modelSum = softmax.modelSum;
  } else {
    for (let i = 0; i < vocab; i++) {
      const w = work[i]!;
      const x = (w - max) / t;
      const p = Math.exp(x);
      probs[i] = p;
      total += p;
      if (wantModel) {
        const y = logits[i]! / tModel - maxModel;
        modelSum += y === x ? p : Math.exp(y);
      }
      if (histogram) {
        const b = bucketOf((max - w) * inv);
        buckets[i] = b;
        bucketCount[b]!++;
        bucketMass[b]! += p;
      }
    }
  }
  // Padding ids count in the model's distribution (summed after the rest: the same order as an unpadded row).
  if (wantModel) for (let i = vocab; i < full; i++) modelSum += Math.exp(logits[i]! / tModel - maxModel);
  const modelLogNorm = maxModel === Number.NEGATIVE_INFINITY ? maxModel : maxModel + Math.log(modelSum);

  let token = -1;
  if (truncating) {
    // Ranked by the (penalised) logits, not the probabilities: exp() rounds logits a hair apart (or a denormal
    // apart) to the same probability, and top-k must still keep the larger one, as torch.topk on logits does.
    if (topPOnly) {
      const floor = topPFloor(params, vocab, total, max);
      ranking.startAbove(work, floor, wasmRow?.atLeast(floor));
    } else if (bucketed) ranking.start(work, max, inv, lastBucket(params, vocab, total), true);
    else ranking.startFull(work);
    const ids = ranking.ids;
    let keep = vocab;
    if (params.topK > 0) keep = Math.min(keep, params.topK);
    // Σ probs over ranks [0, keep) in rank order, when the top-p walk has summed exactly those (NaN: not known).
    let keptMass = Number.NaN;
    if (params.topP < 1) {
      // Smallest prefix whose mass reaches topP (always at least one token).
      let mass = 0;
      let sum = 0;
      for (let r = 0; r < keep; r++) {
        ranking.ensure(r);
        const p = probs[ids[r]!]!;
        mass += p / total;
        sum += p;
        if (mass >= params.topP) {
          keep = r + 1;
          break;
        }
      }
      keptMass = sum;
    }
    if (params.minP > 0) {
      ranking.ensure(0);
      const floor = params.minP * probs[ids[0]!]!;
      let r = 1;
      for (; r < keep; r++) {
        ranking.ensure(r);
        if (!(probs[ids[r]!]! >= floor)) break;
      }
      keep = r;
    }
    ranking.ensure(keep - 1);
    if (params.minP > 0 || Number.isNaN(keptMass)) {
      total = 0;
      for (let r = 0; r < keep; r++) total += probs[ids[r]!]!;
    } else total = keptMass;

    // The draw walks the kept tokens in id order, as a walk over the whole row skipping dropped tokens does: a few
    // sorted, many marked and the row walked.
    const target = u * total;
    let acc = 0;
    if (keep > vocab >>> 5) {
      if (keptFlags.length < vocab) keptFlags = new Uint8Array(vocab);
      const flags = keptFlags;
      flags.fill(0, 0, vocab);
      for (let r = 0; r < keep; r++) flags[ids[r]!] = 1;
      for (let i = 0; i < vocab; i++) {
        if (flags[i] === 0 || probs[i]! === 0) continue;
        acc += probs[i]!;
        token = i;
        if (acc > target) break;
      }
    } else {
      if (keptBuf.length < vocab) keptBuf = new Int32Array(vocab);
      const kept = keptBuf.subarray(0, keep);
      kept.set(ids.subarray(0, keep));
      kept.sort();
      for (let j = 0; j < keep; j++) {
        const i = kept[j]!;
        if (probs[i]! === 0) continue;
        acc += probs[i]!;
        token = i;
        if (acc > target) break;
      }
    }
    ranking.end();
  } else {
    const target = u * total;
    let acc = 0;
    for (let i = 0; i < vocab; i++) {
      if (probs[i]! === 0) continue;
      acc += probs[i]!;
      token = i;
      if (acc > target) break;
    }
  }

  let logprob: number;
  switch (params.logprobsMode) {
    case 'raw':
    case 'temperature':
      logprob = logits[token]! / tModel - modelLogNorm;
      break;
    case 'processed':
      logprob = Math.log(probs[token]! / total);
      break;
    default: {
      const never: never = params.logprobsMode;
      throw new Error(`unknown logprobsMode ${String(never)}`);
    }
  }
  return { token, logprob };
}
