/**
 * The progress display of `r1-eval run` on stderr: on a terminal a bar redrawn in place with the share of problems
 * done, the running pass@1, the sampling rate and an ETA; on a pipe or file a plain line every 5% (and at the end),
 * so logs stay readable.
 *
 * The ETA assumes every remaining sample must still be generated (samples found in results.jsonl are done at once,
 * so on a resumed run it can only be pessimistic). The clock is injected so the display is testable.
 */
import type { EvalProgress } from '@r1/eval';

export interface ProgressOptions {
  totalProblems: number;
  /** Samples the run needs in all (problems × k). */
  totalSamples: number;
  write: (text: string) => void;
  tty: boolean;
  /** Milliseconds since some origin. Default `performance.now`. */
  now?: () => number;
  /** Width of the bar in characters. Default 24. */
  barWidth?: number;
  /** Plain lines are printed every `step` percent. Default 5. */
  step?: number;
}

export interface Progress {
  update(progress: EvalProgress): void;
  /** Ends the display (a newline after a terminal bar). */
  done(): void;
}

/** "1h02m", "3m07s", "42s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const width = options.barWidth ?? 24;
  const step = options.step ?? 5;
  const started = now();
  let lastStep = -1;
  let drawn = false;

  const line = (p: EvalProgress, fraction: number) => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? p.samplesGenerated / elapsed : 0;
    const remaining = options.totalSamples - p.samplesDone;
    const eta = remaining <= 0 ? 0 : rate > 0 ? remaining / rate : Number.NaN;
    const parts = [
      `${Math.floor(fraction * 100)}%`,
      `${p.problemsDone}/${options.totalProblems} problems`,
      `pass@1 ${(100 * p.runningPass1).toFixed(1)}%`,
      `${rate.toFixed(rate >= 10 ? 0 : 1)} samples/s`,
      remaining <= 0 ? `done in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`,
    ];
    return parts.join(' · ');
  };

  return {
    update(p) {
      const fraction = options.totalProblems > 0 ? Math.min(1, p.problemsDone / options.totalProblems) : 1;
      if (options.tty) {
        const filled = Math.round(fraction * width);
        options.write(`\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${line(p, fraction)}`);
        drawn = true;
        return;
      }
      const reached = Math.floor((fraction * 100) / step);
      if (reached > lastStep) {
        lastStep = reached;
        options.write(`progress: ${line(p, fraction)}\n`);
      }
    },
    done() {
      if (options.tty && drawn) options.write('\n');
      drawn = false;
    },
  };
}
