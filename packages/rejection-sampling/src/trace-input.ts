/**
 * Reads traces made elsewhere, for `filterTraces`. Two layouts, told apart per line:
 * - one trace per line: `{"problem_id", "problem", "gold"?, "completion", "finish_reason"?, "sample_index"?,
 *   "completion_tokens"?}` — a problem's lines need not be adjacent; `sample_index` defaults to the trace's order
 *   within its problem;
 * - open-r1's published layout, one problem per line: `{"problem", "answer"?, "generations": [...],
 *   "finish_reasons"?: [...], "uuid"|"id"|"problem_id"?}`.
 * Without a gold answer a trace is `unscorable`. A bad line is an error naming the file, line and field.
 * Problems come out in the order first seen.
 */
import type { FinishReason } from '@r1/sampler';
import { streamMapped } from '@r1/tasks';
import type { RSProblem, Trace } from './trace-filter';

export interface TraceGroup {
  problem: RSProblem;
  traces: Trace[];
}

function fail(file: string, line: number | undefined, field: string, detail: string): never {
  throw new Error(`${file}:${line ?? '?'}: field '${field}' ${detail}`);
}

function text(row: Record<string, unknown>, field: string, file: string, line?: number): string {
  const v = row[field];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return fail(file, line, field, v === undefined ? 'is missing' : `must be a string, got ${JSON.stringify(v)}`);
}

function optionalGold(row: Record<string, unknown>, file: string, line?: number): string | undefined {
  for (const field of ['gold', 'answer']) {
    const v = row[field];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    fail(file, line, field, `must be a string or a number, got ${JSON.stringify(v)}`);
  }
  return undefined;
}

function finishReason(v: unknown, field: string, file: string, line?: number): FinishReason | null {
  if (v === undefined || v === null) return null;
  if (v === 'stop' || v === 'length') return v;
  return fail(file, line, field, `must be "stop" or "length", got ${JSON.stringify(v)}`);
}

function optionalCount(row: Record<string, unknown>, field: string, file: string, line?: number): number | null {
  const v = row[field];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  return fail(file, line, field, `must be an integer ≥ 0, got ${JSON.stringify(v)}`);
}

/** Reads a traces file into problems with their traces. */
export async function readTraceGroups(file: string): Promise<TraceGroup[]> {
  const groups = new Map<string, TraceGroup>();
  const explicitIndex = new Map<string, Set<number>>();
  const stream = streamMapped(file, { format: 'jsonl' }, (value, at) => {
    const line = at.line;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      fail(file, line, '(line)', 'is not a JSON object');
    return { row: value as Record<string, unknown>, line };
  });
  for await (const { row, line } of stream) {
    if (Array.isArray(row.generations)) {
      const id = ['problem_id', 'uuid', 'id'].find((f) => row[f] !== undefined);
      const problemId = id === undefined ? `line-${line}` : text(row, id, file, line);
      if (groups.has(problemId)) fail(file, line, id ?? 'problem_id', `repeats problem "${problemId}"`);
      const gens = row.generations as unknown[];
      const reasons = row.finish_reasons;
      if (reasons !== undefined && (!Array.isArray(reasons) || reasons.length !== gens.length)) {
        fail(file, line, 'finish_reasons', `must be a list as long as generations (${gens.length})`);
      }
      const traces = gens.map((g, i): Trace => {
        if (typeof g !== 'string') fail(file, line, `generations[${i}]`, `must be a string, got ${JSON.stringify(g)}`);
        return {
          problemId,
          sampleIndex: i,
          completion: g,
          finishReason: finishReason((reasons as unknown[] | undefined)?.[i], `finish_reasons[${i}]`, file, line),
          completionTokens: null,
        };
      });
      const gold = optionalGold(row, file, line);
      groups.set(problemId, {
        problem: {
          id: problemId,
          prompt: text(row, 'problem', file, line),
          ...(gold === undefined ? {} : { answer: gold }),
        },
        traces,
      });
      continue;
    }
    const problemId = text(row, 'problem_id', file, line);
    const completion = row.completion;
    if (typeof completion !== 'string')
      fail(file, line, 'completion', completion === undefined ? 'is missing' : 'must be a string');
    let group = groups.get(problemId);
    if (group === undefined) {
      const gold = optionalGold(row, file, line);
      group = {
        problem: {
          id: problemId,
          prompt: text(row, 'problem', file, line),
          ...(gold === undefined ? {} : { answer: gold }),
        },
        traces: [],
      };
      groups.set(problemId, group);
      explicitIndex.set(problemId, new Set());
    }
    let sampleIndex = group.traces.length;
    if (row.sample_index !== undefined && row.sample_index !== null) {
      const v = row.sample_index;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        fail(file, line, 'sample_index', `must be an integer ≥ 0, got ${JSON.stringify(v)}`);
      sampleIndex = v;
    }
    const used = explicitIndex.get(problemId)!;
    if (used.has(sampleIndex)) fail(file, line, 'sample_index', `${sampleIndex} repeats within problem "${problemId}"`);
    used.add(sampleIndex);
    group.traces.push({
      problemId,
      sampleIndex,
      completion,
      finishReason: finishReason(row.finish_reason, 'finish_reason', file, line),
      completionTokens: optionalCount(row, 'completion_tokens', file, line),
    });
  }
  return [...groups.values()];
}
