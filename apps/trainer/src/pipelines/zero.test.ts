import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel, createTokenizer, loadModel, saveModel, trainBpeTokenizer } from '@r1/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadTrainerConfig, resolveTrainerConfig } from '../trainer-config';
import { buildCorpus, DEFAULT_CORPUS_OPTIONS } from '../world/corpus';
import { runZero, type StepRecord } from './zero';

let root: string;
let base: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'r1-zero-'));
  base = join(root, 'base');
  const docs = buildCorpus({ ...DEFAULT_CORPUS_OPTIONS, count: 300 });
  const texts = docs.map((d) => d.prompt + d.completion);
  const alphabet = [...new Set(`0123456789+-*/=()?.,: \n${texts.join('').replace(/<\/?(think|answer)>/g, '')}`)].join(
    '',
  );
  const tokenizer = createTokenizer(trainBpeTokenizer(texts, alphabet, { vocabSize: 200 }));
  const model = createModel(
    {
      model_type: 'qwen2',
      vocab_size: tokenizer.vocabSize,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      max_position_embeddings: 128,
      tie_word_embeddings: true,
    } as never,
    { seed: 1 },
  );
  await saveModel(base, model, { tokenizer: tokenizer.files });
  model.dispose();
}, 120_000);

function config(runName: string, grpo: Record<string, unknown> = {}) {
  return resolveTrainerConfig(rawConfig(runName, grpo));
}

function rawConfig(runName: string, grpo: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: base,
    task: { name: 'arithmetic', maxOperands: 2, operators: ['+'] },
    eval: { problems: 4, k: 2, everySteps: 2, curveProblems: 2, curveK: 1 },
    grpo: {
      output_dir: join(root, 'runs'),
      run_name: runName,
      num_generations: 4,
      per_device_train_batch_size: 8,
      max_completion_length: 10,
      // A random model never answers right; the repetition penalty varies between completions, so there is signal.
      reward_funcs: ['accuracy', 'repetition'],
      learning_rate: 1e-2,
      max_steps: 3,
      save_steps: 1,
      logging_steps: 1,
      ...grpo,
    },
  };
}

const weights = async (dir: string) => {
  const m = await loadModel(dir);
  const out = new Map([...m.parameters()].map(([k, v]) => [k, Array.from(v.dataSync())]));
  m.dispose();
  return out;
};

describe('r1-train zero', () => {
  test('a 3-step smoke run changes parameters and writes metrics, summary, report and runs/latest', async () => {
    const summary = await runZero({ config: config('smoke'), log: () => {}, progress: false });
    const run = join(root, 'runs', 'smoke');
    expect(summary.steps).toBe(3);
    const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StepRecord);
    expect(lines.map((l) => l.step)).toEqual([0, 1, 2]);
    for (const l of lines) {
      expect(l).toMatchObject({ skipped: false });
      for (const key of [
        'rewardMean',
        'rewardStd',
        'fracZeroStd',
        'completionLengthMean',
        'truncatedFraction',
        'entropy',
        'gradNorm',
        'learningRate',
        'tokensPerSecond',
        'clipFraction',
      ] as const) {
        expect(Number.isFinite(l[key])).toBe(true);
      }
      expect(Object.keys(l.rewardComponents)).toEqual(['accuracy', 'repetition']);
      // The step's phases (grpo.demo_step reports them): μ = 1 and β = 0 here, so no log-probs before the pass.
      expect(l.seconds).toMatchObject({ logprobs: 0 });
      expect(l.seconds.forwardBackward).toBeGreaterThan(0);
      expect(l.seconds.optimizer).toBeGreaterThanOrEqual(0);
    }
    expect(lines[1]!.heldOutPass1).toBeGreaterThanOrEqual(0);
    const s = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    for (const k of ['task', 'steps', 'wallSeconds', 'before', 'after', 'delta', 'meanLengthFirst', 'meanLengthLast'])
      expect(s).toHaveProperty(k);
    expect(s.before).toHaveProperty('pass1CI');
    expect(s.delta.ci).toHaveLength(2);
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toContain('<svg');
    expect(readlinkSync(join(root, 'runs', 'latest'))).toBe('smoke');
    const [b, a] = [await weights(base), await weights(join(run, 'checkpoint-3'))];
    expect([...b].some(([k, v]) => v.some((x, i) => x !== a.get(k)![i]))).toBe(true);
  });

  test('--resume continues to the same final weights as an uninterrupted run', async () => {
    await runZero({ config: config('straight', { max_steps: 4, save_steps: 4 }), log: () => {}, progress: false });
    const first = await runZero({
      config: config('resumed', { max_steps: 4, save_steps: 4 }),
      stopAfterSteps: 2,
      log: () => {},
      progress: false,
    });
    expect(first.steps).toBe(2);
    const checkpoint = join(root, 'runs', 'resumed', 'checkpoint-2');
    expect(existsSync(checkpoint)).toBe(true);
    await runZero({
      config: config('resumed', { max_steps: 4, save_steps: 4 }),
      resume: checkpoint,
      log: () => {},
      progress: false,
    });
    const [a, b] = [
      await weights(join(root, 'runs', 'straight', 'checkpoint-4')),
      await weights(join(root, 'runs', 'resumed', 'checkpoint-4')),
    ];
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
    const metrics = (name: string) =>
      readFileSync(join(root, 'runs', name, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).rewardMean);
    expect(metrics('resumed')).toEqual(metrics('straight'));
  });

  test('an MoE policy (upcycled from the dense base) trains through the same path', async () => {
    const cfg = { ...config('moe', { max_steps: 2, save_steps: 2 }), moe: { nRoutedExperts: 4, numExpertsPerTok: 2 } };
    const summary = await runZero({ config: cfg, log: () => {}, progress: false });
    expect(summary.steps).toBe(2);
    const m = await loadModel(join(root, 'runs', 'moe', 'checkpoint-2'));
    expect(m.config.moe?.n_routed_experts).toBe(4);
    m.dispose();
  });

  test('SIGINT finishes the step, saves a checkpoint and exits cleanly', async () => {
    const file = join(root, 'sigint.yaml');
    const runDir = join(root, 'runs', 'sigint');
    writeFileSync(
      file,
      JSON.stringify({
        model: base,
        task: { name: 'arithmetic', maxOperands: 2, operators: ['+'] },
        eval: { problems: 2, k: 1, everySteps: 0 },
        grpo: {
          output_dir: join(root, 'runs'),
          run_name: 'sigint',
          num_generations: 4,
          per_device_train_batch_size: 8,
          max_completion_length: 10,
          reward_funcs: ['accuracy', 'repetition'],
          max_steps: 500,
          save_steps: 1000,
        },
      }),
    );
    const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'zero', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const metrics = join(runDir, 'metrics.jsonl');
    const deadline = Date.now() + 90_000;
    while (!(existsSync(metrics) && readFileSync(metrics, 'utf8').trim().length > 0)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no step was logged: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/SIGINT: finishing this step/);
    const checkpoints = readdirSync(runDir).filter((d) => d.startsWith('checkpoint-'));
    expect(checkpoints).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(runDir, checkpoints[0]!, 'trainer_state.json'), 'utf8'));
    expect(state.step).toBeGreaterThanOrEqual(1);
    expect(state.step).toBeLessThan(500);
    expect(checkpoints[0]).toBe(`checkpoint-${state.step}`);
  });

  test('problems from a data file, the r1 template and dynamic sampling go through the same loop', async () => {
    const file = join(root, 'train.jsonl');
    writeFileSync(
      file,
      Array.from({ length: 40 }, (_, i) =>
        JSON.stringify({ id: `q${i}`, question: `What is ${i % 7} + 2?`, answer: `#### ${(i % 7) + 2}` }),
      ).join('\n'),
    );
    const c = resolveTrainerConfig({
      ...rawConfig('file-task', { dynamic_sampling: true, max_num_gen_batches: 3, max_steps: 2 }),
      task: {
        name: 'file',
        path: file,
        problem_field: 'question',
        answer_field: 'answer',
        answer_format: 'gsm8k',
        id_field: 'id',
      },
      template: 'r1',
    });
    const summary = await runZero({ config: c, log: () => {}, progress: false });
    expect(summary.steps).toBe(2);
    expect(summary.before.problems).toBe(4);
    const records = readFileSync(join(summary.runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StepRecord);
    for (const r of records) {
      // Every group of a dynamic-sampling batch is drawn; those whose rewards all agree are counted as dropped.
      expect(r.groupsDrawn).toBeGreaterThanOrEqual(2);
      expect(r.groupsDrawn).toBeLessThanOrEqual(6);
      expect(r.groupsDropped).toBeLessThanOrEqual(r.groupsDrawn);
      expect(r.readableRate).toBeGreaterThanOrEqual(0);
      expect(r.languageConsistency).toBeGreaterThanOrEqual(0);
      expect(r.languageConsistency).toBeLessThanOrEqual(1);
    }
  });

  test('a file task is checked before training: too few problems to hold out, a bad line, unknown keys', async () => {
    const small = join(root, 'small.jsonl');
    writeFileSync(small, `${JSON.stringify({ problem: 'What is 1 + 1?', answer: '2' })}\n`);
    const c = resolveTrainerConfig({ ...rawConfig('small'), task: { name: 'file', path: small } });
    await expect(runZero({ config: c, log: () => {}, progress: false })).rejects.toThrow(/too few to hold out/);
    const bad = join(root, 'bad.jsonl');
    writeFileSync(
      bad,
      `${JSON.stringify({ problem: 'What is 1 + 1?', answer: '2' })}\n{"problem": 3, "answer": "1"}\n`,
    );
    const b = resolveTrainerConfig({ ...rawConfig('bad'), task: { name: 'file', path: bad } });
    await expect(runZero({ config: b, log: () => {}, progress: false })).rejects.toThrow(/bad\.jsonl.*2.*problem/);
    expect(() => resolveTrainerConfig({ ...rawConfig('x'), task: { name: 'file', path: bad, field: 'q' } })).toThrow(
      /task\.field is unknown for a file task/,
    );
    expect(() => resolveTrainerConfig({ ...rawConfig('x'), task: { name: 'file' } })).toThrow(/task\.path/);
    expect(() => resolveTrainerConfig({ ...rawConfig('x'), template: 'alpaca' })).toThrow(/template "alpaca"/);
  });

  test('the code reward: programs run in the jail train through the same loop, and held-out pass@1 runs them too', async () => {
    const app = fileURLToPath(new URL('../..', import.meta.url));
    const demo = loadTrainerConfig(join(app, 'configs', 'code-demo.yaml'));
    expect(demo.grpo.rewardFuncs).toEqual(['code', 'format']);
    expect(demo.task.options).toMatchObject({ promptStyle: 'program' });
    const c = resolveTrainerConfig({
      ...rawConfig('code', {
        reward_funcs: ['code', 'format'],
        max_completion_length: 40,
        max_prompt_length: 96,
        learning_rate: 5e-4,
        max_steps: 2,
      }),
      model: join(app, 'checkpoints', 'base-code'),
      task: { name: 'arithmetic', maxOperands: 3, operators: ['+', '-'], promptStyle: 'program' },
    });
    const summary = await runZero({ config: c, log: () => {}, progress: false });
    expect(summary.steps).toBe(2);
    const records = readFileSync(join(summary.runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StepRecord);
    for (const r of records) {
      expect(Object.keys(r.rewardComponents)).toEqual(['code', 'format']);
      expect(r.rewardComponents.code).toBeGreaterThanOrEqual(0);
      expect(r.rewardComponents.code).toBeLessThanOrEqual(1);
      expect(r.accuracy).toBe(r.rewardComponents.code);
    }
    // The base writes runnable programs often enough for the reward to differ within groups.
    expect(records.some((r) => r.rewardStd > 0)).toBe(true);
    expect(summary.before.pass1).toBeGreaterThanOrEqual(0);
    expect(summary.after.pass1).toBeLessThanOrEqual(1);
  });

  test('template chat needs a chat template in the checkpoint', async () => {
    const c = resolveTrainerConfig({ ...rawConfig('chat'), template: 'chat' });
    await expect(runZero({ config: c, log: () => {}, progress: false })).rejects.toThrow(/has no chat template/);
  });

  test('bad config is rejected with the section and key', () => {
    expect(() => resolveTrainerConfig({ model: base, grpo: { num_generations: 1 } })).toThrow(
      /grpo: invalid GRPO config[\s\S]*numGenerations/,
    );
    expect(() => resolveTrainerConfig({ model: base, evals: {} })).toThrow(/unknown section "evals"/);
    expect(() => resolveTrainerConfig({ model: base, eval: { kk: 2 } })).toThrow(/eval\.kk is unknown/);
    expect(() => resolveTrainerConfig({ model: base, task: { name: 'chess' } })).toThrow(/not a built-in task/);
  });
});
