/**
 * A live class's stream (`live:<classId>`) and a course's list of live classes (`live-course:<courseId>`).
 *
 * Class events carry snapshots (the question with its vote count, the poll with its tally, the hand), so a
 * subscriber renders them without a read, and a fan-out group renders each once. What only hosts see travels on
 * the same stream and is cut out for participants when the event is mapped: the author of an anonymous question,
 * a poll's tally while it is open, confusion, attendance.
 */
import { defineStream } from '../realtime/events.js';

export type LiveClassState = 'scheduled' | 'live' | 'ended';

export interface LiveHandView {
  userId: string;
  userName: string;
  raisedAt: string;
}

export interface LiveQuestionView {
  id: string;
  classId: string;
  body: string;
  /** Who asked: always here; cut out for participants when `anonymous`. */
  authorId: string;
  authorName: string;
  anonymous: boolean;
  status: 'open' | 'answered' | 'dismissed';
  votes: number;
  createdAt: string;
  answeredAt: string | null;
}

/** A question as rendered: the author null where it is cut (access.ts `questionForParticipant`). */
export type LiveQuestionOut = Omit<LiveQuestionView, 'authorId' | 'authorName'> & { authorId: string | null; authorName: string | null };

export interface LivePollView {
  id: string;
  classId: string;
  question: string;
  options: string[];
  status: 'open' | 'closed';
  /** Answers per option, in option order (hosts always; participants once closed). */
  tally: number[];
  total: number;
  createdAt: string;
  closedAt: string | null;
}

/** A poll as rendered: the tally null where it is hidden (access.ts `pollForParticipant`). */
export type LivePollOut = Omit<LivePollView, 'tally'> & { tally: number[] | null };

export interface LiveConfusionView {
  /** Distinct people who signalled within the window ending at `at`. */
  count: number;
  /** Participants present at `at` (the alert's denominator). */
  present: number;
  windowSeconds: number;
  alertPercent: number;
  alert: boolean;
  /** Topics given within the window, most signalled first (case- and space-insensitive grouping). */
  topics: { topic: string; count: number }[];
  /** The signals within the window (time and topic, no person), so a client can let them age out. */
  signals: { at: string; topic: string | null }[];
  at: string;
}

export interface LiveParticipantView {
  userId: string;
  userName: string;
  role: 'host' | 'participant';
  present: boolean;
}

export interface LiveAttendanceView {
  userId: string;
  userName: string;
  role: 'host' | 'participant';
  present: boolean;
  measuredMinutes: number;
  correctedMinutes: number | null;
  scheduledMinutes: number;
  joins: number;
  score: number | null;
  passbackState: 'none' | 'queued' | 'posted' | 'failed';
  passbackError: string | null;
  passbackAt: string | null;
}

export type LiveEvent =
  | {
      type: 'class.updated';
      payload: { classId: string; state: LiveClassState; startedAt: string | null; endedAt: string | null; recordingUrl: string | null };
    }
  | { type: 'participant.joined' | 'participant.left'; payload: { participant: LiveParticipantView } }
  | { type: 'hand.raised'; payload: { hand: LiveHandView } }
  | { type: 'hand.lowered'; payload: { userId: string; byHost: boolean } }
  | { type: 'hands.cleared'; payload: { count: number } }
  | { type: 'question.posted' | 'question.updated'; payload: { question: LiveQuestionView } }
  | { type: 'confusion.signalled'; payload: { confusion: LiveConfusionView } }
  | { type: 'poll.opened' | 'poll.answered' | 'poll.closed'; payload: { poll: LivePollView } }
  | { type: 'attendance.updated'; payload: { attendance: LiveAttendanceView } };

export const liveStream = defineStream<LiveEvent>('live');

/** A course's live classes being planned, changed, started and ended (the Live class tab's list follows it). */
export type LiveCourseEvent = {
  type: 'class.created' | 'class.updated' | 'class.deleted';
  payload: { classId: string; state: LiveClassState };
};

export const liveCourseStream = defineStream<LiveCourseEvent>('live-course');
