/**
 * Reminders: one row in schedule_reminders per attendee and offset of a session (the truth instructors see), and a
 * BullMQ delayed job per row that delivers it. Built in services.ts as `services.reminders`, before the schedule
 * services, which call `sync(sessionIds)` AFTER their write commits (sessions created, moved, cancelled, attendees or
 * the course's offsets changed; a booking made or cancelled).
 *
 * At most once: the job's id names (session, user, offset, due time), and delivery flips the row from `scheduled` to
 * `sent` (or `skipped` when the person muted reminders) only while its due time is still the job's, in the same
 * transaction that writes the notification. A moved session's old job finds the row changed and does nothing; a job
 * run twice (a worker killed after the commit, a retry) finds the row sent. A periodic sweep queues again the
 * scheduled reminders whose job is gone (Redis lost it), so none silently never fires.
 */
import { and, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import { scheduleReminders, scheduleSessions, scheduleSettings } from './tables.js';
import { attendeesOf } from './attendees.js';
import { users } from '../users/tables.js';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import type { NotificationService } from '../notifications/service.js';
import type { Logger } from '../logger.js';
import type { ScheduleAccess } from './access.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError, notFound } from '../errors.js';
import { isUuid } from '../auth/access.js';
import { enqueue, type JobPayloads } from '../queue/queues.js';

/** The course's offsets when it has chosen none: 24 hours and 15 minutes before the start. */
export const DEFAULT_REMINDER_OFFSETS: readonly number[] = [1440, 15];

export type ReminderState = 'scheduled' | 'sent' | 'skipped' | 'failed' | 'cancelled';
export type ReminderJob = Extract<JobPayloads['reminders'], { task: 'remind' }>;

/** One reminder of one attendee, as staff see it. */
export interface ReminderView {
  sessionId: string;
  userId: string;
  userName: string;
  offsetMinutes: number;
  dueAt: Date;
  state: ReminderState;
  sentAt: Date | null;
  error: string | null;
}

export interface ReminderDeps {
  db: Tx;
  realtime: Realtime;
  /** The schedule rules: who may see a session's reminders (its host, the course's staff). */
  access: ScheduleAccess;
  notifications: NotificationService;
  queue: Queue<JobPayloads['reminders']>;
  log: Logger;
}

/** A reminder's job id: the row and its due time, so that a moved reminder gets a job of its own. */
export function reminderJobId(sessionId: string, userId: string, offsetMinutes: number, dueAt: Date): string {
  return `remind-${sessionId}-${userId}-${offsetMinutes}-${dueAt.getTime()}`;
}

type SessionRow = typeof scheduleSessions.$inferSelect;
type ReminderRow = typeof scheduleReminders.$inferSelect;

export class ReminderService {
  constructor(private readonly d: ReminderDeps) {}

  /**
   * Plans the reminders of these sessions from what they are now: a row per attendee and offset (due = start −
   * offset), none newly due in the past, none for a session no longer scheduled; rows no longer wanted become
   * `cancelled`; each newly planned row gets its delayed job. Idempotent: call it after every commit that may change
   * a session's time, status, attendees or its course's offsets.
   */
  async sync(sessionIds: string[]): Promise<void> {
    const ids = [...new Set(sessionIds)];
    if (ids.length === 0) return;
    const db = this.d.db;
    const sessions: SessionRow[] = await db.select().from(scheduleSessions).where(inArray(scheduleSessions.id, ids));
    const courseIds = [...new Set(sessions.map((s) => s.courseId))];
    const settings = courseIds.length
      ? await db
          .select({ courseId: scheduleSettings.courseId, offsets: scheduleSettings.reminderOffsets })
          .from(scheduleSettings)
          .where(inArray(scheduleSettings.courseId, courseIds))
      : [];
    const offsetsOf = new Map(settings.map((s) => [s.courseId, s.offsets]));
    const live = sessions.filter((s) => s.status === 'scheduled');
    const attendees = live.length ? await attendeesOf(db, live) : new Map<string, string[]>();

    const toQueue: ReminderJob[] = [];
    const toRemove: string[] = [];
    await db.transaction(async (tx) => {
      // Locked in key order, so that two syncs of overlapping sessions wait for each other rather than deadlock.
      const existing: ReminderRow[] = await tx
        .select()
        .from(scheduleReminders)
        .where(inArray(scheduleReminders.sessionId, ids))
        .orderBy(scheduleReminders.sessionId, scheduleReminders.userId, scheduleReminders.offsetMinutes)
        .for('update');
      const key = (s: string, u: string, o: number) => `${s}/${u}/${o}`;
      const have = new Map(existing.map((r) => [key(r.sessionId, r.userId, r.offsetMinutes), r]));
      const keep = new Set<string>();
      const now = Date.now();
      const planned: (typeof scheduleReminders.$inferInsert)[] = [];
      for (const s of live) {
        const offsets = [...new Set(offsetsOf.get(s.courseId) ?? DEFAULT_REMINDER_OFFSETS)];
        for (const userId of new Set(attendees.get(s.id) ?? [])) {
          for (const offset of offsets) {
            const k = key(s.id, userId, offset);
            const due = new Date(s.startsAt.getTime() - offset * 60_000);
            const row = have.get(k);
            // Unchanged (same due time, not cancelled): whatever it became (sent, skipped, failed, or its job is
            // about to run) stays.
            if (row && row.dueAt.getTime() === due.getTime() && row.state !== 'cancelled') {
              keep.add(k);
              continue;
            }
            if (due.getTime() <= now) continue; // never newly due in the past
            keep.add(k);
            planned.push({ sessionId: s.id, userId, offsetMinutes: offset, tenantId: s.tenantId, dueAt: due, state: 'scheduled' });
            if (row && row.state === 'scheduled') toRemove.push(reminderJobId(row.sessionId, row.userId, row.offsetMinutes, row.dueAt));
            toQueue.push({ task: 'remind', sessionId: s.id, userId, offsetMinutes: offset, dueAt: due.toISOString() });
          }
        }
      }
      // A course of hundreds, each of its sessions, each offset: one statement per thousand rows.
      for (let i = 0; i < planned.length; i += 1000)
        await tx
          .insert(scheduleReminders)
          .values(planned.slice(i, i + 1000))
          .onConflictDoUpdate({
            target: [scheduleReminders.sessionId, scheduleReminders.userId, scheduleReminders.offsetMinutes],
            set: { dueAt: sql`excluded.due_at`, state: 'scheduled', sentAt: null, error: null, updatedAt: new Date() },
          });
      const gone = existing.filter((r) => r.state === 'scheduled' && !keep.has(key(r.sessionId, r.userId, r.offsetMinutes)));
      // Per session and offset, the people whose reminder is no longer wanted.
      const groups = new Map<string, { sessionId: string; offset: number; userIds: string[] }>();
      for (const r of gone) {
        const g = groups.get(`${r.sessionId}/${r.offsetMinutes}`) ?? { sessionId: r.sessionId, offset: r.offsetMinutes, userIds: [] };
        g.userIds.push(r.userId);
        groups.set(`${r.sessionId}/${r.offsetMinutes}`, g);
        toRemove.push(reminderJobId(r.sessionId, r.userId, r.offsetMinutes, r.dueAt));
      }
      for (const g of groups.values())
        await tx
          .update(scheduleReminders)
          .set({ state: 'cancelled', updatedAt: new Date() })
          .where(
            and(
              eq(scheduleReminders.sessionId, g.sessionId),
              eq(scheduleReminders.offsetMinutes, g.offset),
              inArray(scheduleReminders.userId, g.userIds),
              eq(scheduleReminders.state, 'scheduled'),
            ),
          );
    });
    // After the commit. A job that cannot be removed finds its row changed and does nothing; one that cannot be
    // queued is queued again by the sweep (`requeueMissing`).
    for (let i = 0; i < toRemove.length; i += 500)
      await Promise.all(toRemove.slice(i, i + 500).map((id) => this.d.queue.remove(id).catch(() => 0)));
    try {
      for (let i = 0; i < toQueue.length; i += 1000)
        await enqueue(() => this.d.queue.addBulk(toQueue.slice(i, i + 1000).map((job) => this.jobOf(job))));
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, reminders: toQueue.length }, 'reminders: could not queue; the sweep will');
    }
  }

  /**
   * Delivers one reminder (the job's handler): in one transaction, the row goes from `scheduled` (with the job's due
   * time) to `sent` and the notification is written, or to `skipped` when the person muted reminders. Anything else
   * (sent already, moved, cancelled) does nothing. Returns what happened.
   */
  async deliver(job: ReminderJob): Promise<'sent' | 'skipped' | 'late' | 'stale'> {
    const due = new Date(job.dueAt);
    return this.d.realtime.write(async (tx) => {
      const [session] = await tx.select().from(scheduleSessions).where(eq(scheduleSessions.id, job.sessionId));
      if (!session) return 'stale' as const;
      if (session.status !== 'scheduled') {
        // Cancelled or completed without a sync after it (it follows the commit, and its process may have died).
        await tx
          .update(scheduleReminders)
          .set({ state: 'cancelled', updatedAt: new Date() })
          .where(and(this.rowIs(job), eq(scheduleReminders.state, 'scheduled'), eq(scheduleReminders.dueAt, due)));
        return 'stale' as const;
      }
      const muted = await this.d.notifications.mutedTypes(tx, job.userId, ['reminder']);
      // A reminder delivered after its session started (the queue was down that long) tells nobody anything.
      const late = session.startsAt.getTime() <= Date.now();
      const state: ReminderState = late ? 'failed' : muted.has('reminder') ? 'skipped' : 'sent';
      const [row] = await tx
        .update(scheduleReminders)
        .set({
          state,
          sentAt: state === 'sent' ? new Date() : null,
          error: late ? 'Not delivered in time: the session had already started.' : null,
          updatedAt: new Date(),
        })
        .where(and(this.rowIs(job), eq(scheduleReminders.state, 'scheduled'), eq(scheduleReminders.dueAt, due)))
        .returning();
      if (!row) return 'stale' as const;
      if (state !== 'sent') return state === 'failed' ? ('late' as const) : ('skipped' as const);
      await this.d.notifications.notify([
        {
          tenantId: session.tenantId,
          userId: job.userId,
          courseId: session.courseId,
          type: 'reminder',
          excerpt: session.title,
          data: { sessionId: session.id, startsAt: session.startsAt.toISOString(), offsetMinutes: job.offsetMinutes },
        },
      ]);
      return 'sent' as const;
    });
  }

  /** The last attempt failed: the reminder is `failed` with the error (unless it changed meanwhile). */
  async fail(job: ReminderJob, message: string): Promise<void> {
    await this.d.db
      .update(scheduleReminders)
      .set({ state: 'failed', error: message.slice(0, 500), updatedAt: new Date() })
      .where(and(this.rowIs(job), eq(scheduleReminders.state, 'scheduled'), eq(scheduleReminders.dueAt, new Date(job.dueAt))));
  }

  /**
   * Plans again the reminders of the scheduled sessions starting within `withinMs`: people who joined a course (or a
   * group room) since a session was planned get theirs, people who left lose theirs. Memberships change outside the
   * schedule services (LTI launches, roster syncs, rooms), so the sweep does it. Returns how many sessions it synced.
   */
  async syncUpcoming(withinMs = 25 * 3600_000, limit = 500): Promise<number> {
    const now = new Date();
    const upcoming = await this.d.db
      .select({ id: scheduleSessions.id })
      .from(scheduleSessions)
      .where(
        and(
          eq(scheduleSessions.status, 'scheduled'),
          gt(scheduleSessions.startsAt, now),
          lte(scheduleSessions.startsAt, new Date(now.getTime() + withinMs)),
        ),
      )
      .orderBy(scheduleSessions.startsAt)
      .limit(limit);
    await this.sync(upcoming.map((u) => u.id));
    return upcoming.length;
  }

  /**
   * The sweep: scheduled reminders due within `withinMs` (or overdue) whose job is gone (Redis lost it, or the queue
   * was down when they were planned) are queued again under the same job id. Returns how many.
   */
  async requeueMissing(withinMs = 24 * 3600_000, limit = 1000): Promise<number> {
    const due = await this.d.db
      .select()
      .from(scheduleReminders)
      .where(and(eq(scheduleReminders.state, 'scheduled'), lte(scheduleReminders.dueAt, new Date(Date.now() + withinMs))))
      .orderBy(scheduleReminders.dueAt)
      .limit(limit);
    let requeued = 0;
    for (const r of due) {
      const id = reminderJobId(r.sessionId, r.userId, r.offsetMinutes, r.dueAt);
      const state = await this.d.queue.getJobState(id);
      if (state !== 'unknown' && state !== 'completed') continue;
      if (state === 'completed') await this.d.queue.remove(id).catch(() => 0);
      await enqueue(() =>
        this.d.queue.add(
          'remind',
          ...this.argsOf({
            task: 'remind',
            sessionId: r.sessionId,
            userId: r.userId,
            offsetMinutes: r.offsetMinutes,
            dueAt: r.dueAt.toISOString(),
          }),
        ),
      );
      this.d.log.warn({ jobId: id }, 'reminders: a scheduled reminder had no job; queued again');
      requeued++;
    }
    return requeued;
  }

  /**
   * Every reminder of a session, per attendee and offset: for the course's staff and the session's host. NOT_FOUND
   * for a session the viewer cannot read (or of another tenant), FORBIDDEN for one they can read but not host.
   */
  async remindersOf(viewer: Viewer, sessionId: string): Promise<ReminderView[]> {
    if (!isUuid(sessionId)) throw notFound('The session');
    const [session] = await this.d.db.select().from(scheduleSessions).where(eq(scheduleSessions.id, sessionId));
    if (!session || session.tenantId !== viewer.tenantId) throw notFound('The session');
    await this.d.access.requireSessionRead(viewer, session.courseId, this.d.access.scopeOf(session));
    if (!(await this.d.access.isStaff(viewer, session.courseId))) {
      const actor = await this.d.access.requireHost(viewer, session.courseId);
      if (!this.d.access.mayChange(actor, session.hostId))
        throw new AppError('FORBIDDEN', "Only the session's host and the course's staff see its reminders.");
    }
    return this.ofSession(sessionId);
  }

  private async ofSession(sessionId: string): Promise<ReminderView[]> {
    const list = await this.d.db
      .select({ r: scheduleReminders, userName: users.name })
      .from(scheduleReminders)
      .innerJoin(users, eq(users.id, scheduleReminders.userId))
      .where(eq(scheduleReminders.sessionId, sessionId))
      .orderBy(sql`${scheduleReminders.dueAt} asc`, users.name);
    return list.map(({ r, userName }) => ({
      sessionId: r.sessionId,
      userId: r.userId,
      userName,
      offsetMinutes: r.offsetMinutes,
      dueAt: r.dueAt,
      state: r.state as ReminderState,
      sentAt: r.sentAt,
      error: r.error,
    }));
  }

  private rowIs(job: ReminderJob) {
    return and(
      eq(scheduleReminders.sessionId, job.sessionId),
      eq(scheduleReminders.userId, job.userId),
      eq(scheduleReminders.offsetMinutes, job.offsetMinutes),
    );
  }

  private argsOf(job: ReminderJob): [
    ReminderJob,
    {
      jobId: string;
      delay: number;
      attempts: number;
      backoff: { type: 'exponential'; delay: number };
      removeOnComplete: boolean;
      removeOnFail: number;
    },
  ] {
    const due = new Date(job.dueAt);
    return [
      job,
      {
        jobId: reminderJobId(job.sessionId, job.userId, job.offsetMinutes, due),
        delay: Math.max(0, due.getTime() - Date.now()),
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
        // Removed when done, so a session moved back to an earlier time can queue the same id again.
        removeOnComplete: true,
        removeOnFail: 5000,
      },
    ];
  }

  private jobOf(job: ReminderJob) {
    const [data, opts] = this.argsOf(job);
    return { name: 'remind', data, opts };
  }
}
