/**
 * Rate limits per endpoint, kept in Redis so that every worker calling one endpoint shares them — across processes,
 * machines and queues — while workers of other endpoints never wait for them. BullMQ's own limiter is per queue:
 * a 429 from one server would pause every worker of the queue, whatever server it calls.
 *
 * Two keys per endpoint (`r1q:endpoint:<hash of the endpoint>:…`):
 * - `paused`: set for the Retry-After of a 429 (`PX`, the later of two pauses wins); while it exists no worker of the
 *   endpoint starts a job;
 * - `starts`: a sorted set of job start times (Redis' clock, so machines need not agree on the time) for a sliding
 *   window of at most `max` starts per `durationMs`.
 *
 * Both are checked and updated in one Lua script each, so concurrent workers cannot both take the last slot.
 * It does not touch jobs (worker.ts puts a job back and holds the worker off when told to wait).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface EndpointKeys {
  paused: string;
  starts: string;
}

export function endpointKeys(endpoint: string, prefix = 'r1q'): EndpointKeys {
  const id = createHash('sha256').update(endpoint).digest('hex').slice(0, 16);
  return { paused: `${prefix}:endpoint:${id}:paused`, starts: `${prefix}:endpoint:${id}:starts` };
}

// Returns 0 when a job may start now (and records its start), else the milliseconds to wait.
const GATE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return paused end
local max = tonumber(ARGV[1])
if max > 0 then
  local window = tonumber(ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= max then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) + window - now)
  end
  redis.call('ZADD', KEYS[2], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], window)
end
return 0`;

// Pauses the endpoint for ARGV[1] ms unless it is paused longer already; returns the pause in effect.
const PAUSE_SCRIPT = `
local left = redis.call('PTTL', KEYS[1])
local ms = tonumber(ARGV[1])
if left < ms then
  redis.call('SET', KEYS[1], '1', 'PX', ms)
  return ms
end
return left`;

let starts = 0;

/**
 * 0 when a job may start on the endpoint now (its start is counted), else the milliseconds until one may: the
 * endpoint's pause, or until the oldest start leaves the window. `limit` null: only pauses apply.
 */
export async function endpointGate(
  redis: Redis,
  keys: EndpointKeys,
  limit: { max: number; durationMs: number } | null,
): Promise<number> {
  const member = `${process.pid}:${Date.now()}:${++starts}:${Math.random().toString(36).slice(2)}`;
  const wait = await redis.eval(
    GATE_SCRIPT,
    2,
    keys.paused,
    keys.starts,
    String(limit?.max ?? 0),
    String(Math.max(1, Math.round(limit?.durationMs ?? 1))),
    member,
  );
  return Number(wait);
}

/** Pauses the endpoint for `ms` (a 429's Retry-After) for every worker that calls it; returns the pause in effect. */
export async function pauseEndpoint(redis: Redis, keys: EndpointKeys, ms: number): Promise<number> {
  return Number(await redis.eval(PAUSE_SCRIPT, 1, keys.paused, String(Math.max(1, Math.round(ms)))));
}
