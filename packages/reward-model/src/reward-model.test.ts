import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, openSafetensors, resolveModelConfig, tf } from '@r1/model';
import { afterAll, describe, expect, test } from 'vitest';
import { lastTokenIndices, rewardModelFromLm, SCORE_WEIGHT } from './reward-model';
import { loadRewardModel, readRewardModelSettings, rewardModelFromCausalLm, saveRewardModel } from './reward-model-io';
import { padRows } from './reward-train';
import { charTokenizer, tinyLm, writeTinyLm } from './test-utils/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'r1-rm-'));
const tokenizer = charTokenizer();
const lm = tinyLm(tokenizer.vocabSize, 7);
const rm = rewardModelFromLm(lm, { seed: 11 });
afterAll(() => {
  lm.dispose();
  rm.dispose();
});

const ROWS = [tokenizer.encode('what is 2+2? 4'), tokenizer.encode('hi'), tokenizer.encode('a longer reply, here.')];

/** The reward computed independently: the LM's own hidden states of the row alone, dotted with score in plain JS. */
function independentReward(ids: number[]): number {
  const h = lm.hiddenStates(tf.tensor2d([ids], undefined, 'int32'));
  const data = h.dataSync();
  const D = lm.config.hidden_size;
  const w = rm.parameters().get(SCORE_WEIGHT)!.dataSync();
  let dot = 0;
  for (let d = 0; d < D; d++) dot += data[(ids.length - 1) * D + d]! * w[d]!;
  h.dispose();
  return dot;
}

function rewardsOf(model: typeof rm, rows: number[][]): number[] {
  const { ids, mask } = padRows(rows, tokenizer.eosTokenId);
  const r = model.rewards(ids, mask);
  const out = [...r.dataSync()];
  tf.dispose([ids, mask, r]);
  return out;
}

describe('reward model (scalar head on the backbone)', () => {
  test('forward = score · (the LM’s hidden state at the last real token), per row alone, right-padded batch', () => {
    const got = rewardsOf(rm, ROWS);
    ROWS.forEach((row, i) => {
      expect(Math.abs(got[i]! - independentReward(row))).toBeLessThan(1e-5);
    });
  });

  test('left padding gives the same rewards (the last real token is found from the mask)', () => {
    const L = Math.max(...ROWS.map((r) => r.length));
    const ids = tf.tensor2d(
      ROWS.map((r) => [...Array(L - r.length).fill(0), ...r]),
      undefined,
      'int32',
    );
    const mask = tf.tensor2d(
      ROWS.map((r) => [...Array(L - r.length).fill(0), ...r.map(() => 1)]),
      undefined,
      'int32',
    );
    const r = rm.rewards(ids as tf.Tensor2D, mask as tf.Tensor2D);
    [...r.dataSync()].forEach((v, i) => {
      expect(Math.abs(v - independentReward(ROWS[i]!))).toBeLessThan(1e-4);
    });
    tf.dispose([ids, mask, r]);
  });

  test('the backbone is a copy of the LM (no lm_head), the head is small and seeded', () => {
    const params = rm.parameters();
    expect(params.has('lm_head.weight')).toBe(false);
    expect([...params.keys()].at(-1)).toBe(SCORE_WEIGHT);
    for (const [name, v] of lm.parameters()) {
      if (name === 'lm_head.weight') continue;
      expect([...params.get(name)!.dataSync()]).toEqual([...v.dataSync()]);
    }
    const w = [...params.get(SCORE_WEIGHT)!.dataSync()];
    expect(params.get(SCORE_WEIGHT)!.shape).toEqual([1, 16]);
    const again = rewardModelFromLm(lm, { seed: 11 });
    const other = rewardModelFromLm(lm, { seed: 12 });
    expect([...again.parameters().get(SCORE_WEIGHT)!.dataSync()]).toEqual(w);
    expect([...other.parameters().get(SCORE_WEIGHT)!.dataSync()]).not.toEqual(w);
    const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    expect(std).toBeGreaterThan(0.05);
    expect(std).toBeLessThan(0.5); // initializer_range 0.2
    again.dispose();
    other.dispose();
    // Training the copy leaves the LM alone.
    params.get('model.norm.weight')!.assign(tf.zeros([16]));
    expect(lm.parameters().get('model.norm.weight')!.dataSync()[0]).not.toBe(0);
    rm.parameters().get('model.norm.weight')!.assign(lm.parameters().get('model.norm.weight')!);
  });

  test('gradients reach every parameter, the head included', () => {
    const { ids, mask } = padRows(ROWS, 0);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(rm.rewards(ids, mask)) as tf.Scalar,
      rm.trainableVariables(),
    );
    expect(Object.keys(grads).length).toBe(rm.trainableVariables().length);
    tf.dispose([value, ids, mask, ...Object.values(grads)]);
  });

  test('an all-padding row is an error that says so', () => {
    expect(() => lastTokenIndices([1, 0, 0, 0], 2, 2)).toThrow(/row 1 is all padding/);
    expect([...lastTokenIndices(undefined, 2, 3)]).toEqual([2, 5]);
  });
});

describe('Qwen2ForSequenceClassification checkpoints', () => {
  test('round trip: config.json, tensor names (no lm_head, score.weight [1, D]), identical rewards', async () => {
    const out = join(dir, 'rm');
    await saveRewardModel(out, rm, {
      tokenizer: tokenizer.files,
      padTokenId: 0,
      settings: { kind: 'preference', score: 'summary', max_length: 64 },
    });
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.architectures).toEqual(['Qwen2ForSequenceClassification']);
    expect(config.num_labels).toBe(1);
    expect(config.pad_token_id).toBe(0);
    expect(config.hidden_size).toBe(16);
    expect(config.tie_word_embeddings).toBe(false); // the source LM's, kept
    const file = await openSafetensors(join(out, 'model.safetensors'));
    const names = [...file.header.tensors.keys()];
    await file.close();
    const lmNames = [...lm.parameters().keys()].filter((n) => n !== 'lm_head.weight');
    expect(names.sort()).toEqual([...lmNames, SCORE_WEIGHT].sort());
    expect(await readRewardModelSettings(out)).toEqual({ kind: 'preference', score: 'summary', max_length: 64 });

    const loaded = await loadRewardModel(out);
    expect(rewardsOf(loaded, ROWS)).toEqual(rewardsOf(rm, ROWS));
    loaded.dispose();
  });

  test('from a causal-LM directory; a causal LM is not loaded as a reward model, nor the reverse', async () => {
    const lmDir = join(dir, 'lm');
    await writeTinyLm(lmDir, 3);
    const fresh = await rewardModelFromCausalLm(lmDir, { seed: 1 });
    expect(fresh.parameters().has(SCORE_WEIGHT)).toBe(true);
    fresh.dispose();
    await expect(loadRewardModel(lmDir)).rejects.toThrow(/Qwen2ForCausalLM.*is not a sequence-classification model/);
    const rmDir = join(dir, 'rm2');
    await saveRewardModel(rmDir, rm);
    await expect(rewardModelFromCausalLm(rmDir, { seed: 1 })).rejects.toThrow(/already a reward model/);
    expect(await readRewardModelSettings(rmDir)).toBeNull();
  });

  test('a checkpoint whose head does not match the config names the tensor and both shapes', async () => {
    const bad = join(dir, 'bad');
    await saveRewardModel(bad, rm);
    const config = JSON.parse(readFileSync(join(bad, 'config.json'), 'utf8'));
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ ...config, hidden_size: 32, intermediate_size: 32 }));
    await expect(loadRewardModel(bad)).rejects.toThrow(/score\.weight.*\[1, 16\].*\[1, 32\]/);
  });

  test('an MoE backbone round-trips too (R1MoeForSequenceClassification, the selection biases kept)', async () => {
    const moeLm = createModel(
      resolveModelConfig({
        ...lm.config,
        model_type: 'r1_moe',
        n_routed_experts: 4,
        num_experts_per_tok: 2,
        moe_intermediate_size: 8,
      }),
      { seed: 2 },
    );
    const moe = rewardModelFromLm(moeLm, { seed: 3 });
    moeLm.dispose();
    const out = join(dir, 'moe');
    await saveRewardModel(out, moe);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).architectures).toEqual([
      'R1MoeForSequenceClassification',
    ]);
    const loaded = await loadRewardModel(out);
    expect(rewardsOf(loaded, ROWS)).toEqual(rewardsOf(moe, ROWS));
    loaded.dispose();
    moe.dispose();
  });

  test('saving over a directory that is not a checkpoint is refused', async () => {
    const notCkpt = join(dir, 'notes');
    await saveRewardModel(join(notCkpt, 'x'), rm); // creates the parent
    writeFileSync(join(notCkpt, 'keep.txt'), 'mine');
    await expect(saveRewardModel(notCkpt, rm)).rejects.toThrow(/is not a checkpoint/);
  });
});
