/**
 * In class, on a real PostgreSQL and Redis, and on PGlite: the hand queue in arrival order (a host lowers one, then
 * all), one vote per student per question and one answer per student per poll under concurrency, confusion counted
 * over a sliding window with a controllable clock (signals age out, the alert goes on and off, topics grouped), only
 * hosts moderate and run polls, anonymous authors cut for classmates but shown to hosts, tallies hidden from students
 * while a poll is open, and participant actions refused when the class is not live or the person not admitted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, seed, startApp, subscribe, wsClient, type Collector, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, apiKeyOf, code, instructorOf, learnerOf, ok, type Person } from '../../test/chat.js';
import type { AppError } from '../errors.js';
import { readEvents } from '../realtime/events.js';
import { LiveAccess } from './access.js';
import { liveStream } from './events.js';
import { CONFUSION_REPEAT_MS, groupTopics, LiveInteractionService } from './interaction.js';
import type { LiveClassInput } from './service.js';

const CLASS_Q = `query($id: ID!) { liveClass(id: $id) {
  hands { userId userName raisedAt }
  questions { id body authorId authorName anonymous status votes }
  polls { id question status total options { label count } closedAt }
  confusion { count present alert topics { topic count } }
  myVotes myPollAnswers { pollId option } myConfusedAt } }`;
const RAISE = `mutation($classId: ID!) { raiseHand(classId: $classId) { userId userName raisedAt } }`;
const LOWER = `mutation($classId: ID!, $userId: ID) { lowerHand(classId: $classId, userId: $userId) }`;
const CLEAR = `mutation($classId: ID!) { clearHands(classId: $classId) }`;
const ASK = `mutation($classId: ID!, $body: String!, $anonymous: Boolean) {
  askLiveQuestion(classId: $classId, body: $body, anonymous: $anonymous) { id authorId authorName anonymous votes } }`;
const VOTE = `mutation($questionId: ID!) { voteLiveQuestion(questionId: $questionId) { id authorId votes } }`;
const STATUS = `mutation($questionId: ID!, $status: LiveQuestionStatus!) { setLiveQuestionStatus(questionId: $questionId, status: $status) { id status answeredAt authorId } }`;
const SIGNAL = `mutation($classId: ID!, $topic: String) { signalConfusion(classId: $classId, topic: $topic) }`;
const OPEN_POLL = `mutation($classId: ID!, $question: String!, $options: [String!]!) {
  openLivePoll(classId: $classId, question: $question, options: $options) { id status total options { label count } } }`;
const ANSWER = `mutation($pollId: ID!, $option: Int!) { answerLivePoll(pollId: $pollId, option: $option) { id status total options { label count } } }`;
const EVENTS = `subscription($classId: ID!, $after: String) { liveClassEvents(classId: $classId, after: $after) {
  type question { id authorId authorName votes } poll { id total options { count } } confusion { count } hand { userId } } }`;
const CURSOR = `query($id: ID!) { liveClass(id: $id) { cursor } }`;
const CLOSE_POLL = `mutation($pollId: ID!) { closeLivePoll(pollId: $pollId) { id status total options { label count } } }`;

/** The error code a promise rejects with (undefined when it resolves). */
async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as AppError).code ?? String(err);
  }
}

describe('groupTopics', () => {
  it('groups case- and space-insensitively, shows the most common spelling, most first, top 5', () => {
    expect(
      groupTopics(['Recursion', 'recursion', 'recursion', 'Big O', 'big  o', null, 'Trees', 'a', 'b', 'c', 'RECURSION', 'Big O']),
    ).toEqual([
      { topic: 'recursion', count: 4 },
      { topic: 'Big O', count: 3 },
      { topic: 'a', count: 1 },
      { topic: 'b', count: 1 },
      { topic: 'c', count: 1 },
    ]);
    expect(groupTopics([null, null])).toEqual([]);
  });
});

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('in class ($name)', ({ embedded }) => {
  let app: TestApp;
  let live: LiveInteractionService;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '100000/10', RATE_LIMIT_SIGNAL: '100000/10' } });
    // A clock that moves a millisecond per reading: arrival order never ties.
    let t = Date.now();
    live = service(() => new Date(++t));
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A service of this app's database and realtime, with its own clock when given. */
  function service(clock?: () => Date): LiveInteractionService {
    const s = app.core.services;
    return new LiveInteractionService({
      db: s.database.db,
      realtime: s.realtime,
      liveAccess: new LiveAccess(s.database.db, s.access),
      log: s.log,
      clock,
    });
  }

  const db = () => app.core.services.database.db;

  /** A class of the fixture's course planned and started by its instructor (LiveService), unless told otherwise. */
  async function makeClass(
    f: Fixture,
    over: Partial<Pick<LiveClassInput, 'anonymousQuestions' | 'confusionWindowSeconds' | 'confusionAlertPercent'>> = {},
    state: 'scheduled' | 'live' | 'ended' = 'live',
  ) {
    const host = instructorOf(f).viewer;
    const now = Date.now();
    const input = {
      title: 'Lecture',
      startsAt: new Date(now - 600_000),
      endsAt: new Date(now + 3_000_000),
      meetingUrl: 'https://meet.example.edu/lecture',
      ...over,
    };
    let c = await app.core.services.live.create(host, f.course.id, input);
    if (state !== 'scheduled') c = await app.core.services.live.start(host, c.id);
    if (state === 'ended') c = await app.core.services.live.end(host, c.id);
    return c;
  }

  /** A person joins a class (admitted, a stretch of presence opened). */
  async function admit(classId: string, p: Person) {
    await app.core.services.live.join(p.viewer, classId);
  }

  async function students(f: Fixture, classId: string, n: number, label: string): Promise<Person[]> {
    const list = await Promise.all(Array.from({ length: n }, (_, i) => addMember(app.core, f, `${label} ${i + 1}`)));
    for (const p of list) await admit(classId, p);
    return list;
  }

  /** The class stream's events of this file's kinds (joins and the class's own changes left out). */
  const events = async (classId: string) =>
    (await readEvents(db(), liveStream(classId), 0, 1000)).filter((e) => /^(hand|hands|question|confusion|poll)\./.test(e.type));

  it('hands: a queue in arrival order; raising again keeps the place; a host lowers one, then all', async () => {
    const f = await seed(app.core, 'hands');
    const inst = instructorOf(f);
    const c = await makeClass(f);
    await admit(c.id, inst);
    const [a, b, d] = await students(f, c.id, 3, 'Hand');
    for (const p of [a!, b!, d!]) await live.raiseHand(p.viewer, c.id);
    const again = await live.raiseHand(a!.viewer, c.id);
    let queue = await live.hands(c.id);
    expect(queue.map((h) => h.userName)).toEqual(['Hand 1', 'Hand 2', 'Hand 3']);
    expect(again.raisedAt).toBe(queue[0]!.raisedAt);

    // A student cannot lower another's hand; a host lowers the middle one.
    expect(await codeOf(live.lowerHand(a!.viewer, c.id, b!.user.id))).toBe('FORBIDDEN');
    expect(await live.lowerHand(inst.viewer, c.id, b!.user.id)).toBe(true);
    expect(await live.lowerHand(inst.viewer, c.id, b!.user.id)).toBe(false);
    queue = await live.hands(c.id);
    expect(queue.map((h) => h.userId)).toEqual([a!.user.id, d!.user.id]);
    // A raised-again hand goes to the back.
    await live.raiseHand(b!.viewer, c.id);
    expect((await live.hands(c.id)).map((h) => h.userName)).toEqual(['Hand 1', 'Hand 3', 'Hand 2']);
    // One's own, without a userId.
    expect(await live.lowerHand(d!.viewer, c.id)).toBe(true);
    expect((await live.hands(c.id)).map((h) => h.userName)).toEqual(['Hand 1', 'Hand 2']);

    // Only hosts clear.
    expect(await codeOf(live.clearHands(a!.viewer, c.id))).toBe('FORBIDDEN');
    expect(await live.clearHands(inst.viewer, c.id)).toBe(2);
    expect(await live.hands(c.id)).toEqual([]);
    expect(await live.clearHands(inst.viewer, c.id)).toBe(0);

    // Each change is an event on the class's stream, in order (the repeated raise and the no-ops emit nothing).
    expect((await events(c.id)).map((e) => e.type)).toEqual([
      'hand.raised',
      'hand.raised',
      'hand.raised',
      'hand.lowered',
      'hand.raised',
      'hand.lowered',
      'hands.cleared',
    ]);
    const evs = await events(c.id);
    expect(evs[3]!.payload).toEqual({ userId: b!.user.id, byHost: true });
    expect(evs[5]!.payload).toEqual({ userId: d!.user.id, byHost: false });
    expect(evs[6]!.payload).toEqual({ count: 2 });
  });

  it('participant actions need the class live and the person admitted', async () => {
    const f = await seed(app.core, 'gate');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const scheduled = await makeClass(f, {}, 'scheduled');
    const ended = await makeClass(f, {}, 'ended');
    const open = await makeClass(f);
    for (const c of [scheduled, ended]) {
      expect(await codeOf(live.raiseHand(lee.viewer, c.id))).toBe('CLASS_NOT_LIVE');
      expect(await codeOf(live.ask(lee.viewer, c.id, 'Why?'))).toBe('CLASS_NOT_LIVE');
      expect(await codeOf(live.signalConfusion(lee.viewer, c.id))).toBe('CLASS_NOT_LIVE');
      expect(await codeOf(live.openPoll(inst.viewer, c.id, 'Ready?', ['Yes', 'No']))).toBe('CLASS_NOT_LIVE');
    }
    // Not admitted.
    expect(await codeOf(live.raiseHand(lee.viewer, open.id))).toBe('NOT_JOINED');
    expect(await codeOf(live.ask(lee.viewer, open.id, 'Why?'))).toBe('NOT_JOINED');
    expect(await codeOf(live.signalConfusion(lee.viewer, open.id))).toBe('NOT_JOINED');
    const asker = (await students(f, open.id, 1, 'Asker'))[0]!;
    const q = await live.ask(asker.viewer, open.id, 'What is a monad?');
    expect(await codeOf(live.vote(lee.viewer, q.id))).toBe('NOT_JOINED');
    const poll = await live.openPoll(inst.viewer, open.id, 'Ready?', ['Yes', 'No']);
    expect(await codeOf(live.answerPoll(lee.viewer, poll.id, 0))).toBe('NOT_JOINED');
    // Another tenant's class, an unknown id, a malformed id: not found.
    const other = await seed(app.core, 'other');
    expect(await codeOf(live.raiseHand(learnerOf(other).viewer, open.id))).toBe('NOT_FOUND');
    expect(await codeOf(live.vote(learnerOf(other).viewer, q.id))).toBe('NOT_FOUND');
    expect(await codeOf(live.raiseHand(lee.viewer, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(await codeOf(live.answerPoll(lee.viewer, 'nope', 0))).toBe('NOT_FOUND');
    // Once the class ends, a vote and an answer are refused too.
    const voter = (await students(f, open.id, 1, 'Late'))[0]!;
    await app.core.services.live.end(inst.viewer, open.id);
    expect(await codeOf(live.vote(voter.viewer, q.id))).toBe('CLASS_NOT_LIVE');
    expect(await codeOf(live.answerPoll(voter.viewer, poll.id, 0))).toBe('CLASS_NOT_LIVE');
  });

  it('Q&A: cleaned and checked questions, ordered by votes then time; one vote each; hosts moderate and do not vote', async () => {
    const f = await seed(app.core, 'qa');
    const inst = instructorOf(f);
    const c = await makeClass(f, { anonymousQuestions: false });
    await admit(c.id, inst);
    const [a, b, d] = await students(f, c.id, 3, 'Q');
    expect(await codeOf(live.ask(a!.viewer, c.id, '  \u0000 \u202e '))).toBe('BAD_USER_INPUT');
    expect(await codeOf(live.ask(a!.viewer, c.id, 'x'.repeat(1001)))).toBe('BAD_USER_INPUT');
    const refused = live.ask(a!.viewer, c.id, 'Hidden?', true).catch((e: AppError) => e.extensions);
    expect(await refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'anonymous' });

    const q1 = await live.ask(a!.viewer, c.id, '  First\r\nquestion  ');
    expect(q1.body).toBe('First\nquestion');
    expect(q1).toMatchObject({ authorId: a!.user.id, authorName: 'Q 1', anonymous: false, status: 'open', votes: 0 });
    const q2 = await live.ask(b!.viewer, c.id, 'Second');
    const q3 = await live.ask(inst.viewer, c.id, 'A host may post');
    expect((await live.questions(c.id)).map((q) => q.id)).toEqual([q1.id, q2.id, q3.id]);

    expect(await codeOf(live.vote(a!.viewer, q1.id))).toBe('OWN_QUESTION');
    expect(await codeOf(live.vote(inst.viewer, q2.id))).toBe('FORBIDDEN');
    expect((await live.vote(a!.viewer, q2.id)).votes).toBe(1);
    expect(await codeOf(live.vote(a!.viewer, q2.id))).toBe('ALREADY_VOTED');
    expect((await live.vote(d!.viewer, q3.id)).votes).toBe(1);
    expect((await live.vote(b!.viewer, q3.id)).votes).toBe(2);
    expect((await live.questions(c.id)).map((q) => [q.id, q.votes])).toEqual([
      [q3.id, 2],
      [q2.id, 1],
      [q1.id, 0],
    ]);
    expect(new Set(await live.myVotes(b!.viewer, c.id))).toEqual(new Set([q3.id]));

    // Only hosts moderate; answered sets its time once; closed questions take no votes; opened again they do.
    expect(await codeOf(live.setQuestionStatus(a!.viewer, q2.id, 'answered'))).toBe('FORBIDDEN');
    const answered = await live.setQuestionStatus(inst.viewer, q2.id, 'answered');
    expect(answered.status).toBe('answered');
    expect(answered.answeredAt).not.toBeNull();
    expect(await codeOf(live.vote(d!.viewer, q2.id))).toBe('QUESTION_CLOSED');
    await live.setQuestionStatus(inst.viewer, q2.id, 'open');
    const again = await live.setQuestionStatus(inst.viewer, q2.id, 'answered');
    expect(again.answeredAt).toBe(answered.answeredAt);
    await live.setQuestionStatus(inst.viewer, q1.id, 'dismissed');
    expect(await codeOf(live.vote(d!.viewer, q1.id))).toBe('QUESTION_CLOSED');
    const types = (await events(c.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'question.posted')).toHaveLength(3);
    expect(types.filter((t) => t === 'question.updated')).toHaveLength(3 + 4);
  });

  it('one vote per student per question under concurrency', async () => {
    const f = await seed(app.core, 'votes');
    const c = await makeClass(f);
    const [author, eager] = await students(f, c.id, 2, 'V');
    const q = await live.ask(author!.viewer, c.id, 'Popular?');
    // The same student, ten times at once: one vote.
    const ten = await Promise.allSettled(Array.from({ length: 10 }, () => live.vote(eager!.viewer, q.id)));
    expect(ten.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(ten.filter((r) => r.status === 'rejected').map((r) => (r.reason as AppError).code)).toEqual(Array(9).fill('ALREADY_VOTED'));
    expect((await live.questions(c.id))[0]!.votes).toBe(1);
    // Thirty students at once: thirty votes, and each emitted count is distinct (1..31).
    const crowd = await students(f, c.id, 30, 'Crowd');
    const results = await Promise.all(crowd.map((p) => live.vote(p.viewer, q.id)));
    expect(new Set(results.map((r) => r.votes)).size).toBe(30);
    expect((await live.questions(c.id))[0]!.votes).toBe(31);
    const counts = (await events(c.id)).flatMap((e) => (e.type === 'question.updated' ? [e.payload.question.votes] : []));
    expect(counts).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
  });

  it('polls: hosts open and close; one answer per student under concurrency; tallies from the answers', async () => {
    const f = await seed(app.core, 'polls');
    const inst = instructorOf(f);
    const c = await makeClass(f);
    await admit(c.id, inst);
    const [a, b] = await students(f, c.id, 2, 'P');
    expect(await codeOf(live.openPoll(a!.viewer, c.id, 'Ready?', ['Yes', 'No']))).toBe('FORBIDDEN');
    for (const [question, options, field] of [
      ['', ['Yes', 'No'], 'question'],
      ['x'.repeat(301), ['Yes', 'No'], 'question'],
      ['Ready?', ['Yes'], 'options'],
      ['Ready?', Array.from({ length: 11 }, (_, i) => `O${i}`), 'options'],
      ['Ready?', ['Yes', ' '], 'options'],
      ['Ready?', ['Yes', 'y'.repeat(101)], 'options'],
      ['Ready?', ['Yes', ' yes '], 'options'],
    ] as const) {
      const err = await live.openPoll(inst.viewer, c.id, question, options).catch((e: AppError) => e.extensions);
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const poll = await live.openPoll(inst.viewer, c.id, '  Which  one? ', ['A', 'B', 'C']);
    expect(poll).toMatchObject({ question: 'Which one?', options: ['A', 'B', 'C'], status: 'open', tally: [0, 0, 0], total: 0 });

    expect(await codeOf(live.answerPoll(inst.viewer, poll.id, 0))).toBe('FORBIDDEN');
    for (const bad of [-1, 3, 1.5]) {
      const err = await live.answerPoll(a!.viewer, poll.id, bad).catch((e: AppError) => e.extensions);
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'option' });
    }
    // The same student ten times at once: one answer.
    const ten = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => live.answerPoll(a!.viewer, poll.id, i % 3)));
    expect(ten.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(ten.filter((r) => r.status === 'rejected').map((r) => (r.reason as AppError).code)).toEqual(Array(9).fill('ALREADY_ANSWERED'));
    // Twenty more at once.
    const crowd = await students(f, c.id, 20, 'Voter');
    await Promise.all(crowd.map((p, i) => live.answerPoll(p.viewer, poll.id, i % 2)));
    const [read] = await live.polls(c.id);
    expect(read!.total).toBe(21);
    expect(read!.tally.reduce((x, y) => x + y, 0)).toBe(21);
    expect(read!.tally[0]! + read!.tally[1]!).toBeGreaterThanOrEqual(20);
    const mine = await live.myPollAnswers(a!.viewer, c.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.pollId).toBe(poll.id);

    expect(await codeOf(live.closePoll(a!.viewer, poll.id))).toBe('FORBIDDEN');
    const closed = await live.closePoll(inst.viewer, poll.id);
    expect(closed).toMatchObject({ status: 'closed', total: 21 });
    expect(closed.closedAt).not.toBeNull();
    expect((await live.closePoll(inst.viewer, poll.id)).closedAt).toBe(closed.closedAt);
    expect(await codeOf(live.answerPoll(b!.viewer, poll.id, 0))).toBe('POLL_CLOSED');
    const evs = (await events(c.id)).filter((e) => e.type.startsWith('poll.'));
    expect(evs.map((e) => e.type)).toEqual(['poll.opened', ...Array(21).fill('poll.answered'), 'poll.closed']);
    // Each answered event carries the tally as of its answer: totals 1..21.
    expect(evs.slice(1, 22).flatMap((e) => (e.type === 'poll.answered' ? [e.payload.poll.total] : []))).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
  });

  it('through GraphQL: anonymous authors cut for classmates and API keys, shown to hosts; tallies hidden from students while open; confusion for hosts', async () => {
    const f = await seed(app.core, 'gql');
    const inst = instructorOf(f);
    const c = await makeClass(f, { anonymousQuestions: true });
    await admit(c.id, inst);
    const [a, b] = await students(f, c.id, 2, 'G');
    const key = await apiKeyOf(app.core, f);
    const q = (query: string, variables: Record<string, unknown>, token: string) => gql(app.url, query, variables, token);
    const read = async (token: string) => ok(await q(CLASS_Q, { id: c.id }, token)).liveClass;

    // Hands.
    expect(ok(await q(RAISE, { classId: c.id }, a!.token)).raiseHand).toMatchObject({ userId: a!.user.id, userName: 'G 1' });
    ok(await q(RAISE, { classId: c.id }, b!.token));
    expect(code((await q(LOWER, { classId: c.id, userId: a!.user.id }, b!.token)).body)).toBe('FORBIDDEN');
    expect(code((await q(RAISE, { classId: c.id }, key)).body)).toBe('FORBIDDEN');
    expect(ok(await q(LOWER, { classId: c.id, userId: a!.user.id }, inst.token)).lowerHand).toBe(true);
    expect((await read(b!.token)).hands.map((h: { userId: string }) => h.userId)).toEqual([b!.user.id]);
    expect(ok(await q(CLEAR, { classId: c.id }, inst.token)).clearHands).toBe(1);

    // An anonymous question: its author is null for the asker's classmates, the asker's own answer and API keys.
    const asked = ok(await q(ASK, { classId: c.id, body: 'Is this on the exam?', anonymous: true }, a!.token)).askLiveQuestion;
    expect(asked).toMatchObject({ authorId: null, authorName: null, anonymous: true, votes: 0 });
    const named = ok(await q(ASK, { classId: c.id, body: 'Named' }, b!.token)).askLiveQuestion;
    expect(named).toMatchObject({ authorId: b!.user.id, authorName: 'G 2' });
    const voted = ok(await q(VOTE, { questionId: asked.id }, b!.token)).voteLiveQuestion;
    expect(voted).toEqual({ id: asked.id, authorId: null, votes: 1 });
    expect(code((await q(VOTE, { questionId: asked.id }, b!.token)).body)).toBe('ALREADY_VOTED');
    expect(code((await q(VOTE, { questionId: asked.id }, a!.token)).body)).toBe('OWN_QUESTION');
    expect(code((await q(VOTE, { questionId: asked.id }, key)).body)).toBe('FORBIDDEN');
    const forB = await read(b!.token);
    expect(
      forB.questions.map((x: { id: string; authorId: string | null; authorName: string | null }) => [x.id, x.authorId, x.authorName]),
    ).toEqual([
      [asked.id, null, null],
      [named.id, b!.user.id, 'G 2'],
    ]);
    expect(forB.myVotes).toEqual([asked.id]);
    expect((await read(key)).questions[0]).toMatchObject({ id: asked.id, authorId: null, authorName: null });
    const forHost = await read(inst.token);
    expect(forHost.questions[0]).toMatchObject({ id: asked.id, authorId: a!.user.id, authorName: 'G 1', votes: 1 });
    expect(code((await q(STATUS, { questionId: asked.id, status: 'ANSWERED' }, a!.token)).body)).toBe('FORBIDDEN');
    expect(ok(await q(STATUS, { questionId: asked.id, status: 'ANSWERED' }, inst.token)).setLiveQuestionStatus).toMatchObject({
      status: 'ANSWERED',
      authorId: a!.user.id,
    });

    // A poll: students see no counts while it is open (their answer's reply included); hosts do; everyone once closed.
    expect(code((await q(OPEN_POLL, { classId: c.id, question: 'Pace?', options: ['Slower', 'Fine'] }, a!.token)).body)).toBe('FORBIDDEN');
    const poll = ok(await q(OPEN_POLL, { classId: c.id, question: 'Pace?', options: ['Slower', 'Fine'] }, inst.token)).openLivePoll;
    expect(poll.options).toEqual([
      { label: 'Slower', count: 0 },
      { label: 'Fine', count: 0 },
    ]);
    const answered = ok(await q(ANSWER, { pollId: poll.id, option: 1 }, a!.token)).answerLivePoll;
    expect(answered).toMatchObject({
      status: 'OPEN',
      total: 1,
      options: [
        { label: 'Slower', count: null },
        { label: 'Fine', count: null },
      ],
    });
    expect(code((await q(ANSWER, { pollId: poll.id, option: 0 }, a!.token)).body)).toBe('ALREADY_ANSWERED');
    const bad = await q(ANSWER, { pollId: poll.id, option: 2 }, b!.token);
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'option' });
    const openForB = await read(b!.token);
    expect(openForB.polls[0]).toMatchObject({ total: 1, options: [{ count: null }, { count: null }] });
    expect((await read(key)).polls[0].options[1].count).toBeNull();
    expect((await read(inst.token)).polls[0].options.map((o: { count: number }) => o.count)).toEqual([0, 1]);
    expect((await read(a!.token)).myPollAnswers).toEqual([{ pollId: poll.id, option: 1 }]);
    expect(code((await q(CLOSE_POLL, { pollId: poll.id }, a!.token)).body)).toBe('FORBIDDEN');
    ok(await q(CLOSE_POLL, { pollId: poll.id }, inst.token));
    expect((await read(b!.token)).polls[0]).toMatchObject({ status: 'CLOSED', options: [{ count: 0 }, { count: 1 }] });
    expect(code((await q(ANSWER, { pollId: poll.id, option: 0 }, b!.token)).body)).toBe('POLL_CLOSED');

    // Confusion: hosts only; a student sees their own last signal.
    expect(ok(await q(SIGNAL, { classId: c.id, topic: 'Pointers' }, a!.token)).signalConfusion).toBe(true);
    const mine = await read(a!.token);
    expect(mine.confusion).toBeNull();
    expect(mine.myConfusedAt).not.toBeNull();
    expect((await read(b!.token)).myConfusedAt).toBeNull();
    expect((await read(key)).confusion).toBeNull();
    expect((await read(inst.token)).confusion).toMatchObject({
      count: 1,
      present: 2,
      alert: true,
      topics: [{ topic: 'Pointers', count: 1 }],
    });
    expect(code((await q(SIGNAL, { classId: c.id }, inst.token)).body)).toBe('FORBIDDEN');
  });

  it('live: hosts and participants each get the changes as they happen, cut for participants', async () => {
    const f = await seed(app.core, 'ev');
    const inst = instructorOf(f);
    const c = await makeClass(f, { anonymousQuestions: true });
    await admit(c.id, inst);
    const [a, b] = await students(f, c.id, 2, 'E');
    const q = (query: string, variables: Record<string, unknown>, token: string) => gql(app.url, query, variables, token);
    const follow = async (p: Person) => {
      const after = ok(await q(CURSOR, { id: c.id }, p.token)).liveClass.cursor;
      const ws = wsClient(app.wsUrl, p.token);
      return { ws, events: subscribe<Ev>(ws.client, EVENTS, { classId: c.id, after }, 'liveClassEvents') };
    };
    type Ev = {
      type: string;
      question: { id: string; authorId: string | null; authorName: string | null; votes: number } | null;
      poll: { id: string; total: number; options: { count: number | null }[] } | null;
      confusion: { count: number } | null;
      hand: { userId: string } | null;
    };
    const host = await follow(inst);
    const peer = await follow(b!);
    try {
      const asked = ok(await q(ASK, { classId: c.id, body: 'Anonymous?', anonymous: true }, a!.token)).askLiveQuestion;
      ok(await q(VOTE, { questionId: asked.id }, b!.token));
      const poll = ok(await q(OPEN_POLL, { classId: c.id, question: 'Pace?', options: ['Slower', 'Fine'] }, inst.token)).openLivePoll;
      ok(await q(ANSWER, { pollId: poll.id, option: 1 }, a!.token));
      ok(await q(SIGNAL, { classId: c.id, topic: 'Pointers' }, a!.token));
      ok(await q(RAISE, { classId: c.id }, a!.token));
      const mine = (list: Ev[]) => list.filter((e) => !e.type.startsWith('PARTICIPANT_') && e.type !== 'CLASS_UPDATED');
      const until = async (c: Collector<Ev>) => {
        while (!c.items.some((e) => e.type === 'HAND_RAISED')) {
          if (c.done) throw new Error(`the subscription ended: ${JSON.stringify(c.errors)}`);
          await c.waitFor(c.items.length + 1);
        }
        return mine(c.items);
      };
      const forHost = await until(host.events);
      expect(forHost.map((e) => e.type)).toEqual([
        'QUESTION_POSTED',
        'QUESTION_UPDATED',
        'POLL_OPENED',
        'POLL_ANSWERED',
        'CONFUSION_SIGNALLED',
        'HAND_RAISED',
      ]);
      expect(forHost[0]!.question).toMatchObject({ id: asked.id, authorId: a!.user.id, authorName: 'E 1' });
      expect(forHost[1]!.question).toMatchObject({ votes: 1, authorId: a!.user.id });
      expect(forHost[3]!.poll!.options.map((o) => o.count)).toEqual([0, 1]);
      expect(forHost[4]!.confusion).toEqual({ count: 1 });
      const forPeer = await until(peer.events);
      expect(forPeer.map((e) => e.type)).toEqual(['QUESTION_POSTED', 'QUESTION_UPDATED', 'POLL_OPENED', 'POLL_ANSWERED', 'HAND_RAISED']);
      expect(forPeer[0]!.question).toMatchObject({ id: asked.id, authorId: null, authorName: null });
      expect(forPeer[1]!.question).toMatchObject({ votes: 1, authorId: null });
      expect(forPeer[3]!.poll).toMatchObject({ total: 1, options: [{ count: null }, { count: null }] });
      expect(forPeer[4]!.hand).toEqual({ userId: a!.user.id });
    } finally {
      host.events.stop();
      peer.events.stop();
      await host.ws.client.dispose();
      await peer.ws.client.dispose();
    }
  });

  it('confusion over a sliding window with a controllable clock: signals age out, the alert goes on and off, topics grouped', async () => {
    const f = await seed(app.core, 'lost');
    const inst = instructorOf(f);
    // The window: 60 s; the alert at 25 % of the present participants.
    const c = await makeClass(f, { confusionWindowSeconds: 60, confusionAlertPercent: 25 });
    let now = Date.now() + 60_000;
    const t0 = now;
    const at = (s: number) => {
      now = t0 + s * 1000;
    };
    const lost = service(() => new Date(now));
    await admit(c.id, inst);
    const ps = await students(f, c.id, 8, 'Lost');
    const view = async () => (await lost.confusion(inst.viewer, c))!;

    expect(await lost.confusion(ps[0]!.viewer, c)).toBeNull();
    expect(await codeOf(lost.signalConfusion(inst.viewer, c.id))).toBe('FORBIDDEN');
    expect(await codeOf(lost.signalConfusion(ps[0]!.viewer, c.id, 'x'.repeat(81)))).toBe('BAD_USER_INPUT');
    expect(await view()).toMatchObject({ count: 0, present: 8, alert: false, topics: [], signals: [] });

    at(0);
    await lost.signalConfusion(ps[0]!.viewer, c.id, 'Recursion');
    at(5);
    // A repeat within 30 s: accepted, not stored.
    expect(await lost.signalConfusion(ps[0]!.viewer, c.id, 'Trees')).toBe(true);
    expect((await lost.myConfusedAt(ps[0]!.viewer, c.id))!.getTime()).toBe(t0);
    await lost.signalConfusion(ps[1]!.viewer, c.id, '  recursion ');
    expect(await view()).toMatchObject({ count: 2, present: 8, alert: true, windowSeconds: 60, alertPercent: 25 });
    at(10);
    await lost.signalConfusion(ps[2]!.viewer, c.id, 'Big O');
    let v = await view();
    expect(v).toMatchObject({ count: 3, alert: true });
    // Two spellings once each: the first seen is shown.
    expect(v.topics).toEqual([
      { topic: 'Recursion', count: 2 },
      { topic: 'Big O', count: 1 },
    ]);
    expect(v.signals.map((s) => s.topic)).toEqual(['Recursion', 'recursion', 'Big O']);
    // A person counts once in the window: their latest signal (after 30 s, stored).
    at(40);
    await lost.signalConfusion(ps[0]!.viewer, c.id, 'Big-O notation');
    v = await view();
    expect(v.count).toBe(3);
    expect(v.signals.map((s) => s.topic)).toEqual(['recursion', 'Big O', 'Big-O notation']);
    // The first signals age out: at 65 s, ps[1]'s (5 s) is out; 2 of 8 still alert (25 %).
    at(65);
    v = await view();
    expect(v).toMatchObject({ count: 2, present: 8, alert: true });
    // At 70 s, ps[2]'s (10 s) is at the window's edge: (now − window, now] leaves it out. 1 of 8: no alert.
    at(70);
    expect(await view()).toMatchObject({ count: 1, alert: false });
    // Fewer present: two leave, 1 of 6 is still under 25 %; a third leaves: 1 of 4 alerts.
    const leave = (p: Person) => app.core.services.live.leave(p.viewer, c.id);
    await leave(ps[6]!);
    await leave(ps[7]!);
    expect(await view()).toMatchObject({ count: 1, present: 6, alert: false });
    await leave(ps[5]!);
    await leave(ps[4]!);
    expect(await view()).toMatchObject({ count: 1, present: 4, alert: true });
    at(101);
    expect(await view()).toMatchObject({ count: 0, present: 4, alert: false, topics: [], signals: [] });

    // Every stored signal emitted the view as of its time.
    const signalled = (await events(c.id)).flatMap((e) => (e.type === 'confusion.signalled' ? [e.payload.confusion.count] : []));
    expect(signalled).toEqual([1, 2, 3, 3]);
    expect(CONFUSION_REPEAT_MS).toBe(30_000);
  });
});
