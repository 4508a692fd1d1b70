/**
 * The activity feed's background work: message volume. Every hour, each course with messages in the last complete
 * hour gets one `messages.hourly` entry with their count (none when there were none). The last three complete hours
 * are looked at each time, so a run missed (no worker for a while) is made up; an hour already recorded is skipped.
 */
import { periodic, type FeatureJobs } from '../queue/jobs.js';
import type { Services } from '../services.js';

const HOUR = 3_600_000;
/** How many complete hours each run looks back at. */
const LOOK_BACK_HOURS = 3;

/** Records the message volume of the last complete hours; returns how many entries were added. */
export async function recordRecentMessageVolume(services: Services, now = Date.now()): Promise<number> {
  const end = Math.floor(now / HOUR) * HOUR;
  let recorded = 0;
  for (let h = LOOK_BACK_HOURS; h >= 1; h--) {
    const from = new Date(end - h * HOUR);
    const to = new Date(end - (h - 1) * HOUR);
    recorded += await services.activity.recordMessageVolume(await services.rooms.messageVolume(from, to), from, to);
  }
  return recorded;
}

export const activityJobs: FeatureJobs = {
  periodic: [
    periodic({
      task: 'activity-message-volume',
      everyMs: 15 * 60_000,
      run: async (services) => ({ recorded: await recordRecentMessageVolume(services) }),
    }),
  ],
};
