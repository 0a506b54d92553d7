import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { StopMatcher } from './stop';

function feed(pieces: string[], stops: string[]) {
  const m = new StopMatcher(stops);
  let text = '';
  for (let i = 0; i < pieces.length; i++) {
    text += pieces[i];
    const hit = m.check(text);
    if (hit) return { step: i, text: text.slice(0, hit.cutAt), stop: hit.stop };
  }
  return null;
}

describe('StopMatcher', () => {
  test.each([
    [['Hello', ' wor', 'ld'], ['world'], { step: 2, text: 'Hello ', stop: 'world' }],
    [['<ans', 'wer>4</', 'ans', 'wer> more'], ['</answer>'], { step: 3, text: '<answer>4', stop: '</answer>' }],
    [['ab', 'c'], ['x'], null],
    [['a', 'b', 'STOP1STOP2'], ['STOP2', 'STOP1'], { step: 2, text: 'ab', stop: 'STOP1' }],
  ])('%j with %j', (pieces, stops, expected) => {
    expect(feed(pieces, stops)).toEqual(expected);
  });

  test('empty stop string is rejected with a fix', () => {
    expect(() => new StopMatcher([''])).toThrow(/remove ""/);
  });

  test('property: however the text is split into tokens, the cut equals the first occurrence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 3 }), { maxLength: 20 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 3 }),
        (pieces, stop) => {
          const full = pieces.join('');
          const got = feed(pieces, [stop]);
          const at = full.indexOf(stop);
          if (at < 0) return got === null;
          return got !== null && got.text === full.slice(0, at);
        },
      ),
    );
  });
});
