import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { getModelInfo, serverRoot, updateWeightsFromDisk } from './weight-sync-client';

/** A real HTTP server whose answers the test scripts, one per request. */
async function scripted(answers: ((req: IncomingMessage, body: string, res: ServerResponse) => void)[]) {
  const seen: { url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body });
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      answer(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { url, seen };
}
const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const json = (status: number, body: unknown) => (_req: IncomingMessage, _body: string, res: ServerResponse) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};
const fast = { initialBackoffMs: 1, maxBackoffMs: 5 };

describe('serverRoot', () => {
  test.each([
    ['http://gpu-1:30000/v1', 'http://gpu-1:30000'],
    ['http://gpu-1:30000/v1/', 'http://gpu-1:30000'],
    ['http://gpu-1:30000', 'http://gpu-1:30000'],
    ['https://h.example/proxy/v1', 'https://h.example/proxy'],
  ])('%s → %s', (endpoint, root) => {
    expect(serverRoot(endpoint)).toBe(root);
  });
});

describe('updateWeightsFromDisk', () => {
  test('posts model_path and weight_version at the root, retrying a 503', async () => {
    const s = await scripted([
      json(503, { message: 'busy' }),
      json(200, { success: true, message: 'Succeeded', num_paused_requests: 2 }),
    ]);
    const r = await updateWeightsFromDisk(`${s.url}/v1`, '/ckpt/step-3', { weightVersion: 'step-3', ...fast });
    expect(r).toEqual({ message: 'Succeeded', pausedRequests: 2 });
    expect(s.seen.map((x) => x.url)).toEqual(['/update_weights_from_disk', '/update_weights_from_disk']);
    expect(JSON.parse(s.seen[1]!.body)).toEqual({ model_path: '/ckpt/step-3', weight_version: 'step-3' });
  });

  test('a 400 is final and carries the server message; success false is an error too', async () => {
    const refused = await scripted([json(400, { success: false, message: 'could not load a checkpoint from /x' })]);
    await expect(updateWeightsFromDisk(refused.url, '/x', fast)).rejects.toThrow(
      /weight sync to http:\/\/127\.0\.0\.1:\d+ failed: .*answered 400: could not load a checkpoint from \/x/,
    );
    expect(refused.seen).toHaveLength(1);
    const odd = await scripted([json(200, { success: false, message: 'nope' })]);
    await expect(updateWeightsFromDisk(odd.url, '/x', fast)).rejects.toThrow(/answered success false: nope/);
  });

  test('a server without the route (404) says what to do', async () => {
    const s = await scripted([json(404, { detail: 'Not Found' })]);
    await expect(updateWeightsFromDisk(`${s.url}/v1`, '/x', fast)).rejects.toThrow(
      /\/update_weights_from_disk does not exist \(404\).*weight_sync: none/,
    );
  });

  test('an unreachable server fails after the retries, naming it', async () => {
    const s = await scripted([json(200, {})]);
    servers.splice(0)[0]!.close();
    await expect(updateWeightsFromDisk(s.url, '/x', { ...fast, maxRetries: 1 })).rejects.toThrow(
      /weight sync to http:\/\/127\.0\.0\.1:\d+ failed: request to .* failed .*gave up after 2 attempts/,
    );
  });
});

describe('getModelInfo', () => {
  test('reads the JSON, and names the URL when the server answers an error', async () => {
    const s = await scripted([json(200, { model_path: '/m', weight_version: 'v' }), json(500, { message: 'x' })]);
    expect(await getModelInfo(`${s.url}/v1`)).toEqual({ model_path: '/m', weight_version: 'v' });
    await expect(getModelInfo(s.url)).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/get_model_info answered 500/);
  });
});
