/**
 * The live dashboard's state, as plain functions: snapshots of the course (`liveDashboard`) replace what is held,
 * events of the class in progress (`liveClassEvents`) are merged into its class at once, and an event a snapshot
 * does not reflect yet (snapshots come at most every 2 s; events at once) is applied again over that snapshot, so a
 * hand or a vote never disappears and comes back.
 *
 * Merges are keyed and idempotent: a replayed event leaves the state as it is.
 */
import type { DashboardClass, DashboardClassEvent, LiveDashboardData } from '../graphql/live-dashboard';

type Question = DashboardClass['questions'][number];
type Poll = DashboardClass['polls'][number];
type Participant = DashboardClass['participants'][number];

export interface DashboardState {
  dashboard: LiveDashboardData | null;
  /** Events of the class in progress newer than the snapshot's class cursor, oldest first. */
  pending: readonly DashboardClassEvent[];
}

/** How many class events are kept to re-apply over a late snapshot (a snapshot is at most a few seconds behind). */
const PENDING_MAX = 500;

export const emptyDashboard = (): DashboardState => ({ dashboard: null, pending: [] });

/** Stream cursors are decimal sequence numbers; anything else counts as "not known to be older". */
function seq(cursor: string | null | undefined): number | null {
  return cursor && /^\d+$/.test(cursor) ? Number(cursor) : null;
}

/** True when the event is reflected by a class read at `cursor` already. */
function reflected(ev: DashboardClassEvent, cursor: string): boolean {
  const a = seq(ev.cursor);
  const b = seq(cursor);
  return a !== null && b !== null && a <= b;
}

function upsert<T>(list: readonly T[], item: T, key: (x: T) => string): T[] {
  const k = key(item);
  const i = list.findIndex((x) => key(x) === k);
  if (i < 0) return [...list, item];
  const out = list.slice();
  out[i] = item;
  return out;
}

/** One event merged into the class it belongs to (an event of another class leaves it as it is). */
export function mergeClassEvent(c: DashboardClass, ev: DashboardClassEvent): DashboardClass {
  if (ev.classId !== c.id) return c;
  const next = { ...c, cursor: reflected(ev, c.cursor) ? c.cursor : ev.cursor };
  switch (ev.type) {
    case 'CLASS_UPDATED':
      return { ...next, state: ev.state ?? c.state, startedAt: ev.startedAt ?? c.startedAt, endedAt: ev.endedAt ?? c.endedAt };
    case 'PARTICIPANT_JOINED':
    case 'PARTICIPANT_LEFT':
      return ev.participant ? { ...next, participants: upsert<Participant>(c.participants, ev.participant, (p) => p.userId) } : next;
    case 'HAND_RAISED':
      return ev.hand && !c.hands.some((h) => h.userId === ev.hand!.userId) ? { ...next, hands: [...c.hands, ev.hand] } : next;
    case 'HAND_LOWERED':
      return { ...next, hands: c.hands.filter((h) => h.userId !== ev.userId) };
    case 'HANDS_CLEARED':
      return { ...next, hands: [] };
    case 'QUESTION_POSTED':
    case 'QUESTION_UPDATED':
      return ev.question ? { ...next, questions: upsert<Question>(c.questions, ev.question, (q) => q.id) } : next;
    case 'POLL_OPENED':
    case 'POLL_ANSWERED':
    case 'POLL_CLOSED':
      return ev.poll ? { ...next, polls: upsert<Poll>(c.polls, ev.poll, (p) => p.id) } : next;
    case 'CONFUSION_SIGNALLED':
      return ev.confusion ? { ...next, confusion: ev.confusion } : next;
    default:
      return next;
  }
}

/** A class event: merged into the class in progress, and kept until a snapshot reflects it. */
export function applyClassEvent(state: DashboardState, ev: DashboardClassEvent): DashboardState {
  const d = state.dashboard;
  if (!d?.liveClass || d.liveClass.id !== ev.classId || reflected(ev, d.liveClass.cursor)) return state;
  const pending = [...state.pending, ev];
  return {
    dashboard: { ...d, liveClass: mergeClassEvent(d.liveClass, ev) },
    pending: pending.length > PENDING_MAX ? pending.slice(-PENDING_MAX) : pending,
  };
}

/** A snapshot replaces what is held; the class events it does not reflect yet are applied again over it. */
export function applySnapshot(state: DashboardState, snapshot: LiveDashboardData): DashboardState {
  const c = snapshot.liveClass;
  if (!c) return { dashboard: snapshot, pending: [] };
  const pending = state.pending.filter((ev) => ev.classId === c.id && !reflected(ev, c.cursor));
  return { dashboard: { ...snapshot, liveClass: pending.reduce(mergeClassEvent, c) }, pending };
}

/** The figures the cards show, from the class in progress where there is one (it is the freshest), else the snapshot. */
export interface DashboardFigures {
  hands: DashboardClass['hands'];
  /** Open questions, most votes first, ties by time. */
  openQuestions: Question[];
  /** Admitted students (not hosts) present now, and admitted in all. */
  present: number;
  admitted: number;
  /** The poll to show: the open one, else the latest closed. */
  poll: Poll | null;
}

export function dashboardFigures(d: LiveDashboardData): DashboardFigures {
  const c = d.liveClass;
  if (!c) return { hands: [], openQuestions: [], present: d.present, admitted: d.admitted, poll: null };
  const students = c.participants.filter((p) => p.role === 'PARTICIPANT');
  const byTime = (a: { createdAt: string }, b: { createdAt: string }) => Date.parse(a.createdAt) - Date.parse(b.createdAt);
  const polls = [...c.polls].sort((a, b) => byTime(b, a));
  return {
    hands: [...c.hands].sort((a, b) => Date.parse(a.raisedAt) - Date.parse(b.raisedAt)),
    openQuestions: c.questions.filter((q) => q.status === 'OPEN').sort((a, b) => b.votes - a.votes || byTime(a, b)),
    present: students.filter((p) => p.present).length,
    admitted: students.length,
    poll: polls.find((p) => p.status === 'OPEN') ?? polls[0] ?? null,
  };
}

/** "45 s", "3 min", "1 h 05 min": a wait as people say it. */
export function formatWait(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Seconds from `since` to `now` (never negative). */
export function secondsSince(since: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
}
