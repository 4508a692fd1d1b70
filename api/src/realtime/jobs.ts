/** The realtime module's housekeeping: stream events older than the retention window are compacted away. */
import { periodic, type FeatureJobs } from '../queue/jobs.js';
import { compactStreams } from './compaction.js';

export const realtimeJobs: FeatureJobs = {
  periodic: [
    periodic({
      task: 'compact-streams',
      everyMs: 3_600_000,
      run: async (services) => {
        const deleted = await compactStreams(services.database.db, services.config.streamRetentionDays);
        services.log.info({ deleted }, 'housekeeping: streams compacted');
        return { deleted };
      },
    }),
  ],
};
