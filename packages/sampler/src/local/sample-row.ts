/**
 * One completion being decoded: its random stream, the tokens and log-probabilities so far, and when it ends (EOS or
 * a stop token id — kept in `tokenIds` but not in `text`; a stop string — cut from `text`; max tokens).
 *
 * For streaming it also hands out the text in pieces: `takeDelta()` returns the text that is safe to show since the
 * last call. Text that could still turn out to be the start of a stop string, or an incomplete UTF-8 character
 * (decoded as U+FFFD), is held back until it is decided, so the pieces always concatenate to the final `text`.
 */
import { chooseToken } from '../logits';
import { createRng, deriveSeed, type Uniform } from '../rng';
import { StopMatcher } from '../stop';
import type { Completion, FinishReason, SamplingParams } from '../types';

export interface RowTokenizer {
  decode(ids: number[]): string;
}

export class SampleRow {
  readonly tokens: number[] = [];
  readonly logprobs: number[] = [];
  finish: FinishReason | null = null;
  readonly #uniform: Uniform;
  readonly #seen: Set<number>;
  readonly #stop: StopMatcher;
  #cutText: string | null = null;
  #emitted = '';

  constructor(
    /** Index of this completion among its request's n (0-based, before `firstSampleIndex`). */
    readonly index: number,
    readonly params: SamplingParams,
    readonly stopIds: ReadonlySet<number>,
    readonly promptTokens: number,
    seed: number,
    sample: number,
    prompt: readonly number[],
  ) {
    this.#uniform = createRng(deriveSeed(seed, sample));
    this.#seen = new Set(params.repetitionPenalty !== 1 ? prompt : []);
    this.#stop = new StopMatcher(params.stop);
  }

  /**
   * Chooses the next token from this row's logits and records whether the row is done. Only ids below `sampleable`
   * are drawn (the rest are vocabulary padding; `chooseToken`).
   */
  step(logits: Float32Array, tokenizer: RowTokenizer, sampleable = logits.length): number {
    const { token, logprob } = chooseToken(logits, this.params, this.#seen, this.#uniform, sampleable);
    this.tokens.push(token);
    this.logprobs.push(logprob);
    if (this.params.repetitionPenalty !== 1) this.#seen.add(token);
    if (this.stopIds.has(token)) this.finish = 'stop';
    else if (this.params.stop.length > 0) {
      const decoded = tokenizer.decode(this.tokens);
      const hit = this.#stop.check(decoded);
      if (hit) {
        this.finish = 'stop';
        this.#cutText = decoded.slice(0, hit.cutAt);
      }
    }
    if (this.finish === null && this.tokens.length >= this.params.maxNewTokens) this.finish = 'length';
    return token;
  }

  /** The completion text: cut before a stop string, without a final EOS / stop token. */
  text(tokenizer: RowTokenizer): string {
    if (this.#cutText !== null) return this.#cutText;
    const last = this.tokens.at(-1);
    const ids =
      this.finish === 'stop' && last !== undefined && this.stopIds.has(last) ? this.tokens.slice(0, -1) : this.tokens;
    return tokenizer.decode(ids);
  }

  /** Text not handed out before that can be shown now (all of the rest once the row is finished). */
  takeDelta(tokenizer: RowTokenizer): string {
    let visible = this.text(tokenizer);
    if (this.finish === null) visible = visible.slice(0, visible.length - this.#heldBack(visible));
    if (!visible.startsWith(this.#emitted)) {
      // The decoded text changed behind what was shown (a tokenizer merging across tokens): hold on until the end,
      // and then hand out whatever follows the shown prefix.
      if (this.finish === null) return '';
      const delta = visible.slice(Math.min(this.#emitted.length, visible.length));
      this.#emitted = visible;
      return delta;
    }
    const delta = visible.slice(this.#emitted.length);
    this.#emitted = visible;
    return delta;
  }

  toCompletion(tokenizer: RowTokenizer): Completion {
    return {
      tokenIds: this.tokens,
      text: this.text(tokenizer),
      logprobs: this.logprobs,
      finishReason: this.finish ?? 'length',
      promptTokens: this.promptTokens,
    };
  }

  /** Characters at the end of `text` that are undecided: a partial stop string or an incomplete character. */
  #heldBack(text: string): number {
    let hold = 0;
    for (const stop of this.params.stop) {
      for (let k = Math.min(stop.length - 1, text.length); k > hold; k--) {
        if (text.endsWith(stop.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    let replacement = 0;
    while (replacement < text.length && text[text.length - 1 - replacement] === '\uFFFD') replacement++;
    return Math.max(hold, replacement);
  }
}
