/**
 * The course activity feed and the audit log. Other features record into both inside their own write (`record*`
 * joins the caller's transaction through `realtime.write`), so an entry exists exactly when its change committed.
 *
 * Reading is for staff: one authorization path, `requireStaffRead` (course staff, or an API key with the read scope
 * that reaches the course), and `canReadStaff` for every event of the live feed. The tenant-wide audit log (entries
 * of no course, or every course) is for LMS administrators (and tenant-wide keys, whose creator must be one).
 */
import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { activityStream, type ActivityEntryPayload } from './events.js';
import { auditLog, courseActivity } from './tables.js';
import { users } from '../users/tables.js';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid, type Access } from '../auth/access.js';
import { AppError } from '../errors.js';
import { isStaff } from '../courses/roles.js';
import {
  isTimeIdKey,
  newestFirst,
  pageRequest,
  timeIdKeyOf,
  toPage,
  type FollowedPage,
  type Page,
  type PageArgs,
} from '../db/pagination.js';
import { checkIdentifier } from '../text.js';
import { toCsv } from './csv.js';

export interface AuditEntry {
  tenantId: string;
  courseId: string | null;
  /** Who changed it: the viewer (a person or an API key), or null for the system (a job, a roster sync). */
  by: Viewer | null;
  entity: string;
  entityId: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

export interface ActivityEntry {
  tenantId: string;
  courseId: string;
  type: string;
  actorId?: string | null;
  data?: Record<string, unknown>;
  /** At most one entry of this type per course with this key (kept in `data.once`): a repeat is dropped. */
  once?: string;
}

/** An activity entry as readers see it (the stream's payload, with its time as a Date). */
export interface ActivityView extends Omit<ActivityEntryPayload, 'createdAt'> {
  createdAt: Date;
}

export type AuditRow = typeof auditLog.$inferSelect;
export interface AuditView extends AuditRow {
  actorName: string | null;
  /** The person the entry is about, when it is about one (a membership, a mute): their name. */
  subjectName: string | null;
}

/** The user an entry is about, from its entity id (`membership`: the user; `room_member`: `<room>:<user>`). */
const subjectOf = (r: AuditRow): string | null => {
  const id = r.entity === 'membership' ? r.entityId : r.entity === 'room_member' ? (r.entityId.split(':')[1] ?? '') : '';
  return isUuid(id) ? id : null;
};

/** A course's message count over an hour (rooms/service.ts counts them). */
export interface MessageVolume {
  tenantId: string;
  courseId: string;
  count: number;
}

export interface AuditFilter {
  /** A course's entries; null or absent: the whole tenant (administrators). */
  courseId?: string | null;
  entity?: string | null;
  entityId?: string | null;
  action?: string | null;
  since?: Date | null;
  until?: Date | null;
}

/** The most rows one CSV export holds (newest first); the export says when it was cut. */
export const AUDIT_CSV_MAX_ROWS = 10_000;

export class ActivityService {
  constructor(
    private readonly db: Tx,
    private readonly realtime: Realtime,
    private readonly access: Access,
  ) {}

  /** Appends one audit entry inside the current write (or a new one). The table refuses updates and deletes. */
  async recordAudit(e: AuditEntry): Promise<void> {
    await this.realtime.write(async (tx) => {
      await tx.insert(auditLog).values({
        tenantId: e.tenantId,
        courseId: e.courseId,
        actorId: e.by?.kind === 'session' ? e.by.userId : e.by?.kind === 'apiKey' ? e.by.createdBy : null,
        apiKeyId: e.by?.kind === 'apiKey' ? e.by.keyId : null,
        entity: e.entity,
        entityId: e.entityId,
        action: e.action,
        before: e.before === undefined ? null : e.before,
        after: e.after === undefined ? null : e.after,
        // Millisecond precision, like the cursors made from it.
        createdAt: new Date(),
      });
    });
  }

  /** Appends one entry to the course's activity feed inside the current write, and tells its followers. */
  async recordActivity(e: ActivityEntry): Promise<void> {
    await this.realtime.write(async (tx, emit) => {
      if (e.once !== undefined) {
        const [seen] = await tx
          .select({ id: courseActivity.id })
          .from(courseActivity)
          .where(
            and(eq(courseActivity.courseId, e.courseId), eq(courseActivity.type, e.type), sql`${courseActivity.data}->>'once' = ${e.once}`),
          )
          .limit(1);
        if (seen) return;
      }
      const [row] = await tx
        .insert(courseActivity)
        .values({
          tenantId: e.tenantId,
          courseId: e.courseId,
          type: e.type,
          actorId: e.actorId ?? null,
          data: e.once === undefined ? (e.data ?? {}) : { ...e.data, once: e.once },
          createdAt: new Date(),
        })
        .returning();
      const [actor] = row!.actorId ? await tx.select({ name: users.name }).from(users).where(eq(users.id, row!.actorId)) : [];
      await emit(activityStream(e.courseId), {
        tenantId: e.tenantId,
        type: 'activity.added',
        payload: {
          id: row!.id,
          courseId: row!.courseId,
          type: row!.type,
          actorId: row!.actorId,
          actorName: actor?.name ?? null,
          data: row!.data as Record<string, unknown>,
          createdAt: row!.createdAt.toISOString(),
        },
      });
    });
  }

  /**
   * Records one `messages.hourly` entry per course with its message count over [from, to) (the rooms service counts
   * them; a course with none gets no entry). Idempotent per hour: an hour already recorded for a course is not
   * recorded again (a job run twice, or by two workers). Returns how many entries were added.
   */
  async recordMessageVolume(counts: readonly MessageVolume[], from: Date, to: Date): Promise<number> {
    let recorded = 0;
    const hour = from.toISOString();
    for (const c of counts) {
      if (c.count <= 0) continue;
      const done = await this.realtime.write(async (tx) => {
        // One entry per course and hour: a lock on the course's hours, then a look.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`activity-hourly:${c.courseId}`}))`);
        const [seen] = await tx
          .select({ id: courseActivity.id })
          .from(courseActivity)
          .where(
            and(
              eq(courseActivity.courseId, c.courseId),
              eq(courseActivity.type, 'messages.hourly'),
              sql`${courseActivity.data}->>'from' = ${hour}`,
            ),
          )
          .limit(1);
        if (seen) return false;
        await this.recordActivity({
          tenantId: c.tenantId,
          courseId: c.courseId,
          type: 'messages.hourly',
          data: { count: c.count, from: hour, to: to.toISOString() },
        });
        return true;
      });
      if (done) recorded++;
    }
    return recorded;
  }

  // ---- reading: staff only ----

  /** The one authorization path for reading a course's activity and audit log. */
  async requireStaffRead(viewer: Viewer, courseId: string): Promise<void> {
    await this.access.requireCourseStaffRead(viewer, courseId);
  }

  /** Whether the viewer may follow the course's activity now: checked on every event. Never throws. */
  async canReadStaff(viewer: Viewer, courseId: string): Promise<boolean> {
    if (!(await this.access.canReadCourse(viewer, courseId))) return false;
    if (viewer.kind === 'apiKey') return true;
    const m = await this.access.membership(courseId, viewer.userId);
    return !!m && m.active && isStaff(m.roles);
  }

  /** canReadStaff from the caches alone; undefined when an entry it needs is not cached. */
  canReadStaffNow(viewer: Viewer, courseId: string): boolean | undefined {
    const read = this.access.canReadCourseNow(viewer, courseId);
    if (read !== true || viewer.kind === 'apiKey') return read;
    const m = this.access.membershipNow(courseId, viewer.userId);
    return m === undefined ? undefined : !!m && m.active && isStaff(m.roles);
  }

  /** A page of the course's activity, newest first, with the position of its stream the page reflects. */
  async feed(viewer: Viewer, courseId: string, args: PageArgs): Promise<FollowedPage<ActivityView>> {
    await this.requireStaffRead(viewer, courseId);
    const req = pageRequest(args, isTimeIdKey);
    // The head before the rows: every event up to it is committed with its row, so the page holds at least that.
    const cursor = String(await this.realtime.head(activityStream(courseId)));
    const { after, orderBy: order } = newestFirst(req, courseActivity.createdAt, courseActivity.id);
    const conds: SQL[] = [eq(courseActivity.courseId, courseId)];
    if (after) conds.push(after);
    const found = await this.db
      .select({ row: courseActivity, actorName: users.name })
      .from(courseActivity)
      .leftJoin(users, eq(users.id, courseActivity.actorId))
      .where(and(...conds))
      .orderBy(...order)
      .limit(req.limit + 1);
    const views: ActivityView[] = found.map(({ row, actorName }) => ({
      id: row.id,
      courseId: row.courseId,
      type: row.type,
      actorId: row.actorId,
      actorName: actorName ?? null,
      data: row.data as Record<string, unknown>,
      createdAt: row.createdAt,
    }));
    return { ...toPage(req, views, timeIdKeyOf), cursor };
  }

  /** The audit log, newest first, filtered; a course's for its staff, the tenant's for its administrators. */
  async audit(viewer: Viewer, filter: AuditFilter, args: PageArgs): Promise<Page<AuditView>> {
    const where = await this.auditWhere(viewer, filter);
    const req = pageRequest(args, isTimeIdKey);
    const { after, orderBy: order } = newestFirst(req, auditLog.createdAt, auditLog.id);
    const conds = after ? [where, after] : [where];
    const rows = await this.auditRows(and(...conds)!, order, req.limit + 1);
    return toPage(req, rows, timeIdKeyOf);
  }

  /** The audit log (same filter and rule as `audit`) as CSV, newest first, at most AUDIT_CSV_MAX_ROWS rows. */
  async auditCsv(viewer: Viewer, filter: AuditFilter): Promise<string> {
    const where = await this.auditWhere(viewer, filter);
    const rows = await this.auditRows(where, [desc(auditLog.createdAt), desc(auditLog.id)], AUDIT_CSV_MAX_ROWS);
    return toCsv(
      ['time', 'course_id', 'actor', 'actor_id', 'api_key_id', 'entity', 'entity_id', 'subject', 'action', 'before', 'after'],
      rows.map((r) => [
        r.createdAt.toISOString(),
        r.courseId ?? '',
        r.actorName ?? '',
        r.actorId ?? '',
        r.apiKeyId ?? '',
        r.entity,
        r.entityId,
        r.subjectName ?? '',
        r.action,
        r.before === null ? '' : JSON.stringify(r.before),
        r.after === null ? '' : JSON.stringify(r.after),
      ]),
    );
  }

  private async auditRows(where: SQL, order: SQL[] | ReturnType<typeof desc>[], limit: number): Promise<AuditView[]> {
    const found = await this.db
      .select({ row: auditLog, actorName: users.name })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorId))
      .where(where)
      .orderBy(...order)
      .limit(limit);
    const subjects = [...new Set(found.map(({ row }) => subjectOf(row)).filter((x): x is string => x !== null))];
    const names = subjects.length
      ? await this.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, subjects))
      : [];
    const nameOf = new Map(names.map((n) => [n.id, n.name]));
    return found.map(({ row, actorName }) => {
      const subject = subjectOf(row);
      return { ...row, actorName: actorName ?? null, subjectName: subject ? (nameOf.get(subject) ?? null) : null };
    });
  }

  /** Authorizes the reader for the filter's reach and turns the filter into a condition. */
  private async auditWhere(viewer: Viewer, f: AuditFilter): Promise<SQL> {
    const conds: SQL[] = [eq(auditLog.tenantId, viewer.tenantId)];
    if (f.courseId != null) {
      await this.requireStaffRead(viewer, f.courseId);
      conds.push(eq(auditLog.courseId, f.courseId));
    } else {
      await this.requireTenantAdmin(viewer);
    }
    if (f.entity != null) conds.push(eq(auditLog.entity, checkIdentifier(f.entity, 'entity')));
    if (f.entityId != null) {
      if (f.entityId.length > 200) throw new AppError('BAD_USER_INPUT', 'entityId is too long.');
      conds.push(eq(auditLog.entityId, checkIdentifier(f.entityId, 'entityId')));
    }
    if (f.action != null) conds.push(eq(auditLog.action, checkIdentifier(f.action, 'action')));
    if (f.since) conds.push(gte(auditLog.createdAt, f.since));
    if (f.until) conds.push(lt(auditLog.createdAt, f.until));
    return and(...conds)!;
  }

  private async requireTenantAdmin(viewer: Viewer): Promise<void> {
    this.access.requireScope(viewer, 'read');
    const ok =
      viewer.kind === 'apiKey'
        ? viewer.tenantWide && (await this.access.keyCourses(viewer)) === 'all'
        : await this.access.isTenantAdmin(viewer.tenantId, viewer.userId);
    if (!ok) throw new AppError('FORBIDDEN', "Only the LMS's administrators can read the whole tenant's audit log; pass a courseId.");
  }
}
