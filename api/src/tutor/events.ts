/**
 * The live data of the AI tutor: a reply in progress as signals on its room's stream (rooms/events.ts), the
 * user's budget after each reply as an event on the user's own stream (notifications/events.ts), and the course's
 * usage report, one event per ledger row, on the course's tutor report stream (staff only).
 */
import { defineStream } from '../realtime/events.js';
import type { UsageView } from './service.js';

/** Signals on the room stream while a reply is produced: who asked, what is written so far, and how it ends. */
export interface TutorSignal {
  requestId: string;
  questionId: string;
  state: 'queued' | 'thinking' | 'streaming' | 'done' | 'failed' | 'cancelled' | 'refused';
  text: string;
}

export type TutorRoomSignal = { type: 'tutor'; payload: TutorSignal & { tenantId: string } };

/** On the user's stream: their tutor usage in a course after a reply, a refusal or a change of the budgets. */
export type TutorUsageEvent = { type: 'tutor.usage'; payload: UsageView };

/**
 * One row of the usage ledger as the course's report adds it: a provider call (`calls` 1) or a refused question
 * (`refused` 1, no tokens). Written in the transaction that writes the row, so a report read with its stream's
 * head reflects exactly the events up to that head.
 */
export interface TutorReportEntry {
  userId: string;
  name: string;
  /** The student's tutor room in the course (staff read it), if they have one. */
  tutorRoomId: string | null;
  /** YYYY-MM-DD (UTC), as the report's days. */
  day: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  calls: number;
  refused: number;
}

export type TutorReportEvent = { type: 'usage.recorded'; payload: TutorReportEntry };

/** `tutor-report:<courseId>`: what the course's usage report follows (staff, and API keys that read the course). */
export const tutorReportStream = defineStream<TutorReportEvent>('tutor-report');
