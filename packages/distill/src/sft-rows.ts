/**
 * Reading SFT data in TRL's dataset formats from JSONL or Parquet (through @r1/tasks' streaming readers):
 * - conversational: `{"messages": [{"role", "content", "reasoning_content"?}, …]}`;
 * - prompt/completion: `{"prompt": "…", "completion": "…"}`, or conversational `{"prompt": [messages],
 *   "completion": [messages]}` (only the completion's assistant turns are trained);
 * - language modelling: `{"text": "…"}` (the field is `dataset_text_field`).
 * The format is decided per row, in that order. Other top-level fields (`problem_id`, `reward`, … as
 * `r1-train sample` writes) are ignored. A bad row is a DatasetError naming the file, the line (JSONL) or row
 * (Parquet) and the field. Nothing here tokenizes or renders templates (see `tokenize-row.ts`).
 */
import { DatasetError, streamMapped } from '@r1/tasks';
import type { ChatMessage, ChatRole } from '@r1/templates';

/** Where a row came from: `file:line` for JSONL (1-based), `file row N` for Parquet (0-based). */
export interface RowLocation {
  file: string;
  line?: number;
  row?: number;
}

export type SftRow =
  | {
      format: 'messages';
      messages: ChatMessage[];
      /** Index of the first message whose assistant turns are trained (0, or the prompt's length). */
      trainFrom: number;
      at: RowLocation;
    }
  | { format: 'prompt-completion'; prompt: string; completion: string; at: RowLocation }
  | { format: 'text'; text: string; at: RowLocation };

export type SftRowFormat = SftRow['format'];

export interface ReadSftRowsOptions {
  /** Field of language-modelling rows. Default 'text'. */
  textField?: string;
  /** Override the format the file extension implies. */
  fileFormat?: 'jsonl' | 'parquet';
}

/** `file:line` / `file row N`, as errors print it. */
export function rowName(at: RowLocation): string {
  return at.line !== undefined ? `${at.file}:${at.line}` : at.row !== undefined ? `${at.file} row ${at.row}` : at.file;
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

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
}

function readMessages(value: unknown, field: string, at: RowLocation): ChatMessage[] {
  if (!Array.isArray(value)) {
    fail(at, 'wrong-type', field, `expected a list of {role, content}, got ${typeName(value)}`);
  }
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
    const out: ChatMessage = { role: message.role as ChatRole, content: message.content };
    const reasoning = message.reasoning_content;
    if (reasoning !== undefined && reasoning !== null) {
      if (typeof reasoning !== 'string') {
        fail(at, 'wrong-type', `${where}.reasoning_content`, `expected a string, got ${typeName(reasoning)}`);
      }
      out.reasoning_content = reasoning;
    }
    return out;
  });
}

/** One raw record → an SftRow (throws DatasetError for a bad one). */
export function parseSftRow(value: unknown, at: RowLocation, textField = 'text'): SftRow {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(at, 'not-an-object', undefined, `expected a JSON object per row, got ${typeName(value)}`);
  }
  const r = value as Record<string, unknown>;
  if (r.messages !== undefined && r.messages !== null) {
    return { format: 'messages', messages: readMessages(r.messages, 'messages', at), trainFrom: 0, at };
  }
  const hasPrompt = r.prompt !== undefined && r.prompt !== null;
  const hasCompletion = r.completion !== undefined && r.completion !== null;
  if (hasPrompt || hasCompletion) {
    if (!hasCompletion) fail(at, 'missing-field', 'completion', 'missing next to "prompt"', 'Add the completion');
    if (!hasPrompt) fail(at, 'missing-field', 'prompt', 'missing next to "completion"', 'Add the prompt');
    if (Array.isArray(r.prompt) || Array.isArray(r.completion)) {
      const prompt = readMessages(r.prompt, 'prompt', at);
      const completion = readMessages(r.completion, 'completion', at);
      return { format: 'messages', messages: [...prompt, ...completion], trainFrom: prompt.length, at };
    }
    for (const field of ['prompt', 'completion'] as const) {
      if (typeof r[field] !== 'string') fail(at, 'wrong-type', field, `expected a string, got ${typeName(r[field])}`);
    }
    if (r.completion === '') fail(at, 'empty-field', 'completion', 'is empty', 'Drop the row or fill it');
    return { format: 'prompt-completion', prompt: r.prompt as string, completion: r.completion as string, at };
  }
  const text = r[textField];
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') fail(at, 'wrong-type', textField, `expected a string, got ${typeName(text)}`);
    if (text === '') fail(at, 'empty-field', textField, 'is empty', 'Drop the row or fill it');
    return { format: 'text', text, at };
  }
  const present = Object.keys(r);
  return fail(
    at,
    'missing-field',
    'messages',
    `no "messages", "prompt"/"completion" or "${textField}" field; fields present: ${present.length > 0 ? present.join(', ') : '(none)'}`,
    "Use one of TRL's formats, or set dataset_text_field",
  );
}

/** Reads every row of a JSONL (`.jsonl`, `.ndjson`, `.gz`) or Parquet file; the first bad row throws. */
export async function readSftRows(file: string, options: ReadSftRowsOptions = {}): Promise<SftRow[]> {
  const textField = options.textField ?? 'text';
  const stream = streamMapped(file, options.fileFormat ? { format: options.fileFormat } : {}, (value, at) =>
    parseSftRow(value, at, textField),
  );
  const rows: SftRow[] = [];
  for await (const row of stream) rows.push(row);
  if (rows.length === 0) throw new Error(`${file}: no rows; an SFT dataset needs at least one`);
  return rows;
}
