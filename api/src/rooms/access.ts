/**
 * The room rules: who reads a room, who posts in it and who moderates it. Owned by the rooms service (and reached
 * through it: `rooms.access`); the course-level answers (membership, roles, API key reach) come from auth/access.ts.
 * Rooms and room memberships are cached in process and dropped on every instance when they change (control
 * messages through the realtime module), so checking every event of a subscription costs map lookups.
 */
import { and, eq } from 'drizzle-orm';
import { roomMembers, rooms } from './tables.js';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import { AppError, notFound } from '../errors.js';
import { isGuest, isStaff } from '../courses/roles.js';
import { cached, isUuid, type Access } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';

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
  /** Post or pin the announcement at the top of the room, notified to every member (staff, in the course room). */
  announce: boolean;
  /** Why posting is refused, when it is. */
  postRefusal: 'ARCHIVED' | 'MUTED' | 'READ_ONLY' | null;
}

const NO_RIGHTS: RoomRights = { read: false, post: false, moderate: false, announce: false, postRefusal: 'READ_ONLY' };
/** Rooms an integrator's API key may read: the shared ones, never a person's direct or tutor room. */
const API_KEY_ROOM_KINDS: readonly RoomKind[] = ['course', 'group', 'live'];

export class RoomAccess {
  private rooms = new Map<string, RoomInfo | null>();
  private roomMembers = new Map<string, CachedRoomMember | null>();

  constructor(
    private readonly db: Tx,
    realtime: Realtime,
    /** The course-level checks the room rules stand on. */
    private readonly course: Access,
  ) {
    realtime.hub.onControl((m) => {
      if (m.t === 'room') this.rooms.delete(m.roomId);
      else if (m.t === 'roomMember') this.roomMembers.delete(`${m.roomId}:${m.userId}`);
      else if (m.t === 'reset') {
        this.rooms.clear();
        this.roomMembers.clear();
      }
    });
  }

  /** A room's facts for authorization, cached; null when there is no such room. */
  async room(roomId: string): Promise<RoomInfo | null> {
    if (!isUuid(roomId)) return null;
    return cached(this.rooms, roomId, async () => {
      const [row] = await this.db
        .select({
          id: rooms.id,
          tenantId: rooms.tenantId,
          courseId: rooms.courseId,
          kind: rooms.kind,
          ownerId: rooms.ownerId,
          archivedAt: rooms.archivedAt,
        })
        .from(rooms)
        .where(eq(rooms.id, roomId));
      return row
        ? {
            id: row.id,
            tenantId: row.tenantId,
            courseId: row.courseId,
            kind: row.kind as RoomKind,
            ownerId: row.ownerId,
            archived: row.archivedAt !== null,
          }
        : null;
    });
  }

  /** A person's membership of a room, cached; null when there is no row. */
  async roomMember(roomId: string, userId: string): Promise<CachedRoomMember | null> {
    return cached(this.roomMembers, `${roomId}:${userId}`, async () => {
      const [row] = await this.db
        .select({ status: roomMembers.status, muted: roomMembers.muted, role: roomMembers.role })
        .from(roomMembers)
        .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)));
      return row ? { active: row.status === 'active', muted: row.muted, role: row.role } : null;
    });
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
    if (viewer.kind === 'apiKey') return { read: true, post: false, moderate: false, announce: false, postRefusal: 'READ_ONLY' };
    const moderate = base.staff && (room.kind === 'course' || room.kind === 'group' || room.kind === 'live');
    // The course room reaches every member of the course: staff speak to all of them there.
    const announce = base.staff && room.kind === 'course';
    // Mutes of course and live rooms live on read-state rows, looked up only when posting matters.
    const muted =
      room.kind === 'course' || room.kind === 'live' ? !!(await this.roomMember(room.id, viewer.userId))?.muted : !!base.member?.muted;
    const postRefusal = !base.mayPost ? 'READ_ONLY' : room.archived ? 'ARCHIVED' : muted && !base.staff ? 'MUTED' : null;
    return { read: true, post: postRefusal === null, moderate, announce, postRefusal };
  }

  /** Who reads and who may post, without the mute (so that checking every event reads nothing more). */
  private async roomAccess(
    viewer: Viewer,
    room: RoomInfo,
  ): Promise<{ read: boolean; mayPost: boolean; staff: boolean; member: CachedRoomMember | null }> {
    const none = { read: false, mayPost: false, staff: false, member: null };
    if (room.tenantId !== viewer.tenantId) return none;
    if (viewer.kind === 'apiKey') {
      const read =
        !this.course.isRevoked(viewer) &&
        viewer.scopes.includes('read') &&
        API_KEY_ROOM_KINDS.includes(room.kind) &&
        (await this.course.keyReaches(viewer, room.courseId));
      return { ...none, read };
    }
    const cm = await this.course.membership(room.courseId, viewer.userId);
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
      if (this.course.isRevoked(viewer) || !viewer.scopes.includes('read') || !API_KEY_ROOM_KINDS.includes(room.kind)) return false;
      return this.course.keyReachesNow(viewer, room.courseId);
    }
    const cm = this.course.membershipNow(room.courseId, viewer.userId);
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
    this.course.requireScope(viewer, 'read');
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

  /** Announcing in a room: the course room, by its staff (instructors, teaching assistants, administrators). */
  async requireRoomAnnounce(viewer: Viewer, roomId: string): Promise<{ room: RoomInfo; rights: RoomRights; userId: string }> {
    const r = await this.requireRoomRead(viewer, roomId);
    if (viewer.kind === 'apiKey') throw new AppError('FORBIDDEN', 'Announcements are made by people: an API key cannot announce.');
    if (r.room.kind !== 'course') throw new AppError('BAD_USER_INPUT', 'Announcements are made in the course room.');
    if (!r.rights.announce) throw new AppError('FORBIDDEN', 'Only instructors and teaching assistants can make announcements.');
    return { ...r, userId: viewer.userId };
  }
}
