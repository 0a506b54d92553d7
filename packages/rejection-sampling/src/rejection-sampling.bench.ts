/**
 * Rejection-sampling benchmarks. `pnpm bench --filter rejection-sampling`.
 * - rs.filter_traces_per_s: verification + every filter + near-duplicate MinHash/LSH over 10,000 synthetic traces
 *   (2,500 problems × 4; ~120-word reasoning; a mix of correct, wrong, mixed-language, code-block, duplicate traces),
 *   one thread. Aim ≥ 5,000/s.
 * - rs.sample_throughput: traces/s from a local fake OpenAI server with 50 ms latency per request (k = 4 per request),
 *   at concurrency 1, 4 and 16, and the share of the ideal (concurrency × k / latency) reached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAIEngine } from '@r1/sampler';
import { report } from '../../../scripts/bench-lib';
import { resolveFilterOptions } from './options';
import { rejectionSample } from './rejection-sample';
import { startFakeServer } from './test-utils/fake-openai-server';
import { type Trace, TraceFilter } from './trace-filter';
import { resolveVerifier } from './verifier';

const VOCAB = 'first we add the two numbers then carry the one and check the sum again so it is right because'.split(
  ' ',
);

function reasoning(seed: number, words: number): string {
  let s = seed >>> 0;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(VOCAB[s % VOCAB.length]!);
    if (i % 40 === 39) out.push('\n\n');
  }
  return out.join(' ');
}

function syntheticTraces(problem: number): Trace[] {
  const answer = problem % 97;
  return Array.from({ length: 4 }, (_, j) => {
    const kind = (problem * 4 + j) % 10;
    const body = reasoning(problem * 4 + (kind === 9 ? 0 : j), 120);
    const completion =
      kind === 0
        ? `<think> ${body} </think> <answer> ${answer + 1} </answer>`
        : kind === 1
          ? `<think> 先 把 两个 数 相加 ${body.slice(0, 60)} 然后 检查 结果 是否 正确 </think> <answer> ${answer} </answer>`
          : kind === 2
            ? `<think> ${body}\n\`\`\`\nx = 1\n\`\`\` </think> <answer> ${answer} </answer>`
            : `<think> ${body} </think> <answer> ${answer} </answer>`;
    return { problemId: `p${problem}`, sampleIndex: j, completion, finishReason: 'stop', completionTokens: 160 };
  });
}

{
  const problems = Array.from({ length: 2500 }, (_, i) => ({
    id: `p${i}`,
    prompt: `Problem ${i}`,
    answer: String(i % 97),
  }));
  const traces = problems.map((_, i) => syntheticTraces(i));
  const run = async () => {
    const filter = new TraceFilter(resolveFilterOptions({ dedup: 'near' }), resolveVerifier('math', 'r1-zero'));
    const started = performance.now();
    for (let i = 0; i < problems.length; i++) await filter.process(problems[i]!, traces[i]!);
    return { ms: performance.now() - started, filter };
  };
  await run(); // warm-up
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof run>> | null = null;
  for (let i = 0; i < 3; i++) {
    last = await run();
    times.push(last.ms);
  }
  const ms = times.sort((a, b) => a - b)[1]!;
  report({
    name: 'rs.filter_traces_per_s',
    value: 10_000 / (ms / 1000),
    unit: 'traces/s',
    ms,
    kept: last!.filter.kept,
    removed: last!.filter.removed,
  });
}

{
  const latencyMs = 50;
  const server = await startFakeServer({
    latencyMs,
    complete: (prompt, seed) => `<think> add them up, seed ${seed} </think> <answer> ${prompt.length % 10} </answer>`,
  });
  const problems = Array.from({ length: 64 }, (_, i) => ({
    id: `p${i}`,
    prompt: `What is ${i} + 0?`,
    answer: String(i),
  }));
  for (const concurrency of [1, 4, 16]) {
    const out = mkdtempSync(join(tmpdir(), 'rs-bench-'));
    const engine = createOpenAIEngine({ baseUrl: server.url, model: 'fake', concurrency });
    const started = performance.now();
    await rejectionSample(problems, engine, {
      out,
      k: 4,
      template: (p) => ({ prompt: p.prompt }),
      batchProblems: concurrency,
    });
    const seconds = (performance.now() - started) / 1000;
    const tracesPerS = (problems.length * 4) / seconds;
    const ideal = (concurrency * 4 * 1000) / latencyMs;
    report({
      name: `rs.sample_throughput_c${concurrency}`,
      value: tracesPerS,
      unit: 'traces/s',
      concurrency,
      latencyMs,
      ofIdeal: tracesPerS / ideal,
    });
    rmSync(out, { recursive: true, force: true });
  }
  await server.close();
}
