/**
 * The instructor's live dashboard, on a real PostgreSQL and Redis, and on PGlite: messages per minute over the last
 * 30 minutes (shared rooms only, system lines out) with a controllable clock, answer waits of the live Q&A and of
 * course-room questions, struggles grouped by keywords (confusion topics and tutor questions) and tutor usage against
 * budget, students and where they are in the tool (presence sections), the class in progress (hands, present,
 * admitted, confusion per minute). Admissions, hands, questions and confusion go through the real services (LiveService.join
 * and leave, LiveInteractionService) on the same moved clock, on both databases; over GraphQL: learners refused (FORBIDDEN), another tenant NOT_FOUND, and the
 * subscription's fresh snapshots after a hand and a question, ending FORBIDDEN when the viewer stops hosting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { gql, poll, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import {
  addMember,
  apiKeyOf,
  code,
  courseRoomId,
  CREATE_GROUP,
  instructorOf,
  learnerOf,
  listening,
  ok,
  OPEN_DIRECT,
  OPEN_TUTOR,
  sendOk,
  subCode,
  type Person,
} from '../../test/chat.js';
import { messages } from '../rooms/tables.js';
import { tutorRequests, usageLedger } from '../tutor/tables.js';
import { LiveAccess } from './access.js';
import { groupByKeywords, LiveDashboardService, type LiveDashboardView } from './dashboard.js';
import { LiveInteractionService } from './interaction.js';
import { LiveService } from './service.js';
import { liveClasses } from './tables.js';

describe('groupByKeywords', () => {
  it('groups by the two most frequent keyword stems, stop words out, most common spelling shown', () => {
    expect(
      groupByKeywords([
        'How do I find the base case of a recursive function?',
        '@tutor what is a base case',
        'Why is my loop infinite?',
        'infinite loops in while',
        'the BASE cases',
        'ok?',
        '',
      ]),
    ).toEqual([
      { topic: 'base case', count: 3 },
      { topic: 'infinite loop', count: 2 },
    ]);
    expect(groupByKeywords(['recursion', 'Recursion', 'pointers'])).toEqual([
      { topic: 'recursion', count: 2 },
      { topic: 'pointers', count: 1 },
    ]);
    expect(groupByKeywords([])).toEqual([]);
  });
});

/** A fixed "now" in the middle of a UTC day and of a minute: every window below is relative to it. */
const T = Date.parse('2031-03-12T12:00:30.000Z');
const at = (offsetMs: number) => new Date(T + offsetMs);
const MIN = 60_000;

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('live dashboard ($name)', ({ embedded }) => {
  let app: TestApp;
  /** The clock of the services built here; tests move it. */
  let now = T;
  const clock = () => new Date(now);
  let dashboard: LiveDashboardService;
  /** Joins and leaves (the attendance ledger) and what happens in class, on the same clock. */
  let live: LiveService;
  let inClass: LiveInteractionService;

  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '100000/10', RATE_LIMIT_SIGNAL: '100000/10', CHAT_RATE_LIMIT: '100000' } });
    const s = app.core.services;
    const liveAccess = new LiveAccess(s.database.db, s.access);
    dashboard = new LiveDashboardService({
      db: s.database.db,
      realtime: s.realtime,
      access: s.access,
      liveAccess,
      presence: s.presence,
      courses: s.courses,
      rooms: s.rooms,
      tutor: s.tutor,
      log: s.log,
      graceSeconds: 60,
      clock,
    });
    live = new LiveService({
      db: s.database.db,
      realtime: s.realtime,
      access: s.access,
      liveAccess,
      rooms: s.rooms,
      schedule: s.schedule,
      lti: s.lti,
      bbb: null,
      config: { liveGraceSeconds: 60, liveHeartbeatSeconds: 20 },
      activity: s.activity,
      log: s.log,
      clock,
    });
    inClass = new LiveInteractionService({ db: s.database.db, realtime: s.realtime, liveAccess, log: s.log, clock });
  });
  afterAll(async () => {
    await app?.close();
  });

  const db = () => app.core.services.database.db;
  const setCreated = (id: string, d: Date) => db().update(messages).set({ createdAt: d }).where(eq(messages.id, id));

  /** A live class of the fixture's course (started ten minutes before T). */
  async function makeClass(f: Fixture) {
    const [row] = await db()
      .insert(liveClasses)
      .values({
        tenantId: f.tenant.id,
        courseId: f.course.id,
        title: 'Lecture',
        startsAt: at(-15 * MIN),
        endsAt: at(45 * MIN),
        state: 'live',
        startedAt: at(-10 * MIN),
      })
      .returning();
    return row!;
  }

  /** Runs `f` with the clock at `when` (the clock goes back to where it was). */
  async function atTime<R>(when: Date, f: () => Promise<R>): Promise<R> {
    const before = now;
    now = when.getTime();
    try {
      return await f();
    } finally {
      now = before;
    }
  }

  /** A person joins the class (LiveService.join: admitted, a stretch of presence opened and last seen then), and leaves at `leftAt`. */
  async function admit(classId: string, p: Person, opts: { joined?: Date; leftAt?: Date } = {}) {
    await atTime(opts.joined ?? at(-30_000), () => live.join(p.viewer, classId));
    if (opts.leftAt) await atTime(opts.leftAt, () => live.leave(p.viewer, classId));
  }

  it('messages per minute: the shared rooms of the course over the last 30 minutes, one point per minute', async () => {
    now = T;
    const f = await seed(app.core, 'mpm');
    const other = await seed(app.core, 'mpm-other');
    const lee = learnerOf(f);
    const inst = instructorOf(f);
    const ana = await addMember(app.core, f, 'Ana Chat');
    const room = await courseRoomId(app, lee.token, f.course.id);
    const group = ok(
      await gql(app.url, CREATE_GROUP, { courseId: f.course.id, name: 'Study group', memberIds: [ana.user.id, lee.user.id] }, inst.token),
    ).createGroupRoom.id as string;
    const direct = ok(await gql(app.url, OPEN_DIRECT, { courseId: f.course.id, userId: ana.user.id }, lee.token)).openDirectRoom
      .id as string;
    const otherRoom = await courseRoomId(app, other.learnerToken, other.course.id);

    // The window: the minutes 11:31 … 12:00 (the minute in progress), both ends included.
    const placed: [string, number][] = [
      [(await sendOk(app, lee.token, room, 'in the minute in progress')).id, -10_000], // 12:00:20 → the last point
      [(await sendOk(app, inst.token, room, 'staff count too')).id, -30_000], // 12:00:00 → the last point
      [(await sendOk(app, lee.token, room, 'a minute before')).id, -31_000], // 11:59:59 → the one before
      [(await sendOk(app, ana.token, group, 'group rooms count')).id, -20_000], // 12:00:10 → the last point
      [(await sendOk(app, lee.token, room, 'the first minute')).id, -29 * MIN - 30_000], // 11:31:00 → the first point
      [(await sendOk(app, lee.token, room, 'just before the window')).id, -29 * MIN - 31_000], // 11:30:59 → out
      [(await sendOk(app, lee.token, room, 'after now')).id, 1_000], // out
      [(await sendOk(app, lee.token, direct, 'direct messages do not count')).id, -20_000],
      [(await sendOk(app, other.learnerToken, otherRoom, 'another course')).id, -20_000],
    ];
    await app.core.services.rooms.postSystem(room, 'Someone joined.');
    for (const [id, offset] of placed) await setCreated(id, at(offset));
    await db()
      .update(messages)
      .set({ createdAt: at(-15_000) })
      .where(and(eq(messages.kind, 'system'), eq(messages.roomId, room)));

    const d = await dashboard.snapshot(inst.viewer, f.course.id);
    expect(d.at).toBe(at(0).toISOString());
    expect(d.messagesPerMinute).toHaveLength(30);
    expect(d.messagesPerMinute[0]!.at).toBe('2031-03-12T11:31:00.000Z');
    expect(d.messagesPerMinute[29]!.at).toBe('2031-03-12T12:00:00.000Z');
    const counts = d.messagesPerMinute.map((p) => p.count);
    expect(counts[29]).toBe(3);
    expect(counts[28]).toBe(1);
    expect(counts[0]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5);

    // A minute later the window moves: what was in the minute in progress is now the point before.
    now = T + MIN;
    const later = (await dashboard.snapshot(inst.viewer, f.course.id)).messagesPerMinute.map((p) => p.count);
    expect(later[28]).toBe(4); // "after now" (12:00:31) is in the past now
    expect(later[27]).toBe(1);
    expect(later[29]).toBe(0);
    expect(later.reduce((a, b) => a + b, 0)).toBe(5); // 11:31:00 left the window
    now = T;
  });

  it('answer waits: live questions until answered, course-room questions until a staff message; open questions', async () => {
    now = T;
    const f = await seed(app.core, 'waits');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const [a, b, c] = await Promise.all(['Ann', 'Bob', 'Cyd'].map((n) => addMember(app.core, f, n)));
    const ta = await addMember(app.core, f, 'Tia TA', ['teaching_assistant']);
    const cls = await makeClass(f);
    for (const p of [a!, b!, c!]) await admit(cls.id, p, { joined: at(-11 * MIN) });

    // The live Q&A, asked and answered at set times: answered after 60 s and 120 s, one open since T − 5 min, one
    // dismissed (counted nowhere).
    const ask = (p: Person, when: number) => atTime(at(when), () => inClass.ask(p.viewer, cls.id, 'A question?'));
    const mark = (id: string, status: 'answered' | 'dismissed', when: number) =>
      atTime(at(when), () => inClass.setQuestionStatus(inst.viewer, id, status));
    await mark((await ask(a!, -10 * MIN)).id, 'answered', -9 * MIN);
    await mark((await ask(b!, -8 * MIN)).id, 'answered', -6 * MIN);
    await ask(c!, -5 * MIN);
    await mark((await ask(a!, -4 * MIN)).id, 'dismissed', -3 * MIN);
    expect(now).toBe(T);

    // The course room.
    const room = await courseRoomId(app, lee.token, f.course.id);
    const placed: [string, number][] = [
      [(await sendOk(app, lee.token, room, 'How do loops work?')).id, -30 * MIN], // answered by a staff message 30 s later
      [(await sendOk(app, inst.token, room, 'Like this.')).id, -29 * MIN - 30_000],
      [(await sendOk(app, inst.token, room, 'Any questions?')).id, -25 * MIN], // staff: not a question to wait on
      [(await sendOk(app, b!.token, room, 'Is the exam on Friday?')).id, -20 * MIN], // waits (1200 s)
      [(await sendOk(app, c!.token, room, 'What is a closure?')).id, -18 * MIN], // only a learner replies: waits (1080 s)
      [(await sendOk(app, b!.token, room, 'A function with its scope.')).id, -17 * MIN],
      [(await sendOk(app, lee.token, room, 'thanks')).id, -15 * MIN], // no question mark
      [(await sendOk(app, lee.token, room, 'Old question?')).id, -3 * 60 * MIN], // before the 2 hours
      [(await sendOk(app, ta.token, room, 'Yes, on Friday.')).id, MIN], // after now: not yet an answer
    ];
    for (const [id, offset] of placed) await setCreated(id, at(offset));

    const d = await dashboard.snapshot(inst.viewer, f.course.id);
    expect(d.answerWait).toEqual({ answered: 3, waiting: 3, medianSeconds: 60, p90Seconds: 120, longestWaitingSeconds: 1200 });
    expect(d.openQuestions).toBe(3);
    expect(d.liveClass?.id).toBe(cls.id);

    // The TA's message comes: the first staff message after the Friday question (21 minutes) and after the closure
    // question (19 minutes); the live question open since T − 5 min is the one left waiting.
    now = T + 2 * MIN;
    const d2 = await dashboard.snapshot(inst.viewer, f.course.id);
    expect(d2.answerWait).toEqual({ answered: 5, waiting: 1, medianSeconds: 120, p90Seconds: 1260, longestWaitingSeconds: 420 });
    expect(d2.openQuestions).toBe(1);
    now = T;
  });

  it('struggles: confusion topics and tutor questions grouped by keywords; tutor usage today against the budgets', async () => {
    now = T;
    const f = await seed(app.core, 'struggles');
    const inst = instructorOf(f);
    const cls = await makeClass(f);
    const people = await Promise.all(['S1', 'S2', 'S3', 'S4', 'S5', 'S6'].map((n) => addMember(app.core, f, n)));
    for (const p of people) await admit(cls.id, p, { joined: at(-7 * MIN) });
    // "I'm lost" signals, one a minute over the last six minutes.
    const topics = ['base case', 'Base cases', 'the base case?', 'recursion', 'Recursion', null];
    for (const [i, p] of people.entries()) await atTime(at(-(6 - i) * MIN), () => inClass.signalConfusion(p.viewer, cls.id, topics[i]));
    // Over a week ago: not a struggle now.
    await atTime(at(-8 * 24 * 60 * MIN), () => inClass.signalConfusion(people[0]!.viewer, cls.id, 'pointers'));

    // Questions to the tutor, in the students' tutor rooms.
    const asked = [
      [people[0]!, 'How do I find the base case of a recursive function?'],
      [people[1]!, 'what is a base case'],
      [people[2]!, 'Why is my loop infinite?'],
      [people[3]!, 'infinite loops in while'],
    ] as const;
    for (const [p, body] of asked) {
      const tutorRoom = ok(await gql(app.url, OPEN_TUTOR, { courseId: f.course.id }, p.token)).openTutorRoom.id as string;
      await sendOk(app, p.token, tutorRoom, body);
    }
    await db()
      .update(tutorRequests)
      .set({ createdAt: at(-60 * MIN) })
      .where(eq(tutorRequests.courseId, f.course.id));
    const requests = await db().select().from(tutorRequests).where(eq(tutorRequests.courseId, f.course.id));
    expect(requests).toHaveLength(4);
    const ledger = (tokens: [number, number], when: Date, call: number) => ({
      tenantId: f.tenant.id,
      courseId: f.course.id,
      userId: people[0]!.user.id,
      roomId: requests[0]!.roomId,
      requestId: requests[0]!.id,
      call,
      jobId: `job-${randomUUID()}`,
      model: 'test-model',
      promptTokens: tokens[0],
      completionTokens: tokens[1],
      costMicros: 0,
      source: 'provider',
      outcome: 'done',
      createdAt: when,
    });
    await db()
      .insert(usageLedger)
      .values([
        ledger([100, 50], at(-60 * MIN), 101), // today
        ledger([1000, 0], at(-2 * 24 * 60 * MIN), 102), // this month
        ledger([7000, 0], at(-40 * 24 * 60 * MIN), 103), // last month
      ]);

    const d = await dashboard.snapshot(inst.viewer, f.course.id);
    expect(d.struggles).toEqual([
      { topic: 'base case', count: 3, source: 'confusion' },
      { topic: 'recursion', count: 2, source: 'confusion' },
      { topic: 'base case', count: 2, source: 'tutor' },
      { topic: 'infinite loop', count: 2, source: 'tutor' },
    ]);
    const { config } = app.core.services;
    expect(d.tutor).toEqual({
      tokensToday: 150,
      dailyBudget: config.tutorUserDailyTokens,
      monthTokens: 1150,
      monthlyBudget: config.tutorCourseMonthlyTokens,
      questionsToday: 4,
    });
    // The confusion trend of the class in progress: one signal a minute in the last six minutes, none before.
    expect(d.confusionTrend.map((p) => p.count)).toEqual([...Array<number>(23).fill(0), 1, 1, 1, 1, 1, 1, 0]);
  });

  it('students and where they are (presence sections; staff left out), hands, present and admitted of the class', async () => {
    now = T;
    const f = await seed(app.core, 'where');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const tom = await addMember(app.core, f, 'Tom Away');
    const cls = await makeClass(f);
    await admit(cls.id, inst); // a host: neither present nor admitted among the participants
    await admit(cls.id, lee);
    await admit(cls.id, tom);
    const gone = await addMember(app.core, f, 'Gus Gone');
    await admit(cls.id, gone, { joined: at(-2 * MIN), leftAt: at(-MIN) });
    const stale = await addMember(app.core, f, 'Sam Stale');
    await admit(cls.id, stale, { joined: at(-5 * MIN) }); // open, but not seen within the grace period
    for (const p of [lee, tom]) await atTime(at(-20_000), () => inClass.raiseHand(p.viewer, cls.id));

    // Lee in the live class (a presence subscription with its section), Tom in the tutor on a hidden tab, the
    // instructor on the dashboard (staff: not a student).
    const { client } = wsClient(app.wsUrl, lee.token);
    const before = app.core.services.realtime.activeSubscriptions;
    subscribe(
      client,
      `subscription($courseId: ID!, $tabId: String, $section: String) { presence(courseId: $courseId, tabId: $tabId, section: $section) { userId } }`,
      { courseId: f.course.id, tabId: 'lee-tab-live', section: 'live' },
      'presence',
    );
    await listening(app, before);
    const SET = `mutation($courseId: ID!, $tabId: String!, $state: PresenceState!, $section: String) {
      setPresence(courseId: $courseId, tabId: $tabId, state: $state, section: $section) }`;
    ok(await gql(app.url, SET, { courseId: f.course.id, tabId: 'tom-tab-tutor', state: 'AWAY', section: 'tutor' }, tom.token));
    ok(await gql(app.url, SET, { courseId: f.course.id, tabId: 'ada-tab-dash', state: 'ONLINE', section: 'dashboard' }, inst.token));

    let d!: LiveDashboardView;
    await poll(
      async () => {
        d = await dashboard.snapshot(inst.viewer, f.course.id);
        return d.students.some((s) => s.userId === lee.user.id && s.section === 'live');
      },
      10_000,
      () => `Lee never showed in the live class: ${JSON.stringify(d.students)}`,
    );
    expect(d.students).toEqual([
      { userId: lee.user.id, userName: lee.user.name, section: 'live', state: 'online' },
      { userId: tom.user.id, userName: 'Tom Away', section: 'tutor', state: 'away' },
    ]);
    expect(d.activeStudents).toBe(2);
    expect(d.bySection).toEqual([
      { section: 'live', count: 1 },
      { section: 'tutor', count: 1 },
    ]);
    expect({ hands: d.hands, present: d.present, admitted: d.admitted }).toEqual({ hands: 2, present: 2, admitted: 4 });
    expect(d.liveClass?.id).toBe(cls.id);
    await client.dispose();
  });
});

describe('live dashboard over GraphQL (PostgreSQL)', () => {
  let app: TestApp;
  let inClass: LiveInteractionService;
  beforeAll(async () => {
    app = await startApp({ env: { RATE_LIMIT_WRITE: '100000/10', RATE_LIMIT_SIGNAL: '100000/10' } });
    const s = app.core.services;
    inClass = new LiveInteractionService({
      db: s.database.db,
      realtime: s.realtime,
      liveAccess: new LiveAccess(s.database.db, s.access),
      log: s.log,
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const FIELDS = `courseId at activeStudents hands openQuestions present admitted liveClass { id cursor }
    messagesPerMinute { at count } answerWait { answered waiting } tutor { questionsToday } struggles { topic count source }`;
  const QUERY = `query($id: ID!) { course(id: $id) { liveDashboard { ${FIELDS} } } }`;
  const SUB = `subscription($courseId: ID!) { liveDashboard(courseId: $courseId) { ${FIELDS} } }`;
  type Snap = { hands: number; openQuestions: number; liveClass: { id: string; cursor: string } | null };

  async function liveClassOf(f: Fixture) {
    const now = Date.now();
    const db = app.core.services.database.db;
    const [row] = await db
      .insert(liveClasses)
      .values({
        tenantId: f.tenant.id,
        courseId: f.course.id,
        title: 'Live now',
        startsAt: new Date(now - 600_000),
        endsAt: new Date(now + 3_000_000),
        state: 'live',
        startedAt: new Date(now - 60_000),
      })
      .returning();
    return row!;
  }

  it('hosts only: learners and API keys FORBIDDEN, another tenant NOT_FOUND (query and subscription)', async () => {
    const f = await seed(app.core, 'gql-access');
    const other = await seed(app.core, 'gql-other');
    const ta = await addMember(app.core, f, 'Tia TA', ['teaching_assistant']);
    for (const token of [f.instructorToken, ta.token]) {
      const d = ok(await gql(app.url, QUERY, { id: f.course.id }, token)).course.liveDashboard;
      expect(d.courseId).toBe(f.course.id);
      expect(d.messagesPerMinute).toHaveLength(30);
      expect(d.liveClass).toBeNull();
    }
    const mentor = await addMember(app.core, f, 'Mo Mentor', ['mentor']);
    for (const token of [f.learnerToken, mentor.token, await apiKeyOf(app.core, f)]) {
      expect(code((await gql(app.url, QUERY, { id: f.course.id }, token)).body)).toBe('FORBIDDEN');
    }
    const r = await gql(app.url, QUERY, { id: f.course.id }, other.instructorToken);
    expect(code(r.body)).toBe('NOT_FOUND');
    for (const [token, want] of [
      [f.learnerToken, 'FORBIDDEN'],
      [other.instructorToken, 'NOT_FOUND'],
    ] as const) {
      const c = wsClient(app.wsUrl, token);
      const s = subscribe(c.client, SUB, { courseId: f.course.id }, 'liveDashboard');
      await s.ended();
      expect(subCode(s.errors)).toBe(want);
      expect(s.items).toEqual([]);
      await c.client.dispose();
    }
  });

  it('a closed subscription lets go of everything it listened to at once (it does not wait for its next snapshot)', async () => {
    const f = await seed(app.core, 'gql-close');
    const { realtime } = app.core.services;
    const base = realtime.activeSubscriptions;
    const c = wsClient(app.wsUrl, f.instructorToken);
    const s = subscribe<Snap>(c.client, SUB, { courseId: f.course.id }, 'liveDashboard');
    await s.waitFor(1);
    // The course's class list, its presence and its course room.
    await listening(app, base, 3);
    await c.client.dispose();
    await poll(
      () => realtime.activeSubscriptions === base,
      20_000,
      () => `${realtime.activeSubscriptions - base} listeners left behind`,
    );
    expect(s.errors).toEqual([]);
  });

  it('the subscription: a snapshot at once, a fresh one after a hand and after a question; FORBIDDEN once no longer a host', async () => {
    const f = await seed(app.core, 'gql-follow');
    const lee = learnerOf(f);
    const cls = await liveClassOf(f);
    await app.core.services.live.join(lee.viewer, cls.id);

    const c = wsClient(app.wsUrl, f.instructorToken);
    const s = subscribe<Snap>(c.client, SUB, { courseId: f.course.id }, 'liveDashboard');
    const [first] = await s.waitFor(1);
    expect(first).toMatchObject({ hands: 0, openQuestions: 0, liveClass: { id: cls.id, cursor: '1' } }); // Lee's join

    await inClass.raiseHand(lee.viewer, cls.id);
    await poll(
      () => s.items.some((d) => d.hands === 1),
      20_000,
      () => `no snapshot with the hand: ${JSON.stringify(s.items)}`,
    );
    await inClass.ask(lee.viewer, cls.id, 'Could you repeat the last step?');
    await poll(
      () => s.items.some((d) => d.openQuestions === 1),
      20_000,
      () => `no snapshot with the question: ${JSON.stringify(s.items)}`,
    );
    const last = s.items.at(-1)!;
    expect(Number(last.liveClass!.cursor)).toBeGreaterThanOrEqual(2);

    // The instructor is no longer staff: the next snapshot is refused and the subscription ends.
    await app.core.services.courses.setMembership(f.tenant.id, f.course.id, f.instructor.id, ['learner']);
    await inClass.lowerHand(lee.viewer, cls.id);
    await s.ended();
    expect(subCode(s.errors)).toBe('FORBIDDEN');
    await c.client.dispose();
  });
});
