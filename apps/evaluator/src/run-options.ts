/**
 * The options of `r1-eval run`: one interface with every field documented once, its defaults (the R1 paper's
 * sampling settings), `resolveRunOptions`, which rejects unknown keys and contradictory combinations with messages
 * that say how to fix them, and `parseRunArgs`, which turns a command line into those options.
 *
 * It does not touch the file system or the network: whether a file exists or an endpoint answers is found out when
 * the run starts.
 */
import { parseArgs } from 'node:util';
import { checkQueueName, parseRedisUrl } from '@r1/queue';
import { didYouMean, UsageError } from './usage-error';

export const TEMPLATES = ['r1-zero', 'chat', 'raw'] as const;
/** How a problem becomes a prompt: the R1-Zero text template, one chat user message, or the bare problem text. */
export type TemplateName = (typeof TEMPLATES)[number];

/** Benchmarks read from a file whose layout is built in (nothing is downloaded: pass the file with --data). */
export const FILE_BENCHMARKS = ['aime24', 'math500', 'gsm8k'] as const;
/** Benchmarks generated on the fly (test split of the @r1/tasks generators). */
export const GENERATED_BENCHMARKS = ['arithmetic', 'countdown'] as const;
export const ANSWER_FORMATS = ['plain', 'gsm8k', 'boxed'] as const;
/** Code problems from a file (`--benchmark code --data FILE --code-format F`), judged by running the program. */
export const CODE_BENCHMARK = 'code';
/** The code dataset layouts @r1/tasks reads (the same names as its CODE_FORMATS). */
export const CODE_FORMATS = ['apps', 'code_contests', 'codeforces', 'livecodebench'] as const;
export type CodeFormatName = (typeof CODE_FORMATS)[number];

/** The queue name coordinators and workers use unless given --queue-name. */
export const DEFAULT_QUEUE_NAME = 'r1-eval';

/** Checks a queue URL and name; shared by `run --queue` and `worker`. */
export function checkQueueFlags(url: string | null, name: string, command: string, nameGiven: boolean): void {
  if (url === null) {
    if (nameGiven) throw new UsageError('--queue-name applies with --queue URL only', command);
    return;
  }
  try {
    parseRedisUrl(url, '--queue');
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
  try {
    checkQueueName(name, '--queue-name');
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

export interface RunOptions {
  /** Local checkpoint directory to sample from. Give exactly one of `model` and `endpoint`. */
  model: string | null;
  /** Base URL of an OpenAI-compatible server (vLLM, SGLang, r1-serve), e.g. "http://localhost:8000/v1". */
  endpoint: string | null;
  /**
   * Every `--endpoint` given (the first is `endpoint`): a fleet of servers of one model. Requests are spread over them
   * round-robin; with --queue, each server gets its own workers. Default: `[endpoint]`.
   */
  endpoints: string[];
  /** Model name the endpoint expects. Default: the single model its /v1/models lists. Endpoint only. */
  apiModel: string | null;
  /** Name of the environment variable holding the endpoint's API key. Default: none, no key is sent. Endpoint only. */
  apiKeyEnv: string | null;
  /** Retries of a failed endpoint request (429, 5xx, connection errors) with backoff. Default 5. Endpoint only. */
  maxRetries: number;
  /** Per-request timeout of an endpoint, in seconds. Default 600 (long reasoning is slow). Endpoint only. */
  timeoutSeconds: number;
  /** Ask the endpoint for generated token ids (vLLM ≥ 0.10, r1-serve) so lengths are in tokens. Default false. */
  returnTokenIds: boolean;
  /** tfjs backend for a local model: wasm, cpu, node, node-gpu. Default: the best that loads. Local only. */
  backend: string | null;
  /**
   * What to evaluate: aime24 | math500 | gsm8k (layouts built in, file from `data`), arithmetic | countdown
   * (generated test split; countdown with `data` reads its problems from that file instead), code (problems with
   * test cases from `data` in the `codeFormat` layout, judged in a sandbox), or the path of any JSONL/Parquet file.
   * Default: `data` as a file, when given.
   */
  benchmark: string | null;
  /** The data file of aime24/math500/gsm8k/countdown, or any JSONL/Parquet file. */
  data: string | null;
  /** Countdown file: field with the list of numbers. Default 'nums' (TinyZero's layout). */
  numbersField: string | null;
  /** Countdown file: field with the target. Default 'target'. */
  targetField: string | null;
  /** For a generic file: field with the problem text. Default 'problem'. */
  problemField: string | null;
  /** For a generic file: field with the gold answer. Default 'answer'. */
  answerField: string | null;
  /** For a generic or countdown file: field with a stable id. Default: records are numbered "<file stem>-<line>". */
  idField: string | null;
  /** For a generic file: how the gold is read from the answer field (plain, gsm8k "#### N", boxed). Default plain. */
  answerFormat: (typeof ANSWER_FORMATS)[number];
  /** `--benchmark code`: the file's layout (apps, code_contests, codeforces, livecodebench). Required there. */
  codeFormat: CodeFormatName | null;
  /** `--benchmark code`: seconds per test (wall clock and CPU). Default: the problem's own limit, else 6. */
  codeTimeout: number | null;
  /** `--benchmark code`: memory per test in MiB. Default: the problem's own limit, else 1024. */
  codeMemoryMb: number | null;
  /** Evaluate only the first N problems (generators: how many to generate). Default: all; generators 100. */
  limit: number | null;
  /** Seed of the generators and of sampling. Default 0. */
  seed: number;
  /** Difficulty preset of a generator (arithmetic: tiny, easy, medium, hard; countdown: see @r1/tasks). */
  preset: string | null;
  /**
   * Explicit generator options of a generated benchmark, as JSON (e.g. `{"minOperands": 3}`), instead of a preset —
   * the same as `r1-train sample run --task-options`, so the problems a model was trained on can be evaluated on the
   * generator's test split. Default: none.
   */
  taskOptions: Record<string, unknown> | null;
  /** Samples per problem. Default 16 (the paper's k for pass@1). */
  k: number;
  /** Sampling temperature. Default 0.6 (the paper). */
  temperature: number;
  /** Nucleus sampling. Default 0.95 (the paper). */
  topP: number;
  /** Most generated tokens per sample. Default 32,768 (the paper); a small local model needs less. */
  maxTokens: number;
  /** Prompt template. Default 'chat'. */
  template: TemplateName;
  /**
   * Text appended to the problem in the chat template. Default: the R1 math directive ("Please reason step by step,
   * and put your final answer within \boxed{}.") or, for countdown, TinyZero's answer-tag instruction. '' for none.
   */
  instruction: string | null;
  /** Problems per sampler call: the local batch, or the requests in flight at an endpoint. Default 8. */
  batch: number;
  /**
   * Redis URL (`redis://HOST:PORT/DB`) of a work queue: the run becomes a coordinator that enqueues one job per
   * problem's missing samples and appends what `r1-eval worker` processes return. Default: none (sample here).
   */
  queue: string | null;
  /** Name of the queue in that Redis; the workers must use the same. Default 'r1-eval'. Queue only. */
  queueName: string;
  /** Output directory: results.jsonl (the resumable sample cache), run.json, summary.json, report.md, report.html. */
  out: string;
}

export const DEFAULT_RUN_OPTIONS: Readonly<Omit<RunOptions, 'out'>> = Object.freeze({
  model: null,
  endpoint: null,
  endpoints: [],
  apiModel: null,
  apiKeyEnv: null,
  maxRetries: 5,
  timeoutSeconds: 600,
  returnTokenIds: false,
  backend: null,
  benchmark: null,
  data: null,
  numbersField: null,
  targetField: null,
  problemField: null,
  answerField: null,
  idField: null,
  answerFormat: 'plain',
  codeFormat: null,
  codeTimeout: null,
  codeMemoryMb: null,
  limit: null,
  seed: 0,
  preset: null,
  taskOptions: null,
  k: 16,
  temperature: 0.6,
  topP: 0.95,
  maxTokens: 32_768,
  template: 'chat',
  instruction: null,
  batch: 8,
  queue: null,
  queueName: DEFAULT_QUEUE_NAME,
});

const KEYS = [...Object.keys(DEFAULT_RUN_OPTIONS), 'out'];

function fail(message: string): never {
  throw new UsageError(message, 'run');
}

function checkInt(flag: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${flag} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${value}`);
  }
}

/** Fills defaults and checks every field and the combinations; throws a UsageError saying how to fix it. */
export function resolveRunOptions(partial: Partial<RunOptions>): RunOptions {
  for (const key of Object.keys(partial)) {
    if (!KEYS.includes(key)) fail(`unknown run option '${key}'.${didYouMean(key, KEYS)} Known: ${KEYS.join(', ')}`);
  }
  const o: RunOptions = { ...DEFAULT_RUN_OPTIONS, out: '', ...partial };
  if (o.endpoints.length > 0 && o.endpoint === null) o.endpoint = o.endpoints[0]!;
  if (o.endpoint !== null && o.endpoints.length === 0) o.endpoints = [o.endpoint];
  if (o.endpoint !== null && o.endpoints[0] !== o.endpoint) {
    fail('endpoint must be the first of endpoints (give the fleet as endpoints alone)');
  }
  if (!o.out) fail('--out DIR is required: the directory for results.jsonl and the reports (reruns resume there)');
  if ((o.model === null) === (o.endpoint === null)) {
    fail('give exactly one of --model DIR (a local checkpoint) and --endpoint URL (an OpenAI-compatible server)');
  }
  if (o.model !== null) {
    for (const [set, flag] of [
      [o.apiModel !== null, '--api-model'],
      [o.apiKeyEnv !== null, '--api-key-env'],
      [o.returnTokenIds, '--return-token-ids'],
    ] as const) {
      if (set) fail(`${flag} applies to --endpoint only; drop it when sampling from --model`);
    }
  }
  if (o.endpoint !== null && o.backend !== null) fail('--backend applies to --model only; drop it with --endpoint');
  for (const url of o.endpoints) {
    if (!/^https?:\/\//.test(url))
      fail(`--endpoint must be an http(s) URL like http://localhost:8000/v1, got '${url}'`);
  }
  if (new Set(o.endpoints).size !== o.endpoints.length) fail('--endpoint: the same server is given twice');
  if (o.apiKeyEnv !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.apiKeyEnv)) {
    fail(`--api-key-env takes the NAME of an environment variable (e.g. OPENAI_API_KEY), got '${o.apiKeyEnv}'`);
  }
  checkInt('--k', o.k, 1, 100_000);
  if (!(Number.isFinite(o.temperature) && o.temperature >= 0)) fail(`--temperature must be ≥ 0, got ${o.temperature}`);
  if (!(Number.isFinite(o.topP) && o.topP > 0 && o.topP <= 1)) fail(`--top-p must be in (0, 1], got ${o.topP}`);
  checkInt('--max-tokens', o.maxTokens, 1);
  checkInt('--batch', o.batch, 1, 4096);
  checkInt('--max-retries', o.maxRetries, 0, 100);
  if (!(Number.isFinite(o.timeoutSeconds) && o.timeoutSeconds > 0)) fail(`--timeout must be > 0 seconds`);
  checkInt('--seed', o.seed, 0);
  if (o.limit !== null) checkInt('--limit', o.limit, 1);
  if (!(TEMPLATES as readonly string[]).includes(o.template)) {
    fail(`--template must be one of ${TEMPLATES.join(', ')}, got '${o.template}'.${didYouMean(o.template, TEMPLATES)}`);
  }
  if (!(ANSWER_FORMATS as readonly string[]).includes(o.answerFormat)) {
    fail(`--answer-format must be one of ${ANSWER_FORMATS.join(', ')}, got '${o.answerFormat}'`);
  }
  if (o.instruction !== null && o.template !== 'chat') {
    fail(`--instruction applies to --template chat only (r1-zero has its own wording; raw sends the problem as is)`);
  }
  checkBenchmark(o);
  checkQueueFlags(o.queue, o.queueName, 'run', partial.queueName !== undefined);
  return o;
}

const isFileBenchmark = (b: string) => (FILE_BENCHMARKS as readonly string[]).includes(b);
const isGenerated = (b: string) => (GENERATED_BENCHMARKS as readonly string[]).includes(b);
const looksLikeDataFile = (b: string) => /\.(jsonl|ndjson|parquet)(\.gz)?$/i.test(b) || b.includes('/');

function checkBenchmark(o: RunOptions): void {
  const known = [...FILE_BENCHMARKS, ...GENERATED_BENCHMARKS, CODE_BENCHMARK];
  if (o.benchmark === CODE_BENCHMARK) {
    checkCode(o);
    return;
  }
  for (const [value, flag] of [
    [o.codeFormat, '--code-format'],
    [o.codeTimeout, '--code-timeout'],
    [o.codeMemoryMb, '--code-memory-mb'],
  ] as const) {
    if (value !== null) fail(`${flag} applies to --benchmark code only`);
  }
  const mappingFlags = [
    [o.problemField, '--problem-field'],
    [o.answerField, '--answer-field'],
    [o.idField, '--id-field'],
  ] as const;
  const countdownFlags = [
    [o.numbersField, '--numbers-field'],
    [o.targetField, '--target-field'],
  ] as const;
  if (!(o.benchmark === 'countdown' && o.data !== null)) {
    for (const [value, flag] of countdownFlags) {
      if (value !== null) fail(`${flag} applies to countdown files only (--benchmark countdown --data FILE)`);
    }
  }
  if (o.benchmark === null) {
    if (o.data === null) fail(`--benchmark NAME is required (${known.join(', ')}, or a JSONL/Parquet file)`);
    if (o.preset !== null || o.taskOptions !== null)
      fail(`--preset and --task-options apply to the generated benchmarks (${GENERATED_BENCHMARKS.join(', ')}) only`);
    return;
  }
  if (o.preset !== null && !isGenerated(o.benchmark)) {
    fail(`--preset applies to the generated benchmarks (${GENERATED_BENCHMARKS.join(', ')}) only`);
  }
  if (o.taskOptions !== null) {
    if (!isGenerated(o.benchmark) || (o.benchmark === 'countdown' && o.data !== null)) {
      fail(`--task-options applies to the generated benchmarks (${GENERATED_BENCHMARKS.join(', ')}) only`);
    }
    if (o.preset !== null) fail('give --preset NAME or --task-options JSON, not both');
  }
  if (isFileBenchmark(o.benchmark)) {
    if (o.data === null) {
      fail(
        `--benchmark ${o.benchmark} needs --data FILE: nothing is downloaded (e.g. the JSONL or Parquet file of ` +
          `${o.benchmark} from the Hugging Face hub)`,
      );
    }
    for (const [value, flag] of mappingFlags) {
      if (value !== null) {
        fail(
          `${flag}: the ${o.benchmark} layouts are built in; for your own mapping pass the file as --data FILE ` +
            'without --benchmark',
        );
      }
    }
    return;
  }
  if (o.benchmark === 'countdown' && o.data !== null) {
    // Countdown problems from a file (TinyZero's target/nums layout, or named fields) instead of the generator.
    if (o.preset !== null) fail('--preset applies to generated countdown problems; drop it with --data');
    for (const [value, flag] of mappingFlags.slice(0, 2)) {
      if (value !== null) fail(`${flag} does not apply to countdown files; use --numbers-field and --target-field`);
    }
    if (o.answerFormat !== 'plain') fail('--answer-format does not apply to countdown files (there is no gold text)');
    return;
  }
  if (isGenerated(o.benchmark)) {
    if (o.data !== null) fail(`--benchmark ${o.benchmark} is generated; drop --data (use --limit N and --seed)`);
    for (const [value, flag] of mappingFlags) {
      if (value !== null) fail(`${flag} applies to data files, not to the generated ${o.benchmark} benchmark`);
    }
    return;
  }
  if (!looksLikeDataFile(o.benchmark)) {
    fail(
      `unknown benchmark '${o.benchmark}'.${didYouMean(o.benchmark, known)} Known: ${known.join(', ')}; ` +
        'or give a .jsonl/.parquet file',
    );
  }
  if (o.data !== null) fail('give the data file once: either --benchmark FILE or --data FILE');
}

function checkCode(o: RunOptions): void {
  const formats = CODE_FORMATS.join('|');
  if (o.data === null) {
    fail(`--benchmark code needs --data FILE (JSONL or Parquet) and --code-format ${formats}; nothing is downloaded`);
  }
  if (o.codeFormat === null) {
    fail(`--benchmark code needs --code-format ${formats}: the layout of ${o.data}`);
  }
  if (!(CODE_FORMATS as readonly string[]).includes(o.codeFormat)) {
    fail(
      `--code-format must be one of ${CODE_FORMATS.join(', ')}, got '${o.codeFormat}'.${didYouMean(o.codeFormat, CODE_FORMATS)}`,
    );
  }
  for (const [value, flag] of [
    [o.problemField, '--problem-field'],
    [o.answerField, '--answer-field'],
    [o.idField, '--id-field'],
    [o.numbersField, '--numbers-field'],
    [o.targetField, '--target-field'],
    [o.preset, '--preset'],
    [o.taskOptions, '--task-options'],
  ] as const) {
    if (value !== null) fail(`${flag} does not apply to --benchmark code (the --code-format layout is built in)`);
  }
  if (o.answerFormat !== 'plain') fail('--answer-format does not apply to --benchmark code (tests are the answer)');
  if (o.codeTimeout !== null && !(Number.isFinite(o.codeTimeout) && o.codeTimeout > 0 && o.codeTimeout <= 600)) {
    fail(`--code-timeout takes seconds in (0, 600], got ${o.codeTimeout}`);
  }
  if (o.codeMemoryMb !== null) checkInt('--code-memory-mb', o.codeMemoryMb, 16, 65_536);
}

const FLAGS = {
  model: { type: 'string' },
  endpoint: { type: 'string', multiple: true },
  'api-model': { type: 'string' },
  'api-key-env': { type: 'string' },
  'max-retries': { type: 'string' },
  timeout: { type: 'string' },
  'return-token-ids': { type: 'boolean' },
  backend: { type: 'string' },
  benchmark: { type: 'string' },
  data: { type: 'string' },
  'numbers-field': { type: 'string' },
  'target-field': { type: 'string' },
  'problem-field': { type: 'string' },
  'answer-field': { type: 'string' },
  'id-field': { type: 'string' },
  'answer-format': { type: 'string' },
  'code-format': { type: 'string' },
  'code-timeout': { type: 'string' },
  'code-memory-mb': { type: 'string' },
  limit: { type: 'string' },
  seed: { type: 'string' },
  preset: { type: 'string' },
  'task-options': { type: 'string' },
  k: { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  'max-tokens': { type: 'string' },
  template: { type: 'string' },
  instruction: { type: 'string' },
  batch: { type: 'string' },
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses a flag's value as a number; `integer` rejects "1.5" and "1e3". */
function numberFlag(flag: string, text: string, integer: boolean): number {
  const ok = integer ? /^-?\d+$/.test(text.trim()) : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim());
  if (!ok) fail(`--${flag} takes ${integer ? 'an integer' : 'a number'}, got '${text}'`);
  return Number(text);
}

/** Turns unknown-flag and missing-value errors of node's parseArgs into usage errors with a hint. */
export function parseFlags(
  argv: readonly string[],
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>,
  command: string,
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown) {
      const names = Object.keys(options);
      throw new UsageError(
        `unknown option ${unknown[1]}${unknown[2]}.${didYouMean(unknown[2]!, names)} See r1-eval ${command} --help`,
        command,
      );
    }
    throw new UsageError(`${message.split('\n')[0]} See r1-eval ${command} --help`, command);
  }
}

/** `r1-eval run …` → options, or 'help'. */
export function parseRunArgs(argv: readonly string[]): RunOptions | 'help' {
  const { values, positionals } = parseFlags(argv, FLAGS, 'run', true);
  if (values.help) return 'help';
  if (positionals.length > 0) fail(`unexpected argument '${positionals[0]}'; every run setting is a --flag`);
  const str = (key: keyof typeof FLAGS) => (values[key] as string | undefined) ?? undefined;
  const partial: Partial<RunOptions> = {};
  const set = <K extends keyof RunOptions>(key: K, value: RunOptions[K] | undefined) => {
    if (value !== undefined) partial[key] = value;
  };
  const int = (flag: keyof typeof FLAGS) => {
    const v = str(flag);
    return v === undefined ? undefined : numberFlag(flag, v, true);
  };
  const num = (flag: keyof typeof FLAGS) => {
    const v = str(flag);
    return v === undefined ? undefined : numberFlag(flag, v, false);
  };
  set('model', str('model'));
  const endpoints = values.endpoint as unknown as string[] | undefined;
  if (endpoints !== undefined) partial.endpoints = endpoints;
  set('apiModel', str('api-model'));
  set('apiKeyEnv', str('api-key-env'));
  set('maxRetries', int('max-retries'));
  set('timeoutSeconds', num('timeout'));
  if (values['return-token-ids']) partial.returnTokenIds = true;
  set('backend', str('backend'));
  set('benchmark', str('benchmark'));
  set('data', str('data'));
  set('numbersField', str('numbers-field'));
  set('targetField', str('target-field'));
  set('problemField', str('problem-field'));
  set('answerField', str('answer-field'));
  set('idField', str('id-field'));
  set('answerFormat', str('answer-format') as RunOptions['answerFormat'] | undefined);
  set('codeFormat', str('code-format') as CodeFormatName | undefined);
  set('codeTimeout', num('code-timeout'));
  set('codeMemoryMb', int('code-memory-mb'));
  set('limit', int('limit'));
  set('seed', int('seed'));
  set('preset', str('preset'));
  const taskOptions = str('task-options');
  if (taskOptions !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(taskOptions);
    } catch (error) {
      fail(`--task-options is not JSON: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      fail('--task-options must be a JSON object, e.g. \'{"minOperands": 3}\'');
    }
    partial.taskOptions = parsed as Record<string, unknown>;
  }
  set('k', int('k'));
  set('temperature', num('temperature'));
  set('topP', num('top-p'));
  set('maxTokens', int('max-tokens'));
  set('template', str('template') as TemplateName | undefined);
  set('instruction', str('instruction'));
  set('batch', int('batch'));
  set('queue', str('queue'));
  set('queueName', str('queue-name'));
  set('out', str('out'));
  return resolveRunOptions(partial);
}
