/**
 * The rejection-sampling stage: problems in, a verified, filtered and deduplicated SFT set out (OUT/data.jsonl and
 * manifest.json), with a progress bar on stderr. `r1-train sample run` is this stage on its own; the R1 pipeline and
 * distill-vs-rl call it between their RL and SFT stages.
 */

import type { FilterOptions } from '@r1/rejection-sampling';
import { type Manifest, type RSProblem, type RSProgress, rejectionSample } from '@r1/rejection-sampling';
import type { Engine, GenerationRequest, SamplingParams } from '@r1/sampler';
import { type CompletionFormat, renderR1Zero } from '@r1/templates';
import { formatSeconds } from '../progress';
import { fillTracesThroughQueue, type QueueTarget } from './sample-queue';

export const SAMPLE_TEMPLATES = ['r1-zero', 'r1', 'chat'] as const;
/**
 * How a problem becomes a prompt, and where the trace's reasoning is:
 * - 'r1-zero': the R1-Zero text prompt (Table 1); traces `<think>…</think> <answer>…</answer>`;
 * - 'r1': the bare question as "User: … Assistant:"; traces in R1's readable format (`<think>` reasoning `</think>`
 *   summary);
 * - 'chat': one user message rendered by the model's chat template (the server's, for an endpoint); traces as
 *   R1-Distill writes them (the template opens `<think>`, the summary follows `</think>`).
 */
export type SampleTemplate = (typeof SAMPLE_TEMPLATES)[number];

/** DeepSeek's recommended directive for math problems (the R1 model card). */
export const R1_MATH_INSTRUCTION = 'Please reason step by step, and put your final answer within \\boxed{}.';

export function sampleTemplate(name: SampleTemplate): {
  request: (p: RSProblem) => GenerationRequest;
  format: CompletionFormat;
} {
  switch (name) {
    case 'r1-zero':
      return { request: (p) => ({ prompt: renderR1Zero(p.prompt) }), format: 'r1-zero' };
    case 'r1':
      return { request: (p) => ({ prompt: `User: ${p.prompt}\nAssistant:` }), format: 'r1' };
    case 'chat':
      return {
        request: (p) => ({ messages: [{ role: 'user', content: `${p.prompt}\n${R1_MATH_INSTRUCTION}` }] }),
        format: 'think',
      };
    default: {
      const never: never = name;
      throw new TypeError(`unknown template ${String(never)}`);
    }
  }
}

export interface SampleStageOptions {
  out: string;
  problems: RSProblem[];
  /** What the problems are (for the resume check). */
  source: string;
  engine: Engine;
  template: SampleTemplate;
  verifier: 'math' | 'countdown';
  k: number;
  params: Partial<SamplingParams>;
  filters: Partial<FilterOptions>;
  decontaminate: string[];
  nonReasoning: string | null;
  rejected: boolean;
  countTokens: ((text: string) => number) | null;
  batchProblems: number;
  /** Draw the progress bar (default: when stderr is a terminal; otherwise a line every ~10%). */
  progress?: boolean;
  /**
   * Coordinate a work queue instead of generating (`--queue`): workers draw the traces into OUT/traces.jsonl, then
   * the stage filters them as a local run does. `engine` then only names the model (see `coordinatorEngine`).
   */
  queue?: QueueTarget;
}

/** One line of progress: problems, ETA, traces seen and kept, and the removals by reason. */
export function progressLine(p: RSProgress, elapsedSeconds: number): string {
  const total = p.problemsTotal ?? p.problemsDone;
  const eta = p.problemsDone > 0 ? (elapsedSeconds / p.problemsDone) * (total - p.problemsDone) : Number.NaN;
  const removed = Object.entries(p.removed)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  return (
    `problems ${p.problemsDone}/${total} · ${formatSeconds(elapsedSeconds)} elapsed, ETA ${formatSeconds(eta)} · ` +
    `seen ${p.seen} · kept ${p.kept}${removed ? ` · removed: ${removed}` : ''}`
  );
}

export async function runSampleStage(o: SampleStageOptions): Promise<Manifest> {
  const { request, format } = sampleTemplate(o.template);
  const started = performance.now();
  const tty = o.progress ?? process.stderr.isTTY === true;
  let lastDecile = -1;
  // One record of what identifies the generation, for run.json and the resume check, queued or not.
  const settings = { template: o.template, problems: o.source };
  if (o.queue !== undefined) {
    await fillTracesThroughQueue({
      out: o.out,
      problems: o.problems,
      request,
      modelId: o.engine.modelId,
      k: o.k,
      params: o.params,
      settings,
      filters: { format, ...o.filters },
      decontaminate: o.decontaminate,
      queue: o.queue,
    });
  }
  return rejectionSample(o.problems, o.engine, {
    out: o.out,
    k: o.k,
    params: o.params,
    template: request,
    verifier: o.verifier,
    filters: { format, ...o.filters },
    decontaminate: o.decontaminate,
    nonReasoning: o.nonReasoning,
    rejected: o.rejected,
    ...(o.countTokens === null ? {} : { countTokens: o.countTokens }),
    settings,
    batchProblems: o.batchProblems,
    total: o.problems.length,
    onProgress: (p) => {
      const line = progressLine(p, (performance.now() - started) / 1000);
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line}${p.problemsDone === p.problemsTotal ? '\n' : ''}`);
        return;
      }
      const decile = Math.floor((10 * p.problemsDone) / Math.max(1, o.problems.length));
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`r1-train sample: ${line}\n`);
      }
    },
  });
}
