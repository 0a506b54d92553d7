/**
 * The coordinator's progress line: workers, jobs done / in all, failed, retried, the rate and an ETA.
 *
 * @example formatQueueProgress(p) // "queue: 3 workers · 120/400 jobs · 0 failed · 2 retried · 5.1 jobs/s · ETA 55s"
 */
import type { CoordinatorProgress } from './coordinator';

/** "1h02m", "3m07s", "42s"; "—" when unknown. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatQueueProgress(p: CoordinatorProgress): string {
  const rate = p.elapsedSeconds > 0 ? (p.done - p.doneAtStart) / p.elapsedSeconds : 0;
  const finished = p.done + p.failed >= p.jobs;
  const workers = Math.max(p.workersNow, p.workersSeen);
  return [
    `queue: ${workers} worker${workers === 1 ? '' : 's'}`,
    `${p.done}/${p.jobs} jobs`,
    `${p.failed} failed`,
    `${p.retried} retried`,
    `${rate.toFixed(rate >= 10 ? 0 : 1)} jobs/s`,
    finished ? `done in ${formatSeconds(p.elapsedSeconds)}` : `ETA ${formatSeconds(p.etaSeconds)}`,
  ].join(' · ');
}
