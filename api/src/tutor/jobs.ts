/** The tutor's background work: replies (one job per question) and taking up replies a dead worker left. */
import { queueJobs, periodic, type FeatureJobs } from '../queue/jobs.js';

export const tutorJobs: FeatureJobs = {
  queue: queueJobs({
    queue: 'tutor',
    // The service does the work; a retryable provider error throws, and BullMQ retries with backoff.
    handle: (services, job) => {
      if (job.data.task !== 'reply') throw new Error(`unknown tutor task ${(job.data as { task: string }).task}`);
      return services.tutor.run(job.data.requestId, String(job.id));
    },
    // Concurrency per worker, a global rate of provider calls (BullMQ's limiter is shared through Redis by every
    // worker), and a lock after which a dead worker's job is taken up again.
    workerOptions: (config) => ({
      concurrency: config.tutorConcurrency,
      limiter: { max: config.tutorCallsPerMinute, duration: 60_000 },
      lockDuration: config.tutorLockMs,
      stalledInterval: config.tutorLockMs,
      maxStalledCount: 3,
    }),
    // The last attempt: the request fails for good and the room says so; unless another delivery is producing it
    // (TutorBusyError), which then finishes it.
    onFailed: (services, job, err, last) => {
      if (last && err.name !== 'TutorBusyError') void services.tutor.fail(job.data.requestId, err.message).catch(() => {});
    },
  }),
  periodic: [
    periodic({ task: 'requeue-tutor', everyMs: 60_000, run: async (services) => ({ requeued: await services.tutor.requeueStale() }) }),
  ],
};
