import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAIEngine } from '@r1/sampler';
import { afterAll, describe, expect, it } from 'vitest';
import { rejectionSample } from './rejection-sample';
import { type FakeServer, startFakeServer } from './test-utils/fake-openai-server';

const problems = Array.from({ length: 10 }, (_, i) => ({
  id: `p${i}`,
  prompt: `What is ${i} + 2?`,
  answer: String(i + 2),
}));
const complete = (prompt: string, seed: number) => {
  const m = /What is (\d+) \+ 2/.exec(prompt)!;
  const right = seed % 3 !== 0;
  const answer = right ? Number(m[1]) + 2 : 999;
  return `Reason ${seed % 5} step by step: add ${m[1]} and two, giving the total. </think> The answer is \\boxed{${answer}}.`;
};
const servers: FakeServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('rejectionSample against OpenAI-compatible endpoints', () => {
  it('retries failed requests (500 and 429) over several URLs and gives the rows of a server that never fails', async () => {
    const flaky = [
      await startFakeServer({ complete, failEvery: 3, latencyMs: 5 }),
      await startFakeServer({ complete, failEvery: 4, latencyMs: 5 }),
    ];
    const clean = await startFakeServer({ complete });
    servers.push(...flaky, clean);
    const template = (p: { prompt: string }) => ({ messages: [{ role: 'user' as const, content: p.prompt }] });
    const run = async (urls: string[]) => {
      const out = mkdtempSync(join(tmpdir(), 'rs-endpoint-'));
      const engine = createOpenAIEngine({
        baseUrl: urls,
        model: 'r1',
        concurrency: 4,
        maxRetries: 6,
        initialBackoffMs: 1,
      });
      const manifest = await rejectionSample(problems, engine, { out, k: 4, template, filters: { format: 'think' } });
      return { manifest, data: readFileSync(join(out, 'data.jsonl'), 'utf8') };
    };
    const a = await run(flaky.map((s) => s.url));
    const b = await run([clean.url]);
    expect(flaky[0]!.failures + flaky[1]!.failures).toBeGreaterThan(0);
    expect(a.manifest.input).toBe(40);
    expect(a.manifest.kept).toBeGreaterThan(0);
    expect(a.manifest.removed.incorrect).toBeGreaterThan(0);
    // Same traces whatever failed: rows differ only in the model id, which names the URLs.
    const strip = (text: string) => text.replace(/"model":"[^"]*"/g, '"model":""');
    expect(strip(a.data)).toBe(strip(b.data));
    const first = JSON.parse(a.data.split('\n')[0]!);
    expect(first.messages[1].content.startsWith('<think>\n')).toBe(true);
  });
});
