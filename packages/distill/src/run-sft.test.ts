import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runSft } from './run-sft';
import { writeJsonl, writeTinyCheckpoint } from './test-utils/fixtures';

const quiet = () => {};

function dataset(dir: string): { train: string; eval: string } {
  const rows = Array.from({ length: 24 }, (_, i) => {
    const a = i % 7;
    const b = (i * 3) % 5;
    return i % 3 === 0
      ? {
          messages: [
            { role: 'user', content: `${a}+${b}?` },
            { role: 'assistant', content: `<think>\n${a} plus ${b}\n</think>\n${a + b}` },
          ],
          problem_id: `p${i}`,
          sample_index: 0,
          gold: String(a + b),
          reward: 1,
        }
      : { prompt: `${a}+${b}=`, completion: ` ${a + b}`, problem_id: `p${i}` };
  });
  return {
    train: writeJsonl(join(dir, 'train.jsonl'), [...rows, { prompt: 'x', completion: ' '.repeat(80) }]),
    eval: writeJsonl(join(dir, 'eval.jsonl'), rows.slice(0, 6)),
  };
}

const config = {
  max_steps: 4,
  per_device_train_batch_size: 4,
  gradient_accumulation_steps: 2,
  learning_rate: 3e-3,
  lr_scheduler_type: 'cosine',
  warmup_steps: 1,
  max_length: 48,
  save_steps: 2,
  eval_steps: 2,
  logging_steps: 1,
  seed: 5,
};

describe('runSft', () => {
  test('writes metrics, checkpoints, final, summary and report; --resume is bit-exact', async () => {
    const root = mkdtempSync(join(tmpdir(), 'r1-sft-'));
    const base = join(root, 'base');
    await writeTinyCheckpoint(base, 1);
    const data = dataset(root);
    const straight = await runSft({
      model: base,
      data: data.train,
      evalData: data.eval,
      out: join(root, 'a'),
      config,
      log: quiet,
      tty: false,
    });
    expect(straight.steps).toBe(4);
    expect(straight.dropped).toBe(1);
    expect(straight.truncated).toBe(0);
    expect(straight.evalLoss).not.toBeNull();
    expect(straight.trainLossLast).toBeLessThan(straight.trainLossFirst);
    for (const f of [
      'metrics.jsonl',
      'summary.json',
      'report.html',
      'config.json',
      'checkpoint-2/model.safetensors',
      'checkpoint-2/optimizer.safetensors',
      'checkpoint-2/trainer_state.json',
      'checkpoint-4/model.safetensors',
      'final/model.safetensors',
      'final/tokenizer.json',
    ]) {
      expect(existsSync(join(root, 'a', f)), f).toBe(true);
    }
    const metrics = readFileSync(join(root, 'a', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4]);
    expect(metrics.filter((m) => m.evalLoss !== undefined).map((m) => m.step)).toEqual([2, 4]);
    expect(metrics[0].learningRate).toBe(0);
    const summary = JSON.parse(readFileSync(join(root, 'a', 'summary.json'), 'utf8'));
    for (const key of [
      'steps',
      'epochs',
      'tokens',
      'trainLossFirst',
      'trainLossLast',
      'evalLoss',
      'dropped',
      'truncated',
      'packingEfficiency',
      'wallSeconds',
    ]) {
      expect(summary, key).toHaveProperty(key);
    }
    const html = readFileSync(join(root, 'a', 'report.html'), 'utf8');
    expect(html).toContain('train loss');
    expect(html).toContain('eval loss');
    expect(html).toContain('tokens/s');
    expect(html).toContain('per_device_train_batch_size'.replace(/_(.)/g, (_m, c: string) => c.toUpperCase()));

    // Half, stop, resume: identical weights.
    const half = await runSft({
      model: base,
      data: data.train,
      evalData: data.eval,
      out: join(root, 'b'),
      config,
      stopAfterSteps: 2,
      log: quiet,
      tty: false,
    });
    expect(half.interrupted).toBe(true);
    expect(existsSync(join(root, 'b', 'final'))).toBe(false);
    const resumed = await runSft({
      model: base,
      data: data.train,
      evalData: data.eval,
      out: join(root, 'b'),
      config,
      resume: join(root, 'b', 'checkpoint-2'),
      log: quiet,
      tty: false,
    });
    expect(resumed.steps).toBe(4);
    const bytes = (run: string) => readFileSync(join(root, run, 'final', 'model.safetensors'));
    expect(bytes('b').equals(bytes('a'))).toBe(true);
    const resumedMetrics = readFileSync(join(root, 'b', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(resumedMetrics.map((m) => m.loss)).toEqual(metrics.map((m) => m.loss));

    // A resume with other training options is refused, naming the difference.
    await expect(
      runSft({
        model: base,
        data: data.train,
        out: join(root, 'c'),
        config: { ...config, learning_rate: 1e-3 },
        resume: join(root, 'b', 'checkpoint-2'),
        log: quiet,
        tty: false,
      }),
    ).rejects.toThrow(/learningRate 0\.003 → 0\.001/);
  });

  test('packing, truncation and KD; a teacher with another vocabulary is refused', async () => {
    const root = mkdtempSync(join(tmpdir(), 'r1-sft-kd-'));
    const base = join(root, 'base');
    const teacher = join(root, 'teacher');
    const other = join(root, 'other');
    await writeTinyCheckpoint(base, 1);
    await writeTinyCheckpoint(teacher, 2, { hidden_size: 32, num_attention_heads: 4, num_key_value_heads: 2 });
    await writeTinyCheckpoint(other, 3, { vocab_size: 200 });
    const data = dataset(root);
    const packedConfig = {
      ...config,
      max_steps: 2,
      save_steps: 0,
      packing: true,
      over_length: 'truncate',
      kd: { teacher, alpha: 0.5, temperature: 2 },
    };
    const s = await runSft({
      model: base,
      data: data.train,
      out: join(root, 'kd'),
      config: packedConfig,
      log: quiet,
      tty: false,
    });
    expect(s.truncated).toBe(1);
    expect(s.dropped).toBe(0);
    expect(s.packing).toBe(true);
    expect(s.sequences).toBeLessThan(s.examples);
    expect(s.packingEfficiency).toBeGreaterThan(0.5);
    const m = JSON.parse(readFileSync(join(root, 'kd', 'metrics.jsonl'), 'utf8').split('\n')[0]!);
    expect(m.kl).toBeGreaterThan(0);
    expect(m.loss).toBeCloseTo(0.5 * m.ce + 0.5 * 4 * m.kl, 4);
    await expect(
      runSft({
        model: base,
        data: data.train,
        out: join(root, 'bad'),
        config: { ...packedConfig, kd: { teacher: other } },
        log: quiet,
        tty: false,
      }),
    ).rejects.toThrow(/vocab_size 200 differs|shared vocabulary/);
  });
});
