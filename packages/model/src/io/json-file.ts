/**
 * Reading and writing the small JSON files of a checkpoint (config.json, tokenizer_config.json, trainer state, …)
 * with errors that name the file and the line and column of a syntax error, instead of JSON.parse's bare position.
 * Deliberately no schema validation: each caller checks the fields it reads.
 */
import { readFile } from 'node:fs/promises';

/** Parses `text` as JSON; a syntax error names `file` with its line and column. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    if (position === undefined) throw new Error(`${file}: invalid JSON: ${message}`);
    const before = text.slice(0, Number(position));
    const line = before.split('\n').length;
    const column = Number(position) - before.lastIndexOf('\n');
    throw new Error(`${file}:${line}:${column}: invalid JSON: ${message}; fix or regenerate the file`);
  }
}

/** Reads and parses a JSON file. Missing files throw with the path and what was being read. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: missing ${what}`);
    throw new Error(`${path}: cannot read ${what}: ${(e as Error).message}`);
  }
  return parseJsonText(text, path);
}

/** Reads a JSON file that must hold an object. */
export async function readJsonObject(path: string, what: string): Promise<Record<string, unknown>> {
  const json = await readJsonFile(path, what);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${path}: ${what} must be a JSON object, got ${Array.isArray(json) ? 'an array' : String(json)}`);
  }
  return json as Record<string, unknown>;
}

/** Pretty JSON with a trailing newline, as Hugging Face writes its config files. */
export function formatJson(value: unknown, file: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (e) {
    throw new Error(`${file}: value cannot be written as JSON: ${(e as Error).message}`);
  }
  if (text === undefined) throw new Error(`${file}: value cannot be written as JSON (got ${typeof value})`);
  return `${text}\n`;
}
