/**
 * The per-problem selection policies, applied to the traces that passed every filter (in sample order):
 * - `all-correct` (default): keep them all — R1 keeps every correct, clean trace;
 * - `best-n`: at most `bestN`, the shortest first or the highest reward first (ties: shorter, then sample order);
 * - `pass-band`: keep the problem only if its pass rate is in [lo, hi] (open-r1's filter for RL data: drop problems
 *   the model always or never solves);
 * then `maxPerProblem` caps what is left, first in sample order.
 */
import type { FilterOptions } from './options';

export interface Selectable {
  sampleIndex: number;
  completion: string;
  reward: number | null;
}

export function selectTraces<T extends Selectable>(
  traces: readonly T[],
  passRate: number,
  o: Pick<FilterOptions, 'select' | 'bestN' | 'bestBy' | 'passBand' | 'maxPerProblem'>,
): T[] {
  let chosen: T[];
  switch (o.select) {
    case 'all-correct':
      chosen = [...traces];
      break;
    case 'best-n': {
      const byLength = (a: T, b: T) => a.completion.length - b.completion.length || a.sampleIndex - b.sampleIndex;
      const order =
        o.bestBy === 'shortest' ? byLength : (a: T, b: T) => (b.reward ?? 0) - (a.reward ?? 0) || byLength(a, b);
      const best = new Set([...traces].sort(order).slice(0, o.bestN));
      chosen = traces.filter((t) => best.has(t));
      break;
    }
    case 'pass-band':
      chosen = passRate >= o.passBand[0] && passRate <= o.passBand[1] ? [...traces] : [];
      break;
    default: {
      const never: never = o.select;
      throw new Error(`unknown selection policy ${String(never)}`);
    }
  }
  return o.maxPerProblem === null ? chosen : chosen.slice(0, o.maxPerProblem);
}
