/**
 * Reads samples scored (or to be scored) elsewhere: a JSONL file with one sample per line, either
 * `{"problem_id", "gold", "completion"}` (verified here with the math verifier), `{"problem_id", "correct": bool}`
 * (taken as judged), or a code sample `{"problem_id", "completion", "tests": {...}, "language"?}` (judged by running
 * the program; score.ts does that). Math lines may combine the first two: an explicit `correct` wins, and the
 * completion still gives the answer cons@k votes with. Every bad line is an error naming file, line and field.
 *
 * It does not compute statistics (summarizeScores in @r1/eval does) nor run programs (code-judge.ts does).
 */
import { readFileSync } from 'node:fs';
import type { ScoredProblem } from '@r1/eval';
import { mathVerifyResolved, parseAnswer, resolveVerifyOptions } from '@r1/rewards';
import { type CodeTests, isLanguage, LANGUAGES, type Language, testsProblem } from '@r1/sandbox';
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

/** One line of a score file, checked. */
export interface ScoreLine {
  /** 1-based line number. */
  line: number;
  problemId: string;
  /** Index of this sample among its problem's lines (0-based, in file order). */
  sampleIndex: number;
  correct: boolean | null;
  gold: string | null;
  completion: string | null;
  /** A code sample: the tests to run and, when the line names it, the language of the block to judge. */
  code: { tests: CodeTests; language: Language | null } | null;
}

/** How one line was scored: correct, and the answer (or program) cons@k votes with. */
export interface LineScore {
  correct: boolean;
  extracted: string | null;
}

/** Checks every line of `text` (from `file`, for messages); throws on the first bad one. */
export function readScoreLines(text: string, file: string): ScoreLine[] {
  const firstGold = new Map<string, { gold: string; line: number }>();
  const firstTests = new Map<string, { json: string; line: number }>();
  const samplesOf = new Map<string, number>();
  const out: ScoreLine[] = [];
  text.split('\n').forEach((raw, i) => {
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
    const { correct, gold, completion, tests, language } = rec;
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
    let code: ScoreLine['code'] = null;
    if (tests !== undefined) {
      if (correct !== undefined || goldText !== null) {
        throw new Error(
          `${at}: field "tests": a code line is judged by running its completion; drop "${correct !== undefined ? 'correct' : 'gold'}" ` +
            '(or drop "tests" to take the line as judged)',
        );
      }
      if (typeof completion !== 'string') {
        throw new Error(`${at}: field "completion": missing; a line with "tests" needs the completion to judge`);
      }
      const problem = testsProblem(tests);
      if (problem !== null) {
        throw new Error(
          `${at}: field "tests": ${problem} (expected {"inputs": [...], "outputs": [...]} or, call-based, ` +
            '{"fn_name", "inputs": [[args]], "outputs": [...]})',
        );
      }
      if (language !== undefined && !isLanguage(language)) {
        throw new Error(`${at}: field "language": expected one of ${LANGUAGES.join(', ')}, got ${describe(language)}`);
      }
      const json = JSON.stringify(tests);
      const first = firstTests.get(key);
      if (first === undefined) firstTests.set(key, { json, line: lineNo });
      else if (first.json !== json) {
        throw new Error(
          `${at}: field "tests": differ from the tests given for problem ${JSON.stringify(key)} on line ` +
            `${first.line}; one problem has one set of tests`,
        );
      }
      code = { tests: tests as CodeTests, language: (language as Language | undefined) ?? null };
    } else {
      if (language !== undefined) throw new Error(`${at}: field "language": applies to code lines (with "tests") only`);
      if (correct === undefined && (goldText === null || completion === undefined)) {
        throw new Error(
          `${at}: give "correct" (true/false), or both "gold" and "completion" to verify, or "completion" ` +
            `and "tests" to run; this line has ${Object.keys(rec).join(', ') || 'no fields'}`,
        );
      }
      if (goldText !== null) {
        const first = firstGold.get(key);
        if (first === undefined) firstGold.set(key, { gold: goldText, line: lineNo });
        else if (first.gold !== goldText) {
          throw new Error(
            `${at}: field "gold": ${JSON.stringify(goldText)} differs from ${JSON.stringify(first.gold)} given for ` +
              `problem ${JSON.stringify(key)} on line ${first.line}; one problem has one gold answer`,
          );
        }
      }
    }
    const sampleIndex = samplesOf.get(key) ?? 0;
    samplesOf.set(key, sampleIndex + 1);
    out.push({
      line: lineNo,
      problemId: key,
      sampleIndex,
      correct: correct ?? null,
      gold: goldText,
      completion: typeof completion === 'string' ? completion : null,
      code,
    });
  });
  if (out.length === 0) throw new Error(`${file}: no samples (the file is empty)`);
  return out;
}

/** Scores a line that needs no sandbox: verified with the math verifier, or taken as judged. */
export function scoreMathLine(line: ScoreLine, options = resolveVerifyOptions({})): LineScore {
  if (line.code !== null) throw new TypeError('scoreMathLine: a code line is judged by running it');
  if (line.completion === null) return { correct: line.correct!, extracted: null };
  if (line.gold !== null) {
    const r = mathVerifyResolved(line.gold, line.completion, options);
    return {
      correct: line.correct ?? r.correct,
      extracted: r.extracted ?? parseAnswer(line.completion)?.extracted ?? null,
    };
  }
  return { correct: line.correct!, extracted: parseAnswer(line.completion)?.extracted ?? null };
}

/** Groups scored lines by problem (first-appearance order) for summarizeScores. */
export function scoreInputOf(lines: readonly ScoreLine[], scores: readonly LineScore[]): ScoreInput {
  const allCompletions = lines.every((l) => l.completion !== null);
  const byId = new Map<string, { correct: boolean[]; extracted: (string | null)[] }>();
  lines.forEach((l, i) => {
    let e = byId.get(l.problemId);
    if (e === undefined) {
      e = { correct: [], extracted: [] };
      byId.set(l.problemId, e);
    }
    e.correct.push(scores[i]!.correct);
    e.extracted.push(scores[i]!.extracted);
  });
  const problems: ScoredProblem[] = [...byId].map(([id, e]) =>
    allCompletions ? { id, correct: e.correct, extracted: e.extracted } : { id, correct: e.correct },
  );
  return { problems, allCompletions, samples: lines.length };
}

/**
 * Parses and scores score-format lines of `text` (from `file`, for messages) that need no sandbox — what
 * `compare` reads. A code line (with "tests") is refused: `r1-eval score --details` judges it first.
 */
export function parseScoreLines(text: string, file: string): ScoreInput {
  const lines = readScoreLines(text, file);
  const code = lines.find((l) => l.code !== null);
  if (code !== undefined) {
    throw new Error(
      `${file}:${code.line}: field "tests": a code sample is judged by running it — run r1-eval score --input ` +
        `${file} --details FILE first and use that file (its lines carry "correct")`,
    );
  }
  const options = resolveVerifyOptions({});
  return scoreInputOf(
    lines,
    lines.map((l) => scoreMathLine(l, options)),
  );
}

/** The text of a file, or an error naming it. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export function readScoreFile(file: string): ScoreInput {
  return parseScoreLines(readText(file), file);
}
