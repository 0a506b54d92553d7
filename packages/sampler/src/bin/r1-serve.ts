#!/usr/bin/env node
/**
 * r1-serve --model DIR [--port 8000] [--host 127.0.0.1] [--name NAME] [--backend wasm|cpu|node|node-gpu]
 * Serves a local checkpoint over the OpenAI completions and chat completions APIs.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '@r1/model';
import { engineFromCheckpoint } from '../serve/from-checkpoint';
import { startServer } from '../serve/server';

const USAGE = 'usage: r1-serve --model DIR [--port 8000] [--host 127.0.0.1] [--name NAME] [--backend NAME]';

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
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`r1-serve: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (typeof values.model !== 'string') {
    console.error(`r1-serve: --model DIR is required\n${USAGE}`);
    process.exit(2);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`r1-serve: --port must be an integer in [0, 65535], got ${values.port}`);
    process.exit(2);
  }
  await initBackend((values.backend as never) ?? undefined);
  const dir = resolve(values.model);
  const modelName = typeof values.name === 'string' ? values.name : basename(dir);
  const { engine, tokenizer } = await engineFromCheckpoint(dir);
  const { server, url } = await startServer({
    engine,
    modelName,
    port,
    host: values.host as string,
    tokenText: (id) => tokenizer.idToToken(id) ?? '',
    onRequest: ({ method, path, status, ms }) => console.error(`${method} ${path} ${status} ${ms.toFixed(0)} ms`),
  });
  // The line tests and scripts wait for: the address actually bound (useful with --port 0).
  console.log(`r1-serve: serving ${modelName} at ${url}/v1`);
  const stop = () => {
    server.close();
    void engine.close?.();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`r1-serve: ${(error as Error).message}`);
  process.exit(1);
});
