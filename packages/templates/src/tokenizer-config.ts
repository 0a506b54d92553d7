/**
 * Reads the parts of a Hugging Face `tokenizer_config.json` that chat templating needs: `chat_template` (one string,
 * or a list of named templates) and the special tokens (plain strings or `AddedToken` objects with a `content`).
 *
 * Takes the file's text, not a path: reading files is the caller's business, so this works the same in Node, a
 * browser or a test. Errors name the source, the line (where it can be found) and the field, and say what was
 * expected. Other fields are kept as they are and not checked.
 */

/** One entry of a `chat_template` given as a list (e.g. `default`, `tool_use`, `rag`). */
export interface NamedChatTemplate {
  name: string;
  template: string;
}

/** A special token as tokenizer_config.json writes it. */
export type SpecialToken = string | { content: string; [key: string]: unknown } | null;

export interface TokenizerConfig {
  chat_template?: string | NamedChatTemplate[];
  bos_token?: SpecialToken;
  eos_token?: SpecialToken;
  unk_token?: SpecialToken;
  pad_token?: SpecialToken;
  sep_token?: SpecialToken;
  cls_token?: SpecialToken;
  mask_token?: SpecialToken;
  additional_special_tokens?: SpecialToken[];
  [key: string]: unknown;
}

/** The names of special-token fields whose values are passed to chat templates. */
export const SPECIAL_TOKEN_FIELDS = [
  'bos_token',
  'eos_token',
  'unk_token',
  'pad_token',
  'sep_token',
  'cls_token',
  'mask_token',
] as const;

/**
 * Parses and checks a tokenizer_config.json text.
 *
 * @param source names the file in error messages, e.g. the path it was read from.
 * @example parseTokenizerConfig(readFileSync(path, 'utf8'), path).chat_template
 */
export function parseTokenizerConfig(jsonText: string, source = 'tokenizer_config.json'): TokenizerConfig {
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (e) {
    const message = (e as Error).message;
    const position = /at position (\d+)/.exec(message);
    const where = position === null ? '' : `:${lineOfOffset(jsonText, Number(position[1]))}`;
    throw new Error(`${source}${where}: not valid JSON (${message}); fix the file or re-download it`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source}: expected a JSON object at the top level, got ${describe(value)}`);
  }
  const config = value as Record<string, unknown>;
  const at = (field: string) => `${source}:${lineOfKey(jsonText, field)}: field '${field}'`;

  const template = config.chat_template;
  if (template !== undefined && template !== null && typeof template !== 'string') {
    if (!Array.isArray(template)) {
      throw new Error(
        `${at('chat_template')} must be a string or a list of {name, template}, got ${describe(template)}`,
      );
    }
    for (const [i, entry] of template.entries()) {
      const e = entry as Record<string, unknown> | null;
      if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || typeof e.template !== 'string') {
        throw new Error(
          `${at('chat_template')}[${i}] must be an object with string 'name' and 'template', got ${describe(entry)}`,
        );
      }
    }
  }
  for (const field of SPECIAL_TOKEN_FIELDS) {
    if (field in config && !isSpecialToken(config[field])) {
      throw new Error(`${at(field)} must be a string, null or {"content": string}, got ${describe(config[field])}`);
    }
  }
  const extra = config.additional_special_tokens;
  if (extra !== undefined && (!Array.isArray(extra) || !extra.every(isSpecialToken))) {
    throw new Error(`${at('additional_special_tokens')} must be a list of strings or {"content": string}`);
  }
  return config as TokenizerConfig;
}

/** The text of a special token: the string itself, an AddedToken's `content`, or undefined for null/absent. */
export function specialTokenText(token: SpecialToken | undefined): string | undefined {
  if (token === null || token === undefined) return undefined;
  return typeof token === 'string' ? token : token.content;
}

function isSpecialToken(v: unknown): v is SpecialToken {
  return (
    v === null ||
    typeof v === 'string' ||
    (typeof v === 'object' && !Array.isArray(v) && typeof (v as { content?: unknown }).content === 'string')
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** 1-based line of a UTF-16 offset. */
function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** 1-based line where `"key":` first appears, or 1 when it cannot be found (e.g. the key is absent). */
function lineOfKey(text: string, key: string): number {
  const needle = JSON.stringify(key);
  let from = 0;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at === -1) return 1;
    let j = at + needle.length;
    while (j < text.length && /\s/.test(text[j]!)) j++;
    if (text[j] === ':') return lineOfOffset(text, at);
    from = at + 1;
  }
}
