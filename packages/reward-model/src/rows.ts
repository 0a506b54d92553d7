/**
 * Reward-model data in TRL's formats, from JSONL or Parquet (through @r1/tasks' streaming readers, as @r1/distill's
 * SFT rows):
 * - preference: `{prompt, chosen, rejected, margin?}`, plain text (strings) or conversational (`prompt` a list of
 *   `{role, content}`, `chosen` / `rejected` one assistant message each, as lists); or TRL's implicit prompt, with
 *   no `prompt` and `chosen` / `rejected` whole conversations whose shared prefix is the prompt;
 * - pointwise (the harmlessness classifier): `{prompt, completion, label}`, label 1 / true = good (safe), 0 / false
 *   = bad, TRL's unpaired-preference convention.
 * Other fields are ignored. A bad row is a DatasetError naming the file, the line (JSONL) or row (Parquet) and the
 * field. Nothing here renders templates or tokenizes (see encode.ts).
 */
import type { RowLocation } from '@r1/distill';
import { DatasetError, streamMapped } from '@r1/tasks';
import type { ChatMessage, ChatRole } from '@r1/templates';

/** A prompt as given: plain text, or messages to render with the chat template. */
export type RowPrompt = { kind: 'text'; text: string } | { kind: 'messages'; messages: ChatMessage[] };

export interface PreferenceRow {
  prompt: RowPrompt;
  /** The preferred response (assistant content). */
  chosen: string;
  rejected: string;
  /** TRL's `margin`: how much better chosen is; 0 when absent. */
  margin: number;
  at: RowLocation;
}

export interface PointwiseRow {
  prompt: RowPrompt;
  completion: string;
  /** 1 = good (safe), 0 = bad. */
  label: 0 | 1;
  at: RowLocation;
}

const ROLES: readonly ChatRole[] = ['system', 'user', 'assistant', 'tool'];

function fail(
  at: RowLocation,
  kind: DatasetError['kind'],
  field: string | undefined,
  detail: string,
  fix?: string,
): never {
  throw new DatasetError({ kind, file: at.file, line: at.line, row: at.row, field, detail, ...(fix ? { fix } : {}) });
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);
const present = (v: unknown) => v !== undefined && v !== null;

function asObject(value: unknown, at: RowLocation): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(at, 'not-an-object', undefined, `expected a JSON object per row, got ${typeName(value)}`);
  }
  return value as Record<string, unknown>;
}

function readMessages(value: unknown, field: string, at: RowLocation): ChatMessage[] {
  if (!Array.isArray(value))
    fail(at, 'wrong-type', field, `expected a list of {role, content}, got ${typeName(value)}`);
  if (value.length === 0) fail(at, 'empty-field', field, 'is an empty conversation', 'Give at least one message');
  return value.map((m, i) => {
    const where = `${field}[${i}]`;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) {
      fail(at, 'wrong-type', where, `expected an object {role, content}, got ${typeName(m)}`);
    }
    const message = m as Record<string, unknown>;
    if (!ROLES.includes(message.role as ChatRole)) {
      fail(at, 'wrong-type', `${where}.role`, `is ${JSON.stringify(message.role)}`, `Use one of ${ROLES.join(', ')}`);
    }
    if (typeof message.content !== 'string') {
      fail(at, 'wrong-type', `${where}.content`, `expected a string, got ${typeName(message.content)}`);
    }
    return { role: message.role as ChatRole, content: message.content };
  });
}

/** A response field: a string, or a list holding exactly one assistant message. */
function readResponse(value: unknown, field: string, at: RowLocation): string {
  if (!present(value)) fail(at, 'missing-field', field, 'missing', `Every row needs "${field}"`);
  if (typeof value === 'string') return value;
  const messages = readMessages(value, field, at);
  if (messages.length !== 1 || messages[0]!.role !== 'assistant') {
    fail(
      at,
      'wrong-type',
      field,
      `expected one assistant message, got roles ${messages.map((m) => m.role).join(', ')}`,
      'Put the conversation so far in "prompt" and only the reply here',
    );
  }
  return messages[0]!.content;
}

function readPrompt(value: unknown, at: RowLocation): RowPrompt {
  if (typeof value === 'string') return { kind: 'text', text: value };
  return { kind: 'messages', messages: readMessages(value, 'prompt', at) };
}

/** TRL's implicit prompt: chosen and rejected are whole conversations; the shared prefix is the prompt. */
function splitImplicit(
  r: Record<string, unknown>,
  at: RowLocation,
): Pick<PreferenceRow, 'prompt' | 'chosen' | 'rejected'> {
  const chosen = readMessages(r.chosen, 'chosen', at);
  const rejected = readMessages(r.rejected, 'rejected', at);
  let shared = 0;
  while (
    shared < chosen.length - 1 &&
    shared < rejected.length - 1 &&
    chosen[shared]!.role === rejected[shared]!.role &&
    chosen[shared]!.content === rejected[shared]!.content
  ) {
    shared++;
  }
  const tail = (list: ChatMessage[], field: string) => {
    const rest = list.slice(shared);
    if (rest.length !== 1 || rest[0]!.role !== 'assistant') {
      fail(
        at,
        'wrong-type',
        field,
        'after the prompt shared with the other response, expected one assistant message',
        'Or give "prompt" explicitly',
      );
    }
    return rest[0]!.content;
  };
  if (shared === 0)
    fail(at, 'missing-field', 'prompt', 'missing, and chosen/rejected share no prompt turns', 'Add "prompt"');
  return {
    prompt: { kind: 'messages', messages: chosen.slice(0, shared) },
    chosen: tail(chosen, 'chosen'),
    rejected: tail(rejected, 'rejected'),
  };
}

/** One raw record → a PreferenceRow (throws DatasetError for a bad one). */
export function parsePreferenceRow(value: unknown, at: RowLocation): PreferenceRow {
  const r = asObject(value, at);
  for (const field of ['chosen', 'rejected'] as const) {
    if (!present(r[field]))
      fail(
        at,
        'missing-field',
        field,
        `missing; fields present: ${Object.keys(r).join(', ') || '(none)'}`,
        'Preference rows are {prompt, chosen, rejected, margin?}',
      );
  }
  let margin = 0;
  if (present(r.margin)) {
    if (typeof r.margin !== 'number' || !Number.isFinite(r.margin)) {
      fail(at, 'wrong-type', 'margin', `expected a finite number, got ${JSON.stringify(r.margin)}`);
    }
    margin = r.margin;
  }
  if (!present(r.prompt)) {
    if (typeof r.chosen === 'string' || typeof r.rejected === 'string') {
      fail(
        at,
        'missing-field',
        'prompt',
        'missing next to plain-text responses',
        'Add the prompt ("" if there is none)',
      );
    }
    return { ...splitImplicit(r, at), margin, at };
  }
  return {
    prompt: readPrompt(r.prompt, at),
    chosen: readResponse(r.chosen, 'chosen', at),
    rejected: readResponse(r.rejected, 'rejected', at),
    margin,
    at,
  };
}

/** One raw record → a PointwiseRow (throws DatasetError for a bad one). */
export function parsePointwiseRow(value: unknown, at: RowLocation): PointwiseRow {
  const r = asObject(value, at);
  if (!present(r.prompt))
    fail(at, 'missing-field', 'prompt', 'missing', 'Pointwise rows are {prompt, completion, label}');
  const label = r.label;
  if (!present(label)) fail(at, 'missing-field', 'label', 'missing', 'Give 1 / true (good, safe) or 0 / false (bad)');
  if (!(label === 0 || label === 1 || label === true || label === false)) {
    fail(at, 'wrong-type', 'label', `expected 0, 1, true or false, got ${JSON.stringify(label)}`);
  }
  return {
    prompt: readPrompt(r.prompt, at),
    completion: readResponse(r.completion, 'completion', at),
    label: label === 1 || label === true ? 1 : 0,
    at,
  };
}

async function readAll<R>(
  file: string,
  what: string,
  parse: (v: unknown, at: RowLocation) => R,
  format?: 'jsonl' | 'parquet',
): Promise<R[]> {
  const rows: R[] = [];
  for await (const row of streamMapped(file, format ? { format } : {}, parse)) rows.push(row);
  if (rows.length === 0) throw new Error(`${file}: no rows; ${what} needs at least one`);
  return rows;
}

/** Every preference row of a JSONL (`.jsonl`, `.ndjson`, `.gz`) or Parquet file; the first bad row throws. */
export function readPreferenceRows(
  file: string,
  options: { fileFormat?: 'jsonl' | 'parquet' } = {},
): Promise<PreferenceRow[]> {
  return readAll(file, 'a preference dataset', parsePreferenceRow, options.fileFormat);
}

/** Every pointwise row of a JSONL or Parquet file; the first bad row throws. */
export function readPointwiseRows(
  file: string,
  options: { fileFormat?: 'jsonl' | 'parquet' } = {},
): Promise<PointwiseRow[]> {
  return readAll(file, 'a pointwise dataset', parsePointwiseRow, options.fileFormat);
}
