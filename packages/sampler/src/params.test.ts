import { describe, expect, test } from 'vitest';
import { resolveSamplingParams } from './params';
import { DEFAULT_SAMPLING_PARAMS } from './types';

describe('resolveSamplingParams', () => {
  test('defaults', () => {
    expect(resolveSamplingParams()).toEqual(DEFAULT_SAMPLING_PARAMS);
    expect(resolveSamplingParams({ temperature: 0.6, topP: 0.95 })).toMatchObject({
      temperature: 0.6,
      topP: 0.95,
      n: 1,
    });
  });
  test.each([
    [{ n: 0 }, /n = 0 is invalid; expected an integer ≥ 1/],
    [{ temperature: -1 }, /temperature/],
    [{ topP: 0 }, /topP/],
    [{ topK: 1.5 }, /topK/],
    [{ minP: 1 }, /minP/],
    [{ maxNewTokens: 0 }, /maxNewTokens/],
    [{ stop: [''] }, /stop/],
    [{ seed: 0.5 }, /seed/],
    [{ repetitionPenalty: 0 }, /repetitionPenalty/],
    [{ logprobsMode: 'x' }, /logprobsMode/],
    [{ max_tokens: 5 }, /unknown key "max_tokens"/],
  ])('rejects %j', (partial, message) => {
    expect(() => resolveSamplingParams(partial as never)).toThrow(message);
  });
});
