/**
 * Connecting to the queue's Redis and refusing one BullMQ cannot be trusted on, with messages that say what to do:
 * an unreachable server (the host, port and the socket error), a server that wants a password, and a
 * `maxmemory-policy` other than `noeviction` — under memory pressure an evicting Redis deletes job keys, which loses
 * jobs silently (BullMQ documents `noeviction` as required).
 *
 * It does not create queues or workers (coordinator.ts and worker.ts do).
 */
import type { ConnectionOptions } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisTarget } from './redis-url';

/** Redis is unreachable, refuses us, or is configured in a way BullMQ cannot work with. */
export class QueueConnectionError extends Error {
  override readonly name = 'QueueConnectionError';
}

/** Connection options for a target (ioredis' and BullMQ's): `maxRetriesPerRequest: null`, as BullMQ requires. */
export function redisOptions(target: RedisTarget): RedisOptions & ConnectionOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  };
}

export interface ConnectOptions {
  /** Milliseconds to wait for the first connection. Default 5000. */
  timeoutMs?: number;
  /** The flag or option the URL came from, for messages. Default 'url'. */
  field?: string;
}

/**
 * Opens a connection to `url`, checks it (reachable, authorised, `maxmemory-policy noeviction`) and returns it.
 * The connection then reconnects by itself on a blip, as BullMQ expects.
 */
export async function connectRedis(url: string, options: ConnectOptions = {}): Promise<Redis> {
  const target = parseRedisUrl(url, options.field ?? 'url');
  const timeoutMs = options.timeoutMs ?? 5000;
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient({ ...redisOptions(target), lazyConnect: true, connectTimeout: timeoutMs });
  let lastError: Error | null = null;
  const onError = (error: Error) => {
    lastError = error;
  };
  redis.on('error', onError);
  try {
    await withTimeout(redis.connect(), timeoutMs, () => lastError);
  } catch (error) {
    redis.disconnect();
    const cause = (lastError ?? error) as Error & { code?: string };
    const why = cause.code ?? cause.message;
    throw new QueueConnectionError(
      `cannot reach Redis at ${target.display} (${why}); start it (redis-server --port ${target.port}) or fix the ` +
        'URL; workers and the coordinator must all reach the same server',
    );
  }
  try {
    await checkRedis(redis, target.display);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, last: () => Error | null): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(last() ?? new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The server's `maxmemory-policy`: from CONFIG GET, else (CONFIG disabled, as on managed Redis) from INFO memory. */
export async function maxmemoryPolicy(redis: Redis): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (reply.length >= 2) return reply[1]!;
  } catch {
    // CONFIG may be renamed or forbidden: fall back to INFO
  }
  const info = await redis.info('memory');
  const line = info.split(/\r?\n/).find((l) => l.startsWith('maxmemory_policy:'));
  return line === undefined ? null : line.slice('maxmemory_policy:'.length).trim();
}

/** Throws a {@link QueueConnectionError} unless the server answers and keeps every key (`noeviction`). */
export async function checkRedis(redis: Redis, display: string): Promise<void> {
  let policy: string | null;
  try {
    await redis.ping();
    policy = await maxmemoryPolicy(redis);
  } catch (error) {
    const message = (error as Error).message;
    const auth = /NOAUTH|WRONGPASS|invalid password|Authentication required/i.test(message);
    throw new QueueConnectionError(
      `Redis at ${display} refused us: ${message}` +
        (auth ? ' — give the credentials in the URL: redis://USER:PASSWORD@HOST:PORT/DB' : ''),
    );
  }
  if (policy !== null && policy !== 'noeviction') {
    throw new QueueConnectionError(
      `Redis at ${display} has maxmemory-policy ${policy}; BullMQ requires noeviction (an evicting Redis drops job ` +
        'keys under memory pressure, losing jobs silently). Run `redis-cli -h HOST -p PORT CONFIG SET ' +
        'maxmemory-policy noeviction` or set `maxmemory-policy noeviction` in redis.conf',
    );
  }
}
