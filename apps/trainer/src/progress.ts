/**
 * A one-line progress bar with ETA and live metrics on stderr (redrawn in place on a TTY; silent otherwise, where
 * the trainer's periodic log lines carry the same numbers).
 */
export class Progress {
  private readonly started = performance.now();
  private startStep: number | null = null;

  constructor(
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  update(step: number, metrics: Record<string, number | undefined>): void {
    if (!this.enabled) return;
    if (this.startStep === null) this.startStep = step;
    const width = 24;
    const filled = Math.round((width * step) / this.total);
    const done = step - this.startStep;
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - step) : Number.NaN;
    const shown = Object.entries(metrics)
      .filter(([, v]) => v !== undefined && Number.isFinite(v))
      .map(([k, v]) => `${k} ${k === 'len' ? v!.toFixed(1) : v!.toFixed(3)}`)
      .join(' · ');
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${this.total} ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}${shown ? ` · ${shown}` : ''}`;
    process.stderr.write(`\r\x1b[2K${line}`);
  }

  done(): void {
    if (this.enabled) process.stderr.write('\n');
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}
