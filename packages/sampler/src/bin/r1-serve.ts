#!/usr/bin/env node
/**
 * r1-serve --model DIR [--port 8000] [--host 127.0.0.1] [--name NAME] [--backend wasm|cpu|node|node-gpu]
 *          [--max-batch-rows 64] [--max-n N] [--max-tokens N] [--max-body-bytes N]
 *          [--request-timeout S] [--drain-timeout S]
 * Serves a local checkpoint over the OpenAI completions and chat completions APIs, with continuous batching and
 * streaming; SGLang's weight-sync endpoints load new checkpoints into the running server.
 *
 * SIGTERM (or SIGINT) drains: new requests get 503, the ones in flight finish, then it exits 0 (1 if the drain timeout
 * cut requests off). A second signal exits at once. Everything it prints goes to stderr.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '@r1/model';
import { loadModelParts, servingEngineFromCheckpoint } from '../serve/from-checkpoint';
import { startServer } from '../serve/server';

const USAGE =
  'usage: r1-serve --model DIR [--port 8000] [--host 127.0.0.1] [--name NAME] [--backend NAME] ' +
  '[--max-batch-rows 64] [--max-n N] [--max-tokens N] [--max-body-bytes N] [--request-timeout S] [--drain-timeout S]';

const say = (line: string) => process.stderr.write(`${line}\n`);

function fail(message: string, code = 2): never {
  say(`r1-serve: ${message}\n${USAGE}`);
  process.exit(code);
}

function integer(values: Record<string, unknown>, name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in [${min}, ${max}], got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string' },
        port: { type: 'string', default: '8000' },
        host: { type: 'string', default: '127.0.0.1' },
        name: { type: 'string' },
        backend: { type: 'string' },
        'max-batch-rows': { type: 'string' },
        'max-n': { type: 'string' },
        'max-tokens': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'request-timeout': { type: 'string' },
        'drain-timeout': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (typeof values.model !== 'string') fail('--model DIR is required');
  const port = integer(values, 'port', 0, 65535)!;
  const maxBatchRows = integer(values, 'max-batch-rows', 1);
  const maxN = integer(values, 'max-n', 1);
  const maxTokens = integer(values, 'max-tokens', 1);
  const maxBodyBytes = integer(values, 'max-body-bytes', 1);
  const requestTimeout = integer(values, 'request-timeout', 0) ?? 600;
  const drainTimeout = integer(values, 'drain-timeout', 0) ?? 30;
  if (maxN !== undefined && maxBatchRows !== undefined && maxN > maxBatchRows) {
    fail(`--max-n ${maxN} is more than --max-batch-rows ${maxBatchRows}: a request's n rows must fit in one batch`);
  }

  await initBackend((values.backend as never) ?? undefined, { log: say });
  const dir = resolve(values.model);
  const modelName = typeof values.name === 'string' ? values.name : basename(dir);
  const engine = await servingEngineFromCheckpoint(dir, maxBatchRows !== undefined ? { maxBatchRows } : {});
  const running = await startServer({
    engine,
    modelName,
    port,
    host: values.host as string,
    modelPath: dir,
    loadWeights: (next) => loadModelParts(next),
    requestTimeoutMs: requestTimeout * 1000,
    ...(maxN !== undefined ? { maxN } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    onRequest: ({ method, path, status, ms }) => say(`${method} ${path} ${status} ${ms.toFixed(0)} ms`),
  });
  // The line tests and scripts wait for: the address actually bound (useful with --port 0).
  say(`r1-serve: serving ${modelName} at ${running.url}/v1 (max batch rows ${engine.maxBatchRows})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      say(`r1-serve: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    say(`r1-serve: ${signal}: draining ${running.controller.inFlight} request(s) in flight, refusing new ones`);
    const cutOff =
      drainTimeout > 0
        ? setTimeout(() => {
            say(`r1-serve: drain timeout (${drainTimeout} s) passed with requests in flight; exiting`);
            process.exit(1);
          }, drainTimeout * 1000)
        : null;
    void running
      .shutdown()
      .then(() => engine.close())
      .then(() => {
        if (cutOff) clearTimeout(cutOff);
        say('r1-serve: drained, bye');
        process.exit(0);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  say(`r1-serve: ${(error as Error).message}`);
  process.exit(1);
});
