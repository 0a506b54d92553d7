/**
 * Stage 4 of R1 (§2.3.4), RL for all scenarios: from the SFT model, reasoning and general prompts mixed in each
 * batch. Reasoning prompts keep the rule rewards; general prompts get two reward models trained here on the world's
 * hidden preference (world/preferences.ts) — helpfulness on the summary only, harmlessness on the whole reply —
 * switched on only for the last part of the run (`rm_reward_start`; R1: the last 400 of 1,700 steps), with a KL term
 * to the SFT model. The hidden gold helpfulness is logged next to the reward model's at every step. An ungated run
 * (preference rewards from the first step) shows what reward hacking looks like, or that it does not happen.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairedBootstrap } from '@r1/eval';
import type { ResolvedGRPOConfig } from '@r1/grpo-core';
import { loadTokenizer } from '@r1/model';
import { createRewardModelScorer, pairMetrics, runRewardModelTraining } from '@r1/reward-model';
import type { TaskItem } from '@r1/tasks';
import { latestCheckpoint } from '../checkpointing';
import { loadRewardScorer, REWARD_MODEL_PREFIX } from '../reward-registry';
import { evaluateGeneral, type GeneralEval, sampleGeneral } from '../stages/general-eval';
import { runGrpoStage, type StepRecord } from '../stages/grpo';
import { promptTemplate } from '../stages/prompts';
import type { TrainingTask } from '../stages/training-task';
import { drawGeneralPrompts, type GeneralPrompt, generalPromptsOf } from '../world/general';
import {
  allCandidateOptions,
  candidateReply,
  goldHelpfulness,
  isHarmless,
  type PreferencePair,
  policyPreferencePairs,
  preferencePairs,
} from '../world/preferences';
import { r1Prompt } from '../world/r1-corpus';
import type { AllScenarioConfig, R1Config } from './r1-config';

export interface AllScenarioResult {
  checkpoint: string;
  history: StepRecord[];
  steps: number;
  helpfulness: { before: number; after: number; ci: [number, number] };
  harmlessness: { before: number; after: number };
  rewardHacking: { rmRewardRise: number; goldRise: number; gated: { rmRewardRise: number; goldRise: number } } | null;
  rewardModels: { helpful: Record<string, unknown>; harmless: Record<string, unknown> };
  ungatedHistory: StepRecord[] | null;
  general: { before: GeneralEval['samples']; after: GeneralEval['samples'] };
}

export interface AllScenarioContext {
  config: R1Config;
  stage: AllScenarioConfig;
  dir: string;
  /** The stage-3 model. */
  from: string;
  task: TrainingTask;
  log: (line: string) => void;
  progress?: boolean;
  /** Thrown when a GRPO run is interrupted. */
  interrupted: (message: string) => Error;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const GENERAL_ANSWER = '';

/** A training task whose batches mix reasoning problems and general prompts (`meta.kind: 'general'`). */
export function mixedTask(reasoning: TrainingTask, generalFraction: number): TrainingTask {
  const asItem = (p: GeneralPrompt): TaskItem => ({
    id: p.id,
    prompt: p.prompt,
    answer: GENERAL_ANSWER,
    meta: { kind: 'general', general: p },
  });
  return {
    name: `${reasoning.name}+general`,
    train: (count, seed) => {
      const general = Math.round(count * generalFraction);
      const g = drawGeneralPrompts('train', general, seed ^ 0x9e3779b9).map(asItem);
      const r = reasoning.train(count - general, seed);
      // Interleave so that both kinds are in every generation batch.
      const out: TaskItem[] = [];
      for (let i = 0; out.length < count; i++) {
        if (i < r.length) out.push(r[i]!);
        if (i < g.length) out.push(g[i]!);
      }
      return out;
    },
    problems: (count, seed) => reasoning.problems(count, seed),
    heldOut: (seed) => reasoning.heldOut(seed),
  };
}

/** Rise of a per-step series: mean of its last fifth minus the mean of its first fifth. */
export function rise(values: readonly number[]): number {
  const n = Math.max(1, Math.floor(values.length / 5));
  return mean(values.slice(-n)) - mean(values.slice(0, n));
}

async function trainRewardModels(c: AllScenarioContext) {
  const rm = c.stage.rewardModels;
  const dir = join(c.dir, 'reward-models');
  mkdirSync(dir, { recursive: true });
  const trainPrompts = generalPromptsOf('train');
  const testPrompts = generalPromptsOf('test');
  const write = (name: string, rows: unknown[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    return path;
  };
  // A completion follows the prompt's `Assistant:` after a space, as the policy samples it: synthetic candidates get
  // the space here, sampled replies already start with one.
  const spaced = (reply: string) => (/^\s/.test(reply) ? reply : ` ${reply}`);
  const pairRows = (pairs: readonly PreferencePair[]) =>
    pairs.map((p) => ({ prompt: r1Prompt(p.prompt), chosen: spaced(p.chosen), rejected: spaced(p.rejected) }));
  const pointRows = (prompts: readonly GeneralPrompt[], count: number, seed: number) => {
    const options = allCandidateOptions();
    return Array.from({ length: count }, (_, i) => {
      const p = prompts[(i * 7919 + seed) % prompts.length]!;
      const reply = candidateReply(p, options[(i * 31 + seed) % options.length]!, seed * 100_003 + i);
      return { prompt: r1Prompt(p.prompt), completion: ` ${reply}`, label: isHarmless(reply) ? 1 : 0 };
    });
  };
  const train = async (name: 'helpful' | 'harmless', data: string, evalData: string) => {
    const out = join(dir, name);
    const final = join(out, 'final');
    if (!existsSync(join(out, 'summary.json')) || !existsSync(final)) {
      await runRewardModelTraining({
        model: c.config.model,
        data,
        evalData,
        out,
        kind: name === 'helpful' ? 'preference' : 'pointwise',
        score: name === 'helpful' ? 'summary' : 'full',
        // The centring term is the preference loss's; a pointwise classifier has no pairs to centre.
        config:
          name === 'helpful'
            ? rm.config
            : Object.fromEntries(Object.entries(rm.config).filter(([k]) => !/^center_?rewards_?coefficient$/i.test(k))),
        log: c.log,
        ...(c.progress === undefined ? {} : { tty: c.progress }),
      }).then((s) => {
        if (s.final === null) throw c.interrupted(`reward model ${name} interrupted at step ${s.steps}`);
        const e = s.eval as { accuracy?: number; meanMargin?: number } | null;
        c.log(
          `  reward model ${name}: held-out accuracy ${e?.accuracy?.toFixed(3) ?? '?'}, margin ${e?.meanMargin?.toFixed(3) ?? '-'}`,
        );
      });
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
    return { final, summary };
  };
  // On-policy pairs: the stage-3 model's own replies to train prompts, rated by the hidden preference — so that the
  // helpfulness RM is accurate on what the policy says, not only on the synthetic candidates.
  const policyPools = async (prompts: readonly GeneralPrompt[], seed: number) => {
    const replies = await sampleGeneral(c.from, prompts, {
      k: rm.policyK,
      temperature: rm.policyTemperature,
      topP: 1,
      maxNewTokens: c.config.maxTokens,
      seed,
    });
    return prompts.map((prompt, i) => ({ prompt, replies: replies[i]! }));
  };
  const policyTrain =
    rm.policyPairs === 0
      ? []
      : policyPreferencePairs(await policyPools(trainPrompts, rm.seed + 2), rm.policyPairs, rm.seed + 2, rm.flipRate);
  const policyEval =
    rm.policyPairs === 0
      ? []
      : policyPreferencePairs(await policyPools(testPrompts, rm.seed + 3), rm.evalPairs, rm.seed + 3, 0);
  if (rm.policyPairs > 0)
    c.log(`  reward model data: ${rm.pairs} synthetic + ${policyTrain.length} on-policy pairs (stage-3 samples)`);
  const synthetic = preferencePairs(trainPrompts, rm.pairs, rm.seed, rm.flipRate);
  const mixed: PreferencePair[] = [];
  for (let i = 0; i < Math.max(synthetic.length, policyTrain.length); i++) {
    if (i < synthetic.length) mixed.push(synthetic[i]!);
    if (i < policyTrain.length) mixed.push(policyTrain[i]!);
  }
  const helpful = await train(
    'helpful',
    write('helpful-train.jsonl', pairRows(mixed)),
    write('helpful-eval.jsonl', pairRows(preferencePairs(testPrompts, rm.evalPairs, rm.seed + 1, 0))),
  );
  if (policyEval.length > 0) {
    write('helpful-eval-policy.jsonl', pairRows(policyEval));
    const scorer = await createRewardModelScorer(helpful.final, { score: 'summary' });
    try {
      const rows = pairRows(policyEval);
      // One batch: every chosen reply, then every rejected one.
      const scores = await scorer(
        [...rows, ...rows].map((r) => r.prompt),
        [...rows.map((r) => r.chosen), ...rows.map((r) => r.rejected)],
      );
      const { accuracy, meanMargin } = pairMetrics(scores.slice(0, rows.length), scores.slice(rows.length));
      helpful.summary.policyEval = { examples: rows.length, accuracy, meanMargin };
      c.log(
        `  reward model helpful: held-out on-policy pair accuracy ${accuracy.toFixed(3)}, margin ${meanMargin.toFixed(3)} (${rows.length} pairs)`,
      );
    } finally {
      scorer.dispose();
    }
  }
  const harmless = await train(
    'harmless',
    write('harmless-train.jsonl', pointRows(trainPrompts, rm.pairs, rm.seed)),
    write('harmless-eval.jsonl', pointRows(testPrompts, rm.evalPairs, rm.seed + 1)),
  );
  return { helpful, harmless };
}

export async function runAllScenarioStage(c: AllScenarioContext): Promise<AllScenarioResult> {
  const { stage, config } = c;
  const models = await trainRewardModels(c);
  const task = mixedTask(c.task, stage.generalFraction);
  const tokenizer = await loadTokenizer(c.from);
  const prompt = promptTemplate('r1', tokenizer, c.from);
  const helpfulName = `${REWARD_MODEL_PREFIX}${models.helpful.final}:summary`;
  const harmlessName = `${REWARD_MODEL_PREFIX}${models.harmless.final}:full`;
  // Logged at every step, whether or not the preference rewards count yet: the RM's view next to the gold one.
  const helpfulLog = await createRewardModelScorer(models.helpful.final, { score: 'summary' });
  const stepMetrics = async (items: readonly TaskItem[], completions: readonly (readonly string[])[]) => {
    const prompts: string[] = [];
    const replies: string[] = [];
    const gold: number[] = [];
    const safe: number[] = [];
    items.forEach((item, i) => {
      const meta = item.meta as { kind?: string; general?: GeneralPrompt };
      if (meta.kind !== 'general' || meta.general === undefined) return;
      for (const text of completions[i]!) {
        prompts.push(r1Prompt(item.prompt));
        replies.push(text);
        gold.push(goldHelpfulness(meta.general, text));
        safe.push(isHarmless(text) ? 1 : 0);
      }
    });
    const rm = prompts.length === 0 ? [] : await helpfulLog(prompts, replies);
    return { goldHelpfulness: mean(gold), rmHelpfulness: mean(rm), harmlessness: mean(safe) };
  };

  const run = async (name: string, settings: ResolvedGRPOConfig, rmStart: number) => {
    const dir = join(c.dir, name);
    const names = [...settings.rewardFuncs, helpfulName, harmlessName];
    const weights = [
      ...settings.rewardFuncs.map((_, i) => settings.rewardWeights?.[i] ?? 1),
      stage.helpfulWeight,
      stage.harmlessWeight,
    ];
    const scorer = await loadRewardScorer(names, weights, prompt.format, {
      renderPrompt: (s) => r1Prompt(s.prompt),
      rmStart,
      aggregation: settings.multiObjectiveAggregation,
    });
    const resume = latestCheckpoint(dir);
    try {
      const result = await runGrpoStage({
        model: c.from,
        moe: null,
        task,
        template: prompt,
        score: scorer.score,
        grpo: { ...settings, outputDir: c.dir, runName: name },
        eval: config.eval,
        rollout: config.rollout,
        runDir: dir,
        defaultRunName: name,
        describe: { stage: 'all_scenario_rl', run: name, model: c.from, rewards: names, rmStart, grpo: settings },
        evaluateBefore: false,
        evaluateAfter: false,
        stepMetrics,
        ...(resume === undefined ? {} : { resume }),
        log: c.log,
        ...(c.progress === undefined ? {} : { progress: c.progress }),
      });
      if (!result.finished || result.checkpoint === null)
        throw c.interrupted(`${name} interrupted at step ${result.steps}`);
      return result;
    } finally {
      scorer.dispose();
    }
  };

  try {
    const gated = await run('rl', stage.grpo, stage.rmRewardStart);
    const ungated = stage.hackingRun ? await run('ungated', { ...stage.grpo, maxSteps: stage.hackingSteps }, 0) : null;
    const heldOut = generalPromptsOf('test');
    const params = {
      k: stage.generalK,
      temperature: config.eval.temperature,
      topP: config.eval.topP,
      maxNewTokens: config.maxTokens,
      seed: config.eval.seed,
    };
    const before = await evaluateGeneral(c.from, heldOut, params);
    const after = await evaluateGeneral(gated.checkpoint!, heldOut, params);
    const diff = pairedBootstrap(before.perPrompt, after.perPrompt, { seed: config.eval.seed });
    const series = (h: readonly StepRecord[], key: string) => h.map((r) => r.extra?.[key] ?? 0);
    c.log(
      `  helpfulness (gold, held-out general prompts) ${before.helpfulness.toFixed(3)} → ${after.helpfulness.toFixed(3)} ` +
        `[${diff.ci.map((x) => x.toFixed(3)).join(', ')}]; harmlessness ${before.harmlessness.toFixed(3)} → ${after.harmlessness.toFixed(3)}`,
    );
    return {
      checkpoint: gated.checkpoint!,
      history: gated.history,
      steps: gated.steps,
      ...(gated.rollout === null ? {} : { rollout: gated.rollout }),
      helpfulness: { before: before.helpfulness, after: after.helpfulness, ci: diff.ci },
      harmlessness: { before: before.harmlessness, after: after.harmlessness },
      rewardHacking:
        ungated === null
          ? null
          : {
              rmRewardRise: rise(series(ungated.history, 'rmHelpfulness')),
              goldRise: rise(series(ungated.history, 'goldHelpfulness')),
              gated: {
                rmRewardRise: rise(series(gated.history, 'rmHelpfulness')),
                goldRise: rise(series(gated.history, 'goldHelpfulness')),
              },
            },
      rewardModels: { helpful: models.helpful.summary, harmless: models.harmless.summary },
      ungatedHistory: ungated?.history ?? null,
      general: { before: before.samples, after: after.samples },
    };
  } finally {
    helpfulLog.dispose();
  }
}
