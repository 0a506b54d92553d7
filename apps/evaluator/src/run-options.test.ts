import { describe, expect, test } from 'vitest';
import { DEFAULT_RUN_OPTIONS, parseRunArgs, resolveRunOptions } from './run-options';
import { UsageError } from './usage-error';

const base = ['--model', 'ckpt', '--benchmark', 'arithmetic', '--out', 'runs/a'];

describe('run options', () => {
  test('defaults follow the R1 paper: k 16, temperature 0.6, top-p 0.95, 32,768 tokens', () => {
    const o = parseRunArgs(base);
    expect(o).toMatchObject({ k: 16, temperature: 0.6, topP: 0.95, maxTokens: 32_768, template: 'chat', seed: 0 });
    expect(DEFAULT_RUN_OPTIONS).toMatchObject({ k: 16, temperature: 0.6, topP: 0.95 });
  });

  test('every flag maps to its option', () => {
    const o = parseRunArgs([
      '--endpoint',
      'http://gpu:8000/v1',
      '--api-model',
      'qwen',
      '--api-key-env',
      'MY_KEY',
      '--max-retries',
      '2',
      '--timeout',
      '30',
      '--return-token-ids',
      '--benchmark',
      'gsm8k',
      '--data',
      'test.parquet',
      '--limit',
      '50',
      '--seed',
      '7',
      '--k',
      '4',
      '--temperature',
      '1',
      '--top-p',
      '0.9',
      '--max-tokens',
      '512',
      '--template',
      'chat',
      '--instruction',
      '',
      '--batch',
      '3',
      '--out',
      'o',
    ]);
    expect(o).toEqual({
      ...DEFAULT_RUN_OPTIONS,
      endpoint: 'http://gpu:8000/v1',
      endpoints: ['http://gpu:8000/v1'],
      apiModel: 'qwen',
      apiKeyEnv: 'MY_KEY',
      maxRetries: 2,
      timeoutSeconds: 30,
      returnTokenIds: true,
      benchmark: 'gsm8k',
      data: 'test.parquet',
      limit: 50,
      seed: 7,
      k: 4,
      temperature: 1,
      topP: 0.9,
      maxTokens: 512,
      instruction: '',
      batch: 3,
      out: 'o',
    });
  });

  test('a generic file takes its field mapping', () => {
    const o = parseRunArgs([
      '--model',
      'm',
      '--data',
      'mine.jsonl',
      '--problem-field',
      'question',
      '--answer-field',
      'solution',
      '--answer-format',
      'boxed',
      '--out',
      'o',
    ]);
    expect(o).toMatchObject({ benchmark: null, data: 'mine.jsonl', problemField: 'question', answerFormat: 'boxed' });
    expect(parseRunArgs(['--model', 'm', '--benchmark', 'data/x.parquet', '--out', 'o'])).toMatchObject({
      benchmark: 'data/x.parquet',
    });
  });

  test('--endpoint again and again: a fleet of servers of one model', () => {
    const fleet = ['--endpoint', 'http://gpu-1:30000/v1', '--endpoint', 'http://gpu-2:30000/v1'];
    expect(parseRunArgs([...fleet, '--benchmark', 'arithmetic', '--out', 'o'])).toMatchObject({
      endpoint: 'http://gpu-1:30000/v1',
      endpoints: ['http://gpu-1:30000/v1', 'http://gpu-2:30000/v1'],
    });
    expect(() =>
      parseRunArgs([...fleet, '--endpoint', 'http://gpu-1:30000/v1', '--benchmark', 'arithmetic', '--out', 'o']),
    ).toThrow(/the same server is given twice/);
    expect(() =>
      parseRunArgs([...fleet, '--endpoint', 'gpu-3:30000', '--benchmark', 'arithmetic', '--out', 'o']),
    ).toThrow(/must be an http\(s\) URL .* got 'gpu-3:30000'/);
  });

  test('--help', () => expect(parseRunArgs(['--help'])).toBe('help'));

  test.each([
    [['--benchmark', 'arithmetic', '--out', 'o'], /exactly one of --model DIR .* and --endpoint URL/],
    [['--model', 'm', '--endpoint', 'http://x', '--benchmark', 'arithmetic', '--out', 'o'], /exactly one/],
    [['--model', 'm', '--benchmark', 'arithmetic'], /--out DIR is required/],
    [['--model', 'm', '--out', 'o'], /--benchmark NAME is required/],
    [['--model', 'm', '--benchmark', 'aime', '--out', 'o'], /unknown benchmark 'aime'. Did you mean 'aime24'\?/],
    [['--model', 'm', '--benchmark', 'aime24', '--out', 'o'], /aime24 needs --data FILE: nothing is downloaded/],
    [['--model', 'm', '--benchmark', 'arithmetic', '--data', 'x.jsonl', '--out', 'o'], /is generated; drop --data/],
    [
      ['--model', 'm', '--benchmark', 'gsm8k', '--data', 'x.jsonl', '--problem-field', 'q', '--out', 'o'],
      /layouts are built in/,
    ],
    [['--model', 'm', '--benchmark', 'gsm8k', '--data', 'x', '--preset', 'tiny', '--out', 'o'], /--preset applies/],
    [
      ['--model', 'm', '--benchmark', 'gsm8k', '--data', 'x', '--task-options', '{}', '--out', 'o'],
      /--task-options applies/,
    ],
    [['--model', 'm', '--benchmark', 'arithmetic', '--task-options', '[2]', '--out', 'o'], /must be a JSON object/],
    [['--model', 'm', '--benchmark', 'arithmetic', '--task-options', '{', '--out', 'o'], /is not JSON/],
    [
      ['--model', 'm', '--benchmark', 'arithmetic', '--task-options', '{}', '--preset', 'tiny', '--out', 'o'],
      /not both/,
    ],
    [
      ['--model', 'm', '--data', 'x.jsonl', '--numbers-field', 'n', '--out', 'o'],
      /--numbers-field applies to countdown/,
    ],
    [['--model', 'm', '--benchmark', 'countdown', '--target-field', 't', '--out', 'o'], /applies to countdown files/],
    [
      ['--model', 'm', '--benchmark', 'countdown', '--data', 'c.jsonl', '--problem-field', 'q', '--out', 'o'],
      /--problem-field does not apply to countdown files; use --numbers-field/,
    ],
    [
      ['--model', 'm', '--benchmark', 'countdown', '--data', 'c.jsonl', '--preset', 'tiny', '--out', 'o'],
      /--preset applies to generated countdown problems/,
    ],
    [[...base, '--k', '0'], /--k must be an integer in \[1, 100000\], got 0/],
    [[...base, '--k', '2.5'], /--k takes an integer, got '2.5'/],
    [[...base, '--temperature', 'hot'], /--temperature takes a number/],
    [[...base, '--top-p', '0'], /--top-p must be in \(0, 1\]/],
    [[...base, '--template', 'r1zero'], /--template must be one of r1-zero, chat, raw.*Did you mean 'r1-zero'/],
    [[...base, '--template', 'raw', '--instruction', 'x'], /--instruction applies to --template chat only/],
    [[...base, '--api-model', 'x'], /--api-model applies to --endpoint only/],
    [['--endpoint', 'localhost:8000', '--benchmark', 'arithmetic', '--out', 'o'], /must be an http\(s\) URL/],
    [['--endpoint', 'http://h', '--backend', 'cpu', '--benchmark', 'arithmetic', '--out', 'o'], /--model only/],
    [['--endpoint', 'http://h', '--api-key-env', '$KEY', '--benchmark', 'arithmetic', '--out', 'o'], /NAME of an env/],
    [[...base, '--temprature', '1'], /unknown option --temprature. Did you mean 'temperature'\?/],
    [[...base, 'extra'], /unexpected argument 'extra'/],
    [[...base, '--k'], /argument missing|--k/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseRunArgs(argv)).toThrow(UsageError);
    expect(() => parseRunArgs(argv)).toThrow(message);
  });

  test('resolveRunOptions rejects unknown keys with a hint', () => {
    expect(() => resolveRunOptions({ out: 'o', model: 'm', benchmark: 'arithmetic', topp: 1 } as never)).toThrow(
      /unknown run option 'topp'. Did you mean 'topP'\?/,
    );
  });
});
