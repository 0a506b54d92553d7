/**
 * Soft overlong punishment of DAPO (Yu et al. 2025, eq. 13): no penalty up to L_max − L_cache tokens, then a
 * linear ramp to −1 at L_max, and −1 beyond:
 *
 *   R(y) = 0                               if |y| ≤ L_max − L_cache
 *        = ((L_max − L_cache) − |y|) / L_cache   if L_max − L_cache < |y| ≤ L_max
 *        = −1                              if |y| > L_max
 *
 * Defaults are DAPO's: L_max = 20,480 tokens with a 4,096-token cache (16,384 expected). Lengths are in tokens, so
 * this module never guesses them from characters: pass `countTokens` (completion → token count), or let the trainer
 * put the completion's token count (or its token ids) in `sample.meta[tokenCountKey]`. With neither, the reward is
 * null (cannot be scored). `cacheLength` 0 makes it a hard cut: 0 up to L_max, −1 beyond. Range [−1, 0].
 */

import type { RewardFn, Sample } from '../types';
import { measure } from './guard';
import { checkInteger, resolveOptions } from './options';

export interface SoftOverlongPunishmentOptions {
  /** L_max: the generation limit in tokens; beyond it the penalty is −1. Default 20480 (DAPO). */
  maxLength: number;
  /** L_cache: the length of the ramp before L_max. Default 4096 (DAPO). */
  cacheLength: number;
  /** Token count of a completion. Default null: read `sample.meta[tokenCountKey]` instead. */
  countTokens: ((completion: string) => number) | null;
  /** Key in `sample.meta` holding the completion's token count or token ids, used without `countTokens`. */
  tokenCountKey: string;
}

export const DEFAULT_SOFT_OVERLONG_PUNISHMENT_OPTIONS: Readonly<SoftOverlongPunishmentOptions> = Object.freeze({
  maxLength: 20_480,
  cacheLength: 4_096,
  countTokens: null,
  tokenCountKey: 'completionTokens',
});

export function resolveSoftOverlongPunishmentOptions(
  partial?: Partial<SoftOverlongPunishmentOptions>,
): SoftOverlongPunishmentOptions {
  const name = 'softOverlongPunishment';
  const o = resolveOptions(name, DEFAULT_SOFT_OVERLONG_PUNISHMENT_OPTIONS, partial);
  checkInteger(name, 'maxLength', o.maxLength, 1, Number.MAX_SAFE_INTEGER);
  checkInteger(name, 'cacheLength', o.cacheLength, 0, Number.MAX_SAFE_INTEGER);
  if (o.cacheLength > o.maxLength) {
    throw new Error(
      `${name}: cacheLength (${o.cacheLength}) must not exceed maxLength (${o.maxLength}); DAPO uses 4096 of 20480`,
    );
  }
  if (o.countTokens !== null && typeof o.countTokens !== 'function') {
    throw new Error(`${name}: option 'countTokens' must be a function completion => token count, or null`);
  }
  if (typeof o.tokenCountKey !== 'string' || o.tokenCountKey.length === 0) {
    throw new Error(`${name}: option 'tokenCountKey' must be a non-empty string`);
  }
  return o;
}

/** DAPO's R_length for a length in tokens. */
export function overlongPenalty(length: number, maxLength: number, cacheLength: number): number {
  const free = maxLength - cacheLength;
  if (length <= free) return 0;
  if (length > maxLength) return -1;
  return Math.max(-1, Math.min(0, (free - length) / cacheLength));
}

function tokensFromMeta(sample: Sample, key: string): number | null {
  const v = sample?.meta?.[key];
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (Array.isArray(v)) return v.length;
  if (ArrayBuffer.isView(v) && 'length' in v) return (v as unknown as { length: number }).length;
  return null;
}

/**
 * Makes the DAPO soft overlong punishment.
 *
 * @example softOverlongPunishment({ countTokens: (c) => tokenizer.encode(c).ids.length })
 */
export function softOverlongPunishment(options?: Partial<SoftOverlongPunishmentOptions>): RewardFn {
  const o = resolveSoftOverlongPunishmentOptions(options);
  return (completion, sample) => {
    if (typeof completion !== 'string') return null;
    const length =
      o.countTokens === null ? tokensFromMeta(sample, o.tokenCountKey) : measure(o.countTokens, completion);
    return length === null ? null : overlongPenalty(length, o.maxLength, o.cacheLength);
  };
}
