/** Live classes' background work: closing the presence of people whose heartbeats stopped (every 15 s). */
import { periodic, type FeatureJobs } from '../queue/jobs.js';

export const liveJobs: FeatureJobs = {
  periodic: [
    periodic({
      task: 'sweep-live-presence',
      everyMs: 15_000,
      // Stretches not renewed for longer than LIVE_GRACE_SECONDS close at their last sign of life (reason timeout).
      run: async (services) => ({ closed: await services.live.sweep() }),
    }),
  ],
};
