/**
 * The course-level authorization path. Services ask here whether a viewer may read or manage a course (the room
 * rules, in rooms/access.ts, stand on it); the answer comes from an in-process membership cache that every
 * instance drops entries from when a membership or an API key changes (control messages through the realtime
 * module), so checking on every event of a subscription costs a map lookup, not a database read.
 */
import { and, eq, sql } from 'drizzle-orm';
import { courses, memberships } from '../courses/tables.js';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import { AppError, notFound } from '../errors.js';
import { isCourseRole, isGuest, isStaff, type CourseRole } from '../courses/roles.js';
import type { ApiKeyScope, Viewer } from './viewer.js';

interface CachedMembership {
  tenantId: string;
  roles: CourseRole[];
  active: boolean;
}

/** Entries a cache holds before it starts again (these caches and the rooms'). */
const MAX_CACHED = 200_000;

/** A lookup through a cache (a null answer is cached too); past MAX_CACHED entries the cache starts again. */
export async function cached<V>(cache: Map<string, V>, key: string, load: () => Promise<V>): Promise<V> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = await load();
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return value;
}

export class Access {
  private cache = new Map<string, CachedMembership | null>();
  private revokedKeys = new Set<string>();
  /** What to do when a key is revoked (close its WebSockets, end its SSE streams), by key id. */
  private onRevoke = new Map<string, Set<() => void>>();
  /** Whether a user is an LMS administrator (an active membership with that role) in their tenant: tenant-wide keys. */
  private admins = new Map<string, boolean>();

  constructor(
    private readonly db: Tx,
    realtime: Realtime,
  ) {
    realtime.hub.onControl((m) => {
      if (m.t === 'membership') {
        this.cache.delete(`${m.courseId}:${m.userId}`);
        this.admins.delete(m.userId);
      } else if (m.t === 'apiKey') {
        this.revokedKeys.add(m.keyId);
        const watchers = this.onRevoke.get(m.keyId);
        this.onRevoke.delete(m.keyId);
        for (const end of watchers ?? []) end();
      } else if (m.t === 'reset') {
        this.cache.clear();
        this.admins.clear();
      }
    });
  }

  /** The active or removed membership of a user in a course, cached; null when there never was one. */
  async membership(courseId: string, userId: string): Promise<CachedMembership | null> {
    return cached(this.cache, `${courseId}:${userId}`, async () => {
      const [row] = await this.db
        .select({ tenantId: memberships.tenantId, roles: memberships.roles, status: memberships.status })
        .from(memberships)
        .where(and(eq(memberships.courseId, courseId), eq(memberships.userId, userId)));
      return row ? { tenantId: row.tenantId, roles: row.roles.filter(isCourseRole), active: row.status === 'active' } : null;
    });
  }

  /** membership from the cache alone: undefined when it is not cached (then ask membership). */
  membershipNow(courseId: string, userId: string): CachedMembership | null | undefined {
    return this.cache.get(`${courseId}:${userId}`);
  }

  /** Whether the user is an LMS administrator of the tenant now (an active membership with that role), cached. */
  async isTenantAdmin(tenantId: string, userId: string): Promise<boolean> {
    return cached(this.admins, userId, async () => {
      const found = await this.db
        .select({ courseId: memberships.courseId })
        .from(memberships)
        .where(
          and(
            eq(memberships.tenantId, tenantId),
            eq(memberships.userId, userId),
            eq(memberships.status, 'active'),
            sql`'administrator' = any(${memberships.roles})`,
          ),
        )
        .limit(1);
      return found.length > 0;
    });
  }

  /**
   * Whether an API key reaches a course of its tenant now: a tenant-wide key while its creator is still an LMS
   * administrator; a course-scoped key for the courses it names while its creator is still staff of each. A key
   * never reaches further than the person who created it. (The tenant of the course is checked by the caller.)
   */
  async keyReaches(viewer: Extract<Viewer, { kind: 'apiKey' }>, courseId: string): Promise<boolean> {
    const creator = viewer.createdBy;
    if (!creator) return false;
    if (viewer.tenantWide) return this.isTenantAdmin(viewer.tenantId, creator);
    if (!viewer.courseIds.includes(courseId)) return false;
    const m = await this.membership(courseId, creator);
    return !!m && m.active && m.tenantId === viewer.tenantId && isStaff(m.roles);
  }

  /** keyReaches from the caches alone: undefined when an entry it needs is not cached. */
  keyReachesNow(viewer: Extract<Viewer, { kind: 'apiKey' }>, courseId: string): boolean | undefined {
    const creator = viewer.createdBy;
    if (!creator) return false;
    if (viewer.tenantWide) return this.admins.get(creator);
    if (!viewer.courseIds.includes(courseId)) return false;
    const m = this.cache.get(`${courseId}:${creator}`);
    if (m === undefined) return undefined;
    return !!m && m.active && m.tenantId === viewer.tenantId && isStaff(m.roles);
  }

  /** The courses an API key reaches now: 'all' (tenant-wide, creator still an administrator) or a list. */
  async keyCourses(viewer: Extract<Viewer, { kind: 'apiKey' }>): Promise<'all' | string[]> {
    if (viewer.tenantWide) return viewer.createdBy && (await this.isTenantAdmin(viewer.tenantId, viewer.createdBy)) ? 'all' : [];
    const out: string[] = [];
    for (const id of viewer.courseIds) if (await this.keyReaches(viewer, id)) out.push(id);
    return out;
  }

  /** Whether an API key was revoked since this viewer was authenticated. */
  isRevoked(viewer: Viewer): boolean {
    return viewer.kind === 'apiKey' && this.revokedKeys.has(viewer.keyId);
  }

  /**
   * Calls `end` once when the API key of this viewer is revoked (on any instance), at once if it already is: how its
   * open connections and subscriptions close without waiting for their next event. Returns the disarm (call it when
   * what it would end ends otherwise). A session viewer has nothing to watch.
   */
  onKeyRevoked(viewer: Viewer, end: (why: 'revoked' | 'expired') => void): () => void {
    if (viewer.kind !== 'apiKey') return () => {};
    if (this.revokedKeys.has(viewer.keyId)) {
      queueMicrotask(() => end('revoked'));
      return () => {};
    }
    let set = this.onRevoke.get(viewer.keyId);
    if (!set) this.onRevoke.set(viewer.keyId, (set = new Set()));
    const watchers = set;
    // A key that expires while in use ends what it opened then, as a session token's expiry does.
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unwatch = () => {
      if (timer) clearTimeout(timer);
      watchers.delete(revoked);
      if (watchers.size === 0 && this.onRevoke.get(viewer.keyId) === watchers) this.onRevoke.delete(viewer.keyId);
    };
    const revoked = () => {
      unwatch();
      end('revoked');
    };
    if (viewer.expiresAt !== null) {
      timer = setTimeout(
        () => {
          unwatch();
          end('expired');
        },
        Math.max(0, viewer.expiresAt - Date.now()),
      );
      timer.unref?.();
    }
    watchers.add(revoked);
    return unwatch;
  }

  requireScope(viewer: Viewer, scope: ApiKeyScope): void {
    if (viewer.kind === 'apiKey') {
      if (this.revokedKeys.has(viewer.keyId)) throw new AppError('UNAUTHENTICATED', 'This API key has been revoked.');
      if (keyExpired(viewer)) throw new AppError('UNAUTHENTICATED', 'This API key has expired.');
      if (!viewer.scopes.includes(scope)) throw new AppError('FORBIDDEN', `This API key lacks the "${scope}" scope.`);
    }
  }

  /** Installation administration (LTI platforms): an API key with the `admin` scope only. */
  requireInstallationAdmin(viewer: Viewer): void {
    if (viewer.kind !== 'apiKey' || !viewer.scopes.includes('admin'))
      throw new AppError('FORBIDDEN', 'Only an installation administrator key (scope admin) can manage LTI platforms.');
    this.requireScope(viewer, 'admin');
  }

  /** Whether the viewer may read the course. Never throws; used on every event of a subscription. */
  async canReadCourse(viewer: Viewer, courseId: string): Promise<boolean> {
    if (viewer.kind === 'apiKey') {
      if (this.revokedKeys.has(viewer.keyId) || keyExpired(viewer) || !viewer.scopes.includes('read')) return false;
      return (await this.courseInTenant(courseId, viewer.tenantId)) && (await this.keyReaches(viewer, courseId));
    }
    const m = await this.membership(courseId, viewer.userId);
    return !!m && m.active && m.tenantId === viewer.tenantId;
  }

  /**
   * canReadCourse from the caches alone, without a promise: undefined when an entry it needs is not cached (then
   * ask canReadCourse). Fan-out asks it for every subscriber of every event of a course's streams.
   */
  canReadCourseNow(viewer: Viewer, courseId: string): boolean | undefined {
    if (viewer.kind === 'apiKey') {
      if (this.revokedKeys.has(viewer.keyId) || keyExpired(viewer) || !viewer.scopes.includes('read')) return false;
      const t = this.courseTenants.get(courseId);
      if (t === undefined) return undefined;
      if (t !== viewer.tenantId) return false;
      return this.keyReachesNow(viewer, courseId);
    }
    const m = this.cache.get(`${courseId}:${viewer.userId}`);
    if (m === undefined) return undefined;
    return !!m && m.active && m.tenantId === viewer.tenantId;
  }

  /** Throws NOT_FOUND (never FORBIDDEN: existence is not revealed) unless the viewer may read the course. */
  async requireCourseRead(viewer: Viewer, courseId: string): Promise<void> {
    this.requireScope(viewer, 'read');
    if (!isUuid(courseId) || !(await this.canReadCourse(viewer, courseId))) throw notFound('The course');
  }

  /**
   * Reading what only staff read (the member list with emails, the roster sync status): staff of the course, or
   * an API key with the read scope that reaches the course. FORBIDDEN for other members.
   */
  async requireCourseStaffRead(viewer: Viewer, courseId: string): Promise<void> {
    await this.requireCourseRead(viewer, courseId);
    if (viewer.kind === 'apiKey') return;
    const m = await this.membership(courseId, viewer.userId);
    if (!m || !isStaff(m.roles)) throw new AppError('FORBIDDEN', 'Only the staff of this course can see this.');
  }

  /**
   * Taking part in a course as a person beyond reading its room (opening a direct or tutor room): any member but
   * a guest. FORBIDDEN (reason GUEST) for a guest; API keys are refused by the callers (they read).
   */
  async requireParticipant(viewer: Viewer, courseId: string): Promise<void> {
    await this.requireCourseRead(viewer, courseId);
    if (viewer.kind === 'apiKey') return;
    const m = await this.membership(courseId, viewer.userId);
    if (!m || isGuest(m.roles))
      throw new AppError('FORBIDDEN', 'Guests of this course can read its room, nothing more. Ask your instructor to enrol you.', {
        reason: 'GUEST',
      });
  }

  /** Staff of the course (instructor, TA, administrator) or an API key with the write scope that reaches it. */
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
      if (this.courseTenants.size >= MAX_CACHED) this.courseTenants.clear();
      if (t) this.courseTenants.set(courseId, t); // a course never changes tenant
    }
    return t === tenantId;
  }
}

/** Whether an API key's expiry has passed (checked on every use and event, as revocation is). */
const keyExpired = (viewer: Extract<Viewer, { kind: 'apiKey' }>) => viewer.expiresAt !== null && viewer.expiresAt <= Date.now();

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
