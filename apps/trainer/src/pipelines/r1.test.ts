import { execSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '@r1/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { countColour, decodePng } from '../../../evaluator/src/test-utils/png';
import { runR1, STAGE_NAMES } from './r1';
import { loadR1Config, resolveR1Config } from './r1-config';
import { TINY } from './test-utils/tiny-r1';

const BASE = TINY.model as string;

const CONFIG = fileURLToPath(new URL('../../configs/r1.yaml', import.meta.url));
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const root = mkdtempSync(join(tmpdir(), 'r1-pipeline-'));

const tiny = (extra: Record<string, unknown> = {}) => resolveR1Config({ ...TINY, ...extra }, 'tiny');

beforeAll(async () => {
  await initBackend(undefined, { log: () => {} });
});

describe('r1-train r1 (tiny config)', () => {
  test('runs every stage, moves the parameters, writes summary.json and report.html; --resume skips finished stages', async () => {
    const out = join(root, 'run');
    const lines: string[] = [];
    const summary = await runR1({ config: tiny(), out, resume: false, log: (l) => lines.push(l), progress: false });
    expect(summary).not.toBeNull();
    const s = summary!;
    // Without an all_scenario_rl section the pipeline ends at stage 3's SFT.
    expect(s.stages.map((x) => x.name)).toEqual(STAGE_NAMES.filter((n) => n !== 'all_scenario_rl'));
    for (const snap of [s.base, s.r1Zero, s.r1, ...s.stages.map((x) => x.eval)]) {
      for (const key of [
        'pass1',
        'consK',
        'languageConsistency',
        'readableRate',
        'formatRate',
        'meanTokens',
      ] as const) {
        expect(Number.isFinite(snap[key]), key).toBe(true);
      }
      expect(snap.pass1CI[0]).toBeLessThanOrEqual(snap.pass1CI[1]);
    }
    expect(s.r1VsR1Zero.ci[0]).toBeLessThanOrEqual(s.r1VsR1Zero.ci[1]);
    expect(s.budget.r1ZeroSteps).toBe(2);
    expect(s.budget.reasoningRlSteps).toBe(2);
    // Each stage's model differs from the base: the parameters moved.
    const base = readFileSync(join(BASE, 'model.safetensors'));
    for (const stage of s.stages.filter((x) => x.checkpoint !== undefined)) {
      expect(readFileSync(join(stage.checkpoint!, 'model.safetensors')).equals(base), stage.name).toBe(false);
    }
    const written = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(written)).toEqual(
      expect.arrayContaining(['wallSeconds', 'stages', 'base', 'r1Zero', 'r1', 'r1VsR1Zero']),
    );
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    // The cold-start set is readable by construction, and every eval left an r1-eval results file.
    const cold = readFileSync(join(out, 'cold_start', 'data.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(cold.length).toBeGreaterThan(0);
    for (const name of ['base', 'r1_zero', 'cold_start', 'reasoning_rl', 'sft']) {
      expect(existsSync(join(out, 'eval', name, 'results.jsonl')), name).toBe(true);
    }

    // A rerun without --resume is refused; with it, every stage is skipped and the summary is the same.
    await expect(runR1({ config: tiny(), out, resume: false, log: () => {} })).rejects.toThrow(/--resume/);
    const again: string[] = [];
    const resumed = await runR1({ config: tiny(), out, resume: true, log: (l) => again.push(l), progress: false });
    expect(again.filter((l) => l.includes('skipped'))).toHaveLength(6);
    expect(resumed!.r1).toEqual(s.r1);
    expect(resumed!.r1VsR1Zero).toEqual(s.r1VsR1Zero);
  }, 240_000);

  test('a run stopped after a stage resumes from there and ends as an uninterrupted run does', async () => {
    const out = join(root, 'stopped');
    expect(await runR1({ config: tiny(), out, resume: false, log: () => {}, stopAfter: 'cold_start' })).toBeNull();
    expect(existsSync(join(out, 'cold_start', 'stage.json'))).toBe(true);
    expect(existsSync(join(out, 'reasoning_rl', 'stage.json'))).toBe(false);
    const lines: string[] = [];
    const resumed = await runR1({ config: tiny(), out, resume: true, log: (l) => lines.push(l), progress: false });
    expect(lines.filter((l) => l.includes('skipped'))).toHaveLength(3);
    const full = JSON.parse(readFileSync(join(root, 'run', 'summary.json'), 'utf8'));
    // Every random choice is seeded by (seed, step): the resumed pipeline reproduces the uninterrupted one.
    expect(resumed!.r1.pass1).toBe(full.r1.pass1);
    expect(resumed!.r1Zero.pass1).toBe(full.r1Zero.pass1);
  }, 240_000);

  test('kill -9 in the middle of an RL stage: `r1-train r1 --resume` continues from its checkpoint', async () => {
    const out = join(root, 'killed');
    const config = join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify(TINY));
    const args = ['--import', 'tsx', CLI, 'r1', '--config', config, '--out', out];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const killed = await new Promise<boolean>((done) => {
      const timer = setInterval(() => {
        if (existsSync(join(out, 'reasoning_rl', 'checkpoint-1', 'trainer_state.json'))) {
          clearInterval(timer);
          child.kill('SIGKILL');
          done(true);
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        done(false);
      });
    });
    expect(killed, `the run ended before it could be killed: ${stderr}`).toBe(true);
    expect(existsSync(join(out, 'reasoning_rl', 'stage.json'))).toBe(false);
    const again = spawnSync(process.execPath, [...args, '--resume'], { encoding: 'utf8', timeout: 200_000 });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/cold_start: done in an earlier run/);
    const resumed = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const full = JSON.parse(readFileSync(join(root, 'run', 'summary.json'), 'utf8'));
    expect(resumed.r1.pass1).toBe(full.r1.pass1);
    expect(resumed.stages[1].eval.pass1).toBe(full.stages[1].eval.pass1);
  }, 240_000);

  test('stage 4 (all_scenario_rl) plugs in after sft: reward models, routed rewards, gated and ungated runs', async () => {
    const out = join(root, 'stage4');
    cpSync(join(root, 'run'), out, { recursive: true });
    const config = tiny({
      all_scenario_rl: {
        max_steps: 2,
        hacking_steps: 2,
        general_k: 1,
        reward_models: {
          pairs: 48,
          eval_pairs: 16,
          policy_pairs: 16,
          policy_k: 2,
          config: { num_train_epochs: 1, per_device_train_batch_size: 16 },
        },
      },
    });
    const lines: string[] = [];
    const s = (await runR1({ config, out, resume: true, log: (l) => lines.push(l), progress: false }))!;
    expect(lines.filter((l) => l.includes('skipped'))).toHaveLength(6);
    expect(s.stages.map((x) => x.name)).toEqual([...STAGE_NAMES]);
    const stage4 = s.stages.at(-1)!;
    expect(s.r1).toEqual(stage4.eval);
    expect(s.helpfulness!.ci[0]).toBeLessThanOrEqual(s.helpfulness!.ci[1]);
    expect(s.harmlessness!.before).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(s.rewardHacking!.rmRewardRise)).toBe(true);
    for (const rm of ['helpful', 'harmless']) {
      expect(existsSync(join(out, 'all_scenario_rl', 'reward-models', rm, 'final', 'config.json')), rm).toBe(true);
    }
    // The helpful RM also trained on the stage-3 model's own replies, and is measured on held-out ones.
    expect(lines.some((l) => /48 synthetic \+ \d+ on-policy pairs/.test(l))).toBe(true);
    const models = (stage4 as { data?: { rewardModels?: { helpful: { policyEval?: { accuracy: number } } } } }).data
      ?.rewardModels;
    expect(models?.helpful.policyEval?.accuracy ?? -1).toBeGreaterThanOrEqual(0);
    // Every step logs the reward model's helpfulness next to the hidden gold one; the general prompts got no rule
    // reward (routing), so the logged accuracy is over reasoning prompts only.
    for (const run of ['rl', 'ungated']) {
      const steps = readFileSync(join(out, 'all_scenario_rl', run, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(steps).toHaveLength(2);
      for (const line of steps) {
        const r = JSON.parse(line);
        expect(Object.keys(r.extra)).toEqual(['goldHelpfulness', 'rmHelpfulness', 'harmlessness']);
        expect(r.accuracy).toBeGreaterThanOrEqual(0);
      }
    }
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('All-scenario RL (stage 4)');
  }, 240_000);

  test('config errors name the file and the key', () => {
    expect(() => tiny({ languge_consistency: false })).toThrow(
      /tiny: unknown key "languge_consistency" \(did you mean language_consistency\?\)/,
    );
    expect(() => tiny({ cold_start: { problem: 3 } })).toThrow(
      /cold_start.problem is unknown \(did you mean problems\?\)/,
    );
    expect(() => tiny({ language_consistency: 'no' })).toThrow(/language_consistency must be true or false/);
    expect(() => tiny({ all_scenario_rl: { reward_models: { policy_k: 1 } } })).toThrow(/policy_k/);
    expect(() => tiny({ all_scenario_rl: { reward_models: { policy_pair: 1 } } })).toThrow(/policy_pair/);
    expect(() => tiny({ sft: { learning_rat: 1 } })).toThrow(
      /tiny: sft: [\s\S]*learning_rat: unknown option; did you mean learning_rate/,
    );
    expect(() => tiny({ reasoning_rl: { max_step: 3 } })).toThrow(
      /reasoning_rl[\s\S]*maxStep: unknown option — did you mean maxSteps/,
    );
    // The committed default config loads, and the ablation switch drops exactly the language reward.
    const config = loadR1Config(CONFIG);
    expect(config.reasoningRl.rewardFuncs).toEqual(['accuracy', 'format', 'language_consistency']);
    expect(config.r1Zero.rewardFuncs).toEqual(['accuracy', 'format']);
    expect(tiny({ language_consistency: false }).reasoningRl.rewardFuncs).toEqual(['accuracy', 'format']);
    // The committed ablation config extends the default one and changes only the switch.
    const ablation = loadR1Config(CONFIG.replace('r1.yaml', 'r1-no-language-reward.yaml'));
    expect(ablation.reasoningRl.rewardFuncs).toEqual(['accuracy', 'format']);
    expect(ablation.languageConsistency).toBe(false);
    for (const key of ['model', 'task', 'eval', 'r1Zero', 'coldStart', 'rejectionSampling', 'sft'] as const) {
      expect(ablation[key], key).toEqual(config[key]);
    }
    // The committed stage-4 config: r1.yaml with a general-heavy stage 3 and on-policy RM pairs.
    const all = loadR1Config(CONFIG.replace('r1.yaml', 'r1-all-scenario.yaml'));
    expect(all.rejectionSampling.nonReasoningRatio).toBe(3);
    expect(all.sft.num_train_epochs).toBe(3);
    expect(all.allScenarioRl).toMatchObject({ hackingRun: true, rewardModels: { policyPairs: 2000, pairs: 2000 } });
    for (const key of ['model', 'task', 'eval', 'r1Zero', 'coldStart', 'reasoningRl'] as const) {
      expect(all[key], key).toEqual(config[key]);
    }
    expect({ ...ablation.reasoningRl, rewardFuncs: [] }).toEqual({ ...config.reasoningRl, rewardFuncs: [] });
    const cyclic = join(root, 'cycle.yaml');
    writeFileSync(cyclic, 'extends: cycle.yaml\n');
    expect(() => loadR1Config(cyclic)).toThrow(/extends cycle.yaml makes a cycle/);
  });
});

describe('runs/r1/report.html in headless Chromium', () => {
  beforeAll(() => {
    // CI runs as root with the Debian archive reachable; the one-off install is outside the test-time budget.
    if (!existsSync(CHROMIUM))
      execSync('apt-get update && apt-get install -y chromium', { stdio: 'ignore', timeout: 1_200_000 });
  }, 1_200_000);

  test('renders the stage table, the RL curves and the side-by-side samples', () => {
    const report = join(root, 'run', 'report.html');
    expect(existsSync(report), 'the pipeline test above writes the report').toBe(true);
    const html = readFileSync(report, 'utf8');
    for (const text of [
      'R1-Zero (baseline)',
      'cold_start',
      'reasoning_rl',
      'rejection_sampling',
      'sft',
      'language consistency',
    ]) {
      expect(html).toContain(text);
    }
    const png = join(root, 'report.png');
    const r = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        `--user-data-dir=${mkdtempSync(join(root, 'profile-'))}`,
        `--screenshot=${png}`,
        '--window-size=1200,2400',
        pathToFileURL(report).href,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(existsSync(png), `chromium wrote no screenshot: ${r.stderr}`).toBe(true);
    const image = decodePng(readFileSync(png));
    expect(image.width * image.height - countColour(image, [255, 255, 255], 8)).toBeGreaterThan(50_000);
    // The charts drew their first series (#2563eb).
    expect(countColour(image, [0x25, 0x63, 0xeb])).toBeGreaterThan(200);
    writeFileSync(join(root, 'ok'), '');
  }, 180_000);
});
