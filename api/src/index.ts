/** The api package's public surface, used by the process entry, the worker and tests. */
export { loadConfig, ConfigError, type Config, type Role } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { openCore, buildApi, type Core, type ApiServer, type ApiOptions } from './app.js';
export { RedisUnavailableError } from './redis.js';
export { QUEUES, connectionFromUrl, createQueue, type JobPayloads } from './queue/queues.js';
export { featureJobs } from './jobs.js';
export type { FeatureJobs, PeriodicTask, QueueJobs } from './queue/jobs.js';
export type { Services } from './services.js';
