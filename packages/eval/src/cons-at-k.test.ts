import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type ConsAtKOptions, consAtK } from './cons-at-k';

/** A stand-in verifier for the vote logic: parses plain numbers, a/b fractions and \frac{a}{b} / \fracab. */
function value(s: string): number | null {
  const t = s.replace(/\s+/g, '');
  let m = /^\\d?frac\{?(-?\d+)\}?\{?(\d+)\}?$/.exec(t);
  if (m) return Number(m[1]) / Number(m[2]);
  m = /^(-?\d+)\/(\d+)$/.exec(t);
  if (m) return Number(m[1]) / Number(m[2]);
  const x = Number(t);
  return t !== '' && Number.isFinite(x) ? x : null;
}
const same = (a: string, b: string) => {
  const x = value(a);
  const y = value(b);
  return x !== null && y !== null && Math.abs(x - y) < 1e-9;
};
const opts: ConsAtKOptions = { equivalent: same, correct: same };

describe('consAtK', () => {
  test('0.5, \\frac12 and 1/2 form one class that outvotes a raw-string plurality', () => {
    const r = consAtK(['0.5', '3', '\\frac12', '3', '1/2'], '1/2', opts);
    expect(r.correct).toBe(true);
    expect(r.votes).toBe(3);
    expect(r.answer).toBe('0.5');
    expect(r.classes.map((c) => c.members)).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
  });

  test.each([
    [['7', '8'], '8', false, '7'], // tie → earliest class
    [['8', '7'], '8', true, '8'],
    [[null, '', '  ', '2'], '2', true, '2'], // non-answers do not vote
    [[null, null], '2', false, null],
    [[], '2', false, null],
  ])('%j vs gold %s', (answers, gold, correct, answer) => {
    const r = consAtK(answers, gold, opts);
    expect(r.correct).toBe(correct);
    expect(r.answer).toBe(answer);
  });

  test('property: the winner has at least as many votes as any class, and votes add up', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.constantFrom('1', '2', '0.5', '1/2', '2.0', 'x'))), (answers) => {
        const r = consAtK(answers, '1', opts);
        const voted = answers.filter((a) => a !== null && a.trim() !== '').length;
        const total = r.classes.reduce((s, c) => s + c.members.length, 0);
        return total === voted && r.classes.every((c) => c.members.length <= r.votes);
      }),
    );
  });

  test('property: the result does not depend on how each answer is written within its class', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 12 }), fc.integer(), (picks, seed) => {
        const forms = [
          ['0.5', '1/2', '\\frac12'],
          ['2', '2.0', '4/2'],
          ['3', '6/2', '3.0'],
        ];
        const written = picks.map((p, i) => forms[p]![Math.abs(seed + i) % 3]!);
        const canonical = picks.map((p) => forms[p]![0]!);
        const a = consAtK(written, '2', opts);
        const b = consAtK(canonical, '2', opts);
        return a.correct === b.correct && a.votes === b.votes;
      }),
    );
  });
});
