/**
 * Calendar feeds over HTTP and GraphQL, on PostgreSQL and on PGlite: the `.ics` parses with ical.js (an independent
 * iCalendar parser) and round-trips UID, SEQUENCE, STATUS and times; a person's feed holds their sessions and
 * bookings and nobody else's; a course's feed holds its course-wide sessions only; rotated and revoked tokens answer
 * 404 at once; one session's `.ics` is for whoever reads the session (METHOD:REQUEST, CANCEL once cancelled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { eq, sql } from 'drizzle-orm';
import { gql, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, apiKeyOf, code, learnerOf, ok, type Person } from '../../test/chat.js';
import { scheduleSessions } from './tables.js';
import { auditLog } from '../activity/tables.js';

const MY_FEED = `query { myCalendarFeed { url createdAt } }`;
const ROTATE = `mutation { rotateCalendarFeed { url } }`;
const REVOKE = `mutation { revokeCalendarFeed }`;
const COURSE_FEED = `query($id: ID!) { courseCalendarFeed(courseId: $id) { url } }`;
const ROTATE_COURSE = `mutation($id: ID!) { rotateCourseCalendarFeed(courseId: $id) { url } }`;
const FILE = `query($id: ID!) { sessionCalendarFile(sessionId: $id) { filename content } }`;

interface Parsed {
  method: string | null;
  events: { uid: string; sequence: number; status: string; start: string; end: string; stamp: string | null; summary: string }[];
}

/** Parses with ical.js, not with anything of ours. */
function parse(text: string): Parsed {
  const cal = new ICAL.Component(ICAL.parse(text));
  return {
    method: (cal.getFirstPropertyValue('method') as string | null) ?? null,
    events: cal.getAllSubcomponents('vevent').map((v) => {
      const e = new ICAL.Event(v);
      const stamp = v.getFirstPropertyValue('dtstamp') as ICAL.Time | null;
      return {
        uid: e.uid,
        sequence: e.sequence,
        status: String(v.getFirstPropertyValue('status')),
        start: e.startDate.toJSDate().toISOString(),
        end: e.endDate.toJSDate().toISOString(),
        stamp: stamp ? stamp.toJSDate().toISOString() : null,
        summary: e.summary,
      };
    }),
  };
}

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('calendar feeds ($name)', ({ embedded }) => {
  let app: TestApp;
  let fx: Fixture;
  let lee: Person;
  let ana: Person;
  const ids: Record<'course' | 'leeOwn' | 'anaBooking' | 'cancelled' | 'room', string> = {
    course: '',
    leeOwn: '',
    anaBooking: '',
    cancelled: '',
    room: '',
  };
  const host = () => new URL(app.core.config.publicUrl).hostname;
  // Days from a day ten days ahead (a feed holds what is near: the last 90 days, the next 400).
  const base = new Date(Date.now() + 10 * 86_400_000);
  const at = (days: number, hour: number) => new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate() + days, hour));
  const icsTime = (d: Date) =>
    d
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');

  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '100000/60' } });
    fx = await seed(app.core, 'feeds');
    lee = learnerOf(fx);
    ana = await addMember(app.core, fx, 'Ana Booker');
    const { db } = app.core.services.database;
    const row = { tenantId: fx.tenant.id, courseId: fx.course.id, hostId: fx.instructor.id, timeZone: 'Europe/Berlin' };
    const insert = async (v: Partial<typeof scheduleSessions.$inferInsert> & { title: string; startsAt: Date; endsAt: Date }) =>
      (
        await db
          .insert(scheduleSessions)
          .values({ ...row, ...v })
          .returning({ id: scheduleSessions.id })
      )[0]!.id;
    ids.course = await insert({
      title: 'Lecture, week 1',
      startsAt: at(0, 9),
      endsAt: at(0, 10),
      sequence: 0,
      meetingUrl: 'https://meet.example/x',
    });
    ids.leeOwn = await insert({
      title: 'Lee: project check',
      audience: 'student',
      studentId: lee.user.id,
      startsAt: at(1, 14),
      endsAt: at(1, 15),
    });
    ids.anaBooking = await insert({
      title: 'Office hours',
      kind: 'booking',
      audience: 'student',
      studentId: ana.user.id,
      startsAt: at(2, 13),
      endsAt: at(2, 14),
    });
    ids.cancelled = await insert({ title: 'Lecture, week 2', status: 'cancelled', sequence: 3, startsAt: at(7, 9), endsAt: at(7, 10) });
    // A room's session with no room: no learner sees it; the host does.
    ids.room = await insert({ title: 'Group 3 review', audience: 'room', roomId: null, startsAt: at(3, 9), endsAt: at(3, 10) });
  });
  afterAll(async () => {
    await app?.close();
  });

  const fetchIcs = async (url: string) => {
    const res = await fetch(url.replace(/^https?:\/\/[^/]+/, app.url));
    return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), text: await res.text() };
  };
  /** The person's feed URL: the one they have, or a new one made as the app's "Make my URL" does. */
  const feedOf = async (p: { token: string }) => {
    const mine = ok(await gql(app.url, MY_FEED, {}, p.token)).myCalendarFeed as { url: string } | null;
    return mine?.url ?? (ok(await gql(app.url, ROTATE, {}, p.token)).rotateCalendarFeed.url as string);
  };

  it("a person's feed parses (ical.js) and round-trips UID, SEQUENCE, STATUS and times of their sessions only", async () => {
    const url = await feedOf(lee);
    expect(url).toMatch(/\/calendar\/[A-Za-z0-9_-]{32}\.ics$/);
    const res = await fetchIcs(url);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/calendar; charset=utf-8');
    expect(res.cache).toContain('max-age');
    const { events, method } = parse(res.text);
    expect(method).toBeNull();
    expect(events.map((e) => e.uid).sort()).toEqual([ids.course, ids.leeOwn, ids.cancelled].map((id) => `${id}@${host()}`).sort());
    const lecture = events.find((e) => e.uid.startsWith(ids.course))!;
    expect(lecture).toMatchObject({
      sequence: 0,
      status: 'CONFIRMED',
      start: at(0, 9).toISOString(),
      end: at(0, 10).toISOString(),
      summary: 'Lecture, week 1',
    });
    expect(lecture.stamp).not.toBeNull();
    expect(events.find((e) => e.uid.startsWith(ids.cancelled))).toMatchObject({ sequence: 3, status: 'CANCELLED' });
    // Times in UTC, no VTIMEZONE to misread.
    expect(res.text).toContain(`DTSTART:${icsTime(at(0, 9))}`);
    expect(res.text).not.toContain('BEGIN:VTIMEZONE');

    // Ana's feed: her booking, the course's sessions, never Lee's own session.
    const anas = parse((await fetchIcs(await feedOf(ana))).text).events.map((e) => e.uid.split('@')[0]);
    expect(anas.sort()).toEqual([ids.course, ids.anaBooking, ids.cancelled].sort());
    // The host's: everything they host; their booking names the student.
    const hostEvents = parse((await fetchIcs(await feedOf({ token: fx.instructorToken }))).text).events;
    expect(hostEvents.map((e) => e.uid.split('@')[0]).sort()).toEqual(Object.values(ids).sort());
    expect(hostEvents.find((e) => e.uid.startsWith(ids.anaBooking))!.summary).toBe('Office hours with Ana Booker');
    expect(parse((await fetchIcs(await feedOf(ana))).text).events.find((e) => e.uid.startsWith(ids.anaBooking))!.summary).toBe(
      'Office hours',
    );
  });

  it('a moved session keeps its UID and shows its new time and raised SEQUENCE', async () => {
    const { db } = app.core.services.database;
    await db
      .update(scheduleSessions)
      .set({ startsAt: at(0, 11), endsAt: at(0, 12), sequence: sql`${scheduleSessions.sequence} + 1`, updatedAt: new Date() })
      .where(eq(scheduleSessions.id, ids.course));
    const lecture = parse((await fetchIcs(await feedOf(lee))).text).events.find((e) => e.uid === `${ids.course}@${host()}`)!;
    expect(lecture).toMatchObject({ sequence: 1, start: at(0, 11).toISOString(), end: at(0, 12).toISOString() });
  });

  it('a weekly series planned, moved and cancelled through the schedule: each occurrence its own UID, SEQUENCE raised on each change', async () => {
    const create = `mutation($input: CreateScheduleSessionInput!) { createScheduleSession(input: $input, force: true) { id startsAt } }`;
    const move = `mutation($id: ID!, $s: DateTime!, $e: DateTime!) { moveScheduleSession(id: $id, startsAt: $s, endsAt: $e, force: true) { id } }`;
    const cancel = `mutation($id: ID!) { cancelScheduleSession(id: $id) { id } }`;
    const first = at(14, 16);
    const made = ok(
      await gql(
        app.url,
        create,
        {
          input: {
            courseId: fx.course.id,
            title: 'Weekly lab',
            startsAt: first.toISOString(),
            endsAt: new Date(first.getTime() + 3_600_000).toISOString(),
            timeZone: 'UTC',
            repeat: { count: 3 },
          },
        },
        fx.instructorToken,
      ),
    ).createScheduleSession as { id: string; startsAt: string }[];
    expect(made).toHaveLength(3);
    const [a, b, c] = made.sort((x, y) => Date.parse(x.startsAt) - Date.parse(y.startsAt)) as [
      { id: string; startsAt: string },
      { id: string; startsAt: string },
      { id: string; startsAt: string },
    ];
    const moved = new Date(Date.parse(b.startsAt) + 2 * 3_600_000);
    ok(
      await gql(
        app.url,
        move,
        { id: b.id, s: moved.toISOString(), e: new Date(moved.getTime() + 3_600_000).toISOString() },
        fx.instructorToken,
      ),
    );
    ok(await gql(app.url, cancel, { id: c.id }, fx.instructorToken));

    const events = parse((await fetchIcs(await feedOf(lee))).text).events;
    const of = (id: string) => events.find((e) => e.uid === `${id}@${host()}`)!;
    expect(of(a.id)).toMatchObject({ summary: 'Weekly lab', status: 'CONFIRMED', start: new Date(a.startsAt).toISOString() });
    expect(of(b.id)).toMatchObject({ status: 'CONFIRMED', start: moved.toISOString() });
    expect(of(b.id).sequence).toBeGreaterThan(of(a.id).sequence);
    expect(of(c.id)).toMatchObject({ status: 'CANCELLED' });
    expect(of(c.id).sequence).toBeGreaterThan(of(a.id).sequence);
  });

  it('the same URL until rotated; a rotated or revoked token answers 404 at once', async () => {
    const first = await feedOf(lee);
    expect(await feedOf(lee)).toBe(first);
    const rotated = ok(await gql(app.url, ROTATE, {}, lee.token)).rotateCalendarFeed.url as string;
    expect(rotated).not.toBe(first);
    expect((await fetchIcs(first)).status).toBe(404);
    expect((await fetchIcs(rotated)).status).toBe(200);
    expect(await feedOf(lee)).toBe(rotated);
    expect(ok(await gql(app.url, REVOKE, {}, lee.token)).revokeCalendarFeed).toBe(true);
    expect((await fetchIcs(rotated)).status).toBe(404);
    // Turned off stays off: reading the feed does not make a new one.
    expect(ok(await gql(app.url, MY_FEED, {}, lee.token)).myCalendarFeed).toBeNull();
    expect(ok(await gql(app.url, MY_FEED, {}, lee.token)).myCalendarFeed).toBeNull();
    const again = await feedOf(lee);
    expect(again).not.toBe(rotated);
    expect((await fetchIcs(again)).status).toBe(200);
    // Unknown tokens and shapes: 404, nothing else.
    expect((await fetchIcs(`${app.url}/calendar/${'A'.repeat(32)}.ics`)).status).toBe(404);
    expect((await fetchIcs(`${app.url}/calendar/nope.ics`)).status).toBe(404);
  });

  it('a feed answers 30 requests a minute, then 429 with Retry-After', async () => {
    const url = ok(await gql(app.url, ROTATE, {}, lee.token)).rotateCalendarFeed.url as string;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await fetchIcs(url)).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const res = await fetch(url.replace(/^https?:\/\/[^/]+/, app.url));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(statuses[30]).toBe(429);
  });

  it('feeds belong to people: an API key has none', async () => {
    const key = await apiKeyOf(app.core, fx, ['read']);
    expect(code((await gql(app.url, MY_FEED, {}, key)).body)).toBe('FORBIDDEN');
  });

  it("the course's feed: course-wide sessions only, one URL for every member, rotated by instructors", async () => {
    const url = ok(await gql(app.url, COURSE_FEED, { id: fx.course.id }, lee.token)).courseCalendarFeed.url as string;
    expect(ok(await gql(app.url, COURSE_FEED, { id: fx.course.id }, ana.token)).courseCalendarFeed.url).toBe(url);
    const res = await fetchIcs(url);
    expect(res.status).toBe(200);
    const uids = parse(res.text).events.map((e) => e.uid.split('@')[0]);
    // Never a student's own session, a booking, or a room's session.
    expect(uids).toEqual(expect.arrayContaining([ids.course, ids.cancelled]));
    for (const hidden of [ids.leeOwn, ids.anaBooking, ids.room]) expect(uids).not.toContain(hidden);
    const { db } = app.core.services.database;
    const everyone = await db
      .select({ id: scheduleSessions.id })
      .from(scheduleSessions)
      .where(
        sql`${scheduleSessions.courseId} = ${fx.course.id} and ${scheduleSessions.audience} = 'course' and ${scheduleSessions.kind} = 'session'`,
      );
    expect(uids.sort()).toEqual(everyone.map((r) => r.id).sort());
    expect(res.text).toContain('X-WR-TIMEZONE');

    expect(code((await gql(app.url, ROTATE_COURSE, { id: fx.course.id }, lee.token)).body)).toBe('FORBIDDEN');
    const rotated = ok(await gql(app.url, ROTATE_COURSE, { id: fx.course.id }, fx.instructorToken)).rotateCourseCalendarFeed.url as string;
    expect(rotated).not.toBe(url);
    expect((await fetchIcs(url)).status).toBe(404);
    expect((await fetchIcs(rotated)).status).toBe(200);
    // Another course's id with this token: 404.
    const other = await seed(app.core, 'feeds-other');
    expect((await fetchIcs(rotated.replace(fx.course.id, other.course.id))).status).toBe(404);
    // The rotation is audited, without the token.
    const audits = await db.select().from(auditLog).where(eq(auditLog.entityId, fx.course.id));
    const rotation = audits.find((a) => a.entity === 'calendar_feed');
    expect(rotation).toMatchObject({ action: 'rotated', actorId: fx.instructor.id });
    expect(JSON.stringify(rotation)).not.toContain(rotated.split('/').pop()!.replace('.ics', ''));
    // Another tenant's course: NOT_FOUND.
    expect(code((await gql(app.url, COURSE_FEED, { id: other.course.id }, lee.token)).body)).toBe('NOT_FOUND');
  });

  it("one session's .ics: METHOD:REQUEST, CANCEL once cancelled, for its readers only", async () => {
    const file = ok(await gql(app.url, FILE, { id: ids.leeOwn }, lee.token)).sessionCalendarFile;
    expect(file.filename).toBe('Lee-project-check.ics');
    const parsed = parse(file.content);
    expect(parsed.method).toBe('REQUEST');
    expect(parsed.events).toEqual([
      expect.objectContaining({ uid: `${ids.leeOwn}@${host()}`, sequence: 0, status: 'CONFIRMED', start: at(1, 14).toISOString() }),
    ]);
    expect(file.content).toContain('ORGANIZER');
    const cancelled = parse(ok(await gql(app.url, FILE, { id: ids.cancelled }, lee.token)).sessionCalendarFile.content);
    expect(cancelled.method).toBe('CANCEL');
    expect(cancelled.events[0]).toMatchObject({ status: 'CANCELLED', sequence: 3 });
    // Ana does not read Lee's session; nor does another tenant's learner; unknown ids alike.
    expect(code((await gql(app.url, FILE, { id: ids.leeOwn }, ana.token)).body)).toBe('NOT_FOUND');
    const other = await seed(app.core, 'feeds-tenant');
    expect(code((await gql(app.url, FILE, { id: ids.course }, other.learnerToken)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, FILE, { id: 'not-a-uuid' }, lee.token)).body)).toBe('NOT_FOUND');
  });
});
