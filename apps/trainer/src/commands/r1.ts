/**
 * `r1-train r1 [--config FILE] [--out DIR] [--resume]`: the R1 pipeline (pipelines/r1.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runR1 } from '../pipelines/r1';
import { loadR1Config } from '../pipelines/r1-config';
import { pipelineCommand } from './pipeline-command';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const R1_CONFIG = join(APP_DIR, 'configs', 'r1.yaml');

export const R1_USAGE = `usage:
  r1-train r1 [--config FILE] [--out DIR] [--resume]
  The DeepSeek-R1 pipeline in miniature: cold start → reasoning RL with language consistency → rejection sampling
  + non-reasoning data → SFT from the base, beside an R1-Zero baseline from the same base. Default config
  ${R1_CONFIG}; default out runs/r1. Writes OUT/summary.json, OUT/report.html and one directory per stage;
  --resume skips finished stages and continues an interrupted one from its last checkpoint.`;

export const r1Command = pipelineCommand({
  name: 'r1',
  usage: R1_USAGE,
  defaultConfig: R1_CONFIG,
  defaultOut: 'runs/r1',
  load: loadR1Config,
  run: runR1,
});
