/**
 * BullMQ workers: one per queue, started from what the features declare in their `jobs.ts` (api/src/jobs.ts lists
 * them), and the periodic tasks on the shared housekeeping queue. What a job does is the feature's business; this
 * file only runs them.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { QUEUES, connectionFromUrl, featureJobs, type Core, type JobPayloads, type PeriodicTask, type QueueJobs } from '@lt/api';

export interface WorkerHandle {
  close(): Promise<void>;
}

export async function startWorker(core: Core): Promise<WorkerHandle> {
  const { config, log, services } = core;
  const base = { connection: connectionFromUrl(config.redisUrl, true), prefix: config.queuePrefix, concurrency: config.workerConcurrency };
  const periodic = new Map<string, PeriodicTask>(featureJobs.flatMap((f) => f.periodic ?? []).map((t) => [t.task, t]));
  const queues = featureJobs.flatMap((f) => (f.queue ? [f.queue] : []));

  const housekeeping = new Worker<JobPayloads['housekeeping']>(
    QUEUES.housekeeping,
    async (job) => {
      const task = periodic.get(job.data.task);
      if (!task) throw new Error(`unknown housekeeping task ${job.data.task}`);
      return task.run(services);
    },
    { ...base, connection: connectionFromUrl(config.redisUrl, true) },
  );
  housekeeping.on('error', (err) => log.warn({ err: err.message }, 'worker: error'));
  housekeeping.on('failed', (job, err) => log.error({ jobId: job?.id, task: job?.data.task, err: err.message }, 'worker: job failed'));

  const workers = queues.map((def: QueueJobs) => {
    const w = new Worker(QUEUES[def.queue], (job: Job) => def.handle(services, job as never), {
      ...base,
      connection: connectionFromUrl(config.redisUrl, true),
      ...def.workerOptions?.(config),
    });
    w.on('error', (err) => log.warn({ err: err.message }, `worker (${def.queue}): error`));
    w.on('failed', (job, err) => {
      log.warn(
        { jobId: job?.id, task: job?.data?.task, attempts: job?.attemptsMade, err: err.message },
        `worker (${def.queue}): attempt failed`,
      );
      if (job) def.onFailed?.(services, job as never, err, job.attemptsMade >= (job.opts.attempts ?? 1));
    });
    return w;
  });

  // One repeatable schedule per task, however many workers run: BullMQ deduplicates by scheduler id.
  const scheduler = new Queue(QUEUES.housekeeping, { connection: connectionFromUrl(config.redisUrl, true), prefix: config.queuePrefix });
  scheduler.on('error', (err) => log.warn({ err: err.message }, 'worker: scheduler error'));
  for (const t of periodic.values())
    await scheduler.upsertJobScheduler(
      t.task,
      { every: t.everyMs },
      { name: t.task, data: { task: t.task } as JobPayloads['housekeeping'] },
    );
  log.info({ concurrency: config.workerConcurrency, queues: [QUEUES.housekeeping, ...queues.map((q) => q.queue)] }, 'worker: started');
  return {
    async close() {
      await Promise.all([housekeeping.close(), ...workers.map((w) => w.close())]);
      await scheduler.close();
    },
  };
}
