/** An error with the HTTP status and the OpenAI-style body (`{"error": {message, type, param, code}}`) it answers with. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly param: string | null = null,
    readonly type = status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly code: string | null = null,
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Any thrown value as an HttpError: ours as they are, anything else as a 500 that says what went wrong. */
export function asHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(`internal error: ${error instanceof Error ? error.message : String(error)}`, 500);
}
