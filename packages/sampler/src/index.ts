export { type DrawnSample, drawMissing, missingRanges, planSamples, type SamplePlan } from './cache/draw-missing';
export { inBatches } from './cache/in-batches';
export { renderedPrompt, sampleKey } from './cache/sample-key';
export { type KeyedRecord, SampleLog, type SampleLogOptions } from './cache/sample-log';
export { createContinuousEngine } from './local/continuous';
export type {
  ContinuousEngine,
  ContinuousEngineOptions,
  ModelParts,
  SampleDelta,
  SubmitOptions,
  SwapResult,
} from './local/continuous-types';
export { createLocalEngine, type EngineTokenizer, type LocalEngineOptions } from './local/engine';
export { chooseToken, type TokenChoice, type TokenChoiceParams } from './logits';
export { createOpenAIEngine, type OpenAIEngineOptions } from './openai/engine';
export { type ListModelsOptions, listModels, normaliseBaseUrl } from './openai/list-models';
export { EndpointError, type RetryOptions } from './openai/retry';
export {
  getModelInfo,
  serverRoot,
  updateWeightsFromDisk,
  type WeightSyncClientOptions,
  type WeightUpdate,
} from './openai/weight-sync-client';
export { resolveSamplingParams } from './params';
export { createRng, deriveSeed, hashString, type Uniform } from './rng';
export { createSampler, type Sampler } from './sampler';
export {
  engineFromCheckpoint,
  type LocalCheckpointEngine,
  loadModelParts,
  servingEngineFromCheckpoint,
} from './serve/from-checkpoint';
export {
  createServe,
  createServeHandler,
  type RunningServer,
  type ServeController,
  type ServeOptions,
  startServer,
} from './serve/server';
export { StopMatcher } from './stop';
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
