/**
 * Parsing and checking the Redis URL a coordinator or worker is given (`--queue redis://HOST:PORT/DB`), so a typo is
 * a usage error naming the flag instead of a connection that hangs or silently uses database 0.
 *
 * It does not connect (connect.ts does).
 */

/** Where a queue lives, as ioredis takes it. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** `rediss://`: TLS. */
  tls: boolean;
  /** "HOST:PORT/DB" for messages (never the password). */
  display: string;
}

/** A wrong queue URL; `field` is the flag or option it came from. */
export class QueueUrlError extends Error {
  override readonly name = 'QueueUrlError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * `redis://[user:password@]HOST[:PORT][/DB]` or `rediss://…` (TLS) → a {@link RedisTarget}. PORT defaults to 6379
 * and DB to 0; DB must be an integer in [0, 15] unless the server has more (Redis' default `databases 16`).
 *
 * @example parseRedisUrl('redis://10.0.0.5:6379/2') // { host: '10.0.0.5', port: 6379, db: 2, tls: false, … }
 */
export function parseRedisUrl(url: string, field = 'url'): RedisTarget {
  const fail = (why: string): never => {
    throw new QueueUrlError(`${field} must be a Redis URL like redis://localhost:6379/0 — ${why}`, field);
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(`'${url}' is not a URL`);
  }
  const tls = parsed.protocol === 'rediss:';
  if (!tls && parsed.protocol !== 'redis:') fail(`the scheme is '${parsed.protocol}', expected redis: or rediss:`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') fail(`'${url}' has no host`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) fail(`port ${parsed.port} is not in 1–65535`);
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) fail(`the path '/${path}' must be a database number, e.g. /0`);
  const db = path === '' ? 0 : Number(path);
  if (db > 15) fail(`database ${db} is beyond Redis' default 16 databases (0–15)`);
  if (parsed.search !== '' || parsed.hash !== '') fail('query strings and fragments are not supported');
  const target: RedisTarget = { host, port, db, tls, display: `${host}:${port}/${db}` };
  if (parsed.username !== '') target.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') target.password = decodeURIComponent(parsed.password);
  return target;
}

/**
 * Checks a queue name (BullMQ's keys are `bull:NAME:…`, so no ':'), throwing a {@link QueueUrlError} naming `field`.
 * Shared by every command that takes `--queue-name`, so coordinators and workers accept the same names.
 */
export function checkQueueName(name: string, field: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new QueueUrlError(
      `${field} must be letters, digits, '.', '_' or '-' (no ':'), at most 100 characters, got '${name}'`,
      field,
    );
  }
}
