/**
 * A class's events as each group of its subscribers gets them (`liveClassEvents`): hosts everything; participants
 * without what they may not see (the author of an anonymous question, a poll's tally while it is open) and without
 * confusion and attendance events at all.
 */
import type { StreamEvent } from '../realtime/realtime.js';
import type { LiveAttendanceView, LiveClassState, LiveConfusionView, LiveEvent, LiveHandView, LiveParticipantView } from './events.js';
import { pollForParticipant, questionForParticipant } from './access.js';
import type { LivePollOut, LiveQuestionOut } from './events.js';

/** An event of a class's stream as its subscribers get it (what a participant may not see already cut). */
export interface LiveClassEventOut {
  cursor: string;
  type: LiveEvent['type'];
  at: string;
  classId: string;
  state: LiveClassState | null;
  startedAt: string | null;
  endedAt: string | null;
  recordingUrl: string | null;
  participant: LiveParticipantView | null;
  hand: LiveHandView | null;
  userId: string | null;
  count: number | null;
  question: LiveQuestionOut | null;
  confusion: LiveConfusionView | null;
  poll: LivePollOut | null;
  attendance: LiveAttendanceView | null;
}

/** A class event as a subscriber of one group (hosts, participants) gets it; null: not for this group. */
export function toClassEvent(ev: StreamEvent<LiveEvent>, host: boolean): LiveClassEventOut | null {
  const classId = ev.stream.slice('live:'.length);
  const base: LiveClassEventOut = {
    cursor: String(ev.seq),
    type: ev.type,
    at: ev.at,
    classId,
    state: null,
    startedAt: null,
    endedAt: null,
    recordingUrl: null,
    participant: null,
    hand: null,
    userId: null,
    count: null,
    question: null,
    confusion: null,
    poll: null,
    attendance: null,
  };
  switch (ev.type) {
    case 'class.updated':
      return { ...base, ...ev.payload };
    case 'participant.joined':
    case 'participant.left':
      return { ...base, participant: ev.payload.participant, userId: ev.payload.participant.userId };
    case 'hand.raised':
      return { ...base, hand: ev.payload.hand, userId: ev.payload.hand.userId };
    case 'hand.lowered':
      return { ...base, userId: ev.payload.userId };
    case 'hands.cleared':
      return { ...base, count: ev.payload.count };
    case 'question.posted':
    case 'question.updated':
      return { ...base, question: host ? ev.payload.question : questionForParticipant(ev.payload.question) };
    case 'confusion.signalled':
      return host ? { ...base, confusion: ev.payload.confusion, count: ev.payload.confusion.count } : null;
    case 'poll.opened':
    case 'poll.answered':
    case 'poll.closed':
      return { ...base, poll: host ? ev.payload.poll : pollForParticipant(ev.payload.poll) };
    case 'attendance.updated':
      return host ? { ...base, attendance: ev.payload.attendance, userId: ev.payload.attendance.userId } : null;
  }
}
