/**
 * The append-only JSONL record of every evaluated sample, which makes evaluation resumable.
 *
 * Each line is one {@link SampleRecord} keyed by a hash of (model id, rendered prompt, sampling parameters, sample
 * index). Records are appended and fsynced as samples complete, so a crash (even kill -9) loses at most the batch in
 * flight; a torn last line is detected on open and cut off. Reopening skips every key already present, so a rerun
 * generates only what is missing, and raising k reuses the samples already drawn (n is not part of the key).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { FinishReason, SamplingParams } from '@r1/sampler';

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

/** Sampling parameters that change what is generated (n does not: sample j is the same whatever n is). */
export function sampleKey(modelId: string, prompt: string, params: SamplingParams, sampleIndex: number): string {
  const { n: _n, ...rest } = params;
  const canonical = JSON.stringify([
    modelId,
    prompt,
    Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)),
    sampleIndex,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

export class SampleCache {
  readonly #records = new Map<string, SampleRecord>();
  #fd: number | null = null;
  /** Lines dropped on open (a torn last line after a crash). */
  readonly repairedLines: number = 0;

  /** Opens (creating if needed) the JSONL file at `path` and loads what it holds. */
  constructor(readonly path: string) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      let offset = 0;
      let goodBytes = 0;
      let lineNo = 0;
      let repaired = 0;
      while (offset < text.length) {
        const end = text.indexOf('\n', offset);
        lineNo++;
        if (end < 0) {
          // No newline: a write torn by a crash. Everything before it is intact.
          repaired++;
          break;
        }
        const line = text.slice(offset, end);
        offset = end + 1;
        if (line.trim() === '') {
          goodBytes = Buffer.byteLength(text.slice(0, offset));
          continue;
        }
        let record: SampleRecord;
        try {
          record = JSON.parse(line) as SampleRecord;
        } catch (error) {
          throw new Error(
            `${path}:${lineNo}: not a JSON sample record (${(error as Error).message}); ` +
              'the file is not an r1 sample cache or was edited by hand — move it away to start afresh',
          );
        }
        if (
          typeof record.key !== 'string' ||
          typeof record.problemId !== 'string' ||
          typeof record.correct !== 'boolean'
        ) {
          throw new Error(`${path}:${lineNo}: sample record lacks key, problemId or correct`);
        }
        if (!this.#records.has(record.key)) this.#records.set(record.key, record);
        goodBytes = Buffer.byteLength(text.slice(0, offset));
      }
      this.#fd = openSync(path, 'r+');
      if (repaired > 0) {
        ftruncateSync(this.#fd, goodBytes);
        this.repairedLines = repaired;
      }
      closeSync(this.#fd);
    }
    this.#fd = openSync(path, 'a');
  }

  get size(): number {
    return this.#records.size;
  }

  get(key: string): SampleRecord | undefined {
    return this.#records.get(key);
  }

  has(key: string): boolean {
    return this.#records.has(key);
  }

  /** Appends records (skipping keys already present) with one write and an fsync. */
  append(records: readonly SampleRecord[]): void {
    if (this.#fd === null) throw new Error(`${this.path}: sample cache is closed`);
    const fresh = records.filter((r) => !this.#records.has(r.key));
    if (fresh.length === 0) return;
    const text = fresh.map((r) => `${JSON.stringify(r)}\n`).join('');
    writeSync(this.#fd, text);
    fsyncSync(this.#fd);
    for (const r of fresh) this.#records.set(r.key, r);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
