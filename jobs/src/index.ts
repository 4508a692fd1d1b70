/**
 * BullMQ workers. Each handler reloads what it needs from the database through the api's services, is
 * idempotent, and marks permanent failures so they are not retried.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { QUEUES, compactStreams, connectionFromUrl, type Core, type JobPayloads } from '@lt/api';

export interface WorkerHandle {
  close(): Promise<void>;
}

export async function handleHousekeeping(core: Core, job: Job<JobPayloads['housekeeping']>): Promise<{ deleted: number }> {
  switch (job.data.task) {
    case 'compact-streams': {
      const deleted = await compactStreams(core.services.database.db, core.config.streamRetentionDays);
      core.log.info({ deleted }, 'housekeeping: streams compacted');
      return { deleted };
    }
    default:
      throw new Error(`unknown housekeeping task ${(job.data as { task: string }).task}`);
  }
}

export async function startWorker(core: Core): Promise<WorkerHandle> {
  const { config, log } = core;
  const worker = new Worker<JobPayloads['housekeeping']>(QUEUES.housekeeping, (job) => handleHousekeeping(core, job), {
    connection: connectionFromUrl(config.redisUrl, true),
    concurrency: config.workerConcurrency,
  });
  worker.on('error', (err) => log.warn({ err: err.message }, 'worker: error'));
  worker.on('failed', (job, err) => log.error({ jobId: job?.id, err: err.message }, 'worker: job failed'));
  // One repeatable schedule, however many workers run: BullMQ deduplicates by scheduler id.
  const scheduler = new Queue(QUEUES.housekeeping, { connection: connectionFromUrl(config.redisUrl, true) });
  scheduler.on('error', (err) => log.warn({ err: err.message }, 'worker: scheduler error'));
  await scheduler.upsertJobScheduler('compact-streams', { every: 3_600_000 }, { name: 'compact-streams', data: { task: 'compact-streams' } });
  log.info({ concurrency: config.workerConcurrency }, 'worker: started');
  return {
    async close() {
      await worker.close();
      await scheduler.close();
    },
  };
}
