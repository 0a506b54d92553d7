/**
 * `runQueuedJobs`: a command-line coordinator's run of {@link runCoordinator} — a progress line on stderr (redrawn
 * on a terminal, every 10 s otherwise) and jobs that failed for good turned into one plain error. `r1-eval run
 * --queue` and `r1-train sample run --queue` both coordinate through it, so they report alike.
 */
import { type CoordinatorOptions, type CoordinatorReport, QueueJobsFailed, runCoordinator } from './coordinator';
import { formatQueueProgress } from './progress';

export interface QueuedRunIo {
  stderr: (text: string) => void;
  stderrIsTTY: boolean;
}

/** Runs the coordinator with a progress line on `io.stderr`; throws a plain Error when some jobs failed for good. */
export async function runQueuedJobs<J, R>(
  options: Omit<CoordinatorOptions<J, R>, 'onProgress'>,
  io: QueuedRunIo,
): Promise<CoordinatorReport> {
  let lastLine = '';
  let lastPrinted = 0;
  const print = (line: string, force: boolean) => {
    if (io.stderrIsTTY) {
      io.stderr(`\r\x1b[2K${line}`);
      return;
    }
    const now = performance.now();
    if (force || now - lastPrinted >= 10_000) {
      io.stderr(`${line}\n`);
      lastPrinted = now;
    }
  };
  const endLine = () => {
    if (io.stderrIsTTY && lastLine !== '') io.stderr('\n');
  };
  try {
    const report = await runCoordinator<J, R>({
      ...options,
      onProgress: (p) => {
        lastLine = formatQueueProgress(p);
        print(lastLine, p.done + p.failed >= p.jobs);
      },
    });
    endLine();
    return report;
  } catch (error) {
    endLine();
    if (error instanceof QueueJobsFailed) {
      const reasons = [...new Set(error.failed.map((f) => f.reason))].slice(0, 3);
      throw new Error(
        `${error.failed.length} of ${options.jobs.length} queue jobs failed for good (${reasons.join('; ')}); ` +
          'every other sample is recorded',
      );
    }
    throw error;
  }
}
