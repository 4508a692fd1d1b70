/**
 * What a feature's `jobs.ts` declares: its queue's handler and worker settings, and the periodic tasks it runs on
 * the shared housekeeping queue. The worker process (jobs/) starts one BullMQ worker per queue from these and knows
 * nothing of what the jobs do. Handlers reload what they need through the services, are idempotent, and throw to be
 * retried with backoff.
 */
import type { Job, WorkerOptions } from 'bullmq';
import type { Config } from '../config.js';
import type { Services } from '../services.js';
import type { JobPayloads } from './queues.js';

type QueueName = Exclude<keyof JobPayloads, 'housekeeping'>;

export interface QueueJobs<N extends QueueName = QueueName> {
  queue: N;
  handle(services: Services, job: Job<JobPayloads[N]>): Promise<unknown>;
  /** Worker settings beyond the default concurrency (WORKER_CONCURRENCY). */
  workerOptions?(
    config: Config,
  ): Partial<Pick<WorkerOptions, 'concurrency' | 'limiter' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>>;
  /** An attempt failed (`last`: no retry follows). */
  onFailed?(services: Services, job: Job<JobPayloads[N]>, err: Error, last: boolean): void;
}

type HousekeepingTask = JobPayloads['housekeeping']['task'];

/** A periodic task on the housekeeping queue: one schedule however many workers run (BullMQ dedupes by id). */
export interface PeriodicTask<T extends HousekeepingTask = HousekeepingTask> {
  task: T;
  everyMs: number;
  run(services: Services): Promise<Record<string, number>>;
}

export interface FeatureJobs {
  queue?: QueueJobs<QueueName>;
  periodic?: readonly PeriodicTask[];
}

/** Typed constructors: a feature's queue and its handler's payload must agree. */
export const queueJobs = <N extends QueueName>(def: QueueJobs<N>): QueueJobs<QueueName> => def as unknown as QueueJobs<QueueName>;
export const periodic = <T extends HousekeepingTask>(def: PeriodicTask<T>): PeriodicTask => def;
