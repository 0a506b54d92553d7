/**
 * Rows → token ids and a loss mask (`labels[t] = 1`: token t is a training target, predicted from tokens < t).
 *
 * - prompt/completion: prompt and completion are tokenized separately (as a sampler produced them) and EOS is
 *   appended to the completion unless it already ends with it, as TRL does; `completion_only_loss` trains the
 *   completion and its EOS only.
 * - text: the text plus EOS, every token trained.
 * - messages: rendered with the chat template. Each trained assistant turn i is found by prefix rendering:
 *   context = render(messages[..i), add_generation_prompt) and turn = render(messages[..i]); the turn's tokens are
 *   what `turn` adds to `context` (its end-of-turn / EOS token included, trailing whitespace not), and the whole
 *   conversation must start with `turn`. Where the template's generation prompt opens `<think>` itself (R1-Distill
 *   style), the context is completed to `<think>\n` and a trace that lacks the opening tag gets it ("forced think").
 *   Start-up checks, each naming the row: the template must render every turn as a prefix of the conversation, and
 *   must keep the trained turn's reasoning (several templates strip `<think>…</think>`, trl#6361,
 *   DeepSeek-R1#633). A checkpoint without a chat template renders single-turn rows with the R1-Zero template.
 * Every row must end with at least one trained token. Over-length rows are handled later (`over-length.ts`).
 */
import type { Tokenizer } from '@r1/model';
import {
  type ChatMessage,
  createChatRenderer,
  R1_ZERO_TEMPLATE,
  renderR1Zero,
  type TokenizerConfig,
} from '@r1/templates';
import { rowName, type SftRow } from './sft-rows';

export interface TokenizedExample {
  /** Token ids of the whole row. */
  ids: number[];
  /** Same length; 1 where the token is trained. `labels[0]` is always 0 (nothing predicts the first token). */
  labels: Uint8Array;
}

export interface RowTokenizerOptions {
  /** The chat template (Jinja source) for messages rows; null renders single-turn rows with R1-Zero. */
  chatTemplate: string | null;
  /** Default (null) true: prompt tokens get no loss. */
  completionOnlyLoss: boolean | null;
  /** Default (null) true: only assistant turns get loss. */
  assistantOnlyLoss: boolean | null;
}

export class RowError extends Error {
  override readonly name = 'RowError';
}

const THINK_OPEN = '<think>';
const THINK_PREFIX = '<think>\n';
const R1_ZERO_HEAD = R1_ZERO_TEMPLATE.slice(0, R1_ZERO_TEMPLATE.indexOf('{prompt}'));

/** The reasoning of an assistant message: `reasoning_content`, or the text before `</think>` of its content. */
export function reasoningOf(message: ChatMessage): string {
  if (typeof message.reasoning_content === 'string') return message.reasoning_content.trim();
  const end = message.content.indexOf('</think>');
  if (end < 0) return '';
  const head = message.content.slice(0, end);
  const open = head.lastIndexOf(THINK_OPEN);
  return (open < 0 ? head : head.slice(open + THINK_OPEN.length)).trim();
}

/** A function from rows to tokenized examples, with the template compiled once. */
export function createRowTokenizer(
  tokenizer: Tokenizer,
  options: RowTokenizerOptions,
): (row: SftRow) => TokenizedExample {
  const completionOnly = options.completionOnlyLoss ?? true;
  const assistantOnly = options.assistantOnlyLoss ?? true;
  const eos = tokenizer.eosTokenId;
  const encode = (text: string) => tokenizer.encode(text);
  const chat = options.chatTemplate === null ? null : compileChat(tokenizer, options.chatTemplate);

  const fromPieces = (row: SftRow, pieces: { text: string; trained: boolean }[], trainAll: boolean) => {
    const ids: number[] = [];
    const flags: number[] = [];
    for (const piece of pieces) {
      if (piece.text === '') continue;
      const tokens = encode(piece.text);
      for (const id of tokens) {
        ids.push(id);
        flags.push(piece.trained || trainAll ? 1 : 0);
      }
    }
    return finish(row, ids, flags);
  };

  const promptCompletion = (row: SftRow, prompt: string, completion: string): TokenizedExample => {
    const p = encode(prompt);
    const c = encode(completion);
    if (c.at(-1) !== eos) c.push(eos);
    const flag = completionOnly ? 0 : 1;
    return finish(row, [...p, ...c], [...p.map(() => flag), ...c.map(() => 1)]);
  };

  return (row) => {
    switch (row.format) {
      case 'text': {
        const ids = encode(row.text);
        if (ids.at(-1) !== eos) ids.push(eos);
        return finish(
          row,
          ids,
          ids.map(() => 1),
        );
      }
      case 'prompt-completion':
        return promptCompletion(row, row.prompt, row.completion);
      case 'messages': {
        if (chat === null) {
          const { prompt, completion } = r1ZeroTurn(row);
          return promptCompletion(row, prompt, completion);
        }
        return fromPieces(row, chat.pieces(row), !assistantOnly);
      }
      default: {
        const never: never = row;
        throw new Error(`unknown row format ${JSON.stringify(never)}`);
      }
    }
  };
}

function finish(row: SftRow, ids: number[], flags: number[]): TokenizedExample {
  const labels = Uint8Array.from(flags);
  if (labels.length > 0) labels[0] = 0;
  if (!labels.includes(1)) {
    throw new RowError(
      `${rowName(row.at)}: the row has no trainable token (${ids.length} tokens, all context); ` +
        'give it a completion / assistant turn, or turn off completion_only_loss / assistant_only_loss',
    );
  }
  return { ids, labels };
}

/** Single-turn rows for a checkpoint without a chat template: the R1-Zero prompt (Table 1) and the trace. */
function r1ZeroTurn(row: Extract<SftRow, { format: 'messages' }>): { prompt: string; completion: string } {
  const m = row.messages;
  if (m.length !== 2 || m[0]!.role !== 'user' || m[1]!.role !== 'assistant' || row.trainFrom > 1) {
    throw new RowError(
      `${rowName(row.at)}: the checkpoint has no chat template, so only single-turn rows [user, assistant] can be ` +
        `rendered (with the R1-Zero template); this one has ${m.map((x) => x.role).join(', ')}. ` +
        'Set chat_template_path to a Jinja template, or use prompt/completion rows',
    );
  }
  const user = m[0]!.content;
  // A user turn that already holds the rendered R1-Zero prompt is used as it is.
  return { prompt: user.startsWith(R1_ZERO_HEAD) ? user : renderR1Zero(user), completion: m[1]!.content };
}

interface CompiledChat {
  pieces(row: Extract<SftRow, { format: 'messages' }>): { text: string; trained: boolean }[];
}

function compileChat(tokenizer: Tokenizer, template: string): CompiledChat {
  // The special tokens (bos/eos/…) the template refers to come from the checkpoint's tokenizer_config.json.
  const config = { ...(tokenizer.files.tokenizerConfig as TokenizerConfig), chat_template: template };
  const full = createChatRenderer(config, { addGenerationPrompt: false });
  const probe = createChatRenderer(config, { addGenerationPrompt: true })([{ role: 'user', content: 'x' }]);
  // "Forced think where the template expects it": its generation prompt opens the reasoning block itself.
  const forcedThink = probe.trimEnd().endsWith(THINK_OPEN);
  const context = createChatRenderer(config, { addGenerationPrompt: true, forceThink: forcedThink });

  return {
    pieces(row) {
      const messages = row.messages.map((m) =>
        forcedThink && m.role === 'assistant' && !m.content.trimStart().startsWith(THINK_OPEN)
          ? { ...m, content: THINK_PREFIX + m.content }
          : m,
      );
      const text = full(messages);
      const trained = messages.flatMap((m, i) => (m.role === 'assistant' && i >= row.trainFrom ? [i] : []));
      if (trained.length === 0) {
        throw new RowError(
          `${rowName(row.at)}: the row has no trainable token: no assistant turn to train ` +
            `(roles ${messages.map((m) => m.role).join(', ')}); add the assistant's answer`,
        );
      }
      const pieces: { text: string; trained: boolean }[] = [];
      let at = 0;
      for (const i of trained) {
        const before = context(messages.slice(0, i));
        const through = full(messages.slice(0, i + 1));
        const where = `${rowName(row.at)}: messages[${i}] (assistant)`;
        const reasoning = reasoningOf(row.messages[i]!);
        if (reasoning !== '' && !through.slice(commonPrefix(before, through)).includes(reasoning)) {
          throw new RowError(
            `${where}: the chat template drops the reasoning (<think>…</think>) of the turn being trained, so the ` +
              'model would learn to answer without thinking (trl#6361, DeepSeek-R1#633); use a template that keeps ' +
              'the reasoning of the last assistant turn (chat_template_path), or put the reasoning in the content',
          );
        }
        if (!through.startsWith(before)) {
          throw new RowError(
            `${where}: the chat template renders this turn so that it does not continue its own generation prompt ` +
              `(${JSON.stringify(before.slice(-40))}); fix the template or pass chat_template_path`,
          );
        }
        const turn = through.slice(before.length);
        if (!text.startsWith(through)) {
          throw new RowError(
            `${where}: the chat template renders this turn differently once later messages follow (e.g. it strips ` +
              'the reasoning of earlier assistant turns), so it cannot be trained in place; split the conversation ' +
              'into one row per assistant turn',
          );
        }
        const end = before.length + turn.trimEnd().length;
        pieces.push({ text: text.slice(at, before.length), trained: false });
        pieces.push({ text: text.slice(before.length, end), trained: true });
        at = end;
      }
      pieces.push({ text: text.slice(at), trained: false });
      if (!pieces.some((p) => p.trained && p.text !== '')) {
        throw new RowError(`${rowName(row.at)}: the row has no trainable token (the assistant turns render empty)`);
      }
      return pieces;
    },
  };
}

/** Length of the longest common prefix of two strings. */
function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
