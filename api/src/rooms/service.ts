/**
 * Rooms and chat. Every rule about who reads, posts, moderates and gets notified lives here and in
 * rooms/access.ts (roomRights), which this service owns. Changes are written through the realtime module: a
 * room's events (`room:<id>`) carry message snapshots, so subscribers never read the database per event.
 */
import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { memberships } from '../courses/tables.js';
import { messageReactions, messages, roomMembers, rooms } from './tables.js';
import { notifications } from '../notifications/tables.js';
import { users } from '../users/tables.js';
import { rows as sqlRows, type Tx } from '../db/client.js';
import type { Realtime, Emit, Invalidate } from '../realtime/realtime.js';
import { isUuid, type Access } from '../auth/access.js';
import { RoomAccess, type RoomInfo, type RoomKind, type RoomRights } from './access.js';
import type { Viewer } from '../auth/viewer.js';
import type { Config } from '../config.js';
import { mutationKey, type RateLimiter } from '../ratelimit.js';
import type { NotificationService, NewNotification } from '../notifications/service.js';
import { userStream } from '../notifications/events.js';
import { roomStream } from './events.js';
import type { PresenceService } from '../presence/service.js';
import type { Logger } from '../logger.js';
import { AppError, notFound } from '../errors.js';
import { isGuest, isStaff, STAFF_ROLES, type CourseRole } from '../courses/roles.js';
import { isCursorTime, pageRequest, toPage, type Page, type PageArgs } from '../db/pagination.js';
import {
  excerptOf,
  findMessage,
  messageView,
  messageViews,
  type AnnouncementView,
  type MessageKind,
  type MessageView,
  type Participant,
} from './views.js';
import { Announcements } from './announcements.js';
import { mentionsName, resolveMentionNames, type NamedPerson, type ResolvedMentions } from './mentions.js';
import * as input from './input.js';
import { cleanMultiline } from '../text.js';
import type { ActivityService, MessageVolume } from '../activity/service.js';
import { encodeStreamsCursor, parseStreamsCursor } from '../realtime/cursor.js';

export type RoomRow = typeof rooms.$inferSelect;

/** A room as its reader sees it. */
export interface RoomView extends RoomRow {
  rights: RoomRights;
  /** The name to show: the other person's name for a direct room. */
  displayName: string;
  /** Direct rooms: the other person. */
  peer: Participant | null;
  /** The seq of the room's latest event: pass it as `after` to follow the room from here. */
  lastSeq: number;
  /** The viewer's read marker (0 when they never read it; null for an API key). */
  lastReadSeq: number | null;
  /** Messages by others after the read marker. */
  unreadCount: number;
  muted: boolean;
  /** Course rooms: the message pinned at the top as the announcement. */
  announcement: AnnouncementView | null;
  /** How many people read it: the course's members for course and live rooms, the room's members otherwise. */
  memberCount: number;
}

export interface RoomMemberView {
  user: Participant;
  courseRoles: CourseRole[];
  /** owner | member */
  role: string;
  muted: boolean;
  /** Read receipts: shown in direct, group and tutor rooms only. */
  lastReadSeq: number | null;
}

export interface SendInput {
  roomId: string;
  clientId: string;
  body: string;
  kind?: 'text' | 'code' | null;
  language?: string | null;
  replyToId?: string | null;
  mentionIds?: readonly string[] | null;
  /** Post it as the course room's announcement (staff): pinned at the top, every member of the course notified. */
  announce?: boolean | null;
}

export interface SearchHit {
  message: MessageView;
  room: { id: string; name: string; kind: RoomKind };
  /** The matching passage; matches are wrapped in U+E000 … U+E001 (never present in message bodies). */
  snippet: string;
}

/** Read receipts are broadcast only where they mean something and stay cheap. */
const RECEIPT_KINDS: readonly RoomKind[] = ['direct', 'group', 'tutor'];
const TYPING_TTL_MS = 6_000;
const MAX_GROUP_MEMBERS = 500;
const AROUND = 25;
/** The rooms a course shares (its course room, groups, live classes' rooms), as opposed to one person's. */
const SHARED_KINDS: RoomKind[] = ['course', 'group', 'live'];

interface Deps {
  db: Tx;
  realtime: Realtime;
  access: Access;
  config: Config;
  limiter: RateLimiter;
  notifications: NotificationService;
  presence: PresenceService;
  /** Moderation (renaming, archiving, muting, deleting others' messages) goes to the course's audit log. */
  activity: ActivityService;
  log: Logger;
}

/**
 * Runs inside the transaction that stores a person's message (the tutor's: a question and its tutor request are
 * committed together, or neither). It may return what to do once that is committed, whose failures are logged,
 * never the sender's.
 */
export type PostedHook = (tx: Tx, room: RoomInfo, message: MessageView, authorId: string) => Promise<(() => Promise<void>) | null>;

export class RoomService {
  /** The room rules (who reads, posts, moderates), for whoever needs them: the tutor, subscriptions. */
  readonly access: RoomAccess;
  /** The announcement pinned at the top of the course room (rooms/announcements.ts). */
  readonly announcements: Announcements;
  readonly #postedHooks: PostedHook[] = [];

  constructor(private readonly d: Deps) {
    this.access = new RoomAccess(d.db, d.realtime, d.access);
    this.announcements = new Announcements({ db: d.db, realtime: d.realtime, access: this.access, notifications: d.notifications });
  }

  /**
   * Subscribes to messages posted by people. Rooms and the tutor need each other (the tutor posts its replies
   * through this service; a question posted here must become a tutor request in the same transaction): the
   * dependency points one way, tutor -> rooms, and the tutor subscribes here when it is constructed, so rooms
   * know nothing of the tutor and nothing is patched in after construction.
   */
  onMessagePosted(hook: PostedHook): void {
    this.#postedHooks.push(hook);
  }

  // ------------------------------------------------------------------ rooms

  /** The course room: created on the first launch into a course, named after it. */
  async ensureCourseRoom(tenantId: string, courseId: string, title: string): Promise<RoomRow> {
    return this.d.realtime.write(async (tx) => {
      const [row] = await tx.insert(rooms).values({ tenantId, courseId, kind: 'course', name: title }).onConflictDoNothing().returning();
      if (row) return row;
      const [existing] = await tx
        .select()
        .from(rooms)
        .where(and(eq(rooms.courseId, courseId), eq(rooms.kind, 'course')));
      if (existing!.name !== title) await tx.update(rooms).set({ name: title, updatedAt: new Date() }).where(eq(rooms.id, existing!.id));
      return { ...existing!, name: title };
    });
  }

  /** A live class's own chat room (kind `live`, `ref` = the class id), named after the class; made once. */
  async ensureLiveRoom(tenantId: string, courseId: string, classId: string, title: string): Promise<RoomRow> {
    return this.d.realtime.write(async (tx) => {
      const [row] = await tx
        .insert(rooms)
        .values({ tenantId, courseId, kind: 'live', ref: classId, name: title })
        .onConflictDoNothing()
        .returning();
      if (row) return row;
      const [existing] = await tx
        .select()
        .from(rooms)
        .where(and(eq(rooms.courseId, courseId), eq(rooms.kind, 'live'), eq(rooms.ref, classId)));
      return existing!;
    });
  }

  /** Archives a live class's room in the caller's transaction (the class was deleted before it started). */
  async archiveLiveRoom(tx: Tx, roomId: string): Promise<void> {
    await tx
      .update(rooms)
      .set({ archivedAt: sql`now()` })
      .where(and(eq(rooms.id, roomId), eq(rooms.kind, 'live'), isNull(rooms.archivedAt)));
  }

  /** Posts "<name> joined the course" in the course room (a member's first launch). */
  async announceJoin(tenantId: string, courseId: string, userId: string): Promise<void> {
    await this.d.realtime.write(async (tx, emit) => {
      const [room] = await tx
        .select()
        .from(rooms)
        .where(and(eq(rooms.courseId, courseId), eq(rooms.kind, 'course')));
      const [user] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
      if (room && user) await this.systemMessage(tx, emit, room, `${user.name} joined the course`, { event: 'joined', userId });
    });
  }

  /** The rooms of a course the viewer belongs in, the course room first, then by latest message. */
  async listRooms(viewer: Viewer, courseId: string): Promise<RoomView[]> {
    await this.d.access.requireCourseRead(viewer, courseId);
    const me = viewer.kind === 'session' ? viewer.userId : null;
    const myRoles = me ? ((await this.d.access.membership(courseId, me))?.roles ?? []) : [];
    const staff = isStaff(myRoles);
    let visible: SQL;
    if (!me) visible = inArray(rooms.kind, ['course', 'group', 'live']);
    else if (isGuest(myRoles))
      visible = eq(rooms.kind, 'course'); // a guest reads the course room only
    else {
      const member = sql`exists (select 1 from room_members m where m.room_id = ${rooms.id} and m.user_id = ${me} and m.status = 'active')`;
      visible = or(
        inArray(rooms.kind, ['course', 'live']),
        and(eq(rooms.kind, 'group'), staff ? sql`true` : member),
        and(eq(rooms.kind, 'direct'), member),
        and(eq(rooms.kind, 'tutor'), eq(rooms.ownerId, me)),
      )!;
    }
    const order = [
      sql`case when ${rooms.kind} = 'course' then 0 else 1 end`,
      sql`${rooms.archivedAt} is not null`,
      sql`${rooms.lastMessageAt} desc nulls last`,
      asc(rooms.name),
    ];
    const ids = (
      await this.d.db
        .select({ id: rooms.id })
        .from(rooms)
        .where(and(eq(rooms.courseId, courseId), eq(rooms.tenantId, viewer.tenantId), visible))
        .orderBy(...order)
        .limit(500)
    ).map((r) => r.id);
    if (ids.length === 0) return [];
    // Which rooms, then their heads, then what the list shows of them: each room as at least as new as its lastSeq,
    // the position a follower starts from (a rename or a message in between is not lost between the two).
    const headOf = await this.d.realtime.heads(ids.map((id) => roomStream(id)));
    const rows = await this.d.db
      .select()
      .from(rooms)
      .where(inArray(rooms.id, ids))
      .orderBy(...order);
    return this.roomViews(viewer, rows, headOf);
  }

  /**
   * The room list and the cursor of everything it reflects, for chatActivity's `after`: the viewer's own stream
   * (rooms joined or left; read first, so a room joined after the list was read is an event after the cursor)
   * and each room's lastSeq.
   */
  async listRoomsFollowed(viewer: Viewer, courseId: string): Promise<{ rooms: RoomView[]; cursor: string }> {
    await this.d.access.requireCourseRead(viewer, courseId);
    const positions = new Map<string, number>();
    if (viewer.kind === 'session') positions.set(userStream(viewer.userId), await this.d.realtime.head(userStream(viewer.userId)));
    const list = await this.listRooms(viewer, courseId);
    for (const r of list) positions.set(roomStream(r.id), r.lastSeq);
    return { rooms: list, cursor: encodeStreamsCursor(roomListScope(viewer, courseId), positions) };
  }

  async getRoom(viewer: Viewer, roomId: string): Promise<RoomView> {
    await this.access.requireRoomRead(viewer, roomId);
    // The head before the row (see listRooms).
    const headOf = await this.d.realtime.heads([roomStream(roomId)]);
    const [row] = await this.d.db.select().from(rooms).where(eq(rooms.id, roomId));
    if (!row) throw notFound('The room');
    return (await this.roomViews(viewer, [row], headOf))[0]!;
  }

  /** `heads`: the rooms' heads, read before `rows` by a caller that follows them (read here otherwise). */
  private async roomViews(viewer: Viewer, rows: RoomRow[], heads?: ReadonlyMap<string, number>): Promise<RoomView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const headOf = heads ?? (await this.d.realtime.heads(ids.map((id) => roomStream(id))));
    const me = viewer.kind === 'session' ? viewer.userId : null;
    const reads = me
      ? await this.d.db
          .select({ roomId: roomMembers.roomId, lastReadSeq: roomMembers.lastReadSeq, muted: roomMembers.muted })
          .from(roomMembers)
          .where(and(inArray(roomMembers.roomId, ids), eq(roomMembers.userId, me)))
      : [];
    const readOf = new Map(reads.map((r) => [r.roomId, r]));
    // Unread: messages by others after the marker, counted per room in one query, up to the room's head (what
    // comes later reaches a follower as an event and counts then, once).
    const unread = me
      ? await this.d.db
          .select({ roomId: messages.roomId, n: count() })
          .from(messages)
          .leftJoin(roomMembers, and(eq(roomMembers.roomId, messages.roomId), eq(roomMembers.userId, me)))
          .where(
            and(
              or(...rows.map((r) => and(eq(messages.roomId, r.id), lte(messages.seq, headOf.get(roomStream(r.id)) ?? 0)))),
              sql`${messages.seq} > coalesce(${roomMembers.lastReadSeq}, 0)`,
              isNull(messages.deletedAt),
              ne(messages.kind, 'system'),
              sql`${messages.authorId} is distinct from ${me}::uuid`,
            ),
          )
          .groupBy(messages.roomId)
      : [];
    const unreadOf = new Map(unread.map((u) => [u.roomId, Number(u.n)]));
    const directIds = rows.filter((r) => r.kind === 'direct').map((r) => r.id);
    const others =
      directIds.length && me
        ? await this.d.db
            .select({ roomId: roomMembers.roomId, id: users.id, name: users.name, picture: users.picture })
            .from(roomMembers)
            .innerJoin(users, eq(users.id, roomMembers.userId))
            .where(and(inArray(roomMembers.roomId, directIds), ne(roomMembers.userId, me)))
        : [];
    const peerOf = new Map(others.map((o) => [o.roomId, { id: o.id, name: o.name, picture: o.picture }]));
    const announcementOf = await this.announcements.of(rows);
    const memberCountOf = await this.memberCounts(rows);
    const views: RoomView[] = [];
    for (const r of rows) {
      const info = toInfo(r);
      views.push({
        ...r,
        rights: await this.access.roomRights(viewer, info),
        displayName: r.kind === 'direct' ? (peerOf.get(r.id)?.name ?? 'Direct message') : r.name,
        peer: peerOf.get(r.id) ?? null,
        lastSeq: headOf.get(roomStream(r.id)) ?? 0,
        lastReadSeq: me ? (readOf.get(r.id)?.lastReadSeq ?? 0) : null,
        unreadCount: unreadOf.get(r.id) ?? 0,
        muted: readOf.get(r.id)?.muted ?? false,
        announcement: announcementOf.get(r.id) ?? null,
        memberCount: memberCountOf.get(r.id) ?? 0,
      });
    }
    return views;
  }

  /** How many read each room: one count for the course (course and live rooms), one for the other rooms' members. */
  private async memberCounts(rows: RoomRow[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const whole = rows.filter((r) => r.kind === 'course' || r.kind === 'live');
    const courseIds = [...new Set(whole.map((r) => r.courseId))];
    if (courseIds.length) {
      const counts = await this.d.db
        .select({ courseId: memberships.courseId, n: count() })
        .from(memberships)
        .where(and(inArray(memberships.courseId, courseIds), eq(memberships.status, 'active')))
        .groupBy(memberships.courseId);
      const ofCourse = new Map(counts.map((c) => [c.courseId, Number(c.n)]));
      for (const r of whole) out.set(r.id, ofCourse.get(r.courseId) ?? 0);
    }
    const others = rows.filter((r) => r.kind !== 'course' && r.kind !== 'live').map((r) => r.id);
    if (others.length) {
      const counts = await this.d.db
        .select({ roomId: roomMembers.roomId, n: count() })
        .from(roomMembers)
        .where(and(inArray(roomMembers.roomId, others), eq(roomMembers.status, 'active')))
        .groupBy(roomMembers.roomId);
      for (const c of counts) out.set(c.roomId, Number(c.n));
    }
    return out;
  }

  /** A group room, created by staff with the members they choose (active course members only). */
  async createGroupRoom(
    viewer: Viewer,
    courseId: string,
    args: { name: string; topic?: string | null; memberIds?: readonly string[] | null },
  ): Promise<RoomView> {
    await this.d.access.requireCourseManage(viewer, courseId);
    const me = sessionUser(viewer, 'create rooms');
    const name = input.cleanRoomName(args.name);
    const topic = input.cleanTopic(args.topic);
    const wanted = input.cleanIds(args.memberIds, 'memberIds', MAX_GROUP_MEMBERS).filter((id) => id !== me);
    const room = await this.d.realtime.write(async (tx, emit, invalidate) => {
      const valid = await activeMembers(tx, courseId, wanted, true);
      if (valid.length !== wanted.length)
        throw new AppError('BAD_USER_INPUT', `${wanted.length - valid.length} of the chosen people are not members of this course.`, {
          field: 'memberIds',
        });
      const [row] = await tx
        .insert(rooms)
        .values({ tenantId: viewer.tenantId, courseId, kind: 'group', name, topic, ownerId: me })
        .returning();
      await this.addMemberRows(tx, emit, invalidate, row!, [me], 'owner');
      await this.addMemberRows(tx, emit, invalidate, row!, valid, 'member');
      await this.systemMessage(tx, emit, row!, `${await nameOf(tx, me)} created the room`, { event: 'created', userId: me });
      return row!;
    });
    return (await this.roomViews(viewer, [room]))[0]!;
  }

  /** Rename, change the topic, archive or unarchive (moderators). The course room's name follows the course. */
  async updateRoom(
    viewer: Viewer,
    roomId: string,
    args: { name?: string | null; topic?: string | null; archived?: boolean | null },
  ): Promise<RoomView> {
    const { room } = await this.access.requireRoomModerate(viewer, roomId);
    const me = sessionUser(viewer, 'change rooms');
    if (room.kind !== 'group' && (args.name != null || args.archived != null)) {
      throw new AppError('BAD_USER_INPUT', 'Only group rooms can be renamed or archived; the course room follows the course.');
    }
    const updated = await this.d.realtime.write(async (tx, emit, invalidate) => {
      const [before] = await tx.select().from(rooms).where(eq(rooms.id, roomId)).for('update');
      const set: Partial<RoomRow> = {};
      const notes: string[] = [];
      const who = await nameOf(tx, me);
      if (args.name != null) {
        const name = input.cleanRoomName(args.name);
        if (name !== before!.name) {
          set.name = name;
          notes.push(`${who} renamed the room to “${name}”`);
        }
      }
      if (args.topic !== undefined) {
        const topic = input.cleanTopic(args.topic);
        if (topic !== before!.topic) {
          set.topic = topic;
          notes.push(topic ? `${who} set the topic: ${topic}` : `${who} cleared the topic`);
        }
      }
      if (args.archived != null && args.archived !== (before!.archivedAt !== null)) {
        set.archivedAt = args.archived ? new Date() : null;
        notes.push(args.archived ? `${who} archived the room` : `${who} reopened the room`);
      }
      if (notes.length === 0) return before!;
      const [row] = await tx
        .update(rooms)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(rooms.id, roomId))
        .returning();
      invalidate({ t: 'room', roomId });
      for (const n of notes) await this.systemMessage(tx, emit, row!, n, { event: 'updated' });
      const shape = (r: RoomRow) => ({ name: r.name, topic: r.topic, archived: r.archivedAt !== null });
      await this.d.activity.recordAudit({
        tenantId: row!.tenantId,
        courseId: row!.courseId,
        by: viewer,
        entity: 'room',
        entityId: roomId,
        action: roomAction(set),
        before: shape(before!),
        after: shape(row!),
      });
      await emit(roomStream(roomId), {
        tenantId: row!.tenantId,
        type: 'room.updated',
        payload: { name: row!.name, topic: row!.topic, archived: row!.archivedAt !== null },
      });
      return row!;
    });
    return (await this.roomViews(viewer, [updated]))[0]!;
  }

  /** Adds course members to a group room (moderators). */
  async addMembers(viewer: Viewer, roomId: string, userIds: readonly string[]): Promise<RoomView> {
    const { room } = await this.access.requireRoomModerate(viewer, roomId);
    const me = sessionUser(viewer, 'manage rooms');
    if (room.kind !== 'group') throw new AppError('BAD_USER_INPUT', 'Members are managed in group rooms only.');
    const wanted = input.cleanIds(userIds, 'userIds', MAX_GROUP_MEMBERS);
    await this.d.realtime.write(async (tx, emit, invalidate) => {
      const valid = await activeMembers(tx, room.courseId, wanted, true);
      if (valid.length !== wanted.length)
        throw new AppError('BAD_USER_INPUT', `${wanted.length - valid.length} of the chosen people are not members of this course.`, {
          field: 'userIds',
        });
      const [row] = await tx.select().from(rooms).where(eq(rooms.id, roomId));
      const added = await this.addMemberRows(tx, emit, invalidate, row!, valid, 'member');
      if (added.length) {
        const names = await namesOf(tx, added);
        await this.systemMessage(tx, emit, row!, `${await nameOf(tx, me)} added ${listNames(names)}`, { event: 'added', userIds: added });
      }
    });
    return this.getRoom(viewer, roomId);
  }

  /** Removes a member from a group room (moderators), or leaves it (anyone, for themselves). */
  async removeMember(viewer: Viewer, roomId: string, userId: string): Promise<boolean> {
    const me = sessionUser(viewer, 'manage rooms');
    const { room, rights } = await this.access.requireRoomRead(viewer, roomId);
    if (room.kind !== 'group') throw new AppError('BAD_USER_INPUT', 'Members are managed in group rooms only.');
    if (userId !== me && !rights.moderate) throw new AppError('FORBIDDEN', 'Only instructors can remove someone from a room.');
    return this.d.realtime.write(async (tx, emit, invalidate) => {
      const [gone] = await tx
        .update(roomMembers)
        .set({ status: 'left', updatedAt: new Date() })
        .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId), eq(roomMembers.status, 'active')))
        .returning();
      if (!gone) return false;
      invalidate({ t: 'roomMember', roomId, userId });
      const [row] = await tx.select().from(rooms).where(eq(rooms.id, roomId));
      const text = userId === me ? `${await nameOf(tx, me)} left` : `${await nameOf(tx, me)} removed ${await nameOf(tx, userId)}`;
      await this.systemMessage(tx, emit, row!, text, { event: 'removed', userId });
      await emit(roomStream(roomId), { tenantId: room.tenantId, type: 'members.changed', payload: { userId, change: 'removed' } });
      await emit(userStream(userId), {
        tenantId: room.tenantId,
        type: 'rooms.changed',
        payload: { roomId, courseId: room.courseId, change: 'removed' },
      });
      return true;
    });
  }

  /** Mutes or unmutes a learner in a course, group or live room (moderators). Staff cannot be muted. */
  async setMuted(viewer: Viewer, roomId: string, userId: string, muted: boolean): Promise<boolean> {
    const { room } = await this.access.requireRoomModerate(viewer, roomId);
    sessionUser(viewer, 'moderate');
    if (!isUuid(userId)) throw notFound('The member');
    const cm = await this.d.access.membership(room.courseId, userId);
    if (!cm || !cm.active) throw notFound('The member');
    if (isStaff(cm.roles)) throw new AppError('BAD_USER_INPUT', 'Instructors and assistants cannot be muted.');
    // Before the write (read through the cache, outside the transaction): the audit's "before".
    const was = await this.access.roomMember(roomId, userId);
    return this.d.realtime.write(async (tx, emit, invalidate) => {
      const status = room.kind === 'group' ? 'active' : 'reader';
      if (room.kind === 'group' && !was?.active) throw notFound('The member');
      await this.d.activity.recordAudit({
        tenantId: room.tenantId,
        courseId: room.courseId,
        by: viewer,
        entity: 'room_member',
        entityId: `${roomId}:${userId}`,
        action: muted ? 'muted' : 'unmuted',
        before: { muted: was?.muted ?? false },
        after: { muted },
      });
      await tx
        .insert(roomMembers)
        .values({ roomId, userId, tenantId: room.tenantId, status, muted })
        .onConflictDoUpdate({ target: [roomMembers.roomId, roomMembers.userId], set: { muted, updatedAt: new Date() } });
      invalidate({ t: 'roomMember', roomId, userId });
      await emit(roomStream(roomId), {
        tenantId: room.tenantId,
        type: 'members.changed',
        payload: { userId, change: muted ? 'muted' : 'unmuted' },
      });
      return muted;
    });
  }

  /** The direct room of the viewer and another member of the course, created on first use. */
  async openDirectRoom(viewer: Viewer, courseId: string, otherId: string): Promise<RoomView> {
    await this.d.access.requireCourseRead(viewer, courseId);
    const me = sessionUser(viewer, 'send direct messages');
    await this.d.access.requireParticipant(viewer, courseId);
    if (otherId === me) throw new AppError('BAD_USER_INPUT', 'A direct conversation needs someone else.');
    const other = isUuid(otherId) ? await this.d.access.membership(courseId, otherId) : null;
    if (!other?.active) throw notFound('The member');
    if (isGuest(other.roles)) throw new AppError('FORBIDDEN', 'Guests of this course take no direct messages.', { reason: 'GUEST' });
    const key = [me, otherId].sort().join(':');
    const room = await this.d.realtime.write(async (tx, emit, invalidate) => {
      const [created] = await tx
        .insert(rooms)
        .values({ tenantId: viewer.tenantId, courseId, kind: 'direct', name: '', directKey: key })
        .onConflictDoNothing()
        .returning();
      if (!created) {
        const [existing] = await tx
          .select()
          .from(rooms)
          .where(and(eq(rooms.courseId, courseId), eq(rooms.directKey, key)));
        return existing!;
      }
      await this.addMemberRows(tx, emit, invalidate, created, [me, otherId], 'member');
      return created;
    });
    return (await this.roomViews(viewer, [room]))[0]!;
  }

  /** The viewer's private tutor room in a course, created on first use (the AI tutor answers there). */
  async openTutorRoom(viewer: Viewer, courseId: string): Promise<RoomView> {
    await this.d.access.requireCourseRead(viewer, courseId);
    const me = sessionUser(viewer, 'talk to the tutor');
    await this.d.access.requireParticipant(viewer, courseId);
    const room = await this.d.realtime.write(async (tx, emit, invalidate) => {
      const [created] = await tx
        .insert(rooms)
        .values({ tenantId: viewer.tenantId, courseId, kind: 'tutor', name: 'AI tutor', ownerId: me })
        .onConflictDoNothing()
        .returning();
      if (!created) {
        const [existing] = await tx
          .select()
          .from(rooms)
          .where(and(eq(rooms.courseId, courseId), eq(rooms.kind, 'tutor'), eq(rooms.ownerId, me)));
        return existing!;
      }
      await this.addMemberRows(tx, emit, invalidate, created, [me], 'owner');
      return created;
    });
    return (await this.roomViews(viewer, [room]))[0]!;
  }

  /** People in a room: the course's members for course and live rooms, the room's members otherwise. */
  async listMembers(viewer: Viewer, roomId: string, args: PageArgs): Promise<Page<RoomMemberView>> {
    const { room } = await this.access.requireRoomRead(viewer, roomId);
    const req = pageRequest(args, isNameKey);
    const key = sql`(${users.name}, ${users.id})`;
    const conds: SQL[] = [];
    if (req.cursor) {
      const [n, id] = req.cursor;
      conds.push(req.direction === 'forward' ? sql`${key} > (${n}, ${id}::uuid)` : sql`${key} < (${n}, ${id}::uuid)`);
    }
    const order = req.direction === 'forward' ? [asc(users.name), asc(users.id)] : [desc(users.name), desc(users.id)];
    const whole = room.kind === 'course' || room.kind === 'live';
    const rows = await this.d.db
      .select({
        id: users.id,
        name: users.name,
        picture: users.picture,
        roles: memberships.roles,
        role: roomMembers.role,
        muted: roomMembers.muted,
        lastReadSeq: roomMembers.lastReadSeq,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .leftJoin(roomMembers, and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, memberships.userId)))
      .where(
        and(
          eq(memberships.courseId, room.courseId),
          eq(memberships.status, 'active'),
          whole ? sql`true` : eq(roomMembers.status, 'active'),
          ...conds,
        ),
      )
      .orderBy(...order)
      .limit(req.limit + 1);
    const receipts = RECEIPT_KINDS.includes(room.kind);
    return toPage(
      req,
      rows.map((r) => ({
        user: { id: r.id, name: r.name, picture: r.picture },
        courseRoles: r.roles as CourseRole[],
        role: r.role === 'owner' ? 'owner' : 'member',
        muted: r.muted ?? false,
        lastReadSeq: receipts ? (r.lastReadSeq ?? 0) : null,
      })),
      (m) => [m.user.name, m.user.id] as [string, string],
    );
  }

  // --------------------------------------------------------------- messages

  /**
   * History, newest last. `last`/`before` page back in time, `first`/`after` forward, `around` (a message id)
   * returns the messages on both sides of one message (jump to a message).
   */
  async messages(viewer: Viewer, roomId: string, args: PageArgs & { around?: string | null }): Promise<Page<MessageView>> {
    await this.access.requireRoomRead(viewer, roomId);
    if (args.around != null) return this.around(roomId, args.around, args);
    const req = pageRequest(args, isSeqKey);
    const conds = [eq(messages.roomId, roomId)];
    if (req.cursor) conds.push(req.direction === 'forward' ? gt(messages.seq, req.cursor) : sql`${messages.seq} < ${req.cursor}`);
    const rows = await this.d.db
      .select()
      .from(messages)
      .where(and(...conds))
      .orderBy(req.direction === 'forward' ? asc(messages.seq) : desc(messages.seq))
      .limit(req.limit + 1);
    const views = await messageViews(this.d.db, rows);
    return toPage(req, views, (m) => m.seq!);
  }

  private async around(roomId: string, messageId: string, args: PageArgs): Promise<Page<MessageView>> {
    if (args.first != null || args.last != null || args.after != null || args.before != null)
      throw new AppError('BAD_USER_INPUT', 'Pass around alone.');
    const target = isUuid(messageId) ? await findMessage(this.d.db, roomId, messageId) : undefined;
    if (!target) throw notFound('The message');
    const older = await this.d.db
      .select()
      .from(messages)
      .where(and(eq(messages.roomId, roomId), lte(messages.seq, target.seq)))
      .orderBy(desc(messages.seq))
      .limit(AROUND + 1);
    const newer = await this.d.db
      .select()
      .from(messages)
      .where(and(eq(messages.roomId, roomId), gt(messages.seq, target.seq)))
      .orderBy(asc(messages.seq))
      .limit(AROUND + 1);
    const rows = [...older.slice(0, AROUND).reverse(), ...newer.slice(0, AROUND)];
    const views = await messageViews(this.d.db, rows);
    const edges = views.map((node) => ({ cursor: encodeSeq(node.seq!), node }));
    return {
      edges,
      pageInfo: {
        hasPreviousPage: older.length > AROUND,
        hasNextPage: newer.length > AROUND,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  /**
   * Sends a message. Idempotent by (room, author, clientId): a resend returns the message already stored,
   * with no second event. Limits: length, then the per-user rate. Notifies mentioned people, the author of
   * the message replied to, and the other person of a direct room when they are not online. People are
   * mentioned by id (picked from suggestions) or by "@Full Name" in the text; a name that two people of the room
   * bear notifies neither and comes back in `ambiguousMentions`.
   */
  async send(viewer: Viewer, args: SendInput): Promise<MessageView> {
    const me = sessionUser(viewer, 'post');
    const clientId = input.cleanClientId(args.clientId);
    const { room } = await this.access.requireRoomPost(viewer, args.roomId);
    if (args.announce) await this.access.requireRoomAnnounce(viewer, room.id);
    const kind: MessageKind = args.kind === 'code' ? 'code' : 'text';
    const body = input.cleanBody(args.body, this.d.config.chatMaxMessageChars);
    const language = kind === 'code' ? input.cleanLanguage(args.language) : null;
    const pickedIds = input.cleanIds(args.mentionIds, 'mentionIds', input.MAX_MENTIONS).filter((id) => id !== me);
    const replyToId = args.replyToId ?? null;
    if (replyToId !== null && !isUuid(replyToId))
      throw new AppError('BAD_USER_INPUT', 'The message replied to is not in this room.', { field: 'replyToId' });
    // The resend check, the reply's parent and the rate limit at once (each a round trip). A resend of a stored
    // message returns it and gives its use of the limit back, so resending never counts.
    const limitKey = `chat:${me}`;
    const [existing, parent, limited] = await Promise.all([
      this.byClientId(room.id, me, clientId),
      replyToId ? findMessage(this.d.db, room.id, replyToId) : null,
      this.d.limiter.take(limitKey, this.d.config.chatRateLimit, this.d.config.chatRateWindowSeconds * 1000, 'Slow down').then(
        () => null,
        (err: unknown) => err,
      ),
    ]);
    if (existing) {
      await this.d.limiter.giveBack(limitKey);
      return existing;
    }
    if (replyToId !== null && !parent) {
      await this.d.limiter.giveBack(limitKey);
      throw new AppError('BAD_USER_INPUT', 'The message replied to is not in this room.', { field: 'replyToId' });
    }
    if (limited) throw limited;
    if (args.announce) {
      // An announcement notifies every member of the course: it counts as costly too, with pinAnnouncement.
      const { limit, windowMs } = this.d.config.rateLimits.costly;
      try {
        await this.d.limiter.take(mutationKey('costly', `u:${me}`), limit, windowMs, 'Too many announcements');
      } catch (err) {
        await this.d.limiter.giveBack(limitKey);
        throw err;
      }
    }
    const named = kind === 'text' ? await this.namedMentions(room, me, body, pickedIds) : NONE_NAMED;
    const mentionIds = [...new Set([...pickedIds, ...named.ids])].slice(0, input.MAX_MENTIONS);
    // An announcement notifies every member of the course, each once, instead.
    const recipients = args.announce ? [] : await this.recipients(room, me, mentionIds, replyToId);
    let posted: MessageView;
    const afterCommit: (() => Promise<void>)[] = [];
    try {
      posted = await this.d.realtime.write(async (tx, emit) => {
        const mentions = mentionIds.length ? await activeMembers(tx, room.courseId, mentionIds) : [];
        const message = await this.appendMessage(tx, emit, room, { authorId: me, clientId, kind, body, language, replyToId, mentions });
        await this.advanceRead(tx, room, me, message.seq!);
        await this.d.notifications.notify(recipients.map((r) => ({ ...r, messageId: message.id, excerpt: excerptOf(body) })));
        if (args.announce) await this.announcements.pinIn(tx, emit, room, message, me);
        for (const hook of this.#postedHooks) {
          const after = await hook(tx, room, message, me);
          if (after) afterCommit.push(after);
        }
        return message;
      });
    } catch (err) {
      // Two sends of one clientId racing: the loser's transaction rolled back whole; answer with the winner's.
      if (isUniqueViolation(err)) {
        const again = await this.byClientId(room.id, me, clientId);
        if (again) return again;
      }
      throw err;
    }
    for (const after of afterCommit)
      await after().catch((err: unknown) => this.d.log.error({ err, roomId: room.id }, 'rooms: after-post hook failed'));
    return { ...posted, ambiguousMentions: named.ambiguous };
  }

  /** The people of the room named as "@Full Name" in `body` (nobody in code); `picked`: ids chosen explicitly. */
  private async namedMentions(room: RoomInfo, me: string, body: string, picked: readonly string[]): Promise<ResolvedMentions> {
    if (!body.includes('@')) return NONE_NAMED;
    return resolveMentionNames(body, await this.mentionablePeople(room, me), new Set(picked));
  }

  /** Whom "@Name" can mean in a room: the course's members in course and live rooms, else the room's; never oneself. */
  private async mentionablePeople(room: RoomInfo, me: string): Promise<NamedPerson[]> {
    const person = { id: users.id, name: users.name };
    const rows =
      room.kind === 'course' || room.kind === 'live'
        ? await this.d.db
            .select(person)
            .from(memberships)
            .innerJoin(users, eq(users.id, memberships.userId))
            .where(and(eq(memberships.courseId, room.courseId), eq(memberships.status, 'active')))
        : await this.d.db
            .select(person)
            .from(roomMembers)
            .innerJoin(users, eq(users.id, roomMembers.userId))
            .where(and(eq(roomMembers.roomId, room.id), eq(roomMembers.status, 'active')));
    return rows.filter((p) => p.id !== me);
  }

  /**
   * Posts a message written by the tool on someone's behalf (the AI tutor), in the caller's write if there is
   * one. Idempotent by `clientId`: a second post with the same id returns the first.
   */
  async postAs(roomId: string, authorId: string, body: string, clientId: string): Promise<MessageView> {
    return this.d.realtime.write(async (tx, emit) => {
      const [existing] = await tx
        .select()
        .from(messages)
        .where(and(eq(messages.roomId, roomId), eq(messages.authorId, authorId), eq(messages.clientId, clientId)));
      if (existing) return messageView(tx, existing);
      const [row] = await tx.select().from(rooms).where(eq(rooms.id, roomId));
      if (!row) throw notFound('The room');
      // What the tutor's model wrote is cleaned as a platform's text is (src/text.ts): it cannot refuse its own reply.
      return this.appendMessage(tx, emit, toInfo(row), {
        authorId,
        clientId,
        kind: 'text',
        body: cleanMultiline(body, 'body', 'platform'),
      });
    });
  }

  /** A system line in a room ("The tutor's budget for today is used up"), in the caller's write if there is one. */
  async postSystem(roomId: string, text: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.d.realtime.write(async (tx, emit) => {
      const [row] = await tx.select().from(rooms).where(eq(rooms.id, roomId));
      if (row) await this.systemMessage(tx, emit, row, text, data);
    });
  }

  private async byClientId(roomId: string, authorId: string, clientId: string): Promise<MessageView | null> {
    const [row] = await this.d.db
      .select()
      .from(messages)
      .where(and(eq(messages.roomId, roomId), eq(messages.authorId, authorId), eq(messages.clientId, clientId)));
    return row ? messageView(this.d.db, row) : null;
  }

  /**
   * Stores a new message in the caller's transaction: its `message.added` event first (the event's seq is the
   * message's; the event carries the message's snapshot), then the row. The one way every message is written.
   */
  private async appendMessage(
    tx: Tx,
    emit: Emit,
    room: RoomInfo,
    m: {
      authorId: string | null;
      clientId: string | null;
      kind: MessageKind;
      body: string;
      language?: string | null;
      replyToId?: string | null;
      mentions?: string[];
      system?: Record<string, unknown>;
    },
  ): Promise<MessageView> {
    const createdAt = new Date();
    const values = {
      id: crypto.randomUUID(),
      tenantId: room.tenantId,
      roomId: room.id,
      authorId: m.authorId,
      clientId: m.clientId,
      kind: m.kind,
      body: m.body,
      language: m.language ?? null,
      replyToId: m.replyToId ?? null,
      mentions: m.mentions ?? [],
      createdAt,
    };
    const draft = {
      ...(await messageView(tx, { ...values, seq: 0, editedAt: null, deletedAt: null, deletedBy: null, search: '' }, { fresh: true })),
      seq: null,
    };
    const ev = await emit(roomStream(room.id), {
      tenantId: room.tenantId,
      type: 'message.added',
      payload: m.system ? { message: draft, system: m.system } : { message: draft },
    });
    const insert = tx.insert(messages).values({ ...values, seq: ev.seq });
    // A person's message also moves the room's last activity: one statement, one round trip.
    if (m.kind === 'system') await insert;
    else
      await tx.execute(
        sql`with m as ${insert} update ${rooms} set last_message_at = ${createdAt.toISOString()}::timestamptz where id = ${room.id}`,
      );
    return { ...draft, seq: ev.seq };
  }

  /** Who gets a notification for a new message: each for one reason, and only if they can read the room. */
  private async recipients(
    room: RoomInfo,
    me: string,
    mentionIds: string[],
    replyToId: string | null,
  ): Promise<Omit<NewNotification, 'messageId' | 'excerpt'>[]> {
    const out = new Map<string, Omit<NewNotification, 'messageId' | 'excerpt'>>();
    const base = { tenantId: room.tenantId, courseId: room.courseId, actorId: me, roomId: room.id };
    const canRead = async (userId: string) => (await this.access.roomRights(personViewer(room.tenantId, userId), room)).read;
    for (const n of await this.mentionRecipients(room, me, mentionIds)) out.set(n.userId, n);
    if (replyToId) {
      const [parent] = await this.d.db.select({ authorId: messages.authorId }).from(messages).where(eq(messages.id, replyToId));
      const to = parent?.authorId;
      if (to && to !== me && !out.has(to) && (await canRead(to))) out.set(to, { ...base, userId: to, type: 'reply' });
    }
    if (room.kind === 'direct') {
      const [other] = await this.d.db
        .select({ userId: roomMembers.userId })
        .from(roomMembers)
        .where(and(eq(roomMembers.roomId, room.id), ne(roomMembers.userId, me), eq(roomMembers.status, 'active')));
      if (other && !out.has(other.userId) && (await this.d.presence.stateOf(room.courseId, other.userId)) !== 'online') {
        // One unread notification per conversation while they are away, not one per message.
        out.set(other.userId, { ...base, userId: other.userId, type: 'direct_message', dedupeKey: `dm:${room.id}` });
      }
    }
    return [...out.values()];
  }

  /** A mention notification for each of `ids` who can read the room. */
  private async mentionRecipients(
    room: RoomInfo,
    me: string,
    ids: readonly string[],
  ): Promise<Omit<NewNotification, 'messageId' | 'excerpt'>[]> {
    const out: Omit<NewNotification, 'messageId' | 'excerpt'>[] = [];
    for (const id of ids) {
      if ((await this.access.roomRights(personViewer(room.tenantId, id), room)).read)
        out.push({ tenantId: room.tenantId, courseId: room.courseId, actorId: me, roomId: room.id, userId: id, type: 'mention' });
    }
    return out;
  }

  /**
   * Edits the text of one's own message. Its mentions follow the text: those whose "@Name" is still written stay,
   * names newly written are resolved as in `send` (and notified), ambiguous ones come back in `ambiguousMentions`.
   */
  async edit(viewer: Viewer, messageId: string, args: { body: string; language?: string | null }): Promise<MessageView> {
    const me = sessionUser(viewer, 'edit messages');
    const { row, room } = await this.messageFor(viewer, messageId);
    if (row.authorId !== me || row.kind === 'system') throw new AppError('FORBIDDEN', 'Only the author can edit a message.');
    if (row.deletedAt) throw new AppError('CONFLICT', 'This message was deleted.');
    await this.access.requireRoomPost(viewer, room.id);
    const body = input.cleanBody(args.body, this.d.config.chatMaxMessageChars);
    const language = row.kind === 'code' ? (args.language !== undefined ? input.cleanLanguage(args.language) : row.language) : null;
    const before = row.mentions.length ? await namesOf(this.d.db, row.mentions) : [];
    const kept = row.mentions.filter((_id, i) => mentionsName(body, before[i]!));
    const named = row.kind === 'text' ? await this.namedMentions(room, me, body, kept) : NONE_NAMED;
    const mentions = [...new Set([...kept, ...named.ids])].slice(0, input.MAX_MENTIONS);
    const added = await this.mentionRecipients(
      room,
      me,
      mentions.filter((id) => !row.mentions.includes(id)),
    );
    const view = await this.d.realtime.write(async (tx, emit) => {
      const stored = await activeMembers(tx, room.courseId, mentions);
      const [updated] = await tx
        .update(messages)
        .set({ body, language, mentions: stored, editedAt: new Date() })
        .where(and(eq(messages.id, row.id), isNull(messages.deletedAt)))
        .returning();
      if (!updated) throw new AppError('CONFLICT', 'This message was deleted.');
      const view = await messageView(tx, updated);
      await emit(roomStream(room.id), { tenantId: room.tenantId, type: 'message.edited', payload: { message: view } });
      await this.announcements.edited(tx, emit, room, view);
      // Named for the first time by this edit: told once (a repeat while that notification is unread is not).
      await this.d.notifications.notify(
        added
          .filter((n) => stored.includes(n.userId))
          .map((n) => ({ ...n, messageId: row.id, excerpt: excerptOf(body), dedupeKey: `mention:${row.id}` })),
      );
      return view;
    });
    return { ...view, ambiguousMentions: named.ambiguous };
  }

  /**
   * Deletes a message: its author, or a moderator ("removed by moderator"). The text is erased everywhere it
   * was kept: the row, the room's replay log, and the excerpts of notifications that pointed to it.
   */
  async delete(viewer: Viewer, messageId: string): Promise<MessageView> {
    const me = sessionUser(viewer, 'delete messages');
    const { row, room, rights } = await this.messageFor(viewer, messageId);
    if (row.kind === 'system') throw new AppError('FORBIDDEN', 'System messages cannot be deleted.');
    const by = row.authorId === me ? 'author' : rights.moderate ? 'moderator' : null;
    if (!by) throw new AppError('FORBIDDEN', 'Only the author or an instructor can delete a message.');
    return this.d.realtime.write(async (tx, emit) => {
      const [updated] = await tx
        .update(messages)
        .set({ deletedAt: new Date(), deletedBy: by, body: '', language: null, mentions: [] })
        .where(and(eq(messages.id, row.id), isNull(messages.deletedAt)))
        .returning();
      if (!updated) return messageView(tx, row); // deleted meanwhile: same outcome
      await tx.delete(messageReactions).where(eq(messageReactions.messageId, row.id));
      // A moderator's deletion is audited; the text is not kept there either (erased everywhere means everywhere).
      if (by === 'moderator')
        await this.d.activity.recordAudit({
          tenantId: room.tenantId,
          courseId: room.courseId,
          by: viewer,
          entity: 'message',
          entityId: row.id,
          action: 'deleted_by_moderator',
          before: { roomId: room.id, authorId: row.authorId, seq: row.seq, deleted: false },
          after: { deleted: true },
        });
      const { realtime } = this.d;
      // The room's replay log: the message's own snapshots (added, edited, reactions) lose their text.
      await realtime.redact(tx, roomStream(room.id), {
        fromSeq: row.seq,
        where: ['message', 'id'],
        equals: row.id,
        set: [
          [['message', 'body'], ''],
          [['message', 'deleted'], true],
          [['message', 'mentions'], []],
        ],
      });
      // Its notifications lose the excerpt and stop counting as unread.
      const streamsOf = (await this.d.notifications.messageDeleted(row.id)).map((userId) => userStream(userId));
      await realtime.redact(tx, streamsOf, {
        where: ['notification', 'messageId'],
        equals: row.id,
        set: [[['notification', 'excerpt'], '']],
      });
      // Replies quoting it show "deleted" from now on; their snapshots in the log are scrubbed too.
      await realtime.redact(tx, roomStream(room.id), {
        fromSeq: row.seq + 1,
        where: ['message', 'replyTo', 'id'],
        equals: row.id,
        set: [
          [['message', 'replyTo', 'excerpt'], ''],
          [['message', 'replyTo', 'deleted'], true],
        ],
      });
      const view = await messageView(tx, updated);
      await emit(roomStream(room.id), { tenantId: room.tenantId, type: 'message.deleted', payload: { message: view } });
      await this.announcements.deleted(tx, emit, room, row);
      return view;
    });
  }

  /** How many messages people posted in each course's rooms over [from, to) (system messages aside, deleted ones too). */
  async messageVolume(from: Date, to: Date): Promise<MessageVolume[]> {
    const counts = await this.d.db
      .select({ tenantId: rooms.tenantId, courseId: rooms.courseId, n: sql<number>`count(*)::int` })
      .from(messages)
      .innerJoin(rooms, eq(rooms.id, messages.roomId))
      .where(and(gte(messages.createdAt, from), lt(messages.createdAt, to), ne(messages.kind, 'system')))
      .groupBy(rooms.tenantId, rooms.courseId);
    return counts.map((c) => ({ tenantId: c.tenantId, courseId: c.courseId, count: Number(c.n) }));
  }

  // ---------------------------------------------------------------- a course's chat at a glance (the live dashboard)

  /** The course room's id (null until the course's first launch made it). */
  async courseRoomId(tenantId: string, courseId: string): Promise<string | null> {
    const [room] = await this.d.db
      .select({ id: rooms.id })
      .from(rooms)
      .where(and(eq(rooms.courseId, courseId), eq(rooms.tenantId, tenantId), eq(rooms.kind, 'course')));
    return room?.id ?? null;
  }

  /**
   * Messages people posted in the course's shared rooms (course, group and live-class rooms: not direct messages,
   * not tutor rooms, not system lines) over [from, to], counted per minute: `minute` is the whole minutes since
   * `from`. One aggregate statement; minutes without messages are left out.
   */
  async sharedMessagesPerMinute(tenantId: string, courseId: string, from: Date, to: Date): Promise<{ minute: number; count: number }[]> {
    // A literal (a number made here), so that the select and the group by are the same expression.
    const minute = sql<number>`floor((extract(epoch from ${messages.createdAt}) * 1000 - ${sql.raw(String(from.getTime()))}) / 60000)::int`;
    const counts = await this.d.db
      .select({ minute, count: sql<number>`count(*)::int` })
      .from(messages)
      .innerJoin(rooms, eq(rooms.id, messages.roomId))
      .where(
        and(
          eq(rooms.courseId, courseId),
          eq(rooms.tenantId, tenantId),
          inArray(rooms.kind, SHARED_KINDS),
          ne(messages.kind, 'system'),
          gte(messages.createdAt, from),
          lte(messages.createdAt, to),
        ),
      )
      .groupBy(minute);
    return counts.map((c) => ({ minute: Number(c.minute), count: Number(c.count) }));
  }

  /**
   * The learners' questions in the course room over (from, to], each with the time of its first answer by staff
   * (null: unanswered), in epoch milliseconds. A question: a text message, not deleted, by a learner of the course
   * (an active member with the learner role and no staff role) whose body ends with "?" (trailing spaces aside). Its
   * answer: the first later message in the same room up to `to` (not a system line, not deleted) by a staff member
   * (instructor, TA, administrator). One statement.
   */
  async courseRoomQuestions(
    tenantId: string,
    courseId: string,
    roomId: string,
    from: Date,
    to: Date,
  ): Promise<{ askedAt: number; answeredAt: number | null }[]> {
    const staff = sql.raw(`array[${STAFF_ROLES.map((r) => `'${r}'`).join(', ')}]::text[]`);
    const found = await sqlRows<{ asked: number; answered: number | null }>(
      this.d.db,
      sql`select (extract(epoch from q.created_at) * 1000)::float8 as asked,
          (select (extract(epoch from min(a.created_at)) * 1000)::float8
             from messages a
             join memberships s on s.course_id = ${courseId} and s.user_id = a.author_id and s.status = 'active' and s.roles && ${staff}
            where a.room_id = q.room_id and a.kind <> 'system' and a.deleted_at is null
              and a.created_at > q.created_at and a.created_at <= ${to.toISOString()}::timestamptz) as answered
        from messages q
        join memberships m on m.course_id = ${courseId} and m.user_id = q.author_id and m.status = 'active'
       where q.room_id = ${roomId} and q.tenant_id = ${tenantId} and q.kind = 'text' and q.deleted_at is null
         and q.created_at > ${from.toISOString()}::timestamptz and q.created_at <= ${to.toISOString()}::timestamptz
         and rtrim(q.body) like '%?'
         and 'learner' = any(m.roles) and not (m.roles && ${staff})`,
    );
    return found.map((r) => ({ askedAt: Number(r.asked), answeredAt: r.answered === null ? null : Number(r.answered) }));
  }

  /** Adds or removes the viewer's reaction. */
  async react(viewer: Viewer, messageId: string, emoji: string, on: boolean): Promise<MessageView> {
    const me = sessionUser(viewer, 'react');
    const e = input.cleanEmoji(emoji);
    const { row, room } = await this.messageFor(viewer, messageId);
    await this.access.requireRoomPost(viewer, room.id);
    if (row.deletedAt || row.kind === 'system') throw new AppError('CONFLICT', 'This message takes no reactions.');
    return this.d.realtime.write(async (tx, emit) => {
      if (on) {
        const kinds = await tx
          .selectDistinct({ emoji: messageReactions.emoji })
          .from(messageReactions)
          .where(eq(messageReactions.messageId, row.id));
        if (!kinds.some((k) => k.emoji === e) && kinds.length >= input.MAX_REACTIONS_PER_MESSAGE)
          throw new AppError('BAD_USER_INPUT', `A message can have at most ${input.MAX_REACTIONS_PER_MESSAGE} different reactions.`);
        const added = await tx
          .insert(messageReactions)
          .values({ messageId: row.id, userId: me, emoji: e, tenantId: room.tenantId })
          .onConflictDoNothing()
          .returning();
        if (added.length === 0) return messageView(tx, row);
      } else {
        const removed = await tx
          .delete(messageReactions)
          .where(and(eq(messageReactions.messageId, row.id), eq(messageReactions.userId, me), eq(messageReactions.emoji, e)))
          .returning();
        if (removed.length === 0) return messageView(tx, row);
      }
      const view = await messageView(tx, row);
      await emit(roomStream(room.id), { tenantId: room.tenantId, type: 'reactions.changed', payload: { message: view } });
      return view;
    });
  }

  private async messageFor(viewer: Viewer, messageId: string) {
    if (!isUuid(messageId)) throw notFound('The message');
    const [row] = await this.d.db
      .select()
      .from(messages)
      .where(and(eq(messages.id, messageId), eq(messages.tenantId, viewer.tenantId)));
    if (!row) throw notFound('The message');
    const room = await this.access.room(row.roomId);
    const rights = room ? await this.access.roomRights(viewer, room) : null;
    if (!room || !rights?.read) throw notFound('The message');
    return { row, room, rights };
  }

  // ------------------------------------------------------- read state, typing

  /**
   * Moves the viewer's read marker forward to `seq` (clamped to the room's head); tells their other tabs, and the
   * room where receipts show. Every reader of a busy room calls it every few seconds (the web app coalesces), so it
   * costs one statement; a marker that does not move changes nothing and tells nobody.
   */
  async markRead(viewer: Viewer, roomId: string, seq: number): Promise<number> {
    const me = sessionUser(viewer, 'read');
    const { room } = await this.access.requireRoomRead(viewer, roomId);
    if (!Number.isSafeInteger(seq) || seq < 0) throw new AppError('BAD_CURSOR', 'The read position is not valid.');
    const moved = await this.moveReadForward(this.d.db, room, me, sql`least(${seq}, ${this.d.realtime.headSql(roomStream(roomId))})`);
    if (!moved) {
      const [row] = await this.d.db
        .select({ seq: roomMembers.lastReadSeq })
        .from(roomMembers)
        .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, me)));
      return row?.seq ?? 0;
    }
    if (moved.notified) await this.d.notifications.markRoomRead(room.tenantId, me, roomId, moved.seq);
    const payload = { userId: me, roomId, seq: moved.seq };
    await this.d.realtime.signal(userStream(me), { type: 'read', payload: { ...payload, tenantId: room.tenantId } }, 60_000);
    if (RECEIPT_KINDS.includes(room.kind)) await this.d.realtime.signal(roomStream(roomId), { type: 'read', payload }, 60_000);
    return moved.seq;
  }

  /**
   * One statement: the marker moves to `seq` only when it is behind (a read-state row is created for a room one
   * reads without being a member). Null when it was already at or past `seq`; else the new marker, and whether
   * notifications into this room wait unread (only then are they read too, by a second statement).
   */
  private async moveReadForward(
    db: Tx,
    room: RoomInfo,
    userId: string,
    seq: number | SQL,
  ): Promise<{ seq: number; notified: boolean } | null> {
    const [row] = await db
      .insert(roomMembers)
      .values({ roomId: room.id, userId, tenantId: room.tenantId, status: 'reader', lastReadSeq: seq })
      .onConflictDoUpdate({
        target: [roomMembers.roomId, roomMembers.userId],
        set: { lastReadSeq: sql`excluded.last_read_seq` },
        setWhere: sql`${roomMembers.lastReadSeq} < excluded.last_read_seq`,
      })
      .returning({
        seq: roomMembers.lastReadSeq,
        notified: sql<boolean>`exists (select 1 from ${notifications} where ${notifications.userId} = ${userId} and ${notifications.roomId} = ${room.id} and ${notifications.readAt} is null)`,
      });
    return row ?? null;
  }

  /** A person who posts has read the room up to their message: the marker moves, and so do notifications up to it. */
  private async advanceRead(tx: Tx, room: RoomInfo, userId: string, seq: number): Promise<void> {
    const moved = await this.moveReadForward(tx, room, userId, seq);
    if (moved?.notified) await this.d.notifications.markRoomRead(room.tenantId, userId, room.id, moved.seq);
  }

  /** "Ana is typing": an ephemeral signal that expires unless re-sent. */
  async setTyping(viewer: Viewer, roomId: string, typing: boolean): Promise<boolean> {
    const me = sessionUser(viewer, 'type');
    const { room } = await this.access.requireRoomPost(viewer, roomId);
    const [u] = await this.d.db.select({ name: users.name }).from(users).where(eq(users.id, me));
    await this.d.realtime.signal(
      roomStream(roomId),
      { type: 'typing', payload: { userId: me, userName: u?.name ?? '', typing, tenantId: room.tenantId } },
      TYPING_TTL_MS,
    );
    return typing;
  }

  // ----------------------------------------------------------------- search

  /** Full-text search over the rooms of a course the viewer can read, newest first. */
  async search(viewer: Viewer, courseId: string, query: string, args: PageArgs): Promise<Page<SearchHit>> {
    await this.d.access.requireCourseRead(viewer, courseId);
    const tsq = input.searchQuery(query);
    const readable = await this.readableRoomIds(viewer, courseId);
    const req = pageRequest(args, isTimeKey);
    if (readable.length === 0) return toPage(req, [], () => ['', '']);
    if (req.direction === 'backward') throw new AppError('BAD_USER_INPUT', 'Search pages forward: use first and after.');
    const conds: SQL[] = [
      inArray(messages.roomId, readable),
      sql`${messages.search} @@ to_tsquery('simple', ${tsq})`,
      isNull(messages.deletedAt),
    ];
    if (req.cursor) conds.push(sql`(${messages.createdAt}, ${messages.id}) < (${req.cursor[0]}::timestamptz, ${req.cursor[1]}::uuid)`);
    const rows = await this.d.db
      .select({
        m: messages,
        snippet: sql<string>`ts_headline('simple', ${messages.body}, to_tsquery('simple', ${tsq}), 'StartSel=${sql.raw('\uE000')}, StopSel=${sql.raw('\uE001')}, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "')`,
        roomName: rooms.name,
        roomKind: rooms.kind,
      })
      .from(messages)
      .innerJoin(rooms, eq(rooms.id, messages.roomId))
      .where(and(...conds))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(req.limit + 1);
    const views = await messageViews(
      this.d.db,
      rows.map((r) => r.m),
    );
    const hits = rows.map((r, i) => ({
      message: views[i]!,
      room: { id: r.m.roomId, name: r.roomName, kind: r.roomKind as RoomKind },
      snippet: r.snippet,
      at: r.m.createdAt,
    }));
    return toPage(req, hits, (h) => [h.at.toISOString(), h.message.id] as [string, string]);
  }

  /** Every room of the course the viewer may read (for search: staff include group and tutor rooms). */
  async readableRoomIds(viewer: Viewer, courseId: string): Promise<string[]> {
    const all = await this.d.db
      .select()
      .from(rooms)
      .where(and(eq(rooms.courseId, courseId), eq(rooms.tenantId, viewer.tenantId)));
    const ids: string[] = [];
    for (const r of all) if ((await this.access.roomRights(viewer, toInfo(r))).read) ids.push(r.id);
    return ids;
  }

  // ---------------------------------------------------------------- helpers

  private async addMemberRows(
    tx: Tx,
    emit: Emit,
    invalidate: Invalidate,
    room: RoomRow,
    userIds: string[],
    role: 'owner' | 'member',
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    const before = await tx
      .select({ userId: roomMembers.userId, status: roomMembers.status })
      .from(roomMembers)
      .where(and(eq(roomMembers.roomId, room.id), inArray(roomMembers.userId, userIds)));
    const wasActive = new Set(before.filter((b) => b.status === 'active').map((b) => b.userId));
    const added = userIds.filter((id) => !wasActive.has(id));
    if (added.length === 0) return [];
    await tx
      .insert(roomMembers)
      .values(added.map((userId) => ({ roomId: room.id, userId, tenantId: room.tenantId, role, status: 'active' })))
      .onConflictDoUpdate({ target: [roomMembers.roomId, roomMembers.userId], set: { status: 'active', role, updatedAt: new Date() } });
    for (const userId of added) {
      invalidate({ t: 'roomMember', roomId: room.id, userId });
      await emit(roomStream(room.id), { tenantId: room.tenantId, type: 'members.changed', payload: { userId, change: 'added' } });
      await emit(userStream(userId), {
        tenantId: room.tenantId,
        type: 'rooms.changed',
        payload: { roomId: room.id, courseId: room.courseId, change: 'added' },
      });
    }
    return added;
  }

  private async systemMessage(tx: Tx, emit: Emit, room: RoomRow, text: string, data: Record<string, unknown>): Promise<void> {
    await this.appendMessage(tx, emit, toInfo(room), { authorId: null, clientId: null, kind: 'system', body: text, system: data });
  }
}

const NONE_NAMED: ResolvedMentions = { ids: [], ambiguous: [] };

export const toInfo = (r: RoomRow): RoomInfo => ({
  id: r.id,
  tenantId: r.tenantId,
  courseId: r.courseId,
  kind: r.kind as RoomKind,
  ownerId: r.ownerId,
  archived: r.archivedAt !== null,
});

/** Another person, as a viewer, to ask what they may read (notifications go only where they can). */
const personViewer = (tenantId: string, userId: string): Viewer => ({
  kind: 'session',
  tenantId,
  userId,
  courseId: null,
  roles: [],
  expiresAt: 0,
});

/** Whose room list of which course a room-list cursor belongs to (another's is BAD_CURSOR, not followed). */
function roomListScope(viewer: Viewer, courseId: string): string {
  return `rooms:${courseId}:${viewer.kind === 'session' ? `user:${viewer.userId}` : `key:${viewer.keyId}`}`;
}

/** The positions of a room-list cursor (`listRoomsFollowed`) for this viewer and course; null for none. */
export function parseRoomListCursor(viewer: Viewer, courseId: string, cursor: string | null | undefined): Map<string, number> | null {
  return parseStreamsCursor(cursor, roomListScope(viewer, courseId));
}

/** What a moderator's room change was, for the audit log: archiving wins over renaming, renaming over the topic. */
function roomAction(set: Partial<RoomRow>): string {
  if (set.archivedAt !== undefined) return set.archivedAt ? 'archived' : 'unarchived';
  return set.name !== undefined ? 'renamed' : 'topic_changed';
}

function sessionUser(viewer: Viewer, what: string): string {
  if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', `Only people can ${what}: an API key reads.`);
  return viewer.userId;
}

/** The ids among `ids` that are active members of the course; `participants`: and not guests (guests join no room). */
async function activeMembers(tx: Tx, courseId: string, ids: string[], participants = false): Promise<string[]> {
  if (ids.length === 0) return [];
  const notGuest = participants ? sql`not (${memberships.roles} <@ array['guest']::text[])` : sql`true`;
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.courseId, courseId), eq(memberships.status, 'active'), inArray(memberships.userId, ids), notGuest));
  const ok = new Set(rows.map((r) => r.userId));
  return ids.filter((id) => ok.has(id));
}

async function nameOf(tx: Tx, userId: string): Promise<string> {
  const [u] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return u?.name ?? 'Someone';
}

async function namesOf(tx: Tx, ids: string[]): Promise<string[]> {
  const rows = await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
  const m = new Map(rows.map((r) => [r.id, r.name]));
  return ids.map((id) => m.get(id) ?? 'someone');
}

function listNames(names: string[]): string {
  if (names.length <= 3) return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
}

function isUniqueViolation(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 3 && e; i++) {
    if ((e as { code?: string }).code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const encodeSeq = (seq: number) => Buffer.from(JSON.stringify(seq), 'utf8').toString('base64url');
const isSeqKey = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNameKey = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && isUuid(v[1]);
const isTimeKey = (v: unknown): v is [string, string] => isNameKey(v) && isCursorTime((v as [string, string])[0]);
