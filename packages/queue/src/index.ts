export { type ConnectOptions, checkRedis, connectRedis, maxmemoryPolicy, QueueConnectionError } from './connect';
export {
  type CoordinatorOptions,
  type CoordinatorProgress,
  type CoordinatorReport,
  type FailedJob,
  type QueueJob,
  QueueJobsFailed,
  runCoordinator,
} from './coordinator';
export { RateLimited, Unprocessable, WrongWorker } from './errors';
export { GENERATE_JOB_FORMAT, type GeneratedSample, type GenerateJobData } from './generate-job';
export { canonicalJson, jobId } from './job-id';
export { parseEndpointModelId, servesModel } from './model-id';
export { formatQueueProgress, formatSeconds } from './progress';
export { checkQueueName, parseRedisUrl, QueueUrlError, type RedisTarget } from './redis-url';
export { type ResultEnvelope, resultKeys, storeResult } from './results';
export { type QueuedRunIo, runQueuedJobs } from './run-queued';
export {
  DEFAULT_RESULT_TTL_SECONDS,
  type QueueWorker,
  startWorker,
  type WorkerEvent,
  type WorkerOptions,
} from './worker';
