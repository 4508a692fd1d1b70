/**
 * Sessions: planning, editing, moving and cancelling them (one occurrence, or this and the following ones of a weekly
 * series), conflicts, attendance, and the course's schedule settings. Every rule of who may do what is in
 * ScheduleAccess (schedule/access.ts), the one authorization path; every change is written with its events on the
 * course's schedule stream, its audit entry, its activity entry and its notifications in one transaction
 * (`realtime.write`), and reminders are planned after the commit (`reminders.sync`).
 *
 * "This and the following" splits the series: the chosen occurrence and every later one move to a new series
 * (its RRULE starting there), the old series ends before it, and each changed occurrence keeps its RECURRENCE-ID.
 * A time change applies as a wall-clock shift in each occurrence's zone (10:00 → 11:00 stays 11:00 across DST).
 */
import { and, asc, eq, gte, inArray, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { scheduleAttendance, scheduleSeries, scheduleSessions, scheduleSettings, officeHourBookings } from './tables.js';
import { scheduleStream, type ScheduleEvent, type ScheduleEventScope } from './events.js';
import { attendeesOf } from './attendees.js';
import { checkTimeZone, expandWeekly, shiftWallClock, MAX_OCCURRENCES, type WeeklyRepeat } from './time.js';
import { memberships } from '../courses/tables.js';
import { rooms } from '../rooms/tables.js';
import { users } from '../users/tables.js';
import { isGuest } from '../courses/roles.js';
import type { Tx } from '../db/client.js';
import type { Realtime, StreamEvent } from '../realtime/realtime.js';
import type { Access } from '../auth/access.js';
import { isUuid } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import type { NotificationService, NewNotification } from '../notifications/service.js';
import type { ActivityService } from '../activity/service.js';
import type { ReminderService } from './reminders.js';
import type { Logger } from '../logger.js';
import { AppError, notFound } from '../errors.js';
import { cleanLine, cleanMultiline } from '../text.js';
import type { ScheduleAccess, ScheduleActor } from './access.js';

export type SessionRow = typeof scheduleSessions.$inferSelect;
export type AttendanceRow = typeof scheduleAttendance.$inferSelect;

export interface SessionView extends SessionRow {
  hostName: string | null;
  studentName: string | null;
  roomName: string | null;
}

export interface ScheduleSettingsView {
  courseId: string;
  timeZone: string;
  reminderOffsets: number[];
  /** Whether an instructor set them (false: the defaults). */
  set: boolean;
}

export interface AttendanceView {
  sessionId: string;
  userId: string;
  userName: string;
  attendance: string | null;
  completed: boolean;
  markedAt: Date | null;
}

export interface ConflictView {
  sessionId: string | null;
  /** The conflicting session's title, or "Busy" when the viewer may not read it. */
  title: string;
  startsAt: string;
  endsAt: string;
  /** Who is double-booked (names). */
  who: string[];
  kind: 'session' | 'booking';
}

export interface SessionInput {
  title?: string | null;
  description?: string | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  timeZone?: string | null;
  hostId?: string | null;
  audience?: 'course' | 'student' | 'room' | null;
  studentId?: string | null;
  roomId?: string | null;
  location?: string | null;
  meetingUrl?: string | null;
}

export interface CreateSessionInput extends SessionInput {
  courseId: string;
  title: string;
  startsAt: Date;
  endsAt: Date;
  repeat?: WeeklyRepeat | null;
}

export type EditScope = 'one' | 'following';

export interface ScheduleDeps {
  db: Tx;
  realtime: Realtime;
  access: Access;
  scheduleAccess: ScheduleAccess;
  notifications: NotificationService;
  activity: ActivityService;
  reminders: ReminderService;
  log: Logger;
}

const DEFAULT_OFFSETS = [1440, 15];
const MAX_TITLE = 200;
const MAX_DESCRIPTION = 4000;
const MAX_LOCATION = 300;
const MAX_URL = 2000;
/** The longest session, and the widest range one schedule query reads. */
const MAX_SESSION_MS = 24 * 3600_000;
const MAX_RANGE_DAYS = 190;
const MAX_OFFSETS = 5;
const MAX_OFFSET_MINUTES = 14 * 1440;
const ATTENDANCE = ['present', 'absent', 'excused'] as const;

export class ScheduleService {
  /** The schedule rules, for the schema (subscriptions) and the other schedule services. */
  readonly access: ScheduleAccess;

  constructor(private readonly d: ScheduleDeps) {
    this.access = d.scheduleAccess;
  }

  // ---- settings ----

  async settings(viewer: Viewer, courseId: string): Promise<ScheduleSettingsView> {
    await this.access.requireRead(viewer, courseId);
    return this.settingsOf(this.d.db, courseId);
  }

  async settingsOf(db: Tx, courseId: string): Promise<ScheduleSettingsView> {
    const [row] = await db.select().from(scheduleSettings).where(eq(scheduleSettings.courseId, courseId));
    return row
      ? { courseId, timeZone: row.timeZone, reminderOffsets: row.reminderOffsets, set: true }
      : { courseId, timeZone: 'UTC', reminderOffsets: [...DEFAULT_OFFSETS], set: false };
  }

  /** The course's time zone and reminder offsets (minutes before a session), set by an instructor. */
  async updateSettings(
    viewer: Viewer,
    courseId: string,
    input: { timeZone?: string | null; reminderOffsets?: readonly number[] | null },
  ): Promise<ScheduleSettingsView> {
    await this.access.requireInstructor(viewer, courseId);
    const timeZone = input.timeZone != null ? checkTimeZone(input.timeZone) : null;
    let offsets: number[] | null = null;
    if (input.reminderOffsets != null) {
      offsets = [...new Set(input.reminderOffsets)].sort((a, b) => b - a);
      if (offsets.length > MAX_OFFSETS || offsets.some((o) => !Number.isInteger(o) || o < 1 || o > MAX_OFFSET_MINUTES))
        throw new AppError(
          'BAD_USER_INPUT',
          `Reminder offsets are up to ${MAX_OFFSETS} whole numbers of minutes, from 1 to ${MAX_OFFSET_MINUTES} (14 days).`,
          { field: 'reminderOffsets' },
        );
    }
    const tenantId = viewer.tenantId;
    const result = await this.d.realtime.write(async (tx, emit) => {
      const before = await this.settingsOf(tx, courseId);
      const next = { timeZone: timeZone ?? before.timeZone, reminderOffsets: offsets ?? before.reminderOffsets };
      await tx
        .insert(scheduleSettings)
        .values({ courseId, tenantId, ...next })
        .onConflictDoUpdate({ target: scheduleSettings.courseId, set: { ...next, updatedAt: new Date() } });
      await this.d.activity.recordAudit({
        tenantId,
        courseId,
        by: viewer,
        entity: 'schedule_settings',
        entityId: courseId,
        action: 'update',
        before: { timeZone: before.timeZone, reminderOffsets: before.reminderOffsets },
        after: next,
      });
      await emit(scheduleStream(courseId), { tenantId, type: 'settings.updated', payload: next });
      const offsetsChanged = String(next.reminderOffsets) !== String(before.reminderOffsets);
      return { view: { courseId, ...next, set: true }, offsetsChanged };
    });
    if (result.offsetsChanged) await this.syncReminders(await this.futureSessionIds(courseId));
    return result.view;
  }

  // ---- reading ----

  /**
   * The sessions of a course the viewer sees between two instants (both required; at most MAX_RANGE_DAYS apart),
   * with the position of the course's schedule stream they reflect (`cursor`, to follow with scheduleEvents).
   */
  async list(viewer: Viewer, courseId: string, from: Date, to: Date): Promise<{ sessions: SessionView[]; cursor: string }> {
    await this.access.requireRead(viewer, courseId);
    if (!(to > from)) throw new AppError('BAD_USER_INPUT', '`to` must be after `from`.', { field: 'to' });
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000)
      throw new AppError('BAD_USER_INPUT', `A schedule is read at most ${MAX_RANGE_DAYS} days at a time.`, { field: 'to' });
    // The head before the rows: every event up to it is committed with its rows, so the page holds at least that.
    const cursor = String(await this.d.realtime.head(scheduleStream(courseId)));
    const s = scheduleSessions;
    const conds: SQL[] = [eq(s.courseId, courseId), lt(s.startsAt, to), sql`${s.endsAt} > ${from.toISOString()}::timestamptz`];
    const vis = await this.visibility(viewer, courseId);
    if (vis) conds.push(vis);
    const found = await this.d.db
      .select()
      .from(s)
      .where(and(...conds))
      .orderBy(asc(s.startsAt), asc(s.id))
      .limit(2000);
    return { sessions: await this.viewsOf(this.d.db, found), cursor };
  }

  /** One session, NOT_FOUND unless the viewer may read it (another tenant's, another learner's). */
  async session(viewer: Viewer, id: string): Promise<SessionView> {
    const row = await this.readable(viewer, id);
    return (await this.viewsOf(this.d.db, [row]))[0]!;
  }

  /** Attendance of a session: every attendee for its host and staff, the viewer's own row for an attendee. */
  async attendance(viewer: Viewer, session: SessionRow): Promise<AttendanceView[]> {
    const all = (await attendeesOf(this.d.db, [session])).get(session.id) ?? [];
    const seesAll =
      (viewer.kind === 'session' && viewer.userId === session.hostId) ||
      (await this.access.isStaff(viewer, session.courseId)) ||
      viewer.kind === 'apiKey';
    const ids = seesAll ? all : viewer.kind === 'session' && all.includes(viewer.userId) ? [viewer.userId] : [];
    if (ids.length === 0) return [];
    const marks = await this.d.db
      .select()
      .from(scheduleAttendance)
      .where(and(eq(scheduleAttendance.sessionId, session.id), inArray(scheduleAttendance.userId, ids)));
    const names = await this.namesOf(this.d.db, ids);
    const byUser = new Map(marks.map((m) => [m.userId, m]));
    return ids
      .map((userId) => {
        const m = byUser.get(userId);
        return {
          sessionId: session.id,
          userId,
          userName: names.get(userId) ?? 'Someone',
          attendance: m?.attendance ?? null,
          completed: m?.completed ?? false,
          markedAt: m?.markedAt ?? null,
        };
      })
      .sort((a, b) => a.userName.localeCompare(b.userName));
  }

  /** Whether the viewer may edit this session (for the UI: staff any, a mentor host their own). */
  async canEdit(viewer: Viewer, session: SessionRow): Promise<boolean> {
    if (viewer.kind === 'apiKey') return viewer.scopes.includes('write') && (await this.d.access.canReadCourse(viewer, session.courseId));
    if (viewer.userId === session.hostId) return true;
    return this.access.isStaff(viewer, session.courseId);
  }

  // ---- writing ----

  /**
   * Plans a session, or a weekly series of them (one row per occurrence). SCHEDULE_CONFLICT (with the conflicting
   * sessions in `extensions.conflicts`) when the host or an attendee is already busy, unless `force`.
   */
  async create(viewer: Viewer, input: CreateSessionInput, force = false): Promise<SessionView[]> {
    const courseId = input.courseId;
    if (!isUuid(courseId)) throw notFound('The course');
    const actor = await this.access.requireHost(viewer, courseId);
    const settings = await this.settingsOf(this.d.db, courseId);
    const fields = await this.checkFields(viewer.tenantId, courseId, actor, input, null);
    const timeZone = input.timeZone ? checkTimeZone(input.timeZone) : settings.timeZone;
    const { startsAt, endsAt } = checkTimes(input.startsAt, input.endsAt);
    const duration = endsAt.getTime() - startsAt.getTime();
    const expanded = input.repeat ? expandWeekly(startsAt, timeZone, input.repeat) : null;
    const starts = expanded ? expanded.starts : [startsAt];
    const planned = starts.map((s) => ({ startsAt: s, endsAt: new Date(s.getTime() + duration) }));
    if (!force) await this.refuseConflicts(viewer, courseId, fields, planned, []);
    const tenantId = viewer.tenantId;
    const created = await this.d.realtime.write(async (tx, emit) => {
      let seriesId: string | null = null;
      if (expanded) {
        const [series] = await tx
          .insert(scheduleSeries)
          .values({
            tenantId,
            courseId,
            rrule: expanded.rrule,
            timeZone,
            startsAt,
            durationMinutes: Math.round(duration / 60_000),
            createdBy: actor.userId,
          })
          .returning();
        seriesId = series!.id;
      }
      const rows = await tx
        .insert(scheduleSessions)
        .values(
          planned.map((p) => ({
            tenantId,
            courseId,
            kind: 'session',
            seriesId,
            recurrenceId: seriesId ? p.startsAt : null,
            title: fields.title,
            description: fields.description,
            startsAt: p.startsAt,
            endsAt: p.endsAt,
            timeZone,
            hostId: fields.hostId,
            audience: fields.audience,
            studentId: fields.studentId,
            roomId: fields.roomId,
            location: fields.location,
            meetingUrl: fields.meetingUrl,
            createdBy: actor.userId,
          })),
        )
        .returning();
      const first = rows[0]!;
      await this.d.activity.recordAudit({
        tenantId,
        courseId,
        by: viewer,
        entity: seriesId ? 'series' : 'session',
        entityId: seriesId ?? first.id,
        action: 'create',
        after: { ...auditable(first), ...(expanded ? { rrule: expanded.rrule, occurrences: rows.length } : {}) },
      });
      await this.d.activity.recordActivity({
        tenantId,
        courseId,
        type: 'session.created',
        actorId: actor.userId,
        data: { sessionId: first.id, title: first.title, startsAt: first.startsAt.toISOString(), occurrences: rows.length },
      });
      for (const r of rows) await this.emitSession(emit, r, 'session.created');
      const attendees = (await attendeesOf(tx, [first])).get(first.id) ?? [];
      await this.notifyPeople(actor, first, attendees, 'session.assigned');
      return rows;
    });
    await this.syncReminders(created.map((r) => r.id));
    return this.viewsOf(this.d.db, created);
  }

  /**
   * Edits a session (or, with scope `following`, it and every later occurrence of its series): text, host,
   * audience, place and time. A time change is a move (its RECURRENCE-ID stays). SEQUENCE rises on each changed row.
   */
  async update(
    viewer: Viewer,
    id: string,
    patch: SessionInput & { status?: 'scheduled' | 'completed' | null },
    scope: EditScope,
    force = false,
  ): Promise<SessionView[]> {
    const current = await this.readable(viewer, id);
    const actor = await this.access.requireHost(viewer, current.courseId);
    if (!this.access.mayChange(actor, current.hostId))
      throw new AppError('FORBIDDEN', 'Only the course staff and the session’s host can change it.');
    if (current.kind !== 'session') throw new AppError('BAD_USER_INPUT', 'Office-hours bookings are changed through their booking.');
    if (current.status === 'cancelled') throw new AppError('BAD_USER_INPUT', 'This session is cancelled.');
    const fields = await this.checkFields(viewer.tenantId, current.courseId, actor, patch, current);
    const timeZone = patch.timeZone ? checkTimeZone(patch.timeZone) : current.timeZone;
    const { startsAt, endsAt } = checkTimes(patch.startsAt ?? current.startsAt, patch.endsAt ?? current.endsAt);
    if (patch.status && patch.status !== 'scheduled' && patch.status !== 'completed')
      throw new AppError('BAD_USER_INPUT', 'status is scheduled or completed (cancel with cancelScheduleSession).', { field: 'status' });
    const targets = scope === 'following' && current.seriesId ? await this.following(current) : [current];
    const timeChanged = startsAt.getTime() !== current.startsAt.getTime() || endsAt.getTime() !== current.endsAt.getTime();
    const planned = targets.map((t) =>
      t.id === current.id
        ? { id: t.id, startsAt, endsAt }
        : timeChanged
          ? {
              id: t.id,
              startsAt: shiftWallClock(t.startsAt, timeZone, current.startsAt, startsAt),
              endsAt: shiftWallClock(t.endsAt, timeZone, current.endsAt, endsAt),
            }
          : { id: t.id, startsAt: t.startsAt, endsAt: t.endsAt },
    );
    const who = { ...fields };
    if (!force && (timeChanged || peopleChanged(current, fields)))
      await this.refuseConflicts(
        viewer,
        current.courseId,
        who,
        planned,
        targets.map((t) => t.id),
      );
    const tenantId = viewer.tenantId;
    const changed = await this.d.realtime.write(async (tx, emit) => {
      if (scope === 'following' && current.seriesId) await this.splitSeries(tx, current, targets, timeZone, startsAt, endsAt);
      const out: SessionRow[] = [];
      for (const p of planned) {
        const [row] = await tx
          .update(scheduleSessions)
          .set({
            title: fields.title,
            description: fields.description,
            startsAt: p.startsAt,
            endsAt: p.endsAt,
            timeZone,
            hostId: fields.hostId,
            audience: fields.audience,
            studentId: fields.studentId,
            roomId: fields.roomId,
            location: fields.location,
            meetingUrl: fields.meetingUrl,
            ...(patch.status && p.id === current.id ? { status: patch.status } : {}),
            sequence: sql`${scheduleSessions.sequence} + 1`,
            updatedAt: new Date(),
          })
          .where(and(eq(scheduleSessions.id, p.id), ne(scheduleSessions.status, 'cancelled')))
          .returning();
        if (row) out.push(row);
      }
      const before = targets.find((t) => t.id === current.id)!;
      const after = out.find((o) => o.id === current.id) ?? out[0];
      if (!after) throw notFound('The session');
      for (const row of out) {
        const old = targets.find((t) => t.id === row.id)!;
        await this.d.activity.recordAudit({
          tenantId,
          courseId: row.courseId,
          by: viewer,
          entity: 'session',
          entityId: row.id,
          action: timeChanged && !patchesMoreThanTime(patch) ? 'move' : 'update',
          before: auditable(old),
          after: auditable(row),
        });
        await this.emitSession(emit, row, 'session.updated', old);
      }
      await this.d.activity.recordActivity({
        tenantId,
        courseId: after.courseId,
        type: timeChanged ? 'session.moved' : 'session.updated',
        actorId: actor.userId,
        data: {
          sessionId: after.id,
          title: after.title,
          startsAt: after.startsAt.toISOString(),
          previousStartsAt: before.startsAt.toISOString(),
          occurrences: out.length,
        },
      });
      const people = await attendeesOf(
        tx,
        [before, after].map((r, i) => ({ ...r, id: `${i}` })),
      );
      const all = new Set([...(people.get('0') ?? []), ...(people.get('1') ?? [])]);
      if (before.hostId !== after.hostId) {
        all.add(after.hostId);
        all.add(before.hostId);
      }
      await this.notifyPeople(actor, after, [...all], 'session.changed');
      return out;
    });
    await this.syncReminders(changed.map((r) => r.id));
    return this.viewsOf(this.d.db, changed);
  }

  /** Moving: a time change alone (the same rules and checks as update). */
  async move(viewer: Viewer, id: string, startsAt: Date, endsAt: Date, scope: EditScope, force = false): Promise<SessionView[]> {
    return this.update(viewer, id, { startsAt, endsAt }, scope, force);
  }

  /** Cancels a session (or it and the following occurrences of its series): status cancelled, SEQUENCE + 1. */
  async cancel(viewer: Viewer, id: string, scope: EditScope): Promise<SessionView[]> {
    const current = await this.readable(viewer, id);
    const actor = await this.access.requireHost(viewer, current.courseId);
    if (!this.access.mayChange(actor, current.hostId))
      throw new AppError('FORBIDDEN', 'Only the course staff and the session’s host can cancel it.');
    if (current.kind !== 'session') throw new AppError('BAD_USER_INPUT', 'Office-hours bookings are cancelled through their booking.');
    const targets = scope === 'following' && current.seriesId ? await this.following(current) : [current];
    const tenantId = viewer.tenantId;
    const cancelled = await this.d.realtime.write(async (tx, emit) => {
      const out = await tx
        .update(scheduleSessions)
        .set({ status: 'cancelled', sequence: sql`${scheduleSessions.sequence} + 1`, updatedAt: new Date() })
        .where(
          and(
            inArray(
              scheduleSessions.id,
              targets.map((t) => t.id),
            ),
            ne(scheduleSessions.status, 'cancelled'),
          ),
        )
        .returning();
      if (out.length === 0) throw new AppError('BAD_USER_INPUT', 'This session is already cancelled.');
      out.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      for (const row of out) {
        await this.d.activity.recordAudit({
          tenantId,
          courseId: row.courseId,
          by: viewer,
          entity: 'session',
          entityId: row.id,
          action: 'cancel',
          before: auditable(targets.find((t) => t.id === row.id)!),
          after: auditable(row),
        });
        await this.emitSession(emit, row, 'session.cancelled');
      }
      const first = out[0]!;
      await this.d.activity.recordActivity({
        tenantId,
        courseId: first.courseId,
        type: 'session.cancelled',
        actorId: actor.userId,
        data: { sessionId: first.id, title: first.title, startsAt: first.startsAt.toISOString(), occurrences: out.length },
      });
      const attendees = (await attendeesOf(tx, [first])).get(first.id) ?? [];
      await this.notifyPeople(actor, first, attendees, 'session.cancelled');
      return out;
    });
    await this.syncReminders(cancelled.map((r) => r.id));
    return this.viewsOf(this.d.db, cancelled);
  }

  /** Marks an attendee's attendance and completion (the session's host or course staff). */
  async markAttendance(
    viewer: Viewer,
    sessionId: string,
    userId: string,
    mark: { attendance?: string | null; completed?: boolean | null },
  ): Promise<AttendanceView> {
    const session = await this.readable(viewer, sessionId);
    const actor = await this.access.requireHost(viewer, session.courseId);
    if (!this.access.mayChange(actor, session.hostId))
      throw new AppError('FORBIDDEN', 'Only the session’s host and the course staff mark attendance.');
    if (mark.attendance != null && !(ATTENDANCE as readonly string[]).includes(mark.attendance))
      throw new AppError('BAD_USER_INPUT', 'attendance is present, absent or excused.', { field: 'attendance' });
    const attendees = (await attendeesOf(this.d.db, [session])).get(session.id) ?? [];
    if (!isUuid(userId) || !attendees.includes(userId)) throw notFound('The attendee');
    const tenantId = viewer.tenantId;
    await this.d.realtime.write(async (tx, emit) => {
      const [before] = await tx
        .select()
        .from(scheduleAttendance)
        .where(and(eq(scheduleAttendance.sessionId, sessionId), eq(scheduleAttendance.userId, userId)));
      const next = {
        attendance: mark.attendance === undefined ? (before?.attendance ?? null) : mark.attendance,
        completed: mark.completed == null ? (before?.completed ?? false) : mark.completed,
      };
      await tx
        .insert(scheduleAttendance)
        .values({ sessionId, userId, tenantId, ...next, markedBy: actor.userId, markedAt: new Date() })
        .onConflictDoUpdate({
          target: [scheduleAttendance.sessionId, scheduleAttendance.userId],
          set: { ...next, markedBy: actor.userId, markedAt: new Date() },
        });
      await this.d.activity.recordAudit({
        tenantId,
        courseId: session.courseId,
        by: viewer,
        entity: 'attendance',
        entityId: `${sessionId}:${userId}`,
        action: 'mark',
        before: before ? { attendance: before.attendance, completed: before.completed } : null,
        after: next,
      });
      await this.emitSession(emit, session, 'session.updated');
    });
    return (await this.attendance(viewer, session)).find((a) => a.userId === userId)!;
  }

  // ---- following ----

  /**
   * The course's schedule events the viewer may read, from `after` (the schedule's `cursor`): each event is checked
   * against the viewer on its own (canReadSessionScope), so a learner never hears of another learner's session.
   */
  async follow(viewer: Viewer, courseId: string, after: number | null, signal?: AbortSignal): Promise<AsyncIterable<ScheduleEventView>> {
    await this.access.requireRead(viewer, courseId);
    const source = this.d.realtime.subscribe(scheduleStream(courseId), {
      after,
      signal,
      // The course itself: losing it ends the subscription (FORBIDDEN).
      authorize: () => this.d.access.canReadCourse(viewer, courseId),
    });
    return {
      [Symbol.asyncIterator]: async function* (this: ScheduleService) {
        for await (const d of source) {
          if (d.kind !== 'event') continue;
          const view = await this.eventView(viewer, courseId, d.event);
          if (view) yield view;
        }
      }.bind(this),
    };
  }

  private async eventView(viewer: Viewer, courseId: string, ev: StreamEvent<ScheduleEvent>): Promise<ScheduleEventView | null> {
    const base = { cursor: String(ev.seq), type: ev.type, sessionId: null, windowId: null, bookingId: null, session: null };
    switch (ev.type) {
      case 'session.created':
      case 'session.updated':
      case 'session.cancelled': {
        if (!(await this.access.canReadSessionScope(viewer, courseId, ev.payload.scope))) {
          // A session the viewer could read before (its audience changed): it leaves their schedule.
          return ev.payload.previous && (await this.access.canReadSessionScope(viewer, courseId, ev.payload.previous))
            ? { ...base, type: 'session.removed', sessionId: ev.payload.sessionId }
            : null;
        }
        const [row] = await this.d.db.select().from(scheduleSessions).where(eq(scheduleSessions.id, ev.payload.sessionId));
        const session = row ? ((await this.viewsOf(this.d.db, [row]))[0] ?? null) : null;
        return { ...base, sessionId: ev.payload.sessionId, session };
      }
      case 'booking.created':
      case 'booking.cancelled': {
        const p = ev.payload;
        const scope: ScheduleEventScope = { audience: 'student', hostId: p.hostId, studentId: p.studentId, roomId: null };
        if (!(await this.access.canReadSessionScope(viewer, courseId, scope))) return null;
        return { ...base, bookingId: p.bookingId, windowId: p.windowId };
      }
      case 'window.published':
      case 'window.updated':
      case 'window.withdrawn':
        return { ...base, windowId: ev.payload.windowId };
      case 'settings.updated':
        return base;
      default:
        return null;
    }
  }

  // ---- helpers ----

  /** The row, NOT_FOUND unless the viewer may read it (another tenant's or learner's session answers the same). */
  async readable(viewer: Viewer, id: string): Promise<SessionRow> {
    if (!isUuid(id)) throw notFound('The session');
    const [row] = await this.d.db.select().from(scheduleSessions).where(eq(scheduleSessions.id, id));
    if (!row || row.tenantId !== viewer.tenantId) throw notFound('The session');
    await this.access.requireSessionRead(viewer, row.courseId, this.access.scopeOf(row));
    return row;
  }

  /** The condition for the sessions of a course the viewer sees (null: all of them). */
  private async visibility(viewer: Viewer, courseId: string): Promise<SQL | null> {
    if (viewer.kind === 'apiKey') return ne(scheduleSessions.audience, 'student');
    if (await this.access.isStaff(viewer, courseId)) return null;
    const m = await this.d.access.membership(courseId, viewer.userId);
    if (m && isGuest(m.roles)) return or(eq(scheduleSessions.audience, 'course'), eq(scheduleSessions.hostId, viewer.userId))!;
    return this.access.visibleSessionsWhere(viewer.userId);
  }

  /** The scheduled, future sessions of a course (their reminders follow the course's offsets). */
  private async futureSessionIds(courseId: string): Promise<string[]> {
    const found = await this.d.db
      .select({ id: scheduleSessions.id })
      .from(scheduleSessions)
      .where(
        and(eq(scheduleSessions.courseId, courseId), eq(scheduleSessions.status, 'scheduled'), gte(scheduleSessions.startsAt, new Date())),
      );
    return found.map((f) => f.id);
  }

  private async syncReminders(ids: string[]): Promise<void> {
    try {
      await this.d.reminders.sync(ids);
    } catch (err) {
      // The change is committed; reminders are planned again by the next sync of these sessions.
      this.d.log.error({ err, sessions: ids.length }, 'schedule: planning reminders failed');
    }
  }

  /** This occurrence and the later ones of its series that are not cancelled. */
  private async following(current: SessionRow): Promise<SessionRow[]> {
    const key = current.recurrenceId ?? current.startsAt;
    return this.d.db
      .select()
      .from(scheduleSessions)
      .where(
        and(
          eq(scheduleSessions.seriesId, current.seriesId!),
          ne(scheduleSessions.status, 'cancelled'),
          sql`coalesce(${scheduleSessions.recurrenceId}, ${scheduleSessions.startsAt}) >= ${key.toISOString()}::timestamptz`,
        ),
      )
      .orderBy(asc(scheduleSessions.startsAt))
      .limit(MAX_OCCURRENCES + 1);
  }

  /**
   * "This and the following": when earlier occurrences exist, the targets move to a new series that starts at the
   * chosen occurrence (its RRULE with the old one's days, ending as the old one ended), and the old series now ends
   * before it.
   */
  private async splitSeries(tx: Tx, current: SessionRow, targets: SessionRow[], timeZone: string, startsAt: Date, endsAt: Date) {
    const [series] = await tx.select().from(scheduleSeries).where(eq(scheduleSeries.id, current.seriesId!));
    if (!series) return;
    const key = current.recurrenceId ?? current.startsAt;
    const [earlier] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(scheduleSessions)
      .where(
        and(
          eq(scheduleSessions.seriesId, series.id),
          sql`coalesce(${scheduleSessions.recurrenceId}, ${scheduleSessions.startsAt}) < ${key.toISOString()}::timestamptz`,
        ),
      );
    const rule = withoutEnd(series.rrule);
    const durationMinutes = Math.round((endsAt.getTime() - startsAt.getTime()) / 60_000);
    const last = targets.at(-1)!;
    const lastLocalEnd = DateTime.fromJSDate(last.startsAt, { zone: timeZone }).endOf('day').toUTC();
    const newRule = `${rule};UNTIL=${lastLocalEnd.toFormat("yyyyMMdd'T'HHmmss'Z'")}`;
    if (!earlier || Number(earlier.n) === 0) {
      await tx
        .update(scheduleSeries)
        .set({ rrule: newRule, timeZone, startsAt, durationMinutes, updatedAt: new Date() })
        .where(eq(scheduleSeries.id, series.id));
      return;
    }
    const [split] = await tx
      .insert(scheduleSeries)
      .values({
        tenantId: series.tenantId,
        courseId: series.courseId,
        rrule: newRule,
        timeZone,
        startsAt,
        durationMinutes,
        createdBy: series.createdBy,
      })
      .returning();
    await tx
      .update(scheduleSessions)
      .set({ seriesId: split!.id })
      .where(
        inArray(
          scheduleSessions.id,
          targets.map((t) => t.id),
        ),
      );
    const oldEnd = DateTime.fromJSDate(key, { zone: series.timeZone }).minus({ seconds: 1 }).toUTC();
    await tx
      .update(scheduleSeries)
      .set({ rrule: `${rule};UNTIL=${oldEnd.toFormat("yyyyMMdd'T'HHmmss'Z'")}`, updatedAt: new Date() })
      .where(eq(scheduleSeries.id, series.id));
  }

  /** Checks and cleans what a session is (title, people, place); `current` fills what the patch leaves out. */
  private async checkFields(tenantId: string, courseId: string, actor: ScheduleActor, input: SessionInput, current: SessionRow | null) {
    const title = clean(input.title ?? current?.title ?? '', 'title', MAX_TITLE);
    if (!title) throw new AppError('BAD_USER_INPUT', 'A session needs a title.', { field: 'title' });
    const description =
      input.description != null
        ? cleanMultiline(input.description, 'description', 'caller')
            .trim()
            .slice(0, MAX_DESCRIPTION + 1)
        : (current?.description ?? '');
    if (description.length > MAX_DESCRIPTION)
      throw new AppError('BAD_USER_INPUT', `The description is at most ${MAX_DESCRIPTION} characters.`, { field: 'description' });
    const location = input.location != null ? clean(input.location, 'location', MAX_LOCATION) : (current?.location ?? '');
    let meetingUrl = input.meetingUrl !== undefined ? (input.meetingUrl ?? null) : (current?.meetingUrl ?? null);
    if (meetingUrl !== null) {
      meetingUrl = meetingUrl.trim();
      if (meetingUrl === '') meetingUrl = null;
      else if (meetingUrl.length > MAX_URL || !isHttpUrl(meetingUrl))
        throw new AppError('BAD_USER_INPUT', 'The meeting link must be an http(s) address.', { field: 'meetingUrl' });
    }
    let hostId = input.hostId ?? current?.hostId ?? actor.userId;
    if (!hostId) throw new AppError('BAD_USER_INPUT', 'A session planned with an API key names its host (hostId).', { field: 'hostId' });
    hostId = String(hostId);
    if (hostId !== (current?.hostId ?? actor.userId)) {
      if (!actor.staff) throw new AppError('FORBIDDEN', 'Only the course staff plan sessions for another host.');
    }
    if (!(await this.access.canHost(courseId, tenantId, hostId)))
      throw new AppError('BAD_USER_INPUT', 'The host must be an instructor, teaching assistant or mentor of this course.', {
        field: 'hostId',
      });
    const audience = input.audience ?? (current?.audience as SessionInput['audience']) ?? 'course';
    let studentId: string | null = null;
    let roomId: string | null = null;
    if (audience === 'student') {
      studentId = input.studentId ?? (current?.audience === 'student' ? current.studentId : null);
      if (!studentId || !isUuid(studentId))
        throw new AppError('BAD_USER_INPUT', 'A session with one student names the student.', { field: 'studentId' });
      const [m] = await this.d.db
        .select({ roles: memberships.roles, status: memberships.status, tenantId: memberships.tenantId })
        .from(memberships)
        .where(and(eq(memberships.courseId, courseId), eq(memberships.userId, studentId)));
      if (!m || m.status !== 'active' || m.tenantId !== tenantId || isGuest(m.roles) || studentId === hostId)
        throw new AppError('BAD_USER_INPUT', 'The student must be an active member of this course.', { field: 'studentId' });
    } else if (audience === 'room') {
      roomId = input.roomId ?? (current?.audience === 'room' ? current.roomId : null);
      if (!roomId || !isUuid(roomId)) throw new AppError('BAD_USER_INPUT', 'A group session names its group room.', { field: 'roomId' });
      const [r] = await this.d.db
        .select({ courseId: rooms.courseId, kind: rooms.kind, archivedAt: rooms.archivedAt })
        .from(rooms)
        .where(eq(rooms.id, roomId));
      if (!r || r.courseId !== courseId || r.kind !== 'group' || r.archivedAt)
        throw new AppError('BAD_USER_INPUT', 'The room must be an open group room of this course.', { field: 'roomId' });
    } else if (audience !== 'course') {
      throw new AppError('BAD_USER_INPUT', 'audience is course, student or room.', { field: 'audience' });
    }
    return { title, description, location, meetingUrl, hostId, audience, studentId, roomId };
  }

  /**
   * SCHEDULE_CONFLICT when the host or an attendee of the planned occurrences is busy then: another scheduled
   * session (of any course of the tenant) or a live office-hours booking. A conflicting session the viewer may not
   * read is named "Busy".
   */
  private async refuseConflicts(
    viewer: Viewer,
    courseId: string,
    who: { hostId: string; audience: string; studentId: string | null; roomId: string | null },
    planned: readonly { startsAt: Date; endsAt: Date }[],
    exclude: readonly string[],
  ): Promise<void> {
    const conflicts = await this.findConflicts(viewer, courseId, who, planned, exclude);
    if (conflicts.length === 0) return;
    const first = conflicts[0]!;
    throw new AppError(
      'SCHEDULE_CONFLICT',
      `${first.who.join(', ')} ${first.who.length > 1 ? 'are' : 'is'} already busy then (${first.title}). Save anyway to plan it regardless.`,
      { conflicts },
    );
  }

  async findConflicts(
    viewer: Viewer,
    courseId: string,
    who: { hostId: string; audience: string; studentId: string | null; roomId: string | null },
    planned: readonly { startsAt: Date; endsAt: Date }[],
    exclude: readonly string[],
  ): Promise<ConflictView[]> {
    if (planned.length === 0) return [];
    const db = this.d.db;
    const me = { id: '__planned__', courseId, ...who };
    const people = new Set([who.hostId, ...((await attendeesOf(db, [me])).get(me.id) ?? [])]);
    const s = scheduleSessions;
    const overlaps = or(
      ...planned.map(
        (p) => sql`(${s.startsAt} < ${p.endsAt.toISOString()}::timestamptz and ${s.endsAt} > ${p.startsAt.toISOString()}::timestamptz)`,
      ),
    )!;
    const conds = [eq(s.tenantId, viewer.tenantId), eq(s.status, 'scheduled'), overlaps];
    if (exclude.length) conds.push(sql`${s.id} not in ${exclude}` as SQL);
    const candidates = await db
      .select()
      .from(s)
      .where(and(...conds))
      .orderBy(asc(s.startsAt))
      .limit(500);
    const attendees = await attendeesOf(db, candidates);
    const found: ConflictView[] = [];
    const busyIds = new Set<string>();
    for (const c of candidates) {
      const theirs = new Set([c.hostId, ...(attendees.get(c.id) ?? [])]);
      const both = [...people].filter((p) => theirs.has(p));
      if (both.length === 0) continue;
      busyIds.add(c.id);
      const readable = await this.access.canReadSessionScope(viewer, c.courseId, this.access.scopeOf(c));
      found.push({
        sessionId: readable ? c.id : null,
        title: readable ? c.title : 'Busy',
        startsAt: c.startsAt.toISOString(),
        endsAt: c.endsAt.toISOString(),
        who: both,
        kind: c.kind === 'booking' ? 'booking' : 'session',
      });
    }
    // Live bookings that are not (yet) on the calendar as a session.
    const b = officeHourBookings;
    const overlapsB = or(
      ...planned.map(
        (p) => sql`(${b.startsAt} < ${p.endsAt.toISOString()}::timestamptz and ${b.endsAt} > ${p.startsAt.toISOString()}::timestamptz)`,
      ),
    )!;
    const peopleList = [...people];
    const bookings = await db
      .select()
      .from(b)
      .where(
        and(
          eq(b.tenantId, viewer.tenantId),
          eq(b.status, 'booked'),
          overlapsB,
          or(inArray(b.hostId, peopleList), inArray(b.studentId, peopleList)),
        ),
      )
      .limit(200);
    for (const bk of bookings) {
      if (bk.sessionId && (busyIds.has(bk.sessionId) || exclude.includes(bk.sessionId))) continue;
      const both = [bk.hostId, bk.studentId].filter((p) => people.has(p));
      const readable = await this.access.canReadSessionScope(viewer, bk.courseId, {
        audience: 'student',
        hostId: bk.hostId,
        studentId: bk.studentId,
        roomId: null,
      });
      found.push({
        sessionId: readable ? bk.sessionId : null,
        title: readable ? 'Office hours booking' : 'Busy',
        startsAt: bk.startsAt.toISOString(),
        endsAt: bk.endsAt.toISOString(),
        who: both,
        kind: 'booking',
      });
    }
    const names = await this.namesOf(db, [...new Set(found.flatMap((f) => f.who))]);
    return found.slice(0, 20).map((f) => ({ ...f, who: f.who.map((id) => names.get(id) ?? 'Someone') }));
  }

  private async emitSession(
    emit: Parameters<Parameters<Realtime['write']>[0]>[1],
    row: SessionRow,
    type: 'session.created' | 'session.updated' | 'session.cancelled',
    previous?: SessionRow,
  ) {
    const scope = this.access.scopeOf(row);
    const prev = previous ? this.access.scopeOf(previous) : null;
    const changedScope = prev && JSON.stringify(prev) !== JSON.stringify(scope) ? prev : undefined;
    await emit(scheduleStream(row.courseId), {
      tenantId: row.tenantId,
      type,
      payload: { sessionId: row.id, scope, ...(changedScope ? { previous: changedScope } : {}) },
    });
  }

  private async notifyPeople(
    actor: ScheduleActor,
    session: SessionRow,
    people: readonly string[],
    type: 'session.assigned' | 'session.changed' | 'session.cancelled',
  ): Promise<void> {
    const list: NewNotification[] = [...new Set(people)]
      .filter((u) => u !== actor.userId)
      .map((userId) => ({
        tenantId: session.tenantId,
        userId,
        courseId: session.courseId,
        type,
        actorId: actor.userId,
        excerpt: session.title,
        data: { sessionId: session.id, startsAt: session.startsAt.toISOString() },
      }));
    await this.d.notifications.notify(list);
  }

  private async namesOf(db: Tx, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const found = await db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(inArray(users.id, [...ids]));
    return new Map(found.map((u) => [u.id, u.name]));
  }

  async viewsOf(db: Tx, list: readonly SessionRow[]): Promise<SessionView[]> {
    const people = [...new Set(list.flatMap((r) => [r.hostId, r.studentId]).filter((x): x is string => !!x))];
    const roomIds = [...new Set(list.map((r) => r.roomId).filter((x): x is string => !!x))];
    const names = await this.namesOf(db, people);
    const roomNames = roomIds.length
      ? new Map(
          (await db.select({ id: rooms.id, name: rooms.name }).from(rooms).where(inArray(rooms.id, roomIds))).map((r) => [r.id, r.name]),
        )
      : new Map<string, string>();
    return list.map((r) => ({
      ...r,
      hostName: names.get(r.hostId) ?? null,
      studentName: r.studentId ? (names.get(r.studentId) ?? null) : null,
      roomName: r.roomId ? (roomNames.get(r.roomId) ?? null) : null,
    }));
  }
}

/** What subscribers of scheduleEvents receive. `session.removed`: a session left the viewer's schedule. */
export interface ScheduleEventView {
  cursor: string;
  type: ScheduleEvent['type'] | 'session.removed';
  sessionId: string | null;
  windowId: string | null;
  bookingId: string | null;
  session: SessionView | null;
}

function checkTimes(startsAt: Date, endsAt: Date): { startsAt: Date; endsAt: Date } {
  if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime())) throw new AppError('BAD_USER_INPUT', 'Invalid start or end.');
  if (!(endsAt > startsAt)) throw new AppError('BAD_USER_INPUT', 'A session ends after it starts.', { field: 'endsAt' });
  if (endsAt.getTime() - startsAt.getTime() > MAX_SESSION_MS)
    throw new AppError('BAD_USER_INPUT', 'A session lasts at most 24 hours.', { field: 'endsAt' });
  return { startsAt, endsAt };
}

function clean(raw: string, field: string, max: number): string {
  const v = cleanLine(raw, field, 'caller');
  if (v.length > max) throw new AppError('BAD_USER_INPUT', `${field} is at most ${max} characters.`, { field });
  return v;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function peopleChanged(current: SessionRow, next: { hostId: string; audience: string; studentId: string | null; roomId: string | null }) {
  return (
    current.hostId !== next.hostId ||
    current.audience !== next.audience ||
    current.studentId !== next.studentId ||
    current.roomId !== next.roomId
  );
}

function patchesMoreThanTime(patch: SessionInput): boolean {
  return Object.entries(patch).some(([k, v]) => v != null && k !== 'startsAt' && k !== 'endsAt');
}

/** The RRULE without its COUNT and UNTIL. */
function withoutEnd(rule: string): string {
  return rule
    .split(';')
    .filter((p) => !/^(COUNT|UNTIL)=/.test(p))
    .join(';');
}

/** What an audit entry keeps of a session. */
function auditable(r: SessionRow) {
  return {
    title: r.title,
    description: r.description,
    startsAt: r.startsAt.toISOString(),
    endsAt: r.endsAt.toISOString(),
    timeZone: r.timeZone,
    hostId: r.hostId,
    audience: r.audience,
    studentId: r.studentId,
    roomId: r.roomId,
    location: r.location,
    meetingUrl: r.meetingUrl,
    status: r.status,
    sequence: r.sequence,
    seriesId: r.seriesId,
    recurrenceId: r.recurrenceId?.toISOString() ?? null,
  };
}
