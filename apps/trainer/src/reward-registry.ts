/**
 * Maps the reward names a GRPO config lists (`rewardFuncs`, TRL's `reward_funcs`) to the reward functions of
 * @r1/rewards (and `code`: @r1/sandbox's judge, asynchronous), and combines them with their weights into one group
 * scorer.
 */

import type { MultiObjectiveAggregation } from '@r1/grpo-core';
import { createRewardModelScorer, type ScoreMode } from '@r1/reward-model';
import {
  accuracyReward,
  type CombinedReward,
  combineGroupRewards,
  cosineScaledReward,
  countdownReward,
  createCountdownReward,
  createFormatReward,
  createLanguageConsistencyReward,
  formatReward,
  type GroupRewardComponent,
  languageConsistencyReward,
  lengthReward,
  type NullPolicy,
  normalizeThenSum,
  type RewardComponent,
  type RewardFn,
  reasoningStepsReward,
  repetitionPenalty,
  type Sample,
  tagCountReward,
  totalOf,
} from '@r1/rewards';
import { codeReward } from '@r1/sandbox';
import type { CompletionFormat } from '@r1/templates';

/** Per-completion rewards by name. */
const SINGLE = {
  accuracy: accuracyReward,
  format: formatReward,
  countdown: countdownReward,
  tag_count: tagCountReward,
  reasoning_steps: reasoningStepsReward,
  repetition: repetitionPenalty,
  language_consistency: languageConsistencyReward,
  cosine: cosineScaledReward(),
} as const;

/**
 * The rewards that read the completion's structure, made for a completion format other than R1-Zero's ('r1': the
 * readable `<think>…</think> summary`; 'think': R1-Distill's, where the template opened `<think>`).
 */
function formatRewards(format: CompletionFormat): Partial<Record<keyof typeof SINGLE, RewardFn>> {
  if (format === 'r1-zero') return {};
  return {
    // R1's readable format is reasoning *then a summary for the reader*: under 'r1' a bare number or R1-Zero's
    // <answer> markup after </think> is not the format (R1-Distill's 'think' summaries are often a bare \boxed{}).
    format: createFormatReward({ format, readableSummary: format === 'r1' }),
    countdown: createCountdownReward({ format }),
    language_consistency: createLanguageConsistencyReward({ format }),
  };
}

/** Group-relative rewards by name (they need all completions of a prompt). */
const GROUP = { length: lengthReward() } as const;

type AsyncRewardFn = (completion: string, sample: Sample) => Promise<number | null>;

/**
 * Asynchronous per-completion rewards by name, made when a scorer lists them. `code`: the completion's last code
 * block (after `</think>`) run in @r1/sandbox's jail against the problem's tests (`meta.tests`, e.g. arithmetic's
 * promptStyle 'program' or a code dataset's), the pass rate; null — never a fake 0 — for a prompt without tests or
 * a sandbox failure. A missing jail fails the scorer's construction, not the first step.
 */
const ASYNC: Record<string, () => AsyncRewardFn> = {
  code: () => codeReward() as AsyncRewardFn,
};

export const REWARD_NAMES = [...Object.keys(SINGLE), ...Object.keys(GROUP), ...Object.keys(ASYNC)].sort();

/** Scores the G completions of one prompt: every component and the weighted total (a promise when a reward is async). */
export type GroupScorer = (
  completions: readonly string[],
  sample: Sample,
  /** Where training is (for rewards switched on late, like R1's preference rewards). */
  context?: { step: number; maxSteps: number },
) => CombinedReward[] | Promise<CombinedReward[]>;

export interface ScorerOptions {
  /** TRL's multi_objective_aggregation. Default 'sum_then_normalize' (the plain weighted sum). */
  aggregation?: MultiObjectiveAggregation;
  /** What a null component does to the total (see @r1/rewards' combineRewards). Default 'null-total'. */
  onNull?: NullPolicy;
}

export function rewardScorer(
  names: readonly string[],
  weights: readonly number[] | null,
  format: CompletionFormat = 'r1-zero',
  options: ScorerOptions = {},
): GroupScorer {
  const forFormat = formatRewards(format);
  const asyncFns = new Map<string, AsyncRewardFn>();
  const components: (RewardComponent | GroupRewardComponent)[] = names.map((name, i) => {
    const weight = weights?.[i] ?? 1;
    if (name in SINGLE) {
      return { name, fn: forFormat[name as keyof typeof SINGLE] ?? SINGLE[name as keyof typeof SINGLE], weight };
    }
    if (name in GROUP) return { name, groupFn: GROUP[name as keyof typeof GROUP], weight };
    const make = Object.hasOwn(ASYNC, name) ? ASYNC[name] : undefined;
    if (make !== undefined) {
      asyncFns.set(name, make());
      // A placeholder: each call fills the column with the awaited values (below).
      return { name, groupFn: () => [], weight };
    }
    throw new Error(`unknown reward "${name}" in rewardFuncs; available: ${REWARD_NAMES.join(', ')}`);
  });
  const onNull = options.onNull ?? 'null-total';
  const aggregate = (rows: CombinedReward[]) =>
    (options.aggregation ?? 'sum_then_normalize') === 'sum_then_normalize' ? rows : normalizeThenSum(rows, onNull);
  if (asyncFns.size === 0) {
    const combine = combineGroupRewards(components, { onNull });
    return (completions, sample) => aggregate(combine(completions, sample));
  }
  return async (completions, sample) => {
    // The asynchronous rewards of every completion run concurrently (the sandbox has its own pool).
    const columns = new Map<string, (number | null)[]>();
    await Promise.all(
      [...asyncFns].map(async ([name, fn]) => {
        columns.set(name, await Promise.all(completions.map((c) => fn(c, sample).catch((): number | null => null))));
      }),
    );
    const filled = components.map((c) =>
      asyncFns.has(c.name) ? { name: c.name, weight: c.weight, groupFn: () => columns.get(c.name)! } : c,
    );
    return aggregate(combineGroupRewards(filled, { onNull })(completions, sample));
  };
}

/** `reward_model:PATH[:summary|full]` — a trained reward model (r1-train rm) as a reward. */
export const REWARD_MODEL_PREFIX = 'reward_model:';

export interface RewardModelRef {
  path: string;
  score: ScoreMode | null;
}

/** Parses `reward_model:PATH[:summary|full]`; null when `name` is not a reward-model reward. */
export function parseRewardModelName(name: string): RewardModelRef | null {
  if (!name.startsWith(REWARD_MODEL_PREFIX)) return null;
  const rest = name.slice(REWARD_MODEL_PREFIX.length);
  const m = /^(.*):(summary|full)$/.exec(rest);
  const path = m ? m[1]! : rest;
  if (path === '')
    throw new Error(`reward "${name}": give the reward model directory, reward_model:PATH[:summary|full]`);
  return { path, score: m ? (m[2] as ScoreMode) : null };
}

export interface RoutedScorerOptions extends ScorerOptions {
  /** The prompt text the policy was fed, for reward models (they read prompt + reply). */
  renderPrompt: (sample: Sample) => string;
  /**
   * Per-prompt routing, as TRL's rewards that return None: reward models score only general prompts
   * (`meta.kind === 'general'`), the rule rewards only the others. Default true when a reward model is listed.
   */
  route?: boolean;
  /** Reward models count from this fraction of the steps on (R1 used them in the last 400 of 1,700). Default 0. */
  rmStart?: number;
}

export interface LoadedScorer {
  score: GroupScorer;
  /** Names of the reward-model components (as in rewardFuncs). */
  rewardModels: string[];
  dispose(): void;
}

const isGeneral = (sample: Sample) => (sample as { meta?: { kind?: unknown } }).meta?.kind === 'general';

/**
 * A group scorer over rule rewards and reward models together. Reward models are loaded here (and freed by
 * `dispose`); a prompt a reward does not cover gets null from it — never a fake 0 — and the total sums the
 * components that cover it (nulls skipped when routing). Without a reward model it is `rewardScorer`.
 */
export async function loadRewardScorer(
  names: readonly string[],
  weights: readonly number[] | null,
  format: CompletionFormat,
  options: RoutedScorerOptions,
): Promise<LoadedScorer> {
  const refs = names.map(parseRewardModelName);
  if (refs.every((r) => r === null)) {
    return { score: rewardScorer(names, weights, format, options), rewardModels: [], dispose: () => {} };
  }
  const route = options.route ?? true;
  const onNull: NullPolicy = route ? 'skip' : (options.onNull ?? 'null-total');
  const ruleNames = names.filter((_, i) => refs[i] === null);
  const ruleWeights = names.map((_, i) => weights?.[i] ?? 1).filter((_, i) => refs[i] === null);
  const rules = ruleNames.length === 0 ? null : rewardScorer(ruleNames, ruleWeights, format, { onNull });
  const models = await Promise.all(
    refs.map((r) => (r === null ? null : createRewardModelScorer(r.path, r.score === null ? {} : { score: r.score }))),
  );
  const rmStart = options.rmStart ?? 0;
  const score: GroupScorer = async (completions, sample, context) => {
    const general = isGeneral(sample);
    const ruleScores =
      rules === null || (route && general)
        ? completions.map(() => ruleNames.map((name, j) => ({ name, weight: ruleWeights[j]!, value: null })))
        : (await rules(completions, sample)).map((r) => r.components);
    const on = !route || general;
    const started = context === undefined || context.step >= rmStart * context.maxSteps;
    const prompt = options.renderPrompt(sample);
    const rmValues = await Promise.all(
      models.map(async (m) =>
        m === null || !on || !started
          ? null
          : m(
              completions.map(() => prompt),
              completions,
            ),
      ),
    );
    const rows: CombinedReward[] = completions.map((_, i) => {
      let next = 0;
      const components = names.map((name, j) => {
        if (refs[j] === null) return ruleScores[i]![next++]!;
        return { name, weight: weights?.[j] ?? 1, value: rmValues[j]?.[i] ?? null };
      });
      return { total: totalOf(components, onNull), components };
    });
    return (options.aggregation ?? 'sum_then_normalize') === 'normalize_then_sum'
      ? normalizeThenSum(rows, onNull)
      : rows;
  };
  return {
    score,
    rewardModels: names.filter((_, i) => refs[i] !== null),
    dispose: () => {
      for (const m of models) m?.dispose();
    },
  };
}
