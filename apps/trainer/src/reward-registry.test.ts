import { describe, expect, it } from 'vitest';
import { rewardScorer } from './reward-registry';

const sample = { prompt: 'What is 2 + 2?', answer: '4' };

describe('rewardScorer', () => {
  it.each([
    ['r1-zero', '<think> 2 + 2 = 4 </think> <answer> 4 </answer>', 1],
    ['r1-zero', '<think> 2 + 2 = 4 </think> The answer is 4.', 0],
    ['r1', '<think> 2 + 2 = 4 </think> The answer is 4.', 1],
    ['think', '2 + 2 = 4 </think> The answer is \\boxed{4}.', 1],
  ] as const)('format reward under %s: %j → %d', async (format, completion, expected) => {
    const [scored] = await rewardScorer(['format'], null, format)([completion], sample);
    expect(scored!.total).toBe(expected);
  });

  it('language consistency reads the reasoning of the template’s format', async () => {
    const [r1] = await rewardScorer(
      ['language_consistency'],
      null,
      'r1',
    )(['<think> 先 算 two </think> The answer is 4.'], sample);
    expect(r1!.total).toBeCloseTo(1 / 3, 10);
  });

  it('an unknown reward name lists the known ones', () => {
    expect(() => rewardScorer(['acuracy'], null)).toThrow(/unknown reward "acuracy".*accuracy/);
  });
});

describe('multi_objective_aggregation', () => {
  it('normalize_then_sum normalises each reward within the group before the weighted sum', async () => {
    const completions = ['<think> 2 + 2 = 4 </think> <answer> 4 </answer>', '<think> </think> <answer> 5 </answer>'];
    const plain = await rewardScorer(['accuracy', 'format'], [1, 1], 'r1-zero')(completions, sample);
    expect(plain.map((r) => r.total)).toEqual([2, 0]);
    const normalised = await rewardScorer(['accuracy', 'format'], [1, 1], 'r1-zero', {
      aggregation: 'normalize_then_sum',
    })(completions, sample);
    expect(normalised[0]!.total!).toBeCloseTo(2, 3);
    expect(normalised[1]!.total!).toBeCloseTo(-2, 3);
    expect(normalised[0]!.components.map((c) => c.value)).toEqual([1, 1]);
  });
});

describe('the code reward (programs run in @r1/sandbox)', () => {
  const program = (code: string) => `<think> I print it. </think> <answer>\n\`\`\`python\n${code}\n\`\`\`\n</answer>`;
  const task = { prompt: 'Write a Python program that prints the value of 2 + 2.', answer: '4' };
  const withTests = { ...task, meta: { tests: { inputs: [''], outputs: ['4'] } } };

  it('pays what the program prints against the tests, beside the other rewards; null without tests', async () => {
    const score = rewardScorer(['code', 'format'], [1, 0.5], 'r1-zero');
    const rows = await score(
      [program('print(2 + 2)'), program('print(5)'), program('print(2 + 2'), 'The answer is 4.'],
      withTests,
    );
    expect(rows.map((r) => r.components.map((c) => c.value))).toEqual([
      [1, 1],
      [0, 1],
      [0, 1],
      [0, 0],
    ]);
    expect(rows.map((r) => r.total)).toEqual([1.5, 0.5, 0.5, 0]);
    // A prompt without tests is not scored by the code reward: null, never a fake 0.
    const [none] = await score([program('print(4)')], task);
    expect(none!.components[0]!.value).toBeNull();
    expect(none!.total).toBeNull();
  });

  it('is listed with the others', () => {
    expect(() => rewardScorer(['kode'], null)).toThrow(/available: .*code/);
  });
});
