/**
 * An OpenAI-compatible HTTP server over an {@link Engine} — in practice the continuous-batching engine over a
 * checkpoint (`createContinuousEngine`), which lets concurrent requests share the decode loop and streams tokens as
 * they are decoded. Any other engine is served too, one request at a time, and "streamed" as whole completions.
 *
 * - `POST /v1/completions`, `POST /v1/chat/completions`: n, sampling parameters, stop, seed, logprobs, vLLM's top_k,
 *   min_p, repetition_penalty, stop_token_ids and return_token_ids; `stream: true` answers with server-sent events
 *   in OpenAI's chunk format (`data: {...}`, then `data: [DONE]`), `stream_options.include_usage` adds a last chunk
 *   with `usage`. n > 1 streams interleaved choices by index.
 * - `GET /v1/models`; `GET /health` (200 `{status: "ok"}`, 503 `{status: "draining"}` once shutdown has begun).
 * - Weight sync in SGLang's protocol: `POST /update_weights_from_disk`, `GET /get_model_info` (see `weight-sync.ts`).
 * - Limits: body size (413), n, max_tokens and the model's context (400 naming the field), a per-request timeout
 *   (504; the request's rows leave the batch and the server carries on). A client that disconnects is dropped from
 *   the batch at the next step.
 * - `drain()` (SIGTERM in r1-serve): new requests get 503, the ones in flight finish, then it resolves.
 *
 * Errors are OpenAI-style: `{"error": {"message", "type", "param", "code"}}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ContinuousEngine, ModelParts, SampleDelta } from '../local/continuous-types';
import type { Completion, Engine } from '../types';
import { asHttpError, HttpError } from './http-error';
import {
  type ChoicePiece,
  chunkBody,
  completionBody,
  pieceOfDelta,
  type ResponseContext,
  roleChunkBody,
  usageChunkBody,
  usageOfCompletions,
  worthSending,
} from './openai-format';
import { type ParsedRequest, parseCompletionRequest, type RequestLimits } from './parse-request';
import { readJsonBody } from './read-body';
import { createWeightSync } from './weight-sync';

export interface ServeOptions {
  /** A `ContinuousEngine` gets continuous batching, token-by-token streaming and weight updates. */
  engine: Engine;
  /** Name reported by /v1/models and echoed in responses; requests may name it or omit `model`. */
  modelName: string;
  /** Text of one token, for `logprobs`. Default: the continuous engine's tokenizer (`ModelParts.tokenText`), else the id. */
  tokenText?: (id: number) => string;
  /** Largest accepted request body in bytes. Default 8 MiB. */
  maxBodyBytes?: number;
  /** Largest `n`. Default: a continuous engine's `maxBatchRows`, else 64. */
  maxN?: number;
  /** Largest `max_tokens`. Default: only the model's context bounds it. */
  maxTokens?: number;
  /** A request that has not finished after this many ms is answered with a 504 and dropped. 0 = none. Default 10 min. */
  requestTimeoutMs?: number;
  /** Loads a checkpoint for `POST /update_weights_from_disk`; without it that endpoint answers 400. */
  loadWeights?: (dir: string) => Promise<ModelParts>;
  /** Frees the parts a weight update replaced. Default: `parts.model.dispose()`. */
  disposeWeights?: (parts: ModelParts) => void;
  /** Reported by `/get_model_info`. Default: the engine's `modelId`. */
  modelPath?: string;
  /** Initial `weight_version` of `/get_model_info`. Default 'default' (SGLang's). */
  weightVersion?: string;
  /** Called for every request after it is answered (logging). */
  onRequest?: (info: { method: string; path: string; status: number; ms: number }) => void;
}

export interface ServeController {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Starts draining: new requests get 503 and /health says so; resolves when the requests in flight are done. */
  drain(): Promise<void>;
  readonly draining: boolean;
  /** Requests being answered now (generation and weight updates). */
  readonly inFlight: number;
}

function isContinuous(engine: Engine): engine is ContinuousEngine {
  return typeof (engine as Partial<ContinuousEngine>).submit === 'function';
}

/** Errors a plain engine throws for input it cannot take: the caller's fault. */
const ENGINE_INPUT_ERROR = /exceeds|outside the model's vocabulary|empty after tokenisation|chat template|maxBatchRows/;

class ClientGone extends Error {}

export function createServe(options: ServeOptions): ServeController {
  const { engine, modelName } = options;
  const continuous = isContinuous(engine) ? engine : null;
  if (continuous && options.maxN !== undefined && options.maxN > continuous.maxBatchRows) {
    throw new Error(
      `serve: maxN ${options.maxN} is more than the engine's maxBatchRows ${continuous.maxBatchRows}; ` +
        "a request's n rows must fit in one batch",
    );
  }
  const bodyLimit = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 600_000;
  const limits = (): RequestLimits => ({
    maxN: options.maxN ?? continuous?.maxBatchRows ?? 64,
    maxTokens: options.maxTokens ?? null,
    contextLength: continuous?.contextLength ?? null,
    promptTokenIds: continuous ? (r) => continuous.promptTokenIds(r) : null,
  });
  const tokenText = (id: number) =>
    (options.tokenText ?? continuous?.parts.tokenText ?? ((t: number) => String(t)))(id);
  const weights = createWeightSync({
    engine: continuous,
    load: options.loadWeights ?? null,
    dispose: options.disposeWeights ?? ((parts) => parts.model.dispose()),
    modelPath: options.modelPath ?? engine.modelId,
    weightVersion: options.weightVersion ?? 'default',
    servedModelName: modelName,
  });
  let counter = 0;
  let inFlight = 0;
  let draining = false;
  const drained: (() => void)[] = [];
  let serial: Promise<unknown> = Promise.resolve();

  function settle(): void {
    inFlight--;
    if (draining && inFlight === 0) for (const done of drained.splice(0)) done();
  }

  /** A plain engine, one request at a time (it batches within a request). */
  function plainGenerate(parsed: ParsedRequest): Promise<Completion[]> {
    const run = serial.then(async () => (await engine.generate([parsed.request], parsed.params))[0]!);
    serial = run.catch(() => undefined);
    return run;
  }

  async function generate(parsed: ParsedRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx: ResponseContext = {
      id: `${parsed.chat ? 'chatcmpl' : 'cmpl'}-r1-${++counter}`,
      created: Math.floor(Date.now() / 1000),
      model: modelName,
      chat: parsed.chat,
      logprobs: parsed.logprobs,
      tokenIds: parsed.tokenIds,
      tokenText,
    };
    const abort = new AbortController();
    const timer =
      timeoutMs > 0
        ? setTimeout(
            () =>
              abort.abort(
                new HttpError(
                  `the request did not finish within the server's time limit of ${timeoutMs} ms ` +
                    '(r1-serve --request-timeout); ask for fewer tokens, or retry when the server is less busy',
                  504,
                  null,
                  'timeout_error',
                  'request_timeout',
                ),
              ),
            timeoutMs,
          )
        : null;
    const onClose = () => {
      if (!res.writableFinished) abort.abort(new ClientGone('the client disconnected'));
    };
    res.on('close', onClose);
    const sse = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    const usageField = parsed.stream && parsed.includeUsage;
    const run = async (onDelta?: (deltas: SampleDelta[]) => void): Promise<Completion[]> => {
      try {
        if (continuous)
          return await continuous.submit(parsed.request, parsed.params, { signal: abort.signal, onDelta });
        // A plain engine cannot be stopped; answer when the limit passes and let it finish in the background.
        return await Promise.race([
          plainGenerate(parsed),
          new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason))),
        ]);
      } catch (error) {
        // Input the engine cannot take (too long, unknown tokens, no chat template) is the caller's error.
        const message = error instanceof Error ? error.message : '';
        throw !(error instanceof HttpError) && ENGINE_INPUT_ERROR.test(message) ? new HttpError(message) : error;
      }
    };
    try {
      if (!parsed.stream) {
        const completions = await run();
        send(res, req, 200, completionBody(ctx, completions));
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.flushHeaders();
      if (parsed.chat) sse(roleChunkBody(ctx, parsed.params.n, usageField));
      const sendPieces = (pieces: ChoicePiece[]) => {
        const shown = pieces.filter((p) => worthSending(ctx, p));
        if (shown.length > 0) sse(chunkBody(ctx, shown, usageField));
      };
      const completions = await run(continuous ? (deltas) => sendPieces(deltas.map(pieceOfDelta)) : undefined);
      if (!continuous) {
        sendPieces(
          completions.map((c, index) => ({
            index,
            text: c.text,
            tokenIds: c.tokenIds,
            logprobs: c.logprobs,
            finishReason: c.finishReason,
          })),
        );
      }
      if (parsed.includeUsage) sse(usageChunkBody(ctx, usageOfCompletions(completions)));
      res.write('data: [DONE]\n\n');
      res.end();
      options.onRequest?.({ method: req.method ?? '?', path: pathOf(req), status: 200, ms: msSince(req) });
    } catch (error) {
      if (error instanceof ClientGone) return;
      const failure = asHttpError(error);
      if (!res.headersSent) send(res, req, failure.status, failure.body());
      else {
        // Mid-stream: an error event (the openai client raises it as an APIError), then the end of the stream.
        sse(failure.body());
        res.end();
        options.onRequest?.({ method: req.method ?? '?', path: pathOf(req), status: failure.status, ms: msSince(req) });
      }
    } finally {
      if (timer) clearTimeout(timer);
      res.off('close', onClose);
    }
  }

  const started = new WeakMap<IncomingMessage, number>();
  const msSince = (req: IncomingMessage) => performance.now() - (started.get(req) ?? performance.now());
  const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
  function send(res: ServerResponse, req: IncomingMessage, status: number, payload: unknown, close = false): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) });
    res.end(JSON.stringify(payload));
    options.onRequest?.({ method: req.method ?? '?', path: pathOf(req), status, ms: msSince(req) });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const method = req.method ?? 'GET';
    if (method === 'GET' && (path === '/health' || path === '')) {
      return send(res, req, draining ? 503 : 200, { status: draining ? 'draining' : 'ok' });
    }
    if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
      const context = continuous ? { max_model_len: continuous.contextLength } : {};
      return send(res, req, 200, {
        object: 'list',
        data: [{ id: modelName, object: 'model', owned_by: 'r1', created: 0, ...context }],
      });
    }
    if (method === 'GET' && (path === '/get_model_info' || path === '/model_info')) {
      return send(res, req, 200, weights.info());
    }
    const chat = path === '/v1/chat/completions' || path === '/chat/completions';
    const plain = path === '/v1/completions' || path === '/completions';
    const update = path === '/update_weights_from_disk';
    if (!chat && !plain && !update) throw new HttpError(`no route ${method} ${path}`, 404);
    if (method !== 'POST') throw new HttpError(`${path} takes POST`, 405);
    if (draining) {
      req.resume();
      const error = new HttpError(
        'r1-serve is shutting down and takes no new requests; send it to another server or retry later',
        503,
        null,
        'service_unavailable',
        'shutting_down',
      );
      return send(res, req, 503, error.body(), true);
    }
    inFlight++;
    try {
      const body = await readJsonBody(req, bodyLimit);
      if (update) {
        const answer = await weights.update(body);
        return send(res, req, answer.status, answer.body);
      }
      const parsed = parseCompletionRequest(body, chat, limits());
      if (body.model !== undefined && body.model !== null && body.model !== modelName) {
        throw new HttpError(
          `model '${String(body.model)}' is not served here; this server serves '${modelName}'`,
          404,
          'model',
          'invalid_request_error',
          'model_not_found',
        );
      }
      await generate(parsed, req, res);
    } finally {
      settle();
    }
  }

  return {
    handler(req, res) {
      started.set(req, performance.now());
      route(req, res).catch((error: unknown) => {
        const failure = asHttpError(error);
        send(res, req, failure.status, failure.body(), failure.status === 413);
      });
    },
    drain() {
      draining = true;
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => drained.push(resolve));
    },
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight;
    },
  };
}

export function createServeHandler(options: ServeOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return createServe(options).handler;
}

export interface RunningServer {
  server: Server;
  url: string;
  controller: ServeController;
  /** Drains (new requests get 503, those in flight finish), then stops listening and closes every connection. */
  shutdown(): Promise<void>;
}

/** Starts the server on `host:port` (port 0 = any free port); resolves once it listens. */
export async function startServer(options: ServeOptions & { port: number; host?: string }): Promise<RunningServer> {
  const controller = createServe(options);
  const server = createServer(controller.handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    controller,
    async shutdown() {
      await controller.drain();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
