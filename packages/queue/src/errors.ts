/**
 * What a processor throws to tell the queue how a job went wrong. Anything else it throws is an ordinary failure:
 * BullMQ retries the job (`attempts`, exponential backoff) — a 500 from an endpoint, a dropped connection.
 */

/**
 * The endpoint said "too many requests" (429). The job goes back to waiting without using an attempt, and every
 * worker of the same endpoint (a worker's `endpoint`; without one, of the queue) takes no job for `retryAfterMs`.
 */
export class RateLimited extends Error {
  override readonly name = 'RateLimited';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The job can never succeed (a request the model cannot serve): it fails at once, without retries. */
export class Unprocessable extends Error {
  override readonly name = 'Unprocessable';
}

/**
 * This worker cannot serve the job (it was started for another model): the job is put back, without using an
 * attempt, for a worker that can, and this worker stops with the message.
 */
export class WrongWorker extends Error {
  override readonly name = 'WrongWorker';
}
