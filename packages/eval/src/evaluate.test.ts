import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Completion,
  createRng,
  createSampler,
  deriveSeed,
  type Engine,
  type GenerationRequest,
  type SamplingParams,
} from '@r1/sampler';
import { describe, expect, test } from 'vitest';
import { type EvalProblem, evaluate } from './evaluate';
import { SampleCache } from './sample-cache';

/**
 * A seeded engine at the seam, honouring the sampler contract: completion j of a request depends only on
 * (request seed, firstSampleIndex + j). It answers the gold number with probability 0.6, else gold + 1.
 */
function seededEngine(opts: { failAfterCalls?: number } = {}): Engine & { calls: number; generated: number } {
  const engine = {
    modelId: 'fake-seeded',
    calls: 0,
    generated: 0,
    async generate(requests: GenerationRequest[], params: SamplingParams): Promise<Completion[][]> {
      engine.calls++;
      if (opts.failAfterCalls !== undefined && engine.calls > opts.failAfterCalls) throw new Error('engine crashed');
      return requests.map((r) => {
        const gold = Number(/(\d+)\?$/.exec(r.prompt!)![1]);
        return Array.from({ length: params.n }, (_, j) => {
          engine.generated++;
          const u = createRng(deriveSeed(r.seed!, (r.firstSampleIndex ?? 0) + j))();
          const answer = u < 0.6 ? gold : gold + 1;
          return {
            tokenIds: [1, 2, 3],
            text: `the answer is ${answer}`,
            logprobs: [],
            finishReason: 'stop',
            promptTokens: 4,
          };
        });
      });
    },
  };
  return engine;
}

const dataset: EvalProblem[] = Array.from({ length: 20 }, (_, i) => ({
  id: `p${i}`,
  prompt: `What is ${i}+${i}? ${2 * i}?`,
  answer: String(2 * i),
}));
const score = (completion: string, problem: EvalProblem) => {
  const m = /answer is (\d+)/.exec(completion);
  return { extracted: m ? m[1]! : null, correct: m !== null && m[1] === problem.answer };
};
const base = {
  dataset,
  template: (p: EvalProblem) => ({ prompt: p.prompt }),
  k: 4,
  params: { temperature: 0.6, topP: 0.95, seed: 3 },
  score,
  batchProblems: 4,
};

describe('evaluate', () => {
  test('aggregates pass@1, cons@k and pass@k with a CI', async () => {
    const r = await evaluate({ ...base, sampler: createSampler(seededEngine()) });
    expect(r.problems).toHaveLength(20);
    expect(r.aggregate.samplesPerProblem).toBe(4);
    expect(r.aggregate.pass1).toBeGreaterThan(0.3);
    expect(r.aggregate.pass1CI[0]).toBeLessThanOrEqual(r.aggregate.pass1);
    expect(r.aggregate.pass1CI[1]).toBeGreaterThanOrEqual(r.aggregate.pass1);
    expect(Object.keys(r.aggregate.passAtK)).toEqual(['1', '2', '4']);
    expect(r.aggregate.passAtK['1']).toBeCloseTo(r.aggregate.pass1, 12);
    expect(r.aggregate.passAtK['4']).toBeGreaterThanOrEqual(r.aggregate.passAtK['2']!);
    for (const p of r.problems) {
      const majority = p.samples.filter((s) => s.correct).length;
      if (majority >= 3) expect(p.consCorrect).toBe(true);
      if (majority <= 1) expect(p.consCorrect).toBe(false);
    }
  });

  test('an interrupted-then-resumed run gives exactly the records of an uninterrupted one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-eval-'));
    const whole = new SampleCache(join(dir, 'whole.jsonl'));
    const reference = await evaluate({ ...base, sampler: createSampler(seededEngine()), cache: whole });
    whole.close();

    const path = join(dir, 'resumed.jsonl');
    const first = new SampleCache(path);
    await expect(
      evaluate({ ...base, sampler: createSampler(seededEngine({ failAfterCalls: 2 })), cache: first }),
    ).rejects.toThrow(/engine crashed/);
    first.close();
    const partial = new SampleCache(path);
    expect(partial.size).toBe(2 * 4 * 4); // two batches of 4 problems × 4 samples survived
    const engine = seededEngine();
    const resumed = await evaluate({ ...base, sampler: createSampler(engine), cache: partial });
    partial.close();
    expect(engine.generated).toBe(80 - 32); // only the missing samples were generated
    expect(resumed.problems).toEqual(reference.problems);
    expect(resumed.aggregate).toEqual(reference.aggregate);
    const lines = (p: string) =>
      readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .sort((a, b) => a.key.localeCompare(b.key));
    expect(lines(path)).toEqual(lines(join(dir, 'whole.jsonl')));
  });

  test('raising k reuses the samples already drawn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-eval-'));
    const cache = new SampleCache(join(dir, 'c.jsonl'));
    await evaluate({ ...base, k: 2, sampler: createSampler(seededEngine()), cache });
    const engine = seededEngine();
    const r = await evaluate({ ...base, k: 4, sampler: createSampler(engine), cache });
    expect(engine.generated).toBe(20 * 2);
    const fresh = await evaluate({ ...base, k: 4, sampler: createSampler(seededEngine()) });
    expect(r.problems).toEqual(fresh.problems);
  });

  test('a torn last line (crash mid-write) is cut off and regenerated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-eval-'));
    const path = join(dir, 'c.jsonl');
    const cache = new SampleCache(path);
    await evaluate({ ...base, sampler: createSampler(seededEngine()), cache });
    cache.close();
    appendFileSync(path, '{"key":"abc","probl');
    const reopened = new SampleCache(path);
    expect(reopened.repairedLines).toBe(1);
    expect(reopened.size).toBe(80);
    reopened.close();
    expect(readFileSync(path, 'utf8').endsWith('}\n')).toBe(true);
  });

  test('a corrupt line in the middle names file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-eval-'));
    const path = join(dir, 'c.jsonl');
    writeFileSync(
      path,
      '{"key":"a","problemId":"p","correct":true}\nnot json\n{"key":"b","problemId":"p","correct":true}\n',
    );
    expect(() => new SampleCache(path)).toThrow(/c\.jsonl:2: not a JSON sample record/);
  });

  test('duplicate problem ids are rejected', async () => {
    const dup = [dataset[0]!, dataset[0]!];
    await expect(evaluate({ ...base, dataset: dup, sampler: createSampler(seededEngine()) })).rejects.toThrow(
      /appears twice/,
    );
  });

  test('an async score (a sandboxed judge) gives the same results as the sync one', async () => {
    const slow = async (completion: string, problem: EvalProblem) => {
      await new Promise((r) => setTimeout(r, Number(problem.id.slice(1)) % 3));
      return score(completion, problem);
    };
    const dir = mkdtempSync(join(tmpdir(), 'r1-eval-'));
    const cache = new SampleCache(join(dir, 'async.jsonl'));
    const r = await evaluate({ ...base, score: slow, sampler: createSampler(seededEngine()), cache });
    cache.close();
    const reference = await evaluate({ ...base, sampler: createSampler(seededEngine()) });
    expect(r.problems).toEqual(reference.problems);
    expect(r.aggregate).toEqual(reference.aggregate);
    const reopened = new SampleCache(join(dir, 'async.jsonl'));
    expect(reopened.size).toBe(80);
    reopened.close();
  });

  test('a rejected async score stops the run and records nothing of its sampler call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-eval-'));
    const path = join(dir, 'broken.jsonl');
    const cache = new SampleCache(path);
    const broken = async (completion: string, problem: EvalProblem) => {
      if (problem.id === 'p5') throw new Error('sandbox unavailable');
      return score(completion, problem);
    };
    await expect(evaluate({ ...base, score: broken, sampler: createSampler(seededEngine()), cache })).rejects.toThrow(
      /sandbox unavailable/,
    );
    cache.close();
    const kept = new SampleCache(path);
    expect(kept.size).toBe(4 * 4); // the first batch (p0–p3); p4–p7 shared the sampler call with p5
    kept.close();
  });
});
