/** LTI Advantage services as jobs: roster sync (NRPS) and grade passback (AGS), retried with backoff; and sweeping
 * expired launch state and keys. */
import { queueJobs, periodic, type FeatureJobs } from '../queue/jobs.js';

export const ltiJobs: FeatureJobs = {
  queue: queueJobs({
    queue: 'lti',
    handle: (services, job) => {
      const d = job.data;
      if (d.task === 'roster-sync') return services.lti.runRosterSync(d.courseId);
      if (d.task === 'post-score') return services.lti.runPostScore(d);
      throw new Error(`unknown lti task ${(d as { task: string }).task}`);
    },
  }),
  periodic: [
    periodic({
      task: 'sweep-lti',
      everyMs: 600_000,
      run: async (services) => ({ deleted: (await services.lti.tool.sweepLaunches()) + (await services.lti.tool.sweepKeys()) }),
    }),
  ],
};
