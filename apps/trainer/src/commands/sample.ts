/**
 * `r1-train sample run|filter`: rejection sampling from the command line. Parses and checks the flags (names are
 * contracts shared with r1-eval), then runs the sample stage (`run`) or `filterTraces` (`filter`). Returns the exit
 * code: 0 done, 1 failed, 2 usage error; never calls process.exit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTokenizer } from '@r1/model';
import { checkQueueName, connectRedis, parseRedisUrl } from '@r1/queue';
import { type FilterOptions, filterTraces, type Manifest } from '@r1/rejection-sampling';
import { type EngineSource, type OpenedEngine, openEngine } from '../stages/open-engine';
import { runSampleStage, SAMPLE_TEMPLATES, type SampleTemplate, sampleTemplate } from '../stages/sample';
import { loadSampleProblems } from '../stages/sample-problems';
import { coordinatorEngine, DEFAULT_SAMPLE_QUEUE_NAME, type QueueTarget } from '../stages/sample-queue';

export const SAMPLE_USAGE = `usage:
  r1-train sample run (--model DIR | --endpoint URL [--endpoint URL…] [--api-model NAME] [--api-key-env VAR]) --out DIR
      problems:  --task arithmetic|countdown [--preset NAME | --task-options JSON] [--count N]
               | --data FILE [--problem-field F --answer-field F --id-field F --answer-format plain|gsm8k|boxed] [--count N]
      sampling:  [--k N (4)] [--temperature T (0.6)] [--top-p P (0.95)] [--max-tokens N] [--seed N (0)]
                 [--template r1-zero|r1|chat (r1-zero with --model, chat with --endpoint)] [--concurrency N (8)]
                 [--max-retries N (5)] [--timeout SECONDS (600)] [--return-token-ids]
      work queue: [--queue redis://HOST:PORT/DB [--queue-name NAME (r1-sample)]]  this process becomes a
                 coordinator: it enqueues the traces traces.jsonl lacks, workers (r1-eval worker --queue URL
                 --queue-name NAME with the same --model path or one of its --endpoint URLs) draw them, and it filters them as a
                 local run would (same data.jsonl). Rerun after a crash to resume: traces workers finished
                 meanwhile are taken from Redis, queued jobs are not enqueued twice. --max-retries: per job.
  r1-train sample filter --input TRACES.jsonl --out DIR [--template r1-zero|r1|chat] [--tokenizer DIR]
  filters, selection and output (both):
      [--target-language en|zh] [--min-language-share X (0.95)] [--max-paragraph-chars N (1500)] [--allow-code-blocks]
      [--max-trace-tokens N] [--select all-correct|best-n|pass-band] [--best-n N] [--pass-band LO,HI]
      [--max-per-problem N] [--dedup exact|near|none (near)] [--near-dup-threshold X (0.9)]
      [--decontaminate FILE…] [--non-reasoning FILE] [--format messages|prompt-completion] [--rejected]
  Writes OUT/data.jsonl (TRL rows), OUT/manifest.json (counts per reason) and, with --rejected, OUT/rejected.jsonl.
  A run is resumable: rerun the same command after a crash; only missing samples are drawn.`;

export class SampleUsageError extends Error {}

const OPTIONS = {
  model: { type: 'string' },
  endpoint: { type: 'string', multiple: true },
  'api-model': { type: 'string' },
  'api-key-env': { type: 'string' },
  out: { type: 'string' },
  input: { type: 'string' },
  tokenizer: { type: 'string' },
  task: { type: 'string' },
  preset: { type: 'string' },
  'task-options': { type: 'string' },
  count: { type: 'string' },
  data: { type: 'string' },
  'problem-field': { type: 'string' },
  'answer-field': { type: 'string' },
  'id-field': { type: 'string' },
  'answer-format': { type: 'string' },
  k: { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  'max-tokens': { type: 'string' },
  seed: { type: 'string' },
  template: { type: 'string' },
  concurrency: { type: 'string' },
  'max-retries': { type: 'string' },
  timeout: { type: 'string' },
  'return-token-ids': { type: 'boolean' },
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  'target-language': { type: 'string' },
  'min-language-share': { type: 'string' },
  'max-paragraph-chars': { type: 'string' },
  'allow-code-blocks': { type: 'boolean' },
  'max-trace-tokens': { type: 'string' },
  select: { type: 'string' },
  'best-n': { type: 'string' },
  'pass-band': { type: 'string' },
  'max-per-problem': { type: 'string' },
  dedup: { type: 'string' },
  'near-dup-threshold': { type: 'string' },
  decontaminate: { type: 'string', multiple: true },
  'non-reasoning': { type: 'string' },
  format: { type: 'string' },
  rejected: { type: 'boolean' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

/** `--decontaminate A B C` takes every following argument up to the next flag. */
export function expandMultiFileFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg !== '--decontaminate') {
      out.push(arg);
      continue;
    }
    let j = i + 1;
    while (j < argv.length && !argv[j]!.startsWith('--')) out.push('--decontaminate', argv[j++]!);
    if (j === i + 1) out.push(arg); // no file: let parseArgs report it
    i = j - 1;
  }
  return out;
}

function str(v: Values, name: string): string | null {
  const x = v[name];
  return typeof x === 'string' ? x : null;
}

function num(v: Values, name: string, check: (n: number) => boolean, what: string): number | null {
  const x = str(v, name);
  if (x === null) return null;
  const n = Number(x);
  if (x.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new SampleUsageError(`--${name} must be ${what}, got ${x}`);
  return n;
}
const int = (v: Values, name: string, min = 1) =>
  num(v, name, (n) => Number.isInteger(n) && n >= min, `an integer ≥ ${min}`);
const unit = (v: Values, name: string) => num(v, name, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');

function oneOf<T extends string>(v: Values, name: string, allowed: readonly T[]): T | null {
  const x = str(v, name);
  if (x === null) return null;
  if (!(allowed as readonly string[]).includes(x))
    throw new SampleUsageError(`--${name} must be one of ${allowed.join(', ')}, got ${x}`);
  return x as T;
}

/** The filter, selection and output flags shared by `run` and `filter`. */
export function filterFlags(v: Values): Partial<FilterOptions> {
  const f: Partial<FilterOptions> = {};
  const set = <K extends keyof FilterOptions>(key: K, value: FilterOptions[K] | null) => {
    if (value !== null) f[key] = value;
  };
  set('targetLanguage', oneOf(v, 'target-language', ['en', 'zh'] as const));
  set('minLanguageShare', unit(v, 'min-language-share'));
  set('maxParagraphChars', int(v, 'max-paragraph-chars'));
  if (v['allow-code-blocks'] === true) f.allowCodeBlocks = true;
  set('maxTraceTokens', int(v, 'max-trace-tokens'));
  set('select', oneOf(v, 'select', ['all-correct', 'best-n', 'pass-band'] as const));
  set('bestN', int(v, 'best-n'));
  const band = str(v, 'pass-band');
  if (band !== null) {
    const parts = band.split(',').map((x) => Number(x));
    if (parts.length !== 2 || parts.some((x) => !Number.isFinite(x) || x < 0 || x > 1) || parts[0]! > parts[1]!) {
      throw new SampleUsageError(`--pass-band must be LO,HI with 0 ≤ LO ≤ HI ≤ 1, got ${band}`);
    }
    f.passBand = [parts[0]!, parts[1]!];
  }
  if (v['best-n'] !== undefined && f.select !== 'best-n') throw new SampleUsageError('--best-n needs --select best-n');
  if (band !== null && f.select !== 'pass-band') throw new SampleUsageError('--pass-band needs --select pass-band');
  set('maxPerProblem', int(v, 'max-per-problem'));
  set('dedup', oneOf(v, 'dedup', ['exact', 'near', 'none'] as const));
  set('nearDupThreshold', unit(v, 'near-dup-threshold'));
  set('outputFormat', oneOf(v, 'format', ['messages', 'prompt-completion'] as const));
  return f;
}

function printManifest(m: Manifest, out: string, stdout: (s: string) => void): void {
  const removed = Object.entries(m.removed)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  stdout(
    `kept ${m.kept} of ${m.input} traces (${m.problems.kept}/${m.problems.input} problems)` +
      `${removed ? `; removed: ${removed}` : ''}${m.non_reasoning > 0 ? `; + ${m.non_reasoning} non-reasoning rows` : ''}\n` +
      `wrote ${out}/data.jsonl (${m.rows} rows) and ${out}/manifest.json\n`,
  );
}

export interface SampleIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

export async function sampleCommand(argv: readonly string[], io: SampleIo): Promise<number> {
  try {
    return await sampleMain(argv, io);
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof SampleUsageError) {
      io.stderr(`r1-train sample: ${message}\n${SAMPLE_USAGE}\n`);
      return 2;
    }
    io.stderr(`r1-train sample: ${message}\n`);
    return 1;
  }
}

async function sampleMain(argv: readonly string[], io: SampleIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(`${SAMPLE_USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'run' && sub !== 'filter') throw new SampleUsageError(`unknown subcommand '${sub}' (run or filter)`);
  let v: Values;
  try {
    ({ values: v } = parseArgs({ args: expandMultiFileFlags(rest), options: OPTIONS, strict: true }));
  } catch (error) {
    throw new SampleUsageError((error as Error).message);
  }
  if (v.help === true) {
    io.stdout(`${SAMPLE_USAGE}\n`);
    return 0;
  }
  const out = str(v, 'out');
  if (out === null) throw new SampleUsageError('--out DIR is required');
  const filters = filterFlags(v);
  const decontaminate = (v.decontaminate as string[] | undefined) ?? [];
  const nonReasoning = str(v, 'non-reasoning');
  const rejected = v.rejected === true;
  const shared: SharedFlags = { out, filters, decontaminate, nonReasoning, rejected };
  return sub === 'run' ? runSub(v, shared, io) : filterSub(v, shared, io);
}

/** The output, filter and mixing flags both subcommands take. */
interface SharedFlags {
  out: string;
  filters: Partial<FilterOptions>;
  decontaminate: string[];
  nonReasoning: string | null;
  rejected: boolean;
}

const RUN_ONLY = [
  'model',
  'endpoint',
  'task',
  'data',
  'k',
  'temperature',
  'top-p',
  'max-tokens',
  'concurrency',
  'queue',
  'queue-name',
];

async function filterSub(v: Values, shared: SharedFlags, io: SampleIo): Promise<number> {
  const { out, filters, decontaminate, nonReasoning, rejected } = shared;
  const input = str(v, 'input');
  if (input === null) throw new SampleUsageError('sample filter needs --input TRACES.jsonl');
  const misplaced = RUN_ONLY.filter((f) => v[f] !== undefined);
  if (misplaced.length > 0)
    throw new SampleUsageError(`--${misplaced[0]} belongs to 'sample run', not 'sample filter'`);
  const template = oneOf(v, 'template', SAMPLE_TEMPLATES) ?? 'r1-zero';
  const tokenizerDir = str(v, 'tokenizer');
  if (filters.maxTraceTokens !== undefined && tokenizerDir === null) {
    throw new SampleUsageError('--max-trace-tokens needs --tokenizer DIR (a checkpoint directory with tokenizer.json)');
  }
  const tokenizer = tokenizerDir === null ? null : await loadTokenizer(tokenizerDir);
  const manifest = await filterTraces(input, {
    out,
    filters: { format: sampleTemplate(template).format, ...filters },
    decontaminate,
    nonReasoning,
    rejected,
    ...(tokenizer === null ? {} : { countTokens: (text: string) => tokenizer.encode(text).length }),
    ...(str(v, 'seed') === null ? {} : { seed: int(v, 'seed', 0)! }),
  });
  printManifest(manifest, out, io.stdout);
  return 0;
}

async function runSub(v: Values, shared: SharedFlags, io: SampleIo): Promise<number> {
  const { out, filters, decontaminate, nonReasoning, rejected } = shared;
  const model = str(v, 'model');
  const endpoints = ((v.endpoint as string[] | undefined) ?? []).flatMap((e) => e.split(',')).filter((e) => e !== '');
  if ((model === null) === (endpoints.length === 0))
    throw new SampleUsageError('give exactly one of --model DIR and --endpoint URL');
  if (v.input !== undefined) throw new SampleUsageError("--input belongs to 'sample filter'");
  const task = oneOf(v, 'task', ['arithmetic', 'countdown'] as const);
  const data = str(v, 'data');
  if ((task === null) === (data === null))
    throw new SampleUsageError('give exactly one of --task NAME and --data FILE');
  const preset = str(v, 'preset');
  const taskOptionsText = str(v, 'task-options');
  if (task === null && (preset !== null || taskOptionsText !== null))
    throw new SampleUsageError('--preset and --task-options need --task');
  if (preset !== null && taskOptionsText !== null)
    throw new SampleUsageError('give --preset NAME or --task-options JSON, not both');
  let taskOptions: Record<string, unknown> | null = null;
  if (taskOptionsText !== null) {
    try {
      taskOptions = JSON.parse(taskOptionsText) as Record<string, unknown>;
    } catch (error) {
      throw new SampleUsageError(`--task-options is not JSON: ${(error as Error).message}`);
    }
    if (taskOptions === null || typeof taskOptions !== 'object' || Array.isArray(taskOptions)) {
      throw new SampleUsageError('--task-options must be a JSON object, e.g. \'{"minOperands": 3}\'');
    }
  }
  const fieldFlags = ['problem-field', 'answer-field', 'id-field', 'answer-format'].filter((f) => v[f] !== undefined);
  if (data === null && fieldFlags.length > 0) throw new SampleUsageError(`--${fieldFlags[0]} needs --data FILE`);
  if (model !== null && (v['api-model'] !== undefined || v['api-key-env'] !== undefined)) {
    throw new SampleUsageError('--api-model and --api-key-env are for --endpoint');
  }
  let apiKey: string | null = null;
  const keyEnv = str(v, 'api-key-env');
  if (keyEnv !== null) {
    apiKey = io.env[keyEnv] ?? null;
    if (apiKey === null || apiKey === '')
      throw new SampleUsageError(`--api-key-env ${keyEnv}: that environment variable is not set`);
  }
  const template: SampleTemplate = oneOf(v, 'template', SAMPLE_TEMPLATES) ?? (model !== null ? 'r1-zero' : 'chat');
  const k = int(v, 'k') ?? 4;
  const seed = int(v, 'seed', 0) ?? 0;
  const temperature = num(v, 'temperature', (n) => n >= 0, 'a number ≥ 0') ?? 0.6;
  const topP = num(v, 'top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]') ?? 0.95;
  const concurrency = int(v, 'concurrency') ?? 8;
  const queueUrl = str(v, 'queue');
  const queueName = str(v, 'queue-name');
  if (queueUrl === null && queueName !== null) throw new SampleUsageError('--queue-name needs --queue URL');
  if (queueUrl !== null) {
    try {
      parseRedisUrl(queueUrl, '--queue');
      checkQueueName(queueName ?? DEFAULT_SAMPLE_QUEUE_NAME, '--queue-name');
    } catch (error) {
      throw new SampleUsageError((error as Error).message);
    }
  }
  const problems = await loadSampleProblems({
    task,
    preset,
    taskOptions,
    count: int(v, 'count'),
    seed,
    data,
    problemField: str(v, 'problem-field'),
    answerField: str(v, 'answer-field'),
    idField: str(v, 'id-field'),
    answerFormat: oneOf(v, 'answer-format', ['plain', 'gsm8k', 'boxed'] as const) ?? 'plain',
  });
  const maxRetries = int(v, 'max-retries', 0) ?? 5;
  const source: EngineSource = {
    model,
    endpoints,
    apiModel: str(v, 'api-model'),
    apiKey,
    concurrency,
    maxRetries,
    timeoutSeconds: int(v, 'timeout') ?? 600,
    returnTokenIds: v['return-token-ids'] === true,
  };
  const log = (line: string) => io.stderr(`${line}\n`);
  const opened = queueUrl === null ? await openEngine(source, log) : await openCoordinator(source, queueUrl, log);
  const queue: QueueTarget | undefined =
    queueUrl === null
      ? undefined
      : {
          url: queueUrl,
          name: queueName ?? DEFAULT_SAMPLE_QUEUE_NAME,
          maxRetries,
          io: { stderr: io.stderr, stderrIsTTY: process.stderr.isTTY === true },
        };
  try {
    const maxTokens = int(v, 'max-tokens') ?? (opened.context === null ? 32_768 : Math.min(256, opened.context - 64));
    if (opened.context !== null && maxTokens >= opened.context) {
      throw new SampleUsageError(
        `--max-tokens ${maxTokens} does not fit this checkpoint's context of ${opened.context} tokens (max_position_embeddings)`,
      );
    }
    if (filters.maxTraceTokens !== undefined && opened.countTokens === null && v['return-token-ids'] !== true) {
      throw new SampleUsageError(
        '--max-trace-tokens with --endpoint needs --return-token-ids (so lengths are in tokens)',
      );
    }
    const manifest = await runSampleStage({
      out,
      problems: problems.problems,
      source: problems.source,
      engine: opened.engine,
      template,
      verifier: problems.verifier,
      k,
      params: { temperature, topP, maxNewTokens: maxTokens, seed },
      filters,
      decontaminate,
      nonReasoning,
      rejected,
      countTokens: opened.countTokens,
      batchProblems: concurrency,
      ...(queue === undefined ? {} : { queue }),
    });
    printManifest(manifest, out, io.stdout);
    return 0;
  } finally {
    await opened.close();
  }
}

/**
 * The model side of a queued run's coordinator, which generates nothing itself: the model id a local run would key
 * its traces by, the checkpoint's context (from config.json, to check --max-tokens) and tokenizer (for
 * --max-trace-tokens), without loading the weights; an endpoint is asked for its model name as in a local run.
 * Redis is checked (reachable, noeviction) before anything in --out is touched.
 */
async function openCoordinator(s: EngineSource, queueUrl: string, log: (line: string) => void): Promise<OpenedEngine> {
  let opened: OpenedEngine;
  if (s.model !== null) {
    const dir = resolve(s.model);
    const configPath = join(dir, 'config.json');
    if (!existsSync(configPath)) {
      throw new Error(`--model ${s.model}: no config.json there (give a checkpoint directory)`);
    }
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { max_position_embeddings?: number };
    const tokenizer = await loadTokenizer(dir);
    opened = {
      engine: coordinatorEngine(dir),
      context: config.max_position_embeddings ?? null,
      countTokens: (text) => tokenizer.encode(text).length,
      close: async () => {},
    };
  } else {
    const endpoint = await openEngine(s, log);
    await endpoint.close();
    opened = { ...endpoint, engine: coordinatorEngine(endpoint.engine.modelId), close: async () => {} };
  }
  (await connectRedis(queueUrl, { field: '--queue' })).disconnect();
  return opened;
}
