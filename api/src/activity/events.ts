/** A course's activity stream for its staff (`activity:<courseId>`): an entry was added to the activity feed. */
import { defineStream } from '../realtime/events.js';

export type ActivityEvent = { type: 'activity.added'; payload: { id: string } };

export const activityStream = defineStream<ActivityEvent>('activity');
