/**
 * The schedule rules, in one place: who reads a session (or an event about one), who hosts, who manages. Built in
 * services.ts as `services.scheduleAccess` and handed to every schedule service (sessions, office hours, feeds,
 * reminders) through its constructor. It stands on the course-level checks (auth/access.ts) and the room rules
 * (rooms/access.ts), whose in-process caches make checking every event of a subscription cost map lookups.
 *
 * Who reads a session: staff of the course (instructor, TA, administrator) read every session of it; its host reads
 * it; otherwise an active member (not a guest) reads course-audience sessions, their own student sessions and the
 * sessions of the group rooms they are a member of. A guest reads course-audience sessions only. An API key that
 * reaches the course (read scope) reads course- and room-audience sessions, never a student's own.
 */
import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import { memberships } from '../courses/tables.js';
import { roomMembers } from '../rooms/tables.js';
import { scheduleSessions } from './tables.js';
import { isGuest, isStaff } from '../courses/roles.js';
import { AppError, notFound } from '../errors.js';
import { isUuid, type Access } from '../auth/access.js';
import type { RoomAccess } from '../rooms/access.js';
import type { Viewer } from '../auth/viewer.js';
import type { ScheduleEventScope } from './events.js';

/** Roles that may host a session (be its host, or plan their own): staff and mentors. */
const HOST_ROLES = ['instructor', 'teaching_assistant', 'administrator', 'mentor'] as const;

/** The person doing a host's or a manager's action. */
export interface ScheduleActor {
  /** The person (null for an API key, which acts for the course but is nobody). */
  userId: string | null;
  /** Staff of the course (or an API key with the write scope): manages every session of the course. */
  staff: boolean;
}

export class ScheduleAccess {
  constructor(
    /** The course-level checks (membership, roles, API key reach). */
    private readonly course: Access,
    /** The room rules (who reads a group room). */
    private readonly rooms: RoomAccess,
  ) {}

  /** Whether the viewer is staff of the course now (false for API keys and non-members). */
  async isStaff(viewer: Viewer, courseId: string): Promise<boolean> {
    if (viewer.kind !== 'session') return false;
    const m = await this.course.membership(courseId, viewer.userId);
    return !!m && m.active && m.tenantId === viewer.tenantId && isStaff(m.roles);
  }

  /**
   * Whether the viewer may read a session (or an event about one) of this scope in the course. Never throws; asked
   * on every event of a subscription (cached lookups).
   */
  async canReadSessionScope(viewer: Viewer, courseId: string, scope: ScheduleEventScope): Promise<boolean> {
    if (!(await this.course.canReadCourse(viewer, courseId))) return false;
    if (viewer.kind === 'apiKey') return scope.audience !== 'student';
    const m = await this.course.membership(courseId, viewer.userId);
    if (!m || !m.active) return false;
    if (isStaff(m.roles)) return true;
    if (scope.hostId === viewer.userId) return true;
    if (isGuest(m.roles)) return scope.audience === 'course';
    switch (scope.audience) {
      case 'course':
        return true;
      case 'student':
        return scope.studentId === viewer.userId;
      case 'room':
        return !!scope.roomId && (await this.rooms.canReadRoom(viewer, scope.roomId));
    }
  }

  /** NOT_FOUND (existence is not revealed) unless the viewer may read the course's schedule. */
  async requireRead(viewer: Viewer, courseId: string): Promise<void> {
    await this.course.requireCourseRead(viewer, courseId);
  }

  /** NOT_FOUND unless the viewer may read this session (the same answer as for a session that does not exist). */
  async requireSessionRead(viewer: Viewer, courseId: string, scope: ScheduleEventScope): Promise<void> {
    this.course.requireScope(viewer, 'read');
    if (!(await this.canReadSessionScope(viewer, courseId, scope))) throw notFound('The session');
  }

  /**
   * Managing the course's schedule (its settings, any session, marking anyone's attendance): staff of the course
   * (instructor, TA, administrator) or an API key with the write scope that reaches it. FORBIDDEN for other members.
   */
  async requireManage(viewer: Viewer, courseId: string): Promise<ScheduleActor> {
    await this.course.requireCourseManage(viewer, courseId);
    return { userId: viewer.kind === 'session' ? viewer.userId : null, staff: true };
  }

  /** Instructor-only settings (the course's time zone and reminder offsets): instructors, administrators, API keys with write. */
  async requireInstructor(viewer: Viewer, courseId: string): Promise<ScheduleActor> {
    await this.course.requireCourseManage(viewer, courseId);
    if (viewer.kind === 'session') {
      const m = await this.course.membership(courseId, viewer.userId);
      if (!m || !m.roles.some((r) => r === 'instructor' || r === 'administrator'))
        throw new AppError('FORBIDDEN', "Only the course's instructors can change its schedule settings.");
      return { userId: viewer.userId, staff: true };
    }
    return { userId: null, staff: true };
  }

  /**
   * Hosting: planning sessions one hosts, moving and cancelling them, marking their attendance. Instructors, TAs,
   * administrators and mentors (staff manage everything; a mentor only what they host, checked by the caller with
   * `mayHost`). FORBIDDEN for learners and guests; NOT_FOUND outside the course.
   */
  async requireHost(viewer: Viewer, courseId: string): Promise<ScheduleActor> {
    await this.course.requireCourseRead(viewer, courseId);
    if (viewer.kind === 'apiKey') {
      this.course.requireScope(viewer, 'write');
      return { userId: null, staff: true };
    }
    const m = await this.course.membership(courseId, viewer.userId);
    if (!m || !m.roles.some((r) => (HOST_ROLES as readonly string[]).includes(r)))
      throw new AppError('FORBIDDEN', 'Only instructors, teaching assistants and mentors can plan sessions.');
    return { userId: viewer.userId, staff: isStaff(m.roles) };
  }

  /** Whether an actor may change a session with this host: staff any, a mentor their own. */
  mayChange(actor: ScheduleActor, hostId: string): boolean {
    return actor.staff || actor.userId === hostId;
  }

  /** Whether a person may be a session's host: an active member of the course with a host role. */
  async canHost(courseId: string, tenantId: string, userId: string): Promise<boolean> {
    if (!isUuid(userId)) return false;
    const m = await this.course.membership(courseId, userId);
    return !!m && m.active && m.tenantId === tenantId && m.roles.some((r) => (HOST_ROLES as readonly string[]).includes(r));
  }

  /**
   * The sessions a person sees (a drizzle condition on schedule_sessions): course-audience sessions of the courses
   * they are an active member of, their own student sessions, the sessions of the group rooms they are an active
   * member of, and the sessions they host. Staff seeing every session of their course is the caller's to add (a
   * course's schedule does; a personal calendar feed does not).
   */
  visibleSessionsWhere(userId: string): SQL {
    const s = scheduleSessions;
    return or(
      eq(s.hostId, userId),
      and(eq(s.audience, 'student'), eq(s.studentId, userId)),
      and(
        eq(s.audience, 'course'),
        sql`exists (select 1 from ${memberships} m where m.course_id = ${s.courseId} and m.user_id = ${userId}::uuid and m.status = 'active')`,
      ),
      and(
        eq(s.audience, 'room'),
        sql`exists (select 1 from ${roomMembers} rm where rm.room_id = ${s.roomId} and rm.user_id = ${userId}::uuid and rm.status = 'active')`,
      ),
    )!;
  }

  /** The scope of a session row (what events carry and readers are checked against). */
  scopeOf(row: { audience: string; hostId: string; studentId: string | null; roomId: string | null }): ScheduleEventScope {
    return {
      audience: row.audience as ScheduleEventScope['audience'],
      hostId: row.hostId,
      studentId: row.studentId,
      roomId: row.roomId,
    };
  }
}
