/**
 * The output directory of a rejection-sampling run:
 * - `data.jsonl`: one row per kept trace, TRL conversational `{"messages": [...]}` or `{"prompt", "completion"}`,
 *   with `problem_id`, `sample_index`, `gold`, `reward`, `finish_reason`, `completion_tokens` (when known), `model`
 *   and `seed` at top level; then the non-reasoning rows, as given;
 * - `rejected.jsonl` (optional): every dropped trace with its `reason` and `detail`;
 * - `manifest.json`: the resolved options, the counts, and what produced them (written atomically at the end).
 *
 * The data files are rewritten from the start on every run (the trace cache is what makes a run resumable), so a
 * resumed run leaves exactly the files of an uninterrupted one.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage } from '@r1/sampler';
import type { CompletionFormat } from '@r1/templates';
import type { OutputFormat } from './options';
import type { RejectedTrace, RSProblem, ScoredTrace } from './trace-filter';

/** How the prompt of a problem is written in the output: its chat turns, and its text when it was a text prompt. */
export interface PromptView {
  messages: ChatMessage[];
  /** The templated text prompt (r1-zero, raw); null when the prompt was chat messages. */
  text: string | null;
}

export interface RowContext {
  model: string;
  seed: number;
  format: CompletionFormat;
  outputFormat: OutputFormat;
}

/** The assistant turn: the whole trace; for 'think' traces (R1-Distill forces `<think>\n`) the opening tag is restored. */
export function assistantContent(completion: string, format: CompletionFormat): string {
  if (format === 'think' && !completion.trimStart().startsWith('<think>')) return `<think>\n${completion}`;
  return completion;
}

export function outputRow(
  problem: RSProblem,
  prompt: PromptView,
  trace: ScoredTrace,
  c: RowContext,
): Record<string, unknown> {
  const content = assistantContent(trace.completion, c.format);
  const body =
    c.outputFormat === 'messages'
      ? { messages: [...prompt.messages, { role: 'assistant', content }] }
      : prompt.text !== null
        ? { prompt: prompt.text, completion: content }
        : { prompt: prompt.messages, completion: [{ role: 'assistant', content }] };
  return {
    ...body,
    problem_id: problem.id,
    sample_index: trace.sampleIndex,
    gold: problem.answer ?? null,
    reward: trace.reward,
    finish_reason: trace.finishReason,
    ...(trace.completionTokens === null ? {} : { completion_tokens: trace.completionTokens }),
    model: c.model,
    seed: c.seed,
  };
}

export function rejectedRow(problem: RSProblem, trace: RejectedTrace): Record<string, unknown> {
  return {
    problem_id: problem.id,
    sample_index: trace.sampleIndex,
    reason: trace.reason,
    detail: trace.detail,
    reward: trace.reward,
    finish_reason: trace.finishReason,
    ...(trace.completionTokens === null ? {} : { completion_tokens: trace.completionTokens }),
    completion: trace.completion,
  };
}

/** Writes data.jsonl (and rejected.jsonl) line by line as problems complete. */
export class OutputWriter {
  readonly #data: number;
  readonly #rejected: number | null;

  constructor(
    readonly dir: string,
    withRejected: boolean,
  ) {
    mkdirSync(dir, { recursive: true });
    this.#data = openSync(join(dir, 'data.jsonl'), 'w');
    this.#rejected = withRejected ? openSync(join(dir, 'rejected.jsonl'), 'w') : null;
  }

  data(rows: readonly Record<string, unknown>[]): void {
    if (rows.length > 0) writeSync(this.#data, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  rejected(rows: readonly Record<string, unknown>[]): void {
    if (this.#rejected !== null && rows.length > 0) {
      writeSync(this.#rejected, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
  }

  close(): void {
    closeSync(this.#data);
    if (this.#rejected !== null) closeSync(this.#rejected);
  }
}

/** Writes `value` as JSON to `path` through a temporary file and a rename, so readers never see half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
