import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REASONS } from './filters';
import { resolveFilterOptions } from './options';
import { type Trace, TraceFilter } from './trace-filter';
import { resolveVerifier } from './verifier';

const problem = { id: 'p', prompt: 'What is 2 + 2?', answer: '4' };
const trace = (sampleIndex: number, completion: string, finishReason: Trace['finishReason'] = 'stop'): Trace => ({
  problemId: 'p',
  sampleIndex,
  completion,
  finishReason,
  completionTokens: Math.ceil(completion.length / 4),
});
const filter = (partial = {}) => new TraceFilter(resolveFilterOptions(partial), resolveVerifier('math', 'r1-zero'));

describe('TraceFilter', () => {
  it.each([
    ['<think> add two and two </think> <answer> 4 </answer>', 'stop', null],
    ['<think> add two and two', 'length', 'truncated'],
    // truncated wins over everything after it
    ['<think> 先 算 </think> <answer> 5 </answer>', 'length', 'truncated'],
    // format before incorrect
    ['<think> a </think> <think> b </think> <answer> 5 </answer>', 'stop', 'format'],
    // incorrect before mixed language
    ['<think> 先 把 两个 数 相加 </think> <answer> 5 </answer>', 'stop', 'incorrect'],
    ['<think> 先 把 两个 数 相加 </think> <answer> 4 </answer>', 'stop', 'mixed_language'],
    // mixed language before long paragraph
    [`<think> ${'先算'.repeat(20)} ${'add '.repeat(400)} </think> <answer> 4 </answer>`, 'stop', 'mixed_language'],
    [`<think> ${'add '.repeat(400)} </think> <answer> 4 </answer>`, 'stop', 'long_paragraph'],
    [`<think> ${'add '.repeat(300)}\n\n${'add '.repeat(300)} </think> <answer> 4 </answer>`, 'stop', null],
    ['<think> code:\n```\nx\n``` </think> <answer> 4 </answer>', 'stop', 'code_block'],
  ] as const)('%j (%s) → %s', async (completion, finish, reason) => {
    const f = filter({ dedup: 'none' });
    const out = await f.process(problem, [trace(0, completion, finish)]);
    expect(out.rejected[0]?.reason ?? null).toBe(reason);
  });

  it('code blocks pass when allowed; too_long comes from the token count', async () => {
    const code = '<think> code:\n```\nx\n``` </think> <answer> 4 </answer>';
    expect((await filter({ allowCodeBlocks: true }).process(problem, [trace(0, code)])).kept.length).toBe(1);
    const f = filter({ maxTraceTokens: 5 });
    const out = await f.process(problem, [trace(0, '<think> add two and two </think> <answer> 4 </answer>')]);
    expect(out.rejected[0]?.reason).toBe('too_long');
  });

  it('without gold every trace is unscorable, never correct', async () => {
    const f = filter();
    const out = await f.process({ id: 'p', prompt: 'x' }, [trace(0, '<think> a b </think> <answer> 4 </answer>')]);
    expect(out.rejected[0]?.reason).toBe('unscorable');
    expect(out.passRate).toBe(0);
  });

  it('the first of two duplicates is kept, within a problem and across problems', async () => {
    const f = filter();
    const good = '<think> add two and two, which makes four in total here </think> <answer> 4 </answer>';
    const a = await f.process(problem, [trace(1, good), trace(0, good.replace('four', 'Four'))]);
    expect(a.kept.map((t) => t.sampleIndex)).toEqual([0]);
    expect(a.rejected.map((t) => t.reason)).toEqual(['duplicate']);
    const b = await f.process({ ...problem, id: 'q' }, [trace(0, good)]);
    expect(b.rejected.map((t) => t.reason)).toEqual(['duplicate']);
  });

  it('a trace dropped by selection does not block a later duplicate', async () => {
    const f = filter({ select: 'pass-band', passBand: [0, 0.5] });
    const good = '<think> add two and two, which makes four in total here </think> <answer> 4 </answer>';
    const a = await f.process(problem, [trace(0, good)]);
    expect(a.rejected.map((t) => t.reason)).toEqual(['selection']);
    const b = await f.process({ ...problem, id: 'q' }, [
      trace(0, good),
      trace(1, '<think> guess </think> <answer> 7 </answer>'),
    ]);
    expect(b.kept.length).toBe(1);
  });

  it('counts add up: kept + removed = input, whatever the traces', async () => {
    const piece = fc.constantFrom('<think>', '</think>', '<answer>', '</answer>', ' 4 ', ' add ', '先', '\n\n', '```');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.array(piece, { maxLength: 12 }), fc.boolean()), { maxLength: 12 }),
        async (specs) => {
          const f = filter();
          await f.process(
            problem,
            specs.map(([pieces, cut], i) => trace(i, pieces.join(''), cut ? 'length' : 'stop')),
          );
          const removed = REASONS.reduce((s, r) => s + f.removed[r], 0);
          expect(f.kept + removed).toBe(f.input);
        },
      ),
      { numRuns: 100 },
    );
  });
});
