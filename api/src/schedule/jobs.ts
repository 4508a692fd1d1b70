/** The schedule's background work: delivering reminders (one delayed job each) and queueing again those Redis lost. */
import { queueJobs, periodic, type FeatureJobs } from '../queue/jobs.js';

export const scheduleJobs: FeatureJobs = {
  queue: queueJobs({
    queue: 'reminders',
    // Delivery is at most once by the row (see ReminderService.deliver); a thrown error is retried with backoff.
    handle: (services, job) => {
      if (job.data.task !== 'remind') throw new Error(`unknown reminders task ${(job.data as { task: string }).task}`);
      return services.reminders.deliver(job.data);
    },
    // A worker that dies mid-delivery: its job is taken up again once its lock lapses.
    workerOptions: (config) => ({ lockDuration: config.reminderLockMs, stalledInterval: config.reminderLockMs, maxStalledCount: 3 }),
    // The last attempt failed: the reminder shows `failed` with the error, for instructors to see.
    onFailed: (services, job, err, last) => {
      if (last) void services.reminders.fail(job.data, err.message).catch(() => {});
    },
  }),
  periodic: [
    periodic({
      task: 'requeue-reminders',
      everyMs: 60_000,
      // Attendees who joined or left since their sessions were planned, then reminders whose job Redis lost.
      run: async (services) => ({
        synced: await services.reminders.syncUpcoming(),
        requeued: await services.reminders.requeueMissing(),
      }),
    }),
  ],
};
