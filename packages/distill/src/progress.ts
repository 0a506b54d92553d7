/**
 * The progress bar on stderr: `[####....] step/total elapsed, ETA · loss … · tok/s …`, redrawn in place on a TTY;
 * elsewhere (a pipe, a CI log) one plain line every `everySteps` steps and at the end. ETA counts only the steps of
 * this process, so a resumed run's estimate is not skewed by the steps it skipped.
 */
export interface ProgressOptions {
  total: number;
  /** Redraw in place (a TTY). */
  tty: boolean;
  /** Plain-line cadence when not a TTY. */
  everySteps: number;
  write?: (text: string) => void;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(Math.floor(s % 60)).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export class ProgressBar {
  readonly #o: Required<ProgressOptions>;
  readonly #started = performance.now();
  #first: number | null = null;

  constructor(options: ProgressOptions) {
    this.#o = { write: (t) => process.stderr.write(t), ...options };
  }

  /** The line for `step` (exposed for tests). */
  line(step: number, metrics: Record<string, number | undefined>): string {
    const { total } = this.#o;
    if (this.#first === null) this.#first = step - 1;
    const width = 24;
    const filled = Math.min(width, Math.round((width * step) / Math.max(1, total)));
    const elapsed = (performance.now() - this.#started) / 1000;
    const done = step - this.#first;
    const eta = done > 0 ? (elapsed / done) * (total - step) : Number.NaN;
    const shown = Object.entries(metrics)
      .filter((e): e is [string, number] => e[1] !== undefined && Number.isFinite(e[1]))
      .map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(4)}`)
      .join(' · ');
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${total} ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}${shown ? ` · ${shown}` : ''}`;
  }

  update(step: number, metrics: Record<string, number | undefined>): void {
    const text = this.line(step, metrics);
    if (this.#o.tty) this.#o.write(`\r\x1b[2K${text}`);
    else if (step % this.#o.everySteps === 0 || step === this.#o.total) this.#o.write(`${text}\n`);
  }

  done(): void {
    if (this.#o.tty) this.#o.write('\n');
  }
}
