import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderR1Zero } from '@r1/templates';
import { describe, expect, it } from 'vitest';
import { REASONS } from './filters';
import { rejectionSample } from './rejection-sample';
import { createFakeEngine } from './test-utils/fake-engine';
import type { RSProblem } from './trace-filter';

const problems: RSProblem[] = Array.from({ length: 12 }, (_, i) => ({
  id: `p${i}`,
  prompt: `What is ${i} + ${i + 1}?`,
  answer: String(2 * i + 1),
}));
const answerOf = (prompt: string) => {
  const m = /What is (\d+) \+ (\d+)/.exec(prompt)!;
  return String(Number(m[1]) + Number(m[2]));
};
const template = (p: RSProblem) => ({ prompt: renderR1Zero(p.prompt) });
const tmp = () => mkdtempSync(join(tmpdir(), 'rs-run-'));
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('rejectionSample', () => {
  it('keeps only correct, clean traces, counts every removal once, and writes TRL rows with their provenance', async () => {
    const out = tmp();
    const manifest = await rejectionSample(problems, createFakeEngine({ answerOf }), {
      out,
      k: 8,
      template,
      rejected: true,
      params: { seed: 3 },
    });
    const rows = lines(join(out, 'data.jsonl'));
    const rejected = lines(join(out, 'rejected.jsonl'));
    expect(manifest.input).toBe(96);
    expect(manifest.kept).toBe(rows.length);
    expect(manifest.kept + Object.values(manifest.removed).reduce((a, b) => a + b, 0)).toBe(manifest.input);
    expect(rejected.length).toBe(manifest.input - manifest.kept);
    for (const reason of [
      'truncated',
      'format',
      'incorrect',
      'mixed_language',
      'long_paragraph',
      'code_block',
      'duplicate',
    ]) {
      expect(manifest.removed[reason as (typeof REASONS)[number]], reason).toBeGreaterThan(0);
    }
    // Each problem keeps at most one copy of each of the two correct completions: the rest are duplicates.
    expect(rows.length).toBeLessThanOrEqual(2 * problems.length);
    for (const row of rows) {
      const messages = row.messages as { role: string; content: string }[];
      expect(messages[0]!.role).toBe('user');
      expect(messages[1]!.role).toBe('assistant');
      expect(messages[1]!.content).toMatch(/^<think>.*<\/think> <answer> \d+ <\/answer>$/);
      expect(Object.keys(row)).toEqual(
        expect.arrayContaining([
          'problem_id',
          'sample_index',
          'gold',
          'reward',
          'finish_reason',
          'completion_tokens',
          'model',
          'seed',
        ]),
      );
      expect(row.reward).toBe(1);
      expect(row.model).toBe('fake-model');
      expect(row.seed).toBe(3);
    }
    for (const r of rejected) expect(REASONS).toContain(r.reason);
  });

  it('a crash mid-run, then a rerun, gives exactly the rows of an uninterrupted run, drawing only what was missing', async () => {
    const whole = tmp();
    await rejectionSample(problems, createFakeEngine({ answerOf }), { out: whole, k: 4, template, batchProblems: 3 });
    const out = tmp();
    const crashing = createFakeEngine({ answerOf, failAfterCalls: 2 });
    await expect(rejectionSample(problems, crashing, { out, k: 4, template, batchProblems: 3 })).rejects.toThrow(
      /crashed/,
    );
    const resumed = createFakeEngine({ answerOf });
    const manifest = await rejectionSample(problems, resumed, { out, k: 4, template, batchProblems: 3 });
    expect(readFileSync(join(out, 'data.jsonl'), 'utf8')).toBe(readFileSync(join(whole, 'data.jsonl'), 'utf8'));
    expect(resumed.samples).toBe(48 - 2 * 3 * 4);
    expect(manifest.input).toBe(48);
    // A third run draws nothing.
    const third = createFakeEngine({ answerOf });
    await rejectionSample(problems, third, { out, k: 4, template, batchProblems: 3 });
    expect(third.samples).toBe(0);
  });

  it('refuses a rerun with other generation settings, naming the difference', async () => {
    const out = tmp();
    await rejectionSample(problems.slice(0, 2), createFakeEngine({ answerOf }), { out, k: 2, template });
    await expect(
      rejectionSample(problems.slice(0, 2), createFakeEngine({ answerOf }), {
        out,
        k: 2,
        template,
        params: { temperature: 0.9 },
      }),
    ).rejects.toThrow(/temperature: 0.6 before, 0.9 now/);
  });

  it('decontaminated problems are not sampled; non-reasoning rows are mixed in and counted', async () => {
    const out = tmp();
    const bench = join(out, 'bench.jsonl');
    writeFileSync(
      bench,
      `${JSON.stringify({ problem: 'Tell me: What is 3 + 4? Please answer it right now, thanks.' })}\n`,
    );
    const nr = join(out, 'nr.jsonl');
    writeFileSync(
      nr,
      `${JSON.stringify({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
        ],
      })}\n`,
    );
    const engine = createFakeEngine({ answerOf });
    const contaminated = {
      id: 'c',
      prompt: 'Tell me: What is 3 + 4? Please answer it right now, thanks.',
      answer: '7',
    };
    const manifest = await rejectionSample([contaminated, ...problems.slice(0, 2)], engine, {
      out,
      k: 2,
      template,
      decontaminate: [bench],
      nonReasoning: nr,
    });
    expect(manifest.problems.contaminated).toBe(1);
    expect(engine.samples).toBe(4);
    expect(manifest.non_reasoning).toBe(1);
    const rows = lines(join(out, 'data.jsonl'));
    expect(rows.at(-1)).toEqual({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
    });
    expect(rows.some((r) => r.problem_id === 'c')).toBe(false);
  });

  it('prompt-completion rows carry the templated prompt text', async () => {
    const out = tmp();
    await rejectionSample(problems.slice(0, 3), createFakeEngine({ answerOf, items: ['correct'] }), {
      out,
      k: 1,
      template,
      filters: { outputFormat: 'prompt-completion' },
    });
    const rows = lines(join(out, 'data.jsonl'));
    expect(rows.length).toBe(3);
    expect(rows[0]!.prompt).toBe(renderR1Zero(problems[0]!.prompt));
    expect(rows[0]!.completion).toMatch(/^<think>/);
  });

  it('a bad non-reasoning file is an error naming file, line and field, before anything is sampled', async () => {
    const out = tmp();
    const nr = join(out, 'nr.jsonl');
    writeFileSync(
      nr,
      `${JSON.stringify({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'bot', content: 'x' },
        ],
      })}\n`,
    );
    const engine = createFakeEngine({ answerOf });
    await expect(
      rejectionSample(problems.slice(0, 1), engine, { out, k: 1, template, nonReasoning: nr }),
    ).rejects.toThrow(/nr\.jsonl:1: field 'messages\[1\]\.role'/);
    expect(engine.samples).toBe(0);
  });
});
