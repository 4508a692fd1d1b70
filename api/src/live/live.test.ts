/**
 * Live classes on a real PostgreSQL and Redis, and on PGlite: planning (its schedule session and chat room; bad input
 * with its field; a grade link without a line item), start / join / leave / end with the events a host sees, who
 * controls a class (hosts: instructors and TAs; not a learner, another course's or tenant's instructor, a guest or
 * an API key), max participants under concurrent joins (exactly N admitted), the attendance ledger under a
 * controllable clock (reconnects within the grace period, timeouts closed by the sweep, leaving, returning, the end),
 * a subscriber from a cursor that misses nothing, and the subscription that keeps a person present.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { gql, poll, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, apiKeyOf, code, instructorOf, learnerOf, ok, subCode, type Person } from '../../test/chat.js';
import { upsertUser } from '../users/service.js';
import { resourceLinks } from '../lti/tables.js';
import { rooms } from '../rooms/tables.js';
import { liveAttendees, liveIntervals } from './tables.js';
import { LiveService } from './service.js';
import { minutesPresent } from './attendance.js';

const CLASS = `id courseId sessionId roomId title description startsAt endsAt state startedAt endedAt maxParticipants participantCount
  provider meetingUrl recordingUrl policy thresholdPercent anonymousQuestions confusionWindowSeconds confusionAlertPercent
  gradeLink { id title } canHost joined cursor participants { userId userName role present }`;
const CREATE = `mutation($courseId: ID!, $input: LiveClassInput!) { createLiveClass(courseId: $courseId, input: $input) { ${CLASS} } }`;
const UPDATE = `mutation($id: ID!, $input: LiveClassInput!) { updateLiveClass(id: $id, input: $input) { ${CLASS} } }`;
const START = `mutation($id: ID!) { startLiveClass(id: $id) { ${CLASS} } }`;
const END = `mutation($id: ID!) { endLiveClass(id: $id) { ${CLASS} } }`;
const DELETE = `mutation($id: ID!) { deleteLiveClass(id: $id) }`;
const RECORDING = `mutation($id: ID!, $url: String) { setLiveRecordingUrl(id: $id, url: $url) { recordingUrl } }`;
const JOIN = `mutation($id: ID!) { joinLiveClass(id: $id) { meetingUrl liveClass { id joined participantCount } } }`;
const LEAVE = `mutation($id: ID!) { leaveLiveClass(id: $id) }`;
const HEARTBEAT = `mutation($id: ID!) { liveHeartbeat(id: $id) }`;
const ONE = `query($id: ID!) { liveClass(id: $id) { ${CLASS} } }`;
const LIST = `query($id: ID!, $includeEnded: Boolean) { course(id: $id) { liveClasses(includeEnded: $includeEnded) { cursor classes { id state } } } }`;
const GRADE_LINKS = `query($courseId: ID!) { liveGradeLinks(courseId: $courseId) { id title } }`;
const SESSION = `query($id: ID!) { scheduleSession(id: $id) { id title startsAt endsAt audience meetingUrl status } }`;
const EVENTS = `subscription($classId: ID!, $after: String) { liveClassEvents(classId: $classId, after: $after) {
  cursor type classId state participant { userId userName role present } } }`;
const COURSE_EVENTS = `subscription($courseId: ID!, $after: String) { courseLiveClassEvents(courseId: $courseId, after: $after) {
  cursor type classId liveClass { id state canHost } } }`;

interface Ev {
  cursor: string;
  type: string;
  classId: string;
  state: string | null;
  participant: { userId: string; userName: string; role: string; present: boolean } | null;
}

const STARTS = '2030-05-01T10:00:00.000Z';
const ENDS = '2030-05-01T10:50:00.000Z';
const input = (extra: Record<string, unknown> = {}) => ({
  title: 'Week 3: recursion',
  startsAt: STARTS,
  endsAt: ENDS,
  meetingUrl: 'https://meet.example.edu/week-3',
  ...extra,
});

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('live classes ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '100000/10', RATE_LIMIT_SIGNAL: '100000/10', LIVE_HEARTBEAT_SECONDS: '2' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const q = (query: string, variables: Record<string, unknown>, token: string) => gql(app.url, query, variables, token);
  const create = async (f: Fixture, extra: Record<string, unknown> = {}) =>
    ok(await q(CREATE, { courseId: f.course.id, input: input(extra) }, f.instructorToken)).createLiveClass;

  it('plans, starts, admits, lets leave and ends a class; the host sees who joins and leaves', async () => {
    const f = await seed(app.core, 'main');
    const inst = instructorOf(f);
    const lee = learnerOf(f);

    // Bad input, each with its field.
    const bad = async (extra: Record<string, unknown>) =>
      (await q(CREATE, { courseId: f.course.id, input: input(extra) }, inst.token)).body;
    for (const [extra, field] of [
      [{ title: '  \u200b ' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ endsAt: STARTS }, 'endsAt'],
      [{ maxParticipants: 0 }, 'maxParticipants'],
      [{ maxParticipants: 5001 }, 'maxParticipants'],
      [{ meetingUrl: 'javascript:alert(1)' }, 'meetingUrl'],
      [{ provider: 'BIGBLUEBUTTON' }, 'provider'],
      [{ thresholdPercent: 101 }, 'thresholdPercent'],
      [{ gradeLinkId: '00000000-0000-4000-8000-000000000000' }, 'gradeLinkId'],
      [{ sessionId: 'nope' }, 'sessionId'],
    ] as const) {
      const body = await bad(extra);
      expect([code(body), (body.errors?.[0]?.extensions as { field?: string } | undefined)?.field], JSON.stringify(extra)).toEqual([
        'BAD_USER_INPUT',
        field,
      ]);
    }
    // A graded activity without a gradebook column; then one with.
    const [ungraded, graded] = await app.core.services.database.db
      .insert(resourceLinks)
      .values([
        { tenantId: f.tenant.id, courseId: f.course.id, resourceLinkId: 'rl-plain', title: 'Plain link', section: 'live' },
        {
          tenantId: f.tenant.id,
          courseId: f.course.id,
          resourceLinkId: 'rl-graded',
          title: 'Attendance',
          section: 'live',
          lineItemUrl: 'https://lms.example.edu/li/1',
        },
      ])
      .returning();
    expect(code(await bad({ gradeLinkId: ungraded!.id }))).toBe('NO_LINE_ITEM');
    expect(ok(await q(GRADE_LINKS, { courseId: f.course.id }, inst.token)).liveGradeLinks).toEqual([
      { id: graded!.id, title: 'Attendance' },
    ]);
    expect(code((await q(GRADE_LINKS, { courseId: f.course.id }, lee.token)).body)).toBe('FORBIDDEN');
    // Learners do not plan classes.
    expect(code((await q(CREATE, { courseId: f.course.id, input: input() }, lee.token)).body)).toBe('FORBIDDEN');

    const cls = await create(f, { gradeLinkId: graded!.id, maxParticipants: 30, description: 'Bring questions.' });
    expect(cls).toMatchObject({
      state: 'SCHEDULED',
      provider: 'LINK',
      meetingUrl: 'https://meet.example.edu/week-3',
      gradeLink: { id: graded!.id, title: 'Attendance' },
      canHost: true,
      joined: false,
      participantCount: 0,
      participants: [],
      policy: 'THRESHOLD',
      thresholdPercent: 80,
    });
    // Its schedule session (course-wide, with the link) and its own chat room.
    expect(ok(await q(SESSION, { id: cls.sessionId }, lee.token)).scheduleSession).toMatchObject({
      title: 'Week 3: recursion',
      startsAt: STARTS,
      endsAt: ENDS,
      audience: 'COURSE',
      meetingUrl: 'https://meet.example.edu/week-3',
      status: 'SCHEDULED',
    });
    const [room] = await app.core.services.database.db.select().from(rooms).where(eq(rooms.id, cls.roomId));
    expect(room).toMatchObject({ kind: 'live', ref: cls.id, courseId: f.course.id });
    // The learner sees it, cannot host it; joining before the start is refused.
    expect(ok(await q(ONE, { id: cls.id }, lee.token)).liveClass).toMatchObject({ canHost: false, joined: false, state: 'SCHEDULED' });
    expect(code((await q(JOIN, { id: cls.id }, lee.token)).body)).toBe('CLASS_NOT_LIVE');

    // An edit moves the schedule session with it.
    const moved = ok(
      await q(
        UPDATE,
        {
          id: cls.id,
          input: input({ title: 'Week 3: recursion (moved)', startsAt: '2030-05-01T11:00:00.000Z', endsAt: '2030-05-01T11:50:00.000Z' }),
        },
        inst.token,
      ),
    ).updateLiveClass;
    expect(moved).toMatchObject({ title: 'Week 3: recursion (moved)', gradeLink: { id: graded!.id }, maxParticipants: 30 });
    expect(ok(await q(SESSION, { id: cls.sessionId }, lee.token)).scheduleSession).toMatchObject({
      title: 'Week 3: recursion (moved)',
      startsAt: '2030-05-01T11:00:00.000Z',
    });
    ok(await q(UPDATE, { id: cls.id, input: input() }, inst.token));

    // The host follows the class from its cursor; the course list from its own.
    const list = ok(await q(LIST, { id: f.course.id }, lee.token)).course.liveClasses;
    expect(list.classes).toEqual([{ id: cls.id, state: 'SCHEDULED' }]);
    const { client: hostWs } = wsClient(app.wsUrl, inst.token);
    const { client: leeWs } = wsClient(app.wsUrl, lee.token);
    const cursor = ok(await q(ONE, { id: cls.id }, inst.token)).liveClass.cursor;
    const hostEvents = subscribe<Ev>(hostWs, EVENTS, { classId: cls.id, after: cursor }, 'liveClassEvents');
    const courseEvents = subscribe(leeWs, COURSE_EVENTS, { courseId: f.course.id, after: list.cursor }, 'courseLiveClassEvents');
    try {
      expect(ok(await q(START, { id: cls.id }, inst.token)).startLiveClass).toMatchObject({ state: 'LIVE' });
      expect(code((await q(DELETE, { id: cls.id }, inst.token)).body)).toBe('CONFLICT');

      const joined = ok(await q(JOIN, { id: cls.id }, lee.token)).joinLiveClass;
      expect(joined).toMatchObject({
        meetingUrl: 'https://meet.example.edu/week-3',
        liveClass: { id: cls.id, joined: true, participantCount: 1 },
      });
      const hostJoin = ok(await q(JOIN, { id: cls.id }, inst.token)).joinLiveClass;
      expect(hostJoin.liveClass.participantCount).toBe(1); // hosts are not counted
      const read = ok(await q(ONE, { id: cls.id }, lee.token)).liveClass;
      expect(read.participants).toEqual([
        { userId: inst.user.id, userName: inst.user.name, role: 'HOST', present: true },
        { userId: lee.user.id, userName: lee.user.name, role: 'PARTICIPANT', present: true },
      ]);
      expect(ok(await q(LEAVE, { id: cls.id }, lee.token)).leaveLiveClass).toBe(true);
      expect(ok(await q(LEAVE, { id: cls.id }, lee.token)).leaveLiveClass).toBe(false);
      expect(ok(await q(ONE, { id: cls.id }, lee.token)).liveClass.participants[1]).toMatchObject({ userId: lee.user.id, present: false });

      await hostEvents.waitFor(4);
      expect(hostEvents.items.map((e) => [e.type, e.state, e.participant?.userId ?? null, e.participant?.present ?? null])).toEqual([
        ['CLASS_UPDATED', 'LIVE', null, null],
        ['PARTICIPANT_JOINED', null, lee.user.id, true],
        ['PARTICIPANT_JOINED', null, inst.user.id, true],
        ['PARTICIPANT_LEFT', null, lee.user.id, false],
      ]);

      const ended = ok(await q(END, { id: cls.id }, inst.token)).endLiveClass;
      expect(ended).toMatchObject({ state: 'ENDED' });
      expect(ended.endedAt).not.toBeNull();
      expect(code((await q(JOIN, { id: cls.id }, lee.token)).body)).toBe('CLASS_NOT_LIVE');
      expect(code((await q(HEARTBEAT, { id: cls.id }, lee.token)).body)).toBe('CLASS_NOT_LIVE');
      // Ending closed the host's stretch (reason ended).
      const ledger = await app.core.services.database.db
        .select()
        .from(liveIntervals)
        .where(eq(liveIntervals.classId, cls.id))
        .orderBy(asc(liveIntervals.joinedAt));
      expect(ledger.map((i) => [i.userId, i.endReason])).toEqual([
        [lee.user.id, 'left'],
        [inst.user.id, 'ended'],
      ]);
      await poll(
        () => hostEvents.items.some((e) => e.type === 'CLASS_UPDATED' && e.state === 'ENDED'),
        20_000,
        () => JSON.stringify(hostEvents.items),
      );
      // The course list heard every change: the edits, the start and the end.
      await poll(
        () => courseEvents.items.filter((e: { liveClass: { state: string } | null }) => e.liveClass?.state === 'ENDED').length >= 1,
        20_000,
        () => JSON.stringify(courseEvents.items),
      );
      expect(
        courseEvents.items.every(
          (e: { classId: string; liveClass: { canHost: boolean } }) => e.classId === cls.id && e.liveClass.canHost === false,
        ),
      ).toBe(true);
      expect(courseEvents.items[0].type).toBe('class.updated');
    } finally {
      hostEvents.stop();
      courseEvents.stop();
      await hostWs.dispose();
      await leeWs.dispose();
    }

    // A recording's link after the class; a scheduled class can be deleted (its session cancelled).
    expect(
      ok(await q(RECORDING, { id: cls.id, url: 'https://video.example.edu/rec/3' }, inst.token)).setLiveRecordingUrl.recordingUrl,
    ).toBe('https://video.example.edu/rec/3');
    const other = await create(f, { title: 'Cancelled one' });
    expect(ok(await q(DELETE, { id: other.id }, inst.token)).deleteLiveClass).toBe(true);
    expect(code((await q(ONE, { id: other.id }, inst.token)).body)).toBe('NOT_FOUND');
    expect(ok(await q(SESSION, { id: other.sessionId }, inst.token)).scheduleSession.status).toBe('CANCELLED');
  });

  it('only hosts control a class: not a learner, another course’s or tenant’s instructor, a guest, an API key', async () => {
    const f = await seed(app.core, 'hosts');
    const lee = learnerOf(f);
    const ta = await addMember(app.core, f, 'Tia Assistant', ['teaching_assistant']);
    const guest = await addMember(app.core, f, 'Gus Guest', ['guest']);
    const elsewhere = await seed(app.core, 'other-tenant');
    // An instructor of another course of the same tenant.
    const course2 = await app.core.services.courses.upsertCourse({
      tenantId: f.tenant.id,
      contextId: `ctx2-${f.course.id}`,
      title: 'Other course',
      label: 'O',
    });
    const otherInst = await upsertUser(app.core.services.database.db, {
      tenantId: f.tenant.id,
      subject: `oi-${f.course.id}`,
      name: 'Olga Other',
    });
    await app.core.services.courses.setMembership(f.tenant.id, course2.id, otherInst.id, ['instructor']);
    const otherToken = await app.core.services.sessions.issue({
      tenantId: f.tenant.id,
      userId: otherInst.id,
      courseId: course2.id,
      roles: ['instructor'],
    });
    const key = await apiKeyOf(app.core, f, ['read', 'write']);

    const cls = await create(f);
    const refusals = async (token: string) => {
      const out: (string | undefined)[] = [];
      for (const [doc, vars] of [
        [START, { id: cls.id }],
        [END, { id: cls.id }],
        [UPDATE, { id: cls.id, input: input({ title: 'Hijacked' }) }],
        [RECORDING, { id: cls.id, url: 'https://evil.example.com' }],
        [DELETE, { id: cls.id }],
      ] as const)
        out.push(code((await q(doc, vars, token)).body));
      return out;
    };
    expect(await refusals(lee.token)).toEqual(Array(5).fill('FORBIDDEN'));
    expect(await refusals(guest.token)).toEqual(Array(5).fill('FORBIDDEN'));
    expect(await refusals(key)).toEqual(Array(5).fill('FORBIDDEN'));
    expect(await refusals(otherToken)).toEqual(Array(5).fill('NOT_FOUND'));
    expect(await refusals(elsewhere.instructorToken)).toEqual(Array(5).fill('NOT_FOUND'));
    expect(code((await q(CREATE, { courseId: f.course.id, input: input() }, key)).body)).toBe('FORBIDDEN');
    expect(code((await q(CREATE, { courseId: f.course.id, input: input() }, elsewhere.instructorToken)).body)).toBe('NOT_FOUND');

    // An API key reads the class; it never takes part. Other tenants do not see it.
    expect(ok(await q(ONE, { id: cls.id }, key)).liveClass).toMatchObject({ id: cls.id, canHost: false, joined: false });
    expect(code((await q(ONE, { id: cls.id }, elsewhere.learnerToken)).body)).toBe('NOT_FOUND');

    // A TA hosts: starts it; the guest watches but cannot join; the key cannot join.
    expect(ok(await q(START, { id: cls.id }, ta.token)).startLiveClass.state).toBe('LIVE');
    expect(ok(await q(ONE, { id: cls.id }, ta.token)).liveClass.canHost).toBe(true);
    const guestJoin = (await q(JOIN, { id: cls.id }, guest.token)).body;
    expect([code(guestJoin), (guestJoin.errors?.[0]?.extensions as { reason?: string } | undefined)?.reason]).toEqual([
      'FORBIDDEN',
      'GUEST',
    ]);
    expect(code((await q(JOIN, { id: cls.id }, key)).body)).toBe('FORBIDDEN');
    expect(code((await q(JOIN, { id: cls.id }, elsewhere.learnerToken)).body)).toBe('NOT_FOUND');
    // A learner who has not joined has no heartbeat to send.
    expect(code((await q(HEARTBEAT, { id: cls.id }, lee.token)).body)).toBe('NOT_JOINED');
    expect(await refusals(lee.token)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    // Another tenant's subscription to it is refused.
    const { client } = wsClient(app.wsUrl, elsewhere.instructorToken);
    const sub = subscribe(client, EVENTS, { classId: cls.id }, 'liveClassEvents');
    await sub.ended();
    expect(subCode(sub.errors)).toBe('NOT_FOUND');
    await client.dispose();
    expect(ok(await q(END, { id: cls.id }, ta.token)).endLiveClass.state).toBe('ENDED');
  });

  it('max participants under concurrent joins: exactly N admitted, the rest CLASS_FULL; hosts are not counted', async () => {
    const f = await seed(app.core, 'full');
    const cls = await create(f, { maxParticipants: 5 });
    ok(await q(START, { id: cls.id }, f.instructorToken));
    const people: Person[] = [];
    for (let i = 0; i < 20; i++) people.push(await addMember(app.core, f, `Student ${i}`));
    const results = await Promise.all(people.map((p) => q(JOIN, { id: cls.id }, p.token)));
    const codes = results.map((r) => (r.body.errors ? code(r.body) : 'OK'));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(5);
    expect(codes.filter((c) => c === 'CLASS_FULL')).toHaveLength(15);
    const full = results.find((r) => code(r.body) === 'CLASS_FULL')!.body.errors![0]!;
    expect(full.message).toMatch(/full/);
    const admitted = await app.core.services.database.db.select().from(liveAttendees).where(eq(liveAttendees.classId, cls.id));
    expect(admitted).toHaveLength(5);
    // The host still gets in; an admitted person comes back; the class still holds 5 participants.
    ok(await q(JOIN, { id: cls.id }, f.instructorToken));
    const inside = people[codes.indexOf('OK')]!;
    ok(await q(LEAVE, { id: cls.id }, inside.token));
    expect(ok(await q(JOIN, { id: cls.id }, inside.token)).joinLiveClass.liveClass.participantCount).toBe(5);
    expect(code((await q(JOIN, { id: cls.id }, people[codes.indexOf('CLASS_FULL')]!.token)).body)).toBe('CLASS_FULL');
  });

  it('attendance under a controllable clock: reconnects within grace, timeouts by the sweep, leaving, returning, the end', async () => {
    const f = await seed(app.core, 'ledger');
    const s = app.core.services;
    let now = new Date(STARTS);
    const T0 = now.getTime();
    const set = (min: number, sec = 0) => (now = new Date(T0 + min * 60_000 + sec * 1000));
    const live = new LiveService({
      db: s.database.db,
      realtime: s.realtime,
      access: s.access,
      liveAccess: s.live.access,
      rooms: s.rooms,
      schedule: s.schedule,
      lti: s.lti,
      bbb: null,
      config: { liveGraceSeconds: 60, liveHeartbeatSeconds: 20 },
      activity: s.activity,
      log: s.log,
      clock: () => now,
    });
    const inst = instructorOf(f).viewer;
    const ann = learnerOf(f);
    const ben = await addMember(app.core, f, 'Ben Dropout');
    const cls = await live.create(inst, f.course.id, { title: 'Ledger', startsAt: new Date(STARTS), endsAt: new Date(ENDS) });
    const { client } = wsClient(app.wsUrl, f.instructorToken);
    const events = subscribe<Ev>(client, EVENTS, { classId: cls.id, after: cls.cursor }, 'liveClassEvents');
    const isOpen = async (userId: string) =>
      (
        await s.database.db
          .select()
          .from(liveIntervals)
          .where(and(eq(liveIntervals.classId, cls.id), eq(liveIntervals.userId, userId), isNull(liveIntervals.leftAt)))
      ).length === 1;
    /** Heartbeats every 20 s from one minute to another (the last one included). */
    const beat = async (viewer: typeof ann.viewer, fromMin: number, toMin: number) => {
      for (let t = fromMin * 60; t <= toMin * 60; t += 20) {
        set(0, t);
        expect(await live.heartbeat(viewer, cls.id)).toBe(true);
      }
    };
    try {
      await live.start(inst, cls.id);
      await live.join(ann.viewer, cls.id);
      await beat(ann.viewer, 0, 5);
      set(5);
      await live.join(ben.viewer, cls.id); // Ben never sends a heartbeat: his tab was closed at once
      await beat(ann.viewer, 5, 10);
      // A drop of 45 s (within the 60 s grace): the same stretch goes on.
      set(10, 45);
      expect(await live.heartbeat(ann.viewer, cls.id)).toBe(true);
      await beat(ann.viewer, 11, 20);
      // Silent from 20:00. The sweep at 20:30 leaves Ann (within grace) and closes Ben at 5:00.
      set(20, 30);
      // (The sweep is for every class: other tests' stretches, seen years before this clock, close too.)
      await live.sweep();
      expect([await isOpen(ann.user.id), await isOpen(ben.user.id)]).toEqual([true, false]);
      const present = new Map((await live.participants(cls)).map((p) => [p.userId, p.present]));
      expect([present.get(ann.user.id), present.get(ben.user.id)]).toEqual([true, false]);
      // At 21:30 the sweep closes Ann's stretch at her last sign of life, 20:00.
      set(21, 30);
      expect(await live.sweep()).toBeGreaterThanOrEqual(1);
      expect(await isOpen(ann.user.id)).toBe(false);
      expect(await live.sweep()).toBe(0);
      // She comes back at 25:00 (her connection returned): a new stretch; then she leaves at 30:00.
      set(25);
      expect(await live.heartbeat(ann.viewer, cls.id)).toBe(true);
      await beat(ann.viewer, 25, 30);
      expect(await live.leave(ann.viewer, cls.id)).toBe(true);
      // A heartbeat after leaving does not bring her back (a tab left open); joining does.
      set(30, 20);
      expect(await live.heartbeat(ann.viewer, cls.id)).toBe(false);
      set(40);
      await live.join(ann.viewer, cls.id);
      await beat(ann.viewer, 40, 45);
      // Joining again two minutes after her last sign of life: the old stretch closes at 45:00, a new one opens.
      set(47);
      await live.join(ann.viewer, cls.id);
      await beat(ann.viewer, 47, 55);
      // The host ends at 55:00 (the schedule said 50:00).
      await live.end(inst, cls.id);

      const db = s.database.db;
      const ledger = await db
        .select()
        .from(liveIntervals)
        .where(and(eq(liveIntervals.classId, cls.id), eq(liveIntervals.userId, ann.user.id)))
        .orderBy(asc(liveIntervals.joinedAt));
      const m = (d: Date | null) => (d ? (d.getTime() - T0) / 60_000 : null);
      expect(ledger.map((i) => [m(i.joinedAt), m(i.leftAt), i.endReason])).toEqual([
        [0, 20, 'timeout'],
        [25, 30, 'left'],
        [40, 45, 'timeout'],
        [47, 55, 'ended'],
      ]);
      const times = { startsAt: cls.startsAt, endsAt: cls.endsAt, startedAt: new Date(T0), endedAt: new Date(T0 + 55 * 60_000) };
      // 20 + 5 + 5 + 3 (47:00 to the scheduled end, 50:00).
      expect(minutesPresent(ledger, times, now, 60_000)).toBe(33);
      const [annRow] = await db
        .select()
        .from(liveAttendees)
        .where(and(eq(liveAttendees.classId, cls.id), eq(liveAttendees.userId, ann.user.id)));
      expect(annRow!.joins).toBe(4);
      const benLedger = await db
        .select()
        .from(liveIntervals)
        .where(and(eq(liveIntervals.classId, cls.id), eq(liveIntervals.userId, ben.user.id)));
      expect(benLedger.map((i) => [m(i.joinedAt), m(i.leftAt), i.endReason])).toEqual([[5, 5, 'timeout']]);
      expect(minutesPresent(benLedger, times, now, 60_000)).toBe(0);

      // The host saw it all, in order: Ann, Ben, Ben timed out, Ann timed out, back, left, back twice.
      const kinds = (await events.waitFor(10)).filter((e) => e.type !== 'CLASS_UPDATED');
      expect(kinds.map((e) => [e.type, e.participant!.userId === ann.user.id ? 'ann' : 'ben'])).toEqual([
        ['PARTICIPANT_JOINED', 'ann'],
        ['PARTICIPANT_JOINED', 'ben'],
        ['PARTICIPANT_LEFT', 'ben'],
        ['PARTICIPANT_LEFT', 'ann'],
        ['PARTICIPANT_JOINED', 'ann'],
        ['PARTICIPANT_LEFT', 'ann'],
        ['PARTICIPANT_JOINED', 'ann'],
        ['PARTICIPANT_JOINED', 'ann'],
      ]);
    } finally {
      events.stop();
      await client.dispose();
    }
  });

  it('a subscriber from a cursor misses nothing; participants get the participant variant; an open subscription keeps a person present', async () => {
    const f = await seed(app.core, 'cursor');
    const cls = await create(f);
    const { cursor } = ok(await q(ONE, { id: cls.id }, f.learnerToken)).liveClass;
    ok(await q(START, { id: cls.id }, f.instructorToken));
    const people = [learnerOf(f), await addMember(app.core, f, 'Cy'), await addMember(app.core, f, 'Di')];
    for (const p of people) ok(await q(JOIN, { id: cls.id }, p.token));
    ok(await q(LEAVE, { id: cls.id }, people[1]!.token));

    // Subscribed after all that, from the cursor read before it: everything, in order, then live.
    const { client } = wsClient(app.wsUrl, people[0]!.token);
    const sub = subscribe<Ev>(client, EVENTS, { classId: cls.id, after: cursor }, 'liveClassEvents');
    try {
      await sub.waitFor(5);
      expect(sub.items.slice(0, 5).map((e) => [e.type, e.participant?.userName ?? null])).toEqual([
        ['CLASS_UPDATED', null],
        ['PARTICIPANT_JOINED', people[0]!.user.name],
        ['PARTICIPANT_JOINED', 'Cy'],
        ['PARTICIPANT_JOINED', 'Di'],
        ['PARTICIPANT_LEFT', 'Cy'],
      ]);
      const seqs = sub.items.map((e) => Number(e.cursor));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);

      // The learner's open subscription renews her presence (LIVE_HEARTBEAT_SECONDS=2 here): wait for it.
      const db = app.core.services.database.db;
      const seen = async () =>
        (
          await db
            .select({ lastSeenAt: liveIntervals.lastSeenAt, joinedAt: liveIntervals.joinedAt })
            .from(liveIntervals)
            .where(and(eq(liveIntervals.classId, cls.id), eq(liveIntervals.userId, people[0]!.user.id)))
        )[0]!;
      const first = await seen();
      await poll(
        async () => (await seen()).lastSeenAt.getTime() > first.lastSeenAt.getTime(),
        20_000,
        () => 'presence not renewed by the subscription',
      );
      expect((await seen()).joinedAt).toEqual(first.joinedAt);

      ok(await q(END, { id: cls.id }, f.instructorToken));
      await poll(
        () => sub.items.some((e) => e.type === 'CLASS_UPDATED' && e.state === 'ENDED'),
        20_000,
        () => JSON.stringify(sub.items),
      );
    } finally {
      sub.stop();
      await client.dispose();
    }
  });
});
