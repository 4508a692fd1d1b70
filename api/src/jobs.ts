/** Every feature's background work, as the worker process (jobs/) starts it: a feature with jobs adds its `jobs.ts` here. */
import type { FeatureJobs } from './queue/jobs.js';
import { realtimeJobs } from './realtime/jobs.js';
import { ltiJobs } from './lti/jobs.js';
import { tutorJobs } from './tutor/jobs.js';
import { scheduleJobs } from './schedule/jobs.js';
import { activityJobs } from './activity/jobs.js';
import { liveJobs } from './live/jobs.js';
import { collabJobs } from './collab/jobs.js';

export const featureJobs: readonly FeatureJobs[] = [realtimeJobs, ltiJobs, tutorJobs, scheduleJobs, activityJobs, liveJobs, collabJobs];
