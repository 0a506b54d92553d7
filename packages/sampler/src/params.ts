/** Validation of sampling parameters: unknown keys and out-of-range values are rejected with the fix in the message. */
import { DEFAULT_SAMPLING_PARAMS, type LogprobsMode, type SamplingParams } from './types';

const LOGPROBS_MODES: readonly LogprobsMode[] = ['raw', 'temperature', 'processed'];

function fail(field: string, value: unknown, expected: string): never {
  throw new Error(`sampling params: ${field} = ${JSON.stringify(value)} is invalid; expected ${expected}`);
}

export function resolveSamplingParams(partial: Partial<SamplingParams> = {}): SamplingParams {
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_SAMPLING_PARAMS)) {
      throw new Error(
        `sampling params: unknown key "${key}"; valid keys are ${Object.keys(DEFAULT_SAMPLING_PARAMS).join(', ')}`,
      );
    }
  }
  const p: SamplingParams = { ...DEFAULT_SAMPLING_PARAMS, ...stripUndefined(partial) };
  if (!Number.isInteger(p.n) || p.n < 1) fail('n', p.n, 'an integer ≥ 1');
  if (!(p.temperature >= 0) || !Number.isFinite(p.temperature))
    fail('temperature', p.temperature, 'a number ≥ 0 (0 = greedy)');
  if (!(p.topP > 0 && p.topP <= 1)) fail('topP', p.topP, 'a number in (0, 1] (1 = off)');
  if (!Number.isInteger(p.topK) || p.topK < 0) fail('topK', p.topK, 'an integer ≥ 0 (0 = off)');
  if (!(p.minP >= 0 && p.minP < 1)) fail('minP', p.minP, 'a number in [0, 1) (0 = off)');
  if (!Number.isInteger(p.maxNewTokens) || p.maxNewTokens < 1) fail('maxNewTokens', p.maxNewTokens, 'an integer ≥ 1');
  if (!Array.isArray(p.stop) || p.stop.some((s) => typeof s !== 'string' || s.length === 0))
    fail('stop', p.stop, 'an array of non-empty strings');
  if (!Array.isArray(p.stopTokenIds) || p.stopTokenIds.some((t) => !Number.isInteger(t) || t < 0))
    fail('stopTokenIds', p.stopTokenIds, 'an array of token ids (integers ≥ 0)');
  if (!Number.isInteger(p.seed)) fail('seed', p.seed, 'an integer');
  if (!(p.repetitionPenalty > 0) || !Number.isFinite(p.repetitionPenalty))
    fail('repetitionPenalty', p.repetitionPenalty, 'a number > 0 (1 = off)');
  if (!LOGPROBS_MODES.includes(p.logprobsMode)) fail('logprobsMode', p.logprobsMode, LOGPROBS_MODES.join(' | '));
  return p;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
