/**
 * Courses (LTI contexts) and memberships. All rules about who may see a course live here and in
 * auth/access.ts.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { courses, memberships } from './tables.js';
import { users } from '../users/tables.js';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid, type Access } from '../auth/access.js';
import { notFound } from '../errors.js';
import { cleanLine, clip } from '../text.js';
import { pageRequest, toPage, type FollowedPage, type Page, type PageArgs } from '../db/pagination.js';
import { STAFF_ROLES, type CourseRole } from './roles.js';
import { courseStream } from './events.js';
import type { ActivityService } from '../activity/service.js';

export type Course = typeof courses.$inferSelect;
export type Membership = typeof memberships.$inferSelect;

export interface CourseMember {
  user: typeof users.$inferSelect;
  roles: CourseRole[];
  launched: boolean;
}

export interface CourseInput {
  tenantId: string;
  contextId: string;
  title: string;
  label?: string | null;
}

export class CourseService {
  constructor(
    private readonly db: Tx,
    private readonly realtime: Realtime,
    private readonly access: Access,
    /** Joins go to the course's activity feed; role changes and removals to its audit log. */
    private readonly activity: ActivityService,
  ) {}

  async upsertCourse(raw: CourseInput): Promise<Course> {
    // Titles come from launches: cleaned as every stored text is (src/text.ts).
    const label = raw.label == null ? null : clip(cleanLine(raw.label, 'label', 'platform'), 100) || null;
    const input = { ...raw, title: clip(cleanLine(raw.title, 'title', 'platform'), 300) || label || 'Untitled course', label };
    return this.realtime.write(async (tx, emit) => {
      const [existing] = await tx
        .select()
        .from(courses)
        .where(and(eq(courses.tenantId, input.tenantId), eq(courses.contextId, input.contextId)))
        .for('update');
      if (existing && existing.title === input.title && existing.label === (input.label ?? null)) return existing;
      const [row] = await tx
        .insert(courses)
        .values({ tenantId: input.tenantId, contextId: input.contextId, title: input.title, label: input.label ?? null })
        .onConflictDoUpdate({
          target: [courses.tenantId, courses.contextId],
          set: { title: input.title, label: input.label ?? null, updatedAt: new Date() },
        })
        .returning();
      await emit(courseStream(row!.id), {
        tenantId: row!.tenantId,
        type: existing ? 'course.updated' : 'course.created',
        payload: { title: row!.title, label: row!.label },
      });
      return row!;
    });
  }

  /** Adds or updates a member's roles; emits `member.joined` or `member.updated` on the course stream. */
  async setMembership(tenantId: string, courseId: string, userId: string, roles: CourseRole[]): Promise<Membership> {
    return this.realtime.write(async (tx, emit, invalidate) => {
      const [before] = await tx
        .select()
        .from(memberships)
        .where(and(eq(memberships.courseId, courseId), eq(memberships.userId, userId)))
        .for('update');
      const sorted = [...new Set(roles)].sort();
      if (before && before.status === 'active' && before.roles.join() === sorted.join()) return before;
      const [row] = await tx
        .insert(memberships)
        .values({ tenantId, courseId, userId, roles: sorted, status: 'active' })
        .onConflictDoUpdate({
          target: [memberships.courseId, memberships.userId],
          set: { roles: sorted, status: 'active', updatedAt: new Date() },
        })
        .returning();
      const type = before?.status === 'active' ? 'member.updated' : 'member.joined';
      invalidate({ t: 'membership', courseId, userId });
      await emit(courseStream(courseId), { tenantId, type, payload: { userId, roles: sorted } });
      // Memberships change through launches and roster syncs: the system, not a person, made the change.
      await this.activity.recordAudit({
        tenantId,
        courseId,
        by: null,
        entity: 'membership',
        entityId: userId,
        action: type === 'member.joined' ? (before ? 'rejoined' : 'joined') : 'roles_changed',
        before: before ? { roles: before.roles, status: before.status } : null,
        after: { roles: sorted, status: 'active' },
      });
      if (type === 'member.joined')
        await this.activity.recordActivity({ tenantId, courseId, type: 'member.joined', actorId: userId, data: { roles: sorted } });
      return row!;
    });
  }

  /** Marks a member removed; their subscriptions to the course end at the next event. */
  async removeMembership(tenantId: string, courseId: string, userId: string): Promise<void> {
    await this.realtime.write(async (tx, emit, invalidate) => {
      const [row] = await tx
        .update(memberships)
        .set({ status: 'removed', updatedAt: new Date() })
        .where(
          and(
            eq(memberships.tenantId, tenantId),
            eq(memberships.courseId, courseId),
            eq(memberships.userId, userId),
            eq(memberships.status, 'active'),
          ),
        )
        .returning();
      if (row) {
        invalidate({ t: 'membership', courseId, userId });
        await emit(courseStream(courseId), { tenantId, type: 'member.removed', payload: { userId } });
        await this.activity.recordAudit({
          tenantId,
          courseId,
          by: null,
          entity: 'membership',
          entityId: userId,
          action: 'removed',
          before: { roles: row.roles, status: 'active' },
          after: { roles: row.roles, status: 'removed' },
        });
      }
    });
  }

  /** The tenant a course belongs to; null when there is no such course. */
  async tenantOf(courseId: string): Promise<string | null> {
    const [row] = await this.db.select({ tenantId: courses.tenantId }).from(courses).where(eq(courses.id, courseId));
    return row?.tenantId ?? null;
  }

  /** A course the viewer may read; anything else (another tenant's, not a member) is NOT_FOUND. */
  async getCourse(viewer: Viewer, courseId: string): Promise<Course> {
    await this.access.requireCourseRead(viewer, courseId);
    const [row] = await this.db
      .select()
      .from(courses)
      .where(and(eq(courses.id, courseId), eq(courses.tenantId, viewer.tenantId)));
    if (!row) throw notFound('The course');
    return row;
  }

  /** The viewer's courses (a user's memberships; the courses an API key reaches now), by title. */
  async listCourses(viewer: Viewer, args: PageArgs): Promise<Page<Course>> {
    this.access.requireScope(viewer, 'read');
    const req = pageRequest(args, isCourseKey);
    const key = sql`(${courses.title}, ${courses.id})`;
    const conds = [eq(courses.tenantId, viewer.tenantId)];
    if (req.cursor) {
      const [t, id] = req.cursor;
      conds.push(req.direction === 'forward' ? sql`${key} > (${t}, ${id}::uuid)` : sql`${key} < (${t}, ${id}::uuid)`);
    }
    const order = req.direction === 'forward' ? [asc(courses.title), asc(courses.id)] : [desc(courses.title), desc(courses.id)];
    let rows: Course[];
    if (viewer.kind === 'session') {
      const joined = await this.db
        .select({ course: courses })
        .from(courses)
        .innerJoin(
          memberships,
          and(eq(memberships.courseId, courses.id), eq(memberships.userId, viewer.userId), eq(memberships.status, 'active')),
        )
        .where(and(...conds))
        .orderBy(...order)
        .limit(req.limit + 1);
      rows = joined.map((r) => r.course);
    } else {
      const reach = await this.access.keyCourses(viewer);
      if (reach !== 'all') conds.push(reach.length ? inArray(courses.id, reach) : sql`false`);
      rows = await this.db
        .select()
        .from(courses)
        .where(and(...conds))
        .orderBy(...order)
        .limit(req.limit + 1);
    }
    return toPage(req, rows, (c) => [c.title, c.id] as [string, string]);
  }

  /**
   * The active members of a course, by name, with their emails: who launched and who is known only from the
   * roster. Staff of the course, and API keys with the read scope that reach it.
   */
  async listMembers(viewer: Viewer, courseId: string, args: PageArgs): Promise<FollowedPage<CourseMember>> {
    await this.access.requireCourseStaffRead(viewer, courseId);
    const req = pageRequest(args, isCourseKey);
    // The course's activity head before the rows (memberships change with their event): the page is at least as new.
    const cursor = String(await this.realtime.head(courseStream(courseId)));
    const key = sql`(${users.name}, ${users.id})`;
    const conds = [eq(memberships.courseId, courseId), eq(memberships.tenantId, viewer.tenantId), eq(memberships.status, 'active')];
    if (req.cursor) {
      const [n, id] = req.cursor;
      conds.push(req.direction === 'forward' ? sql`${key} > (${n}, ${id}::uuid)` : sql`${key} < (${n}, ${id}::uuid)`);
    }
    const order = req.direction === 'forward' ? [asc(users.name), asc(users.id)] : [desc(users.name), desc(users.id)];
    const rows = await this.db
      .select({ user: users, roles: memberships.roles, launchedAt: memberships.launchedAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(...conds))
      .orderBy(...order)
      .limit(req.limit + 1);
    const page = toPage(
      req,
      rows.map((r) => ({ user: r.user, roles: r.roles as CourseRole[], launched: r.launchedAt !== null })),
      (m) => [m.user.name, m.user.id] as [string, string],
    );
    return { ...page, cursor };
  }

  /**
   * The course's active learners (the learner role and no staff role), with their names and LTI subjects; `only`:
   * those of these people. Read through `db` where given (a caller's transaction).
   */
  async activeLearners(
    courseId: string,
    only: readonly string[] | null,
    db: Tx = this.db,
  ): Promise<{ userId: string; name: string; subject: string }[]> {
    return db
      .select({ userId: memberships.userId, name: users.name, subject: users.subject })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(
        and(
          eq(memberships.courseId, courseId),
          eq(memberships.status, 'active'),
          sql`'learner' = any(${memberships.roles})`,
          sql`not (${memberships.roles} && ${STAFF})`,
          only ? inArray(memberships.userId, [...only]) : undefined,
        ),
      );
  }

  /** Which of these people are active members of the course, with their names and roles. */
  async activeMembersAmong(
    tenantId: string,
    courseId: string,
    userIds: readonly string[],
  ): Promise<{ userId: string; name: string; roles: string[] }[]> {
    return this.db
      .select({ userId: memberships.userId, name: users.name, roles: memberships.roles })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(
        and(
          eq(memberships.courseId, courseId),
          eq(memberships.tenantId, tenantId),
          eq(memberships.status, 'active'),
          inArray(memberships.userId, [...userIds]),
        ),
      );
  }

  /** The viewer's roles in a course (none for an API key). */
  async rolesIn(viewer: Viewer, courseId: string): Promise<CourseRole[]> {
    if (viewer.kind !== 'session') return [];
    return (await this.access.membership(courseId, viewer.userId))?.roles ?? [];
  }
}

/** The staff roles as a PostgreSQL text array, for `roles && STAFF`. */
const STAFF = sql.raw(`array[${STAFF_ROLES.map((r) => `'${r}'`).join(', ')}]::text[]`);

const isCourseKey = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && isUuid(v[1]);
