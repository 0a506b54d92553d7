/**
 * The options of `r1-eval worker`: where the queue is, which model serves it (the same flags as `run`), and how the
 * worker takes jobs. `parseWorkerArgs` turns a command line into them, rejecting what does not fit with a message
 * naming the flag.
 */
import { checkQueueFlags, DEFAULT_QUEUE_NAME, parseFlags } from './run-options';
import { UsageError } from './usage-error';

export interface WorkerCommandOptions {
  /** Redis URL of the queue (required). */
  queue: string;
  /** Queue name; the coordinator's. Default 'r1-eval'. */
  queueName: string;
  /** Local checkpoint (exactly one of model and endpoint): the coordinator's --model, the same absolute path. */
  model: string | null;
  backend: string | null;
  /** OpenAI-compatible server: the coordinator's --endpoint. */
  endpoint: string | null;
  apiModel: string | null;
  apiKeyEnv: string | null;
  timeoutSeconds: number;
  returnTokenIds: boolean;
  /** Jobs at once. Default 1 with --model, 4 with --endpoint. */
  concurrency: number;
  /** At most `max` jobs per `seconds` across every worker of the queue. Default: no limit. */
  rateLimit: { max: number; seconds: number } | null;
  /** Seconds a job's lock lasts; a job whose worker died is handed on after about twice that. Default 30. */
  lockSeconds: number;
  /** Stop once the queue has had no unfinished job for this many seconds. Default: never (SIGTERM or Ctrl-C). */
  exitWhenIdle: number | null;
}

const FLAGS = {
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  model: { type: 'string' },
  backend: { type: 'string' },
  endpoint: { type: 'string' },
  'api-model': { type: 'string' },
  'api-key-env': { type: 'string' },
  timeout: { type: 'string' },
  'return-token-ids': { type: 'boolean' },
  concurrency: { type: 'string' },
  'rate-limit': { type: 'string' },
  'lock-seconds': { type: 'string' },
  'exit-when-idle': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function fail(message: string): never {
  throw new UsageError(message, 'worker');
}

function positive(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    fail(`--${flag} takes ${integer ? 'an integer' : 'a number'} > 0, got '${text}'`);
  }
  return n;
}

/** `r1-eval worker …` → options, or 'help'. */
export function parseWorkerArgs(argv: readonly string[]): WorkerCommandOptions | 'help' {
  const { values, positionals } = parseFlags(argv, FLAGS, 'worker');
  if (values.help) return 'help';
  if (positionals.length > 0) fail(`unexpected argument '${positionals[0]}'; every worker setting is a --flag`);
  const str = (key: keyof typeof FLAGS) => values[key] as string | undefined;
  const queue = str('queue');
  if (queue === undefined)
    fail('--queue redis://HOST:PORT/DB is required: the Redis of the coordinator (r1-eval run --queue)');
  const queueName = str('queue-name') ?? DEFAULT_QUEUE_NAME;
  checkQueueFlags(queue, queueName, 'worker', false);
  const model = str('model') ?? null;
  const endpoint = str('endpoint') ?? null;
  if ((model === null) === (endpoint === null)) {
    fail('give exactly one of --model DIR and --endpoint URL: the model the coordinator was started with');
  }
  if (endpoint !== null && !/^https?:\/\//.test(endpoint)) {
    fail(`--endpoint must be an http(s) URL like http://localhost:8000/v1, got '${endpoint}'`);
  }
  if (model !== null) {
    for (const flag of ['api-model', 'api-key-env', 'return-token-ids'] as const) {
      if (values[flag] !== undefined) fail(`--${flag} applies to --endpoint only`);
    }
  }
  if (endpoint !== null && values.backend !== undefined) fail('--backend applies to --model only');
  const apiKeyEnv = str('api-key-env') ?? null;
  if (apiKeyEnv !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv)) {
    fail(`--api-key-env takes the NAME of an environment variable (e.g. OPENAI_API_KEY), got '${apiKeyEnv}'`);
  }
  let rateLimit: WorkerCommandOptions['rateLimit'] = null;
  const rate = str('rate-limit');
  if (rate !== undefined) {
    const m = /^(\d+)\/(\d+(?:\.\d+)?)s?$/.exec(rate.trim());
    if (m === null || Number(m[1]) < 1 || Number(m[2]) <= 0) {
      fail(`--rate-limit takes MAX/SECONDS, e.g. 60/60 for 60 jobs a minute, got '${rate}'`);
    }
    rateLimit = { max: Number(m[1]), seconds: Number(m[2]) };
  }
  const concurrency = positive('concurrency', str('concurrency'), true) ?? (model !== null ? 1 : 4);
  if (concurrency > 1024) fail(`--concurrency must be at most 1024, got ${concurrency}`);
  return {
    queue,
    queueName,
    model,
    backend: str('backend') ?? null,
    endpoint,
    apiModel: str('api-model') ?? null,
    apiKeyEnv,
    timeoutSeconds: positive('timeout', str('timeout'), false) ?? 600,
    returnTokenIds: values['return-token-ids'] === true,
    concurrency,
    rateLimit,
    lockSeconds: positive('lock-seconds', str('lock-seconds'), false) ?? 30,
    exitWhenIdle: positive('exit-when-idle', str('exit-when-idle'), false) ?? null,
  };
}
