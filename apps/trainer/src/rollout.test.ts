/**
 * GRPO with rollouts on an inference server: a real r1-serve process (the same HTTP protocol as SGLang's weight
 * sync), driven by the trainer's `rollout:` block. The demo's run must still learn (the +15-point bar of
 * `pnpm start`), and afterwards the server must serve the trained policy: its greedy completions equal the final
 * checkpoint's, sampled here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, loadTokenizer } from '@r1/model';
import { createLocalEngine, createOpenAIEngine, createSampler, getModelInfo } from '@r1/sampler';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolveDistillVsRlConfig } from './pipelines/distill-vs-rl-config';
import { runR1 } from './pipelines/r1';
import { resolveR1Config } from './pipelines/r1-config';
import { TINY } from './pipelines/test-utils/tiny-r1';
import { runZero } from './pipelines/zero';
import { promptTemplate } from './stages/prompts';
import { resolveRollout } from './stages/rollout';
import { openTrainingTask } from './stages/training-task';
import { readConfigMapping, resolveTrainerConfig } from './trainer-config';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const demoConfig = join(repo, 'apps/trainer/configs/demo.yaml');
const baseArith = join(repo, 'apps/trainer/checkpoints/base-arith');
const work = mkdtempSync(join(tmpdir(), 'r1-rollout-'));

let server: ChildProcess;
let endpoint = '';
let serverLog = '';

beforeAll(async () => {
  const script = join(repo, 'packages/sampler/src/bin/r1-serve.ts');
  server = spawn(
    process.execPath,
    ['--import', 'tsx', script, '--model', baseArith, '--name', 'policy', '--port', '0', '--max-batch-rows', '128'],
    { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  endpoint = await new Promise<string>((resolve, reject) => {
    server.stderr!.on('data', (d: Buffer) => {
      serverLog += d.toString();
      const m = /serving policy at (http:\/\/\S+\/v1)/.exec(serverLog);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`r1-serve exited with ${code}: ${serverLog}`)));
  });
}, 120_000);

afterAll(() => {
  if (server.exitCode === null) server.kill('SIGKILL');
});

/** The demo's config (as `pnpm start` runs it) with a rollout block and its own output directory. */
function demoWith(rollout: Record<string, unknown>, runName: string, grpo: Record<string, unknown> = {}) {
  const raw = readConfigMapping(demoConfig);
  return resolveTrainerConfig(
    {
      ...raw,
      model: baseArith,
      grpo: { ...(raw.grpo as object), output_dir: join(work, 'runs'), run_name: runName, ...grpo },
      rollout,
    },
    demoConfig,
  );
}

describe('GRPO with rollouts on r1-serve and weight sync', () => {
  test('the demo still learns (+15 points, CI above 0), and the server ends on the trained policy', async () => {
    const lines: string[] = [];
    const config = demoWith({ endpoints: [endpoint], weight_sync: 'update_weights_from_disk' }, 'synced');
    const summary = await runZero({ config, log: (l) => lines.push(l), progress: false });

    expect(summary.delta.pass1).toBeGreaterThanOrEqual(0.15);
    expect(summary.delta.ci[0]).toBeGreaterThan(0);
    // One sync before every batch (50 steps, one optimiser step per batch) and one with the trained policy.
    expect(summary.rollout).toMatchObject({
      endpoints: [endpoint],
      weightSync: 'update_weights_from_disk',
      syncs: 51,
      lastSyncedStep: 50,
      stale: false,
      maxLagSteps: 0,
    });
    const metrics = readFileSync(join(summary.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(metrics.map((l) => (JSON.parse(l) as { rolloutLagSteps: number }).rolloutLagSteps)).toEqual(
      Array(50).fill(0),
    );
    // Only the newest synced copy is kept on disk; it is what the server says it serves.
    const syncDir = join(summary.runDir, 'rollout-weights');
    expect(readdirSync(syncDir)).toEqual(['step-50']);
    const info = await getModelInfo(endpoint);
    expect(info.model_path).toBe(join(syncDir, 'step-50'));
    expect(info.weight_version).toBe('step-50');

    // The server's greedy completions are the final checkpoint's.
    const checkpoint = join(summary.runDir, 'checkpoint-50');
    const model = await loadModel(checkpoint);
    const tokenizer = await loadTokenizer(checkpoint);
    const local = createSampler(createLocalEngine({ model, tokenizer }));
    const remote = createSampler(createOpenAIEngine({ baseUrl: endpoint, model: 'policy', returnTokenIds: true }));
    const task = await openTrainingTask(config.task, config.eval.problems);
    const render = promptTemplate('r1-zero', tokenizer, checkpoint).render;
    const requests = task
      .heldOut(config.eval.seed)
      .slice(0, 16)
      .map((p) => ({ prompt: render(p).prompt }));
    const params = { n: 1, temperature: 0, maxNewTokens: 48 };
    const mine = await local.generate(requests, params);
    const theirs = await remote.generate(requests, params);
    model.dispose();
    expect(theirs.map((g) => g.map((c) => [c.text, c.tokenIds]))).toEqual(
      mine.map((g) => g.map((c) => [c.text, c.tokenIds])),
    );
    expect(lines.join('\n')).toMatch(/rollouts on 1 endpoint\(s\)/);
  }, 900_000);

  test("synced rollouts are the policy's own: 3 steps through the server, stopped after 2 and resumed, train the same weights as 3 local steps", async () => {
    const small = { problems: 8, everySteps: 0 };
    const steps = { max_steps: 3, save_steps: 3 };
    const remote = demoWith({ endpoints: [endpoint] }, 'same-remote', steps);
    const local = { ...demoWith({ endpoints: [endpoint] }, 'same-local', steps), rollout: null };
    // The server run is killed after 2 steps and resumed: a fresh process syncs the servers before its first batch.
    const remoteConfig = { ...remote, eval: { ...remote.eval, ...small } };
    const cut = await runZero({ config: remoteConfig, stopAfterSteps: 2, log: () => {}, progress: false });
    const a = await runZero({
      config: remoteConfig,
      resume: join(cut.runDir, 'checkpoint-2'),
      log: () => {},
      progress: false,
    });
    const b = await runZero({
      config: { ...local, eval: { ...local.eval, ...small } },
      log: () => {},
      progress: false,
    });
    const records = (dir: string) =>
      readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const {
            seconds: _s,
            tokensPerSecond: _t,
            rolloutLagSteps: _l,
            ...rest
          } = JSON.parse(l) as Record<string, unknown>;
          return rest;
        });
    expect(records(a.runDir)).toEqual(records(b.runDir));
    const weights = async (dir: string) => {
      const m = await loadModel(dir);
      const out = [...m.parameters()].map(([k, v]) => [k, Array.from(v.dataSync())]);
      m.dispose();
      return out;
    };
    expect(await weights(join(a.runDir, 'checkpoint-3'))).toEqual(await weights(join(b.runDir, 'checkpoint-3')));
    expect(b.rollout).toBeUndefined();
    // Syncs before steps 0 and 1, then (resumed) before step 2 and after the last step.
    expect(a.rollout).toMatchObject({ syncs: 4, lastSyncedStep: 3, stale: false });
  }, 300_000);

  test('weight_sync none: no syncs, the lag is recorded, and the run says the rollouts are stale', async () => {
    const lines: string[] = [];
    const config = demoWith({ endpoints: [endpoint], weight_sync: 'none' }, 'stale', {
      max_steps: 3,
      save_steps: 3,
    });
    const summary = await runZero({
      config: { ...config, eval: { ...config.eval, problems: 8, everySteps: 0 } },
      log: (l) => lines.push(l),
      progress: false,
    });
    expect(summary.rollout).toMatchObject({ syncs: 0, lastSyncedStep: null, stale: true, maxLagSteps: 2 });
    expect(lines.join('\n')).toMatch(/weight_sync none: .*stale/);
    // sync_every 2: synced before steps 0 and 2 and after the last; the batch of step 1 came from step-0 weights.
    const every2 = demoWith({ endpoints: [endpoint], sync_every: 2 }, 'every2', { max_steps: 3, save_steps: 3 });
    const lagged = await runZero({
      config: { ...every2, eval: { ...every2.eval, problems: 8, everySteps: 0 } },
      log: () => {},
      progress: false,
    });
    expect(lagged.rollout).toMatchObject({ syncs: 3, lastSyncedStep: 3, stale: true, maxLagSteps: 1 });
    const lags = readFileSync(join(lagged.runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { rolloutLagSteps: number }).rolloutLagSteps);
    expect(lags).toEqual([0, 1, 0]);
  }, 300_000);

  test('a server without the weight-sync route fails the run before the first batch, naming the server', async () => {
    // An OpenAI-compatible server that lists a model but has no /update_weights_from_disk (as vLLM by default).
    const bare: Server = createServer((req, res) => {
      if (req.url === '/v1/models') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model' }] }));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ detail: 'Not Found' }));
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/v1`;
    try {
      const config = demoWith({ endpoints: [url] }, 'bare', { max_steps: 1 });
      await expect(
        runZero({
          config: { ...config, eval: { ...config.eval, problems: 4, everySteps: 0 } },
          log: () => {},
          progress: false,
        }),
      ).rejects.toThrow(/127\.0\.0\.1:\d+\/update_weights_from_disk does not exist \(404\).*weight_sync: none/);
    } finally {
      bare.close();
    }
  }, 300_000);
});

describe('every RL stage of the r1 pipeline samples on the server', () => {
  test('the tiny pipeline with a rollout block: both RL stages sync and record it in their stage records', async () => {
    const config = resolveR1Config({ ...TINY, rollout: { endpoints: [endpoint] } }, 'tiny');
    const out = join(work, 'r1');
    const summary = await runR1({ config, out, resume: false, log: () => {}, progress: false });
    // Every stage's record (OUT/<stage>/stage.json); summary.json lists the stages after the baseline.
    const record = (name: string) =>
      JSON.parse(readFileSync(join(out, name, 'stage.json'), 'utf8')) as { rollout?: unknown };
    const synced = expect.objectContaining({ syncs: 3, lastSyncedStep: 2, stale: false, endpoints: [endpoint] });
    expect(record('r1_zero').rollout).toEqual(synced);
    expect(record('reasoning_rl').rollout).toEqual(synced);
    expect(summary!.stages.find((s) => s.name === 'reasoning_rl')?.rollout).toEqual(synced);
    expect(record('cold_start').rollout).toBeUndefined();
    for (const name of ['r1_zero', 'reasoning_rl'])
      expect(readdirSync(join(out, name, 'rollout-weights'))).toEqual(['step-2']);
    // The server was left on the last RL stage's policy.
    expect((await getModelInfo(endpoint)).model_path).toBe(join(out, 'reasoning_rl', 'rollout-weights', 'step-2'));
  }, 600_000);
});

describe('rollout config', () => {
  test('defaults, relative sync_dir, and errors that name the file and key', () => {
    expect(resolveRollout(undefined, 'c.yaml')).toBeNull();
    expect(resolveRollout({ endpoints: 'http://a:1/v1', sync_dir: 'w' }, 'c.yaml', '/cfg')).toEqual({
      endpoints: ['http://a:1/v1'],
      apiModel: null,
      weightSync: 'update_weights_from_disk',
      syncDir: '/cfg/w',
      syncEvery: 1,
      concurrency: 8,
      apiKeyEnv: null,
      maxRetries: 5,
      timeoutSeconds: 600,
    });
    const bad: [unknown, RegExp][] = [
      [{}, /c\.yaml: rollout\.endpoints: give one or more/],
      [{ endpoints: [] }, /rollout\.endpoints: give one or more/],
      [{ endpoints: ['gpu-1:30000'] }, /rollout\.endpoints\[0\]: "gpu-1:30000" is not an http\(s\) URL/],
      [
        { endpoints: ['http://a/v1'], weight_sync: 'nccl' },
        /weight_sync "nccl" is not one of update_weights_from_disk, none/,
      ],
      [{ endpoints: ['http://a/v1'], sync_every: 0 }, /sync_every must be an integer ≥ 1, got 0/],
      [{ endpoints: ['http://a/v1'], endpoint: 'x' }, /rollout\.endpoint is unknown; valid: endpoints, api_model/],
      ['http://a/v1', /rollout must be a mapping/],
    ];
    for (const [raw, message] of bad) expect(() => resolveRollout(raw, 'c.yaml')).toThrow(message);
    // The pipelines take the block at the top, for every RL stage; paths are relative to their file.
    const r1 = resolveR1Config({ ...TINY, rollout: { endpoints: ['http://a/v1'], sync_dir: 'w' } }, 'r1.yaml', '/cfg');
    expect(r1.rollout?.syncDir).toBe('/cfg/w');
    expect(resolveR1Config(TINY, 'r1.yaml').rollout).toBeNull();
    expect(() => resolveR1Config({ ...TINY, rollout: { endpoints: [] } }, 'r1.yaml')).toThrow(
      /r1\.yaml: rollout\.endpoints/,
    );
    expect(
      resolveDistillVsRlConfig({ model: 'm', rollout: { endpoints: ['http://a/v1'], weight_sync: 'none' } }, 'd.yaml')
        .rollout?.weightSync,
    ).toBe('none');
    expect(() => resolveTrainerConfig({ model: 'm', rollout: { endpoints: ['ftp://x'] } }, 'z.yaml')).toThrow(
      /z\.yaml: rollout\.endpoints\[0\]/,
    );
  });
});
