/**
 * Rows longer than `max_length` tokens: `drop` them (the default) or `truncate` them to their first `max_length`
 * tokens. Both are counted, never silent, and truncation never appends an EOS: a truncated row teaches no stop.
 * A truncated row that keeps no trained token is an error naming it (raise max_length, or drop).
 */
import type { OverLengthPolicy } from './sft-config';
import type { TokenizedExample } from './tokenize-row';

export interface OverLengthResult {
  /** The examples kept, in input order. */
  examples: TokenizedExample[];
  /** Index in the input of each kept example. */
  kept: number[];
  dropped: number;
  truncated: number;
}

/** @param names names the rows in errors (e.g. `data.jsonl:12`), by input index */
export function applyOverLength(
  examples: readonly TokenizedExample[],
  maxLength: number,
  policy: OverLengthPolicy,
  names: (index: number) => string = (i) => `row ${i}`,
): OverLengthResult {
  const out: OverLengthResult = { examples: [], kept: [], dropped: 0, truncated: 0 };
  examples.forEach((example, i) => {
    if (example.ids.length <= maxLength) {
      out.examples.push(example);
      out.kept.push(i);
      return;
    }
    switch (policy) {
      case 'drop':
        out.dropped++;
        return;
      case 'truncate': {
        const labels = example.labels.slice(0, maxLength);
        if (!labels.includes(1)) {
          throw new Error(
            `${names(i)}: truncated to max_length ${maxLength} it keeps no trained token (it has ` +
              `${example.ids.length}, the first trained one at ${example.labels.indexOf(1)}); raise max_length or use over_length: drop`,
          );
        }
        out.examples.push({ ids: example.ids.slice(0, maxLength), labels });
        out.kept.push(i);
        out.truncated++;
        return;
      }
      default: {
        const never: never = policy;
        throw new Error(`unknown over_length policy ${JSON.stringify(never)}; use drop or truncate`);
      }
    }
  });
  return out;
}
