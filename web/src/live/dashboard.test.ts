import { describe, expect, it } from 'vitest';
import type { DashboardClass, DashboardClassEvent, LiveDashboardData } from '../graphql/live-dashboard';
import { applyClassEvent, applySnapshot, dashboardFigures, emptyDashboard, formatWait, mergeClassEvent, secondsSince } from './dashboard';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function liveClass(over: Partial<DashboardClass> = {}): DashboardClass {
  return {
    __typename: 'LiveClass',
    id: 'c1',
    title: 'Week 3',
    state: 'LIVE',
    startsAt: at(0),
    endsAt: at(3000),
    startedAt: at(0),
    endedAt: null,
    cursor: '10',
    participants: [],
    hands: [],
    questions: [],
    polls: [],
    confusion: null,
    ...over,
  } as DashboardClass;
}

function snapshot(c: DashboardClass | null, over: Partial<LiveDashboardData> = {}): LiveDashboardData {
  return {
    courseId: 'k1',
    at: at(0),
    activeStudents: 0,
    bySection: [],
    students: [],
    messagesPerMinute: [],
    openQuestions: 0,
    hands: 0,
    confusionTrend: [],
    present: 0,
    admitted: 0,
    tutor: { tokensToday: 0, dailyBudget: 0, monthTokens: 0, monthlyBudget: 0, questionsToday: 0 },
    struggles: [],
    answerWait: { answered: 0, waiting: 0, medianSeconds: null, p90Seconds: null, longestWaitingSeconds: null },
    liveClass: c,
    ...over,
  } as LiveDashboardData;
}

function event(cursor: number, type: DashboardClassEvent['type'], over: Partial<DashboardClassEvent> = {}): DashboardClassEvent {
  return {
    cursor: String(cursor),
    type,
    at: at(cursor),
    classId: 'c1',
    state: null,
    startedAt: null,
    endedAt: null,
    userId: null,
    count: null,
    participant: null,
    hand: null,
    question: null,
    poll: null,
    confusion: null,
    ...over,
  } as DashboardClassEvent;
}

const hand = (userId: string, s: number) => ({ userId, userName: userId.toUpperCase(), raisedAt: at(s) });
const question = (id: string, votes: number, s: number, status: 'OPEN' | 'ANSWERED' | 'DISMISSED' = 'OPEN') => ({
  id,
  classId: 'c1',
  body: `Q ${id}`,
  authorId: 'al',
  authorName: 'Alan',
  anonymous: false,
  status,
  votes,
  createdAt: at(s),
  answeredAt: null,
});
const participant = (userId: string, present: boolean, role: 'HOST' | 'PARTICIPANT' = 'PARTICIPANT') => ({
  userId,
  userName: userId,
  role,
  present,
});

describe('class events merged into the class in progress', () => {
  it('hands queue in arrival order; a lowered hand leaves, clearing empties; a replayed raise changes nothing', () => {
    let c = liveClass();
    c = mergeClassEvent(c, event(11, 'HAND_RAISED', { hand: hand('bea', 11) }));
    c = mergeClassEvent(c, event(12, 'HAND_RAISED', { hand: hand('al', 12) }));
    c = mergeClassEvent(c, event(11, 'HAND_RAISED', { hand: hand('bea', 11) }));
    expect(c.hands.map((h) => h.userId)).toEqual(['bea', 'al']);
    expect(c.cursor).toBe('12');
    c = mergeClassEvent(c, event(13, 'HAND_LOWERED', { userId: 'bea' }));
    expect(c.hands.map((h) => h.userId)).toEqual(['al']);
    c = mergeClassEvent(c, event(14, 'HANDS_CLEARED', { count: 1 }));
    expect(c.hands).toEqual([]);
  });

  it('a question is added, then replaced by its update (votes); polls, participants and confusion likewise', () => {
    let c = liveClass();
    c = mergeClassEvent(c, event(11, 'QUESTION_POSTED', { question: question('q1', 0, 11) }));
    c = mergeClassEvent(c, event(12, 'QUESTION_UPDATED', { question: question('q1', 1, 11) }));
    expect(c.questions).toHaveLength(1);
    expect(c.questions[0]!.votes).toBe(1);
    c = mergeClassEvent(c, event(13, 'PARTICIPANT_JOINED', { participant: participant('al', true) }));
    c = mergeClassEvent(c, event(14, 'PARTICIPANT_LEFT', { participant: participant('al', false) }));
    expect(c.participants).toEqual([participant('al', false)]);
    const confusion = { count: 2, present: 4, windowSeconds: 120, alertPercent: 30, alert: true, at: at(15), topics: [], signals: [] };
    c = mergeClassEvent(c, event(15, 'CONFUSION_SIGNALLED', { confusion }));
    expect(c.confusion).toEqual(confusion);
    const poll = {
      id: 'p1',
      classId: 'c1',
      question: 'Ready?',
      status: 'OPEN' as const,
      total: 1,
      createdAt: at(16),
      closedAt: null,
      options: [],
    };
    c = mergeClassEvent(c, event(16, 'POLL_OPENED', { poll }));
    c = mergeClassEvent(c, event(17, 'POLL_CLOSED', { poll: { ...poll, status: 'CLOSED', closedAt: at(17) } }));
    expect(c.polls.map((p) => p.status)).toEqual(['CLOSED']);
    c = mergeClassEvent(c, event(18, 'CLASS_UPDATED', { state: 'ENDED', endedAt: at(18) }));
    expect([c.state, c.endedAt, c.startedAt]).toEqual(['ENDED', at(18), at(0)]);
  });

  it("another class's event leaves the class as it is", () => {
    const c = liveClass();
    expect(mergeClassEvent(c, event(11, 'HAND_RAISED', { classId: 'c2', hand: hand('al', 11) }))).toBe(c);
  });
});

describe('snapshots and events together', () => {
  it('an event the snapshot already reflects is dropped; a newer one is applied', () => {
    let s = applySnapshot(emptyDashboard(), snapshot(liveClass({ hands: [hand('bea', 5)] })));
    s = applyClassEvent(s, event(9, 'HANDS_CLEARED'));
    expect(s.dashboard!.liveClass!.hands).toHaveLength(1);
    s = applyClassEvent(s, event(11, 'HAND_RAISED', { hand: hand('al', 11) }));
    expect(s.dashboard!.liveClass!.hands.map((h) => h.userId)).toEqual(['bea', 'al']);
  });

  it('a snapshot older than the events received gets them applied again; a newer one drops them', () => {
    let s = applySnapshot(emptyDashboard(), snapshot(liveClass({ cursor: '10' })));
    s = applyClassEvent(s, event(11, 'QUESTION_POSTED', { question: question('q1', 0, 11) }));
    s = applyClassEvent(s, event(12, 'QUESTION_UPDATED', { question: question('q1', 1, 11) }));
    s = applyClassEvent(s, event(13, 'HAND_RAISED', { hand: hand('al', 13) }));
    // A snapshot read at 11: it has the question without its vote, and no hand.
    s = applySnapshot(s, snapshot(liveClass({ cursor: '11', questions: [question('q1', 0, 11)] }), { activeStudents: 3 }));
    expect(s.dashboard!.activeStudents).toBe(3);
    expect(s.dashboard!.liveClass!.questions[0]!.votes).toBe(1);
    expect(s.dashboard!.liveClass!.hands).toHaveLength(1);
    expect(s.dashboard!.liveClass!.cursor).toBe('13');
    expect(s.pending.map((e) => e.cursor)).toEqual(['12', '13']);
    // A snapshot read at 13 reflects them all: it stands as it is (the hand was lowered by then, say).
    s = applySnapshot(s, snapshot(liveClass({ cursor: '13', questions: [question('q1', 1, 11)] })));
    expect(s.dashboard!.liveClass!.hands).toEqual([]);
    expect(s.pending).toEqual([]);
  });

  it('a snapshot of another class (or none) forgets the events of the old one', () => {
    let s = applySnapshot(emptyDashboard(), snapshot(liveClass()));
    s = applyClassEvent(s, event(11, 'HAND_RAISED', { hand: hand('al', 11) }));
    s = applySnapshot(s, snapshot(liveClass({ id: 'c2', cursor: '0' })));
    expect(s.dashboard!.liveClass!.hands).toEqual([]);
    expect(s.pending).toEqual([]);
    s = applySnapshot(s, snapshot(null));
    expect(s.dashboard!.liveClass).toBeNull();
    // Events with no class in progress are dropped.
    expect(applyClassEvent(s, event(12, 'HAND_RAISED', { classId: 'c2', hand: hand('al', 12) }))).toBe(s);
  });
});

describe('the figures of the cards', () => {
  it('open questions by votes then time; hands by time; students present of admitted, hosts left out', () => {
    const d = snapshot(
      liveClass({
        hands: [hand('b', 20), hand('a', 10)],
        questions: [question('q1', 1, 30), question('q2', 3, 40), question('q3', 1, 20), question('q4', 9, 5, 'ANSWERED')],
        participants: [participant('host', true, 'HOST'), participant('al', true), participant('bea', false), participant('cy', true)],
      }),
      { present: 99, admitted: 99 },
    );
    const f = dashboardFigures(d);
    expect(f.openQuestions.map((q) => q.id)).toEqual(['q2', 'q3', 'q1']);
    expect(f.hands.map((h) => h.userId)).toEqual(['a', 'b']);
    expect([f.present, f.admitted]).toEqual([2, 3]);
  });

  it('the poll shown is the open one, else the latest; without a class the snapshot counts', () => {
    const poll = (id: string, s: number, status: 'OPEN' | 'CLOSED') => ({
      id,
      classId: 'c1',
      question: id,
      status,
      total: 0,
      createdAt: at(s),
      closedAt: null,
      options: [],
    });
    expect(dashboardFigures(snapshot(liveClass({ polls: [poll('a', 1, 'CLOSED'), poll('b', 2, 'CLOSED')] }))).poll!.id).toBe('b');
    expect(dashboardFigures(snapshot(liveClass({ polls: [poll('a', 1, 'OPEN'), poll('b', 2, 'CLOSED')] }))).poll!.id).toBe('a');
    const none = dashboardFigures(snapshot(null, { present: 4, admitted: 5 }));
    expect([none.present, none.admitted, none.poll, none.hands]).toEqual([4, 5, null, []]);
  });

  it('waits read as people say them', () => {
    expect([formatWait(null), formatWait(42), formatWait(61), formatWait(3900)]).toEqual(['—', '42 s', '1 min', '1 h 05 min']);
    expect(secondsSince(at(0), T0 + 90_500)).toBe(90);
    expect(secondsSince(at(10), T0)).toBe(0);
  });
});
