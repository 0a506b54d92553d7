/**
 * A concurrency limit for jailed runs: at most `size` at a time, the rest queued in order. One process-wide pool
 * (`defaultPool()`, one slot per core) is shared by every judge call unless a caller passes its own, so a trainer
 * scoring a batch and an evaluator scoring a file never oversubscribe the machine together.
 */
import { availableParallelism } from 'node:os';

export class Pool {
  readonly size: number;
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(size: number = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1) throw new TypeError(`pool size must be an integer ≥ 1, got ${size}`);
    this.size = size;
  }

  /** Runs `task` when a slot is free; resolves or rejects with it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  /** Runs in progress and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.queue.length };
  }
}

let shared: Pool | null = null;
/** The process-wide pool, one slot per core. */
export function defaultPool(): Pool {
  shared ??= new Pool();
  return shared;
}
