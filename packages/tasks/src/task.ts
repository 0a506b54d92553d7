/**
 * The shape every generated task shares, and the one driver that turns a task's single-problem `draw` into seeded,
 * split-filtered streams. A task draws candidate problems from a seeded Rng; the driver keeps those whose canonical
 * form hashes into the requested split (see split.ts), optionally dropping repeats, so train and test never share a
 * problem and the same seed always yields the same items in the same order.
 *
 * Deliberately not here: prompt templates (the caller applies R1-Zero or chat templates to `prompt`), reward code
 * (a task only names its reward; the trainer maps the name to a function), or any I/O.
 */

import { checkInteger, checkOneOf, describe, rejectUnknownKeys } from './resolve';
import { createRng, type Rng } from './rng';
import { hash53, hashHex, SPLITS, type Split, splitOf } from './split';

/** The reward a task's items are meant to be scored with; the trainer maps the name to a reward function. */
export type TaskRewardName = 'accuracy' | 'countdown';

/**
 * One generated problem. Assignable to `Sample` from @r1/rewards. `id` is derived from the canonical problem, so
 * the same problem always has the same id (and repeats within a non-unique stream share it).
 */
export type TaskItem<M extends Record<string, unknown> = Record<string, unknown>> = {
  id: string;
  /** The bare problem text, plain ASCII; no template applied. */
  prompt: string;
  /** The gold answer text. */
  answer: string;
  meta: M;
};

export interface GenerateOptions {
  /** Which split to draw from; the two never share a problem. */
  split: Split;
  /** How many items. */
  count: number;
  /** Seed of the generator; the same seed (and options) always gives the same items. */
  seed: number;
  /** Never repeat a problem within this call. Default false (repeats are allowed, as in sampling for RL). */
  unique?: boolean;
}

export interface StreamOptions {
  split: Split;
  seed: number;
  /** Stop after this many items; unbounded when absent. */
  count?: number;
  /** Never repeat a problem within this stream. Default false. */
  unique?: boolean;
}

/** A built-in task with its resolved options `O` and item meta `M`. */
export interface Task<O, M extends Record<string, unknown>> {
  readonly name: string;
  readonly reward: TaskRewardName;
  readonly options: Readonly<O>;
  /** The first `count` items of `stream` with the same options. */
  generate(options: GenerateOptions): TaskItem<M>[];
  /** A lazy, deterministic stream of items; unbounded unless `count` is given. */
  stream(options: StreamOptions): Generator<TaskItem<M>, void, undefined>;
  /** The split an item of this task belongs to (recomputed from its canonical form). */
  splitOf(item: TaskItem<M>): Split;
}

/** One candidate problem from a task's `draw`, before split filtering. */
export interface Draft<M> {
  /** Canonical form: equal for two problems iff they are the same problem (e.g. numbers sorted). */
  canonical: string;
  prompt: string;
  answer: string;
  meta: M;
}

export interface TaskSpec<O, M extends Record<string, unknown>> {
  name: string;
  reward: TaskRewardName;
  options: O;
  /** Fraction of the problem space in the test split, in [0, 1]. */
  testFraction: number;
  /** Draws one candidate with the given Rng, or null when this attempt broke a knob's constraint. */
  draw(rng: Rng): Draft<M> | null;
  /** The canonical form of an item's problem (must equal the `canonical` its draft had). */
  canonicalOf(item: TaskItem<M>): string;
  /** What to tell the user when draws keep failing, e.g. which knobs to widen. */
  exhaustedHint: string;
}

/** Draws per accepted item before the driver gives up and explains why. */
export const MAX_ATTEMPTS_PER_ITEM = 20_000;

const GENERATE_KEYS = ['split', 'count', 'seed', 'unique'] as const;

function checkStreamOptions(what: string, options: unknown, keys: readonly string[]): void {
  rejectUnknownKeys(options, keys, `${what} option`);
  if (options === undefined) throw new TypeError(`${what} needs options like { split: 'train', count: 100, seed: 0 }`);
  const o = options as Record<string, unknown>;
  checkOneOf(`${what} split`, o.split, SPLITS);
  if (!Number.isSafeInteger(o.seed)) {
    throw new TypeError(`${what} seed must be a safe integer (got ${describe(o.seed)}); pass e.g. seed: 0`);
  }
  if (o.count !== undefined) checkInteger(`${what} count`, o.count, 0, Number.MAX_SAFE_INTEGER);
  if (o.unique !== undefined && typeof o.unique !== 'boolean') {
    throw new TypeError(`${what} unique must be true or false (got ${describe(o.unique)})`);
  }
}

/** Builds a Task from a spec. Used by each built-in task; exported for user-defined generators. */
export function defineTask<O, M extends Record<string, unknown>>(spec: TaskSpec<O, M>): Task<O, M> {
  const keyOf = (canonical: string) => `${spec.name}:${canonical}`;

  // Options are checked when stream() is called, not at the first next(), so mistakes surface where they are made.
  function stream(options: StreamOptions): Generator<TaskItem<M>, void, undefined> {
    checkStreamOptions(`${spec.name}.stream`, options, GENERATE_KEYS);
    return items(options);
  }

  function* items(options: StreamOptions): Generator<TaskItem<M>, void, undefined> {
    const { split, seed, count = Number.POSITIVE_INFINITY, unique = false } = options;
    // Mix the task name and split into the seed: tasks and splits sharing a seed still get unrelated streams.
    const rng = createRng(hash53(`${spec.name}:${split}:${seed}`));
    const seen = new Set<string>();
    for (let produced = 0; produced < count; produced++) {
      let failed = 0;
      let otherSplit = 0;
      let repeats = 0;
      for (;;) {
        if (failed + otherSplit + repeats >= MAX_ATTEMPTS_PER_ITEM) {
          throw new Error(
            `${spec.name}: ${MAX_ATTEMPTS_PER_ITEM} draws in a row gave no new ${split} problem after ${produced} ` +
              `items (${failed} broke the knobs, ${otherSplit} belonged to the other split, ${repeats} were repeats). ` +
              `${spec.exhaustedHint}${unique ? ' Or pass unique: false to allow repeats.' : ''}`,
          );
        }
        const draft = spec.draw(rng);
        if (draft === null) {
          failed++;
          continue;
        }
        const key = keyOf(draft.canonical);
        if (splitOf(key, spec.testFraction) !== split) {
          otherSplit++;
          continue;
        }
        if (unique) {
          if (seen.has(draft.canonical)) {
            repeats++;
            continue;
          }
          seen.add(draft.canonical);
        }
        yield { id: `${spec.name}-${hashHex(key)}`, prompt: draft.prompt, answer: draft.answer, meta: draft.meta };
        break;
      }
    }
  }

  return {
    name: spec.name,
    reward: spec.reward,
    options: spec.options,
    stream,
    generate(options: GenerateOptions): TaskItem<M>[] {
      checkStreamOptions(`${spec.name}.generate`, options, GENERATE_KEYS);
      if (options.count === undefined) {
        throw new TypeError(`${spec.name}.generate needs a count, e.g. { split: 'train', count: 100, seed: 0 }`);
      }
      return [...items(options)];
    },
    splitOf: (item) => splitOf(keyOf(spec.canonicalOf(item)), spec.testFraction),
  };
}
