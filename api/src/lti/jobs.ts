/** LTI Advantage services as jobs: roster sync (NRPS) and grade passback (AGS), retried with backoff; and sweeping
 * expired launch state and keys. A score with an `origin` (a live class's attendance) is told back to its feature:
 * accepted, refused once more (still retried), or refused for good; a score whose origin has a newer version since
 * (an instructor's correction) is not posted at all, so a late retry never overwrites the newer one. */
import { queueJobs, periodic, type FeatureJobs } from '../queue/jobs.js';

export const ltiJobs: FeatureJobs = {
  queue: queueJobs({
    queue: 'lti',
    handle: async (services, job) => {
      const d = job.data;
      if (d.task === 'roster-sync') return services.lti.runRosterSync(d.courseId);
      if (d.task === 'post-score') {
        if (d.origin && !(await services.liveGrades.isCurrent(d.origin))) return { skipped: 'superseded' };
        await services.lti.runPostScore(d);
        if (d.origin) await services.liveGrades.passbackPosted(d.origin);
        return { posted: true };
      }
      throw new Error(`unknown lti task ${(d as { task: string }).task}`);
    },
    onFailed: (services, job, err, last) => {
      const d = job.data;
      if (d.task !== 'post-score' || !d.origin) return;
      const told = last
        ? services.liveGrades.passbackFailed(d.origin, err.message)
        : services.liveGrades.passbackRetrying(d.origin, err.message);
      void told.catch((e: unknown) => services.log.warn({ err: (e as Error).message, jobId: job.id }, 'lti: passback state not recorded'));
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
