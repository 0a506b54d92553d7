/**
 * Reads samples scored (or to be scored) elsewhere: a JSONL file with one sample per line, either
 * `{"problem_id", "gold", "completion"}` (verified here with the math verifier) or `{"problem_id", "correct": bool}`
 * (taken as judged). Both may be combined on one line: an explicit `correct` wins, and the completion still gives
 * the answer cons@k votes with. Every bad line is an error naming file, line and field.
 *
 * It does not compute statistics (summarizeScores in @r1/eval does).
 */
import { readFileSync } from 'node:fs';
import type { ScoredProblem } from '@r1/eval';
import { mathVerifyResolved, parseAnswer, resolveVerifyOptions } from '@r1/rewards';

export interface ScoreInput {
  problems: ScoredProblem[];
  /** True when every line had a completion (so cons@k can be computed). */
  allCompletions: boolean;
  samples: number;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : `${typeof value} ${value}`;
}

/** Parses score-format lines of `text` (from `file`, for messages). */
export function parseScoreLines(text: string, file: string): ScoreInput {
  const options = resolveVerifyOptions({});
  const byId = new Map<
    string,
    { gold: string | null; goldLine: number; correct: boolean[]; extracted: (string | null)[] }
  >();
  let allCompletions = true;
  let samples = 0;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const at = `${file}:${lineNo}`;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`${at}: not valid JSON (${(error as Error).message}); each line must be one JSON object`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(
        `${at}: expected a JSON object like {"problem_id": "p1", "correct": true}, got ${describe(value)}`,
      );
    }
    const rec = value as Record<string, unknown>;
    const id = rec.problem_id;
    if (!(typeof id === 'string' && id !== '') && !(typeof id === 'number' && Number.isFinite(id))) {
      throw new Error(
        `${at}: field "problem_id": ${id === undefined ? 'missing' : `expected a string or number, got ${describe(id)}`}`,
      );
    }
    const key = String(id);
    const { correct, gold, completion } = rec;
    if (correct !== undefined && typeof correct !== 'boolean') {
      throw new Error(`${at}: field "correct": expected true or false, got ${describe(correct)}`);
    }
    if (gold !== undefined && typeof gold !== 'string' && !(typeof gold === 'number' && Number.isFinite(gold))) {
      throw new Error(`${at}: field "gold": expected a string or number, got ${describe(gold)}`);
    }
    if (completion !== undefined && typeof completion !== 'string') {
      throw new Error(`${at}: field "completion": expected a string, got ${describe(completion)}`);
    }
    const goldText = gold === undefined ? null : String(gold);
    if (correct === undefined && (goldText === null || completion === undefined)) {
      throw new Error(
        `${at}: give "correct" (true/false), or both "gold" and "completion" to verify; ` +
          `this line has ${Object.keys(rec).join(', ') || 'no fields'}`,
      );
    }
    let entry = byId.get(key);
    if (entry === undefined) {
      entry = { gold: goldText, goldLine: lineNo, correct: [], extracted: [] };
      byId.set(key, entry);
    } else if (goldText !== null) {
      if (entry.gold === null) [entry.gold, entry.goldLine] = [goldText, lineNo];
      else if (entry.gold !== goldText) {
        throw new Error(
          `${at}: field "gold": ${JSON.stringify(goldText)} differs from ${JSON.stringify(entry.gold)} given for ` +
            `problem ${JSON.stringify(key)} on line ${entry.goldLine}; one problem has one gold answer`,
        );
      }
    }
    samples++;
    if (typeof completion === 'string') {
      if (goldText !== null) {
        const r = mathVerifyResolved(goldText, completion, options);
        entry.correct.push(correct ?? r.correct);
        entry.extracted.push(r.extracted ?? parseAnswer(completion)?.extracted ?? null);
      } else {
        entry.correct.push(correct!);
        entry.extracted.push(parseAnswer(completion)?.extracted ?? null);
      }
    } else {
      allCompletions = false;
      entry.correct.push(correct!);
      entry.extracted.push(null);
    }
  });
  if (byId.size === 0) throw new Error(`${file}: no samples (the file is empty)`);
  const problems: ScoredProblem[] = [...byId].map(([id, e]) =>
    allCompletions ? { id, correct: e.correct, extracted: e.extracted } : { id, correct: e.correct },
  );
  return { problems, allCompletions, samples };
}

export function readScoreFile(file: string): ScoreInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseScoreLines(text, file);
}
