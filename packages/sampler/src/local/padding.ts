/**
 * Vocabulary padding. Real checkpoints pad the embedding and output matrices past their tokenizer: Qwen2.5-0.5B/1.5B
 * and R1-Distill-Qwen-1.5B have `vocab_size` 151,936 (152,064 from 7B on) against 151,665–151,669 tokenizer ids.
 * The extra rows are never trained towards and no text decodes to them, so the local engines draw only ids below the
 * tokenizer's size (`chooseToken`'s `sampleable`). A tokenizer *larger* than `vocab_size` is a mismatched
 * checkpoint: its top ids have no embedding row, and it is refused.
 *
 * It only decides and reports the limit; the masking itself is `chooseToken`'s.
 */

/** Where the padding notice goes: a function of its own (tests, apps) or, by default, stderr. */
export type PaddingLog = (line: string) => void;

const toStderr: PaddingLog = (line) => process.stderr.write(`${line}\n`);
/** Lines already written, per log function: the notice is given once, not at every engine a run creates. */
const logged = new WeakMap<PaddingLog, Set<string>>();

/**
 * How many of the model's `vocabSize` ids are padding behind a tokenizer of `tokenizerSize` ids (0 when they match or
 * the tokenizer's size is unknown). Throws when the tokenizer is larger than the model, naming `source`.
 */
export function paddingIds(vocabSize: number, tokenizerSize: number | undefined, source: string): number {
  if (tokenizerSize === undefined) return 0;
  if (!Number.isInteger(tokenizerSize) || tokenizerSize < 1) {
    throw new Error(`${source}: the tokenizer reports ${tokenizerSize} ids; expected a positive integer`);
  }
  if (tokenizerSize > vocabSize) {
    throw new Error(
      `${source}: the tokenizer has ${tokenizerSize} ids but the model's vocab_size (config.json) is ${vocabSize}, ` +
        `so ids ${vocabSize}…${tokenizerSize - 1} have no embedding row. The tokenizer does not belong to these ` +
        `weights: use the tokenizer.json the checkpoint was trained with, or a model whose vocab_size is at least ` +
        `${tokenizerSize}`,
    );
  }
  return vocabSize - tokenizerSize;
}

/**
 * The number of ids sampling may draw from: the tokenizer's size when the model's vocabulary is padded past it (said
 * once per log: "vocab_size 151936, tokenizer 151669: 267 padding ids masked"), else the whole vocabulary.
 */
export function sampleableIds(
  vocabSize: number,
  tokenizerSize: number | undefined,
  source: string,
  log: PaddingLog = toStderr,
): number {
  const padding = paddingIds(vocabSize, tokenizerSize, source);
  if (padding === 0) return vocabSize;
  const line = `sampler: vocab_size ${vocabSize}, tokenizer ${tokenizerSize}: ${padding} padding ids masked`;
  const seen = logged.get(log) ?? new Set<string>();
  logged.set(log, seen);
  if (!seen.has(line)) {
    seen.add(line);
    log(line);
  }
  return vocabSize - padding;
}
