/**
 * (prompt ids, completion ids) pairs — what a caller with its own tokenization has (the demo's pretraining corpus,
 * rollouts) — as tokenized examples: loss on the completion tokens only.
 */
import type { TokenizedExample } from './tokenize-row';

export function examplesFromPairs(
  pairs: readonly { prompt: readonly number[]; completion: readonly number[] }[],
): TokenizedExample[] {
  return pairs.map((p, i) => {
    if (p.prompt.length === 0) throw new Error(`examplesFromPairs: pair ${i} has an empty prompt`);
    if (p.completion.length === 0) throw new Error(`examplesFromPairs: pair ${i} has an empty completion`);
    const labels = new Uint8Array(p.prompt.length + p.completion.length);
    labels.fill(1, p.prompt.length);
    return { ids: [...p.prompt, ...p.completion], labels };
  });
}
