import { renderR1Zero } from '@r1/templates';
import { describe, expect, test } from 'vitest';
import { createPromptRenderer, encodePointwiseRows, encodePreferenceRows, encodeScored } from './encode';
import type { PreferenceRow } from './rows';
import { CHATML_TEMPLATE, charTokenizer } from './test-utils/fixtures';

const tok = charTokenizer();
const at = { file: 'd.jsonl', line: 1 };

describe('encoding what the reward model reads', () => {
  test('prompt and scored text are tokenized separately and laid end to end, nothing appended', () => {
    const ids = encodeScored(tok, 'Q: 2+2?', '<think>four</think> 4', 'summary');
    expect(ids).toEqual([...tok.encode('Q: 2+2?'), ...tok.encode(' 4')]);
    expect(encodeScored(tok, 'Q', 'x', 'full')).toEqual([...tok.encode('Q'), ...tok.encode('x')]);
  });

  test('a response’s own <think> is not doubled after a prompt that opened it', () => {
    expect(encodeScored(tok, 'Q\n<think>\n', '<think>\nwork</think> 4', 'full')).toEqual(
      tok.encode('Q\n<think>\nwork</think> 4'),
    );
  });

  test('conversational prompts use the chat template’s generation prompt; without one, R1-Zero for one user turn', () => {
    const chat = createPromptRenderer(tok, CHATML_TEMPLATE);
    expect(chat({ kind: 'messages', messages: [{ role: 'user', content: 'hi' }] }, 'row')).toBe(
      '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
    );
    const forced = createPromptRenderer(tok, `${CHATML_TEMPLATE}{% if add_generation_prompt %}<think>{% endif %}`);
    expect(forced({ kind: 'messages', messages: [{ role: 'user', content: 'hi' }] }, 'row').endsWith('<think>\n')).toBe(
      true,
    );
    const plain = createPromptRenderer(tok, null);
    expect(plain({ kind: 'messages', messages: [{ role: 'user', content: 'hi' }] }, 'row')).toBe(renderR1Zero('hi'));
    expect(() =>
      plain(
        {
          kind: 'messages',
          messages: [
            { role: 'system', content: 's' },
            { role: 'user', content: 'hi' },
          ],
        },
        'd.jsonl:3',
      ),
    ).toThrow(/d\.jsonl:3: the checkpoint has no chat template/);
  });

  test('rows over max_length are dropped and counted; empty text is an error naming the row', () => {
    const row = (chosen: string): PreferenceRow => ({
      prompt: { kind: 'text', text: 'Q' },
      chosen,
      rejected: 'no',
      margin: 1,
      at,
    });
    const e = encodePreferenceRows([row('yes'), row('y'.repeat(40))], tok, {
      score: 'full',
      chatTemplate: null,
      maxLength: 10,
    });
    expect(e.dropped).toBe(1);
    expect(e.examples).toEqual([{ chosen: tok.encode('Qyes'), rejected: tok.encode('Qno'), margin: 1 }]);
    expect(() =>
      encodePointwiseRows([{ prompt: { kind: 'text', text: '' }, completion: '<think>x', label: 1, at }], tok, {
        score: 'summary',
        chatTemplate: null,
        maxLength: 10,
      }),
    ).toThrow(/d\.jsonl:1: field "completion": prompt and scored response are both empty/);
  });
});
