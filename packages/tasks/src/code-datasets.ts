/**
 * Code problems with test cases, from the four layouts the field uses, each streamed from JSONL or Parquet through
 * the same streaming and bad-record policy as every loader here (`streamMapped`):
 *
 * - `apps` — APPS / TACO: `question`, `input_output` (a JSON string `{inputs, outputs, fn_name?}`), `starter_code`,
 *   `problem_id`.
 * - `code_contests` — deepmind/code_contests: `description`, `public_tests` / `private_tests` / `generated_tests`
 *   (`{input: [], output: []}`), `time_limit` (`{seconds, nanos}`), `memory_limit_bytes`, `name`.
 * - `codeforces` — open-r1/codeforces: `official_tests: [{input, output}]`, `time_limit` (seconds), `memory_limit`
 *   (MB), and the statement in `prompt` or in `description` / `input_format` / `output_format`.
 * - `livecodebench` — code_generation_lite: `question_content`, `public_test_cases` (a JSON string of
 *   `[{input, output, testtype}]`, `functional` tests taking one JSON argument per line), `private_test_cases` when it
 *   is plain JSON (the released files compress it with zlib + pickle, which is skipped and counted in
 *   `meta.privateTestsSkipped`), `metadata.func_name`, `starter_code`.
 *
 * Each record's `meta.tests` is what `@r1/sandbox`'s `judge` takes (`{inputs, outputs}` or APPS's
 * `{fn_name, inputs, outputs}`); `meta.publicTests` are the tests a prompt may show. Deliberately not here: running
 * anything, and any network access (download the files first).
 */
import { type DatasetOptions, type DatasetStats, type DatasetStream, streamMapped } from './dataset';
import {
  asRecord,
  type DatasetRecord,
  type DatasetRecordMeta,
  fail,
  missingField,
  type RecordLocation,
  recordId,
} from './field-mapping';
import { checkOneOf, describe, rejectUnknownKeys } from './resolve';

export const CODE_FORMATS = ['apps', 'code_contests', 'codeforces', 'livecodebench'] as const;
export type CodeFormat = (typeof CODE_FORMATS)[number];

/** stdin/stdout tests, or call-based tests (APPS layout). The shape `@r1/sandbox`'s `judge` takes. */
export type CodeTestCases =
  | { inputs: string[]; outputs: string[] }
  | { fn_name: string; inputs: unknown[][]; outputs: unknown[] };

export type CodeRecordMeta = DatasetRecordMeta & {
  codeFormat: CodeFormat;
  /** Every test the file gives (public, private and generated). */
  tests: CodeTestCases;
  /** The tests a prompt may show (examples); the same as `tests` when a layout does not separate them. */
  publicTests: CodeTestCases;
  /** The problem's own limits, when the layout has them. */
  timeLimitSeconds?: number;
  memoryLimitMb?: number;
  starterCode?: string;
  /** LiveCodeBench: private tests were present but not plain JSON (zlib + pickle), so they are not in `tests`. */
  privateTestsSkipped?: boolean;
};

/** A code problem; `meta.tests` go to the judge. */
export type CodeRecord = DatasetRecord & { meta: CodeRecordMeta };

export interface CodeDatasetOptions extends Omit<DatasetOptions, 'fields'> {
  /** Which layout the file has. */
  codeFormat: CodeFormat;
}

const OPTION_KEYS = ['codeFormat', 'format', 'onBadRecord', 'limit', 'compressors'] as const;

type Raw = Record<string, unknown>;

function required(record: Raw, name: string, at: RecordLocation): unknown {
  const v = record[name];
  return v === undefined || v === null ? missingField(record, name, at, "codeFormat: 'apps'") : v;
}

function text(record: Raw, name: string, at: RecordLocation): string {
  const v = required(record, name, at);
  if (typeof v !== 'string') return fail(at, 'wrong-type', name, `expected a string, got ${describe(v)}`);
  if (v.trim() === '') return fail(at, 'empty-field', name, 'is an empty string');
  return v;
}

function optionalText(record: Raw, name: string): string | undefined {
  const v = record[name];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** A JSON value given as a JSON string (APPS, LiveCodeBench) or already parsed (Parquet structs). */
function jsonField(record: Raw, name: string, at: RecordLocation): unknown {
  const v = required(record, name, at);
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch (error) {
    return fail(
      at,
      'wrong-type',
      name,
      `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

const list = (v: unknown): unknown[] | null =>
  Array.isArray(v) ? v : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<unknown>) : null;

function strings(v: unknown, name: string, at: RecordLocation): string[] {
  const l = list(v);
  if (l === null || !l.every((x) => typeof x === 'string')) {
    return fail(at, 'wrong-type', name, `expected a list of strings, got ${describe(v)}`);
  }
  return l as string[];
}

function nonEmpty(tests: CodeTestCases, name: string, at: RecordLocation): CodeTestCases {
  if (tests.inputs.length === 0) return fail(at, 'empty-field', name, 'has no test cases', "Pass onBadRecord: 'skip'");
  if (tests.inputs.length !== tests.outputs.length) {
    return fail(at, 'wrong-type', name, `has ${tests.inputs.length} inputs but ${tests.outputs.length} outputs`);
  }
  return tests;
}

function promptWithStarter(statement: string, starter: string | undefined): string {
  if (starter === undefined) return statement;
  return `${statement}\n\nComplete this starter code:\n\`\`\`python\n${starter.trimEnd()}\n\`\`\``;
}

function meta(at: RecordLocation, extra: Raw, fields: Omit<CodeRecordMeta, 'file' | 'extra'>): CodeRecordMeta {
  const m: CodeRecordMeta = { file: at.file, extra, ...fields };
  if (at.line !== undefined) m.line = at.line;
  if (at.row !== undefined) m.row = at.row;
  return m;
}

function extraOf(record: Raw, used: readonly string[]): Raw {
  const extra: Raw = {};
  for (const k in record) if (!used.includes(k)) extra[k] = record[k];
  return extra;
}

function idOf(record: Raw, candidates: readonly string[], at: RecordLocation): string {
  const field = candidates.find((c) => record[c] !== undefined && record[c] !== null) ?? null;
  return recordId(record, field, at);
}

function mapApps(record: Raw, at: RecordLocation): CodeRecord {
  const statement = text(record, 'question', at);
  const io = jsonField(record, 'input_output', at);
  if (io === null || typeof io !== 'object') {
    return fail(at, 'wrong-type', 'input_output', `expected {inputs, outputs}, got ${describe(io)}`);
  }
  const o = io as Raw;
  const inputs = list(o.inputs);
  const outputs = list(o.outputs);
  if (inputs === null || outputs === null) {
    return fail(at, 'wrong-type', 'input_output', 'expected inputs and outputs lists');
  }
  let tests: CodeTestCases;
  if (typeof o.fn_name === 'string' && o.fn_name !== '') {
    if (!inputs.every(Array.isArray)) {
      return fail(at, 'wrong-type', 'input_output', 'call-based inputs must be argument lists');
    }
    tests = { fn_name: o.fn_name, inputs: inputs as unknown[][], outputs };
  } else {
    // APPS stores some stdin inputs and outputs as lists of lines.
    const joined = (xs: unknown[]) => xs.map((x) => (Array.isArray(x) ? x.join('\n') : x));
    tests = {
      inputs: strings(joined(inputs), 'input_output.inputs', at),
      outputs: strings(joined(outputs), 'input_output.outputs', at),
    };
  }
  nonEmpty(tests, 'input_output', at);
  const starterCode = optionalText(record, 'starter_code');
  const used = ['question', 'input_output', 'starter_code', 'problem_id', 'id'];
  const m = meta(at, extraOf(record, used), { codeFormat: 'apps', tests, publicTests: tests });
  if (starterCode !== undefined) m.starterCode = starterCode;
  return { id: idOf(record, ['problem_id', 'id'], at), prompt: promptWithStarter(statement, starterCode), meta: m };
}

function contestTests(record: Raw, name: string, at: RecordLocation): { inputs: string[]; outputs: string[] } {
  const v = record[name];
  if (v === undefined || v === null) return { inputs: [], outputs: [] };
  const o = typeof v === 'string' ? jsonField(record, name, at) : v;
  if (o === null || typeof o !== 'object')
    return fail(at, 'wrong-type', name, `expected {input, output}, got ${describe(o)}`);
  const t = o as Raw;
  return {
    inputs: strings(t.input ?? [], `${name}.input`, at),
    outputs: strings(t.output ?? [], `${name}.output`, at),
  };
}

function mapCodeContests(record: Raw, at: RecordLocation): CodeRecord {
  const statement = text(record, 'description', at);
  const pub = contestTests(record, 'public_tests', at);
  const parts = [pub, contestTests(record, 'private_tests', at), contestTests(record, 'generated_tests', at)];
  const tests = nonEmpty(
    { inputs: parts.flatMap((p) => p.inputs), outputs: parts.flatMap((p) => p.outputs) },
    'public_tests/private_tests/generated_tests',
    at,
  );
  const used = ['description', 'public_tests', 'private_tests', 'generated_tests', 'name'];
  const m = meta(at, extraOf(record, used), { codeFormat: 'code_contests', tests, publicTests: pub });
  const tl = record.time_limit as Raw | null | undefined;
  if (tl && typeof tl === 'object') {
    const seconds = Number(tl.seconds ?? 0) + Number(tl.nanos ?? 0) / 1e9;
    if (Number.isFinite(seconds) && seconds > 0) m.timeLimitSeconds = seconds;
  }
  const bytes = Number(record.memory_limit_bytes);
  if (Number.isFinite(bytes) && bytes > 0) m.memoryLimitMb = Math.round(bytes / (1024 * 1024));
  return { id: idOf(record, ['name'], at), prompt: statement, meta: m };
}

function mapCodeforces(record: Raw, at: RecordLocation): CodeRecord {
  const prompt =
    optionalText(record, 'prompt') ??
    [
      optionalText(record, 'title'),
      text(record, 'description', at),
      optionalText(record, 'input_format') && `Input\n${record.input_format as string}`,
      optionalText(record, 'output_format') && `Output\n${record.output_format as string}`,
      optionalText(record, 'note') && `Note\n${record.note as string}`,
    ]
      .filter(Boolean)
      .join('\n\n');
  const official = list(required(record, 'official_tests', at));
  if (official === null) return fail(at, 'wrong-type', 'official_tests', 'expected a list of {input, output}');
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const [i, t] of official.entries()) {
    const o = t as Raw | null;
    if (!o || typeof o.input !== 'string' || typeof o.output !== 'string') {
      return fail(at, 'wrong-type', 'official_tests', `test ${i} is ${describe(t)}; expected {input, output} strings`);
    }
    inputs.push(o.input);
    outputs.push(o.output);
  }
  const tests = nonEmpty({ inputs, outputs }, 'official_tests', at);
  const examples = list(record.examples);
  const publicTests =
    examples?.every((e) => e && typeof (e as Raw).input === 'string' && typeof (e as Raw).output === 'string') &&
    examples.length > 0
      ? {
          inputs: examples.map((e) => (e as Raw).input as string),
          outputs: examples.map((e) => (e as Raw).output as string),
        }
      : tests;
  const used = ['prompt', 'title', 'description', 'input_format', 'output_format', 'note', 'official_tests', 'id'];
  const m = meta(at, extraOf(record, used), { codeFormat: 'codeforces', tests, publicTests });
  const seconds = Number(record.time_limit);
  if (Number.isFinite(seconds) && seconds > 0) m.timeLimitSeconds = seconds;
  const mb = Number(record.memory_limit);
  if (Number.isFinite(mb) && mb > 0) m.memoryLimitMb = mb;
  return { id: idOf(record, ['id'], at), prompt, meta: m };
}

interface LcbCase {
  input: string;
  output: string;
  testtype: string;
}

function lcbCases(v: unknown, name: string, at: RecordLocation): LcbCase[] {
  const l = list(v);
  if (l === null) return fail(at, 'wrong-type', name, `expected a list of test cases, got ${describe(v)}`);
  return l.map((c, i) => {
    const o = c as Raw | null;
    if (!o || typeof o.input !== 'string' || typeof o.output !== 'string') {
      return fail(at, 'wrong-type', name, `case ${i} is ${describe(c)}; expected {input, output, testtype}`);
    }
    return { input: o.input, output: o.output, testtype: String(o.testtype ?? 'stdin') };
  });
}

function lcbTests(cases: LcbCase[], fnName: string | undefined, at: RecordLocation): CodeTestCases {
  if (cases.some((c) => c.testtype === 'functional')) {
    if (fnName === undefined) return fail(at, 'missing-field', 'metadata', 'functional tests need metadata.func_name');
    const parse = (s: string, what: string) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return fail(
          at,
          'wrong-type',
          'public_test_cases',
          `a functional ${what} is not JSON: ${describe(s.slice(0, 60))}`,
        );
      }
    };
    return {
      fn_name: fnName,
      inputs: cases.map((c) =>
        c.input
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => parse(l, 'input')),
      ),
      outputs: cases.map((c) => parse(c.output, 'output')),
    };
  }
  return { inputs: cases.map((c) => c.input), outputs: cases.map((c) => c.output) };
}

function mapLiveCodeBench(record: Raw, at: RecordLocation): CodeRecord {
  const statement = text(record, 'question_content', at);
  const publicCases = lcbCases(jsonField(record, 'public_test_cases', at), 'public_test_cases', at);
  let privateCases: LcbCase[] = [];
  let privateTestsSkipped = false;
  const rawPrivate = record.private_test_cases;
  if (typeof rawPrivate === 'string' && rawPrivate.trim() !== '') {
    try {
      privateCases = lcbCases(JSON.parse(rawPrivate), 'private_test_cases', at);
    } catch {
      privateTestsSkipped = true; // zlib + pickle + base64, as the released files have it
    }
  } else if (Array.isArray(rawPrivate)) {
    privateCases = lcbCases(rawPrivate, 'private_test_cases', at);
  }
  let fnName: string | undefined;
  const rawMeta = record.metadata;
  try {
    const md = (typeof rawMeta === 'string' ? JSON.parse(rawMeta) : rawMeta) as Raw | null;
    if (md && typeof md.func_name === 'string') fnName = md.func_name;
  } catch {}
  const publicTests = nonEmpty(lcbTests(publicCases, fnName, at), 'public_test_cases', at);
  const tests = lcbTests([...publicCases, ...privateCases], fnName, at);
  const starterCode = optionalText(record, 'starter_code');
  const used = [
    'question_content',
    'public_test_cases',
    'private_test_cases',
    'metadata',
    'starter_code',
    'question_id',
  ];
  const m = meta(at, extraOf(record, used), { codeFormat: 'livecodebench', tests, publicTests });
  if (starterCode !== undefined) m.starterCode = starterCode;
  if (privateTestsSkipped) m.privateTestsSkipped = true;
  return { id: idOf(record, ['question_id'], at), prompt: promptWithStarter(statement, starterCode), meta: m };
}

function mapCode(value: unknown, format: CodeFormat, at: RecordLocation): CodeRecord {
  const record = asRecord(value, at);
  switch (format) {
    case 'apps':
      return mapApps(record, at);
    case 'code_contests':
      return mapCodeContests(record, at);
    case 'codeforces':
      return mapCodeforces(record, at);
    case 'livecodebench':
      return mapLiveCodeBench(record, at);
    default: {
      const never: never = format;
      throw new TypeError(`unknown codeFormat ${String(never)}`);
    }
  }
}

/**
 * Streams code problems with their tests from a JSONL or Parquet file (see the module comment).
 *
 * @example
 * for await (const p of streamCodeDataset('apps-test.jsonl', { codeFormat: 'apps' })) {
 *   const verdict = await judge(extractCode(completion), p.meta.tests);
 * }
 */
export function streamCodeDataset(file: string, options: CodeDatasetOptions): DatasetStream<CodeRecord> {
  rejectUnknownKeys(options, OPTION_KEYS, 'code dataset option');
  const format = checkOneOf('codeFormat', options.codeFormat, CODE_FORMATS);
  return streamMapped(file, options, (value, at) => mapCode(value, format, at));
}

/** Loads every code problem of a file into memory. */
export async function loadCodeDataset(
  file: string,
  options: CodeDatasetOptions,
): Promise<{ records: CodeRecord[]; stats: DatasetStats }> {
  const stream = streamCodeDataset(file, options);
  const records: CodeRecord[] = [];
  for await (const record of stream) records.push(record);
  return { records, stats: stream.stats };
}
