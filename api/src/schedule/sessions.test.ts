/**
 * Sessions through GraphQL on a real PostgreSQL and Redis, and on PGlite: time zones (a host in one zone, a viewer in
 * another, a weekly series crossing a daylight-saving change keeps its wall-clock time in the host's zone; moving
 * "this and the following" keeps the new local time), conflicts (named, and saved anyway with force), exceptions
 * (cancel one, cancel the following), attendance, settings, who reads what (a learner never another learner's
 * session; another tenant's ids answer NOT_FOUND), the live events with their per-event checks, the notifications,
 * and the audit entries each change leaves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { gql, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, code, CREATE_GROUP, instructorOf, learnerOf, ok, type GqlBody, type Person } from '../../test/chat.js';
import { auditLog } from '../activity/tables.js';
import { scheduleSeries } from './tables.js';

const SESSION = `id courseId seriesId recurrenceId title startsAt endsAt timeZone hostId hostName audience studentId studentName roomId
  location meetingUrl status sequence canEdit attendance { userId userName attendance completed }`;
const CREATE = `mutation($input: CreateScheduleSessionInput!, $force: Boolean) { createScheduleSession(input: $input, force: $force) { ${SESSION} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateScheduleSessionInput!, $scope: ScheduleEditScope, $force: Boolean) {
  updateScheduleSession(id: $id, input: $input, scope: $scope, force: $force) { ${SESSION} } }`;
const MOVE = `mutation($id: ID!, $startsAt: DateTime!, $endsAt: DateTime!, $scope: ScheduleEditScope, $force: Boolean) {
  moveScheduleSession(id: $id, startsAt: $startsAt, endsAt: $endsAt, scope: $scope, force: $force) { ${SESSION} } }`;
const CANCEL = `mutation($id: ID!, $scope: ScheduleEditScope) { cancelScheduleSession(id: $id, scope: $scope) { ${SESSION} } }`;
const ONE = `query($id: ID!) { scheduleSession(id: $id) { ${SESSION} } }`;
const SCHEDULE = `query($id: ID!, $from: DateTime!, $to: DateTime!) { course(id: $id) { schedule(from: $from, to: $to) { cursor sessions { ${SESSION} } } scheduleSettings { timeZone reminderOffsets isSet } } }`;
const SETTINGS = `mutation($courseId: ID!, $timeZone: String, $reminderOffsets: [Int!]) {
  updateScheduleSettings(courseId: $courseId, timeZone: $timeZone, reminderOffsets: $reminderOffsets) { timeZone reminderOffsets isSet } }`;
const MARK = `mutation($sessionId: ID!, $userId: ID!, $attendance: AttendanceMark, $completed: Boolean) {
  markAttendance(sessionId: $sessionId, userId: $userId, attendance: $attendance, completed: $completed) { userId attendance completed } }`;
const EVENTS = `subscription($courseId: ID!, $after: String) { scheduleEvents(courseId: $courseId, after: $after) {
  cursor type sessionId session { id title startsAt status sequence } } }`;
const NOTES = `query { notifications(first: 50) { edges { node { type excerpt data courseId } } } }`;

interface S {
  id: string;
  seriesId: string | null;
  recurrenceId: string | null;
  title: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  hostId: string;
  audience: string;
  status: string;
  sequence: number;
  canEdit: boolean;
  attendance: { userId: string; userName: string; attendance: string | null; completed: boolean }[];
}
interface Ev {
  cursor: string;
  type: string;
  sessionId: string | null;
  session: { id: string; title: string; startsAt: string; status: string; sequence: number } | null;
}

const local = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
const at = (wall: string, zone: string) => DateTime.fromISO(wall, { zone }).toUTC().toISO()!;
/** A time in the future whose wall clock is known: years ahead, so that no test depends on today's date. */
const YEAR = DateTime.now().year + 2;

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('sessions ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '100000/10' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const q = (query: string, variables: Record<string, unknown>, token: string) => gql(app.url, query, variables, token);
  const create = async (p: Person, input: Record<string, unknown>, force?: boolean): Promise<S[]> =>
    ok(await q(CREATE, { input, force }, p.token)).createScheduleSession;
  const schedule = async (p: Person, f: Fixture, from: string, to: string) =>
    ok(await q(SCHEDULE, { id: f.course.id, from, to }, p.token)).course as {
      schedule: { cursor: string; sessions: S[] };
      scheduleSettings: { timeZone: string; reminderOffsets: number[]; isSet: boolean };
    };

  it('a weekly series keeps its wall-clock time in the host’s zone across DST; viewed from another zone; moved "this and following"', async () => {
    const f = await seed(app.core, 'tz');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    // The course's zone (instructors only; a learner is refused; a bad name too).
    expect(code((await q(SETTINGS, { courseId: f.course.id, timeZone: 'Europe/Paris' }, lee.token)).body)).toBe('FORBIDDEN');
    expect(code((await q(SETTINGS, { courseId: f.course.id, timeZone: 'Europe/Atlantis' }, inst.token)).body)).toBe('BAD_USER_INPUT');
    expect((await schedule(inst, f, `${YEAR}-01-01T00:00:00Z`, `${YEAR}-01-02T00:00:00Z`)).scheduleSettings).toEqual({
      timeZone: 'UTC',
      reminderOffsets: [1440, 15],
      isSet: false,
    });
    const settings = ok(
      await q(SETTINGS, { courseId: f.course.id, timeZone: 'america/new_york', reminderOffsets: [60, 1440] }, inst.token),
    );
    expect(settings.updateScheduleSettings).toEqual({ timeZone: 'America/New_York', reminderOffsets: [1440, 60], isSet: true });

    // The host plans 10:00 New York on Mondays, 1 to 22 March: New York changes to summer time on the second Sunday.
    const march1 = DateTime.fromObject({ year: YEAR, month: 3, day: 1 });
    const first = march1.plus({ days: (8 - march1.weekday) % 7 });
    const firstLocal = first.toFormat("yyyy-MM-dd'T'10:00");
    const series = await create(inst, {
      courseId: f.course.id,
      title: 'Weekly lab',
      startsAt: at(firstLocal, 'America/New_York'),
      endsAt: at(first.toFormat("yyyy-MM-dd'T'11:00"), 'America/New_York'),
      repeat: { weekdays: [1], count: 5 },
    });
    expect(series).toHaveLength(5);
    expect(new Set(series.map((s) => s.seriesId)).size).toBe(1);
    expect(series.every((s) => s.timeZone === 'America/New_York')).toBe(true);
    expect(series.map((s) => local(s.startsAt, 'America/New_York').slice(11))).toEqual(Array(5).fill('10:00'));
    // Its UTC time moves by an hour on the change.
    const utcHours = series.map((s) => new Date(s.startsAt).getUTCHours());
    expect(new Set(utcHours)).toEqual(new Set([15, 14]));
    expect(series.map((s) => s.recurrenceId)).toEqual(series.map((s) => s.startsAt));

    // A learner in Paris sees the same instants: in Paris, 16:00 before New York's change, 15:00 in the weeks when
    // only New York has changed, 16:00 again once Paris changes too (last Sunday of March).
    const seen = await schedule(lee, f, `${YEAR}-02-20T00:00:00Z`, `${YEAR}-04-30T00:00:00Z`);
    expect(seen.schedule.sessions.map((s) => s.id)).toEqual(series.map((s) => s.id));
    const parisTimes = seen.schedule.sessions.map((s) => local(s.startsAt, 'Europe/Paris').slice(11));
    expect(parisTimes).toContain('16:00');
    expect(parisTimes).toContain('15:00');
    // And in New York every one is at 10:00.
    expect(seen.schedule.sessions.map((s) => local(s.startsAt, 'America/New_York').slice(11))).toEqual(Array(5).fill('10:00'));

    // A host in Paris plans a one-off at 09:00 Paris the day after Paris' change: 07:00 UTC.
    const march31 = DateTime.fromObject({ year: YEAR, month: 3, day: 31 }, { zone: 'Europe/Paris' });
    const dayAfter = march31.minus({ days: march31.weekday % 7 }).plus({ days: 1 });
    expect(dayAfter.weekday).toBe(1);
    const [oneOff] = await create(inst, {
      courseId: f.course.id,
      title: 'Paris office',
      timeZone: 'Europe/Paris',
      startsAt: at(dayAfter.toFormat("yyyy-MM-dd'T'09:00"), 'Europe/Paris'),
      endsAt: at(dayAfter.toFormat("yyyy-MM-dd'T'09:30"), 'Europe/Paris'),
    });
    expect(oneOff!.startsAt).toBe(`${dayAfter.toFormat('yyyy-MM-dd')}T07:00:00.000Z`);
    expect(local(oneOff!.startsAt, 'America/New_York').slice(11)).toBe('03:00');

    // Move the second occurrence and the following ones to 11:30 New York: every later one is at 11:30 local,
    // on its own date, with its RECURRENCE-ID kept and its SEQUENCE raised; the series is split there.
    const second = series[1]!;
    const secondDay = local(second.startsAt, 'America/New_York').slice(0, 10);
    const moved: S[] = ok(
      await q(
        MOVE,
        {
          id: second.id,
          startsAt: at(`${secondDay}T11:30`, 'America/New_York'),
          endsAt: at(`${secondDay}T12:30`, 'America/New_York'),
          scope: 'FOLLOWING',
          force: true,
        },
        inst.token,
      ),
    ).moveScheduleSession;
    expect(moved.map((s) => s.id)).toEqual(series.slice(1).map((s) => s.id));
    expect(moved.map((s) => local(s.startsAt, 'America/New_York').slice(11))).toEqual(Array(4).fill('11:30'));
    expect(moved.map((s) => local(s.startsAt, 'America/New_York').slice(0, 10))).toEqual(
      series.slice(1).map((s) => local(s.startsAt, 'America/New_York').slice(0, 10)),
    );
    expect(moved.map((s) => s.recurrenceId)).toEqual(series.slice(1).map((s) => s.recurrenceId));
    expect(moved.every((s) => s.sequence === 1)).toBe(true);
    expect(new Set(moved.map((s) => s.seriesId)).size).toBe(1);
    expect(moved[0]!.seriesId).not.toBe(series[0]!.seriesId);
    const firstAgain: S = ok(await q(ONE, { id: series[0]!.id }, inst.token)).scheduleSession;
    expect(local(firstAgain.startsAt, 'America/New_York').slice(11)).toBe('10:00');
    expect(firstAgain.sequence).toBe(0);
    const rules = await app.core.services.database.db.select().from(scheduleSeries).where(eq(scheduleSeries.courseId, f.course.id));
    expect(rules).toHaveLength(2);
    expect(rules.every((r) => /^FREQ=WEEKLY;BYDAY=MO;UNTIL=\d{8}T\d{6}Z$/.test(r.rrule))).toBe(true);
  });

  it('conflicts name the session and who is busy; force saves anyway; a series past 60 occurrences is refused', async () => {
    const f = await seed(app.core, 'conflict');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const start = DateTime.fromObject({ year: YEAR, month: 5, day: 3, hour: 10 }, { zone: 'UTC' });
    const [oneToOne] = await create(inst, {
      courseId: f.course.id,
      title: 'Check-in with Lee',
      audience: 'STUDENT',
      studentId: lee.user.id,
      startsAt: start.toISO(),
      endsAt: start.plus({ hours: 1 }).toISO(),
    });
    const lecture = {
      courseId: f.course.id,
      title: 'Lecture',
      startsAt: start.plus({ minutes: 30 }).toISO(),
      endsAt: start.plus({ minutes: 90 }).toISO(),
    };
    const refused = await q(CREATE, { input: lecture }, inst.token);
    expect(code(refused.body as GqlBody)).toBe('SCHEDULE_CONFLICT');
    const conflicts = (
      refused.body.errors![0]!.extensions as { conflicts: { sessionId: string; title: string; who: string[]; startsAt: string }[] }
    ).conflicts;
    expect(conflicts).toEqual([
      expect.objectContaining({
        sessionId: oneToOne!.id,
        title: 'Check-in with Lee',
        startsAt: start.toUTC().toISO({ suppressMilliseconds: false }),
        who: expect.arrayContaining([f.instructor.name, f.learner.name]),
      }),
    ]);
    // Nothing was saved.
    expect((await schedule(inst, f, start.minus({ days: 1 }).toISO()!, start.plus({ days: 1 }).toISO()!)).schedule.sessions).toHaveLength(
      1,
    );
    // Save anyway.
    const [saved] = await create(inst, lecture, true);
    expect(saved!.title).toBe('Lecture');
    // Adjacent is not a conflict.
    await create(inst, {
      ...lecture,
      title: 'After',
      startsAt: start.plus({ minutes: 90 }).toISO(),
      endsAt: start.plus({ hours: 2 }).toISO(),
    });
    // Moving the one-to-one onto the lecture conflicts too (with the lecture, by name).
    const move = await q(MOVE, { id: oneToOne!.id, startsAt: lecture.startsAt, endsAt: lecture.endsAt }, inst.token);
    expect(code(move.body as GqlBody)).toBe('SCHEDULE_CONFLICT');
    expect(JSON.stringify(move.body.errors![0]!.extensions)).toContain('Lecture');

    const tooLong = await q(
      CREATE,
      {
        input: {
          ...lecture,
          title: 'Daily',
          startsAt: start.plus({ days: 7 }).toISO(),
          endsAt: start.plus({ days: 7, hours: 1 }).toISO(),
          repeat: { weekdays: [1, 2, 3, 4, 5], count: 61 },
        },
      },
      inst.token,
    );
    expect(code(tooLong.body as GqlBody)).toBe('SERIES_TOO_LONG');
    // A learner plans nothing.
    expect(code((await q(CREATE, { input: { ...lecture, title: 'Mine' } }, lee.token)).body as GqlBody)).toBe('FORBIDDEN');
  });

  it('learners see course sessions, their own and their group’s, never another learner’s; another tenant’s ids are NOT_FOUND', async () => {
    const f = await seed(app.core, 'privacy');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Other');
    const gus = await addMember(app.core, f, 'Gus Guest', ['guest']);
    const group = ok(
      await q(CREATE_GROUP, { courseId: f.course.id, name: 'Team 1', memberIds: [ana.user.id] }, inst.token),
    ).createGroupRoom;
    const day = DateTime.fromObject({ year: YEAR, month: 6, day: 7, hour: 9 }, { zone: 'UTC' });
    const slot = (h: number) => ({ startsAt: day.plus({ hours: h }).toISO(), endsAt: day.plus({ hours: h, minutes: 45 }).toISO() });
    const [all] = await create(inst, { courseId: f.course.id, title: 'For everyone', ...slot(0) });
    const [leeOnly] = await create(inst, {
      courseId: f.course.id,
      title: 'Lee private',
      audience: 'STUDENT',
      studentId: lee.user.id,
      ...slot(1),
    });
    const [team] = await create(inst, { courseId: f.course.id, title: 'Team meeting', audience: 'ROOM', roomId: group.id, ...slot(2) });
    const range = [day.minus({ days: 1 }).toISO()!, day.plus({ days: 1 }).toISO()!] as const;
    const titles = async (p: Person) => (await schedule(p, f, ...range)).schedule.sessions.map((s) => s.title);
    expect(await titles(inst)).toEqual(['For everyone', 'Lee private', 'Team meeting']);
    expect(await titles(lee)).toEqual(['For everyone', 'Lee private']);
    expect(await titles(ana)).toEqual(['For everyone', 'Team meeting']);
    expect(await titles(gus)).toEqual(['For everyone']);
    expect(code((await q(ONE, { id: leeOnly!.id }, ana.token)).body as GqlBody)).toBe('NOT_FOUND');
    expect(code((await q(ONE, { id: team!.id }, lee.token)).body as GqlBody)).toBe('NOT_FOUND');
    expect(ok(await q(ONE, { id: leeOnly!.id }, lee.token)).scheduleSession.title).toBe('Lee private');
    // A learner sees only their own attendance row, and cannot edit.
    const own: S = ok(await q(ONE, { id: all!.id }, lee.token)).scheduleSession;
    expect(own.canEdit).toBe(false);
    expect(own.attendance.map((a) => a.userId)).toEqual([lee.user.id]);
    expect(code((await q(CANCEL, { id: all!.id }, lee.token)).body as GqlBody)).toBe('FORBIDDEN');

    // Another tenant: every id answers NOT_FOUND, as for a session that does not exist.
    const other = await seed(app.core, 'elsewhere');
    const stranger = instructorOf(other);
    expect(code((await q(ONE, { id: all!.id }, stranger.token)).body as GqlBody)).toBe('NOT_FOUND');
    expect(code((await q(UPDATE, { id: all!.id, input: { title: 'Mine now' } }, stranger.token)).body as GqlBody)).toBe('NOT_FOUND');
    expect(code((await q(CANCEL, { id: all!.id }, stranger.token)).body as GqlBody)).toBe('NOT_FOUND');
    expect(code((await q(MARK, { sessionId: all!.id, userId: lee.user.id, attendance: 'PRESENT' }, stranger.token)).body as GqlBody)).toBe(
      'NOT_FOUND',
    );
    expect(code((await q(SCHEDULE, { id: f.course.id, from: range[0], to: range[1] }, stranger.token)).body as GqlBody)).toBe('NOT_FOUND');
    expect(code((await q(CREATE, { input: { courseId: f.course.id, title: 'x', ...slot(5) } }, stranger.token)).body as GqlBody)).toBe(
      'NOT_FOUND',
    );
    // Their student cannot be named in our course either.
    const theirs = await q(
      CREATE,
      { input: { courseId: f.course.id, title: 'x', audience: 'STUDENT', studentId: other.learner.id, ...slot(6) } },
      inst.token,
    );
    expect(code(theirs.body as GqlBody)).toBe('BAD_USER_INPUT');
  });

  it('live: events arrive in order from the cursor, each checked against its subscriber; attendees are notified; every change is audited', async () => {
    const f = await seed(app.core, 'live');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Watcher');
    const day = DateTime.fromObject({ year: YEAR, month: 9, day: 14, hour: 13 }, { zone: 'UTC' });
    const range = { id: f.course.id, from: day.minus({ days: 2 }).toISO(), to: day.plus({ days: 30 }).toISO() };
    const leeCursor = ok(await q(SCHEDULE, range, lee.token)).course.schedule.cursor as string;
    const anaCursor = ok(await q(SCHEDULE, range, ana.token)).course.schedule.cursor as string;
    const wsLee = wsClient(app.wsUrl, lee.token);
    const wsAna = wsClient(app.wsUrl, ana.token);
    const leeEvents = subscribe<Ev>(wsLee.client, EVENTS, { courseId: f.course.id, after: leeCursor }, 'scheduleEvents');
    const anaEvents = subscribe<Ev>(wsAna.client, EVENTS, { courseId: f.course.id, after: anaCursor }, 'scheduleEvents');
    try {
      const [mine] = await create(inst, {
        courseId: f.course.id,
        title: 'Feedback for Lee',
        audience: 'STUDENT',
        studentId: lee.user.id,
        startsAt: day.toISO(),
        endsAt: day.plus({ minutes: 30 }).toISO(),
      });
      const series = await create(inst, {
        courseId: f.course.id,
        title: 'Seminar',
        startsAt: day.plus({ days: 1 }).toISO(),
        endsAt: day.plus({ days: 1, hours: 1 }).toISO(),
        repeat: { count: 3 },
      });
      ok(
        await q(
          MOVE,
          { id: mine!.id, startsAt: day.plus({ hours: 1 }).toISO(), endsAt: day.plus({ hours: 1, minutes: 30 }).toISO() },
          inst.token,
        ),
      );
      const cancelled: S[] = ok(await q(CANCEL, { id: series[1]!.id, scope: 'FOLLOWING' }, inst.token)).cancelScheduleSession;
      expect(cancelled.map((s) => s.id)).toEqual([series[1]!.id, series[2]!.id]);
      expect(cancelled.every((s) => s.status === 'CANCELLED' && s.sequence === 1)).toBe(true);

      const got = await leeEvents.waitFor(7);
      expect(got.map((e) => [e.type, e.sessionId])).toEqual([
        ['SESSION_CREATED', mine!.id],
        ['SESSION_CREATED', series[0]!.id],
        ['SESSION_CREATED', series[1]!.id],
        ['SESSION_CREATED', series[2]!.id],
        ['SESSION_UPDATED', mine!.id],
        ['SESSION_CANCELLED', series[1]!.id],
        ['SESSION_CANCELLED', series[2]!.id],
      ]);
      expect(got[4]!.session).toMatchObject({ title: 'Feedback for Lee', startsAt: day.plus({ hours: 1 }).toUTC().toISO(), sequence: 1 });
      // Ana hears of the seminar, never of Lee's session.
      const anaGot = await anaEvents.waitFor(5);
      expect(anaGot.map((e) => e.sessionId)).toEqual([series[0]!.id, series[1]!.id, series[2]!.id, series[1]!.id, series[2]!.id]);
      expect(JSON.stringify(anaEvents.items)).not.toContain(mine!.id);

      // Resume from the middle: only what came after.
      const wsAgain = wsClient(app.wsUrl, lee.token);
      const resumed = subscribe<Ev>(wsAgain.client, EVENTS, { courseId: f.course.id, after: got[3]!.cursor }, 'scheduleEvents');
      expect((await resumed.waitFor(3)).map((e) => e.type)).toEqual(['SESSION_UPDATED', 'SESSION_CANCELLED', 'SESSION_CANCELLED']);
      resumed.stop();
      await wsAgain.client.dispose();
    } finally {
      leeEvents.stop();
      anaEvents.stop();
      await wsLee.client.dispose();
      await wsAna.client.dispose();
    }

    // Lee was told: assigned, changed; Ana: the seminar assigned and cancelled.
    const notes = async (p: Person) =>
      (
        ok(await q(NOTES, {}, p.token)).notifications.edges as { node: { type: string; excerpt: string; data: { sessionId: string } } }[]
      ).map((e) => `${e.node.type}:${e.node.excerpt}`);
    expect((await notes(lee)).sort()).toEqual(
      [
        'session.assigned:Feedback for Lee',
        'session.assigned:Seminar',
        'session.changed:Feedback for Lee',
        'session.cancelled:Seminar',
      ].sort(),
    );
    expect((await notes(ana)).sort()).toEqual(['session.assigned:Seminar', 'session.cancelled:Seminar'].sort());

    // Attendance: the host marks; the learner reads their own; a non-attendee is NOT_FOUND.
    const seminar = (await schedule(inst, f, range.from!, range.to!)).schedule.sessions.find(
      (s) => s.title === 'Seminar' && s.status === 'SCHEDULED',
    )!;
    expect(
      ok(await q(MARK, { sessionId: seminar.id, userId: lee.user.id, attendance: 'PRESENT', completed: true }, inst.token)).markAttendance,
    ).toEqual({
      userId: lee.user.id,
      attendance: 'PRESENT',
      completed: true,
    });
    expect(code((await q(MARK, { sessionId: seminar.id, userId: lee.user.id, attendance: 'ABSENT' }, ana.token)).body as GqlBody)).toBe(
      'FORBIDDEN',
    );
    expect(
      code((await q(MARK, { sessionId: seminar.id, userId: f.instructor.id, attendance: 'ABSENT' }, inst.token)).body as GqlBody),
    ).toBe('NOT_FOUND');
    const staffView: S = ok(await q(ONE, { id: seminar.id }, inst.token)).scheduleSession;
    expect(staffView.attendance).toEqual(
      expect.arrayContaining([
        { userId: lee.user.id, userName: f.learner.name, attendance: 'PRESENT', completed: true },
        { userId: ana.user.id, userName: 'Ana Watcher', attendance: null, completed: false },
      ]),
    );

    const audit = await app.core.services.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.courseId, f.course.id)));
    const actions = audit.map((a) => `${a.entity}:${a.action}`);
    expect(actions).toEqual(
      expect.arrayContaining(['session:create', 'series:create', 'session:move', 'session:cancel', 'attendance:mark']),
    );
    const moveEntry = audit.find((a) => a.action === 'move')!;
    expect((moveEntry.before as { startsAt: string }).startsAt).toBe(day.toUTC().toISO());
    expect((moveEntry.after as { startsAt: string }).startsAt).toBe(day.plus({ hours: 1 }).toUTC().toISO());
  });
});
