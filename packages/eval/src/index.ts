export { meanAtK, passAtK } from './pass-at-k';
export { consAtK, type ConsAtKOptions, type ConsAtKResult, type VoteClass } from './cons-at-k';
export {
  bootstrapCI,
  DEFAULT_BOOTSTRAP_OPTIONS,
  pairedBootstrap,
  type BootstrapOptions,
  type Interval,
  type PairedDifference,
} from './bootstrap';
export { SampleCache, sampleKey, type SampleRecord } from './sample-cache';
export {
  aggregate,
  evaluate,
  problemResult,
  type EvalAggregate,
  type EvalProblem,
  type EvalProgress,
  type EvalResult,
  type EvaluateOptions,
  type ProblemResult,
  type ScoredCompletion,
} from './evaluate';
export { escapeXml, histogram, htmlPage, lineChart, niceTicks, type ChartOptions, type HistogramGroup, type Series } from './report/svg';
export { renderEvalHtml, renderEvalMarkdown, summaryOf, type EvalSummary, type ReportMeta } from './report/eval-report';
