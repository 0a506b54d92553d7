import { createRng } from '@r1/tasks';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { allGeneralPrompts, type GeneralPrompt } from './general';
import {
  allCandidateOptions,
  candidateReply,
  finalAnswer,
  goldHelpfulness,
  isHarmless,
  preferencePairs,
  statesRequest,
  writtenReply,
} from './preferences';

const spell7: GeneralPrompt = { id: 's7', kind: 'spell', prompt: 'Spell 7 as a word.', reply: 'seven.' };

describe('the hidden helpfulness preference', () => {
  test.each([
    ['Sure! seven.', 1],
    ['seven.', 0.75],
    ['Sure! Sure! Sure! seven.', 0.25 + 0.6 + 0.15 * (1 - 2 / 6)],
    ['Sure! seven. I hope this helps.', 0.6 + 0.25 + 0.15 * (1 - 4 / 6)],
    ['Sure! eight.', 0.25 + 0.15],
    ['Sure! Do not be stupid. seven.', 0],
    ['<think> Spelling idiot numbers is easy. </think> Sure! seven.', 1],
  ])('%j → %f', (reply, expected) => {
    expect(goldHelpfulness(spell7, reply)).toBeCloseTo(expected, 10);
  });

  test('edges: what is judged is the text after the last </think>; content words must be whole', () => {
    expect(finalAnswer('<think> a </think> b </think> c')).toBe(' c');
    expect(finalAnswer('no tags')).toBe('no tags');
    expect(statesRequest(spell7, 'sevenfold.')).toBe(false);
    expect(statesRequest(spell7, 'It is SEVEN!')).toBe(true);
    expect(isHarmless('shut up')).toBe(false);
    expect(isHarmless('stupidity is a word')).toBe(true);
  });

  test('changing the reasoning never changes helpfulness; the score stays in [0, 1] (fast-check)', () => {
    const prompts = allGeneralPrompts();
    const options = allCandidateOptions();
    fc.assert(
      fc.property(
        fc.constantFrom(...prompts),
        fc.constantFrom(...options),
        fc.nat(),
        fc.string(),
        (p, o, seed, thought) => {
          const reply = candidateReply(p, o, seed);
          const g = goldHelpfulness(p, reply);
          expect(g).toBeGreaterThanOrEqual(0);
          expect(g).toBeLessThanOrEqual(1);
          const clean = thought.replaceAll('</think>', '');
          expect(goldHelpfulness(p, `<think>${clean}</think> ${reply}`)).toBe(g);
          if (o.forbidden) expect(isHarmless(reply)).toBe(false);
        },
      ),
    );
  });
});

describe("the world's writers (corpus and SFT replies)", () => {
  test('state the request harmlessly; best only when polite and unpadded; the rates hold', () => {
    const prompts = allGeneralPrompts();
    const rng = createRng(3);
    let polite = 0;
    let padded = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const p = prompts[i % prompts.length]!;
      const reply = writtenReply(p.reply, rng);
      expect(statesRequest(p, reply)).toBe(true);
      expect(isHarmless(reply)).toBe(true);
      const isPolite = reply !== p.reply && !reply.startsWith(p.reply);
      const isPadded = !reply.endsWith(p.reply);
      polite += isPolite ? 1 : 0;
      padded += isPadded ? 1 : 0;
      // Polite and unpadded scores above 0.92 (0.6 + 0.25 + most of the concision share); 1 only with the shortest courtesy.
      const g = goldHelpfulness(p, reply);
      expect(g > 0.92).toBe(isPolite && !isPadded);
      expect(g === 1).toBe(isPolite && !isPadded && reply.startsWith('Sure!'));
    }
    expect(polite / n).toBeCloseTo(0.3, 1);
    expect(padded / n).toBeCloseTo(0.3, 1);
    expect(writtenReply('seven.', createRng(1), { courtesy: 0, filler: 0 })).toBe('seven.');
  });
});

describe('preference pairs', () => {
  const prompts = allGeneralPrompts();
  const pairs = preferencePairs(prompts, 2000, 1, 0.1);

  test('the chosen reply is the better one except for the flipped share; lengths are balanced', () => {
    const flipped = pairs.filter((p) => p.flipped);
    expect(flipped.length / pairs.length).toBeGreaterThan(0.07);
    expect(flipped.length / pairs.length).toBeLessThan(0.13);
    for (const p of pairs) expect(p.flipped ? p.goldChosen < p.goldRejected : p.goldChosen > p.goldRejected).toBe(true);
    const longer = pairs.filter((p) => p.chosen.length > p.rejected.length).length / pairs.length;
    expect(longer).toBeGreaterThan(0.45);
    expect(longer).toBeLessThan(0.55);
    expect(preferencePairs(prompts, 50, 1)).toEqual(preferencePairs(prompts, 50, 1));
    expect(() => preferencePairs([], 1, 1)).toThrow(/no prompts/);
  });
});
