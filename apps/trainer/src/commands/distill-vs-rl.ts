/**
 * `r1-train distill-vs-rl [--config FILE] [--out DIR] [--resume]`: Table 6 in miniature (pipelines/distill-vs-rl.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDistillVsRl } from '../pipelines/distill-vs-rl';
import { loadDistillVsRlConfig } from '../pipelines/distill-vs-rl-config';
import { pipelineCommand } from './pipeline-command';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DVR_CONFIG = join(APP_DIR, 'configs', 'distill-vs-rl.yaml');

export const DVR_USAGE = `usage:
  r1-train distill-vs-rl [--config FILE] [--out DIR] [--resume]
  Table 6 in miniature: a teacher (GRPO from base-r1) → rejection-sampled traces → SFT of a smaller student, against
  GRPO on the same student with a budget at least the distilled arm's; held-out and out-of-distribution pass@1 with
  the paired bootstrap. Default config ${DVR_CONFIG}; default out runs/distill-vs-rl. Writes OUT/summary.json,
  OUT/report.html and one directory per stage; --resume skips finished stages.`;

export const distillVsRlCommand = pipelineCommand({
  name: 'distill-vs-rl',
  usage: DVR_USAGE,
  defaultConfig: DVR_CONFIG,
  defaultOut: 'runs/distill-vs-rl',
  load: loadDistillVsRlConfig,
  run: runDistillVsRl,
});
