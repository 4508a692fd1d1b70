/**
 * BullMQ workers. Each handler reloads what it needs from the database through the api's services, is
 * idempotent, and marks permanent failures so they are not retried.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { QUEUES, compactStreams, connectionFromUrl, type Core, type JobPayloads } from '@lt/api';

export interface WorkerHandle {
  close(): Promise<void>;
}

export async function handleHousekeeping(core: Core, job: Job<JobPayloads['housekeeping']>): Promise<{ deleted: number; requeued?: number }> {
  switch (job.data.task) {
    case 'sweep-lti': {
      const deleted = (await core.services.lti.tool.sweepLaunches()) + (await core.services.lti.tool.sweepKeys());
      return { deleted };
    }
    case 'requeue-tutor': {
      const requeued = await core.services.tutor.requeueStale();
      return { deleted: 0, requeued };
    }
    case 'compact-streams': {
      const deleted = await compactStreams(core.services.database.db, core.config.streamRetentionDays);
      core.log.info({ deleted }, 'housekeeping: streams compacted');
      return { deleted };
    }
    default:
      throw new Error(`unknown housekeeping task ${(job.data as { task: string }).task}`);
  }
}

/** LTI services jobs: roster sync (NRPS) and grade passback (AGS). Both are retried with backoff by BullMQ. */
export async function handleLti(core: Core, job: Job<JobPayloads['lti']>): Promise<unknown> {
  const d = job.data;
  if (d.task === 'roster-sync') return core.services.lti.runRosterSync(d.courseId);
  if (d.task === 'post-score') return core.services.lti.runPostScore(d);
  throw new Error(`unknown lti task ${(d as { task: string }).task}`);
}

/** A tutor reply: the service does the work; a retryable provider error throws, and BullMQ retries with backoff. */
export async function handleTutor(core: Core, job: Job<JobPayloads['tutor']>): Promise<unknown> {
  if (job.data.task !== 'reply') throw new Error(`unknown tutor task ${(job.data as { task: string }).task}`);
  return core.services.tutor.run(job.data.requestId, String(job.id));
}

export async function startWorker(core: Core): Promise<WorkerHandle> {
  const { config, log } = core;
  const worker = new Worker<JobPayloads['housekeeping']>(QUEUES.housekeeping, (job) => handleHousekeeping(core, job), {
    connection: connectionFromUrl(config.redisUrl, true),
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
  });
  worker.on('error', (err) => log.warn({ err: err.message }, 'worker: error'));
  const ltiWorker = new Worker<JobPayloads['lti']>(QUEUES.lti, (job) => handleLti(core, job), {
    connection: connectionFromUrl(config.redisUrl, true),
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
  });
  ltiWorker.on('error', (err) => log.warn({ err: err.message }, 'worker (lti): error'));
  ltiWorker.on('failed', (job, err) => log.warn({ jobId: job?.id, task: job?.data.task, attempts: job?.attemptsMade, err: err.message }, 'worker (lti): attempt failed'));
  worker.on('failed', (job, err) => log.error({ jobId: job?.id, err: err.message }, 'worker: job failed'));
  // Tutor replies: concurrency per worker, a global rate of provider calls (BullMQ's limiter is shared
  // through Redis by every worker), and a lock after which a dead worker's job is taken up again.
  const tutorWorker = new Worker<JobPayloads['tutor']>(QUEUES.tutor, (job) => handleTutor(core, job), {
    connection: connectionFromUrl(config.redisUrl, true),
    prefix: config.queuePrefix,
    concurrency: config.tutorConcurrency,
    limiter: { max: config.tutorCallsPerMinute, duration: 60_000 },
    lockDuration: config.tutorLockMs,
    stalledInterval: config.tutorLockMs,
    maxStalledCount: 3,
  });
  tutorWorker.on('error', (err) => log.warn({ err: err.message }, 'worker (tutor): error'));
  tutorWorker.on('failed', (job, err) => {
    log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'worker (tutor): attempt failed');
    // The last attempt: the request fails for good and the room says so; unless another delivery is producing
    // it (TutorBusyError), which then finishes it.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1) && err.name !== 'TutorBusyError') void core.services.tutor.fail(job.data.requestId, err.message).catch(() => {});
  });
  // One repeatable schedule, however many workers run: BullMQ deduplicates by scheduler id.
  const scheduler = new Queue(QUEUES.housekeeping, { connection: connectionFromUrl(config.redisUrl, true), prefix: config.queuePrefix });
  scheduler.on('error', (err) => log.warn({ err: err.message }, 'worker: scheduler error'));
  await scheduler.upsertJobScheduler('compact-streams', { every: 3_600_000 }, { name: 'compact-streams', data: { task: 'compact-streams' } });
  await scheduler.upsertJobScheduler('sweep-lti', { every: 600_000 }, { name: 'sweep-lti', data: { task: 'sweep-lti' } });
  await scheduler.upsertJobScheduler('requeue-tutor', { every: 60_000 }, { name: 'requeue-tutor', data: { task: 'requeue-tutor' } });
  log.info({ concurrency: config.workerConcurrency }, 'worker: started');
  return {
    async close() {
      await Promise.all([worker.close(), ltiWorker.close(), tutorWorker.close()]);
      await scheduler.close();
    },
  };
}
