/**
 * `checkRewardLaws(reward, options)`: runs the reward laws of laws.ts against a reward with fast-check and returns
 * every broken law with its shrunk counterexample; `assertRewardLaws` throws instead, for use inside a test.
 *
 * Inputs come from this kit's arbitraries: well-formed and malformed completions of `cases` (math problems by
 * default; `countdownCases` or your own for other tasks) in the `layout` the reward reads, free text, hostile strings,
 * and samples with a missing or broken answer. fast-check's global settings apply (a seed set with
 * `fc.configureGlobal` is used), unless `seed` is given. The time bound is checked outside fast-check: each hostile
 * family is grown from 1 KB to `hostileChars` and every call is timed on its own; a call over the bound is timed
 * once more (a loaded machine can stall any call once), and the first size that is slow twice is the counterexample.
 * The kit cannot interrupt a reward that hangs — only report the first input on which it was slow.
 */

import fc from 'fast-check';
import { resolveOptions } from '../rewards/options';
import type { RewardFn, Sample } from '../types';
import { anyCompletion, malformedCompletion, reasoningAbout, reasoningText, wellFormedCompletion } from './completions';
import { fill, HOSTILE_CHARS, HOSTILE_KINDS, type HostileKind, hostileString } from './hostile';
import { LAW_DOCS, REWARD_LAWS, type RewardLaw, UNIVERSAL_LAWS } from './laws';
import { COMPLETION_LAYOUTS, type CompletionLayout, spacing, TIGHT_SPACING, writeCompletion } from './layout';
import { type LawCase, mathCases } from './math-answers';

export interface RewardLawOptions {
  /** The laws to check. Default {@link UNIVERSAL_LAWS}; see also ACCURACY_LAWS and FORMAT_LAWS. */
  laws: readonly RewardLaw[];
  /** The declared range [min, max]. Default [0, 1]. */
  range: readonly [number, number];
  /** Whether null ("cannot be scored") is an allowed value. Default true. */
  nullable: boolean;
  /** How completions are written: 'r1-zero' (default), 'r1' or 'think'. */
  layout: CompletionLayout;
  /** Problems with a right and a wrong answer, for the answer-aware laws. Default `mathCases`. */
  cases: fc.Arbitrary<LawCase>;
  /** fast-check runs per law. Default 100. */
  numRuns: number;
  /** Longest time one call may take on hostile input, in milliseconds. Default 2,000 (generous: a busy 2-core CI). */
  timeBoundMs: number;
  /** Size of the largest hostile input, in UTF-16 units. Default 100 KB. */
  hostileChars: number;
  /** The hostile families to time. Default `HOSTILE_KINDS`. */
  hostile: readonly HostileKind[];
  /** fast-check seed; null uses fast-check's global settings (random unless configured). Default null. */
  seed: number | null;
}

export const DEFAULT_REWARD_LAW_OPTIONS: Readonly<RewardLawOptions> = Object.freeze({
  laws: UNIVERSAL_LAWS,
  range: [0, 1] as const,
  nullable: true,
  layout: 'r1-zero' as const,
  cases: mathCases,
  numRuns: 100,
  timeBoundMs: 2000,
  hostileChars: HOSTILE_CHARS,
  hostile: HOSTILE_KINDS,
  seed: null,
});

/** One broken law: the law, the (shrunk) input that breaks it, and what happened. */
export interface LawFailure {
  law: RewardLaw;
  counterexample: unknown;
  message: string;
}

export interface RewardLawReport {
  ok: boolean;
  failures: LawFailure[];
}

const NAME = 'checkRewardLaws';

export function resolveRewardLawOptions(partial?: Partial<RewardLawOptions>): RewardLawOptions {
  const o = resolveOptions(NAME, DEFAULT_REWARD_LAW_OPTIONS, partial);
  if (!Array.isArray(o.laws) || o.laws.length === 0) {
    throw new Error(`${NAME}: option 'laws' must be a non-empty list of laws among ${REWARD_LAWS.join(', ')}`);
  }
  for (const law of o.laws) {
    if (!REWARD_LAWS.includes(law)) {
      throw new Error(`${NAME}: unknown law ${JSON.stringify(law)}; the laws are ${REWARD_LAWS.join(', ')}`);
    }
  }
  const [min, max] = Array.isArray(o.range) ? o.range : [];
  if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new Error(`${NAME}: option 'range' must be [min, max] with min ≤ max, e.g. [-1, 1]`);
  }
  if (!COMPLETION_LAYOUTS.includes(o.layout)) {
    throw new Error(`${NAME}: option 'layout' must be one of ${COMPLETION_LAYOUTS.join(', ')}`);
  }
  if (!(o.cases instanceof fc.Arbitrary)) {
    throw new Error(`${NAME}: option 'cases' must be a fast-check arbitrary of { sample, correct, wrong }`);
  }
  for (const key of ['numRuns', 'timeBoundMs', 'hostileChars'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new Error(`${NAME}: option '${key}' must be an integer ≥ 1`);
  }
  if (o.seed !== null && !Number.isInteger(o.seed))
    throw new Error(`${NAME}: option 'seed' must be an integer or null`);
  return o;
}

// --- calling the reward --------------------------------------------------------------------------------------

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function call(reward: RewardFn, completion: string, sample: Sample): Outcome {
  try {
    return { ok: true, value: reward(completion, sample) };
  } catch (error) {
    return { ok: false, error };
  }
}

class Violation extends Error {}

const fail = (message: string): never => {
  throw new Violation(message);
};

/** The reward's value as a number or null; anything else (or a throw) is a violation of the law being checked. */
function score(reward: RewardFn, completion: string, sample: Sample): number | null {
  const r = call(reward, completion, sample);
  if (!r.ok) return fail(`threw ${describeError(r.error)}`);
  if (r.value === null) return null;
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) return fail(`returned ${show(r.value)}`);
  return r.value;
}

/** A score that must be a number: the answer-aware laws compare values of well-formed completions of valid cases. */
function number(reward: RewardFn, completion: string, sample: Sample, what: string): number {
  const v = score(reward, completion, sample);
  if (v === null) {
    return fail(
      `returned null for ${what}, a well-formed completion of a valid case; the law needs a number there ` +
        `(do the 'cases' match the samples your reward expects, and the 'layout' the way it reads answers?)`,
    );
  }
  return v;
}

const same = (a: Outcome, b: Outcome) => (a.ok && b.ok ? Object.is(a.value, b.value) : a.ok === b.ok);
const showOutcome = (r: Outcome) => (r.ok ? show(r.value) : `a throw (${describeError(r.error)})`);

// --- the laws as properties ------------------------------------------------------------------------------------

interface PropertyLaw<T> {
  arbitrary: fc.Arbitrary<T>;
  /** Throws a Violation when the law does not hold for `input`. */
  check: (input: T) => void;
}

const ODD_SAMPLES: readonly Sample[] = [
  { prompt: '' },
  { prompt: 'p', answer: '' },
  { prompt: 'p', answer: '   ' },
  { prompt: 'p', answer: '\\frac{' },
  { prompt: 'p', answer: '4', meta: {} },
  { prompt: 'p', meta: { numbers: 'not a list', target: null } },
  { prompt: 'p', answer: '4', meta: { numbers: [1, 2], target: Number.NaN } },
];

interface Input {
  completion: string;
  sample: Sample;
}

function anyInput(o: RewardLawOptions): fc.Arbitrary<Input> {
  const samples = fc.oneof(
    { arbitrary: o.cases.map((c) => c.sample), weight: 3 },
    { arbitrary: fc.constantFrom(...ODD_SAMPLES), weight: 1 },
  );
  const text = fc.oneof(anyCompletion, hostileString(), fc.string({ unit: 'grapheme', maxLength: 50 }));
  const plain = ({ completion, sample }: Input): Input => ({ completion, sample });
  return fc.oneof(
    wellFormedCompletion(o.layout, o.cases).map(plain),
    malformedCompletion(o.layout, o.cases).map(plain),
    fc.record({ completion: text, sample: samples }),
    fc.record({ completion: wellFormedCompletion(o.layout, o.cases).map((w) => w.completion), sample: samples }),
  );
}

/** A case with reasoning about it and a whitespace layout: the raw material of the answer-aware laws. */
function written(o: RewardLawOptions) {
  return o.cases.chain((c) =>
    fc.tuple(reasoningAbout(c), spacing).map(([reasoning, s]) => ({
      c,
      write: (answers: readonly string[], r = reasoning) => writeCompletion(o.layout, r, answers, s),
    })),
  );
}

function emptyAnswers(layout: CompletionLayout): string[] {
  return layout === 'r1-zero' ? ['', ' \n ', '\\boxed{}', '$ $'] : ['', ' '];
}

/** Erases a law's input type, so that one switch can return laws over different inputs. */
function defineLaw<T>(arbitrary: fc.Arbitrary<T>, check: (input: T) => void): PropertyLaw<unknown> {
  return { arbitrary, check: check as (input: unknown) => void };
}

function propertyLaw(
  law: Exclude<RewardLaw, 'time-bound'>,
  reward: RewardFn,
  o: RewardLawOptions,
): PropertyLaw<unknown> {
  const [min, max] = o.range;
  switch (law) {
    case 'range':
      return defineLaw(anyInput(o), ({ completion, sample }: Input) => {
        const v = score(reward, completion, sample);
        if (v === null && !o.nullable) fail('returned null, but the reward was declared not nullable');
        if (v !== null && (v < min || v > max)) fail(`returned ${v}, outside the declared range [${min}, ${max}]`);
      });
    case 'deterministic':
      return defineLaw(
        fc.record({ first: anyInput(o), other: anyInput(o) }),
        ({ first, other }: { first: Input; other: Input }) => {
          const a = call(reward, first.completion, first.sample);
          const b = call(reward, first.completion, first.sample);
          call(reward, other.completion, other.sample);
          const c = call(reward, first.completion, first.sample);
          if (!same(a, b) || !same(a, c)) {
            fail(
              `returned ${showOutcome(a)}, then ${showOutcome(b)} for the same input, and ${showOutcome(c)} after ` +
                'scoring another completion',
            );
          }
        },
      );
    case 'never-throws':
      return defineLaw(anyInput(o), ({ completion, sample }: Input) => {
        const r = call(reward, completion, sample);
        if (!r.ok) fail(`threw ${describeError(r.error)}`);
      });
    case 'correct-beats-wrong':
      return defineLaw(
        written(o).map(({ c, write }) => ({
          sample: c.sample,
          right: write([c.correct]),
          wrong: write([c.wrong]),
        })),
        ({ sample, right, wrong }: { sample: Sample; right: string; wrong: string }) => {
          const r = number(reward, right, sample, 'the right answer');
          const w = number(reward, wrong, sample, 'the wrong answer');
          if (!(r > w)) fail(`the right answer scored ${r} and the wrong answer ${w}`);
        },
      );
    case 'second-answer':
      return defineLaw(
        written(o).map(({ c, write }) => ({
          sample: c.sample,
          right: write([c.correct]),
          wrong: write([c.wrong]),
          rightThenWrong: write([c.correct, c.wrong]),
          wrongThenRight: write([c.wrong, c.correct]),
        })),
        (x: { sample: Sample; right: string; wrong: string; rightThenWrong: string; wrongThenRight: string }) => {
          const r = number(reward, x.right, x.sample, 'the right answer');
          const w = number(reward, x.wrong, x.sample, 'the wrong answer');
          const rw = score(reward, x.rightThenWrong, x.sample) ?? Number.NEGATIVE_INFINITY;
          const wr = score(reward, x.wrongThenRight, x.sample) ?? Number.NEGATIVE_INFINITY;
          if (Math.min(rw, wr) >= Math.max(r, w)) {
            fail(
              `two answers scored ${rw} (right, then wrong) and ${wr} (wrong, then right), no less than one answer ` +
                `(right ${r}, wrong ${w}): hedging with several answer blocks pays`,
            );
          }
        },
      );
    case 'empty-answer':
      return defineLaw(
        written(o).chain(({ c, write }) =>
          fc
            .constantFrom(...emptyAnswers(o.layout))
            .map((empty) => ({ sample: c.sample, right: write([c.correct]), empty: write([empty]) })),
        ),
        ({ sample, right, empty }: { sample: Sample; right: string; empty: string }) => {
          const r = number(reward, right, sample, 'the right answer');
          const e = score(reward, empty, sample);
          if (e !== null && e >= r) fail(`an empty answer scored ${e}, no less than the right answer (${r})`);
        },
      );
    case 'answer-list':
      return defineLaw(
        written(o).chain(({ c, write }) =>
          fc
            .constantFrom(
              `${c.wrong} or ${c.correct}`,
              `${c.correct} or ${c.wrong}`,
              `${c.wrong}, ${c.correct}`,
              `${c.correct} \\text{ or } ${c.wrong}`,
            )
            .map((list) => ({ sample: c.sample, right: write([c.correct]), list: write([list]) })),
        ),
        ({ sample, right, list }: { sample: Sample; right: string; list: string }) => {
          const r = number(reward, right, sample, 'the right answer');
          const l = score(reward, list, sample);
          if (l !== null && l >= r)
            fail(`a list of candidate answers scored ${l}, no less than the right answer (${r})`);
        },
      );
    case 'empty-reasoning':
      return defineLaw(
        written(o).chain(({ c, write }) =>
          fc
            .constantFrom('', ' ', '\n', ' \n\t')
            .map((blank) => ({ sample: c.sample, right: write([c.correct]), empty: write([c.correct], blank) })),
        ),
        ({ sample, right, empty }: { sample: Sample; right: string; empty: string }) => {
          const r = number(reward, right, sample, 'a completion with reasoning');
          const e = score(reward, empty, sample);
          if (e !== null && e >= r)
            fail(`empty reasoning scored ${e}, no less than the same answer with reasoning (${r})`);
        },
      );
    case 'whitespace-invariance':
      return defineLaw(
        fc.tuple(o.cases, reasoningText, fc.boolean(), spacing, spacing).map(([c, reasoning, right, s1, s2]) => {
          const answer = right ? c.correct : c.wrong;
          return {
            sample: c.sample,
            a: writeCompletion(o.layout, reasoning, [answer], s1),
            b: writeCompletion(o.layout, reasoning, [answer], s2),
          };
        }),
        ({ sample, a, b }: { sample: Sample; a: string; b: string }) => {
          const x = call(reward, a, sample);
          const y = call(reward, b, sample);
          if (!same(x, y)) fail(`scored ${showOutcome(x)} and ${showOutcome(y)}: only the whitespace differs`);
        },
      );
    default: {
      const never: never = law;
      throw new Error(`${NAME}: unknown law ${String(never)}`);
    }
  }
}

function runPropertyLaw(
  law: Exclude<RewardLaw, 'time-bound'>,
  reward: RewardFn,
  o: RewardLawOptions,
): LawFailure | null {
  const { arbitrary, check } = propertyLaw(law, reward, o);
  const details = fc.check(
    fc.property(arbitrary, (input) => {
      check(input);
    }),
    { numRuns: o.numRuns, ...(o.seed === null ? {} : { seed: o.seed }) },
  );
  if (!details.failed) return null;
  const counterexample = details.counterexample?.[0];
  const error = details.errorInstance;
  const what = error instanceof Violation ? error.message : `the check itself failed: ${describeError(error)}`;
  return {
    law,
    counterexample,
    message:
      `${law}: ${LAW_DOCS[law].states} — broken: ${what}. Counterexample: ${show(counterexample)} ` +
      `(fast-check seed ${details.seed}, path "${details.counterexamplePath}"; after ${details.numShrinks} shrinks). ` +
      `This law catches ${LAW_DOCS[law].catches}.`,
  };
}

// --- the time bound ----------------------------------------------------------------------------------------------

const LADDER_KB = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 100];

function timed(reward: RewardFn, completion: string, sample: Sample): number {
  const t0 = performance.now();
  call(reward, completion, sample);
  return performance.now() - t0;
}

function runTimeBound(reward: RewardFn, o: RewardLawOptions): LawFailure | null {
  const [c] = fc.sample(o.cases, { numRuns: 1, ...(o.seed === null ? {} : { seed: o.seed }) });
  const sample = c?.sample ?? { prompt: 'p', answer: '4' };
  const correct = c?.correct ?? '4';
  const kinds: HostileKind[] = [
    ...o.hostile,
    {
      name: 'well-formed, long reasoning',
      build: (n) => writeCompletion(o.layout, fill('Step 1: add the numbers. ', n), [correct], TIGHT_SPACING),
    },
  ];
  const sizes = [...LADDER_KB.map((kb) => kb * 1024).filter((n) => n < o.hostileChars), o.hostileChars];
  const bound = o.timeBoundMs;
  for (const chars of sizes) {
    for (const kind of kinds) {
      const completion = kind.build(chars);
      const first = timed(reward, completion, sample);
      if (first <= bound) continue;
      // Once more, unless it was clearly slow: a loaded machine can stall any single call.
      const second = first < 4 * bound ? timed(reward, completion, sample) : first;
      if (second <= bound) continue;
      // Unrounded: a call of 200.3 ms against a 200 ms bound must not read "took 200 ms".
      const ms = Math.min(first, second);
      return {
        law: 'time-bound',
        counterexample: { kind: kind.name, chars: completion.length, ms, completion, sample },
        message:
          `time-bound: ${LAW_DOCS['time-bound'].states} — but on '${kind.name}' of ${completion.length} chars a call ` +
          `took ${ms.toFixed(1)} ms (bound ${bound} ms, measured ${first === second ? 'once, far over' : 'twice'}). ` +
          `Counterexample: ${show(completion)}. This law catches ${LAW_DOCS['time-bound'].catches}.`,
      };
    }
  }
  return null;
}

// --- entry points ------------------------------------------------------------------------------------------------

/**
 * Checks `reward` against the chosen laws (default: range, deterministic, never-throws, time-bound).
 *
 * @example
 * const report = checkRewardLaws(myAccuracy, { laws: ACCURACY_LAWS, layout: 'think' });
 * if (!report.ok) console.log(report.failures.map((f) => f.message).join('\n'));
 */
export function checkRewardLaws(reward: RewardFn, options?: Partial<RewardLawOptions>): RewardLawReport {
  if (typeof reward !== 'function')
    throw new TypeError(`${NAME}: reward must be a function (completion, sample) => number | null`);
  const o = resolveRewardLawOptions(options);
  const failures: LawFailure[] = [];
  for (const law of new Set(o.laws)) {
    const failure = law === 'time-bound' ? runTimeBound(reward, o) : runPropertyLaw(law, reward, o);
    if (failure !== null) failures.push(failure);
  }
  return { ok: failures.length === 0, failures };
}

/** {@link checkRewardLaws}, throwing an Error that lists every broken law; for use inside a test. */
export function assertRewardLaws(reward: RewardFn, options?: Partial<RewardLawOptions>): void {
  const { ok, failures } = checkRewardLaws(reward, options);
  if (!ok) {
    throw new Error(
      `${failures.length} reward law${failures.length === 1 ? '' : 's'} broken:\n${failures.map((f) => `- ${f.message}`).join('\n')}`,
    );
  }
}

// --- messages --------------------------------------------------------------------------------------------------

/** Characters kept at each end of a long string in a message (the answer is usually at the end). */
const PREVIEW = 100;

/** JSON with long strings cut to a preview (counterexamples can be 100 KB). */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'string' && v.length > 2 * PREVIEW) {
        return `${v.slice(0, PREVIEW)}…[${v.length - 2 * PREVIEW} more chars]…${v.slice(-PREVIEW)}`;
      }
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      return v;
    });
  } catch {
    return String(value);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : show(error);
}
