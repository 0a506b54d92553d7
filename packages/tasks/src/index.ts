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
  type Expr,
  evaluateSteps,
  OPERATORS,
  type Operator,
  parseExpression,
  printExpression,
  type Step,
} from './expression';
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
