/**
 * The live-class rules, in one place: who reads a class, who hosts it, who takes part. Built once in services.ts and
 * handed to every live service (classes, in-class interaction, grades, dashboard). It stands on the course-level
 * checks (auth/access.ts), whose in-process caches make checking every event of a subscription cost map lookups.
 *
 * - Reads a class: whoever reads its course (members, guests, API keys with the read scope that reach it).
 * - Hosts: staff of the course (instructors, TAs, administrators). Only they create, edit, start and end classes,
 *   moderate, run polls, and see confusion, attendance and the dashboard.
 * - Takes part (hand, question, vote, confusion, poll answer): a member but a guest, admitted to the class (a
 *   `live_attendees` row from joining), while the class is live. API keys read and never act.
 */
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { isUuid, type Access } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import { isGuest, isStaff } from '../courses/roles.js';
import { liveAttendees, liveClasses } from './tables.js';
import type { LivePollOut, LiveQuestionOut } from './events.js';

export type LiveClassRow = typeof liveClasses.$inferSelect;

/** A class's course and tenant never change: cached for the per-event checks of its subscribers. */
const MAX_CACHED = 10_000;

export class LiveAccess {
  private courseOf = new Map<string, { courseId: string; tenantId: string }>();

  constructor(
    private readonly db: Tx,
    /** The course-level checks (membership, roles, API key reach). */
    readonly course: Access,
  ) {}

  /**
   * The class row if the viewer may read it; NOT_FOUND otherwise (an unknown id, another tenant, no access). Never
   * inside a transaction (it reads the course checks through their own connection): check first, then write.
   */
  async readableClass(viewer: Viewer, classId: string): Promise<LiveClassRow> {
    if (!isUuid(classId)) throw notFound('The live class');
    const [row] = await this.db.select().from(liveClasses).where(eq(liveClasses.id, classId));
    if (!row || row.tenantId !== viewer.tenantId) throw notFound('The live class');
    this.remember(row);
    await this.course.requireCourseRead(viewer, row.courseId).catch(() => {
      throw notFound('The live class');
    });
    return row;
  }

  /**
   * The class locked for update (`select … for update`) in the caller's transaction. The caller checks the viewer's
   * right to it (readableClass, requireHost…) BEFORE its write: the course checks read through their own connection,
   * which must never wait inside a transaction (PGlite has one connection; a pool can run dry).
   */
  async lockedClass(viewer: Viewer, classId: string, tx: Tx): Promise<LiveClassRow> {
    if (!isUuid(classId)) throw notFound('The live class');
    const [row] = await tx.select().from(liveClasses).where(eq(liveClasses.id, classId)).for('update');
    if (!row || row.tenantId !== viewer.tenantId) throw notFound('The live class');
    return row;
  }

  /** Whether the viewer hosts classes of the course (a person who is staff of it now). Never throws. */
  async isHost(viewer: Viewer, courseId: string): Promise<boolean> {
    if (viewer.kind !== 'session') return false;
    const m = await this.course.membership(courseId, viewer.userId);
    return !!m && m.active && m.tenantId === viewer.tenantId && isStaff(m.roles);
  }

  /** isHost from the caches alone (undefined when it cannot tell without a read): fan-out's per-event check. */
  isHostNow(viewer: Viewer, courseId: string): boolean | undefined {
    if (viewer.kind !== 'session') return false;
    const m = this.course.membershipNow(courseId, viewer.userId);
    if (m === undefined) return undefined;
    return !!m && m.active && m.tenantId === viewer.tenantId && isStaff(m.roles);
  }

  /** FORBIDDEN unless the viewer hosts the class's course (after the read check: NOT_FOUND first). */
  async requireHost(viewer: Viewer, row: LiveClassRow): Promise<void> {
    if (!(await this.isHost(viewer, row.courseId)))
      throw new AppError('FORBIDDEN', 'Only the hosts of this class (instructors and teaching assistants) can do this.');
  }

  /** Creating a class in a course: its hosts. */
  async requireCourseHost(viewer: Viewer, courseId: string): Promise<void> {
    await this.course.requireCourseRead(viewer, courseId);
    if (!(await this.isHost(viewer, courseId)))
      throw new AppError('FORBIDDEN', 'Only the hosts of this course (instructors and teaching assistants) can do this.');
  }

  /**
   * A person who may take part in the course's classes (join them): a member but a guest. API keys read and never
   * act (FORBIDDEN, reason API_KEY); guests get FORBIDDEN with reason GUEST.
   */
  async requirePerson(viewer: Viewer, courseId: string): Promise<Extract<Viewer, { kind: 'session' }>> {
    if (viewer.kind !== 'session')
      throw new AppError('FORBIDDEN', 'API keys read live classes; they do not take part.', { reason: 'API_KEY' });
    await this.course.requireCourseRead(viewer, courseId);
    const m = await this.course.membership(courseId, viewer.userId);
    if (!m || isGuest(m.roles))
      throw new AppError('FORBIDDEN', 'Guests of this course can watch, not take part. Ask your instructor to enrol you.', {
        reason: 'GUEST',
      });
    return viewer;
  }

  /**
   * Acting in class (hand, question, vote, confusion, poll answer): the class is live (CLASS_NOT_LIVE) and the person
   * was admitted to it (NOT_JOINED). Returns the viewer as a person.
   */
  async requireInClass(viewer: Viewer, row: LiveClassRow): Promise<Extract<Viewer, { kind: 'session' }>> {
    const person = await this.requirePerson(viewer, row.courseId);
    if (row.state !== 'live')
      throw new AppError('CLASS_NOT_LIVE', row.state === 'ended' ? 'This class has ended.' : 'This class has not started yet.', {
        state: row.state,
      });
    const [admitted] = await this.db
      .select({ userId: liveAttendees.userId })
      .from(liveAttendees)
      .where(and(eq(liveAttendees.classId, row.id), eq(liveAttendees.userId, person.userId)));
    if (!admitted) throw new AppError('NOT_JOINED', 'Join the class first.');
    return person;
  }

  /** The course and tenant of a class, cached (null for an unknown class). */
  async courseOfClass(classId: string): Promise<{ courseId: string; tenantId: string } | null> {
    const hit = this.courseOf.get(classId);
    if (hit) return hit;
    if (!isUuid(classId)) return null;
    const [row] = await this.db
      .select({ id: liveClasses.id, courseId: liveClasses.courseId, tenantId: liveClasses.tenantId })
      .from(liveClasses)
      .where(eq(liveClasses.id, classId));
    if (!row) return null;
    this.remember(row);
    return { courseId: row.courseId, tenantId: row.tenantId };
  }

  /** Whether the viewer may still read the class's events: asked on every event of a subscription. Never throws. */
  async canFollow(viewer: Viewer, courseId: string, host: boolean): Promise<boolean> {
    if (!(await this.course.canReadCourse(viewer, courseId))) return false;
    return host ? this.isHost(viewer, courseId) : true;
  }

  /** canFollow from the caches alone (undefined: ask canFollow). */
  canFollowNow(viewer: Viewer, courseId: string, host: boolean): boolean | undefined {
    const read = this.course.canReadCourseNow(viewer, courseId);
    if (read !== true) return read;
    return host ? this.isHostNow(viewer, courseId) : true;
  }

  private remember(row: { id: string; courseId: string; tenantId: string }): void {
    if (this.courseOf.size >= MAX_CACHED) this.courseOf.clear();
    this.courseOf.set(row.id, { courseId: row.courseId, tenantId: row.tenantId });
  }
}

/** A question as someone who does not host sees it: an anonymous question's author cut. */
export function questionForParticipant(q: LiveQuestionOut): LiveQuestionOut {
  return q.anonymous ? { ...q, authorId: null, authorName: null } : q;
}

/** A poll as someone who does not host sees it: the tally only once the poll is closed. */
export function pollForParticipant(p: LivePollOut): LivePollOut {
  return p.status === 'closed' ? p : { ...p, tally: null };
}
