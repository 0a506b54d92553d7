import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@r1/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { DVR_STAGES, runDistillVsRl } from './distill-vs-rl';
import { loadDistillVsRlConfig, resolveDistillVsRlConfig } from './distill-vs-rl-config';

const BASE = fileURLToPath(new URL('../../checkpoints/base-r1', import.meta.url));
const CONFIG = fileURLToPath(new URL('../../configs/distill-vs-rl.yaml', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'r1-dvr-'));

const TINY: Record<string, unknown> = {
  model: BASE,
  task: { name: 'arithmetic', minOperands: 2, maxOperands: 2, maxValue: 9, operators: ['+', '-'] },
  ood_task: { minOperands: 3, maxOperands: 3 },
  max_tokens: 40,
  eval: { problems: 6, k: 2, everySteps: 0 },
  // Built here from a seed (the committed config uses checkpoints/student-r1).
  student: {
    seed: 1,
    steps: 4,
    model: { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2 },
  },
  grpo: { seed: 3, num_generations: 4, per_device_train_batch_size: 16, save_steps: 1, logging_steps: 1 },
  teacher: { max_steps: 1 },
  sampling: { problems: 16, k: 2 },
  distill: { max_steps: 3, per_device_train_batch_size: 8 },
  rl: { max_steps: 2 },
  distilled_plus_rl: { max_steps: 1 },
};

beforeAll(async () => {
  await initBackend(undefined, { log: () => {} });
});

describe('r1-train distill-vs-rl (tiny config)', () => {
  test('runs every arm, writes the Table 6 summary and report; --resume skips finished stages', async () => {
    const out = join(root, 'run');
    const config = resolveDistillVsRlConfig(TINY, 'tiny');
    const s = (await runDistillVsRl({ config, out, resume: false, log: () => {}, progress: false }))!;
    for (const key of ['teacher', 'studentBase', 'distilled', 'rl', 'distilledPlusRl'] as const) {
      expect(Number.isFinite(s[key]!.pass1), key).toBe(true);
      expect(s[key]!.parameters, key).toBeGreaterThan(0);
    }
    expect(s.studentBase.parameters).toBeLessThan(s.teacher.parameters);
    expect(s.distilledVsRl.ci[0]).toBeLessThanOrEqual(s.distilledVsRl.ci[1]);
    expect(Number.isFinite(s.ood.distilledVsRl.pass1Delta)).toBe(true);
    expect(s.budget.distillTokens).toBeGreaterThan(0);
    expect(s.budget.rlTokens).toBeGreaterThan(0);
    const written = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(written)).toEqual(
      expect.arrayContaining(['teacher', 'studentBase', 'distilled', 'rl', 'distilledVsRl', 'budget']),
    );
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Table 6 in miniature');
    for (const stage of DVR_STAGES) expect(existsSync(join(out, stage, 'stage.json')), stage).toBe(true);
    const lines: string[] = [];
    const again = await runDistillVsRl({ config, out, resume: true, log: (l) => lines.push(l), progress: false });
    expect(lines.filter((l) => l.includes('skipped'))).toHaveLength(DVR_STAGES.length);
    expect(again!.distilledVsRl).toEqual(s.distilledVsRl);
    await expect(runDistillVsRl({ config, out, resume: false, log: () => {} })).rejects.toThrow(/--resume/);
  }, 240_000);

  test('the committed config loads; errors name the key', () => {
    const config = loadDistillVsRlConfig(CONFIG);
    expect(config.student.checkpoint).toMatch(/checkpoints\/student-r1$/);
    expect(config.rl.rewardFuncs).toEqual(['accuracy', 'format']);
    expect(config.oodTask.options).toMatchObject({ minOperands: 5, maxOperands: 5 });
    expect(() => resolveDistillVsRlConfig({ ...TINY, studnt: {} }, 'tiny')).toThrow(
      /unknown key "studnt" \(did you mean student\?\)/,
    );
    expect(() => resolveDistillVsRlConfig({ ...TINY, student: { layers: 1 } }, 'tiny')).toThrow(
      /student.layers is unknown/,
    );
  });
});
