/**
 * Runs one problem's traces through the filters, deduplication and the selection policy, in the order of
 * {@link REASONS}: the first reason a trace fails is the one it is counted under. Keeps the state that spans
 * problems (the duplicate index, the counts), so a whole run is one `TraceFilter` fed problem after problem in a
 * fixed order — which makes the result deterministic and a resumed run identical to an uninterrupted one.
 */
import type { FinishReason } from '@r1/sampler';
import type { ContaminationIndex } from './decontaminate';
import { Deduplicator, type Fingerprint } from './dedup';
import {
  checkFormat,
  emptyReasonCounts,
  hasCodeBlock,
  isTruncated,
  languageShare,
  longestParagraph,
  type Reason,
} from './filters';
import type { FilterOptions } from './options';
import { selectTraces } from './select';
import type { ResolvedVerifier } from './verifier';

/** One problem as rejection sampling sees it. */
export interface RSProblem {
  id: string;
  /** The problem text (before any template). */
  prompt: string;
  /** Gold answer; without one every trace is `unscorable` (unless a custom verifier needs none). */
  answer?: string;
  meta?: Record<string, unknown>;
}

export interface Trace {
  problemId: string;
  sampleIndex: number;
  completion: string;
  finishReason: FinishReason | null;
  /** Generated tokens when known. */
  completionTokens: number | null;
}

export interface ScoredTrace extends Trace {
  reward: number | null;
}

export interface RejectedTrace extends ScoredTrace {
  reason: Reason;
  /** What exactly failed, for rejected.jsonl. */
  detail: string;
}

export interface ProblemOutcome {
  kept: ScoredTrace[];
  rejected: RejectedTrace[];
  /** Correct traces / traces (the problem's pass rate under this model). */
  passRate: number;
}

export class TraceFilter {
  readonly removed = emptyReasonCounts();
  input = 0;
  kept = 0;
  problems = 0;
  problemsKept = 0;
  problemsContaminated = 0;
  readonly #dedup: Deduplicator;

  constructor(
    readonly options: FilterOptions,
    readonly verify: ResolvedVerifier,
    readonly contamination: ContaminationIndex | null = null,
    /** Counts a trace's tokens when the engine did not report them (needed for maxTraceTokens). */
    readonly countTokens: ((text: string) => number) | null = null,
  ) {
    this.#dedup = new Deduplicator({
      mode: options.dedup,
      threshold: options.nearDupThreshold,
      shingleSize: options.shingleSize,
      permutations: options.minhashPermutations,
    });
  }

  /** The n-gram a problem shares with the benchmarks, or null: such a problem is not sampled at all. */
  contaminatedBy(problem: RSProblem): string | null {
    return this.contamination?.match(problem.prompt) ?? null;
  }

  async process(problem: RSProblem, traces: readonly Trace[]): Promise<ProblemOutcome> {
    const o = this.options;
    const ordered = [...traces].sort((a, b) => a.sampleIndex - b.sampleIndex);
    this.problems++;
    this.input += ordered.length;
    const contaminated = this.contaminatedBy(problem);
    const scored: ScoredTrace[] = [];
    for (const t of ordered) {
      scored.push({
        ...t,
        reward: contaminated === null ? await this.verify(t.completion, problem) : null,
      });
    }
    const correct = scored.filter((t) => t.reward !== null && t.reward >= o.minReward).length;
    const passRate = scored.length === 0 ? 0 : correct / scored.length;
    const rejected: RejectedTrace[] = [];
    const reject = (trace: ScoredTrace, reason: Reason, detail: string) => {
      rejected.push({ ...trace, reason, detail });
      this.removed[reason]++;
    };
    if (contaminated !== null) {
      this.problemsContaminated++;
      for (const t of scored) reject(t, 'contaminated', `shares the ${o.decontaminationNgram}-gram "${contaminated}"`);
      return { kept: [], rejected, passRate };
    }

    const survivors: { trace: ScoredTrace; fp: Fingerprint }[] = [];
    for (const t of scored) {
      const failure = this.#firstFailure(t);
      if (failure !== null) {
        reject(t, failure[0], failure[1]);
        continue;
      }
      if (o.dedup !== 'none') {
        const fp = this.#dedup.fingerprint(t.completion);
        if (
          this.#dedup.isDuplicate(
            fp,
            survivors.map((s) => s.fp),
          )
        ) {
          reject(t, 'duplicate', o.dedup === 'exact' ? 'exact duplicate' : `near-duplicate (≥ ${o.nearDupThreshold})`);
          continue;
        }
        survivors.push({ trace: t, fp });
      } else {
        survivors.push({ trace: t, fp: { exact: '', signature: null } });
      }
    }

    const selected = new Set(
      selectTraces(
        survivors.map((s) => s.trace),
        passRate,
        o,
      ),
    );
    const kept: ScoredTrace[] = [];
    for (const s of survivors) {
      if (selected.has(s.trace)) {
        kept.push(s.trace);
        this.#dedup.add(s.fp);
      } else {
        reject(
          s.trace,
          'selection',
          `removed by ${o.select}${o.maxPerProblem === null ? '' : ` / maxPerProblem ${o.maxPerProblem}`}`,
        );
      }
    }
    this.kept += kept.length;
    if (kept.length > 0) this.problemsKept++;
    return { kept, rejected, passRate };
  }

  #tokens(t: Trace): number {
    if (t.completionTokens !== null) return t.completionTokens;
    if (this.countTokens === null) {
      throw new Error(
        `problem ${t.problemId} sample ${t.sampleIndex}: its token count is unknown and maxTraceTokens is set; ` +
          'give a tokenizer (--tokenizer DIR) or traces with completion_tokens',
      );
    }
    return this.countTokens(t.completion);
  }

  /** The first per-trace filter `t` fails, with a detail, or null. */
  #firstFailure(t: ScoredTrace): [Reason, string] | null {
    const o = this.options;
    if (isTruncated(t.finishReason)) return ['truncated', 'finish_reason is length'];
    const format = checkFormat(t.completion, o.format);
    if (format.problem !== null) return ['format', format.problem];
    if (t.reward === null) return ['unscorable', 'the verifier could not score it'];
    if (t.reward < o.minReward) return ['incorrect', `reward ${t.reward} < ${o.minReward}`];
    const reasoning = format.reasoning ?? '';
    const share = languageShare(reasoning, o.targetLanguage);
    if (share === null || share < o.minLanguageShare) {
      return [
        'mixed_language',
        `${o.targetLanguage} share ${share === null ? 'unknown' : share.toFixed(3)} < ${o.minLanguageShare}`,
      ];
    }
    const paragraph = longestParagraph(reasoning);
    if (paragraph > o.maxParagraphChars)
      return ['long_paragraph', `a paragraph of ${paragraph} characters > ${o.maxParagraphChars}`];
    if (!o.allowCodeBlocks && hasCodeBlock(reasoning)) return ['code_block', 'a fenced code block in the reasoning'];
    if (o.maxTraceTokens !== null) {
      const tokens = this.#tokens(t);
      if (tokens > o.maxTraceTokens) return ['too_long', `${tokens} tokens > ${o.maxTraceTokens}`];
    }
    return null;
  }
}
