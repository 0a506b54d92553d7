import { describe, expect, test } from 'vitest';
import { DEFAULT_VERIFY_OPTIONS, fromMathVerifyOptions, resolveVerifyOptions } from './config';

describe('verify options', () => {
  test('defaults resolve to themselves', () => {
    expect(resolveVerifyOptions()).toEqual(DEFAULT_VERIFY_OPTIONS);
  });
  test.each([
    [{ matchTypes: [] }, /matchTypes must be a non-empty array/],
    [{ matchTypes: ['latx'] }, /matchTypes has 'latx'; use latex \| expr \| string/],
    [{ precision: 1.5 }, /precision must be an integer in \[0, 15\]/],
    [{ strict: 'yes' }, /strict must be true or false/],
    [{ maxDigits: 5 }, /maxDigits must be an integer in \[20, 100000\]/],
    [{ stringMatch: { strings: [] } }, /stringMatch.strings must be a non-empty array/],
    [{ stringMatch: { lower: true } }, /unknown stringMatch option 'lower'/],
    [{ float_rounding: 3 }, /unknown option 'float_rounding'/],
  ])('rejects %j', (partial, message) => {
    expect(() => resolveVerifyOptions(partial as never)).toThrow(message);
  });
  test('Math-Verify snake_case names map onto ours', () => {
    const o = fromMathVerifyOptions({
      match_types: ['latex'],
      precision: 4,
      strict: false,
      allow_set_relation_comp: true,
      latex_boxed_match_priority: 55,
      string_config: { strings: ['U'], try_extract_without_anchor: false },
    });
    expect(o).toMatchObject({
      matchTypes: ['latex'],
      precision: 4,
      strict: false,
      allowSetRelationComp: true,
      boxedMatchPriority: 55,
    });
    expect(o.stringMatch).toEqual({ strings: ['U'], lowercase: true, tryExtractWithoutAnchor: false });
    expect(() => fromMathVerifyOptions({ float_rounding: 3, precison: 1 })).toThrow(/unknown option 'precison'/);
  });
});
