/**
 * The live data of the AI tutor: a reply in progress as signals on its room's stream (rooms/events.ts), and the
 * user's budget after each reply as an event on the user's own stream (notifications/events.ts).
 */
import type { UsageView } from './service.js';

/** Signals on the room stream while a reply is produced: who asked, what is written so far, and how it ends. */
export interface TutorSignal {
  requestId: string;
  questionId: string;
  state: 'queued' | 'thinking' | 'streaming' | 'done' | 'failed' | 'cancelled' | 'refused';
  text: string;
}

export type TutorRoomSignal = { type: 'tutor'; payload: TutorSignal & { tenantId: string } };

/** On the user's stream: their tutor usage in a course after a reply. */
export type TutorUsageEvent = { type: 'tutor.usage'; payload: UsageView };
