/**
 * The problems of `r1-train sample run`: a built-in generator's training split (arithmetic, countdown — with a preset
 * or explicit generator options), or any JSONL/Parquet file through a field mapping (the same fields as r1-eval).
 * Problems are loaded and checked before the first sample is drawn, so a bad line costs no compute.
 */
import { resolve } from 'node:path';
import type { RSProblem } from '@r1/rejection-sampling';
import { type BuiltinTaskName, createTask, loadDataset } from '@r1/tasks';

export interface ProblemSource {
  task: BuiltinTaskName | null;
  preset: string | null;
  taskOptions: Record<string, unknown> | null;
  /** Problems to generate (generators), or at most this many from a file (null: all). */
  count: number | null;
  seed: number;
  data: string | null;
  problemField: string | null;
  answerField: string | null;
  idField: string | null;
  answerFormat: 'plain' | 'gsm8k' | 'boxed';
}

export interface LoadedProblems {
  problems: RSProblem[];
  /** What identifies the problems, for the resume check. */
  source: string;
  verifier: 'math' | 'countdown';
}

/** Problems generated when --count is not given. */
export const DEFAULT_SAMPLE_COUNT = 100;

export async function loadSampleProblems(s: ProblemSource): Promise<LoadedProblems> {
  if (s.task !== null) {
    let task: ReturnType<typeof createTask>;
    try {
      task = createTask(s.task, (s.taskOptions ?? s.preset ?? undefined) as never);
    } catch (error) {
      const flag = s.taskOptions !== null ? '--task-options' : '--preset';
      throw new Error(`${flag}: ${(error as Error).message}`);
    }
    const count = s.count ?? DEFAULT_SAMPLE_COUNT;
    const items = task.generate({ split: 'train', count, seed: s.seed, unique: true });
    const problems = items.map((item) => {
      const meta = item.meta as Record<string, unknown>;
      return {
        id: item.id,
        prompt: item.prompt,
        answer: item.answer,
        ...(s.task === 'countdown' ? { meta: { numbers: meta.numbers, target: meta.target } } : {}),
      };
    });
    const settings = JSON.stringify(s.taskOptions ?? s.preset ?? 'default');
    return {
      problems,
      source: `${s.task}:train:seed=${s.seed}:count=${count}:options=${settings}`,
      verifier: s.task === 'countdown' ? 'countdown' : 'math',
    };
  }
  const file = s.data!;
  const fields = {
    ...(s.problemField === null ? {} : { problem: s.problemField }),
    ...(s.answerField === null ? {} : { answer: s.answerField }),
    ...(s.idField === null ? {} : { id: s.idField }),
    answerFormat: s.answerFormat,
  };
  const { records } = await loadDataset(file, { fields, ...(s.count === null ? {} : { limit: s.count }) });
  if (records.length === 0) throw new Error(`${file}: no problems in the file`);
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.id)) throw new Error(`${file}: problem id "${r.id}" appears twice; map a unique --id-field`);
    seen.add(r.id);
  }
  return {
    problems: records.map((r) => ({
      id: r.id,
      prompt: r.prompt,
      ...(r.answer === undefined ? {} : { answer: r.answer }),
    })),
    source: `file:${resolve(file)}:${JSON.stringify(fields)}`,
    verifier: 'math',
  };
}
