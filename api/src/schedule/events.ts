/**
 * A course's schedule stream (`schedule:<courseId>`): sessions, office-hour windows and bookings changing. Each
 * event carries ids and the facts authorization needs (audience, student, room, host); subscribers check every event
 * against the viewer (a learner never receives another learner's booking or question) and read the current row.
 */
import { defineStream } from '../realtime/events.js';

/** Who an event concerns, for per-event authorization without a database read. */
export interface ScheduleEventScope {
  audience: 'course' | 'student' | 'room';
  hostId: string;
  studentId: string | null;
  roomId: string | null;
}

export type ScheduleEvent =
  | {
      type: 'session.created' | 'session.updated' | 'session.cancelled';
      /** `previous`: the scope before a change of host or audience (those who could read it see it leave). */
      payload: { sessionId: string; scope: ScheduleEventScope; previous?: ScheduleEventScope };
    }
  | { type: 'window.published' | 'window.updated' | 'window.withdrawn'; payload: { windowId: string; hostId: string } }
  | {
      type: 'booking.created' | 'booking.cancelled';
      payload: { bookingId: string; windowId: string; hostId: string; studentId: string; startsAt: string; endsAt: string };
    }
  | { type: 'settings.updated'; payload: { timeZone: string; reminderOffsets: number[] } };

export const scheduleStream = defineStream<ScheduleEvent>('schedule');
