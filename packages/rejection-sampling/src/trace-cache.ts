/**
 * The raw traces of a run, as drawn: an append-only, fsynced {@link SampleLog} keyed by (model, prompt, sampling
 * settings, sample index). Filtering is re-done from it on every run, so thresholds can change without sampling
 * again; sampling settings cannot (the run directory records them, see rejection-sample.ts).
 */
import { type FinishReason, SampleLog } from '@r1/sampler';

export interface TraceRecord {
  key: string;
  problemId: string;
  sampleIndex: number;
  modelId: string;
  completion: string;
  finishReason: FinishReason;
  /** Generated tokens, or null when the engine did not return token ids. */
  tokens: number | null;
}

export class TraceCache extends SampleLog<TraceRecord> {
  constructor(path: string) {
    super(path, {
      kind: 'trace record',
      check: (r) =>
        typeof r.problemId !== 'string' || typeof r.completion !== 'string' || typeof r.sampleIndex !== 'number'
          ? 'lacks problemId, sampleIndex or completion'
          : null,
    });
  }
}
