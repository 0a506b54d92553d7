/**
 * A trained reward model as a batched scoring function for a trainer: `(prompts, completions) → rewards`, one per
 * pair, where each prompt is the text the policy was fed (already rendered) and each completion what it wrote. The
 * text is encoded exactly as in training (encode.ts): prompt + the scored part (`summary` or `full`). A text longer
 * than `maxLength` keeps its last `maxLength` tokens (the end is what the model reads). Preference models give the
 * raw reward; pointwise classifiers σ(logit), the probability that the reply is good (safe). It never routes or
 * returns null: which prompts a reward covers is the trainer's decision.
 */
import { loadTokenizer, type Tokenizer } from '@r1/model';
import { encodeScored } from './encode';
import type { RewardModel } from './reward-model';
import { loadRewardModel, type RewardModelKind, readRewardModelSettings } from './reward-model-io';
import { scoreRows } from './reward-train';
import { checkScoreMode, type ScoreMode } from './scored-text';

export interface RewardModelScorerOptions {
  /** What is scored; default the model's `reward_model.json` (else 'full'). */
  score?: ScoreMode;
  /** Rows per forward. Default 16. */
  batchSize?: number;
  /** Most tokens per scored text. Default the training `max_length` (else 1024). */
  maxLength?: number;
  /** 'raw' (the head's output) or 'probability' (σ of it). Default: raw for preference, probability for pointwise. */
  output?: 'raw' | 'probability';
}

/** A batched scoring function plus what it is. Call `dispose()` when done. */
export interface RewardModelScorer {
  (prompts: readonly string[], completions: readonly string[]): Promise<number[]>;
  readonly kind: RewardModelKind;
  readonly score: ScoreMode;
  readonly model: RewardModel;
  readonly tokenizer: Tokenizer;
  dispose(): void;
}

/** The scorer over an already-loaded model and tokenizer (the model stays the caller's unless `dispose` is called). */
export function rewardModelScorer(
  model: RewardModel,
  tokenizer: Tokenizer,
  options: Required<Omit<RewardModelScorerOptions, 'output'>> & {
    kind: RewardModelKind;
    output?: 'raw' | 'probability';
  },
): RewardModelScorer {
  const { score, batchSize, maxLength, kind } = options;
  const output = options.output ?? (kind === 'pointwise' ? 'probability' : 'raw');
  const padId = tokenizer.padTokenId ?? tokenizer.eosTokenId;
  const fn = async (prompts: readonly string[], completions: readonly string[]): Promise<number[]> => {
    if (prompts.length !== completions.length) {
      throw new Error(
        `reward model scorer: ${prompts.length} prompts but ${completions.length} completions; pass one prompt per completion`,
      );
    }
    const rows = prompts.map((p, i) => {
      const ids = encodeScored(tokenizer, p, completions[i]!, score);
      if (ids.length === 0) return [padId];
      return ids.length > maxLength ? ids.slice(ids.length - maxLength) : ids;
    });
    const raw = scoreRows(model, rows, batchSize, padId);
    return Array.from(raw, (r) => (output === 'probability' ? 1 / (1 + Math.exp(-r)) : r));
  };
  return Object.assign(fn, { kind, score, model, tokenizer, dispose: () => model.dispose() });
}

/**
 * Loads a reward-model directory (OUT/final of runRewardModelTraining) as a scorer.
 * @example
 * ```ts
 * const helpful = await createRewardModelScorer('runs/rm/final', { score: 'summary' });
 * const rewards = await helpful(prompts, completions); // number[]
 * helpful.dispose();
 * ```
 */
export async function createRewardModelScorer(
  dir: string,
  options: RewardModelScorerOptions = {},
): Promise<RewardModelScorer> {
  const settings = await readRewardModelSettings(dir);
  const score = checkScoreMode(options.score ?? settings?.score ?? 'full', `createRewardModelScorer(${dir})`);
  const batchSize = options.batchSize ?? 16;
  const maxLength = options.maxLength ?? settings?.max_length ?? 1024;
  if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(maxLength) || maxLength < 1) {
    throw new Error(
      `createRewardModelScorer: batchSize and maxLength must be integers ≥ 1 (got ${batchSize}, ${maxLength})`,
    );
  }
  const tokenizer = await loadTokenizer(dir);
  const model = await loadRewardModel(dir);
  return rewardModelScorer(model, tokenizer, {
    score,
    batchSize,
    maxLength,
    kind: settings?.kind ?? 'preference',
    ...(options.output ? { output: options.output } : {}),
  });
}
