/**
 * The one authorization path. Services ask here whether a viewer may read or manage a course; the answer
 * comes from an in-process membership cache that every instance drops entries from when a membership or an
 * API key changes (control messages through the realtime module), so checking on every event of a
 * subscription costs a map lookup, not a database read.
 */
import { and, eq, sql } from 'drizzle-orm';
import { courses, memberships, roomMembers, rooms } from '../db/schema.js';
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

const MAX_ENTRIES = 200_000;

/** What authorization needs of a room; kind, course and owner never change, `archived` is invalidated. */
export interface RoomInfo {
  id: string;
  tenantId: string;
  courseId: string;
  kind: RoomKind;
  ownerId: string | null;
  archived: boolean;
}
export type RoomKind = 'course' | 'group' | 'direct' | 'live' | 'tutor';

interface CachedRoomMember {
  active: boolean;
  muted: boolean;
  role: string;
}

/** What a viewer may do in a room. */
export interface RoomRights {
  read: boolean;
  post: boolean;
  /** Delete others' messages, mute members, rename or archive (staff, in course, group and live rooms). */
  moderate: boolean;
  /** Why posting is refused, when it is. */
  postRefusal: 'ARCHIVED' | 'MUTED' | 'READ_ONLY' | null;
}

const NO_RIGHTS: RoomRights = { read: false, post: false, moderate: false, postRefusal: 'READ_ONLY' };
/** Rooms an integrator's API key may read: the shared ones, never a person's direct or tutor room. */
const API_KEY_ROOM_KINDS: readonly RoomKind[] = ['course', 'group', 'live'];

export class Access {
  private cache = new Map<string, CachedMembership | null>();
  private rooms = new Map<string, RoomInfo | null>();
  private roomMembers = new Map<string, CachedRoomMember | null>();
  private revokedKeys = new Set<string>();
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
      }
      else if (m.t === 'apiKey') this.revokedKeys.add(m.keyId);
      else if (m.t === 'room') this.rooms.delete(m.roomId);
      else if (m.t === 'roomMember') this.roomMembers.delete(`${m.roomId}:${m.userId}`);
      else if (m.t === 'reset') {
        this.cache.clear();
        this.rooms.clear();
        this.roomMembers.clear();
        this.admins.clear();
      }
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

  /** Whether the user is an LMS administrator of the tenant now (an active membership with that role), cached. */
  async isTenantAdmin(tenantId: string, userId: string): Promise<boolean> {
    const hit = this.admins.get(userId);
    if (hit !== undefined) return hit;
    const found = await this.db
      .select({ courseId: memberships.courseId })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId), eq(memberships.status, 'active'), sql`'administrator' = any(${memberships.roles})`))
      .limit(1);
    if (this.admins.size >= MAX_ENTRIES) this.admins.clear();
    this.admins.set(userId, found.length > 0);
    return found.length > 0;
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
  private keyReachesNow(viewer: Extract<Viewer, { kind: 'apiKey' }>, courseId: string): boolean | undefined {
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
      if (this.revokedKeys.has(viewer.keyId) || !viewer.scopes.includes('read')) return false;
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
    if (!m || isGuest(m.roles)) throw new AppError('FORBIDDEN', 'Guests of this course can read its room, nothing more. Ask your instructor to enrol you.', { reason: 'GUEST' });
  }

  /** Staff of the course (instructor, TA, administrator) or an API key with the write scope that reaches it. */
  async requireCourseManage(viewer: Viewer, courseId: string): Promise<void> {
    await this.requireCourseRead(viewer, courseId);
    if (viewer.kind === 'apiKey') return this.requireScope(viewer, 'write');
    const m = await this.membership(courseId, viewer.userId);
    if (!m || !isStaff(m.roles)) throw new AppError('FORBIDDEN', 'Only instructors can do this.');
  }

  /** A room's facts for authorization, cached; null when there is no such room. */
  async room(roomId: string): Promise<RoomInfo | null> {
    if (!isUuid(roomId)) return null;
    const hit = this.rooms.get(roomId);
    if (hit !== undefined) return hit;
    const [row] = await this.db
      .select({ id: rooms.id, tenantId: rooms.tenantId, courseId: rooms.courseId, kind: rooms.kind, ownerId: rooms.ownerId, archivedAt: rooms.archivedAt })
      .from(rooms)
      .where(eq(rooms.id, roomId));
    const value: RoomInfo | null = row ? { id: row.id, tenantId: row.tenantId, courseId: row.courseId, kind: row.kind as RoomKind, ownerId: row.ownerId, archived: row.archivedAt !== null } : null;
    if (this.rooms.size >= MAX_ENTRIES) this.rooms.clear();
    this.rooms.set(roomId, value);
    return value;
  }

  async roomMember(roomId: string, userId: string): Promise<CachedRoomMember | null> {
    const k = `${roomId}:${userId}`;
    const hit = this.roomMembers.get(k);
    if (hit !== undefined) return hit;
    const [row] = await this.db
      .select({ status: roomMembers.status, muted: roomMembers.muted, role: roomMembers.role })
      .from(roomMembers)
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)));
    const value = row ? { active: row.status === 'active', muted: row.muted, role: row.role } : null;
    if (this.roomMembers.size >= MAX_ENTRIES) this.roomMembers.clear();
    this.roomMembers.set(k, value);
    return value;
  }

  /**
   * The room rules, in one place. Readers: course and live rooms, every member of the course; group rooms,
   * their members and the course's staff; direct rooms, their two people only; tutor rooms, their student
   * and the course's staff (staff read, do not post). Muted members and archived rooms do not take posts.
   * API keys read course, group and live rooms of the courses they reach and never post. A guest reads the
   * course room and nothing else, and posts nowhere.
   */
  async roomRights(viewer: Viewer, room: RoomInfo): Promise<RoomRights> {
    const base = await this.roomAccess(viewer, room);
    if (!base.read) return NO_RIGHTS;
    if (viewer.kind === 'apiKey') return { read: true, post: false, moderate: false, postRefusal: 'READ_ONLY' };
    const moderate = base.staff && (room.kind === 'course' || room.kind === 'group' || room.kind === 'live');
    // Mutes of course and live rooms live on read-state rows, looked up only when posting matters.
    const muted = room.kind === 'course' || room.kind === 'live' ? !!(await this.roomMember(room.id, viewer.userId))?.muted : !!base.member?.muted;
    const postRefusal = !base.mayPost ? 'READ_ONLY' : room.archived ? 'ARCHIVED' : muted && !base.staff ? 'MUTED' : null;
    return { read: true, post: postRefusal === null, moderate, postRefusal };
  }

  /** Who reads and who may post, without the mute (so that checking every event reads nothing more). */
  private async roomAccess(viewer: Viewer, room: RoomInfo): Promise<{ read: boolean; mayPost: boolean; staff: boolean; member: CachedRoomMember | null }> {
    const none = { read: false, mayPost: false, staff: false, member: null };
    if (room.tenantId !== viewer.tenantId) return none;
    if (viewer.kind === 'apiKey') {
      const read = !this.revokedKeys.has(viewer.keyId) && viewer.scopes.includes('read') && API_KEY_ROOM_KINDS.includes(room.kind) && (await this.keyReaches(viewer, room.courseId));
      return { ...none, read };
    }
    const cm = await this.membership(room.courseId, viewer.userId);
    if (!cm || !cm.active || cm.tenantId !== room.tenantId) return none;
    const staff = isStaff(cm.roles);
    if (isGuest(cm.roles)) return room.kind === 'course' ? { read: true, mayPost: false, staff: false, member: null } : none;
    const member = room.kind === 'course' || room.kind === 'live' ? null : await this.roomMember(room.id, viewer.userId);
    const inRoom = !!member?.active;
    switch (room.kind) {
      case 'course':
      case 'live':
        return { read: true, mayPost: true, staff, member };
      case 'group':
        return { read: inRoom || staff, mayPost: inRoom || staff, staff, member };
      case 'direct':
        return { read: inRoom, mayPost: inRoom, staff, member };
      case 'tutor':
        return { read: room.ownerId === viewer.userId || staff, mayPost: room.ownerId === viewer.userId, staff, member };
    }
  }

  /** Whether the viewer may read the room now. Never throws; used on every event of a subscription. */
  async canReadRoom(viewer: Viewer, roomId: string): Promise<boolean> {
    return this.canReadRoomNow(viewer, roomId) ?? (await this.canReadRoomFresh(viewer, roomId));
  }

  private async canReadRoomFresh(viewer: Viewer, roomId: string): Promise<boolean> {
    const room = await this.room(roomId);
    return !!room && (await this.roomAccess(viewer, room)).read;
  }

  /**
   * canReadRoom from the caches alone, without a promise: undefined when an entry it needs is not cached (then
   * ask canReadRoom). Fan-out asks it for every subscriber of every event.
   */
  canReadRoomNow(viewer: Viewer, roomId: string): boolean | undefined {
    const room = this.rooms.get(roomId);
    if (room === undefined) return undefined;
    if (room === null || room.tenantId !== viewer.tenantId) return false;
    if (viewer.kind === 'apiKey') {
      if (this.revokedKeys.has(viewer.keyId) || !viewer.scopes.includes('read') || !API_KEY_ROOM_KINDS.includes(room.kind)) return false;
      return this.keyReachesNow(viewer, room.courseId);
    }
    const cm = this.cache.get(`${room.courseId}:${viewer.userId}`);
    if (cm === undefined) return undefined;
    if (!cm || !cm.active || cm.tenantId !== room.tenantId) return false;
    if (isGuest(cm.roles)) return room.kind === 'course';
    if (room.kind === 'course' || room.kind === 'live') return true;
    if (room.kind === 'tutor' && room.ownerId === viewer.userId) return true;
    if (isStaff(cm.roles) && (room.kind === 'group' || room.kind === 'tutor')) return true;
    if (room.kind === 'tutor') return false;
    const member = this.roomMembers.get(`${room.id}:${viewer.userId}`);
    if (member === undefined) return undefined;
    return !!member?.active;
  }

  /** The room and the viewer's rights; NOT_FOUND (existence is not revealed) unless the viewer may read it. */
  async requireRoomRead(viewer: Viewer, roomId: string): Promise<{ room: RoomInfo; rights: RoomRights }> {
    this.requireScope(viewer, 'read');
    const room = await this.room(roomId);
    const rights = room ? await this.roomRights(viewer, room) : NO_RIGHTS;
    if (!room || !rights.read) throw notFound('The room');
    return { room, rights };
  }

  async requireRoomPost(viewer: Viewer, roomId: string): Promise<{ room: RoomInfo; rights: RoomRights }> {
    const r = await this.requireRoomRead(viewer, roomId);
    if (viewer.kind === 'apiKey') throw new AppError('FORBIDDEN', 'Messages are written by people: an API key cannot post.');
    switch (r.rights.postRefusal) {
      case 'ARCHIVED':
        throw new AppError('ROOM_ARCHIVED', 'This room is archived: it can be read but takes no new messages.');
      case 'MUTED':
        throw new AppError('MUTED', 'A moderator has muted you in this room.');
      case 'READ_ONLY':
        throw new AppError('FORBIDDEN', 'You can read this room but not write in it.');
    }
    return r;
  }

  async requireRoomModerate(viewer: Viewer, roomId: string): Promise<{ room: RoomInfo; rights: RoomRights }> {
    const r = await this.requireRoomRead(viewer, roomId);
    if (!r.rights.moderate) throw new AppError('FORBIDDEN', 'Only instructors can moderate this room.');
    return r;
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
