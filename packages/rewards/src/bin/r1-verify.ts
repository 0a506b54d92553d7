#!/usr/bin/env node
/**
 * r1-verify: checks math answers from JSONL, one result line per input line, in order.
 *
 *   r1-verify --input cases.jsonl > results.jsonl
 *   cat cases.jsonl | r1-verify
 *
 * Input lines: {"id"?, "gold", "pred", "options"?}. `options` takes this library's names or Math-Verify's
 * (match_types, precision, strict, latex_boxed_match_priority, allow_set_relation_comp, string_config).
 * Output lines: {"id", "correct", "extracted", "reason"}; a malformed line gives
 * {"id", "correct": false, "extracted": null, "reason": "line N: …", "error": "line N: …"}; the rest still run.
 * Streams line by line (constant memory). Exit code 0 unless the input file cannot be read (2) or the
 * arguments are wrong (64).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { DEFAULT_VERIFY_OPTIONS, fromMathVerifyOptions, type VerifyOptions } from '../verify/config';
import { mathVerifyResolved } from '../verify/math-verify';

const USAGE = `usage: r1-verify [--input FILE]
Reads JSONL lines {"id"?, "gold", "pred", "options"?} from FILE or stdin and writes one JSON line per
input line: {"id", "correct", "extracted", "reason"}.`;

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

interface OutLine {
  id: unknown;
  correct: boolean;
  extracted: string | null;
  reason?: string;
  error?: string;
}

/** Options objects repeat across lines; resolve each distinct one once. */
class OptionsCache {
  private readonly cache = new Map<string, VerifyOptions>();

  get(raw: unknown): VerifyOptions {
    if (raw === undefined || raw === null) return DEFAULT_VERIFY_OPTIONS;
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error('"options" must be a JSON object');
    const key = JSON.stringify(raw);
    let o = this.cache.get(key);
    if (o === undefined) {
      o = fromMathVerifyOptions(raw as Record<string, unknown>);
      if (this.cache.size > 256) this.cache.clear();
      this.cache.set(key, o);
    }
    return o;
  }
}

/** Verifies one input line; never throws. */
export function verifyLine(line: string, lineNo: number, options: OptionsCache): OutLine {
  let id: unknown = null;
  try {
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new Error(`invalid JSON (${(e as Error).message})`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
      throw new Error('expected a JSON object {"gold", "pred"}');
    const rec = obj as Record<string, unknown>;
    id = rec.id ?? null;
    if (typeof rec.gold !== 'string') throw new Error('field "gold" must be a string');
    if (typeof rec.pred !== 'string') throw new Error('field "pred" must be a string');
    const o = options.get(rec.options);
    const r = mathVerifyResolved(rec.gold, rec.pred, o);
    return { id, correct: r.correct, extracted: r.extracted, reason: r.reason };
  } catch (e) {
    const error = `line ${lineNo}: ${(e as Error).message}`;
    return { id, correct: false, extracted: null, reason: error, error };
  }
}

function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(text)) resolve();
    else out.once('drain', resolve);
  });
}

/** Runs the CLI on the given streams; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let inputPath: string | null = null;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--input' || a === '-i') {
      const v = argv[++k];
      if (v === undefined) {
        io.stderr.write(`r1-verify: --input needs a file path\n${USAGE}\n`);
        return 64;
      }
      inputPath = v;
    } else if (a?.startsWith('--input=')) inputPath = a.slice(8);
    else if (a === '--help' || a === '-h') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    } else {
      io.stderr.write(`r1-verify: unknown argument '${a}'\n${USAGE}\n`);
      return 64;
    }
  }
  let input: Readable = io.stdin;
  if (inputPath !== null) {
    const stream = createReadStream(inputPath);
    const opened = await new Promise<Error | null>((resolve) => {
      stream.once('open', () => resolve(null));
      stream.once('error', (e) => resolve(e));
    });
    if (opened !== null) {
      io.stderr.write(`r1-verify: cannot read input file '${inputPath}': ${opened.message}\n`);
      return 2;
    }
    input = stream;
  }
  const options = new OptionsCache();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      await write(io.stdout, `${JSON.stringify(verifyLine(line, lineNo, options))}\n`);
    }
  } catch (e) {
    io.stderr.write(`r1-verify: reading input failed after line ${lineNo}: ${(e as Error).message}\n`);
    return 2;
  }
  return 0;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
