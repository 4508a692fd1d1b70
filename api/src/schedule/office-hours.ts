/**
 * Office hours: a host (instructor, TA, mentor) publishes weekly windows, cut into slots; students book a slot (with
 * the question they want to discuss), either side cancels within the window's cancel notice, and a full day has a
 * waitlist served first come, first served when a slot frees up. Built in services.ts as `services.officeHours`.
 *
 * The rules, all here (one authorization path: `bookingReader` for a booking, ScheduleAccess for the rest):
 * - Publishing: a host of the course (ScheduleAccess.requireHost) for themselves; staff may name another host. A
 *   host's active windows (in every course of the tenant) never overlap once converted to instants: checked over the
 *   next 53 weeks (every daylight-saving rule of both zones) inside the write, holding a per-host advisory lock, so
 *   two publishes racing cannot both pass (WINDOW_OVERLAP).
 * - Withdrawing: the host or staff. Future bookings of the window are cancelled and their students notified; the
 *   waitlist of the window is closed (entries become `left`).
 * - Slots: a window's day runs from its start to its end wall-clock time in its own zone (luxon; on a
 *   daylight-saving day the window is an hour shorter or longer), cut into slots of `slot_minutes` from its start.
 *   A slot is bookable from `horizon_days` ahead until `min_notice_minutes` before it starts.
 * - Booking: an active participant of the course (not a guest, not the host), a person (API keys book for nobody).
 *   The INSERT relies on the exclusion constraints: a slot taken meanwhile is SLOT_TAKEN (the host's constraint), a
 *   booking of the student's own at that time ALREADY_BOOKED_AT_THAT_TIME. The booking's session (kind booking,
 *   audience student) is created in the same transaction, so it is on both calendars, the feeds and the reminders.
 * - Reading a booking and its question: its student, its host and the course's staff; anyone else NOT_FOUND.
 * - Cancelling: the student, the host or staff, until `cancel_notice_minutes` before the slot (CANCEL_TOO_LATE). The
 *   first waiting student of that window's day is notified (`waitlist.slot_freed`) and their entry becomes `notified`.
 * - Waitlist: join a window's day only when none of its slots is free to book (SLOTS_AVAILABLE); leave any time.
 *   Joining again after leaving or being notified goes to the end of the line.
 */
import { and, asc, eq, gte, inArray, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { DateTime, IANAZone } from 'luxon';
import { officeHourBookings, officeHourWaitlist, officeHourWindows, scheduleSessions, scheduleSettings } from './tables.js';
import { users } from '../users/tables.js';
import { scheduleStream, type ScheduleEventScope } from './events.js';
import { rows, type Tx } from '../db/client.js';
import type { Realtime, Stream } from '../realtime/realtime.js';
import type { ScheduleEvent } from './events.js';
import type { Access } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import type { ScheduleAccess } from './access.js';
import type { NotificationService, NewNotification } from '../notifications/service.js';
import type { ActivityService } from '../activity/service.js';
import type { Logger } from '../logger.js';
import { AppError, notFound } from '../errors.js';
import { isUuid } from '../auth/access.js';
import { cleanLine, cleanMultiline, clip } from '../text.js';

export type WindowRow = typeof officeHourWindows.$inferSelect;
export type BookingRow = typeof officeHourBookings.$inferSelect;
export type WaitlistRow = typeof officeHourWaitlist.$inferSelect;

export interface WindowView extends WindowRow {
  hostName: string;
}
export interface BookingView extends BookingRow {
  hostName: string;
  studentName: string;
  windowTitle: string;
  location: string;
  meetingUrl: string | null;
  timeZone: string;
}
export type SlotState = 'FREE' | 'BOOKED' | 'MINE' | 'CLOSED';
export interface SlotView {
  startsAt: Date;
  endsAt: Date;
  state: SlotState;
  /** The booking in it, when the viewer may read it (their own; every one for the host and staff). */
  bookingId: string | null;
}
export interface DayView {
  windowId: string;
  /** The window's date in its zone (YYYY-MM-DD). */
  day: string;
  slots: SlotView[];
  /** Students waiting for a slot of this day. */
  waitlistSize: number;
  /** The viewer's place in the line (1 = next), null when not waiting. */
  waitlistPosition: number | null;
  /** waiting | notified | left, or null: the viewer's entry for this day. */
  waitlistStatus: string | null;
}
export interface WaitlistView {
  id: string;
  windowId: string;
  day: string;
  status: string;
  position: number | null;
  createdAt: Date;
}

export interface PublishWindowInput {
  courseId: string;
  hostId?: string | null;
  title?: string | null;
  weekday: number;
  /** HH:MM wall-clock in `timeZone` (end may be 24:00). */
  startTime: string;
  endTime: string;
  timeZone?: string | null;
  slotMinutes: number;
  horizonDays?: number | null;
  minNoticeMinutes?: number | null;
  cancelNoticeMinutes?: number | null;
  location?: string | null;
  meetingUrl?: string | null;
}

/** Limits of what a window or a booking may hold (README "Office hours"). */
export const OFFICE_HOURS_LIMITS = {
  questionMax: 2000,
  titleMax: 120,
  locationMax: 200,
  urlMax: 2000,
  horizonDaysMax: 365,
  noticeMinutesMax: 30 * 24 * 60,
  /** Days one slots query may span. */
  rangeDaysMax: 62,
} as const;

/** How far ahead two windows of a host are compared (a year and a week: every daylight-saving rule of both zones). */
const OVERLAP_WEEKS = 53;

export interface OfficeHourDeps {
  db: Tx;
  realtime: Realtime;
  /** The course-level checks (participants, API key scopes). */
  access: Access;
  scheduleAccess: ScheduleAccess;
  notifications: NotificationService;
  activity: ActivityService;
  /** C's ReminderService: `sync` after each commit that made or cancelled a booking. */
  reminders: { sync(sessionIds: string[]): Promise<void> };
  log: Logger;
  /** The clock (tests move it). */
  now?: () => Date;
}

/** Window rows this instance holds (see OfficeHourService.windows); past this many it starts again. */
const WINDOWS_CACHED = 10_000;

export class OfficeHourService {
  private readonly db: Tx;
  private readonly now: () => Date;
  /**
   * Windows by id, as last read. Nothing of a window changes once published but its status, and that only from
   * active to withdrawn (withdrawWindow): every other field is read from here, and where the status decides
   * (booking, joining a waitlist) it is read again from the database in a statement the caller makes anyway. A
   * cached `withdrawn` is final. Saves a query on each day read, booking attempt and waitlist join.
   */
  private readonly windows = new Map<string, WindowRow>();
  constructor(private readonly d: OfficeHourDeps) {
    this.db = d.db;
    this.now = d.now ?? (() => new Date());
  }

  // ---- windows ----------------------------------------------------------------------------------------------------

  /** Publishes a weekly window. WINDOW_OVERLAP when it overlaps another active window of the same host. */
  async publishWindow(viewer: Viewer, input: PublishWindowInput): Promise<WindowView> {
    if (!isUuid(input.courseId)) throw notFound('The course');
    const actor = await this.d.scheduleAccess.requireHost(viewer, input.courseId);
    const hostId = input.hostId ?? actor.userId;
    if (!hostId) throw new AppError('BAD_USER_INPUT', 'Name the host (hostId): an API key hosts nothing.', { field: 'hostId' });
    if (hostId !== actor.userId) {
      if (!actor.staff) throw new AppError('FORBIDDEN', 'Only staff can publish office hours for someone else.');
      if (!(await this.d.scheduleAccess.canHost(input.courseId, viewer.tenantId, hostId)))
        throw new AppError('BAD_USER_INPUT', 'The host must be an instructor, teaching assistant or mentor of this course.', {
          field: 'hostId',
        });
    }
    const values = await this.windowValues(input);
    const window = await this.d.realtime.write(async (tx, emit) => {
      // Serialises every publish of this host (in any course): the overlap check below and the insert are atomic.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'office-hours:' + hostId}, 0))`);
      const others = await tx
        .select()
        .from(officeHourWindows)
        .where(
          and(
            eq(officeHourWindows.tenantId, viewer.tenantId),
            eq(officeHourWindows.hostId, hostId),
            eq(officeHourWindows.status, 'active'),
          ),
        );
      const from = this.now();
      for (const o of others) {
        const hit = firstOverlap(values, o, from, OVERLAP_WEEKS);
        if (hit)
          throw new AppError(
            'WINDOW_OVERLAP',
            `This overlaps "${o.title}" (${describeWindow(o)}), another window of the same host, on ${hit.toISODate()}.`,
            { windowId: o.id },
          );
      }
      const [row] = await tx
        .insert(officeHourWindows)
        .values({ ...values, tenantId: viewer.tenantId, courseId: input.courseId, hostId })
        .returning();
      await emit(scheduleStream(input.courseId), {
        tenantId: viewer.tenantId,
        type: 'window.published',
        payload: { windowId: row!.id, hostId },
      });
      await this.d.activity.recordAudit({
        tenantId: viewer.tenantId,
        courseId: input.courseId,
        by: viewer,
        entity: 'office_hour_window',
        entityId: row!.id,
        action: 'published',
        after: auditWindow(row!),
      });
      return row!;
    });
    return (await this.windowViews(this.db, [window]))[0]!;
  }

  /**
   * Withdraws a window: its future bookings are cancelled (their students notified), its waitlist closed. The host
   * or staff of the course.
   */
  async withdrawWindow(viewer: Viewer, windowId: string): Promise<WindowView> {
    const w = await this.windowFor(viewer, windowId, true);
    const actor = await this.d.scheduleAccess.requireHost(viewer, w.courseId);
    if (!this.d.scheduleAccess.mayChange(actor, w.hostId))
      throw new AppError('FORBIDDEN', 'Only its host or the course staff can withdraw these office hours.');
    if (w.status !== 'active') return (await this.windowViews(this.db, [w]))[0]!;
    const { row, sessionIds } = await this.d.realtime.write(async (tx, emit) => {
      const [row] = await tx
        .update(officeHourWindows)
        .set({ status: 'withdrawn', updatedAt: new Date() })
        .where(and(eq(officeHourWindows.id, w.id), eq(officeHourWindows.status, 'active')))
        .returning();
      if (!row) return { row: w, sessionIds: [] as string[] };
      const now = this.now();
      const cancelled = await tx
        .update(officeHourBookings)
        .set({ status: 'cancelled', cancelledAt: now, cancelledBy: actor.userId })
        .where(and(eq(officeHourBookings.windowId, w.id), eq(officeHourBookings.status, 'booked'), gte(officeHourBookings.startsAt, now)))
        .returning();
      await tx
        .update(officeHourWaitlist)
        .set({ status: 'left' })
        .where(and(eq(officeHourWaitlist.windowId, w.id), eq(officeHourWaitlist.status, 'waiting')));
      const sessionIds: string[] = [];
      const notes: NewNotification[] = [];
      for (const b of cancelled) {
        if (b.sessionId) sessionIds.push(b.sessionId);
        await this.cancelledSideEffects(tx, emit, viewer, w, b, 'window withdrawn');
        notes.push(this.bookingNote(b, w, b.studentId, 'booking.cancelled', actor.userId));
      }
      await this.d.notifications.notify(notes);
      await emit(scheduleStream(w.courseId), {
        tenantId: w.tenantId,
        type: 'window.withdrawn',
        payload: { windowId: w.id, hostId: w.hostId },
      });
      await this.d.activity.recordAudit({
        tenantId: w.tenantId,
        courseId: w.courseId,
        by: viewer,
        entity: 'office_hour_window',
        entityId: w.id,
        action: 'withdrawn',
        before: auditWindow(w),
        after: { ...auditWindow(row), cancelledBookings: cancelled.map((b) => b.id) },
      });
      return { row, sessionIds };
    });
    this.remember(row);
    await this.syncReminders(sessionIds);
    return (await this.windowViews(this.db, [row]))[0]!;
  }

  /** The course's active windows, with the position of its schedule stream they reflect (officeHourEvents follows). */
  async listWindows(viewer: Viewer, courseId: string): Promise<{ cursor: string; windows: WindowView[] }> {
    if (!isUuid(courseId)) throw notFound('The course');
    await this.d.scheduleAccess.requireRead(viewer, courseId);
    const cursor = String(await this.d.realtime.head(scheduleStream(courseId)));
    const found = await this.db
      .select()
      .from(officeHourWindows)
      .where(and(eq(officeHourWindows.courseId, courseId), eq(officeHourWindows.status, 'active')))
      .orderBy(asc(officeHourWindows.weekday), asc(officeHourWindows.startMinute), asc(officeHourWindows.id));
    return { cursor, windows: await this.windowViews(this.db, found) };
  }

  async getWindow(viewer: Viewer, windowId: string): Promise<WindowView> {
    const w = await this.windowFor(viewer, windowId, true);
    return (await this.windowViews(this.db, [w]))[0]!;
  }

  // ---- slots and days ---------------------------------------------------------------------------------------------

  /**
   * The window's days between two dates (YYYY-MM-DD, in the window's zone, both included; at most 62 days), each with
   * its slots (free, booked, the viewer's own, or closed: past the horizon or within the minimum notice) and its
   * waitlist as the viewer sees it.
   */
  async days(viewer: Viewer, windowId: string, fromDay: string, toDay: string): Promise<DayView[]> {
    const w = await this.windowFor(viewer, windowId);
    const from = parseDay(fromDay, w.timeZone, 'from');
    const to = parseDay(toDay, w.timeZone, 'to');
    if (to < from) throw new AppError('BAD_USER_INPUT', '`to` is before `from`.', { field: 'to' });
    if (to.diff(from, 'days').days > OFFICE_HOURS_LIMITS.rangeDaysMax)
      throw new AppError('BAD_USER_INPUT', `Ask for at most ${OFFICE_HOURS_LIMITS.rangeDaysMax} days at a time.`, { field: 'to' });
    const dayList = windowDays(w, from, to);
    if (dayList.length === 0) return [];
    const reader = await this.readerOf(viewer, w.courseId);
    const slotsByDay = new Map(dayList.map((d) => [d, slotsOfDay(w, d)]));
    const first = slotsByDay.get(dayList[0]!)![0]?.startsAt ?? new Date(0);
    const last = slotsByDay.get(dayList.at(-1)!)!.at(-1)?.endsAt ?? new Date(0);
    // The days' bookings and waitlist entries (in the line's order) in one statement: a crowd reads days most.
    const found = await rows<{
      booking: boolean;
      id: string;
      starts_at: Date | string | null;
      student_id: string;
      day: string | null;
      status: string | null;
    }>(
      this.db,
      sql`select true as booking, id, starts_at, student_id, null as day, null as status, null::timestamptz as created_at
          from ${officeHourBookings} where window_id = ${w.id}::uuid and status = 'booked'
          and starts_at >= ${first.toISOString()}::timestamptz and starts_at < ${last.toISOString()}::timestamptz
          union all
          select false, id, null, student_id, day, status, created_at
          from ${officeHourWaitlist} where window_id = ${w.id}::uuid and day in ${dayList}
          order by booking desc, created_at, id`,
    );
    const byStart = new Map<number, { id: string; studentId: string }>();
    const waiting: { day: string; studentId: string; status: string }[] = [];
    for (const r of found)
      if (r.booking) byStart.set(new Date(r.starts_at!).getTime(), { id: r.id, studentId: r.student_id });
      else waiting.push({ day: r.day!, studentId: r.student_id, status: r.status! });
    const now = this.now();
    const me = viewer.kind === 'session' ? viewer.userId : null;
    return dayList.map((day) => {
      const slots: SlotView[] = slotsByDay.get(day)!.map((s) => {
        const b = byStart.get(s.startsAt.getTime());
        const mine = !!b && b.studentId === me;
        const state: SlotState = b ? (mine ? 'MINE' : 'BOOKED') : bookable(w, s.startsAt, now) ? 'FREE' : 'CLOSED';
        return { ...s, state, bookingId: b && (mine || reader.all || reader.hostOf(w.hostId)) ? b.id : null };
      });
      const line = waiting.filter((x) => x.day === day && x.status === 'waiting');
      const mineEntry = waiting.find((x) => x.day === day && x.studentId === me);
      const pos = line.findIndex((x) => x.studentId === me);
      return {
        windowId: w.id,
        day,
        slots,
        waitlistSize: line.length,
        waitlistPosition: pos >= 0 ? pos + 1 : null,
        waitlistStatus: mineEntry?.status ?? null,
      };
    });
  }

  // ---- bookings ---------------------------------------------------------------------------------------------------

  /** Books the slot of a window that starts at `startsAt`, with the student's question. */
  async book(
    viewer: Viewer,
    windowId: string,
    startsAt: Date,
    rawQuestion: string | null | undefined,
    orNextFree = false,
  ): Promise<BookingView> {
    const studentId = personOf(viewer, 'Booking office hours');
    const w = await this.windowFor(viewer, windowId);
    await this.d.access.requireParticipant(viewer, w.courseId);
    if (w.status !== 'active') throw new AppError('WINDOW_WITHDRAWN', 'These office hours were withdrawn.');
    if (w.hostId === studentId) throw new AppError('BAD_USER_INPUT', 'You cannot book your own office hours.', { field: 'windowId' });
    const day = DateTime.fromJSDate(startsAt, { zone: w.timeZone }).toISODate()!;
    const daySlots = slotsOfDay(w, day);
    const at = daySlots.findIndex((s) => s.startsAt.getTime() === startsAt.getTime());
    if (at < 0) throw new AppError('BAD_USER_INPUT', 'No slot of these office hours starts at that time.', { field: 'startsAt' });
    const now = this.now();
    const slot = daySlots[at]!;
    if (slot.startsAt.getTime() < now.getTime() + w.minNoticeMinutes * 60_000)
      throw new AppError('BOOKING_TOO_SOON', `Slots must be booked at least ${w.minNoticeMinutes} minutes ahead.`);
    if (slot.startsAt.getTime() > now.getTime() + w.horizonDays * 86_400_000)
      throw new AppError('BOOKING_BEYOND_HORIZON', `Slots can be booked at most ${w.horizonDays} days ahead.`);
    const question = cleanQuestion(rawQuestion);
    // The slot asked for, or (orNextFree) it and the later bookable slots of that day, in order.
    let candidates = orNextFree ? daySlots.slice(at).filter((s) => bookable(w, s.startsAt, now)) : [slot];
    // A fast answer for the crowd that saw a slot free a moment ago (not the guarantee: the constraint is): slots
    // already booked are left out without a transaction. The same statement reads the window's status now (the
    // one above may be cached).
    const last = candidates.at(-1)!;
    const booked = await rows<{ status: string; starts_at: Date | string | null; ends_at: Date | string | null }>(
      this.db,
      sql`select w.status, b.starts_at, b.ends_at from ${officeHourWindows} w left join ${officeHourBookings} b
          on b.host_id = ${w.hostId}::uuid and b.status = 'booked'
          and tstzrange(b.starts_at, b.ends_at) && tstzrange(${slot.startsAt.toISOString()}::timestamptz, ${last.endsAt.toISOString()}::timestamptz)
          where w.id = ${w.id}::uuid`,
    );
    if (booked.length === 0) throw notFound('The office hours');
    if (booked[0]!.status !== 'active') throw this.withdrawn(w);
    const busy = booked.flatMap((b) => (b.starts_at ? [[new Date(b.starts_at).getTime(), new Date(b.ends_at!).getTime()] as const] : []));
    candidates = candidates.filter((c) => !busy.some(([s, e]) => s < c.endsAt.getTime() && c.startsAt.getTime() < e));
    if (candidates.length === 0) throw slotTaken();
    const hostName = await nameOf(this.db, w.hostId);
    let inserting = false;
    let booking: BookingRow;
    try {
      booking = await this.d.realtime.write(async (tx, emit) => {
        // One attempt per slot at a time: the others are answered at once (or move on to the next slot) instead of
        // queueing behind it on the exclusion constraint, holding a connection each and deadlocking each other.
        let slot: { startsAt: Date; endsAt: Date } | undefined;
        for (const c of candidates) {
          const [got] = await rows<{ ok: boolean }>(
            tx,
            sql`select pg_try_advisory_xact_lock(hashtextextended(${`office-hour-slot:${w.hostId}:${c.startsAt.toISOString()}`}, 0)) as ok`,
          );
          if (!got?.ok) continue;
          if (candidates.length > 1) {
            // Booked and committed since the fast read: the next one.
            const [again] = await rows<{ id: string }>(
              tx,
              sql`select id from ${officeHourBookings} where host_id = ${w.hostId}::uuid and status = 'booked'
                  and tstzrange(starts_at, ends_at) && tstzrange(${c.startsAt.toISOString()}::timestamptz, ${c.endsAt.toISOString()}::timestamptz) limit 1`,
            );
            if (again) continue;
          }
          slot = c;
          break;
        }
        if (!slot) throw slotTaken();
        // The contention point first: a slot taken meanwhile fails here, before anything else is written.
        inserting = true;
        const [b] = await tx
          .insert(officeHourBookings)
          .values({
            tenantId: w.tenantId,
            courseId: w.courseId,
            windowId: w.id,
            hostId: w.hostId,
            studentId,
            startsAt: slot.startsAt,
            endsAt: slot.endsAt,
            question,
          })
          .returning();
        inserting = false;
        const [session] = await tx
          .insert(scheduleSessions)
          .values({
            tenantId: w.tenantId,
            courseId: w.courseId,
            kind: 'booking',
            title: `Office hours with ${hostName}`,
            description: question,
            startsAt: slot.startsAt,
            endsAt: slot.endsAt,
            timeZone: w.timeZone,
            hostId: w.hostId,
            audience: 'student',
            studentId,
            location: w.location,
            meetingUrl: w.meetingUrl,
            createdBy: studentId,
          })
          .returning({ id: scheduleSessions.id });
        const [linked] = await tx
          .update(officeHourBookings)
          .set({ sessionId: session!.id })
          .where(eq(officeHourBookings.id, b!.id))
          .returning();
        // Booked: the student's place in that day's line is no longer needed.
        await tx
          .update(officeHourWaitlist)
          .set({ status: 'left' })
          .where(
            and(
              eq(officeHourWaitlist.windowId, w.id),
              eq(officeHourWaitlist.day, day),
              eq(officeHourWaitlist.studentId, studentId),
              ne(officeHourWaitlist.status, 'left'),
            ),
          );
        await this.d.activity.recordAudit({
          tenantId: w.tenantId,
          courseId: w.courseId,
          by: viewer,
          entity: 'office_hour_booking',
          entityId: linked!.id,
          action: 'booked',
          after: auditBooking(linked!),
        });
        // The events last, in the order every schedule write takes their streams (the course's activity, its
        // schedule, then people's notifications: no two writes wait for each other): each takes its stream's counter
        // row until the commit, which the next booking of the course waits for.
        await this.d.activity.recordActivity({
          tenantId: w.tenantId,
          courseId: w.courseId,
          type: 'booking.made',
          actorId: studentId,
          data: { bookingId: linked!.id, windowId: w.id, hostId: w.hostId, startsAt: linked!.startsAt.toISOString() },
        });
        const stream = scheduleStream(w.courseId);
        await emit(stream, { tenantId: w.tenantId, type: 'booking.created', payload: bookingPayload(linked!) });
        await emit(stream, {
          tenantId: w.tenantId,
          type: 'session.created',
          payload: { sessionId: session!.id, scope: bookingScope(linked!) },
        });
        await this.d.notifications.notify([this.bookingNote(linked!, w, w.hostId, 'booking.made', studentId)]);
        return linked!;
      });
    } catch (err) {
      // A deadlock on the insert: two students' attempts on overlapping times waited for each other; this one lost.
      throw bookingConflict(err) ?? (inserting && sqlState(err) === '40P01' ? slotTaken() : err);
    }
    // After the commit, not awaited: the student has their answer at once (under a crowd, planning the reminders
    // takes longer than the booking did); a failure is logged and the next sync of the session plans them.
    void this.syncReminders(booking.sessionId ? [booking.sessionId] : []);
    return (await this.bookingViews(this.db, [booking]))[0]!;
  }

  /**
   * Cancels a booking: its student, its host or staff, until the window's cancel notice. The other side is notified,
   * and the first student waiting for that day is told the slot is free.
   */
  async cancel(viewer: Viewer, bookingId: string): Promise<BookingView> {
    const b = await this.bookingFor(viewer, bookingId);
    const [w] = await this.db.select().from(officeHourWindows).where(eq(officeHourWindows.id, b.windowId));
    if (!w) throw notFound('The booking');
    if (viewer.kind === 'apiKey') this.d.access.requireScope(viewer, 'write');
    if (b.status !== 'booked') return (await this.bookingViews(this.db, [b]))[0]!;
    const now = this.now();
    if (now.getTime() > b.startsAt.getTime() - w.cancelNoticeMinutes * 60_000)
      throw new AppError(
        'CANCEL_TOO_LATE',
        w.cancelNoticeMinutes > 0
          ? `Bookings can be cancelled up to ${w.cancelNoticeMinutes} minutes before they start.`
          : 'This booking has already started.',
      );
    const by = viewer.kind === 'session' ? viewer.userId : null;
    const row = await this.d.realtime.write(async (tx, emit) => {
      const [row] = await tx
        .update(officeHourBookings)
        .set({ status: 'cancelled', cancelledAt: now, cancelledBy: by })
        .where(and(eq(officeHourBookings.id, b.id), eq(officeHourBookings.status, 'booked')))
        .returning();
      if (!row) return b; // cancelled meanwhile
      await this.cancelledSideEffects(tx, emit, viewer, w, row, 'cancelled');
      // The other side: the host when the student cancels; the student otherwise (and the host when staff did it).
      const notes: NewNotification[] = [];
      if (by !== row.studentId) notes.push(this.bookingNote(row, w, row.studentId, 'booking.cancelled', by));
      if (by !== row.hostId) notes.push(this.bookingNote(row, w, row.hostId, 'booking.cancelled', by));
      // First come, first served: the earliest student still waiting for that day hears of the freed slot.
      const day = DateTime.fromJSDate(row.startsAt, { zone: w.timeZone }).toISODate()!;
      const [next] = await tx
        .select()
        .from(officeHourWaitlist)
        .where(and(eq(officeHourWaitlist.windowId, w.id), eq(officeHourWaitlist.day, day), eq(officeHourWaitlist.status, 'waiting')))
        .orderBy(asc(officeHourWaitlist.createdAt), asc(officeHourWaitlist.id))
        .limit(1)
        .for('update');
      if (next) {
        await tx.update(officeHourWaitlist).set({ status: 'notified', notifiedAt: now }).where(eq(officeHourWaitlist.id, next.id));
        notes.push({
          tenantId: w.tenantId,
          userId: next.studentId,
          courseId: w.courseId,
          type: 'waitlist.slot_freed',
          actorId: null,
          excerpt: slotText(w, row.startsAt),
          data: { windowId: w.id, day, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString() },
        });
      }
      await this.d.notifications.notify(notes);
      return row;
    });
    if (row.sessionId && row.status === 'cancelled') await this.syncReminders([row.sessionId]);
    return (await this.bookingViews(this.db, [row]))[0]!;
  }

  /** One booking: NOT_FOUND unless the viewer is its student, its host or staff of its course. */
  async getBooking(viewer: Viewer, bookingId: string): Promise<BookingView> {
    const b = await this.bookingFor(viewer, bookingId);
    return (await this.bookingViews(this.db, [b]))[0]!;
  }

  /**
   * The bookings of a course the viewer may read (staff: all; a host: theirs; a student: their own), starting in
   * [from, to) (default: from now on), optionally of one host or window, earliest first; with the schedule stream's
   * position they reflect.
   */
  async listBookings(
    viewer: Viewer,
    courseId: string,
    opts: { from?: Date | null; to?: Date | null; hostId?: string | null; windowId?: string | null; includeCancelled?: boolean | null },
  ): Promise<{ cursor: string; bookings: BookingView[] }> {
    if (!isUuid(courseId)) throw notFound('The course');
    await this.d.scheduleAccess.requireRead(viewer, courseId);
    const reader = await this.readerOf(viewer, courseId);
    const cursor = String(await this.d.realtime.head(scheduleStream(courseId)));
    const conds: SQL[] = [eq(officeHourBookings.courseId, courseId), gte(officeHourBookings.startsAt, opts.from ?? this.now())];
    if (opts.to) conds.push(lt(officeHourBookings.startsAt, opts.to));
    if (opts.hostId) conds.push(isUuid(opts.hostId) ? eq(officeHourBookings.hostId, opts.hostId) : sql`false`);
    if (opts.windowId) conds.push(isUuid(opts.windowId) ? eq(officeHourBookings.windowId, opts.windowId) : sql`false`);
    if (!opts.includeCancelled) conds.push(eq(officeHourBookings.status, 'booked'));
    if (!reader.all) {
      if (!reader.userId) return { cursor, bookings: [] };
      conds.push(or(eq(officeHourBookings.studentId, reader.userId), eq(officeHourBookings.hostId, reader.userId))!);
    }
    const found = await this.db
      .select()
      .from(officeHourBookings)
      .where(and(...conds))
      .orderBy(asc(officeHourBookings.startsAt), asc(officeHourBookings.id))
      .limit(500);
    return { cursor, bookings: await this.bookingViews(this.db, found) };
  }

  // ---- waitlist ---------------------------------------------------------------------------------------------------

  /** Joins the waitlist of a window's day; SLOTS_AVAILABLE while one of its slots is free to book. */
  async joinWaitlist(viewer: Viewer, windowId: string, day: string): Promise<WaitlistView> {
    const studentId = personOf(viewer, 'Joining a waitlist');
    const w = await this.windowFor(viewer, windowId);
    await this.d.access.requireParticipant(viewer, w.courseId);
    if (w.status !== 'active') throw new AppError('WINDOW_WITHDRAWN', 'These office hours were withdrawn.');
    if (w.hostId === studentId) throw new AppError('BAD_USER_INPUT', 'You cannot wait for your own office hours.', { field: 'windowId' });
    const date = parseDay(day, w.timeZone, 'day');
    if (date.weekday !== w.weekday) throw new AppError('BAD_USER_INPUT', 'These office hours are not held on that day.', { field: 'day' });
    const now = this.now();
    const occ = windowOccurrence(w, day);
    if (occ.end.toMillis() <= now.getTime()) throw new AppError('BAD_USER_INPUT', 'That day is over.', { field: 'day' });
    if (occ.start.toMillis() > now.getTime() + w.horizonDays * 86_400_000)
      throw new AppError('BOOKING_BEYOND_HORIZON', `Office hours open for booking at most ${w.horizonDays} days ahead.`);
    const { free, status } = await this.freeSlots(w, day, now);
    if (status === null) throw notFound('The office hours');
    if (status !== 'active') throw this.withdrawn(w);
    if (free > 0) throw new AppError('SLOTS_AVAILABLE', 'A slot of that day is still free: book it instead of waiting.');
    const row = await this.d.realtime.write(async (tx) => {
      const [row] = await tx
        .insert(officeHourWaitlist)
        .values({ tenantId: w.tenantId, windowId: w.id, day, studentId, createdAt: new Date() })
        .onConflictDoUpdate({
          target: [officeHourWaitlist.windowId, officeHourWaitlist.day, officeHourWaitlist.studentId],
          // Already waiting: keeps its place. Back after leaving or being notified: the end of the line.
          set: {
            status: 'waiting',
            notifiedAt: null,
            createdAt: sql`case when ${officeHourWaitlist.status} = 'waiting' then ${officeHourWaitlist.createdAt} else now() end`,
          },
        })
        .returning();
      await this.d.activity.recordAudit({
        tenantId: w.tenantId,
        courseId: w.courseId,
        by: viewer,
        entity: 'office_hour_waitlist',
        entityId: row!.id,
        action: 'joined',
        after: { windowId: w.id, day, studentId },
      });
      return row!;
    });
    return this.waitlistView(row);
  }

  /** Leaves the waitlist of a window's day (no-op when not on it). */
  async leaveWaitlist(viewer: Viewer, windowId: string, day: string): Promise<boolean> {
    const studentId = personOf(viewer, 'Leaving a waitlist');
    const w = await this.windowFor(viewer, windowId);
    const left = await this.d.realtime.write(async (tx) => {
      const done = await tx
        .update(officeHourWaitlist)
        .set({ status: 'left' })
        .where(
          and(
            eq(officeHourWaitlist.windowId, w.id),
            eq(officeHourWaitlist.day, day),
            eq(officeHourWaitlist.studentId, studentId),
            ne(officeHourWaitlist.status, 'left'),
          ),
        )
        .returning();
      for (const r of done)
        await this.d.activity.recordAudit({
          tenantId: w.tenantId,
          courseId: w.courseId,
          by: viewer,
          entity: 'office_hour_waitlist',
          entityId: r.id,
          action: 'left',
          after: { windowId: w.id, day, studentId },
        });
      return done.length > 0;
    });
    return left;
  }

  /** The waiting line of a window's day, in order: the host and staff only (student names included). */
  async waitlist(viewer: Viewer, windowId: string, day: string): Promise<(WaitlistView & { studentId: string; studentName: string })[]> {
    const w = await this.windowFor(viewer, windowId);
    const reader = await this.readerOf(viewer, w.courseId);
    if (!reader.all && !reader.hostOf(w.hostId)) throw new AppError('FORBIDDEN', 'Only the host and the course staff see the waitlist.');
    const found = await this.db
      .select({ row: officeHourWaitlist, name: users.name })
      .from(officeHourWaitlist)
      .innerJoin(users, eq(users.id, officeHourWaitlist.studentId))
      .where(and(eq(officeHourWaitlist.windowId, w.id), eq(officeHourWaitlist.day, day), ne(officeHourWaitlist.status, 'left')))
      .orderBy(asc(officeHourWaitlist.createdAt), asc(officeHourWaitlist.id));
    let pos = 0;
    return found.map(({ row, name }) => ({
      ...this.waitlistViewAt(row, row.status === 'waiting' ? ++pos : null),
      studentId: row.studentId,
      studentName: name,
    }));
  }

  // ---- live -------------------------------------------------------------------------------------------------------

  /** The course's schedule stream, for officeHourEvents: NOT_FOUND unless the viewer reads the course. */
  async requireEvents(viewer: Viewer, courseId: string): Promise<Stream<ScheduleEvent>> {
    if (!isUuid(courseId)) throw notFound('The course');
    await this.d.scheduleAccess.requireRead(viewer, courseId);
    return scheduleStream(courseId);
  }

  /** Whether the viewer still reads the course (checked for every event). */
  canFollow(viewer: Viewer, courseId: string): Promise<boolean> {
    return this.d.access.canReadCourse(viewer, courseId);
  }

  /** Whether the viewer may see who booked (the booking's id): its student, its host, staff. Cached lookups. */
  async mayReadBooking(viewer: Viewer, courseId: string, b: { hostId: string; studentId: string }): Promise<boolean> {
    const reader = await this.readerOf(viewer, courseId);
    return reader.all || reader.hostOf(b.hostId) || (!!reader.userId && reader.userId === b.studentId);
  }

  // ---- the rules' helpers -----------------------------------------------------------------------------------------

  /**
   * The one authorization path for bookings: who the viewer is in the course. `all`: staff read every booking of it;
   * otherwise a person reads the bookings they made or host. An API key reads none (a booking is a student's own
   * session, which keys never read).
   */
  private async readerOf(viewer: Viewer, courseId: string) {
    const staff = viewer.kind === 'session' && (await this.d.scheduleAccess.isStaff(viewer, courseId));
    const userId = viewer.kind === 'session' ? viewer.userId : null;
    return { all: staff, userId, hostOf: (hostId: string) => !!userId && userId === hostId };
  }

  /**
   * How many slots of a window's day are free to book now (not booked, within the notice and the horizon), and
   * the window's status now (`w` may be cached), read in the same statement.
   */
  private async freeSlots(w: WindowRow, day: string, now: Date): Promise<{ free: number; status: string | null }> {
    const open = slotsOfDay(w, day).filter((x) => bookable(w, x.startsAt, now));
    // No slot open: only the status is read (a range that matches no booking).
    const from = open[0]?.startsAt ?? new Date(0);
    const to = open.at(-1)?.endsAt ?? new Date(0);
    const booked = await rows<{ status: string; starts_at: Date | string | null }>(
      this.db,
      sql`select w.status, b.starts_at from ${officeHourWindows} w left join ${officeHourBookings} b
          on b.host_id = ${w.hostId}::uuid and b.status = 'booked'
          and b.starts_at >= ${from.toISOString()}::timestamptz and b.starts_at < ${to.toISOString()}::timestamptz
          where w.id = ${w.id}::uuid`,
    );
    const taken = new Set(booked.flatMap((b) => (b.starts_at ? [new Date(b.starts_at).getTime()] : [])));
    return { free: open.filter((x) => !taken.has(x.startsAt.getTime())).length, status: booked[0]?.status ?? null };
  }

  /**
   * The window, when the viewer reads its course. `fresh`: read from the database (its status as it is now);
   * otherwise possibly from this.windows, whose status may be an active since withdrawn (see there).
   */
  private async windowFor(viewer: Viewer, windowId: string, fresh = false): Promise<WindowRow> {
    if (!isUuid(windowId)) throw notFound('The office hours');
    let w = fresh ? undefined : this.windows.get(windowId);
    if (!w) {
      [w] = await this.db.select().from(officeHourWindows).where(eq(officeHourWindows.id, windowId));
      if (w) this.remember(w);
    }
    if (!w || w.tenantId !== viewer.tenantId || !(await this.d.access.canReadCourse(viewer, w.courseId)))
      throw notFound('The office hours');
    this.d.access.requireScope(viewer, 'read');
    return w;
  }

  private remember(w: WindowRow): void {
    if (this.windows.size >= WINDOWS_CACHED) this.windows.clear();
    this.windows.set(w.id, w);
  }

  /** A window found withdrawn (after it was cached as active): remembered so, and WINDOW_WITHDRAWN. */
  private withdrawn(w: WindowRow): AppError {
    this.remember({ ...w, status: 'withdrawn' });
    return new AppError('WINDOW_WITHDRAWN', 'These office hours were withdrawn.');
  }

  private async bookingFor(viewer: Viewer, bookingId: string): Promise<BookingRow> {
    if (!isUuid(bookingId)) throw notFound('The booking');
    this.d.access.requireScope(viewer, 'read');
    const [b] = await this.db
      .select()
      .from(officeHourBookings)
      .where(and(eq(officeHourBookings.id, bookingId), eq(officeHourBookings.tenantId, viewer.tenantId)));
    if (!b || !(await this.d.access.canReadCourse(viewer, b.courseId)) || !(await this.mayReadBooking(viewer, b.courseId, b)))
      throw notFound('The booking');
    return b;
  }

  /** What a cancelled booking changes besides itself, in the caller's write: its session, events, audit, activity. */
  private async cancelledSideEffects(
    tx: Tx,
    emit: Parameters<Parameters<Realtime['write']>[0]>[1],
    viewer: Viewer,
    w: WindowRow,
    b: BookingRow,
    reason: string,
  ): Promise<void> {
    if (b.sessionId)
      await tx
        .update(scheduleSessions)
        .set({ status: 'cancelled', sequence: sql`${scheduleSessions.sequence} + 1`, updatedAt: new Date() })
        .where(eq(scheduleSessions.id, b.sessionId));
    await this.d.activity.recordAudit({
      tenantId: w.tenantId,
      courseId: w.courseId,
      by: viewer,
      entity: 'office_hour_booking',
      entityId: b.id,
      action: 'cancelled',
      before: { ...auditBooking(b), status: 'booked', cancelledBy: null, cancelledAt: null },
      after: { ...auditBooking(b), reason },
    });
    await this.d.activity.recordActivity({
      tenantId: w.tenantId,
      courseId: w.courseId,
      type: 'booking.cancelled',
      actorId: viewer.kind === 'session' ? viewer.userId : null,
      data: { bookingId: b.id, windowId: w.id, hostId: b.hostId, studentId: b.studentId, startsAt: b.startsAt.toISOString(), reason },
    });
    // After the activity entry: the order every schedule write takes these streams in.
    const stream = scheduleStream(w.courseId);
    await emit(stream, { tenantId: w.tenantId, type: 'booking.cancelled', payload: bookingPayload(b) });
    if (b.sessionId)
      await emit(stream, { tenantId: w.tenantId, type: 'session.cancelled', payload: { sessionId: b.sessionId, scope: bookingScope(b) } });
  }

  private bookingNote(
    b: BookingRow,
    w: WindowRow,
    to: string,
    type: 'booking.made' | 'booking.cancelled',
    actorId: string | null,
  ): NewNotification {
    return {
      tenantId: w.tenantId,
      userId: to,
      courseId: w.courseId,
      type,
      actorId,
      // The host reads the question in advance; a cancellation says which slot.
      excerpt: type === 'booking.made' && b.question ? clip(b.question, 280) : slotText(w, b.startsAt),
      data: {
        bookingId: b.id,
        sessionId: b.sessionId,
        windowId: w.id,
        startsAt: b.startsAt.toISOString(),
        endsAt: b.endsAt.toISOString(),
      },
    };
  }

  private async syncReminders(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    try {
      await this.d.reminders.sync(sessionIds);
    } catch (err) {
      // The booking stands; the reminders are planned again by the next sync of these sessions.
      this.d.log.error({ err, sessionIds }, 'office hours: reminders not synced');
    }
  }

  private async windowValues(input: PublishWindowInput) {
    const weekday = input.weekday;
    if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7)
      throw new AppError('BAD_USER_INPUT', 'weekday is 1 (Monday) to 7 (Sunday).', { field: 'weekday' });
    const startMinute = parseTime(input.startTime, 'startTime');
    const endMinute = parseTime(input.endTime, 'endTime');
    if (endMinute <= startMinute) throw new AppError('BAD_USER_INPUT', 'The window must end after it starts.', { field: 'endTime' });
    const slotMinutes = input.slotMinutes;
    if (!Number.isInteger(slotMinutes) || slotMinutes < 5 || slotMinutes > 240)
      throw new AppError('BAD_USER_INPUT', 'slotMinutes is between 5 and 240.', { field: 'slotMinutes' });
    if (endMinute - startMinute < slotMinutes)
      throw new AppError('BAD_USER_INPUT', 'The window is shorter than one slot.', { field: 'slotMinutes' });
    const timeZone = input.timeZone ?? (await this.courseZone(input.courseId));
    if (!IANAZone.isValidZone(timeZone))
      throw new AppError('BAD_USER_INPUT', 'timeZone must be an IANA time zone such as Europe/Paris.', { field: 'timeZone' });
    const int = (v: number | null | undefined, dflt: number, max: number, field: string) => {
      const n = v ?? dflt;
      if (!Number.isInteger(n) || n < 0 || n > max) throw new AppError('BAD_USER_INPUT', `${field} is between 0 and ${max}.`, { field });
      return n;
    };
    const horizonDays = int(input.horizonDays, 14, OFFICE_HOURS_LIMITS.horizonDaysMax, 'horizonDays');
    if (horizonDays < 1) throw new AppError('BAD_USER_INPUT', 'horizonDays is at least 1.', { field: 'horizonDays' });
    const title = cleanLine(input.title ?? '', 'title', 'caller') || 'Office hours';
    if (title.length > OFFICE_HOURS_LIMITS.titleMax)
      throw new AppError('BAD_USER_INPUT', `title holds at most ${OFFICE_HOURS_LIMITS.titleMax} characters.`, { field: 'title' });
    const location = cleanLine(input.location ?? '', 'location', 'caller');
    if (location.length > OFFICE_HOURS_LIMITS.locationMax)
      throw new AppError('BAD_USER_INPUT', `location holds at most ${OFFICE_HOURS_LIMITS.locationMax} characters.`, { field: 'location' });
    return {
      title,
      weekday,
      startMinute,
      endMinute,
      timeZone: IANAZone.create(timeZone).name,
      slotMinutes,
      horizonDays,
      minNoticeMinutes: int(input.minNoticeMinutes, 60, OFFICE_HOURS_LIMITS.noticeMinutesMax, 'minNoticeMinutes'),
      cancelNoticeMinutes: int(input.cancelNoticeMinutes, 0, OFFICE_HOURS_LIMITS.noticeMinutesMax, 'cancelNoticeMinutes'),
      location,
      meetingUrl: meetingUrlOf(input.meetingUrl),
    };
  }

  private async courseZone(courseId: string): Promise<string> {
    const [s] = await this.db
      .select({ timeZone: scheduleSettings.timeZone })
      .from(scheduleSettings)
      .where(eq(scheduleSettings.courseId, courseId));
    return s?.timeZone ?? 'UTC';
  }

  private async windowViews(db: Tx, rows: WindowRow[]): Promise<WindowView[]> {
    const names = await namesOf(
      db,
      rows.map((r) => r.hostId),
    );
    return rows.map((r) => ({ ...r, hostName: names.get(r.hostId) ?? 'someone' }));
  }

  private async bookingViews(db: Tx, rows: BookingRow[]): Promise<BookingView[]> {
    if (rows.length === 0) return [];
    const names = await namesOf(
      db,
      rows.flatMap((r) => [r.hostId, r.studentId]),
    );
    // Only what never changes of a window is read here (title, place, zone): the cached rows do.
    const byId = new Map<string, WindowRow>();
    const missing: string[] = [];
    for (const id of new Set(rows.map((r) => r.windowId))) {
      const w = this.windows.get(id);
      if (w) byId.set(id, w);
      else missing.push(id);
    }
    if (missing.length > 0)
      for (const w of await db.select().from(officeHourWindows).where(inArray(officeHourWindows.id, missing))) {
        this.remember(w);
        byId.set(w.id, w);
      }
    return rows.map((r) => {
      const w = byId.get(r.windowId)!;
      return {
        ...r,
        hostName: names.get(r.hostId) ?? 'someone',
        studentName: names.get(r.studentId) ?? 'someone',
        windowTitle: w.title,
        location: w.location,
        meetingUrl: w.meetingUrl,
        timeZone: w.timeZone,
      };
    });
  }

  private waitlistView(row: WaitlistRow): Promise<WaitlistView> {
    return this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(officeHourWaitlist)
      .where(
        and(
          eq(officeHourWaitlist.windowId, row.windowId),
          eq(officeHourWaitlist.day, row.day),
          eq(officeHourWaitlist.status, 'waiting'),
          sql`(${officeHourWaitlist.createdAt}, ${officeHourWaitlist.id}) <= (${row.createdAt.toISOString()}::timestamptz, ${row.id}::uuid)`,
        ),
      )
      .then(([r]) => this.waitlistViewAt(row, row.status === 'waiting' ? Number(r?.n ?? 0) : null));
  }

  private waitlistViewAt(row: WaitlistRow, position: number | null): WaitlistView {
    return { id: row.id, windowId: row.windowId, day: row.day, status: row.status, position, createdAt: row.createdAt };
  }
}

// ---- pure time rules (exported for tests) ---------------------------------------------------------------------------

type WindowTimes = Pick<WindowRow, 'weekday' | 'startMinute' | 'endMinute' | 'timeZone' | 'slotMinutes'>;

/** A wall-clock minute of a date in a zone as an instant (a minute inside a spring-forward gap moves forward). */
function wallClock(day: DateTime, minute: number, zone: string): DateTime {
  const base = DateTime.fromObject({ year: day.year, month: day.month, day: day.day }, { zone });
  if (minute >= 1440) return base.plus({ days: 1 }).startOf('day');
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(minute / 60), minute: minute % 60 },
    { zone },
  );
}

/** The window's occurrence on a date (YYYY-MM-DD in its zone): its start and end instants. */
export function windowOccurrence(w: WindowTimes, day: string): { start: DateTime; end: DateTime } {
  const d = DateTime.fromISO(day, { zone: w.timeZone });
  return { start: wallClock(d, w.startMinute, w.timeZone), end: wallClock(d, w.endMinute, w.timeZone) };
}

/** Slots by window times and date: the zone arithmetic is the costly part of reading a day, and it never changes. */
const slotCache = new Map<string, readonly { startsAt: Date; endsAt: Date }[]>();

/** The slots of the window on a date: from its start, `slotMinutes` each, while a whole slot fits before its end. */
export function slotsOfDay(w: WindowTimes, day: string): { startsAt: Date; endsAt: Date }[] {
  const key = `${w.timeZone}|${w.startMinute}|${w.endMinute}|${w.slotMinutes}|${day}`;
  let slots = slotCache.get(key);
  if (!slots) {
    const { start, end } = windowOccurrence(w, day);
    const out: { startsAt: Date; endsAt: Date }[] = [];
    const step = w.slotMinutes * 60_000;
    for (let t = start.toMillis(); t + step <= end.toMillis(); t += step) out.push({ startsAt: new Date(t), endsAt: new Date(t + step) });
    if (slotCache.size >= 10_000) slotCache.clear();
    slotCache.set(key, (slots = out));
  }
  // Copies: callers keep and spread them.
  return slots.map((x) => ({ startsAt: new Date(x.startsAt.getTime()), endsAt: new Date(x.endsAt.getTime()) }));
}

/** The dates (YYYY-MM-DD) between two dates of the window's zone, both included, on the window's weekday. */
export function windowDays(w: Pick<WindowRow, 'weekday'>, from: DateTime, to: DateTime): string[] {
  const out: string[] = [];
  let d = from.plus({ days: (w.weekday - from.weekday + 7) % 7 });
  while (d <= to) {
    out.push(d.toISODate()!);
    d = d.plus({ weeks: 1 });
  }
  return out;
}

/** Whether a slot starting then is open for booking now (the notice and the horizon). */
export function bookable(w: Pick<WindowRow, 'minNoticeMinutes' | 'horizonDays'>, startsAt: Date, now: Date): boolean {
  const t = startsAt.getTime();
  return t >= now.getTime() + w.minNoticeMinutes * 60_000 && t <= now.getTime() + w.horizonDays * 86_400_000;
}

/**
 * The first date (in a's zone) on which two weekly windows overlap as instants within `weeks` weeks from `from`, or
 * null. Each window's occurrences are computed in its own zone, so windows in different zones compare correctly
 * across daylight-saving changes of either.
 */
export function firstOverlap(a: WindowTimes, b: WindowTimes, from: Date, weeks: number): DateTime | null {
  const occurrences = (w: WindowTimes) => {
    const start = DateTime.fromJSDate(from, { zone: w.timeZone }).startOf('day').minus({ days: 1 });
    return windowDays(w, start, start.plus({ weeks })).map((day) => windowOccurrence(w, day));
  };
  const bs = occurrences(b);
  for (const x of occurrences(a)) {
    for (const y of bs) if (x.start < y.end && y.start < x.end) return x.start;
  }
  return null;
}

/** A slot for a notification: "Proof clinic, Mon 7 Dec 10:00 (Europe/Paris)", in the window's zone. */
function slotText(w: Pick<WindowRow, 'title' | 'timeZone'>, startsAt: Date): string {
  const t = DateTime.fromJSDate(startsAt, { zone: w.timeZone });
  return `${w.title}, ${t.toFormat('ccc d LLL HH:mm')} (${w.timeZone.replace(/_/g, ' ')})`;
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
export function describeWindow(w: WindowTimes): string {
  return `${WEEKDAYS[w.weekday - 1]} ${hhmm(w.startMinute)}–${hhmm(w.endMinute)} ${w.timeZone}`;
}
export const formatTime = hhmm;

function parseTime(s: string, field: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 1440)
    throw new AppError('BAD_USER_INPUT', `${field} is a wall-clock time HH:MM (00:00 to 24:00).`, { field });
  return minutes;
}

function parseDay(s: string, zone: string, field: string): DateTime {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? DateTime.fromISO(s, { zone }) : null;
  if (!d?.isValid) throw new AppError('BAD_USER_INPUT', `${field} is a date YYYY-MM-DD.`, { field });
  return d;
}

function cleanQuestion(raw: string | null | undefined): string {
  const q = cleanMultiline(raw ?? '', 'question', 'caller').trim();
  if (q.length > OFFICE_HOURS_LIMITS.questionMax)
    throw new AppError('BAD_USER_INPUT', `The question holds at most ${OFFICE_HOURS_LIMITS.questionMax} characters.`, {
      field: 'question',
    });
  return q;
}

function meetingUrlOf(raw: string | null | undefined): string | null {
  const s = (raw ?? '').trim();
  if (!s) return null;
  let u: URL | null = null;
  try {
    u = new URL(s);
  } catch {
    u = null;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || s.length > OFFICE_HOURS_LIMITS.urlMax)
    throw new AppError('BAD_USER_INPUT', 'meetingUrl must be an http(s) URL.', { field: 'meetingUrl' });
  return u.toString();
}

function personOf(viewer: Viewer, what: string): string {
  if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', `${what} is for people: sign in through your LMS.`);
  return viewer.userId;
}

const slotTaken = () => new AppError('SLOT_TAKEN', 'Someone booked this slot a moment ago: pick another one.');

/** The SQLSTATE of a database error (drizzle wraps it as the cause), else undefined. */
function sqlState(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The stable code of a booking refused by an exclusion constraint (SQLSTATE 23P01), else null. */
export function bookingConflict(err: unknown): AppError | null {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const x = e as { code?: string; constraint?: string; message?: string };
    if (x.code === '23P01') {
      const which = x.constraint ?? x.message ?? '';
      if (which.includes('student_no_overlap'))
        return new AppError('ALREADY_BOOKED_AT_THAT_TIME', 'You already have office hours booked at that time.');
      return slotTaken();
    }
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

function bookingPayload(b: BookingRow) {
  return {
    bookingId: b.id,
    windowId: b.windowId,
    hostId: b.hostId,
    studentId: b.studentId,
    startsAt: b.startsAt.toISOString(),
    endsAt: b.endsAt.toISOString(),
  };
}

function bookingScope(b: BookingRow): ScheduleEventScope {
  return { audience: 'student', hostId: b.hostId, studentId: b.studentId, roomId: null };
}

function auditWindow(w: WindowRow) {
  return {
    title: w.title,
    hostId: w.hostId,
    weekday: w.weekday,
    startTime: hhmm(w.startMinute),
    endTime: hhmm(w.endMinute),
    timeZone: w.timeZone,
    slotMinutes: w.slotMinutes,
    horizonDays: w.horizonDays,
    minNoticeMinutes: w.minNoticeMinutes,
    cancelNoticeMinutes: w.cancelNoticeMinutes,
    location: w.location,
    meetingUrl: w.meetingUrl,
    status: w.status,
  };
}

/** What the audit log keeps of a booking: not the question (only its student, host and staff read it). */
function auditBooking(b: BookingRow) {
  return {
    windowId: b.windowId,
    hostId: b.hostId,
    studentId: b.studentId,
    startsAt: b.startsAt.toISOString(),
    endsAt: b.endsAt.toISOString(),
    status: b.status,
    cancelledBy: b.cancelledBy,
    cancelledAt: b.cancelledAt?.toISOString() ?? null,
  };
}

async function nameOf(db: Tx, userId: string): Promise<string> {
  return (await namesOf(db, [userId])).get(userId) ?? 'your host';
}

async function namesOf(db: Tx, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const found = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, unique));
  return new Map(found.map((u) => [u.id, u.name]));
}
