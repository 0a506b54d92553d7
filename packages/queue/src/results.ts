/**
 * Where workers put results and how the coordinator finds them: one key per job id, set once (`SET … NX EX`), and
 * a stream of finished job ids the coordinator follows. Both happen in one Lua script, so a job id enters the
 * stream exactly when its result is first stored: a duplicate delivery (a stalled job run twice, the same job
 * completed twice) writes nothing.
 *
 * It does not know what a result means: values are JSON text.
 */
import type { Redis } from 'ioredis';

/** Key names of one queue's result store. */
export interface ResultKeys {
  /** Prefix of the per-job result keys: `${resultPrefix}${jobId}`. */
  resultPrefix: string;
  /** The stream of finished job ids. */
  done: string;
}

export const RESULT_KEY_PREFIX = 'r1q';

export function resultKeys(queueName: string, prefix = RESULT_KEY_PREFIX): ResultKeys {
  return { resultPrefix: `${prefix}:${queueName}:result:`, done: `${prefix}:${queueName}:done` };
}

/** What a worker stores for a job: the processor's value plus who made it and after how many failed attempts. */
export interface ResultEnvelope<R> {
  value: R;
  worker: string;
  /** Failed attempts before the one that produced this result (0: first try). */
  attemptsMade: number;
}

/** Approximate cap of the done stream; the coordinator also reads result keys directly, so trimming loses nothing. */
const DONE_STREAM_MAXLEN = 100_000;

const STORE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'id', ARGV[3])
  return 1
end
return 0`;

/** Stores `envelope` as job `id`'s result unless one is there; true when this call stored it. */
export async function storeResult<R>(
  redis: Redis,
  keys: ResultKeys,
  id: string,
  envelope: ResultEnvelope<R>,
  ttlSeconds: number,
): Promise<boolean> {
  const stored = await redis.eval(
    STORE_SCRIPT,
    2,
    `${keys.resultPrefix}${id}`,
    keys.done,
    JSON.stringify(envelope),
    String(Math.max(1, Math.round(ttlSeconds))),
    id,
    String(DONE_STREAM_MAXLEN),
  );
  return stored === 1;
}

export async function hasResult(redis: Redis, keys: ResultKeys, id: string): Promise<boolean> {
  return (await redis.exists(`${keys.resultPrefix}${id}`)) === 1;
}

/** The stored results of `ids` (those that have one), read in chunks. */
export async function fetchResults<R>(
  redis: Redis,
  keys: ResultKeys,
  ids: readonly string[],
): Promise<Map<string, ResultEnvelope<R>>> {
  const found = new Map<string, ResultEnvelope<R>>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const values = await redis.mget(...chunk.map((id) => `${keys.resultPrefix}${id}`));
    values.forEach((v, j) => {
      if (v !== null) found.set(chunk[j]!, JSON.parse(v) as ResultEnvelope<R>);
    });
  }
  return found;
}

/** The id of the done stream's last entry ("0-0" when empty): where to follow it from. */
export async function doneStreamTail(redis: Redis, keys: ResultKeys): Promise<string> {
  const last = (await redis.xrevrange(keys.done, '+', '-', 'COUNT', 1)) as [string, string[]][];
  return last[0]?.[0] ?? '0-0';
}

/**
 * Waits up to `blockMs` for job ids finished after stream entry `after`; returns them and the new position.
 * Needs a connection of its own (XREAD BLOCK holds it).
 */
export async function readDone(
  redis: Redis,
  keys: ResultKeys,
  after: string,
  blockMs: number,
): Promise<{ ids: string[]; last: string }> {
  const reply = (await redis.xread('COUNT', 1000, 'BLOCK', blockMs, 'STREAMS', keys.done, after)) as
    | [string, [string, string[]][]][]
    | null;
  if (reply === null || reply.length === 0) return { ids: [], last: after };
  const entries = reply[0]![1];
  const ids = entries.map(([, fields]) => fields[fields.indexOf('id') + 1]!).filter((id) => id !== undefined);
  return { ids, last: entries[entries.length - 1]?.[0] ?? after };
}
