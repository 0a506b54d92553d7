export { type CgroupBackend, type CgroupLimits, type CgroupVersion, detectCgroups, type RunCgroup } from './cgroup';
export { type CodeRewardSample, codeReward } from './code-reward';
export {
  type CompareOptions,
  callResultMatches,
  canonicalDecimal,
  jsonEqual,
  normalizedLines,
  stdoutMismatch,
} from './compare';
export { SandboxUnavailableError } from './errors';
export { answerPart, type ExtractedProgram, extractCode, extractProgram } from './extract';
export {
  type CallTests,
  type CodeTests,
  type JudgeOptions,
  judge,
  type RewardMode,
  resolveJudgeOptions,
  STATUSES,
  type Status,
  type StdioTests,
  type TestVerdict,
  testsProblem,
  type Verdict,
} from './judge';
export { isLanguage, LANGUAGES, type Language, type Toolchain } from './languages';
export { DEFAULT_COMPILE_LIMITS, DEFAULT_RUN_LIMITS, type RunLimits, resolveRunLimits } from './limits';
export { defaultPool, Pool } from './pool';
export { type JailedResult, type SandboxHost, sandboxHost, type Termination } from './run-jailed';
export { compileProgram, type ProgramResult, runProgram, type SandboxOptions } from './run-program';
