/**
 * The one authorization path. Services ask here whether a viewer may read or manage a course; the answer
 * comes from an in-process membership cache that every instance drops entries from when a membership or an
 * API key changes (control messages through the realtime module), so checking on every event of a
 * subscription costs a map lookup, not a database read.
 */
import { and, eq } from 'drizzle-orm';
import { courses, memberships } from '../db/schema.js';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import { AppError, notFound } from '../errors.js';
import { isCourseRole, isStaff, type CourseRole } from '../courses/roles.js';
import type { ApiKeyScope, Viewer } from './viewer.js';

interface CachedMembership {
  tenantId: string;
  roles: CourseRole[];
  active: boolean;
}

const MAX_ENTRIES = 200_000;

export class Access {
  private cache = new Map<string, CachedMembership | null>();
  private revokedKeys = new Set<string>();

  constructor(
    private readonly db: Tx,
    realtime: Realtime,
  ) {
    realtime.hub.onControl((m) => {
      if (m.t === 'membership') this.cache.delete(`${m.courseId}:${m.userId}`);
      else if (m.t === 'apiKey') this.revokedKeys.add(m.keyId);
      else if (m.t === 'reset') this.cache.clear();
    });
  }

  /** The active or removed membership of a user in a course, cached; null when there never was one. */
  async membership(courseId: string, userId: string): Promise<CachedMembership | null> {
    const k = `${courseId}:${userId}`;
    const hit = this.cache.get(k);
    if (hit !== undefined) return hit;
    const [row] = await this.db
      .select({ tenantId: memberships.tenantId, roles: memberships.roles, status: memberships.status })
      .from(memberships)
      .where(and(eq(memberships.courseId, courseId), eq(memberships.userId, userId)));
    const value = row ? { tenantId: row.tenantId, roles: row.roles.filter(isCourseRole), active: row.status === 'active' } : null;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(k, value);
    return value;
  }

  /** Whether an API key was revoked since this viewer was authenticated. */
  isRevoked(viewer: Viewer): boolean {
    return viewer.kind === 'apiKey' && this.revokedKeys.has(viewer.keyId);
  }

  requireScope(viewer: Viewer, scope: ApiKeyScope): void {
    if (viewer.kind === 'apiKey') {
      if (this.revokedKeys.has(viewer.keyId)) throw new AppError('UNAUTHENTICATED', 'This API key has been revoked.');
      if (!viewer.scopes.includes(scope)) throw new AppError('FORBIDDEN', `This API key lacks the "${scope}" scope.`);
    }
  }

  /** Installation administration (LTI platforms): an API key with the `admin` scope only. */
  requireInstallationAdmin(viewer: Viewer): void {
    if (viewer.kind !== 'apiKey' || !viewer.scopes.includes('admin')) throw new AppError('FORBIDDEN', 'Only an installation administrator key (scope admin) can manage LTI platforms.');
    this.requireScope(viewer, 'admin');
  }

  /** Whether the viewer may read the course. Never throws; used on every event of a subscription. */
  async canReadCourse(viewer: Viewer, courseId: string): Promise<boolean> {
    if (viewer.kind === 'apiKey') {
      if (this.revokedKeys.has(viewer.keyId) || !viewer.scopes.includes('read')) return false;
      return this.courseInTenant(courseId, viewer.tenantId);
    }
    const m = await this.membership(courseId, viewer.userId);
    return !!m && m.active && m.tenantId === viewer.tenantId;
  }

  /** Throws NOT_FOUND (never FORBIDDEN: existence is not revealed) unless the viewer may read the course. */
  async requireCourseRead(viewer: Viewer, courseId: string): Promise<void> {
    this.requireScope(viewer, 'read');
    if (!isUuid(courseId) || !(await this.canReadCourse(viewer, courseId))) throw notFound('The course');
  }

  /** Staff of the course (instructor, TA, administrator) or an API key with the write scope. */
  async requireCourseManage(viewer: Viewer, courseId: string): Promise<void> {
    await this.requireCourseRead(viewer, courseId);
    if (viewer.kind === 'apiKey') return this.requireScope(viewer, 'write');
    const m = await this.membership(courseId, viewer.userId);
    if (!m || !isStaff(m.roles)) throw new AppError('FORBIDDEN', 'Only instructors can do this.');
  }

  private courseTenants = new Map<string, string | null>();
  private async courseInTenant(courseId: string, tenantId: string): Promise<boolean> {
    let t = this.courseTenants.get(courseId);
    if (t === undefined) {
      const [row] = await this.db.select({ tenantId: courses.tenantId }).from(courses).where(eq(courses.id, courseId));
      t = row?.tenantId ?? null;
      if (this.courseTenants.size >= MAX_ENTRIES) this.courseTenants.clear();
      if (t) this.courseTenants.set(courseId, t); // a course never changes tenant
    }
    return t === tenantId;
  }
}

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
