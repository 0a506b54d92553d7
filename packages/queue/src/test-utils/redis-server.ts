/**
 * A private redis-server for tests: a free port on 127.0.0.1, persistence off (`--save "" --appendonly no`), its
 * own temporary directory, stopped (and checked gone) afterwards. Under CI (CI=true) a missing redis-server is an
 * error; locally the caller skips with the reason this module gives.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.R1_REDIS_SERVER ?? '/usr/bin/redis-server';

/** Why Redis tests cannot run here, or null when they can. Throws under CI, where skipping would hide a gap. */
export function redisUnavailable(): string | null {
  let found = existsSync(REDIS_SERVER);
  if (!found) {
    try {
      execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
      found = true;
    } catch {
      found = false;
    }
  }
  if (found) return null;
  const why = `redis-server not found (${REDIS_SERVER}); install it with apt-get install redis-server`;
  if (process.env.CI === 'true') throw new Error(`${why} — CI must run the queue tests`);
  return why;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts redis-server; `extra` are more `--name value` arguments (e.g. ['--maxmemory-policy', 'allkeys-lru']). */
export async function startRedis(extra: readonly string[] = []): Promise<TestRedis> {
  const bin = existsSync(REDIS_SERVER) ? REDIS_SERVER : 'redis-server';
  const dir = mkdtempSync(join(tmpdir(), 'r1-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes('Ready to accept connections')) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
