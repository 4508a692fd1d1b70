/**
 * Attendance grades of live classes: the attendance report (hosts: everyone admitted and every learner of the course
 * who never came; others: their own row), the score a class's policy gives, its passback to the LMS gradebook
 * (AGS, through `lti.queueScore`), instructors' corrections, and the CSV export.
 *
 * When a class ends (LiveService.onClassEnded), every active learner of the course gets a score (absent ones 0, with
 * an admission row of no joins) stored on `live_attendees`; when the class has a grade link (a resource link with a
 * line item), each score is queued as one BullMQ job per student and version (jobId `live-<class>-<user>-<version>`).
 * A correction, or a retry of failed posts, bumps the version and queues again; the job of an older version is not
 * posted (lti/jobs.ts asks `isCurrent`), so a late retry never overwrites a newer score. The worker tells back
 * (lti/jobs.ts): posted, refused once more (still queued, the error kept), refused for good (failed).
 *
 * Every change is one `realtime.write` with an `attendance.updated` event per person on the class stream (hosts only:
 * the participant feed cuts attendance events). Jobs are queued after the commit.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Realtime, Emit } from '../realtime/realtime.js';
import type { Logger } from '../logger.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid } from '../auth/access.js';
import { AppError, notFound } from '../errors.js';
import { cleanLine, clip } from '../text.js';
import { users } from '../users/tables.js';
import type { CourseService } from '../courses/service.js';
import type { LtiService } from '../lti/service.js';
import type { ActivityService } from '../activity/service.js';
import { toCsv } from '../activity/csv.js';
import type { JobPayloads } from '../queue/queues.js';
import { liveAttendees, liveClasses, liveIntervals } from './tables.js';
import { liveStream, type LiveAttendanceView } from './events.js';
import { minutesPresent, presentNow, scheduledMinutes, type PresenceInterval } from './attendance.js';
import type { LiveAccess, LiveClassRow } from './access.js';
import type { LiveService } from './service.js';

type LiveAttendancePolicy = 'threshold' | 'proportional';
type LiveAttendanceOrigin = NonNullable<Extract<JobPayloads['lti'], { task: 'post-score' }>['origin']>;

type AttendeeRow = typeof liveAttendees.$inferSelect;

interface LiveGradeDeps {
  db: Tx;
  realtime: Realtime;
  liveAccess: LiveAccess;
  /** The course's learners (everyone is graded, the absent too). */
  courses: CourseService;
  /** The class's graded activity (its resource link) and grade passback (`queueScore`). */
  lti: LtiService;
  /** The classes: its `onClassEnded` hook scores a class when a host ends it. */
  live: LiveService;
  /** Corrections go to the audit log. */
  activity: ActivityService;
  /** How long after the last heartbeat an open stretch of presence still counts (config.liveGraceSeconds). */
  graceSeconds: number;
  log: Logger;
  /** The clock (tests move it): minutes present of a class still live, correction and passback times. */
  clock?: () => Date;
}

/** The LMS gradebook's maximum for an attendance score. */
const SCORE_MAXIMUM = 100;
const MAX_NOTE = 500;
const MAX_ERROR = 500;

/**
 * The score (0–100) of `presentMinutes` out of `scheduledMinutes` under a policy: proportional, the share present
 * (at most 100, two decimals); threshold, 100 at or above `thresholdPercent` % of the scheduled time, else 0. A class
 * with no scheduled minutes gives full credit to whoever came and none to anyone else.
 */
export function score(policy: LiveAttendancePolicy, thresholdPercent: number, presentMinutes: number, scheduled: number): number {
  const present = Math.max(0, presentMinutes);
  if (scheduled <= 0) return present > 0 ? 100 : 0;
  if (policy === 'threshold') return present * 100 >= thresholdPercent * scheduled ? 100 : 0;
  return Math.min(100, Math.round((10_000 * present) / scheduled) / 100);
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A person's row of the report: the view the API renders, and what only the CSV adds. */
interface ReportRow {
  view: LiveAttendanceView;
  subject: string;
  firstJoin: Date | null;
  lastLeave: Date | null;
  note: string | null;
}

export class LiveGradeService {
  private readonly now: () => Date;

  constructor(private readonly d: LiveGradeDeps) {
    this.now = d.clock ?? (() => new Date());
    d.live.onClassEnded((row) => this.classEnded(row.id));
  }

  // ------------------------------------------------------------ reading

  /**
   * The class's attendance. Hosts: every admitted person (hosts first) and every active learner of the course who
   * never joined; others: their own row (a learner who never joined: 0 minutes), API keys none.
   */
  async report(viewer: Viewer, classId: string): Promise<LiveAttendanceView[]> {
    const row = await this.d.liveAccess.readableClass(viewer, classId);
    if (viewer.kind !== 'session') return [];
    const host = await this.d.liveAccess.isHost(viewer, row.courseId);
    return (await this.rows(row, host ? null : [viewer.userId])).map((r) => r.view);
  }

  /** The viewer's own row (null for API keys and for people who are neither admitted nor learners of the course). */
  async mine(viewer: Viewer, classId: string): Promise<LiveAttendanceView | null> {
    const row = await this.d.liveAccess.readableClass(viewer, classId);
    if (viewer.kind !== 'session') return null;
    return (await this.rows(row, [viewer.userId]))[0]?.view ?? null;
  }

  /** The attendance report as CSV (hosts): a row per person, as `report` lists them. */
  async csv(viewer: Viewer, classId: string): Promise<string> {
    const row = await this.d.liveAccess.readableClass(viewer, classId);
    await this.d.liveAccess.requireHost(viewer, row);
    const rows = await this.rows(row, null);
    return toCsv(
      [
        'Name',
        'LTI user id',
        'Role',
        'Minutes present',
        'Measured minutes',
        'Corrected minutes',
        'Scheduled minutes',
        'Joins',
        'First join',
        'Last leave',
        'Score',
        'Passback',
        'Passback error',
        'Correction note',
      ],
      rows.map(({ view: v, subject, firstJoin, lastLeave, note }) => [
        v.userName,
        subject,
        v.role,
        String(v.correctedMinutes ?? v.measuredMinutes),
        String(v.measuredMinutes),
        v.correctedMinutes === null ? '' : String(v.correctedMinutes),
        String(v.scheduledMinutes),
        String(v.joins),
        iso(firstJoin) ?? '',
        iso(lastLeave) ?? '',
        v.score === null ? '' : String(v.score),
        v.passbackState,
        v.passbackError ?? '',
        note ?? '',
      ]),
    );
  }

  /**
   * Report rows of a class: `only` those people (null: everyone admitted and every active learner). A person in
   * `only` who is neither admitted nor an active learner has no row.
   */
  private async rows(cls: LiveClassRow, only: string[] | null, tx: Tx = this.d.db): Promise<ReportRow[]> {
    if (only && only.length === 0) return [];
    const admitted = await tx
      .select({ a: liveAttendees, name: users.name, subject: users.subject })
      .from(liveAttendees)
      .innerJoin(users, eq(users.id, liveAttendees.userId))
      .where(and(eq(liveAttendees.classId, cls.id), only ? inArray(liveAttendees.userId, only) : undefined));
    const seen = new Set(admitted.map((r) => r.a.userId));
    const absent = (await this.d.courses.activeLearners(cls.courseId, only, tx)).filter((l) => !seen.has(l.userId));
    const intervals = await tx
      .select({
        userId: liveIntervals.userId,
        joinedAt: liveIntervals.joinedAt,
        lastSeenAt: liveIntervals.lastSeenAt,
        leftAt: liveIntervals.leftAt,
      })
      .from(liveIntervals)
      .where(and(eq(liveIntervals.classId, cls.id), only ? inArray(liveIntervals.userId, only) : undefined))
      .orderBy(asc(liveIntervals.joinedAt));
    const byUser = new Map<string, PresenceInterval[]>();
    for (const i of intervals) {
      const list = byUser.get(i.userId) ?? [];
      list.push(i);
      byUser.set(i.userId, list);
    }
    const out: ReportRow[] = [
      ...admitted.map((r) => this.reportRow(cls, r.a, r.name, r.subject, byUser.get(r.a.userId) ?? [])),
      ...absent.map((l) => this.reportRow(cls, null, l.name, l.subject, [], l.userId)),
    ];
    return out.sort(
      (a, b) => Number(b.view.role === 'host') - Number(a.view.role === 'host') || a.view.userName.localeCompare(b.view.userName),
    );
  }

  private reportRow(
    cls: LiveClassRow,
    a: AttendeeRow | null,
    name: string,
    subject: string,
    intervals: PresenceInterval[],
    userId = a!.userId,
  ): ReportRow {
    const now = this.now();
    const graceMs = this.d.graceSeconds * 1000;
    const leaves = intervals.map((i) => i.leftAt).filter((d): d is Date => d !== null);
    const open = intervals.some((i) => i.leftAt === null);
    return {
      view: {
        userId,
        userName: name,
        role: a?.role === 'host' ? 'host' : 'participant',
        present: cls.state === 'live' && presentNow(intervals, now, graceMs),
        measuredMinutes: minutesPresent(intervals, cls, now, graceMs),
        correctedMinutes: a?.correctedMinutes ?? null,
        scheduledMinutes: scheduledMinutes(cls),
        joins: a?.joins ?? 0,
        score: a?.score ?? null,
        passbackState: (a?.passbackState ?? 'none') as LiveAttendanceView['passbackState'],
        passbackError: a?.passbackError ?? null,
        passbackAt: iso(a?.passbackAt ?? null),
      },
      subject,
      firstJoin: intervals[0]?.joinedAt ?? null,
      lastLeave: open || leaves.length === 0 ? null : new Date(Math.max(...leaves.map((d) => d.getTime()))),
      note: a?.correctionNote ?? null,
    };
  }

  // ------------------------------------------------------------ scoring and passback

  /**
   * Scores an ended class: every active learner of the course (absent ones get an admission row with no joins and
   * 0 minutes); with a grade link, each changed score (or one never posted) is queued with the next version.
   * Idempotent: scores already computed and posted or queued are left alone.
   */
  async classEnded(classId: string): Promise<number> {
    const queued = await this.d.realtime.write(async (tx, emit) => {
      const [row] = await tx.select().from(liveClasses).where(eq(liveClasses.id, classId)).for('update');
      if (!row || row.state !== 'ended') return [];
      const link = await this.gradeLink(row, tx);
      const now = this.now();
      const learners = await this.d.courses.activeLearners(row.courseId, null, tx);
      if (learners.length === 0) return [];
      await tx
        .insert(liveAttendees)
        .values(
          learners.map((l) => ({
            classId,
            userId: l.userId,
            tenantId: row.tenantId,
            role: 'participant',
            admittedAt: row.endedAt ?? now,
            joins: 0,
          })),
        )
        .onConflictDoNothing();
      const ids = learners.map((l) => l.userId);
      const rows = await this.rows(row, ids, tx);
      const attendees = new Map(
        (
          await tx
            .select()
            .from(liveAttendees)
            .where(and(eq(liveAttendees.classId, classId), inArray(liveAttendees.userId, ids)))
        ).map((a) => [a.userId, a]),
      );
      const out: Job[] = [];
      for (const r of rows) {
        const a = attendees.get(r.view.userId);
        if (!a || a.role === 'host') continue;
        const present = r.view.correctedMinutes ?? r.view.measuredMinutes;
        const s = score(row.policy as LiveAttendancePolicy, row.thresholdPercent, present, r.view.scheduledMinutes);
        const unchanged = a.score === s && (a.passbackState === 'queued' || a.passbackState === 'posted');
        if (unchanged) continue;
        const job = await this.setScore(tx, emit, row, a, s, link, r);
        if (job) out.push(job);
      }
      return out;
    });
    await this.queue(queued);
    return queued.length;
  }

  /**
   * An instructor's correction of a person's minutes present (null: back to the measure), 0 up to the scheduled
   * minutes, while the class is live or after it ended. After the end: the score is computed again and, when the
   * class is graded, posted again (the next version).
   */
  async correct(viewer: Viewer, classId: string, userId: string, minutes: number | null, note: string | null): Promise<LiveAttendanceView> {
    // Checked before the write: the course checks read through their own connection, never inside a transaction.
    await this.d.liveAccess.requireHost(viewer, await this.d.liveAccess.readableClass(viewer, classId));
    const { view, job } = await this.d.realtime.write(async (tx, emit) => {
      const row = await this.d.liveAccess.lockedClass(viewer, classId, tx);
      if (row.state === 'scheduled')
        throw new AppError('CLASS_NOT_LIVE', 'Attendance can be corrected once the class has started.', { state: row.state });
      const scheduled = scheduledMinutes(row);
      if (minutes !== null && (!Number.isInteger(minutes) || minutes < 0 || minutes > scheduled))
        throw new AppError('BAD_USER_INPUT', `Minutes present must be a whole number from 0 to ${scheduled} (the scheduled length).`, {
          field: 'minutes',
        });
      const cleanNote = note == null ? null : clip(cleanLine(note, 'note', 'caller'), MAX_NOTE) || null;
      if (!isUuid(userId)) throw notFound('The attendee');
      let [a] = await tx
        .select()
        .from(liveAttendees)
        .where(and(eq(liveAttendees.classId, classId), eq(liveAttendees.userId, userId)));
      if (!a) {
        // A learner of the course who never joined: after the end, corrected like anyone else (given an admission row
        // of no joins). While the class is live an admission row would let them act in class without joining.
        const [learner] = await this.d.courses.activeLearners(row.courseId, [userId], tx);
        if (!learner) throw notFound('The attendee');
        if (row.state !== 'ended')
          throw new AppError('NOT_JOINED', 'This person has not joined the class: correct their attendance once it has ended.');
        [a] = await tx
          .insert(liveAttendees)
          .values({ classId, userId, tenantId: row.tenantId, role: 'participant', admittedAt: this.now(), joins: 0 })
          .returning();
      }
      const before = { minutes: a!.correctedMinutes, note: a!.correctionNote };
      const now = this.now();
      [a] = await tx
        .update(liveAttendees)
        .set({
          correctedMinutes: minutes,
          correctedBy: minutes === null ? null : viewer.kind === 'session' ? viewer.userId : null,
          correctedAt: minutes === null ? null : now,
          correctionNote: minutes === null ? null : cleanNote,
        })
        .where(and(eq(liveAttendees.classId, classId), eq(liveAttendees.userId, userId)))
        .returning();
      await this.d.activity.recordAudit({
        tenantId: row.tenantId,
        courseId: row.courseId,
        by: viewer,
        entity: 'live_attendance',
        entityId: `${classId}:${userId}`,
        action: minutes === null ? 'uncorrect' : 'correct',
        before,
        after: { minutes, note: minutes === null ? null : cleanNote },
      });
      const [r] = await this.rows(row, [userId], tx);
      let job: Job | null = null;
      if (row.state === 'ended' && a!.role !== 'host' && (await this.d.courses.activeLearners(row.courseId, [userId], tx)).length > 0) {
        const s = score(
          row.policy as LiveAttendancePolicy,
          row.thresholdPercent,
          minutes ?? r!.view.measuredMinutes,
          r!.view.scheduledMinutes,
        );
        job = await this.setScore(tx, emit, row, a!, s, await this.gradeLink(row, tx), r!);
      } else {
        await this.emitRow(emit, row, r!.view);
      }
      const [after] = await this.rows(row, [userId], tx);
      return { view: after!.view, job };
    });
    if (job) await this.queue([job]);
    return (await this.rows(await this.classRow(classId), [userId]))[0]?.view ?? view;
  }

  /** Queues again every post refused for good (the next version of each); returns how many (hosts). */
  async retryFailed(viewer: Viewer, classId: string): Promise<number> {
    await this.d.liveAccess.requireHost(viewer, await this.d.liveAccess.readableClass(viewer, classId));
    const jobs = await this.d.realtime.write(async (tx, emit) => {
      const row = await this.d.liveAccess.lockedClass(viewer, classId, tx);
      const link = await this.gradeLink(row, tx);
      if (!link) return [];
      const failed = await tx
        .select()
        .from(liveAttendees)
        .where(and(eq(liveAttendees.classId, classId), eq(liveAttendees.passbackState, 'failed')));
      const rows = new Map(
        (
          await this.rows(
            row,
            failed.map((f) => f.userId),
            tx,
          )
        ).map((r) => [r.view.userId, r]),
      );
      const out: Job[] = [];
      for (const a of failed) {
        const r = rows.get(a.userId);
        if (!r || a.score === null) continue;
        const job = await this.setScore(tx, emit, row, a, a.score, link, r);
        if (job) out.push(job);
      }
      return out;
    });
    await this.queue(jobs);
    return jobs.length;
  }

  /** Whether a queued score is still the one to post (no correction or retry made a newer version since). */
  async isCurrent(o: LiveAttendanceOrigin): Promise<boolean> {
    const [a] = await this.d.db
      .select({ version: liveAttendees.passbackVersion })
      .from(liveAttendees)
      .where(and(eq(liveAttendees.classId, o.classId), eq(liveAttendees.userId, o.userId)));
    return a?.version === o.version;
  }

  /** The LMS accepted the score (of the current version: an older one changes nothing). */
  passbackPosted(o: LiveAttendanceOrigin): Promise<void> {
    return this.passback(o, { passbackState: 'posted', passbackError: null, passbackAt: this.now() });
  }

  /** A post was refused and will be tried again: still queued, with the error for hosts to see. */
  passbackRetrying(o: LiveAttendanceOrigin, message: string): Promise<void> {
    return this.passback(o, { passbackError: clip(message, MAX_ERROR) }, 'queued');
  }

  /** The last attempt was refused: failed, with the error (retryLivePassback queues it again). */
  passbackFailed(o: LiveAttendanceOrigin, message: string): Promise<void> {
    return this.passback(o, { passbackState: 'failed', passbackError: clip(message, MAX_ERROR) }, 'queued');
  }

  private async passback(o: LiveAttendanceOrigin, set: Partial<AttendeeRow>, onlyFrom?: AttendeeRow['passbackState']): Promise<void> {
    await this.d.realtime.write(async (tx, emit) => {
      const [a] = await tx
        .update(liveAttendees)
        .set(set)
        .where(
          and(
            eq(liveAttendees.classId, o.classId),
            eq(liveAttendees.userId, o.userId),
            eq(liveAttendees.passbackVersion, o.version),
            onlyFrom ? eq(liveAttendees.passbackState, onlyFrom) : undefined,
          ),
        )
        .returning();
      if (!a) return;
      const row = await this.classRow(o.classId, tx);
      const [r] = await this.rows(row, [o.userId], tx);
      if (r) await this.emitRow(emit, row, r.view);
    });
  }

  /**
   * Stores a person's score; with a grade link, the next version queued (returned, to queue after the commit).
   * Emits the row.
   */
  private async setScore(
    tx: Tx,
    emit: Emit,
    cls: LiveClassRow,
    a: AttendeeRow,
    s: number,
    link: GradeLink | null,
    r: ReportRow,
  ): Promise<Job | null> {
    const version = link ? a.passbackVersion + 1 : a.passbackVersion;
    await tx
      .update(liveAttendees)
      .set(
        link
          ? { score: s, passbackState: 'queued', passbackVersion: version, passbackError: null, passbackAt: null }
          : { score: s, passbackState: 'none' },
      )
      .where(and(eq(liveAttendees.classId, cls.id), eq(liveAttendees.userId, a.userId)));
    await this.emitRow(emit, cls, {
      ...r.view,
      score: s,
      ...(link ? { passbackState: 'queued', passbackError: null, passbackAt: null } : { passbackState: 'none' }),
    });
    if (!link) return null;
    const present = r.view.correctedMinutes ?? r.view.measuredMinutes;
    return {
      courseId: cls.courseId,
      resourceLinkId: link.resourceLinkId,
      userId: a.userId,
      scoreGiven: s,
      comment: `Present ${present} of ${r.view.scheduledMinutes} minutes`,
      origin: { kind: 'live-attendance', classId: cls.id, userId: a.userId, version },
    };
  }

  /** Queues scores after their write committed; one that cannot be queued is marked failed (retryable). */
  private async queue(jobs: Job[]): Promise<void> {
    for (const j of jobs) {
      const o = j.origin;
      try {
        await this.d.lti.queueScore({
          courseId: j.courseId,
          resourceLinkId: j.resourceLinkId,
          userId: j.userId,
          scoreGiven: j.scoreGiven,
          scoreMaximum: SCORE_MAXIMUM,
          comment: j.comment,
          jobId: `live-${o.classId}-${o.userId}-${o.version}`,
          origin: o,
        });
      } catch (err) {
        const message = (err as Error).message;
        this.d.log.warn({ err: message, classId: o.classId, userId: o.userId }, 'live: attendance score not queued');
        await this.passbackFailed(o, `Not queued: ${message}`).catch(() => {});
      }
    }
  }

  private async emitRow(emit: Emit, cls: LiveClassRow, attendance: LiveAttendanceView): Promise<void> {
    await emit(liveStream(cls.id), { tenantId: cls.tenantId, type: 'attendance.updated', payload: { attendance } });
  }

  /** The class's grade link when it is graded (a line item); null otherwise. */
  private async gradeLink(cls: LiveClassRow, tx: Tx): Promise<GradeLink | null> {
    if (!cls.resourceLinkId) return null;
    const link = await this.d.lti.resourceLink(cls.resourceLinkId, tx);
    return link?.courseId === cls.courseId && link.lineItemUrl ? { resourceLinkId: link.resourceLinkId } : null;
  }

  private async classRow(classId: string, tx: Tx = this.d.db): Promise<LiveClassRow> {
    const [row] = await tx.select().from(liveClasses).where(eq(liveClasses.id, classId));
    if (!row) throw notFound('The live class');
    return row;
  }
}

interface GradeLink {
  /** The LMS's resource link id (what `queueScore` is given). */
  resourceLinkId: string;
}

/** A score to queue once its write committed. */
interface Job {
  courseId: string;
  resourceLinkId: string;
  userId: string;
  scoreGiven: number;
  comment: string;
  origin: LiveAttendanceOrigin;
}
