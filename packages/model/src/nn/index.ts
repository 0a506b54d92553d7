export {
  DEFAULT_MODEL_CONFIG,
  DEFAULT_MOE_CONFIG,
  isMoeConfig,
  isMoeLayer,
  type ModelConfig,
  ModelConfigError,
  type ModelType,
  type MoeConfig,
  resolveModelConfig,
  type ScoringFunc,
  toHfConfig,
} from './config';
export { type ParamSpec, parameterSpecs } from './init';
export { KVCache, type LayerKV } from './kv-cache';
export { type CreateModelOptions, createModel } from './model';
export type {
  ForwardOptions,
  Model,
  MoeAux,
  MoeBiasUpdateOptions,
  MoeDispatch,
  MoeLoad,
  PrefillResult,
  ScoreOptions,
  TokenScores,
} from './types';
