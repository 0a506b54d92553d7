/**
 * The wire format of a generate-only job: samples `first` … `first + count − 1` of one request, drawn from the
 * request's own seed (the request carries `seed` and `firstSampleIndex`), so sample j is the same whichever worker
 * draws it. `r1-train sample run --queue` enqueues these and `r1-eval worker` serves them beside r1-eval's own
 * generate-and-score jobs; the format lives here because the coordinator (the trainer) and the worker (the
 * evaluator) are different apps and must agree on it.
 *
 * The request and the parameters are the sampler's `GenerationRequest` and `SamplingParams` (with `n` = `count`);
 * they are typed loosely here so that this package does not depend on the sampler. What the samples are for (a trace
 * cache, a reward) is the coordinator's business: a worker only generates.
 */

/** Format tag of the job data; a worker refuses jobs of a format it does not know. */
export const GENERATE_JOB_FORMAT = 'r1-generate/1';

export interface GenerateJobData<Request = Record<string, unknown>, Params = Record<string, unknown>> {
  format: typeof GENERATE_JOB_FORMAT;
  /** The coordinator's model id (checkpoint path, or model@endpoint): workers must serve the same one. */
  modelId: string;
  /** Resolved sampling parameters; `n` is `count`. */
  params: Params;
  /** The request with its seed and first sample index. */
  request: Request;
  first: number;
  count: number;
}

/** One generated sample as a worker returns it: the text, why it stopped, and how many tokens it has. */
export interface GeneratedSample {
  text: string;
  finishReason: string;
  /** Token ids the engine returned (0 when it returned none, as an endpoint may without --return-token-ids). */
  tokenIds: number;
}
