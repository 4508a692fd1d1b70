/**
 * Office hours through GraphQL, on the real PostgreSQL and on PGlite, with real Redis: a host's overlapping windows
 * refused (across zones and daylight-saving changes, and when two publishes race), the notice and the horizon, many
 * students booking one slot at once (exactly one booking, by the exclusion constraint), a student's own overlapping
 * booking, who reads a booking and its question, another tenant's ids, cancelling (notice, the session, the
 * notifications, the audit and activity entries) and the waitlist served first come, first served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { and, eq } from 'drizzle-orm';
import { gql, poll, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, apiKeyOf, code, learnerOf, ok, type Person } from '../../test/chat.js';
import { auditLog, courseActivity } from '../activity/tables.js';
import { officeHourBookings, officeHourWindows, scheduleSessions } from './tables.js';
import { firstOverlap, slotsOfDay } from './office-hours.js';

const WINDOW = `id hostId hostName title weekday startTime endTime timeZone slotMinutes horizonDays minNoticeMinutes cancelNoticeMinutes status`;
const BOOKING = `id windowId sessionId hostId hostName studentId studentName startsAt endsAt question status`;
const PUBLISH = `mutation($input: PublishOfficeHoursInput!) { publishOfficeHours(input: $input) { ${WINDOW} } }`;
const WITHDRAW = `mutation($id: ID!) { withdrawOfficeHours(id: $id) { ${WINDOW} } }`;
const WINDOWS = `query($courseId: ID!) { officeHours(courseId: $courseId) { cursor windows { ${WINDOW} } } }`;
const ONE_WINDOW = `query($id: ID!) { officeHourWindow(id: $id) { id } }`;
const DAYS = `query($windowId: ID!, $from: String!, $to: String!) { officeHourDays(windowId: $windowId, from: $from, to: $to) {
  day waitlistSize waitlistPosition waitlistStatus slots { startsAt endsAt state bookingId } } }`;
const BOOK = `mutation($windowId: ID!, $startsAt: DateTime!, $question: String) { bookOfficeHour(windowId: $windowId, startsAt: $startsAt, question: $question) { ${BOOKING} } }`;
const BOOK_NEXT = `mutation($windowId: ID!, $startsAt: DateTime!) { bookOfficeHour(windowId: $windowId, startsAt: $startsAt, orNextFree: true) { ${BOOKING} } }`;
const CANCEL = `mutation($id: ID!) { cancelOfficeHourBooking(id: $id) { ${BOOKING} } }`;
const BOOKING_Q = `query($id: ID!) { officeHourBooking(id: $id) { ${BOOKING} } }`;
const BOOKINGS = `query($courseId: ID!) { officeHourBookings(courseId: $courseId) { cursor bookings { ${BOOKING} } } }`;
const JOIN = `mutation($windowId: ID!, $day: String!) { joinOfficeHourWaitlist(windowId: $windowId, day: $day) { id day status position } }`;
const LEAVE = `mutation($windowId: ID!, $day: String!) { leaveOfficeHourWaitlist(windowId: $windowId, day: $day) }`;
const LINE = `query($windowId: ID!, $day: String!) { officeHourWaitlist(windowId: $windowId, day: $day) { studentId status position } }`;
const NOTES = `query { notifications(first: 50) { edges { node { type courseId excerpt data read } } } }`;
const EVENTS = `subscription($courseId: ID!, $after: String) { officeHourEvents(courseId: $courseId, after: $after) {
  cursor type windowId startsAt bookingId mine } }`;

type Booking = { id: string; sessionId: string; studentId: string; startsAt: string; question: string; status: string };
type Slot = { startsAt: string; endsAt: string; state: string; bookingId: string | null };

/** A date (UTC) `days` from now, as the window's weekday and day. */
function dayAhead(days: number): { weekday: number; day: string } {
  const d = DateTime.utc().plus({ days });
  return { weekday: d.weekday, day: d.toISODate()! };
}

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('office hours ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '1000/10' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const publish = (token: string, input: Record<string, unknown>) => gql(app.url, PUBLISH, { input }, token);
  const publishOk = async (f: Fixture, input: Record<string, unknown>, token = f.instructorToken) =>
    ok(await publish(token, { courseId: f.course.id, timeZone: 'UTC', slotMinutes: 30, ...input })).publishOfficeHours as {
      id: string;
      hostId: string;
    };
  const days = async (token: string, windowId: string, day: string) =>
    ok(await gql(app.url, DAYS, { windowId, from: day, to: day }, token)).officeHourDays as {
      day: string;
      waitlistSize: number;
      waitlistPosition: number | null;
      waitlistStatus: string | null;
      slots: Slot[];
    }[];
  const book = (token: string, windowId: string, startsAt: string, question?: string) =>
    gql(app.url, BOOK, { windowId, startsAt, question }, token);
  const notes = async (token: string) =>
    (
      ok(await gql(app.url, NOTES, {}, token)).notifications.edges as {
        node: { type: string; excerpt: string; data: Record<string, unknown> };
      }[]
    ).map((e) => e.node);

  it("refuses a host's overlapping windows, compared as instants across zones and daylight-saving changes", async () => {
    const f = await seed(app.core, 'overlap');
    await publishOk(f, { weekday: 1, startTime: '10:00', endTime: '11:00', timeZone: 'Europe/Paris' });
    // 04:30 in New York is 10:30 in Paris most of the year.
    const r1 = await publish(f.instructorToken, {
      courseId: f.course.id,
      weekday: 1,
      startTime: '04:30',
      endTime: '05:00',
      timeZone: 'America/New_York',
      slotMinutes: 15,
    });
    expect(code(r1.body)).toBe('WINDOW_OVERLAP');
    // 05:00–06:00 in New York only touches 10:00–11:00 Paris, except in the weeks when the United States already (or
    // still) keep summer time and Europe does not: then 05:00 EDT is 10:00 CET, and they overlap.
    const r2 = await publish(f.instructorToken, {
      courseId: f.course.id,
      weekday: 1,
      startTime: '05:00',
      endTime: '06:00',
      timeZone: 'America/New_York',
      slotMinutes: 15,
    });
    expect(code(r2.body)).toBe('WINDOW_OVERLAP');
    // Right after it in Paris's own zone: fine.
    await publishOk(f, { weekday: 1, startTime: '11:00', endTime: '12:00', timeZone: 'Europe/Paris' });
    // Another host may hold the same hours.
    const ta = await addMember(app.core, f, 'Tia Assistant', ['teaching_assistant']);
    await publishOk(f, { weekday: 1, startTime: '10:00', endTime: '11:00', timeZone: 'Europe/Paris' }, ta.token);
    // Two overlapping publishes of one host racing: exactly one is published.
    const race = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        publish(ta.token, { courseId: f.course.id, weekday: 3, startTime: `0${i}:00`, endTime: '06:00', timeZone: 'UTC', slotMinutes: 30 }),
      ),
    );
    expect(race.filter((r) => !r.body.errors).length).toBe(1);
    expect(race.filter((r) => code(r.body) === 'WINDOW_OVERLAP').length).toBe(3);
    // Learners do not publish.
    expect(
      code(
        (await publish(f.learnerToken, { courseId: f.course.id, weekday: 2, startTime: '10:00', endTime: '11:00', slotMinutes: 30 })).body,
      ),
    ).toBe('FORBIDDEN');
    const list = ok(await gql(app.url, WINDOWS, { courseId: f.course.id }, f.learnerToken)).officeHours;
    expect(list.windows).toHaveLength(4);
    expect(Number(list.cursor)).toBeGreaterThan(0);
  });

  it('the overlap rule sees the weeks when only one of two zones changed to summer time', () => {
    const paris = { weekday: 1, startMinute: 600, endMinute: 660, timeZone: 'Europe/Paris', slotMinutes: 15 };
    const ny = { weekday: 1, startMinute: 300, endMinute: 360, timeZone: 'America/New_York', slotMinutes: 15 };
    const hit = firstOverlap(ny, paris, new Date('2027-01-04T00:00:00Z'), 53);
    // The United States change on 14 March 2027, Europe on 28 March: the Monday between is 15 or 22 March.
    expect(hit?.toISODate()).toBe('2027-03-15');
    expect(firstOverlap(ny, paris, new Date('2027-04-05T00:00:00Z'), 20)).toBeNull();
    // A window keeps its wall-clock slots across a daylight-saving change of its zone.
    const before = slotsOfDay(paris, '2027-03-22').map((s) => s.startsAt.toISOString());
    const after = slotsOfDay(paris, '2027-03-29').map((s) => s.startsAt.toISOString());
    expect(before[0]).toBe('2027-03-22T09:00:00.000Z');
    expect(after[0]).toBe('2027-03-29T08:00:00.000Z');
  });

  it('enforces the minimum notice and the horizon', async () => {
    const f = await seed(app.core, 'notice');
    const soon = dayAhead(1);
    const w = await publishOk(f, {
      weekday: soon.weekday,
      startTime: '00:00',
      endTime: '24:00',
      slotMinutes: 60,
      minNoticeMinutes: 4 * 24 * 60,
      horizonDays: 6,
    });
    const [d] = await days(f.learnerToken, w.id, soon.day);
    expect(d!.slots).toHaveLength(24);
    expect(d!.slots.every((s) => s.state === 'CLOSED')).toBe(true);
    expect(code((await book(f.learnerToken, w.id, d!.slots[3]!.startsAt)).body)).toBe('BOOKING_TOO_SOON');
    const later = DateTime.fromISO(soon.day, { zone: 'UTC' }).plus({ weeks: 1 });
    const [d2] = await days(f.learnerToken, w.id, later.toISODate()!);
    expect(d2!.slots.every((s) => s.state === 'CLOSED')).toBe(true);
    expect(code((await book(f.learnerToken, w.id, d2!.slots[3]!.startsAt)).body)).toBe('BOOKING_BEYOND_HORIZON');
    // Not a slot start.
    const off = new Date(Date.parse(d2!.slots[3]!.startsAt) + 60_000).toISOString();
    expect(code((await book(f.learnerToken, w.id, off)).body)).toBe('BAD_USER_INPUT');
  });

  it('many students booking the same slot at once: exactly one booking', async () => {
    const f = await seed(app.core, 'race');
    const day = dayAhead(2);
    const w = await publishOk(f, { weekday: day.weekday, startTime: '09:00', endTime: '10:00', slotMinutes: 30 });
    const students: Person[] = [];
    for (let i = 0; i < 16; i++) students.push(await addMember(app.core, f, `Racer ${i}`));
    const slot = `${day.day}T09:00:00.000Z`;
    // Each over its own HTTP connection, all at once.
    const results = await Promise.all(students.map((s) => book(s.token, w.id, slot, `question ${s.user.name}`)));
    const won = results.filter((r) => !r.body.errors);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => code(r.body) === 'SLOT_TAKEN')).toHaveLength(15);
    const rows = await app.core.services.database.db.select().from(officeHourBookings).where(eq(officeHourBookings.windowId, w.id));
    expect(rows).toHaveLength(1);
    const b = won[0]!.body.data.bookOfficeHour as Booking;
    expect(b.status).toBe('booked');
    // The guarantee is the database's: a second live booking of the host overlapping it is refused by the
    // exclusion constraint itself (SQLSTATE 23P01), whatever the service checked before.
    const err = await app.core.services.database.db
      .insert(officeHourBookings)
      .values({ ...rows[0]!, id: undefined, studentId: students.find((s) => s.user.id !== b.studentId)!.user.id, sessionId: null })
      .then(
        () => null,
        (e: unknown) => e as { cause?: { code?: string; constraint?: string }; code?: string; constraint?: string },
      );
    const pgErr = err?.cause ?? err;
    expect(pgErr?.code).toBe('23P01');
    expect(pgErr?.constraint ?? JSON.stringify(err)).toContain('office_hour_bookings_host_no_overlap');
    // Its session is on the calendars: kind booking, the student's, titled after the host.
    const [session] = await app.core.services.database.db.select().from(scheduleSessions).where(eq(scheduleSessions.id, b.sessionId));
    expect(session).toMatchObject({
      kind: 'booking',
      audience: 'student',
      studentId: b.studentId,
      hostId: f.instructor.id,
      status: 'scheduled',
    });
    expect(session!.title).toBe(`Office hours with ${f.instructor.name}`);
    // The host is told, with the question.
    const hostNotes = await notes(f.instructorToken);
    expect(hostNotes.filter((n) => n.type === 'booking.made')).toEqual([
      expect.objectContaining({ excerpt: b.question, data: expect.objectContaining({ bookingId: b.id, startsAt: slot }) }),
    ]);
    // One student cannot hold two bookings at one time, even with two hosts.
    const ta = await addMember(app.core, f, 'Tia Assistant', ['teaching_assistant']);
    const w2 = await publishOk(f, { weekday: day.weekday, startTime: '09:00', endTime: '10:00', slotMinutes: 30 }, ta.token);
    const winner = students.find((s) => s.user.id === b.studentId)!;
    expect(code((await book(winner.token, w2.id, slot)).body)).toBe('ALREADY_BOOKED_AT_THAT_TIME');
    // The next slot is still free for someone else.
    const other = students.find((s) => s.user.id !== b.studentId)!;
    ok(await book(other.token, w.id, `${day.day}T09:30:00.000Z`));
    // "The first free slot from this one on": eight students at once on a window of four slots get the four slots,
    // one each; the other four are told none is left.
    const mentor = await addMember(app.core, f, 'Max Mentor', ['mentor']);
    const w3 = await publishOk(f, { weekday: day.weekday, startTime: '13:00', endTime: '15:00', slotMinutes: 30 }, mentor.token);
    const eight = students.slice(0, 8);
    const got = await Promise.all(
      eight.map((s) => gql(app.url, BOOK_NEXT, { windowId: w3.id, startsAt: `${day.day}T13:00:00.000Z` }, s.token)),
    );
    const starts = got.filter((r) => !r.body.errors).map((r) => (r.body.data.bookOfficeHour as Booking).startsAt);
    expect(starts.sort()).toEqual(['13:00', '13:30', '14:00', '14:30'].map((t) => `${day.day}T${t}:00.000Z`));
    expect(got.filter((r) => code(r.body) === 'SLOT_TAKEN')).toHaveLength(4);
  });

  it('only the student, the host and staff read a booking and its question; another tenant gets NOT_FOUND', async () => {
    const f = await seed(app.core, 'privacy');
    const g = await seed(app.core, 'elsewhere');
    const day = dayAhead(3);
    const w = await publishOk(f, { weekday: day.weekday, startTime: '14:00', endTime: '15:00', slotMinutes: 30 });
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Other');
    const b = ok(await book(lee.token, w.id, `${day.day}T14:00:00.000Z`, '  Why does\u202e my proof fail?\u0007 '))
      .bookOfficeHour as Booking;
    expect(b.question).toBe('Why does my proof fail?');
    // The student and the host read it; another learner does not, not even by id.
    expect(ok(await gql(app.url, BOOKING_Q, { id: b.id }, lee.token)).officeHourBooking.question).toBe('Why does my proof fail?');
    expect(ok(await gql(app.url, BOOKING_Q, { id: b.id }, f.instructorToken)).officeHourBooking.question).toBe('Why does my proof fail?');
    expect(code((await gql(app.url, BOOKING_Q, { id: b.id }, ana.token)).body)).toBe('NOT_FOUND');
    expect(ok(await gql(app.url, BOOKINGS, { courseId: f.course.id }, ana.token)).officeHourBookings.bookings).toEqual([]);
    expect(ok(await gql(app.url, BOOKINGS, { courseId: f.course.id }, f.instructorToken)).officeHourBookings.bookings).toHaveLength(1);
    // In the slots, another learner sees the slot booked, not by whom.
    const [mine] = await days(lee.token, w.id, day.day);
    const [theirs] = await days(ana.token, w.id, day.day);
    expect(mine!.slots[0]).toMatchObject({ state: 'MINE', bookingId: b.id });
    expect(theirs!.slots[0]).toMatchObject({ state: 'BOOKED', bookingId: null });
    expect(theirs!.slots[1]!.state).toBe('FREE');
    // Another learner cannot cancel it, nor see the waitlist.
    expect(code((await gql(app.url, CANCEL, { id: b.id }, ana.token)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, LINE, { windowId: w.id, day: day.day }, ana.token)).body)).toBe('FORBIDDEN');
    // An API key of the course, even made by the instructor, never reads a student's booking.
    const key = await apiKeyOf(app.core, f, ['read']);
    expect(code((await gql(app.url, BOOKING_Q, { id: b.id }, key)).body)).toBe('NOT_FOUND');
    expect(ok(await gql(app.url, BOOKINGS, { courseId: f.course.id }, key)).officeHourBookings.bookings).toEqual([]);
    // Another tenant's instructor: every id is NOT_FOUND.
    expect(code((await gql(app.url, BOOKING_Q, { id: b.id }, g.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, ONE_WINDOW, { id: w.id }, g.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, DAYS, { windowId: w.id, from: day.day, to: day.day }, g.learnerToken)).body)).toBe('NOT_FOUND');
    expect(code((await book(g.learnerToken, w.id, `${day.day}T14:30:00.000Z`)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, CANCEL, { id: b.id }, g.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, WITHDRAW, { id: w.id }, g.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, WINDOWS, { courseId: f.course.id }, g.instructorToken)).body)).toBe('NOT_FOUND');
    // A learner does not withdraw a window.
    expect(code((await gql(app.url, WITHDRAW, { id: w.id }, ana.token)).body)).toBe('FORBIDDEN');
  });

  it('live from the list cursor: another learner sees slots taken without who took them; the student sees theirs', async () => {
    const f = await seed(app.core, 'live');
    const day = dayAhead(4);
    const w = await publishOk(f, { weekday: day.weekday, startTime: '08:00', endTime: '09:00', slotMinutes: 30 });
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Watcher');
    const { cursor } = ok(await gql(app.url, WINDOWS, { courseId: f.course.id }, ana.token)).officeHours;
    // Committed between the list and the subscription: it comes once, from the list's cursor.
    const bo = await addMember(app.core, f, 'Bo Between');
    ok(await book(bo.token, w.id, `${day.day}T08:30:00.000Z`));
    const anaWs = wsClient(app.wsUrl, ana.token).client;
    const leeWs = wsClient(app.wsUrl, lee.token).client;
    try {
      const anaEv = subscribe<{ type: string; bookingId: string | null; mine: boolean; startsAt: string }>(
        anaWs,
        EVENTS,
        { courseId: f.course.id, after: cursor },
        'officeHourEvents',
      );
      const leeEv = subscribe<{ type: string; bookingId: string | null; mine: boolean }>(
        leeWs,
        EVENTS,
        { courseId: f.course.id, after: cursor },
        'officeHourEvents',
      );
      const b = ok(await book(lee.token, w.id, `${day.day}T08:00:00.000Z`, 'secret question')).bookOfficeHour as Booking;
      await poll(
        () => anaEv.items.length >= 2 && leeEv.items.length >= 2,
        10_000,
        () => JSON.stringify([anaEv.items, leeEv.items]),
      );
      expect(anaEv.items[0]).toMatchObject({ type: 'SLOT_BOOKED', bookingId: null, mine: false, startsAt: `${day.day}T08:30:00.000Z` });
      expect(anaEv.items[1]).toMatchObject({ type: 'SLOT_BOOKED', bookingId: null, mine: false, startsAt: `${day.day}T08:00:00.000Z` });
      expect(leeEv.items[1]).toMatchObject({ type: 'SLOT_BOOKED', bookingId: b.id, mine: true });
      expect(JSON.stringify(anaEv.items)).not.toContain('secret');
      ok(await gql(app.url, CANCEL, { id: b.id }, lee.token));
      await poll(
        () => anaEv.items.length >= 3,
        10_000,
        () => JSON.stringify(anaEv.items),
      );
      expect(anaEv.items[2]).toMatchObject({ type: 'SLOT_FREED', bookingId: null });
      // Nothing twice: the slot freed came last, after everything before it, once each.
      expect(anaEv.items.map((e) => e.type)).toEqual(['SLOT_BOOKED', 'SLOT_BOOKED', 'SLOT_FREED']);
    } finally {
      await anaWs.dispose();
      await leeWs.dispose();
    }
  });

  it('cancelling: within the notice, frees the slot, cancels the session, tells the other side and the first waiting student', async () => {
    const f = await seed(app.core, 'waitlist');
    const day = dayAhead(5);
    const w = await publishOk(f, { weekday: day.weekday, startTime: '10:00', endTime: '11:00', slotMinutes: 30 });
    const [a, b, c, d] = [
      await addMember(app.core, f, 'Amy'),
      await addMember(app.core, f, 'Bob'),
      await addMember(app.core, f, 'Cat'),
      await addMember(app.core, f, 'Dan'),
    ];
    // While a slot is free, no waitlist.
    expect(code((await gql(app.url, JOIN, { windowId: w.id, day: day.day }, c!.token)).body)).toBe('SLOTS_AVAILABLE');
    const ba = ok(await book(a!.token, w.id, `${day.day}T10:00:00.000Z`)).bookOfficeHour as Booking;
    const bb = ok(await book(b!.token, w.id, `${day.day}T10:30:00.000Z`)).bookOfficeHour as Booking;
    // Full: Cat then Dan join; Cat again keeps her place.
    expect(ok(await gql(app.url, JOIN, { windowId: w.id, day: day.day }, c!.token)).joinOfficeHourWaitlist).toMatchObject({
      status: 'waiting',
      position: 1,
    });
    expect(ok(await gql(app.url, JOIN, { windowId: w.id, day: day.day }, d!.token)).joinOfficeHourWaitlist).toMatchObject({
      status: 'waiting',
      position: 2,
    });
    expect(ok(await gql(app.url, JOIN, { windowId: w.id, day: day.day }, c!.token)).joinOfficeHourWaitlist.position).toBe(1);
    const [dDay] = await days(d!.token, w.id, day.day);
    expect(dDay).toMatchObject({ waitlistSize: 2, waitlistPosition: 2, waitlistStatus: 'waiting' });
    // Amy cancels: the host is told, and Cat (first in line), not Dan.
    const cancelled = ok(await gql(app.url, CANCEL, { id: ba.id }, a!.token)).cancelOfficeHourBooking as Booking;
    expect(cancelled.status).toBe('cancelled');
    expect((await notes(f.instructorToken)).filter((n) => n.type === 'booking.cancelled')).toHaveLength(1);
    expect((await notes(a!.token)).filter((n) => n.type === 'booking.cancelled')).toHaveLength(0);
    expect((await notes(c!.token)).filter((n) => n.type === 'waitlist.slot_freed')).toEqual([
      expect.objectContaining({
        // The slot in the window's own zone, for people.
        excerpt: `Office hours, ${DateTime.fromISO(day.day, { zone: 'UTC' }).toFormat('ccc d LLL')} 10:00 (UTC)`,
        data: expect.objectContaining({ windowId: w.id, day: day.day, startsAt: `${day.day}T10:00:00.000Z` }),
      }),
    ]);
    expect((await notes(d!.token)).filter((n) => n.type === 'waitlist.slot_freed')).toHaveLength(0);
    const line = ok(await gql(app.url, LINE, { windowId: w.id, day: day.day }, f.instructorToken)).officeHourWaitlist;
    expect(line).toEqual([
      { studentId: c!.user.id, status: 'notified', position: null },
      { studentId: d!.user.id, status: 'waiting', position: 1 },
    ]);
    // The freed slot is free again, and its session cancelled with a raised SEQUENCE.
    const [after] = await days(d!.token, w.id, day.day);
    expect(after!.slots[0]!.state).toBe('FREE');
    const db = app.core.services.database.db;
    const [session] = await db.select().from(scheduleSessions).where(eq(scheduleSessions.id, ba.sessionId));
    expect(session).toMatchObject({ status: 'cancelled', sequence: 1 });
    // Audit (before and after) and activity entries for the booking and its cancellation.
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'office_hour_booking'), eq(auditLog.entityId, ba.id)));
    expect(audit.map((x) => x.action).sort()).toEqual(['booked', 'cancelled']);
    expect(JSON.stringify(audit)).not.toContain('question');
    const activity = await db.select().from(courseActivity).where(eq(courseActivity.courseId, f.course.id));
    expect(
      activity
        .map((x) => x.type)
        .filter((t) => t.startsWith('booking.'))
        .sort(),
    ).toEqual(['booking.cancelled', 'booking.made', 'booking.made']);
    // The host cancels Bob's: Bob is told; next in line (Dan) is told.
    ok(await gql(app.url, CANCEL, { id: bb.id }, f.instructorToken));
    expect((await notes(b!.token)).filter((n) => n.type === 'booking.cancelled')).toHaveLength(1);
    expect((await notes(d!.token)).filter((n) => n.type === 'waitlist.slot_freed')).toHaveLength(1);
    // Leaving, and leaving again.
    expect(ok(await gql(app.url, LEAVE, { windowId: w.id, day: day.day }, c!.token)).leaveOfficeHourWaitlist).toBe(true);
    expect(ok(await gql(app.url, LEAVE, { windowId: w.id, day: day.day }, c!.token)).leaveOfficeHourWaitlist).toBe(false);
  });

  it('refuses a cancel past the cancel notice; withdrawing cancels future bookings and tells their students', async () => {
    const f = await seed(app.core, 'withdraw');
    const day = dayAhead(2);
    const w = await publishOk(f, {
      weekday: day.weekday,
      startTime: '16:00',
      endTime: '17:00',
      slotMinutes: 30,
      cancelNoticeMinutes: 7 * 24 * 60,
    });
    const lee = learnerOf(f);
    const b = ok(await book(lee.token, w.id, `${day.day}T16:00:00.000Z`)).bookOfficeHour as Booking;
    expect(code((await gql(app.url, CANCEL, { id: b.id }, lee.token)).body)).toBe('CANCEL_TOO_LATE');
    const withdrawn = ok(await gql(app.url, WITHDRAW, { id: w.id }, f.instructorToken)).withdrawOfficeHours;
    expect(withdrawn.status).toBe('withdrawn');
    expect(ok(await gql(app.url, BOOKING_Q, { id: b.id }, lee.token)).officeHourBooking.status).toBe('cancelled');
    expect((await notes(lee.token)).filter((n) => n.type === 'booking.cancelled')).toHaveLength(1);
    expect(ok(await gql(app.url, WINDOWS, { courseId: f.course.id }, lee.token)).officeHours.windows).toEqual([]);
    expect(code((await book(lee.token, w.id, `${day.day}T16:30:00.000Z`)).body)).toBe('WINDOW_WITHDRAWN');
  });

  it('a window withdrawn by another instance: the copy this one keeps lets no booking or waitlist join through', async () => {
    const f = await seed(app.core, 'withdrawn-elsewhere');
    const day = dayAhead(2);
    const w = await publishOk(f, { weekday: day.weekday, startTime: '16:00', endTime: '17:00', slotMinutes: 30 });
    const lee = learnerOf(f);
    // Read while active (this instance now holds the window), then withdrawn behind its back.
    expect((await days(lee.token, w.id, day.day))[0]!.slots.map((s) => s.state)).toEqual(['FREE', 'FREE']);
    const db = app.core.services.database.db;
    await db.update(officeHourWindows).set({ status: 'withdrawn' }).where(eq(officeHourWindows.id, w.id));
    expect(code((await book(lee.token, w.id, `${day.day}T16:00:00.000Z`)).body)).toBe('WINDOW_WITHDRAWN');
    expect(code((await gql(app.url, BOOK_NEXT, { windowId: w.id, startsAt: `${day.day}T16:00:00.000Z` }, lee.token)).body)).toBe(
      'WINDOW_WITHDRAWN',
    );
    expect(code((await gql(app.url, JOIN, { windowId: w.id, day: day.day }, lee.token)).body)).toBe('WINDOW_WITHDRAWN');
    expect(await db.select().from(officeHourBookings).where(eq(officeHourBookings.windowId, w.id))).toEqual([]);
    expect(ok(await gql(app.url, ONE_WINDOW, { id: w.id }, lee.token)).officeHourWindow.id).toBe(w.id);
  });
});
