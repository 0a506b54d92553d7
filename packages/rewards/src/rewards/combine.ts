/**
 * Weighted sums of rewards, keeping each component for logging: total = Σ weight_i · value_i.
 *
 * Null components: by default (`onNull: 'null-total'`) one null component makes the total null — "cannot be
 * scored" must not silently turn into a score, since the trainer gives null zero advantage. With `onNull: 'skip'`
 * null components are left out of the sum (weights are not renormalised); the total is null only when every
 * component is null. A component that throws, or returns something that is not a finite number or null, counts as
 * null and its error is reported in `components[i].error` — a user's reward can never crash the trainer.
 *
 * `combineGroupRewards` does the same for a group of completions and accepts both per-completion rewards and
 * group rewards (such as lengthReward). Configuration mistakes (duplicate names, bad weights) throw at setup.
 */

import type { GroupRewardFn, RewardFn, Sample } from '../types';

export interface RewardComponent {
  /** Unique within one combination; used in logs. */
  name: string;
  fn: RewardFn;
  /** Any finite number; 0 turns a component off but keeps it in the log. */
  weight: number;
}

export interface GroupRewardComponent {
  name: string;
  groupFn: GroupRewardFn;
  weight: number;
}

export type NullPolicy = 'null-total' | 'skip';

export interface CombineOptions {
  /** What a null component does to the total. Default 'null-total'. */
  onNull: NullPolicy;
}

export const DEFAULT_COMBINE_OPTIONS: Readonly<CombineOptions> = Object.freeze({ onNull: 'null-total' });

export interface ComponentScore {
  name: string;
  weight: number;
  /** The component's value, or null (cannot be scored, or it failed). */
  value: number | null;
  /** Why `value` is null when the component failed (threw or returned a non-number). */
  error?: string;
}

export interface CombinedReward {
  total: number | null;
  components: ComponentScore[];
}

const NULL_POLICIES: readonly NullPolicy[] = ['null-total', 'skip'];

export function resolveCombineOptions(partial: Partial<CombineOptions> = {}): CombineOptions {
  for (const key of Object.keys(partial)) {
    if (key !== 'onNull') throw new Error(`combineRewards: unknown option '${key}'; the only option is onNull`);
  }
  const o = { ...DEFAULT_COMBINE_OPTIONS, ...(partial.onNull === undefined ? {} : { onNull: partial.onNull }) };
  if (!NULL_POLICIES.includes(o.onNull)) {
    throw new Error(
      `combineRewards: onNull must be one of ${NULL_POLICIES.join(', ')}, got ${JSON.stringify(o.onNull)}`,
    );
  }
  return o;
}

function checkComponents(components: readonly { name: string; weight: number }[], fnKey: (c: object) => boolean): void {
  if (!Array.isArray(components) || components.length === 0) {
    throw new Error('combineRewards: give at least one component { name, fn, weight }');
  }
  const names = new Set<string>();
  for (const [i, c] of components.entries()) {
    if (typeof c?.name !== 'string' || c.name.length === 0)
      throw new Error(`combineRewards: component ${i} needs a name`);
    if (names.has(c.name))
      throw new Error(`combineRewards: component name '${c.name}' is used twice; names must be unique`);
    names.add(c.name);
    if (!fnKey(c))
      throw new Error(`combineRewards: component '${c.name}' needs a function (fn, or groupFn for group rewards)`);
    if (typeof c.weight !== 'number' || !Number.isFinite(c.weight)) {
      throw new Error(`combineRewards: component '${c.name}' has weight ${String(c.weight)}; use a finite number`);
    }
  }
}

/** Reads one component's output: a finite number or null, else an error. */
function accept(name: string, weight: number, run: () => unknown): ComponentScore {
  try {
    const v = run();
    if (v === null || (typeof v === 'number' && Number.isFinite(v))) return { name, weight, value: v };
    return {
      name,
      weight,
      value: null,
      error: `returned ${typeof v === 'number' ? String(v) : typeof v}, not a finite number or null`,
    };
  } catch (e) {
    return { name, weight, value: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Σ weight·value under the null policy. */
export function totalOf(components: readonly ComponentScore[], onNull: NullPolicy): number | null {
  let total = 0;
  let counted = 0;
  for (const c of components) {
    if (c.value === null) {
      if (onNull === 'null-total') return null;
      continue;
    }
    total += c.weight * c.value;
    counted++;
  }
  return counted === 0 ? null : total;
}

/**
 * Combines per-completion rewards.
 *
 * @example
 * const reward = combineRewards([
 *   { name: 'accuracy', fn: accuracyReward, weight: 1 },
 *   { name: 'format', fn: formatReward, weight: 0.5 },
 * ]);
 * reward(completion, sample) // { total: 1.5, components: [{ name: 'accuracy', weight: 1, value: 1 }, …] }
 */
export function combineRewards(
  components: readonly RewardComponent[],
  options?: Partial<CombineOptions>,
): (completion: string, sample: Sample) => CombinedReward {
  checkComponents(components, (c) => typeof (c as RewardComponent).fn === 'function');
  const { onNull } = resolveCombineOptions(options);
  const list = components.map((c) => ({ ...c }));
  return (completion, sample) => {
    const scores = list.map((c) => accept(c.name, c.weight, () => c.fn(completion, sample)));
    return { total: totalOf(scores, onNull), components: scores };
  };
}

/** Combines per-completion and group rewards over the completions of one prompt; one result per completion. */
export function combineGroupRewards(
  components: readonly (RewardComponent | GroupRewardComponent)[],
  options?: Partial<CombineOptions>,
): (completions: readonly string[], sample: Sample) => CombinedReward[] {
  checkComponents(
    components,
    (c) => typeof (c as RewardComponent).fn === 'function' || typeof (c as GroupRewardComponent).groupFn === 'function',
  );
  const { onNull } = resolveCombineOptions(options);
  const list = components.map((c) => ({ ...c }));
  return (completions, sample) => {
    const columns: ComponentScore[][] = list.map((c) => {
      if ('groupFn' in c) return groupColumn(c, completions, sample);
      return completions.map((completion) => accept(c.name, c.weight, () => c.fn(completion, sample)));
    });
    return completions.map((_, i) => {
      const scores = columns.map((column) => column[i]!);
      return { total: totalOf(scores, onNull), components: scores };
    });
  };
}

function groupColumn(c: GroupRewardComponent, completions: readonly string[], sample: Sample): ComponentScore[] {
  let values: unknown;
  try {
    values = c.groupFn(completions, sample);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return completions.map(() => ({ name: c.name, weight: c.weight, value: null, error }));
  }
  if (!Array.isArray(values) || values.length !== completions.length) {
    const error = `returned ${Array.isArray(values) ? `${values.length} scores` : typeof values} for ${completions.length} completions`;
    return completions.map(() => ({ name: c.name, weight: c.weight, value: null, error }));
  }
  return values.map((v) => accept(c.name, c.weight, () => v));
}

/**
 * TRL's `multi_objective_aggregation: normalize_then_sum` over the completions of one prompt: each component is
 * normalised within the group, (v − mean) / (std + 1e-4) over its non-null values, before the weighted sum — so a
 * reward with a large scale (a reward model's logit) does not drown a 0/1 rule reward. Nulls stay null and follow
 * `onNull` as in the plain sum; the components keep their raw values for logging.
 */
export function normalizeThenSum(
  group: readonly CombinedReward[],
  onNull: NullPolicy = 'null-total',
): CombinedReward[] {
  if (group.length === 0) return [];
  const width = group[0]!.components.length;
  const stats = Array.from({ length: width }, (_, j) => {
    const values = group.map((r) => r.components[j]?.value).filter((v): v is number => typeof v === 'number');
    const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length));
    return { mean, std };
  });
  return group.map((r) => {
    const normalised = r.components.map((c, j) =>
      c.value === null ? c : { ...c, value: (c.value - stats[j]!.mean) / (stats[j]!.std + 1e-4) },
    );
    return { total: totalOf(normalised, onNull), components: r.components };
  });
}
