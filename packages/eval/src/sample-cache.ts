/**
 * The append-only JSONL record of every evaluated sample, which makes evaluation resumable.
 *
 * Each line is one {@link SampleRecord} keyed by `sampleKey` (a hash of model id, rendered prompt, sampling
 * parameters and sample index; see @r1/sampler). The file is a {@link SampleLog}: appended and fsynced as samples
 * complete, so a crash (even kill -9) loses at most the batch in flight, a torn last line is cut off on open, and
 * reopening skips every key already present — a rerun generates only what is missing, and raising k reuses the
 * samples already drawn.
 */
import { type FinishReason, SampleLog } from '@r1/sampler';

export { sampleKey } from '@r1/sampler';

export interface SampleRecord {
  key: string;
  problemId: string;
  sampleIndex: number;
  modelId: string;
  completion: string;
  /** The answer the scorer extracted, or null when none could be extracted. */
  extracted: string | null;
  correct: boolean;
  finishReason: FinishReason;
  /** Generated tokens (0 when the engine does not report them). */
  tokens: number;
}

export class SampleCache extends SampleLog<SampleRecord> {
  /** Opens (creating if needed) the JSONL file at `path` and loads what it holds. */
  constructor(path: string) {
    super(path, {
      kind: 'sample record',
      check: (r) =>
        typeof r.problemId !== 'string' || typeof r.correct !== 'boolean' ? 'lacks key, problemId or correct' : null,
    });
  }
}
