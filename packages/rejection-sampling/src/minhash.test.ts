import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deduplicator, normalizeForDedup } from './dedup';
import { jaccard, MinHasher, shingleHashes, similarity } from './minhash';

const hasher = new MinHasher(128, 5);
const vocabulary = ['add', 'the', 'two', 'numbers', 'then', 'multiply', 'by', 'three', 'so', 'we', 'get', '12', '7'];
const wordText = (min: number, max: number) =>
  fc.array(fc.constantFrom(...vocabulary), { minLength: min, maxLength: max }).map((w) => w.join(' '));

describe('MinHash', () => {
  it('the near-duplicate score of a trace with itself is 1', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(similarity(hasher.signature(text), hasher.signature(text))).toBe(1);
      }),
    );
  });

  it('is case- and whitespace-insensitive', () => {
    expect(
      similarity(
        hasher.signature('Add  the two\nnumbers then stop'),
        hasher.signature('add the two numbers THEN stop'),
      ),
    ).toBe(1);
  });

  it.each([
    ['a b c d e', 'a b c d e', 1],
    ['a b c d e f', 'a b c d e g', 1 / 3],
    ['a b c', 'x y z', 0],
    ['', '', 1],
  ])('exact Jaccard %j vs %j = %f', (a, b, j) => {
    expect(jaccard(a, b, 5)).toBeCloseTo(j, 10);
  });

  it('estimates the Jaccard similarity of the word 5-gram sets (within 0.2 at 128 permutations)', () => {
    fc.assert(
      fc.property(wordText(5, 60), wordText(0, 20), wordText(0, 20), (core, pre, post) => {
        const a = `${pre} ${core}`;
        const b = `${core} ${post}`;
        const exact = jaccard(a, b, 5);
        const estimate = similarity(hasher.signature(a), hasher.signature(b));
        expect(Math.abs(exact - estimate)).toBeLessThan(0.2);
      }),
      { numRuns: 200 },
    );
  });

  it('a text shorter than n words is one shingle; no words, none', () => {
    expect(shingleHashes('one two', 5).length).toBe(1);
    expect(shingleHashes('   ', 5).length).toBe(0);
  });
});

describe('Deduplicator', () => {
  const long = (seed: number) =>
    Array.from({ length: 80 }, (_, i) => `w${(i * 7919 + seed * 104729) % 1000}`).join(' ');

  it('exact mode: catches whitespace and case variants, keeps others', () => {
    const d = new Deduplicator({ mode: 'exact', threshold: 0.9, shingleSize: 5, permutations: 128 });
    d.add(d.fingerprint('The answer is 4.'));
    expect(d.isDuplicate(d.fingerprint('  the   ANSWER is 4. '))).toBe(true);
    expect(d.isDuplicate(d.fingerprint('The answer is 5.'))).toBe(false);
    expect(normalizeForDedup(' A\n\tB ')).toBe('a b');
  });

  it('near mode: one changed word of 80 is a duplicate, an unrelated text is not', () => {
    const d = new Deduplicator({ mode: 'near', threshold: 0.9, shingleSize: 5, permutations: 128 });
    const base = long(1);
    d.add(d.fingerprint(base));
    const words = base.split(' ');
    words[79] = 'changed';
    expect(d.isDuplicate(d.fingerprint(words.join(' ')))).toBe(true);
    expect(d.isDuplicate(d.fingerprint(long(2)))).toBe(false);
  });

  it('checks against pending fingerprints of the same problem', () => {
    const d = new Deduplicator({ mode: 'near', threshold: 0.9, shingleSize: 5, permutations: 128 });
    const fp = d.fingerprint(long(3));
    expect(d.isDuplicate(d.fingerprint(long(3)), [fp])).toBe(true);
    expect(d.isDuplicate(d.fingerprint(long(3)))).toBe(false);
  });

  it("mode 'none' never finds a duplicate", () => {
    const d = new Deduplicator({ mode: 'none', threshold: 0.9, shingleSize: 5, permutations: 128 });
    d.add(d.fingerprint('x'));
    expect(d.isDuplicate(d.fingerprint('x'))).toBe(false);
  });

  it('a near duplicate is found through LSH whatever else was added before', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 10, max: 10_000 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 9 }),
        (others, target) => {
          const d = new Deduplicator({ mode: 'near', threshold: 0.9, shingleSize: 5, permutations: 128 });
          for (const o of others) d.add(d.fingerprint(long(o)));
          d.add(d.fingerprint(long(target)));
          expect(d.isDuplicate(d.fingerprint(`${long(target)} end`))).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });
});
