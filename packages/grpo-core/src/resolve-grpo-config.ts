/**
 * `resolveGRPOConfig(partial)`: defaults + overrides → a checked `ResolvedGRPOConfig`, or one `GRPOConfigError`
 * listing every problem at once, each with the field and how to fix it (unknown keys get "did you mean …?"). The
 * cross-field rules are TRL's `GRPOConfig.__post_init__` ones (generation batch divisible by numGenerations, …).
 * It fills in the derived fields (epsilonHigh, stepsPerGeneration, generationBatchSize) and is idempotent:
 * resolving a resolved config returns an equal one. It does not read files (see `loadGRPOConfigFile`).
 */
import { SCALE_REWARDS } from './advantages';
import {
  DEFAULT_GRPO_CONFIG,
  GRPO_CONFIG_KEYS,
  type GRPOConfig,
  LR_SCHEDULER_TYPES,
  MULTI_OBJECTIVE_AGGREGATIONS,
  type ResolvedGRPOConfig,
} from './grpo-config';
import { LOSS_TYPES } from './loss-aggregation';
import { camelToSnake, nearestName, snakeToCamel } from './nearest-name';

/** One problem with a config: the field (as the caller spelled it), what to do, and where, when from a file. */
export interface ConfigIssue {
  field: string;
  message: string;
  /** 1-based line in `GRPOConfigError.source`, when known. */
  line?: number;
}

export class GRPOConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  /** The config file the issues refer to, if any. */
  readonly source: string | undefined;
  constructor(issues: readonly ConfigIssue[], source?: string) {
    const where = (i: ConfigIssue) =>
      source === undefined ? '' : i.line === undefined ? `${source}: ` : `${source}:${i.line}: `;
    const header = source === undefined ? 'invalid GRPO config' : `invalid GRPO config file ${source}`;
    super(`${header}:\n${issues.map((i) => `  - ${where(i)}${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'GRPOConfigError';
    this.issues = issues;
    this.source = source;
  }
}

type Check = (value: unknown) => string | undefined;

const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v}]` : String(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function integer(min: number, hint = ''): Check {
  return (v) =>
    Number.isInteger(v) && (v as number) >= min ? undefined : `must be an integer ≥ ${min}, got ${show(v)}${hint}`;
}

function number(range: { gt?: number; ge?: number; lt?: number; le?: number }, hint = ''): Check {
  const { gt, ge, lt, le } = range;
  const parts = [
    gt !== undefined && `> ${gt}`,
    ge !== undefined && `≥ ${ge}`,
    lt !== undefined && `< ${lt}`,
    le !== undefined && `≤ ${le}`,
  ].filter(Boolean);
  const wanted = `must be a finite number${parts.length > 0 ? ` ${parts.join(' and ')}` : ''}`;
  return (v) => {
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) {
      return `${wanted}, got the string ${show(v)}; write it without quotes`;
    }
    const ok =
      isNumber(v) &&
      (gt === undefined || v > gt) &&
      (ge === undefined || v >= ge) &&
      (lt === undefined || v < lt) &&
      (le === undefined || v <= le);
    return ok ? undefined : `${wanted}, got ${show(v)}${hint}`;
  };
}

function nullable(check: Check): Check {
  return (v) => (v === null ? undefined : check(v));
}

function oneOf(values: readonly string[]): Check {
  return (v) => {
    if (typeof v === 'string' && values.includes(v)) return undefined;
    const near = typeof v === 'string' ? nearestName(v, values) : undefined;
    return `must be one of ${values.map((x) => `'${x}'`).join(', ')}, got ${show(v)}${near ? ` — did you mean '${near}'?` : ''}`;
  };
}

const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false, got ${show(v)}`);

const text: Check = (v) =>
  typeof v === 'string' && v.trim() !== '' ? undefined : `must be a non-empty string, got ${show(v)}`;

const rewardNames: Check = (v) => {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.trim() !== '')) {
    return `must be a non-empty list of reward function names, e.g. ['accuracy', 'format'], got ${show(v)}`;
  }
  const duplicate = v.find((x, i) => v.indexOf(x) !== i);
  return duplicate === undefined ? undefined : `lists '${duplicate}' twice; name each reward function once`;
};

const weights: Check = (v) =>
  v === null || (Array.isArray(v) && v.every(isNumber))
    ? undefined
    : `must be a list of finite numbers (one per reward function) or null, got ${show(v)}`;

const RULES: { [K in keyof GRPOConfig]: Check } = {
  outputDir: text,
  runName: nullable(text),
  seed: integer(0, '; use any whole number, e.g. 42'),
  numGenerations: integer(2, '; GRPO compares completions of the same prompt, so sample at least 2 per prompt'),
  perDeviceTrainBatchSize: integer(1),
  gradientAccumulationSteps: integer(1),
  stepsPerGeneration: nullable(integer(1)),
  generationBatchSize: nullable(integer(1)),
  maxPromptLength: integer(1),
  maxCompletionLength: integer(1),
  temperature: number({ gt: 0 }, '; use a small value like 0.01 for near-greedy sampling'),
  topP: number({ gt: 0, le: 1 }, '; use 1.0 to disable nucleus sampling'),
  topK: integer(0, '; use 0 to disable top-k'),
  minP: nullable(number({ ge: 0, le: 1 }, '; use null to disable min-p')),
  repetitionPenalty: number({ gt: 0 }, '; use 1.0 for no penalty'),
  beta: number({ ge: 0 }, '; use 0 to train without a KL penalty'),
  epsilon: number({ gt: 0, lt: 1 }, '; 0.2 is the usual value'),
  epsilonHigh: nullable(number({ gt: 0 }, '; DAPO uses 0.28, null means "same as epsilon"')),
  numIterations: integer(1),
  lossType: oneOf(LOSS_TYPES),
  scaleRewards: oneOf(SCALE_REWARDS),
  maskTruncatedCompletions: boolean,
  softPunishCache: integer(0, '; use 0 to turn soft overlong punishment off'),
  rewardFuncs: rewardNames,
  rewardWeights: weights,
  multiObjectiveAggregation: oneOf(MULTI_OBJECTIVE_AGGREGATIONS),
  dynamicSampling: boolean,
  maxNumGenBatches: integer(1),
  learningRate: number({ gt: 0 }, '; GRPO on LLMs typically uses 1e-6 to 3e-6'),
  lrSchedulerType: oneOf(LR_SCHEDULER_TYPES),
  warmupRatio: number({ ge: 0, lt: 1 }),
  warmupSteps: integer(0),
  weightDecay: number({ ge: 0 }),
  adamBeta1: number({ ge: 0, lt: 1 }),
  adamBeta2: number({ ge: 0, lt: 1 }),
  adamEpsilon: number({ gt: 0 }),
  maxGradNorm: number({ ge: 0 }, '; use 0 to turn gradient clipping off'),
  maxSteps: integer(1),
  loggingSteps: integer(1),
  saveSteps: integer(1),
  evalSteps: nullable(integer(1, '; use null to never evaluate')),
};

/** TRL / transformers options people carry over that @r1 deliberately lacks, with what to do instead. */
const NOT_SUPPORTED: Record<string, string> = {
  numTrainEpochs: 'the loop counts optimiser steps only; set maxSteps instead',
  useVllm: 'generation runs on the @r1 sampler; remove it',
  bf16: 'precision is the tfjs backend’s (float32); remove it',
  fp16: 'precision is the tfjs backend’s (float32); remove it',
  gradientCheckpointing: 'not implemented in @r1; remove it',
  delta: 'two-sided clipping (INTELLECT-2) is not implemented; remove it',
  importanceSamplingLevel: 'sequence-level ratios (GSPO) are not implemented; remove it',
  reportTo: 'metrics go to the run directory; remove it',
};

/** The message for a key that is not a GRPOConfig field, in the caller's naming style. */
function unknownKeyMessage(key: string): string {
  const camel = snakeToCamel(key);
  const styled = (name: string) => (key.includes('_') ? camelToSnake(name) : name);
  if (camel !== key && (GRPO_CONFIG_KEYS as readonly string[]).includes(camel)) {
    return `unknown option; in code use the camelCase name ${camel} (config files accept ${key})`;
  }
  const reason = Object.hasOwn(NOT_SUPPORTED, camel) ? NOT_SUPPORTED[camel] : undefined;
  if (reason !== undefined) return `not supported by @r1: ${reason}`;
  const near = nearestName(key, GRPO_CONFIG_KEYS);
  return near === undefined
    ? `unknown option; valid options are listed in GRPOConfig (e.g. ${styled('numGenerations')}, ${styled('learningRate')})`
    : `unknown option — did you mean ${styled(near)}?`;
}

/**
 * Merges `partial` over `DEFAULT_GRPO_CONFIG`, checks every field and the cross-field invariants, and fills in the
 * derived fields. `undefined` values mean "use the default".
 *
 * @throws GRPOConfigError listing every problem, each with its fix
 * @example
 * ```ts
 * const config = resolveGRPOConfig({ numGenerations: 4, perDeviceTrainBatchSize: 8, lossType: 'dr_grpo' });
 * resolveGRPOConfig({ numGeneration: 4 } as never); // throws: numGeneration: unknown option — did you mean numGenerations?
 * ```
 */
export function resolveGRPOConfig(partial: Partial<GRPOConfig> = {}): ResolvedGRPOConfig {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw new GRPOConfigError([{ field: '(config)', message: `must be an object of options, got ${show(partial)}` }]);
  }
  const issues: ConfigIssue[] = [];
  const merged: Record<string, unknown> = { ...DEFAULT_GRPO_CONFIG };
  for (const [key, value] of Object.entries(partial)) {
    if (!Object.hasOwn(RULES, key)) issues.push({ field: key, message: unknownKeyMessage(key) });
    else if (value !== undefined) merged[key] = value;
  }
  // The result owns its arrays: later edits neither reach the caller's object nor DEFAULT_GRPO_CONFIG.
  for (const [key, value] of Object.entries(merged)) if (Array.isArray(value)) merged[key] = [...value];
  for (const key of GRPO_CONFIG_KEYS) {
    const message = RULES[key](merged[key]);
    if (message !== undefined) issues.push({ field: key, message });
  }
  if (issues.length === 0) issues.push(...crossFieldIssues(merged as unknown as GRPOConfig));
  if (issues.length > 0) throw new GRPOConfigError(issues);
  return withDerived(merged as unknown as GRPOConfig);
}

/** TRL's derivation: an explicit generationBatchSize fixes stepsPerGeneration, else stepsPerGeneration (default
 * gradientAccumulationSteps) fixes generationBatchSize. */
function generationSizes(c: GRPOConfig): { stepsPerGeneration: number; generationBatchSize: number } {
  if (c.generationBatchSize !== null && c.stepsPerGeneration === null) {
    return {
      generationBatchSize: c.generationBatchSize,
      stepsPerGeneration: c.generationBatchSize / c.perDeviceTrainBatchSize,
    };
  }
  const stepsPerGeneration = c.stepsPerGeneration ?? c.gradientAccumulationSteps;
  return {
    stepsPerGeneration,
    generationBatchSize: c.generationBatchSize ?? c.perDeviceTrainBatchSize * stepsPerGeneration,
  };
}

function crossFieldIssues(c: GRPOConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { stepsPerGeneration, generationBatchSize } = generationSizes(c);
  if (c.stepsPerGeneration !== null && c.generationBatchSize !== null) {
    if (c.generationBatchSize !== c.perDeviceTrainBatchSize * c.stepsPerGeneration) {
      issues.push({
        field: 'generationBatchSize',
        message:
          `${c.generationBatchSize} ≠ perDeviceTrainBatchSize × stepsPerGeneration = ` +
          `${c.perDeviceTrainBatchSize} × ${c.stepsPerGeneration}; set only one of generationBatchSize and ` +
          'stepsPerGeneration (TRL: they are mutually exclusive)',
      });
    }
  }
  const derivation =
    c.generationBatchSize === null
      ? ` (= perDeviceTrainBatchSize ${c.perDeviceTrainBatchSize} × stepsPerGeneration ${stepsPerGeneration})`
      : '';
  if (generationBatchSize % c.numGenerations !== 0) {
    issues.push({
      field: 'generationBatchSize',
      message:
        `${generationBatchSize}${derivation} must be divisible by numGenerations ${c.numGenerations} so every ` +
        `prompt gets a full group; make perDeviceTrainBatchSize a multiple of ${c.numGenerations}, or change ` +
        'numGenerations',
    });
  }
  if (generationBatchSize % c.perDeviceTrainBatchSize !== 0) {
    issues.push({
      field: 'generationBatchSize',
      message:
        `${generationBatchSize} must be divisible by perDeviceTrainBatchSize ${c.perDeviceTrainBatchSize} so it splits ` +
        'into whole micro-batches',
    });
  }
  if (c.rewardWeights !== null && c.rewardWeights.length !== c.rewardFuncs.length) {
    issues.push({
      field: 'rewardWeights',
      message:
        `has ${c.rewardWeights.length} weights for ${c.rewardFuncs.length} reward functions ` +
        `(${c.rewardFuncs.join(', ')}); give one weight per function, or null for all 1`,
    });
  }
  if (c.softPunishCache >= c.maxCompletionLength) {
    issues.push({
      field: 'softPunishCache',
      message:
        `${c.softPunishCache} must be below maxCompletionLength ${c.maxCompletionLength}: the penalty starts ` +
        'softPunishCache tokens before the limit (DAPO uses 4096 of 20480)',
    });
  }
  if (c.warmupSteps > 0 && c.warmupRatio > 0) {
    issues.push({
      field: 'warmupSteps',
      message: `and warmupRatio are both set (${c.warmupSteps}, ${c.warmupRatio}); set only one of them`,
    });
  }
  if (c.warmupSteps > c.maxSteps) {
    issues.push({
      field: 'warmupSteps',
      message: `${c.warmupSteps} exceeds maxSteps ${c.maxSteps}; the learning rate would never reach its peak`,
    });
  }
  return issues;
}

function withDerived(c: GRPOConfig): ResolvedGRPOConfig {
  return { ...c, epsilonHigh: c.epsilonHigh ?? c.epsilon, ...generationSizes(c) };
}
