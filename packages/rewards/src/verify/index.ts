export { createAnswerEquivalence } from './answer-equivalence';
export type { Node as AnswerNode } from './ast';
export type { MatchType, StringMatchOptions, VerifyOptions } from './config';
export { DEFAULT_VERIFY_OPTIONS, fromMathVerifyOptions, resolveVerifyOptions } from './config';
export type { MathVerifyResult, ParsedAnswer, VerifyStatus } from './math-verify';
export { mathVerify, mathVerifyResolved, parseAnswer, verifyAnswer } from './math-verify';
