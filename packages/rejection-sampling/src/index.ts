export { type BuilderOptions, DatasetBuilder, type Manifest } from './dataset-builder';
export { BENCHMARK_TEXT_FIELDS, ContaminationIndex, indexBenchmarkFile, wordNgrams } from './decontaminate';
export { Deduplicator, type DedupOptions, type Fingerprint, normalizeForDedup } from './dedup';
export { type FilterTracesOptions, filterTraces } from './filter-traces';
export {
  checkFormat,
  emptyReasonCounts,
  type FormatCheck,
  hasCodeBlock,
  isTruncated,
  languageShare,
  longestParagraph,
  REASONS,
  type Reason,
} from './filters';
export { jaccard, MinHasher, shingleHashes, similarity, words } from './minhash';
export { readNonReasoning } from './non-reasoning';
export {
  type BestNOrder,
  DEFAULT_FILTER_OPTIONS,
  type DedupMode,
  type FilterOptions,
  type OutputFormat,
  resolveFilterOptions,
  type SelectionPolicy,
  type TargetLanguage,
} from './options';
export { assistantContent, outputRow, type PromptView } from './output';
export {
  checkSameSettings,
  DEFAULT_RS_SAMPLING,
  generationSettings,
  type RejectionSampleOptions,
  type RSProgress,
  rejectionSample,
} from './rejection-sample';
export { type Selectable, selectTraces } from './select';
export { TraceCache, type TraceRecord } from './trace-cache';
export {
  type ProblemOutcome,
  type RejectedTrace,
  type RSProblem,
  type ScoredTrace,
  type Trace,
  TraceFilter,
} from './trace-filter';
export { readTraceGroups, type TraceGroup } from './trace-input';
export { type ResolvedVerifier, resolveVerifier, type TraceVerifier, type VerifierName } from './verifier';
