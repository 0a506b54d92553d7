/**
 * Are two extracted answers the same answer? The verifier's judgement in either direction (it is gold-guided, so
 * asymmetric), with each distinct answer parsed once. This is what makes `0.5`, `1/2` and `\frac12` one vote in
 * cons@k. Answers that do not parse are equal only to the identical string.
 */
import type { VerifyOptions } from './config';
import { type ParsedAnswer, parseAnswer, verifyAnswer } from './math-verify';

export function createAnswerEquivalence(options: Partial<VerifyOptions> = {}): (a: string, b: string) => boolean {
  const parsed = new Map<string, ParsedAnswer | null>();
  const parse = (text: string) => {
    if (!parsed.has(text)) parsed.set(text, parseAnswer(text, options));
    return parsed.get(text)!;
  };
  return (a, b) => {
    if (a.trim() === b.trim()) return true;
    const pa = parse(a);
    const pb = parse(b);
    if (pa === null || pb === null) return false;
    return verifyAnswer(pa, pb, options) || verifyAnswer(pb, pa, options);
  };
}
