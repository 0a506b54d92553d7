import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { camelToSnake, editDistance, nearestName, snakeToCamel } from './nearest-name';

const names = ['numGenerations', 'learningRate', 'maxCompletionLength', 'maxPromptLength', 'beta', 'epsilon', 'topP'];

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['same', 'same', 0],
  ])('%s → %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  test('is a metric: symmetric, zero only on equal strings, triangle inequality', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.string({ maxLength: 12 }),
        fc.string({ maxLength: 12 }),
        (a, b, c) => {
          expect(editDistance(a, b)).toBe(editDistance(b, a));
          expect(editDistance(a, b) === 0).toBe(a === b);
          expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
        },
      ),
    );
  });
});

describe('nearestName', () => {
  test.each([
    ['numGeneration', 'numGenerations'],
    ['num_generations', 'numGenerations'],
    ['NUMGENERATIONS', 'numGenerations'],
    ['learnignRate', 'learningRate'],
    ['lr', undefined],
    ['maxCompletionLen', 'maxCompletionLength'],
    ['max_prompt_len', 'maxPromptLength'],
    ['bta', 'beta'],
    ['somethingElseEntirely', undefined],
  ])('%s → %s', (name, want) => {
    expect(nearestName(name, names)).toBe(want);
  });

  test('an exact name is its own nearest', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), (name) => {
        expect(nearestName(name, names)).toBe(name);
      }),
    );
  });
});

describe('snake_case ↔ camelCase', () => {
  test.each([
    ['learning_rate', 'learningRate'],
    ['adam_beta1', 'adamBeta1'],
    ['top_p', 'topP'],
    ['max_grad_norm', 'maxGradNorm'],
    ['seed', 'seed'],
  ])('%s ↔ %s', (snake, camel) => {
    expect(snakeToCamel(snake)).toBe(camel);
    expect(camelToSnake(camel)).toBe(snake);
  });

  test('round-trips any lower-camel identifier', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9]*([A-Z][a-z0-9]+)*$/), (camel) => {
        expect(snakeToCamel(camelToSnake(camel))).toBe(camel);
      }),
    );
  });
});
