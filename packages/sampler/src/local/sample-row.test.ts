import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { resolveSamplingParams } from '../params';
import { SampleRow } from './sample-row';

/** Token id i decodes to PIECES[i]; id 0 is EOS. Pieces are chosen so stop strings cross token boundaries. */
const PIECES = ['<eos>', 'a', 'b', '</ans', 'wer>', '<', '/', 'ans', 'w', 'er', '>', ' ', 'xy'];
const tokenizer = { decode: (ids: number[]) => ids.map((id) => PIECES[id] ?? '?').join('') };

/** Logits that make token `id` the certain choice. */
function forcing(id: number): Float32Array {
  const logits = new Float32Array(PIECES.length).fill(-1e4);
  logits[id] = 10;
  return logits;
}

/** Feeds `ids` to a row one by one, collecting the streamed deltas, until the row finishes. */
function stream(ids: number[], stop: string[], maxNewTokens = 64) {
  const params = resolveSamplingParams({ stop, maxNewTokens, temperature: 0 });
  const row = new SampleRow(0, params, new Set([0]), 3, 1, 0, [1, 2, 3]);
  const deltas: string[] = [];
  for (const id of ids) {
    row.step(forcing(id), tokenizer);
    deltas.push(row.takeDelta(tokenizer));
    if (row.finish !== null) break;
  }
  return { row, deltas, text: row.text(tokenizer) };
}

describe('SampleRow streaming', () => {
  test('a stop string split across tokens is never shown, and the text is cut before it', () => {
    const { row, deltas, text } = stream([1, 2, 3, 4, 1], ['</answer>']);
    expect(row.finish).toBe('stop');
    expect(text).toBe('ab');
    expect(deltas).toEqual(['a', 'b', '', '']);
    expect(row.tokens).toEqual([1, 2, 3, 4]);
  });

  test('held-back text that turns out not to be a stop string is shown once decided', () => {
    const { deltas, text } = stream([1, 5, 6, 2, 0], ['</answer>']);
    expect(text).toBe('a</b');
    expect(deltas).toEqual(['a', '', '', '</b', '']);
  });

  test('EOS ends the row, stays in the tokens and adds no text; max tokens finishes with "length"', () => {
    const eos = stream([1, 2, 0], []);
    expect([eos.row.finish, eos.text, eos.row.tokens]).toEqual(['stop', 'ab', [1, 2, 0]]);
    expect(eos.deltas).toEqual(['a', 'b', '']);
    const length = stream([1, 2, 1, 2], [], 3);
    expect([length.row.finish, length.text]).toEqual(['length', 'aba']);
  });

  test('an incomplete character (U+FFFD at the end of the decoded text) is held back', () => {
    const bytes = { decode: (ids: number[]) => Buffer.from(ids.map((i) => i - 1)).toString('utf8') };
    const params = resolveSamplingParams({ maxNewTokens: 8, temperature: 0 });
    const row = new SampleRow(0, params, new Set(), 1, 1, 0, [1]);
    // 'é' is 0xC3 0xA9: after the first byte the decoded text ends in U+FFFD.
    const shown = [0x41, 0xc3, 0xa9, 0x42].map((b) => {
      const logits = new Float32Array(256).fill(-1e4);
      logits[b + 1] = 1;
      row.step(logits, bytes);
      return row.takeDelta(bytes);
    });
    expect(shown).toEqual(['A', '', 'é', 'B']);
  });

  test('property: the deltas add up to the text, whatever the tokens and stop strings', () => {
    const token = fc.integer({ min: 0, max: PIECES.length - 1 });
    const stopString = fc.constantFrom('</answer>', 'ab', 'b</', 'xyxy', 'er>', 'a');
    fc.assert(
      fc.property(
        fc.array(token, { minLength: 1, maxLength: 30 }),
        fc.array(stopString, { maxLength: 3 }),
        (ids, stop) => {
          // The row runs to its end: a stop, EOS, or max tokens at the last id.
          const { row, deltas, text } = stream(ids, stop, ids.length);
          expect(row.finish).not.toBeNull();
          expect(deltas.join('')).toBe(text);
          for (const s of stop) expect(text.includes(s)).toBe(false);
        },
      ),
    );
  });
});
