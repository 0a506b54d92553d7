/**
 * Non-reasoning SFT data (R1 §2.3.3: ~200k samples of writing, factual QA, translation… with no chain of thought):
 * a JSONL of chat `messages` rows, checked and mixed into data.jsonl as is. A bad row is an error naming the file,
 * line and field.
 */
import { streamMapped } from '@r1/tasks';

const ROLES = new Set(['system', 'user', 'assistant']);

function bad(file: string, line: number | undefined, field: string, detail: string): never {
  throw new Error(
    `${file}:${line ?? '?'}: field '${field}' ${detail} (expected {"messages": [{"role", "content"}, …]} ending with an assistant turn)`,
  );
}

/** Reads and validates every row of a non-reasoning messages file. */
export async function readNonReasoning(file: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const stream = streamMapped(file, {}, (value, at) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      bad(file, at.line, '(row)', 'is not a JSON object');
    const row = value as Record<string, unknown>;
    const messages = row.messages;
    if (!Array.isArray(messages) || messages.length === 0) bad(file, at.line, 'messages', 'is missing or empty');
    messages.forEach((m, i) => {
      const msg = m as Record<string, unknown> | null;
      if (msg === null || typeof msg !== 'object') bad(file, at.line, `messages[${i}]`, 'is not an object');
      if (typeof msg.role !== 'string' || !ROLES.has(msg.role))
        bad(file, at.line, `messages[${i}].role`, `is ${JSON.stringify(msg.role)}`);
      if (typeof msg.content !== 'string') bad(file, at.line, `messages[${i}].content`, 'is not a string');
    });
    if ((messages[messages.length - 1] as { role: string }).role !== 'assistant') {
      bad(file, at.line, `messages[${messages.length - 1}].role`, 'is not assistant');
    }
    return row;
  });
  for await (const row of stream) rows.push(row);
  return rows;
}
