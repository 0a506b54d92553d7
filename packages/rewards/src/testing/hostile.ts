/**
 * Hostile inputs: long runs, nested braces and tags, huge exponents, and near-matches — text that is almost a
 * well-formed completion and breaks only at the end, which is what makes a backtracking regex or a quadratic scan
 * take minutes (a naive port of open-r1's format regex took 369 s on 108 KB). Each kind is a builder of a given
 * size, so a time check can grow the input step by step and stop at the first size that is too slow.
 */

import fc from 'fast-check';

/** One family of hostile strings: `build(chars)` returns about `chars` UTF-16 units. */
export interface HostileKind {
  name: string;
  build: (chars: number) => string;
}

/** The size of the hostile inputs in {@link HOSTILE}: 100 KB. */
export const HOSTILE_CHARS = 100 * 1024;

/** `unit` repeated to exactly `chars` UTF-16 units (the last copy cut). */
export function fill(unit: string, chars: number): string {
  const n = Math.max(0, Math.floor(chars));
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

const around = (head: string, unit: string, tail: string) => (chars: number) =>
  `${head}${fill(unit, chars - head.length - tail.length)}${tail}`;

/** Every hostile family, by name. */
export const HOSTILE_KINDS: readonly HostileKind[] = [
  { name: 'nested think', build: around('', '<think>', '') },
  { name: 'repeated blocks', build: around('', '<think>a</think><answer>b</answer>', '') },
  { name: 'half tags', build: around('', '<think</answer<answer</think', '') },
  { name: 'open-r1 regex killer', build: around('<think>\n', '\n</think>\n<answer>\n', '') },
  { name: 'step digits', build: around('', 'Step 123456789', '') },
  { name: 'line digits', build: around('', '\n1234567890', '') },
  { name: 'dollars', build: around('', '$ ', '') },
  { name: 'backslash parens', build: around('', '\\( \\[ ', '') },
  { name: 'backticks', build: around('', '`` ', '') },
  { name: 'one word', build: around('', 'a ', '') },
  { name: 'han', build: around('', '思', '') },
  { name: 'nested parens answer', build: around('<think>x</think><answer>', '(', '</answer>') },
  { name: 'long equation', build: around('<think>x</think><answer>', '1+', '1</answer>') },
  { name: 'nested braces', build: around('<think>x</think><answer>\\boxed{', '{', '}</answer>') },
  { name: 'huge exponents', build: around('<think>x</think><answer>', '5^{5^{5^{5^5}}}', '</answer>') },
  { name: 'exponent tower', build: around('<think>x</think><answer>', '9^{', '9</answer>') },
  { name: 'long digit run', build: around('<think>x</think><answer>', '9', '</answer>') },
  { name: 'repeated boxed', build: around('', '\\boxed{1} ', '') },
  // open-r1's format pattern with the `m` flag backtracks about as the cube of the length on this (8 KB ≈ 0.2 s).
  {
    name: 'near-match: open-r1 blocks, answer never closed',
    build: around('', '<think>\n\n</think>\n<answer>\n\n', ''),
  },
  { name: 'near-match: answer never closed', build: around('<think>\n', 'reason ', '\n</think>\n<answer>\n42\n') },
  {
    name: 'near-match: text after the answer',
    build: around('<think>\nr\n</think>\n<answer>\n42\n</answer>', ' ', 'x'),
  },
  { name: 'near-match: think never closed', build: around('<think>\n', 'a\n<answer>\n', '42\n</answer>') },
  { name: 'near-match: unclosed boxed', build: around('r</think>\nThe answer is $\\boxed{', '1', '$.') },
];

/** Each {@link HOSTILE_KINDS} family at {@link HOSTILE_CHARS}, as `[name, text]` rows for `test.each`. */
export const HOSTILE: readonly (readonly [string, string])[] = HOSTILE_KINDS.map((k) => [
  k.name,
  k.build(HOSTILE_CHARS),
]);

/** A hostile string of any family, at most `maxChars` long (default 2,000: cheap enough for a property's many runs). */
export function hostileString(maxChars = 2000): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...HOSTILE_KINDS), fc.integer({ min: 0, max: maxChars }))
    .map(([kind, chars]) => kind.build(chars));
}
