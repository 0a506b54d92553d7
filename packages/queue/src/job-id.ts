/**
 * Deterministic job ids: the same work always gets the same id, so enqueuing it again (a coordinator rerun after
 * kill -9) is a no-op in BullMQ while the job exists, and a result stored under the id is found again.
 *
 * The id is a hash of the canonical JSON of `parts` (object keys sorted at every depth), so two plans that differ
 * only in key order hash alike and any change of model, settings, problem or range changes the id.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth; `undefined` members are dropped as JSON.stringify drops them. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
  });
}

/**
 * A BullMQ-safe job id for `parts`: "j" + 40 hex digits of SHA-256 (custom ids may not be integers or contain ':').
 *
 * @example jobId({ model: '/ckpt', settings: { temperature: 0.6 }, problem: 'p1', first: 0, count: 16 })
 */
export function jobId(parts: unknown): string {
  if (parts === undefined) throw new Error('jobId: give the parts that define the job');
  return `j${createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 40)}`;
}
