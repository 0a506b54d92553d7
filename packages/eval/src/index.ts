export {
  type BootstrapOptions,
  bootstrapCI,
  DEFAULT_BOOTSTRAP_OPTIONS,
  type Interval,
  type PairedDifference,
  pairedBootstrap,
} from './bootstrap';
export { type ConsAtKOptions, type ConsAtKResult, consAtK, consOfScored, type VoteClass } from './cons-at-k';
export {
  aggregate,
  type EvalAggregate,
  type EvalProblem,
  type EvalProgress,
  type EvalResult,
  type EvaluateOptions,
  evaluate,
  type ProblemResult,
  problemResult,
  type ScoredCompletion,
} from './evaluate';
export { meanAtK, passAtK, passAtKGrid } from './pass-at-k';
export { type EvalSummary, type ReportMeta, renderEvalHtml, renderEvalMarkdown, summaryOf } from './report/eval-report';
export {
  type ChartOptions,
  escapeXml,
  type HistogramGroup,
  histogram,
  htmlPage,
  lineChart,
  niceTicks,
  type Series,
} from './report/svg';
export { SampleCache, type SampleRecord, sampleKey } from './sample-cache';
export { type ScoredProblem, type ScoreSummary, type ScoreSummaryOptions, summarizeScores } from './score-summary';
