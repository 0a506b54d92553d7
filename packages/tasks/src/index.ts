export {
  ARITHMETIC_PRESETS,
  type ArithmeticMeta,
  type ArithmeticOptions,
  type ArithmeticPreset,
  type ArithmeticPromptStyle,
  type ArithmeticTask,
  arithmeticPrompt,
  arithmeticTask,
  DEFAULT_ARITHMETIC_OPTIONS,
  resolveArithmeticOptions,
} from './arithmetic';
export { arithmeticSolution, formatSteps, type SolutionOptions, type WorkedSolution } from './arithmetic-solution';
export {
  BENCHMARK_LAYOUTS,
  BENCHMARKS,
  type BenchmarkLayout,
  type BenchmarkName,
  type BenchmarkOptions,
  detectBenchmarkLayout,
  loadBenchmark,
  streamBenchmark,
} from './benchmarks';
export {
  CODE_FORMATS,
  type CodeDatasetOptions,
  type CodeFormat,
  type CodeRecord,
  type CodeRecordMeta,
  type CodeTestCases,
  loadCodeDataset,
  streamCodeDataset,
} from './code-datasets';
export {
  COUNTDOWN_PRESETS,
  type CountdownMeta,
  type CountdownOptions,
  type CountdownPreset,
  type CountdownPromptStyle,
  type CountdownTask,
  countdownCanonical,
  countdownPrompt,
  countdownTask,
  DEFAULT_COUNTDOWN_OPTIONS,
  resolveCountdownOptions,
} from './countdown';
export {
  type CountdownDatasetOptions,
  type CountdownFields,
  type CountdownRecord,
  DEFAULT_COUNTDOWN_FIELDS,
  loadCountdownDataset,
  streamCountdownDataset,
} from './countdown-dataset';
export {
  type BadRecordPolicy,
  type DatasetFormat,
  type DatasetOptions,
  type DatasetStats,
  type DatasetStream,
  datasetFields,
  formatOf,
  loadDataset,
  MAX_KEPT_ERRORS,
  streamDataset,
  streamMapped,
} from './dataset';
export { DatasetError, type DatasetErrorInit, type DatasetErrorKind } from './dataset-error';
export {
  type Expr,
  evaluateSteps,
  OPERATORS,
  type Operator,
  parseExpression,
  printExpression,
  type Step,
} from './expression';
export {
  ANSWER_FORMATS,
  type AnswerFormat,
  type DatasetRecord,
  type DatasetRecordMeta,
  DEFAULT_FIELD_MAPPING,
  type FieldMapping,
  resolveFieldMapping,
} from './field-mapping';
export { extractBoxedAnswer, extractGsm8kAnswer } from './gold';
export {
  BUILTIN_TASKS,
  type BuiltinTaskName,
  type BuiltinTaskOptions,
  type BuiltinTasks,
  createTask,
  isBuiltinTaskName,
} from './registry';
export { createRng, type Rng } from './rng';
export { hash53, type Split, splitOf } from './split';
export {
  type Draft,
  defineTask,
  type GenerateOptions,
  type StreamOptions,
  type Task,
  type TaskItem,
  type TaskRewardName,
  type TaskSpec,
} from './task';
