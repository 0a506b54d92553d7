/**
 * Text → token ids, the same way in training and in scoring: the prompt's text (a conversational prompt rendered
 * with the checkpoint's chat template and its generation prompt; without a template a single user turn gets the
 * R1-Zero template, as @r1/distill does) and the scored part of the response (scored-text.ts) are tokenized
 * separately and laid end to end — so the prompt's tokens never depend on the response. Where the prompt already
 * opens `<think>` (a forced-think template), a response's own leading `<think>` is dropped so it is not doubled.
 * Nothing is appended (see reward-model-io.ts on pooling). Rows longer than `maxLength` are dropped and counted:
 * truncating would cut off the end of the response, which is what the model reads.
 */
import { rowName } from '@r1/distill';
import type { Tokenizer } from '@r1/model';
import { createChatRenderer, R1_ZERO_TEMPLATE, renderR1Zero, type TokenizerConfig } from '@r1/templates';
import type { PointwiseRow, PreferenceRow, RowPrompt } from './rows';
import { type ScoreMode, scoredText } from './scored-text';

const THINK_OPEN = '<think>';
const R1_ZERO_HEAD = R1_ZERO_TEMPLATE.slice(0, R1_ZERO_TEMPLATE.indexOf('{prompt}'));

/** Renders a row's prompt to the text the model is fed. `where` names the row in errors. */
export type PromptRenderer = (prompt: RowPrompt, where: string) => string;

export function createPromptRenderer(tokenizer: Tokenizer, chatTemplate: string | null): PromptRenderer {
  let render: ((messages: RowPrompt & { kind: 'messages' }) => string) | null = null;
  if (chatTemplate !== null) {
    const config = { ...(tokenizer.files.tokenizerConfig as TokenizerConfig), chat_template: chatTemplate };
    const probe = createChatRenderer(config, { addGenerationPrompt: true })([{ role: 'user', content: 'x' }]);
    const forceThink = probe.trimEnd().endsWith(THINK_OPEN);
    const renderer = createChatRenderer(config, { addGenerationPrompt: true, forceThink });
    render = (p) => renderer(p.messages);
  }
  return (prompt, where) => {
    if (prompt.kind === 'text') return prompt.text;
    if (render !== null) return render(prompt);
    const m = prompt.messages;
    if (m.length !== 1 || m[0]!.role !== 'user') {
      throw new Error(
        `${where}: the checkpoint has no chat template, so only a single user turn can be rendered (with the R1-Zero ` +
          `template); this prompt has ${m.map((x) => x.role).join(', ')}. Give a chat template or plain-text prompts`,
      );
    }
    const user = m[0]!.content;
    return user.startsWith(R1_ZERO_HEAD) ? user : renderR1Zero(user);
  };
}

/** Token ids of `prompt` (already rendered) + the `score` part of `response`. */
export function encodeScored(tokenizer: Tokenizer, prompt: string, response: string, score: ScoreMode): number[] {
  let scored = scoredText(response, score);
  if (prompt.trimEnd().endsWith(THINK_OPEN) && scored.trimStart().startsWith(THINK_OPEN)) {
    scored = scored.trimStart().slice(THINK_OPEN.length).replace(/^\n/, '');
  }
  return [...(prompt === '' ? [] : tokenizer.encode(prompt)), ...(scored === '' ? [] : tokenizer.encode(scored))];
}

export interface PreferenceExample {
  chosen: number[];
  rejected: number[];
  margin: number;
}

export interface PointwiseExample {
  ids: number[];
  label: 0 | 1;
}

export interface RowEncodeOptions {
  score: ScoreMode;
  /** The chat template for conversational prompts (null: R1-Zero for single user turns). */
  chatTemplate: string | null;
  /** Rows with more tokens than this are dropped. */
  maxLength: number;
}

export interface Encoded<E> {
  examples: E[];
  /** Rows over `maxLength`, dropped. */
  dropped: number;
}

function checkNonEmpty(ids: number[], where: string, field: string): number[] {
  if (ids.length === 0) {
    throw new Error(`${where}: field "${field}": prompt and scored response are both empty; there is nothing to score`);
  }
  return ids;
}

export function encodePreferenceRows(
  rows: readonly PreferenceRow[],
  tokenizer: Tokenizer,
  options: RowEncodeOptions,
): Encoded<PreferenceExample> {
  const render = createPromptRenderer(tokenizer, options.chatTemplate);
  const examples: PreferenceExample[] = [];
  let dropped = 0;
  for (const row of rows) {
    const where = rowName(row.at);
    const prompt = render(row.prompt, where);
    const chosen = checkNonEmpty(encodeScored(tokenizer, prompt, row.chosen, options.score), where, 'chosen');
    const rejected = checkNonEmpty(encodeScored(tokenizer, prompt, row.rejected, options.score), where, 'rejected');
    if (Math.max(chosen.length, rejected.length) > options.maxLength) dropped++;
    else examples.push({ chosen, rejected, margin: row.margin });
  }
  return { examples, dropped };
}

export function encodePointwiseRows(
  rows: readonly PointwiseRow[],
  tokenizer: Tokenizer,
  options: RowEncodeOptions,
): Encoded<PointwiseExample> {
  const render = createPromptRenderer(tokenizer, options.chatTemplate);
  const examples: PointwiseExample[] = [];
  let dropped = 0;
  for (const row of rows) {
    const where = rowName(row.at);
    const ids = checkNonEmpty(
      encodeScored(tokenizer, render(row.prompt, where), row.completion, options.score),
      where,
      'completion',
    );
    if (ids.length > options.maxLength) dropped++;
    else examples.push({ ids, label: row.label });
  }
  return { examples, dropped };
}
