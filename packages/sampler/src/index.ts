export type {
  ChatMessage,
  Completion,
  Engine,
  FinishReason,
  GenerationRequest,
  LogprobsMode,
  SamplingParams,
} from './types';
export { DEFAULT_SAMPLING_PARAMS } from './types';
export { resolveSamplingParams } from './params';
export { createSampler, type Sampler } from './sampler';
export { createOpenAIEngine, type OpenAIEngineOptions } from './openai/engine';
export { EndpointError, type RetryOptions } from './openai/retry';
export { chooseToken, type TokenChoice, type TokenChoiceParams } from './logits';
export { StopMatcher } from './stop';
export { createRng, deriveSeed, hashString, type Uniform } from './rng';
