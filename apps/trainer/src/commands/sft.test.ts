/**
 * `r1-train sft` end to end through the CLI: SFT of the committed base model on worked arithmetic traces in
 * `r1-train sample`'s data.jsonl layout (messages with the raw problem; the checkpoint has no chat template, so the
 * R1-Zero prompt is rendered, as the sampler did), a few steps. Checks the outputs and that the weights moved;
 * then SIGINT mid-run saves a checkpoint and exits with 130.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arithmeticSolution, arithmeticTask } from '@r1/tasks';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CORPUS_OPTIONS, r1ZeroCompletion } from '../world/corpus';
import { sftConfigFromFlags } from './sft';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const CLI = join(ROOT, 'apps/trainer/src/cli.ts');
const BASE = join(ROOT, 'apps/trainer/checkpoints/base-arith');

function sampleData(dir: string, count: number, seed: number): string {
  const items = arithmeticTask(DEFAULT_CORPUS_OPTIONS.task).generate({ split: 'train', count, seed });
  const rows = items.map((item, i) => {
    const solution = arithmeticSolution(item.meta.expression, { seed: i, errorRate: 0 });
    return {
      messages: [
        { role: 'user', content: item.prompt },
        { role: 'assistant', content: r1ZeroCompletion(solution.text, solution.answer) },
      ],
      problem_id: item.id,
      sample_index: 0,
      gold: item.answer,
      reward: 1,
      finish_reason: 'stop',
      model: BASE,
      seed,
    };
  });
  const file = join(dir, `data-${seed}.jsonl`);
  writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return file;
}

const cli = (args: string[]) => ['--import', 'tsx', CLI, 'sft', ...args];
const env = { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'), R1_WASM_THREADS: '1' };

describe('r1-train sft', () => {
  test('SFT of the committed base model on sampled traces writes every output; the weights move', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-sft-cli-'));
    const train = sampleData(dir, 24, 1);
    const evalData = sampleData(dir, 8, 2);
    const config = join(dir, 'sft.yaml');
    writeFileSync(
      config,
      'per_device_train_batch_size: 8\nlearning_rate: 1.0e-3\nlr_scheduler_type: constant\neval_steps: 2\nlogging_steps: 1\nmax_length: 128\n',
    );
    const out = join(dir, 'out');
    const run = spawnSync(
      process.execPath,
      cli([
        '--model',
        BASE,
        '--data',
        train,
        '--eval-data',
        evalData,
        '--out',
        out,
        '--config',
        config,
        '--max-steps',
        '3',
        '--save-steps',
        '2',
        '--packing',
        '--seed',
        '3',
      ]),
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({
      steps: 3,
      examples: 24,
      dropped: 0,
      truncated: 0,
      packing: true,
      interrupted: false,
    });
    expect(summary.sequences).toBeLessThan(24);
    expect(summary.evalLoss).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/3\/3 .*ETA/);
    for (const f of [
      'metrics.jsonl',
      'summary.json',
      'report.html',
      'checkpoint-2/optimizer.safetensors',
      'final/model.safetensors',
      'final/config.json',
      'final/tokenizer.json',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(
      readFileSync(join(out, 'final/model.safetensors')).equals(readFileSync(join(BASE, 'model.safetensors'))),
    ).toBe(false);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(3);
    expect(metrics.every((m) => Number.isFinite(m.loss) && m.trainedTokens > 0 && !m.skipped)).toBe(true);
  });

  test('SIGINT finishes the step, saves a checkpoint and exits with 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-sft-sigint-'));
    const train = sampleData(dir, 16, 4);
    const out = join(dir, 'out');
    const child = spawn(
      process.execPath,
      cli([
        '--model',
        BASE,
        '--data',
        train,
        '--out',
        out,
        '--max-steps',
        '500',
        '--save-steps',
        '0',
        '--max-length',
        '128',
      ]),
      { cwd: ROOT, env },
    );
    let stderr = '';
    const code = await new Promise<number | null>((done) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // The plan line is logged after the first step.
        if (stderr.includes('plan:') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => done(c));
    });
    expect(code, stderr).toBe(130);
    const checkpoints = readdirSync(out).filter((f) => f.startsWith('checkpoint-'));
    expect(checkpoints).toHaveLength(1);
    expect(existsSync(join(out, checkpoints[0]!, 'trainer_state.json'))).toBe(true);
    expect(existsSync(join(out, 'final'))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).interrupted).toBe(true);
  });

  test('flags override the config file; kd flags need a teacher', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-sft-flags-'));
    const config = join(dir, 'sft.yaml');
    writeFileSync(config, 'max_steps: 100\nseed: 1\npacking: false\nkd:\n  teacher: t\n  alpha: 0.2\n');
    expect(sftConfigFromFlags({ config, seed: '7', packing: true, 'kd-temperature': '2' })).toMatchObject({
      maxSteps: 100,
      seed: 7,
      packing: true,
      kd: { teacher: 't', alpha: 0.2, temperature: 2 },
    });
    expect(sftConfigFromFlags({ config, epochs: '2' })).toMatchObject({ maxSteps: -1, numTrainEpochs: 2 });
    expect(() => sftConfigFromFlags({ 'kd-alpha': '0.5' })).toThrow('need --kd-teacher');
    expect(() => sftConfigFromFlags({ 'over-length': 'cut' })).toThrow('drop or truncate');
    expect(() => sftConfigFromFlags({ 'max-steps': 'x' })).toThrow('--max-steps must be an integer');
  });
});
