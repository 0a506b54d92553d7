/**
 * Renders a Hugging Face chat template (the Jinja `chat_template` of a tokenizer_config.json) for a conversation,
 * with `@huggingface/jinja`, passing what `transformers`' `apply_chat_template` passes: `messages`,
 * `add_generation_prompt`, `tools`, and the special tokens (`bos_token`, `eos_token`, … as plain strings).
 *
 * Also implements the R1-Distill convention of forcing the assistant turn to begin with `<think>\n`, so that the
 * model cannot skip its reasoning (DeepSeek-R1 model card, "Usage Recommendations"); completions sampled from such a
 * prompt are parsed with `parseCompletion(text, 'think')`.
 *
 * It returns text only: no tokenization, and it does not add a BOS token the template itself does not write.
 */

import { Template } from '@huggingface/jinja';
import { SPECIAL_TOKEN_FIELDS, specialTokenText, type TokenizerConfig } from './tokenizer-config';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** Reasoning of an earlier assistant turn, for templates that read it (Qwen3). */
  reasoning_content?: string;
  [key: string]: unknown;
}

export interface ChatTemplateOptions {
  /** End with the opening of an assistant turn, ready for generation. Default true. */
  addGenerationPrompt: boolean;
  /**
   * Make the prompt end with `thinkPrefix`, the R1-Distill convention: appended unless the template already wrote
   * it (a template ending in `<think>` gets only the missing `\n`). Needs `addGenerationPrompt`. Default false.
   */
  forceThink: boolean;
  /** What `forceThink` appends. Default `'<think>\n'`. */
  thinkPrefix: string;
  /**
   * Which template to use when `chat_template` is a list of named templates. Default null: `tool_use` when tools are
   * given and there is one, else `default` (as transformers does).
   */
  templateName: string | null;
  /** Tool definitions (JSON schema objects) passed to the template as `tools`. Default null (none). */
  tools: readonly unknown[] | null;
  /** More template variables, e.g. `{ enable_thinking: false }` for Qwen3. They override the built-in ones. */
  variables: Readonly<Record<string, unknown>>;
}

export const DEFAULT_CHAT_TEMPLATE_OPTIONS: Readonly<ChatTemplateOptions> = Object.freeze({
  addGenerationPrompt: true,
  forceThink: false,
  thinkPrefix: '<think>\n',
  templateName: null,
  tools: null,
  variables: Object.freeze({}),
});

/** Fills in defaults; rejects unknown keys and contradictory settings with a message that says what to change. */
export function resolveChatTemplateOptions(partial: Partial<ChatTemplateOptions> = {}): ChatTemplateOptions {
  const keys = Object.keys(DEFAULT_CHAT_TEMPLATE_OPTIONS);
  for (const key of Object.keys(partial)) {
    if (!keys.includes(key))
      throw new Error(`chat template options: unknown key '${key}'; the keys are ${keys.join(', ')}`);
  }
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const o: ChatTemplateOptions = { ...DEFAULT_CHAT_TEMPLATE_OPTIONS, ...defined };
  if (o.forceThink && !o.addGenerationPrompt) {
    throw new Error(
      'chat template options: forceThink needs addGenerationPrompt: true (the think prefix opens the assistant turn)',
    );
  }
  if (typeof o.thinkPrefix !== 'string' || (o.forceThink && o.thinkPrefix.length === 0)) {
    throw new Error("chat template options: thinkPrefix must be a non-empty string such as '<think>\\n'");
  }
  if (o.tools !== null && !Array.isArray(o.tools))
    throw new Error('chat template options: tools must be a list or null');
  return o;
}

/** Picks the template source from `chat_template`, following transformers' rules for named templates. */
export function selectChatTemplate(config: TokenizerConfig, templateName: string | null, hasTools: boolean): string {
  const t = config.chat_template;
  if (t === undefined || t === null) {
    throw new Error(
      "this tokenizer_config.json has no chat_template; use a chat model's config, or render the prompt yourself (e.g. renderR1Zero)",
    );
  }
  if (typeof t === 'string') {
    if (templateName !== null && templateName !== 'default') {
      throw new Error(
        `templateName '${templateName}' was asked for, but this config has a single unnamed chat_template`,
      );
    }
    return t;
  }
  const byName = new Map(t.map((e) => [e.name, e.template]));
  const name = templateName ?? (hasTools && byName.has('tool_use') ? 'tool_use' : 'default');
  const found = byName.get(name);
  if (found === undefined) {
    throw new Error(
      `chat_template has no template named '${name}'; the names are ${[...byName.keys()].join(', ')} — pass templateName`,
    );
  }
  return found;
}

/**
 * Compiles the template once and returns a function that renders a conversation.
 *
 * @example
 * const render = createChatRenderer(parseTokenizerConfig(text), { forceThink: true });
 * render([{ role: 'user', content: 'What is 2+2?' }]) // '…<|im_start|>assistant\n<think>\n'
 */
export function createChatRenderer(
  config: TokenizerConfig,
  options: Partial<ChatTemplateOptions> = {},
): (messages: readonly ChatMessage[]) => string {
  const o = resolveChatTemplateOptions(options);
  const source = selectChatTemplate(config, o.templateName, o.tools !== null && o.tools.length > 0);
  let template: Template;
  try {
    template = new Template(source);
  } catch (e) {
    throw new Error(`the chat template does not parse as Jinja: ${(e as Error).message}`);
  }
  const specials: Record<string, unknown> = {};
  for (const field of SPECIAL_TOKEN_FIELDS) {
    const text = specialTokenText(config[field]);
    if (text !== undefined) specials[field] = text;
  }
  if (config.additional_special_tokens !== undefined) {
    specials.additional_special_tokens = config.additional_special_tokens.map(specialTokenText);
  }

  return (messages) => {
    checkMessages(messages);
    let text: string;
    try {
      text = template.render({
        ...specials,
        messages: messages.map((m) => ({ ...m })),
        add_generation_prompt: o.addGenerationPrompt,
        ...(o.tools === null ? {} : { tools: o.tools }),
        ...o.variables,
      });
    } catch (e) {
      throw new Error(`rendering the chat template failed: ${(e as Error).message}`);
    }
    return o.forceThink ? withThinkPrefix(text, o.thinkPrefix) : text;
  };
}

/**
 * Ends `text` with `prefix` without repeating what the template already wrote: unchanged if it ends with the
 * prefix; only the missing trailing whitespace if it ends with the prefix's visible part (Jinja drops a template's
 * final newline, so `<think>\n` written literally renders as `<think>`).
 */
function withThinkPrefix(text: string, prefix: string): string {
  if (text.endsWith(prefix)) return text;
  const visible = prefix.trimEnd();
  if (visible.length > 0 && text.endsWith(visible)) return text + prefix.slice(visible.length);
  return text + prefix;
}

/** Renders one conversation; see {@link createChatRenderer} to compile once and render many. */
export function renderChatTemplate(
  config: TokenizerConfig,
  messages: readonly ChatMessage[],
  options: Partial<ChatTemplateOptions> = {},
): string {
  return createChatRenderer(config, options)(messages);
}

const ROLES: readonly string[] = ['system', 'user', 'assistant', 'tool'];

function checkMessages(messages: readonly ChatMessage[]): void {
  if (!Array.isArray(messages)) throw new TypeError('messages must be a list of {role, content}');
  for (const [i, m] of messages.entries()) {
    if (typeof m !== 'object' || m === null) throw new TypeError(`messages[${i}] must be an object {role, content}`);
    if (!ROLES.includes(m.role)) {
      throw new Error(`messages[${i}].role is ${JSON.stringify(m.role)}; use one of ${ROLES.join(', ')}`);
    }
    if (typeof m.content !== 'string')
      throw new TypeError(`messages[${i}].content must be a string, got ${typeof m.content}`);
  }
}
