/**
 * A small OpenAI-compatible HTTP server over any {@link Engine} (in practice the local engine over a checkpoint):
 * `GET /v1/models`, `POST /v1/completions`, `POST /v1/chat/completions`, with `n`, sampling parameters, stop, seed,
 * logprobs and the vLLM extensions top_k, min_p, repetition_penalty, stop_token_ids and return_token_ids.
 * Bad requests get a 400 with an OpenAI-style `{"error": {"message", "type", "param"}}`. Requests are served one at a
 * time (the engine batches within a request); streaming is not offered.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolveSamplingParams } from '../params';
import type { ChatMessage, Completion, Engine, GenerationRequest, SamplingParams } from '../types';

export interface ServeOptions {
  engine: Engine;
  /** Name reported by /v1/models and echoed in responses; requests may name it or omit `model`. */
  modelName: string;
  /** Text of one token, for the `tokens` field of completion logprobs. */
  tokenText?: (id: number) => string;
  /** Largest accepted request body in bytes. Default 8 MiB. */
  maxBodyBytes?: number;
  /** Called for every request after it is answered (logging). */
  onRequest?: (info: { method: string; path: string; status: number; ms: number }) => void;
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
    readonly status = 400,
  ) {
    super(message);
  }
}

function field<T>(
  body: Record<string, unknown>,
  name: string,
  check: (v: unknown) => v is T,
  expected: string,
): T | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!check(v)) throw new BadRequest(`'${name}' must be ${expected}, got ${JSON.stringify(v)}`, name);
  return v;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isStringOrList = (v: unknown): v is string | string[] =>
  typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));

const KNOWN_FIELDS = new Set([
  'model',
  'prompt',
  'messages',
  'n',
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'seed',
  'logprobs',
  'top_logprobs',
  'repetition_penalty',
  'stop_token_ids',
  'return_token_ids',
  'stream',
  'user',
  'echo',
  'frequency_penalty',
  'presence_penalty',
  'best_of',
]);

function samplingFrom(body: Record<string, unknown>): SamplingParams {
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) throw new BadRequest(`unknown field '${key}'`, key);
  }
  if (body.stream === true) throw new BadRequest("'stream' is not supported by r1-serve; send stream: false", 'stream');
  if (body.echo === true) throw new BadRequest("'echo' is not supported by r1-serve", 'echo');
  for (const unsupported of ['frequency_penalty', 'presence_penalty'] as const) {
    const v = body[unsupported];
    if (v !== undefined && v !== null && v !== 0) {
      throw new BadRequest(`'${unsupported}' is not supported; use repetition_penalty`, unsupported);
    }
  }
  const stop = field(body, 'stop', isStringOrList, 'a string or a list of strings');
  const maxTokens =
    field(body, 'max_tokens', isInt, 'an integer') ?? field(body, 'max_completion_tokens', isInt, 'an integer');
  try {
    return resolveSamplingParams({
      n: field(body, 'n', isInt, 'an integer') ?? 1,
      temperature: field(body, 'temperature', isNumber, 'a number') ?? 1,
      topP: field(body, 'top_p', isNumber, 'a number') ?? 1,
      topK: Math.max(0, field(body, 'top_k', isInt, 'an integer') ?? 0),
      minP: field(body, 'min_p', isNumber, 'a number') ?? 0,
      maxNewTokens: maxTokens ?? 16,
      stop: stop === undefined ? [] : typeof stop === 'string' ? [stop] : stop,
      stopTokenIds: field(body, 'stop_token_ids', isIntList, 'a list of integers') ?? [],
      seed: field(body, 'seed', isInt, 'an integer') ?? 0,
      repetitionPenalty: field(body, 'repetition_penalty', isNumber, 'a number') ?? 1,
      logprobsMode: 'raw',
    });
  } catch (error) {
    if (error instanceof BadRequest) throw error;
    throw new BadRequest((error as Error).message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BadRequest(`request body is larger than ${limit} bytes`, null, 413));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          reject(new BadRequest('the request body must be a JSON object'));
        } else resolve(parsed as Record<string, unknown>);
      } catch (error) {
        reject(new BadRequest(`the request body is not valid JSON: ${(error as Error).message}`));
      }
    });
  });
}

function checkMessages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v) || v.length === 0) throw new BadRequest("'messages' must be a non-empty list", 'messages');
  return v.map((m, i) => {
    const msg = m as Record<string, unknown>;
    if (typeof msg !== 'object' || msg === null) throw new BadRequest(`messages[${i}] must be an object`, 'messages');
    if (msg.role !== 'system' && msg.role !== 'user' && msg.role !== 'assistant') {
      throw new BadRequest(`messages[${i}].role must be system, user or assistant`, 'messages');
    }
    if (typeof msg.content !== 'string') throw new BadRequest(`messages[${i}].content must be a string`, 'messages');
    return { role: msg.role, content: msg.content };
  });
}

export function createServeHandler(options: ServeOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { engine, modelName } = options;
  const limit = options.maxBodyBytes ?? 8 * 1024 * 1024;
  let queue: Promise<unknown> = Promise.resolve();
  let counter = 0;

  /** Runs generation calls one after another. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  function usage(completions: Completion[]) {
    const prompt = completions[0]?.promptTokens ?? 0;
    const generated = completions.reduce((s, c) => s + c.tokenIds.length, 0);
    return { prompt_tokens: prompt, completion_tokens: generated, total_tokens: prompt + generated };
  }

  async function completions(body: Record<string, unknown>, chat: boolean) {
    const params = samplingFrom(body);
    if (body.model !== undefined && body.model !== modelName) {
      throw new BadRequest(
        `model '${String(body.model)}' is not served here; this server serves '${modelName}'`,
        'model',
        404,
      );
    }
    let request: GenerationRequest;
    if (chat) request = { messages: checkMessages(body.messages) };
    else {
      if (typeof body.prompt !== 'string') {
        throw new BadRequest("'prompt' must be a string (lists of prompts: send one request each)", 'prompt');
      }
      request = { prompt: body.prompt };
    }
    if (body.seed !== undefined && body.seed !== null) request.seed = params.seed;
    const wantLogprobs = chat ? body.logprobs === true : isInt(body.logprobs) && (body.logprobs as number) >= 0;
    const withIds = body.return_token_ids === true;
    let result: Completion[][];
    try {
      result = await serial(() => engine.generate([request], params));
    } catch (error) {
      const message = (error as Error).message;
      // Input the engine cannot take (too long, unknown tokens) is the caller's error.
      if (/exceeds|outside the model's vocabulary|empty after tokenisation|need a chat template/.test(message)) {
        throw new BadRequest(message);
      }
      throw error;
    }
    const list = result[0]!;
    const created = Math.floor(Date.now() / 1000);
    const id = `${chat ? 'chatcmpl' : 'cmpl'}-r1-${++counter}`;
    const tokenText = options.tokenText ?? ((t: number) => String(t));
    const choices = list.map((c, index) => {
      const ids = withIds ? { token_ids: c.tokenIds } : {};
      if (chat) {
        return {
          index,
          message: { role: 'assistant', content: c.text },
          finish_reason: c.finishReason,
          logprobs: wantLogprobs
            ? { content: c.tokenIds.map((t, i) => ({ token: tokenText(t), logprob: c.logprobs[i] ?? 0 })) }
            : null,
          ...ids,
        };
      }
      return {
        index,
        text: c.text,
        finish_reason: c.finishReason,
        logprobs: wantLogprobs ? { tokens: c.tokenIds.map(tokenText), token_logprobs: c.logprobs } : null,
        ...ids,
      };
    });
    return {
      id,
      object: chat ? 'chat.completion' : 'text_completion',
      created,
      model: modelName,
      choices,
      usage: usage(list),
    };
  }

  return (req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const send = (status: number, payload: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
      options.onRequest?.({ method: req.method ?? '?', path, status, ms: performance.now() - started });
    };
    const handle = async () => {
      if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
        return send(200, { object: 'list', data: [{ id: modelName, object: 'model', owned_by: 'r1' }] });
      }
      if (req.method === 'GET' && (path === '/health' || path === '')) return send(200, { status: 'ok' });
      const chat = path === '/v1/chat/completions' || path === '/chat/completions';
      const plain = path === '/v1/completions' || path === '/completions';
      if (!chat && !plain) throw new BadRequest(`no route ${req.method} ${path}`, null, 404);
      if (req.method !== 'POST') throw new BadRequest(`${path} takes POST`, null, 405);
      const body = await readBody(req, limit);
      send(200, await completions(body, chat));
    };
    handle().catch((error: unknown) => {
      if (error instanceof BadRequest) {
        send(error.status, { error: { message: error.message, type: 'invalid_request_error', param: error.param } });
      } else {
        send(500, {
          error: { message: `internal error: ${(error as Error).message}`, type: 'server_error', param: null },
        });
      }
    });
  };
}

/** Starts the server on `host:port` (port 0 = any free port); resolves once it listens. */
export async function startServer(
  options: ServeOptions & { port: number; host?: string },
): Promise<{ server: Server; url: string }> {
  const server = createServer(createServeHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { server, url: `http://${options.host ?? '127.0.0.1'}:${port}` };
}
