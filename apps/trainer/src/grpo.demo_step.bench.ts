/**
 * grpo.demo_step: where one GRPO step of the R1-Zero demo (`pnpm start`) spends its time, phase by phase — generate
 * (8 prompts × 8 completions, up to 48 tokens), score (accuracy + format), old/reference log-probs (none in the
 * demo: μ = 1, β = 0), forward + backward, clipping + AdamW. The demo's own config and committed base, through the
 * real loop (runZero), 8 steps; the first is left out as warm-up and the rest give medians. The held-out
 * evaluations are cut to 8 problems × k 1, since they are not the step.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, report } from '../../../scripts/bench-lib';
import { runZero } from './pipelines/zero';
import { readConfigMapping, resolveTrainerConfig } from './trainer-config';

const app = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'r1-grpo-bench-'));
const raw = readConfigMapping(join(app, 'configs/demo.yaml'));
const steps = 8;
const config = resolveTrainerConfig(
  {
    ...raw,
    model: join(app, 'checkpoints/base-arith'),
    eval: { ...(raw.eval as object), problems: 8, k: 1, everySteps: 0 },
    grpo: { ...(raw.grpo as object), output_dir: out, run_name: 'bench', max_steps: steps, save_steps: steps },
  },
  'configs/demo.yaml (bench)',
);
try {
  await runZero({ config, log: () => {}, progress: false });
  const records = readFileSync(join(out, 'bench', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seconds: Record<string, number>; completionLengthMean: number })
    .slice(1);
  const ms = (key: string) => Math.round(median(records.map((r) => r.seconds[key]! * 1000)) * 10) / 10;
  const phases = {
    generate_ms: ms('generate'),
    score_ms: ms('score'),
    logprobs_ms: ms('logprobs'),
    forward_backward_ms: ms('forwardBackward'),
    optimizer_ms: ms('optimizer'),
  };
  const total = Math.round(Object.values(phases).reduce((a, b) => a + b, 0) * 10) / 10;
  report({
    name: 'grpo.demo_step',
    value: total,
    unit: 'ms',
    ...phases,
    steps: records.length,
    completion_tokens_mean: Math.round(median(records.map((r) => r.completionLengthMean)) * 10) / 10,
  });
} finally {
  rmSync(out, { recursive: true, force: true });
}
