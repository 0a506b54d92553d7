/**
 * The limits of one jailed run, with defaults and a resolver that rejects unknown keys and bad values up front.
 */

export interface RunLimits {
  /** Wall-clock limit in seconds. Default 6 (the evaluator's `--code-timeout` default). */
  wallSeconds: number;
  /** CPU-time limit in seconds, over every process of the run. Default: the wall-clock limit. */
  cpuSeconds: number;
  /** Memory in MiB, swap excluded (no swap is allowed). Default 1024. */
  memoryMb: number;
  /** Processes + threads. Default 64. */
  pids: number;
  /** CPU bandwidth in cores. Default 1. */
  cpuCores: number;
  /** Cap of stdout and of stderr, each, in bytes; past it the run is killed and `truncated` reported. Default 1 MiB. */
  outputBytes: number;
  /** Size cap of the jail's /tmp and of its working directory, each, in MiB (counted against memory). Default 64. */
  tmpMb: number;
  /** SIGTERM grace before SIGKILL on a timeout, in milliseconds. Default 100. */
  graceMs: number;
}

export const DEFAULT_RUN_LIMITS: Readonly<RunLimits> = Object.freeze({
  wallSeconds: 6,
  cpuSeconds: 6,
  memoryMb: 1024,
  pids: 64,
  cpuCores: 1,
  outputBytes: 1024 * 1024,
  tmpMb: 64,
  graceMs: 100,
});

/** The limits g++ compiles under, in its own jail. */
export const DEFAULT_COMPILE_LIMITS: Readonly<RunLimits> = Object.freeze({
  ...DEFAULT_RUN_LIMITS,
  wallSeconds: 30,
  cpuSeconds: 30,
  memoryMb: 2048,
  outputBytes: 64 * 1024 * 1024,
  tmpMb: 256,
});

const KEYS = Object.keys(DEFAULT_RUN_LIMITS) as (keyof RunLimits)[];

/**
 * Fills in defaults (`cpuSeconds` follows `wallSeconds` unless given) and checks every value.
 *
 * @example resolveRunLimits({ wallSeconds: 2, memoryMb: 256 })
 */
export function resolveRunLimits(partial: Partial<RunLimits> = {}, base: Readonly<RunLimits> = DEFAULT_RUN_LIMITS) {
  for (const key of Object.keys(partial)) {
    if (!KEYS.includes(key as keyof RunLimits)) {
      throw new TypeError(`unknown run limit "${key}"; known limits: ${KEYS.join(', ')}`);
    }
  }
  const limits: RunLimits = { ...base, ...partial };
  if (partial.cpuSeconds === undefined && partial.wallSeconds !== undefined) limits.cpuSeconds = partial.wallSeconds;
  for (const key of KEYS) {
    const v = limits[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (v === 0 && key !== 'graceMs')) {
      throw new TypeError(`run limit ${key} must be a positive number, got ${String(v)}`);
    }
  }
  if (limits.pids < 4) throw new TypeError(`run limit pids must be ≥ 4 (the jail itself needs 3), got ${limits.pids}`);
  if (limits.memoryMb < 16) throw new TypeError(`run limit memoryMb must be ≥ 16, got ${limits.memoryMb}`);
  return limits;
}
