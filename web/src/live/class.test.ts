import { describe, expect, it } from 'vitest';
import type { LiveClassPageFieldsFragment } from '../gql/graphql';
import {
  applyLiveEvent,
  attendanceSentence,
  confusionAt,
  countdown,
  handQueue,
  loadedClass,
  mergeClass,
  mergePoll,
  mergeQuestion,
  pollOptionsOf,
  pollShares,
  questionOrder,
  tellsAnEdit,
  type LiveClassEventItem,
  type LiveClassView,
  type LivePollItem,
  type LiveQuestionItem,
} from './class';

const T0 = Date.parse('2026-05-04T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function cls(over: Partial<LiveClassPageFieldsFragment> = {}): LiveClassPageFieldsFragment {
  return {
    __typename: 'LiveClass',
    id: 'c1',
    courseId: 'k1',
    title: 'Recursion',
    description: '',
    startsAt: at(0),
    endsAt: at(3000),
    state: 'LIVE',
    startedAt: at(0),
    endedAt: null,
    maxParticipants: null,
    participantCount: 0,
    provider: 'LINK',
    recordingUrl: null,
    canHost: true,
    joined: false,
    sessionId: null,
    roomId: null,
    meetingUrl: 'https://meet.example/x',
    recordings: [],
    policy: 'THRESHOLD',
    thresholdPercent: 80,
    anonymousQuestions: true,
    confusionWindowSeconds: 120,
    confusionAlertPercent: 30,
    gradeLink: null,
    participants: [],
    hands: [],
    questions: [],
    polls: [],
    confusion: null,
    myVotes: [],
    myPollAnswers: [],
    myConfusedAt: null,
    attendance: [],
    myAttendance: null,
    cursor: '5',
    ...over,
  };
}

const q = (id: string, votes: number, createdS: number, status: LiveQuestionItem['status'] = 'OPEN'): LiveQuestionItem => ({
  __typename: 'LiveQuestion',
  id,
  classId: 'c1',
  body: `question ${id}`,
  authorId: null,
  authorName: null,
  anonymous: true,
  status,
  votes,
  createdAt: at(createdS),
  answeredAt: null,
});

const poll = (status: LivePollItem['status'], total: number, counts: (number | null)[] = [null, null]): LivePollItem => ({
  __typename: 'LivePoll',
  id: 'p1',
  classId: 'c1',
  question: 'Base case?',
  options: counts.map((count, i) => ({ __typename: 'LivePollOption', label: `o${i}`, count })),
  status,
  total,
  createdAt: at(10),
  closedAt: status === 'CLOSED' ? at(60) : null,
});

function ev(type: LiveClassEventItem['type'], over: Partial<LiveClassEventItem> = {}): LiveClassEventItem {
  return {
    __typename: 'LiveClassEvent',
    cursor: '6',
    type,
    at: at(30),
    classId: 'c1',
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
    ...over,
  };
}

const hand = (userId: string, s: number) => ({ __typename: 'LiveHand' as const, userId, userName: userId.toUpperCase(), raisedAt: at(s) });

/** Every event applied twice leaves what applying it once did (a replay of what the load or a reconnect had). */
function twice(view: LiveClassView, e: LiveClassEventItem): LiveClassView {
  const once = applyLiveEvent(view, e);
  expect(applyLiveEvent(once, e)).toEqual(once);
  return once;
}

describe('applyLiveEvent', () => {
  it('keeps the hand queue in arrival order, once per person, and lowers one or all raised up to the clearing', () => {
    let v = loadedClass(cls({ hands: [hand('b', 5)] }));
    v = twice(v, ev('HAND_RAISED', { hand: hand('a', 8) }));
    v = twice(v, ev('HAND_RAISED', { hand: hand('c', 2) }));
    // b raises again (a replay): the first raise keeps its place.
    v = twice(v, ev('HAND_RAISED', { hand: hand('b', 20) }));
    expect(handQueue(v).map((h) => h.userId)).toEqual(['c', 'b', 'a']);
    v = twice(v, ev('HAND_LOWERED', { userId: 'b' }));
    expect(handQueue(v).map((h) => h.userId)).toEqual(['c', 'a']);
    v = twice(v, ev('HAND_RAISED', { hand: hand('d', 40) }));
    v = twice(v, ev('HANDS_CLEARED', { count: 2, at: at(30) }));
    expect(handQueue(v).map((h) => h.userId)).toEqual(['d']);
  });

  it('keeps the most voted snapshot of a question (a replayed older one changes nothing) and orders the Q&A', () => {
    let v = loadedClass(cls({ questions: [q('x', 3, 1)] }));
    v = twice(v, ev('QUESTION_UPDATED', { question: q('x', 2, 1) }));
    expect(v.questions.get('x')!.votes).toBe(3);
    v = twice(v, ev('QUESTION_POSTED', { question: q('y', 0, 5) }));
    v = twice(v, ev('QUESTION_POSTED', { question: q('z', 0, 3) }));
    v = twice(v, ev('QUESTION_UPDATED', { question: q('w', 5, 0, 'ANSWERED') }));
    v = twice(v, ev('QUESTION_UPDATED', { question: q('d', 9, 0, 'DISMISSED') }));
    expect(questionOrder(v, false).map((x) => x.id)).toEqual(['x', 'z', 'y', 'w']);
    expect(questionOrder(v, true).map((x) => x.id)).toEqual(['x', 'z', 'y', 'w', 'd']);
    // Marked answered with the same votes: the newer status wins.
    v = twice(v, ev('QUESTION_UPDATED', { question: q('x', 3, 1, 'ANSWERED') }));
    expect(v.questions.get('x')!.status).toBe('ANSWERED');
    // A vote's answer that is older than the event already heard changes nothing.
    expect(mergeQuestion(v, q('x', 2, 1))).toBe(v);
  });

  it('never reopens a closed poll nor lowers its answers', () => {
    let v = loadedClass(cls());
    v = twice(v, ev('POLL_OPENED', { poll: poll('OPEN', 0) }));
    v = twice(v, ev('POLL_ANSWERED', { poll: poll('OPEN', 2) }));
    v = twice(v, ev('POLL_ANSWERED', { poll: poll('OPEN', 1) }));
    expect(v.polls.get('p1')!.total).toBe(2);
    v = twice(v, ev('POLL_CLOSED', { poll: poll('CLOSED', 2, [2, 0]) }));
    expect(mergePoll(v, poll('OPEN', 2))).toBe(v);
    expect(pollShares(v.polls.get('p1')!)).toEqual([100, 0]);
    expect(pollShares(poll('OPEN', 3))).toEqual([null, null]);
  });

  it("moves the class's state forward only, and keeps the participants and attendance by person", () => {
    let v = loadedClass(cls({ state: 'LIVE' }));
    v = twice(v, ev('CLASS_UPDATED', { state: 'SCHEDULED' }));
    expect(v.cls.state).toBe('LIVE');
    v = twice(v, ev('CLASS_UPDATED', { state: 'ENDED', startedAt: at(0), endedAt: at(2900) }));
    expect(v.cls).toMatchObject({ state: 'ENDED', endedAt: at(2900), recordingUrl: null });
    v = twice(v, ev('CLASS_UPDATED', { state: 'ENDED', startedAt: at(0), endedAt: at(2900), recordingUrl: 'https://rec.example/1' }));
    expect(v.cls.recordingUrl).toBe('https://rec.example/1');
    // A start's answer heard after the end's event: the class stays ended.
    expect(mergeClass(v, cls({ state: 'LIVE' }))).toBe(v);

    const p = { __typename: 'LiveParticipant' as const, userId: 'u1', userName: 'Alan', role: 'PARTICIPANT' as const, present: true };
    v = twice(v, ev('PARTICIPANT_JOINED', { participant: p }));
    v = twice(v, ev('PARTICIPANT_LEFT', { participant: { ...p, present: false } }));
    expect(v.participants.get('u1')!.present).toBe(false);

    const a = {
      __typename: 'LiveAttendance' as const,
      userId: 'u1',
      userName: 'Alan',
      role: 'PARTICIPANT' as const,
      present: false,
      minutesPresent: 47,
      measuredMinutes: 47,
      correctedMinutes: null,
      scheduledMinutes: 50,
      joins: 2,
      score: 100,
      passback: 'QUEUED' as const,
      passbackError: null,
      passbackAt: null,
    };
    v = twice(v, ev('ATTENDANCE_UPDATED', { attendance: a }));
    v = twice(v, ev('ATTENDANCE_UPDATED', { attendance: { ...a, passback: 'POSTED' } }));
    expect(v.attendance.get('u1')!.passback).toBe('POSTED');
    expect(attendanceSentence(a)).toBe('You were present 47 of 50 minutes.');
  });

  it("tells a host's edit (the class read again) from a change of its run the event carries", () => {
    // Loaded live at cursor 5; an edit of its title or link tells only what the view already holds.
    const v = loadedClass(cls({ state: 'LIVE', startedAt: at(0), cursor: '5' }));
    const edit = ev('CLASS_UPDATED', { cursor: '6', state: 'LIVE', startedAt: at(0) });
    expect(tellsAnEdit(v, edit)).toBe(true);
    expect(applyLiveEvent(v, edit)).toBe(v);
    // Already reflected by what the class was read with (a load, a host's own start): nothing to read.
    expect(tellsAnEdit(loadedClass(cls({ state: 'LIVE', startedAt: at(0), cursor: '6' })), edit)).toBe(false);
    expect(tellsAnEdit(v, { ...edit, cursor: '4' })).toBe(false);
    // A planned class edited (its cursor past 9: compared as numbers, not strings).
    expect(
      tellsAnEdit(
        loadedClass(cls({ state: 'SCHEDULED', startedAt: null, cursor: '9' })),
        ev('CLASS_UPDATED', { cursor: '10', state: 'SCHEDULED' }),
      ),
    ).toBe(true);
    // The start, the end, a recording: the event carries the change itself.
    expect(tellsAnEdit(loadedClass(cls({ state: 'SCHEDULED', startedAt: null })), edit)).toBe(false);
    expect(tellsAnEdit(v, { ...edit, state: 'ENDED', endedAt: at(2900) })).toBe(false);
    expect(tellsAnEdit(v, { ...edit, recordingUrl: 'https://rec.example/1' })).toBe(false);
    // Other events never.
    expect(tellsAnEdit(v, ev('HAND_RAISED', { cursor: '6', hand: hand('a', 8) }))).toBe(false);
  });

  it('keeps the newest confusion, and ages its signals out on the client', () => {
    const confusion = (count: number, atS: number, signals: [number, string | null][]) => ({
      __typename: 'LiveConfusion' as const,
      count,
      present: 4,
      windowSeconds: 120,
      alertPercent: 50,
      alert: count * 2 >= 4,
      topics: [],
      signals: signals.map(([s, topic]) => ({ __typename: 'LiveConfusionSignal' as const, at: at(s), topic })),
      at: at(atS),
    });
    let v = loadedClass(cls());
    v = twice(
      v,
      ev('CONFUSION_SIGNALLED', {
        confusion: confusion(3, 100, [
          [10, 'Base case'],
          [60, 'base  CASE'],
          [100, 'Stack'],
        ]),
      }),
    );
    v = twice(v, ev('CONFUSION_SIGNALLED', { confusion: confusion(1, 50, [[10, null]]) }));
    expect(v.confusion!.count).toBe(3);
    expect(confusionAt(v.confusion, T0 + 100_000)).toEqual({
      count: 3,
      present: 4,
      alert: true,
      topics: [
        { topic: 'Base case', count: 2 },
        { topic: 'Stack', count: 1 },
      ],
    });
    // At 140 s the first signal is older than the window: two remain, still the alert's half of four.
    expect(confusionAt(v.confusion, T0 + 140_000)).toMatchObject({ count: 2, alert: true });
    // At 190 s, one: no alert.
    expect(confusionAt(v.confusion, T0 + 190_000)).toMatchObject({ count: 1, alert: false, topics: [{ topic: 'Stack', count: 1 }] });
    expect(confusionAt(v.confusion, T0 + 300_000)).toMatchObject({ count: 0, alert: false, topics: [] });
    // The page knows more people are in the class now than when the last signal came: no alert.
    expect(confusionAt(v.confusion, T0 + 100_000, 10)).toMatchObject({ count: 3, present: 10, alert: false });
    expect(confusionAt(null, T0)).toBeNull();
  });
});

describe('the page helpers', () => {
  it('counts down to the start', () => {
    expect(countdown(at(0), T0 + 1000)).toBe('now');
    expect(countdown(at(45), T0)).toBe('in 45 s');
    expect(countdown(at(270), T0)).toBe('in 4 min 30 s');
    expect(countdown(at(600), T0)).toBe('in 10 min');
    expect(countdown(at(7500), T0)).toBe('in 2 h 5 min');
    expect(countdown(at(3 * 86_400 + 5), T0)).toBe('in 3 days');
  });

  it('reads poll options one a line', () => {
    expect(pollOptionsOf(' Yes \n\n No\n  ')).toEqual(['Yes', 'No']);
  });
});
