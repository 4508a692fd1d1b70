/**
 * Collab background work: compacting a document's update log into its snapshot (one job per document, queued when
 * an update takes the log over COLLAB_COMPACT_UPDATES / COLLAB_COMPACT_BYTES), and a sweep every 5 minutes that
 * queues what was missed (a failed enqueue, a worker that died).
 */
import { periodic, queueJobs, type FeatureJobs } from '../queue/jobs.js';

export const collabJobs: FeatureJobs = {
  queue: queueJobs({
    queue: 'collab',
    // Idempotent: a compaction that finds nothing to merge, or loses to another, does nothing.
    handle: (services, job) => {
      if (job.data.task !== 'compact') throw new Error(`unknown collab task ${(job.data as { task: string }).task}`);
      return services.collabDocuments.compact(job.data.documentId);
    },
  }),
  periodic: [
    periodic({
      task: 'sweep-collab-compaction',
      everyMs: 5 * 60_000,
      run: async (services) => ({ queued: await services.collabDocuments.sweepCompaction() }),
    }),
  ],
};
