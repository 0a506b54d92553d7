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
  policyPreferencePairs,
  preferencePairs,
  type ReplyPool,
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

describe("on-policy preference pairs (a policy's own samples, gold-labelled)", () => {
  const prompts = allGeneralPrompts().slice(0, 40);
  const options = allCandidateOptions();
  const pools: ReplyPool[] = prompts.map((prompt, i) => ({
    prompt,
    replies: Array.from({ length: 6 }, (_, j) =>
      candidateReply(prompt, options[(i * 5 + j * 3) % options.length]!, i * 10 + j),
    ),
  }));

  test('pairs come from one pool each; chosen is better except the flipped share; deterministic in the seed', () => {
    const pairs = policyPreferencePairs(pools, 1000, 7, 0.1);
    expect(pairs).toHaveLength(1000);
    const byPrompt = new Map(pools.map((p) => [p.prompt.prompt, p]));
    for (const p of pairs) {
      const pool = byPrompt.get(p.prompt)!;
      expect(pool.replies).toContain(p.chosen);
      expect(pool.replies).toContain(p.rejected);
      expect(p.goldChosen).toBe(goldHelpfulness(pool.prompt, p.chosen));
      expect(p.flipped ? p.goldChosen < p.goldRejected : p.goldChosen > p.goldRejected).toBe(true);
    }
    const flipped = pairs.filter((p) => p.flipped).length / pairs.length;
    expect(flipped).toBeGreaterThan(0.06);
    expect(flipped).toBeLessThan(0.14);
    expect(policyPreferencePairs(pools, 50, 7)).toEqual(policyPreferencePairs(pools, 50, 7));
    expect(policyPreferencePairs(pools, 50, 7, 0).every((p) => !p.flipped)).toBe(true);
  });

  test('edges: no pools, or pools whose replies all tie, give no pairs rather than fake ones', () => {
    expect(policyPreferencePairs([], 10, 1)).toEqual([]);
    const ties = pools.map((p) => ({ prompt: p.prompt, replies: [p.replies[0]!, p.replies[0]!] }));
    expect(policyPreferencePairs(ties, 10, 1)).toEqual([]);
    // One usable pool with two replies of different gold value: pairs exist, at most count.
    const one = [{ prompt: spell7, replies: ['Sure! seven.', 'eight.'] }];
    const pairs = policyPreferencePairs(one, 5, 1, 0);
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.length).toBeLessThanOrEqual(5);
    for (const p of pairs) expect([p.chosen, p.rejected]).toEqual(['Sure! seven.', 'eight.']);
  });

  test('any pools: every pair is a strict gold ordering within one pool, labelled by its flip flag (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            prompt: fc.integer({ min: 0, max: prompts.length - 1 }),
            replies: fc.array(fc.integer({ min: 0, max: options.length - 1 }), { minLength: 1, maxLength: 5 }),
          }),
          { maxLength: 6 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (spec, seed, flipRate) => {
          const ps = spec.map(({ prompt, replies }) => ({
            prompt: prompts[prompt]!,
            replies: replies.map((o, j) => candidateReply(prompts[prompt]!, options[o]!, seed + j)),
          }));
          const pairs = policyPreferencePairs(ps, 20, seed, flipRate);
          expect(pairs.length).toBeLessThanOrEqual(20);
          for (const p of pairs) {
            // Pools may share a prompt: the pair must come from one of them, both replies from the same pool.
            const pool = ps.find(
              (x) => x.prompt.prompt === p.prompt && x.replies.includes(p.chosen) && x.replies.includes(p.rejected),
            );
            expect(pool, JSON.stringify(p)).toBeDefined();
            if (pool === undefined) return;
            const [gc, gr] = [goldHelpfulness(pool.prompt, p.chosen), goldHelpfulness(pool.prompt, p.rejected)];
            expect(p.flipped ? gc < gr : gc > gr).toBe(true);
          }
        },
      ),
      {
        numRuns: 100,
        // Found by fast-check: two pools of one prompt, the reply drawn from the second shared with the first.
        examples: [
          [
            [
              { prompt: 9, replies: [0] },
              { prompt: 9, replies: [0, 1] },
            ],
            0,
            0,
          ],
        ],
      },
    );
  });
});
