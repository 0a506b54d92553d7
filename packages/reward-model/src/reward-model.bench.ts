/**
 * Reward-model benchmarks (names are contracts):
 * - `reward_model.noisy_pairs_accuracy`: a hidden gold preference over replies (states the requested thing > polite >
 *   concise), synthetic pairs labelled by it with 15% of the labels flipped (as annotators disagree), the reasoning
 *   before `</think>` random noise; a width-64, 2-layer model trained with `trainRewardModel` (summary scoring,
 *   center_rewards_coefficient 0.01). Value: held-out pair accuracy against the *gold* labels (ceiling 1); beside
 *   it the accuracy against the noisy labels (ceiling ≈ 0.85) and the mean margin.
 * - `reward_model.train_step`: pairs/s of one Bradley–Terry step on the engine.train_step reference shape — Qwen2
 *   {vocab 64, hidden 128, 2 layers, 4 heads, FFN 512}, 8 pairs of 64 tokens (16 rows).
 * - `reward_model.score`: completions/s of the batched scorer path (`scoreRows`) at that shape, 16 rows of 64.
 */
import { createModel, initBackend, resolveModelConfig } from '@r1/model';
import { createRng } from '@r1/tasks';
import { median, report, timeIt } from '../../../scripts/bench-lib';
import { encodeScored, type PreferenceExample } from './encode';
import { resolveRewardConfig } from './reward-config';
import { rewardModelFromLm } from './reward-model';
import { evaluateRewardModel, scoreRows, trainRewardModel } from './reward-train';
import { charTokenizer } from './test-utils/fixtures';

await initBackend();
const tokenizer = charTokenizer();

// ---- reward_model.noisy_pairs_accuracy
{
  const things = ['red', 'blue', 'green', 'pink', 'gold', 'gray'];
  const rng = createRng(3);
  const reply = (asked: string) => {
    const mentions = rng.bool(0.5);
    const polite = rng.bool(0.5);
    const concise = rng.bool(0.5);
    const thing = mentions ? asked : rng.pick(things.filter((t) => t !== asked));
    const text = `${polite ? 'sure, ' : 'ugh, '}a ${thing} one${concise ? '.' : ' and so on and on.'}`;
    return { text, mentions, gold: 2 * Number(mentions) + Number(polite) + 0.5 * Number(concise) };
  };
  const think = () => `<think>${'abcdefgh'.slice(0, rng.int(1, 8))} ${rng.int(0, 999)}</think> `;
  const pairs = (n: number, flip: number) => {
    const out: { example: PreferenceExample; noisy: PreferenceExample; byRequest: boolean }[] = [];
    while (out.length < n) {
      const asked = rng.pick(things);
      const prompt = `give me a ${asked} one?`;
      const a = reply(asked);
      const b = reply(asked);
      if (a.gold === b.gold) continue;
      const [hi, lo] = a.gold > b.gold ? [a, b] : [b, a];
      const chosen = encodeScored(tokenizer, prompt, think() + hi.text, 'summary');
      const rejected = encodeScored(tokenizer, prompt, think() + lo.text, 'summary');
      const example = { chosen, rejected, margin: 0 };
      out.push({
        example,
        noisy: rng.bool(flip) ? { chosen: rejected, rejected: chosen, margin: 0 } : example,
        byRequest: hi.mentions !== lo.mentions,
      });
    }
    return out;
  };
  const train = pairs(512, 0.15).map((p) => p.noisy);
  const heldOut = pairs(256, 0.15);
  const lm = createModel(
    resolveModelConfig({
      model_type: 'qwen2',
      vocab_size: tokenizer.vocabSize,
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      initializer_range: 0.1,
    }),
    { seed: 1 },
  );
  const rm = rewardModelFromLm(lm, { seed: 1 });
  lm.dispose();
  const config = resolveRewardConfig({
    learning_rate: 3e-3,
    num_train_epochs: 4,
    per_device_train_batch_size: 16,
    per_device_eval_batch_size: 64,
    warmup_ratio: 0.05,
    center_rewards_coefficient: 0.01,
    seed: 1,
  });
  const t0 = performance.now();
  const result = await trainRewardModel(
    rm,
    { kind: 'preference', examples: train },
    { config, padId: tokenizer.eosTokenId },
  );
  const seconds = (performance.now() - t0) / 1000;
  const opts = { batchSize: 64, padId: tokenizer.eosTokenId, centerRewardsCoefficient: 0.01 };
  const gold = evaluateRewardModel(rm, { kind: 'preference', examples: heldOut.map((p) => p.example) }, opts);
  const noisy = evaluateRewardModel(rm, { kind: 'preference', examples: heldOut.map((p) => p.noisy) }, opts);
  const part = (byRequest: boolean) =>
    evaluateRewardModel(
      rm,
      { kind: 'preference', examples: heldOut.filter((p) => p.byRequest === byRequest).map((p) => p.example) },
      opts,
    ).accuracy;
  const flipped = heldOut.filter((p) => p.noisy !== p.example).length / heldOut.length;
  report({
    name: 'reward_model.noisy_pairs_accuracy',
    value: gold.accuracy,
    unit: 'ratio',
    noisy_label_accuracy: noisy.accuracy,
    noisy_label_ceiling: 1 - flipped,
    mean_margin: gold.meanMargin,
    accuracy_decided_by_request: part(true),
    accuracy_decided_by_politeness_or_length: part(false),
    train_pairs: train.length,
    held_out_pairs: heldOut.length,
    steps: result.steps,
    train_seconds: seconds,
  });
  rm.dispose();
}

// ---- reward_model.train_step and reward_model.score on the reference shape.
{
  const VOCAB = 64;
  const SEQ = 64;
  const PAIRS = 8;
  const lm = createModel(
    resolveModelConfig({
      model_type: 'qwen2',
      vocab_size: VOCAB,
      hidden_size: 128,
      intermediate_size: 512,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 4,
    }),
    { seed: 0 },
  );
  const rm = rewardModelFromLm(lm, { seed: 0 });
  lm.dispose();
  const rng = createRng(0);
  const row = () => Array.from({ length: SEQ }, () => rng.int(1, VOCAB - 1));
  const examples = Array.from({ length: PAIRS }, () => ({ chosen: row(), rejected: row(), margin: 0 }));
  const iterations = Number(process.env.R1_BENCH_ITERATIONS ?? 5);
  const config = resolveRewardConfig({
    max_steps: 2 + iterations,
    per_device_train_batch_size: PAIRS,
    learning_rate: 1e-4,
  });
  const result = await trainRewardModel(rm, { kind: 'preference', examples }, { config, padId: 0 });
  const stepSeconds = result.history.slice(2).map((r) => r.seconds);
  report({
    name: 'reward_model.train_step',
    value: PAIRS / median(stepSeconds),
    unit: 'pairs/s',
    median_step_ms: 1000 * median(stepSeconds),
    rows: 2 * PAIRS,
    seq: SEQ,
  });
  const rows = Array.from({ length: 16 }, row);
  const times = await timeIt(() => scoreRows(rm, rows, 16, 0), { warmup: 1, iterations });
  report({
    name: 'reward_model.score',
    value: 16 / (median(times) / 1000),
    unit: 'completions/s',
    median_batch_ms: median(times),
    seq: SEQ,
  });
  rm.dispose();
}
