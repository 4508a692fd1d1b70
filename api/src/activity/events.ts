/**
 * A course's activity stream for its staff (`activity:<courseId>`): an entry was added to the activity feed. The
 * event carries the whole entry (the same for every reader: staff only, checked per event), so followers render it
 * without a database read.
 */
import { defineStream } from '../realtime/events.js';

export interface ActivityEntryPayload {
  id: string;
  courseId: string;
  type: string;
  actorId: string | null;
  actorName: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export type ActivityEvent = { type: 'activity.added'; payload: ActivityEntryPayload };

export const activityStream = defineStream<ActivityEvent>('activity');
