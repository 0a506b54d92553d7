/**
 * Rejection-sampling fine-tuning (expert iteration) end to end: the committed base model samples training problems,
 * `r1-train sample` keeps its verified traces, `r1-train sft` fine-tunes the base on them, and held-out pass@1
 * rises — measured by the R1 protocol with a paired bootstrap CI over the same held-out problems.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairedBootstrap } from '@r1/eval';
import { loadModel, loadTokenizer } from '@r1/model';
import { createLocalEngine, createSampler } from '@r1/sampler';
import { createTask } from '@r1/tasks';
import { renderR1Zero } from '@r1/templates';
import { expect, it } from 'vitest';
import { sampleCommand } from './commands/sample';
import { sftCommand } from './commands/sft';
import { heldOutEval } from './stages/heldout';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BASE = join(ROOT, 'apps/trainer/checkpoints/base-arith');
const TASK = { minOperands: 2, maxOperands: 3, maxValue: 9, operators: ['+', '-'] as ('+' | '-')[] };
const quiet = { stdout: () => {}, stderr: () => {}, env: {} };

async function pass1s(dir: string): Promise<number[]> {
  const model = await loadModel(dir);
  const tokenizer = await loadTokenizer(dir);
  const sampler = createSampler(createLocalEngine({ model, tokenizer, modelId: dir, maxBatchRows: 128 }));
  const problems = createTask('arithmetic', TASK).generate({ split: 'test', count: 100, seed: 7, unique: true });
  const r = await heldOutEval(sampler, problems, (p) => ({ prompt: renderR1Zero(p.prompt) }), {
    k: 2,
    temperature: 0.6,
    topP: 0.95,
    maxNewTokens: 48,
    seed: 7,
  });
  model.dispose();
  return r.problems.map((p) => p.pass1);
}

it('SFT of the base model on its own verified samples raises held-out pass@1 (paired 95% CI above 0)', async () => {
  const work = mkdtempSync(join(tmpdir(), 'r1-rft-'));
  const data = join(work, 'data');
  const sampled = await sampleCommand(
    ['run', '--model', BASE, '--task', 'arithmetic', '--task-options', JSON.stringify(TASK), '--count', '200'].concat([
      '--k',
      '4',
      '--max-tokens',
      '48',
      '--format',
      'prompt-completion',
      '--out',
      data,
    ]),
    quiet,
  );
  expect(sampled).toBe(0);
  const config = join(work, 'sft.yaml');
  writeFileSync(
    config,
    'learning_rate: 1.0e-3\nper_device_train_batch_size: 16\nnum_train_epochs: 3\nlr_scheduler_type: constant\nseed: 0\n',
  );
  const sft = join(work, 'sft');
  const trained = await sftCommand(
    ['--model', BASE, '--data', join(data, 'data.jsonl'), '--config', config, '--out', sft],
    quiet,
  );
  expect(trained).toBe(0);
  const before = await pass1s(BASE);
  const after = await pass1s(join(sft, 'final'));
  const diff = pairedBootstrap(before, after, { seed: 0 });
  expect(diff.ci[0]).toBeGreaterThan(0);
}, 300_000);
