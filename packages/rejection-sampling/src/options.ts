/**
 * The options of rejection sampling: filter thresholds, the per-problem selection policy, deduplication and the
 * output layout. One interface with every field documented once, the defaults (DeepSeek-R1 §2.3.3 where it says
 * something), and `resolveFilterOptions`, which rejects unknown keys and bad values with a message saying how to fix
 * them. Generation settings (k, temperature, …) are the sampler's and live in `RejectionSampleOptions`.
 */
import { COMPLETION_FORMATS, type CompletionFormat } from '@r1/templates';

export type TargetLanguage = 'en' | 'zh';
export type SelectionPolicy = 'all-correct' | 'best-n' | 'pass-band';
export type BestNOrder = 'shortest' | 'reward';
export type DedupMode = 'exact' | 'near' | 'none';
export type OutputFormat = 'messages' | 'prompt-completion';

export interface FilterOptions {
  /** Where reasoning and answer are in a trace: 'r1-zero' (<think>/<answer>), 'r1' (readable), 'think' (R1-Distill). */
  format: CompletionFormat;
  /** The language the reasoning must be in. Default 'en'. */
  targetLanguage: TargetLanguage;
  /**
   * `mixed_language` below this share of target-language words in the reasoning (words classified as by
   * `languageConsistencyReward`: by script; math and code spans neutral). Default 0.95.
   */
  minLanguageShare: number;
  /** `long_paragraph` when a paragraph (a maximal run of non-blank lines) of the reasoning is longer. Default 1,500. */
  maxParagraphChars: number;
  /** Keep fenced code blocks (``` or ~~~) in the reasoning — for code tasks. Default false (R1 drops them). */
  allowCodeBlocks: boolean;
  /** `too_long` above this many completion tokens; null = no limit. Over-length traces are dropped, never cut. */
  maxTraceTokens: number | null;
  /** A trace is correct when its reward is at least this (the verifiers give 1 or 0). Default 1. */
  minReward: number;
  /** Per-problem selection. Default 'all-correct'. */
  select: SelectionPolicy;
  /** 'best-n': how many traces per problem at most. Default 1. */
  bestN: number;
  /** 'best-n': which traces first — the shortest, or the highest reward (ties: shorter, then sample order). */
  bestBy: BestNOrder;
  /** 'pass-band': keep a problem only if its pass rate (correct / traces) is in [lo, hi]. Default [0, 1]. */
  passBand: [number, number];
  /** At most this many traces per problem after the policy (the first in sample order); null = no cap. */
  maxPerProblem: number | null;
  /** Duplicate detection. Default 'near' (exact duplicates are caught by 'near' too). */
  dedup: DedupMode;
  /** 'near': MinHash Jaccard over word 5-grams at or above which two traces are duplicates. Default 0.9. */
  nearDupThreshold: number;
  /** Word n-gram length of the near-duplicate shingles. Default 5. */
  shingleSize: number;
  /** MinHash permutations (more: a tighter estimate, slower). Default 128. */
  minhashPermutations: number;
  /** Word n-gram length of decontamination (open-r1: 8). Default 8. */
  decontaminationNgram: number;
  /** Output rows: TRL conversational `messages` (default) or `prompt`/`completion`. */
  outputFormat: OutputFormat;
}

export const DEFAULT_FILTER_OPTIONS: Readonly<FilterOptions> = Object.freeze({
  format: 'r1-zero',
  targetLanguage: 'en',
  minLanguageShare: 0.95,
  maxParagraphChars: 1500,
  allowCodeBlocks: false,
  maxTraceTokens: null,
  minReward: 1,
  select: 'all-correct',
  bestN: 1,
  bestBy: 'shortest',
  passBand: [0, 1] as [number, number],
  maxPerProblem: null,
  dedup: 'near',
  nearDupThreshold: 0.9,
  shingleSize: 5,
  minhashPermutations: 128,
  decontaminationNgram: 8,
  outputFormat: 'messages',
});

const KEYS = Object.keys(DEFAULT_FILTER_OPTIONS) as (keyof FilterOptions)[];

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): void {
  if (!allowed.includes(value as T)) {
    throw new Error(`rejection sampling: '${name}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

function inRange(name: string, value: unknown, lo: number, hi: number, integer = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    throw new Error(`rejection sampling: '${name}' must be a number in [${lo}, ${hi}], got ${JSON.stringify(value)}`);
  }
  if (integer && !Number.isInteger(value)) {
    throw new Error(`rejection sampling: '${name}' must be an integer, got ${value}`);
  }
}

/** Fills in defaults and checks every field. */
export function resolveFilterOptions(partial: Partial<FilterOptions> = {}): FilterOptions {
  for (const key of Object.keys(partial)) {
    if (!(KEYS as string[]).includes(key)) {
      throw new Error(`rejection sampling: unknown option '${key}'; the options are ${KEYS.join(', ')}`);
    }
  }
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const o: FilterOptions = { ...DEFAULT_FILTER_OPTIONS, ...defined } as FilterOptions;
  oneOf('format', o.format, COMPLETION_FORMATS);
  oneOf('targetLanguage', o.targetLanguage, ['en', 'zh']);
  inRange('minLanguageShare', o.minLanguageShare, 0, 1);
  inRange('maxParagraphChars', o.maxParagraphChars, 1, Number.MAX_SAFE_INTEGER, true);
  if (typeof o.allowCodeBlocks !== 'boolean')
    throw new Error("rejection sampling: 'allowCodeBlocks' must be a boolean");
  if (o.maxTraceTokens !== null) inRange('maxTraceTokens', o.maxTraceTokens, 1, Number.MAX_SAFE_INTEGER, true);
  inRange('minReward', o.minReward, -Number.MAX_VALUE, Number.MAX_VALUE);
  oneOf('select', o.select, ['all-correct', 'best-n', 'pass-band']);
  inRange('bestN', o.bestN, 1, Number.MAX_SAFE_INTEGER, true);
  oneOf('bestBy', o.bestBy, ['shortest', 'reward']);
  if (!Array.isArray(o.passBand) || o.passBand.length !== 2) {
    throw new Error(`rejection sampling: 'passBand' must be [lo, hi], got ${JSON.stringify(o.passBand)}`);
  }
  inRange('passBand[0]', o.passBand[0], 0, 1);
  inRange('passBand[1]', o.passBand[1], 0, 1);
  if (o.passBand[0] > o.passBand[1]) {
    throw new Error(`rejection sampling: 'passBand' needs lo ≤ hi, got [${o.passBand.join(', ')}]`);
  }
  if (o.maxPerProblem !== null) inRange('maxPerProblem', o.maxPerProblem, 1, Number.MAX_SAFE_INTEGER, true);
  oneOf('dedup', o.dedup, ['exact', 'near', 'none']);
  inRange('nearDupThreshold', o.nearDupThreshold, 0, 1);
  inRange('shingleSize', o.shingleSize, 1, 64, true);
  inRange('minhashPermutations', o.minhashPermutations, 8, 4096, true);
  inRange('decontaminationNgram', o.decontaminationNgram, 1, 64, true);
  oneOf('outputFormat', o.outputFormat, ['messages', 'prompt-completion']);
  return o;
}
