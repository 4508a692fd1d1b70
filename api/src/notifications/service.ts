/**
 * Notifications: a row per user per event that concerns them, on the user's own stream (`user:<id>`), so
 * that every tab of the user hears it live and a reconnecting tab resumes with its cursor. Features create
 * them inside their own write (`notify` joins the caller's transaction); chat is the first user.
 */
import { and, count, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { courses } from '../courses/tables.js';
import { messages } from '../rooms/tables.js';
import { notificationPreferences, notifications } from './tables.js';
import { NOTIFICATION_TYPES, isNotificationType, type NotificationType } from './types.js';
import { users } from '../users/tables.js';
import { rows, type Tx } from '../db/client.js';
import type { Realtime, Stream } from '../realtime/realtime.js';
import { userStream, type UserEvent, type UserSignal } from './events.js';
import type { Access } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError, notFound } from '../errors.js';
import { isUuid } from '../auth/access.js';
import { isTimeIdKey, newestFirst, pageRequest, timeIdKeyOf, toPage, type FollowedPage, type PageArgs } from '../db/pagination.js';

export type NotificationRow = typeof notifications.$inferSelect;
export interface NotificationView extends NotificationRow {
  actorName: string | null;
  courseTitle: string | null;
}

/** One notification type and whether the viewer muted it. */
export interface NotificationPreference {
  type: NotificationType;
  label: string;
  group: string;
  muted: boolean;
}

export interface NewNotification {
  tenantId: string;
  userId: string;
  courseId: string | null;
  type: string;
  actorId?: string | null;
  roomId?: string | null;
  messageId?: string | null;
  excerpt?: string;
  data?: Record<string, unknown>;
  /** At most one unread notification per key: a repeat while one is unread is dropped. */
  dedupeKey?: string;
}

/** Events on a user's stream (notifications/events.ts): `notification.created`, `notification.read`. */
export class NotificationService {
  constructor(
    private readonly db: Tx,
    private readonly realtime: Realtime,
    private readonly access: Access,
  ) {}

  /**
   * Creates notifications inside the current write (or a new one); returns how many were created. A type its
   * recipient muted is not created.
   */
  async notify(list: NewNotification[]): Promise<number> {
    if (list.length === 0) return 0;
    return this.realtime.write(async (tx, emit) => {
      let created = 0;
      const muted = await this.mutedPairs(
        tx,
        list.map((n) => n.userId),
        list.map((n) => n.type),
      );
      for (const n of list) {
        if (muted.has(`${n.userId}/${n.type}`)) continue;
        if (n.dedupeKey) {
          const [open] = await tx
            .select({ id: notifications.id })
            .from(notifications)
            .where(and(eq(notifications.userId, n.userId), eq(notifications.dedupeKey, n.dedupeKey), isNull(notifications.readAt)))
            .limit(1);
          if (open) continue;
        }
        const [row] = await tx
          .insert(notifications)
          .values({
            tenantId: n.tenantId,
            userId: n.userId,
            courseId: n.courseId,
            type: n.type,
            actorId: n.actorId ?? null,
            roomId: n.roomId ?? null,
            messageId: n.messageId ?? null,
            excerpt: n.excerpt ?? '',
            data: n.data ?? {},
            dedupeKey: n.dedupeKey ?? null,
            // Millisecond precision, like the cursors made from it.
            createdAt: new Date(),
          })
          .returning();
        const view = await this.viewOf(tx, row!);
        const unreadCount = await this.unreadCountIn(tx, n.userId);
        await emit(userStream(n.userId), {
          tenantId: n.tenantId,
          type: 'notification.created',
          payload: { notification: view, unreadCount },
        });
        created++;
      }
      return created;
    });
  }

  /**
   * The same notification to each of many people (an announcement to every member of a course), inside the current
   * write or a new one: one statement for the rows, one for the unread counts and one for the events, whatever their
   * number. Nobody gets a second notification of this type for the same message (a message pinned again, a retry).
   * Returns the ids of the people notified now.
   */
  async notifyEach(
    n: Omit<NewNotification, 'userId' | 'dedupeKey'> & { messageId: string },
    userIds: readonly string[],
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    return this.realtime.write(async (tx) => {
      const ids = JSON.stringify([...new Set(userIds)]);
      // Millisecond precision, like the cursors made from it.
      const createdAt = new Date();
      const added = await rows<{ id: string; user_id: string }>(
        tx,
        sql`insert into ${notifications} (tenant_id, user_id, course_id, type, actor_id, room_id, message_id, excerpt, data, created_at)
            select ${n.tenantId}::uuid, u.id::uuid, ${n.courseId}::uuid, ${n.type}, ${n.actorId ?? null}::uuid, ${n.roomId ?? null}::uuid, ${n.messageId}::uuid,
                   ${n.excerpt ?? ''}, ${JSON.stringify(n.data ?? {})}::jsonb, ${createdAt.toISOString()}::timestamptz
            from jsonb_array_elements_text(${ids}::jsonb) as u(id)
            where not exists (select 1 from ${notifications} o where o.user_id = u.id::uuid and o.type = ${n.type} and o.message_id = ${n.messageId}::uuid)
              and not exists (select 1 from ${notificationPreferences} p where p.user_id = u.id::uuid and p.type = ${n.type} and p.muted)
            returning id, user_id`,
      );
      if (added.length === 0) return [];
      const notified = JSON.stringify(added.map((a) => a.user_id));
      const counts = await rows<{ user_id: string; n: number | string }>(
        tx,
        sql`select user_id, count(*) as n from ${notifications}
            where user_id in (select u.id::uuid from jsonb_array_elements_text(${notified}::jsonb) as u(id)) and read_at is null
            group by user_id`,
      );
      const unreadOf = new Map(counts.map((c) => [c.user_id, Number(c.n)]));
      const template: NotificationRow = {
        id: '',
        tenantId: n.tenantId,
        userId: '',
        courseId: n.courseId,
        type: n.type,
        actorId: n.actorId ?? null,
        roomId: n.roomId ?? null,
        messageId: n.messageId,
        excerpt: n.excerpt ?? '',
        data: n.data ?? {},
        dedupeKey: null,
        readAt: null,
        createdAt,
      };
      // Who did it and in which course: the same for everyone, read once.
      const shared = await this.viewOf(tx, template);
      await this.realtime.emitEach(
        added.map((a) => ({
          stream: userStream(a.user_id),
          event: {
            tenantId: n.tenantId,
            type: 'notification.created' as const,
            payload: { notification: { ...shared, id: a.id, userId: a.user_id }, unreadCount: unreadOf.get(a.user_id) ?? 1 },
          },
        })),
      );
      return added.map((a) => a.user_id);
    });
  }

  /** A page of the viewer's notifications, with the position of their stream it reflects (to follow from there). */
  async list(viewer: Viewer, args: PageArgs & { unreadOnly?: boolean | null }): Promise<FollowedPage<NotificationView>> {
    const userId = sessionUser(viewer);
    const req = pageRequest(args, isTimeIdKey);
    // The head before the rows: every event up to it is committed with its row, so the page holds at least that.
    const cursor = String(await this.realtime.head(userStream(userId)));
    const { after, orderBy } = newestFirst(req, notifications.createdAt, notifications.id);
    const conds = [eq(notifications.userId, userId), eq(notifications.tenantId, viewer.tenantId)];
    if (args.unreadOnly) conds.push(isNull(notifications.readAt));
    if (after) conds.push(after);
    const rows = await this.db
      .select()
      .from(notifications)
      .where(and(...conds))
      .orderBy(...orderBy)
      .limit(req.limit + 1);
    const views = await this.viewsOf(this.db, rows);
    return { ...toPage(req, views, timeIdKeyOf), cursor };
  }

  async unreadCount(viewer: Viewer): Promise<number> {
    if (viewer.kind !== 'session') return 0;
    return this.unreadCountIn(this.db, viewer.userId);
  }

  /**
   * Marks several of the viewer's notifications read at once (a tab opened that shows what they were about); ids
   * that are not the viewer's, or read already, are passed over. Returns how many changed.
   */
  async markManyRead(viewer: Viewer, ids: readonly string[]): Promise<number> {
    const userId = sessionUser(viewer);
    if (ids.length > 100) throw new AppError('BAD_USER_INPUT', 'At most 100 notifications at once.');
    const wanted = [...new Set(ids)].filter(isUuid);
    if (wanted.length === 0) return 0;
    return this.realtime.write(async (tx, emit) => {
      const done = await tx
        .update(notifications)
        .set({ readAt: new Date() })
        .where(and(eq(notifications.userId, userId), isNull(notifications.readAt), inArray(notifications.id, wanted)))
        .returning({ id: notifications.id });
      if (done.length > 0) {
        const unreadCount = await this.unreadCountIn(tx, userId);
        await emit(userStream(userId), {
          tenantId: viewer.tenantId,
          type: 'notification.read',
          payload: { ids: done.map((d) => d.id), all: false, unreadCount },
        });
      }
      return done.length;
    });
  }

  /** Marks one notification (or all of the viewer's) read. */
  async markRead(viewer: Viewer, id: string | null): Promise<number> {
    const userId = sessionUser(viewer);
    if (id !== null && !isUuid(id)) throw notFound('The notification');
    return this.realtime.write(async (tx, emit) => {
      const conds = [eq(notifications.userId, userId), isNull(notifications.readAt)];
      if (id !== null) conds.push(eq(notifications.id, id));
      const done = await tx
        .update(notifications)
        .set({ readAt: new Date() })
        .where(and(...conds))
        .returning({ id: notifications.id });
      if (id !== null && done.length === 0) {
        const [exists] = await tx
          .select({ id: notifications.id })
          .from(notifications)
          .where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
        if (!exists) throw notFound('The notification');
      }
      if (done.length > 0) {
        const unreadCount = await this.unreadCountIn(tx, userId);
        await emit(userStream(userId), {
          tenantId: viewer.tenantId,
          type: 'notification.read',
          payload: { ids: done.map((d) => d.id), all: id === null, unreadCount },
        });
      }
      return done.length;
    });
  }

  /** Marks read the notifications that point into a room up to a message seq (reading the room reads them). */
  async markRoomRead(tenantId: string, userId: string, roomId: string, upToSeq: number): Promise<void> {
    await this.realtime.write(async (tx, emit) => {
      const done = await tx
        .update(notifications)
        .set({ readAt: new Date() })
        .where(
          and(
            eq(notifications.userId, userId),
            eq(notifications.roomId, roomId),
            isNull(notifications.readAt),
            inArray(
              notifications.messageId,
              tx
                .select({ id: messages.id })
                .from(messages)
                .where(and(eq(messages.roomId, roomId), lte(messages.seq, upToSeq))),
            ),
          ),
        )
        .returning({ id: notifications.id });
      if (done.length > 0) {
        const unreadCount = await this.unreadCountIn(tx, userId);
        await emit(userStream(userId), {
          tenantId,
          type: 'notification.read',
          payload: { ids: done.map((d) => d.id), all: false, unreadCount },
        });
      }
    });
  }

  /**
   * A message was deleted (in the caller's write): the notifications that pointed to it lose its excerpt and no longer
   * count as unread (what was removed concerns nobody now), and their readers' bells follow. Returns everyone whose
   * notifications pointed to it (their streams' stored copies are for the caller to redact).
   */
  async messageDeleted(messageId: string): Promise<string[]> {
    return this.realtime.write(async (tx) => {
      const unread = await tx
        .update(notifications)
        .set({ readAt: new Date() })
        .where(and(eq(notifications.messageId, messageId), isNull(notifications.readAt)))
        .returning({ id: notifications.id, userId: notifications.userId, tenantId: notifications.tenantId });
      const touched = await tx
        .update(notifications)
        .set({ excerpt: '' })
        .where(eq(notifications.messageId, messageId))
        .returning({ userId: notifications.userId });
      if (unread.length > 0) {
        const users = [...new Set(unread.map((u) => u.userId))];
        const counts = await tx
          .select({ userId: notifications.userId, n: count() })
          .from(notifications)
          .where(and(inArray(notifications.userId, users), isNull(notifications.readAt)))
          .groupBy(notifications.userId);
        const unreadOf = new Map(counts.map((c) => [c.userId, Number(c.n)]));
        await this.realtime.emitEach(
          users.map((userId) => {
            const mine = unread.filter((u) => u.userId === userId);
            return {
              stream: userStream(userId),
              event: {
                tenantId: mine[0]!.tenantId,
                type: 'notification.read' as const,
                payload: { ids: mine.map((u) => u.id), all: false, unreadCount: unreadOf.get(userId) ?? 0 },
              },
            };
          }),
        );
      }
      return [...new Set(touched.map((t) => t.userId))];
    });
  }

  /** Of these types, the ones this person muted (inside the caller's transaction, or on its own). */
  async mutedTypes(db: Tx, userId: string, types: readonly string[]): Promise<Set<string>> {
    const pairs = await this.mutedPairs(db, [userId], types);
    return new Set([...pairs].map((p) => p.slice(userId.length + 1)));
  }

  /** Every notification type with whether the viewer muted it. */
  async preferences(viewer: Viewer): Promise<NotificationPreference[]> {
    const userId = sessionUser(viewer);
    const muted = await this.mutedTypes(
      this.db,
      userId,
      NOTIFICATION_TYPES.map((t) => t.type),
    );
    return NOTIFICATION_TYPES.map((t) => ({ type: t.type, label: t.label, group: t.group, muted: muted.has(t.type) }));
  }

  /** Mutes or unmutes one type for the viewer; returns the preferences after. */
  async setMuted(viewer: Viewer, type: string, muted: boolean): Promise<NotificationPreference[]> {
    const userId = sessionUser(viewer);
    if (!isNotificationType(type)) throw new AppError('BAD_USER_INPUT', `There is no notification type "${type.slice(0, 60)}".`);
    await this.db
      .insert(notificationPreferences)
      .values({ userId, type, tenantId: viewer.tenantId, muted, updatedAt: new Date() })
      .onConflictDoUpdate({
        target: [notificationPreferences.userId, notificationPreferences.type],
        set: { muted, updatedAt: new Date() },
      });
    return this.preferences(viewer);
  }

  /** `user/type` for each muted pair among these people and types. */
  private async mutedPairs(db: Tx, userIds: readonly string[], types: readonly string[]): Promise<Set<string>> {
    const u = [...new Set(userIds)];
    const t = [...new Set(types)];
    if (u.length === 0 || t.length === 0) return new Set();
    const found = await db
      .select({ userId: notificationPreferences.userId, type: notificationPreferences.type })
      .from(notificationPreferences)
      .where(
        and(inArray(notificationPreferences.userId, u), inArray(notificationPreferences.type, t), eq(notificationPreferences.muted, true)),
      );
    return new Set(found.map((f) => `${f.userId}/${f.type}`));
  }

  /** Subscribing to one's own stream: a session only. */
  requireOwnStream(viewer: Viewer): Stream<UserEvent, UserSignal> {
    this.access.requireScope(viewer, 'read');
    return userStream(sessionUser(viewer));
  }

  private async unreadCountIn(db: Tx, userId: string): Promise<number> {
    const [row] = await db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
    return Number(row?.n ?? 0);
  }

  private async viewOf(db: Tx, row: NotificationRow): Promise<NotificationView> {
    return (await this.viewsOf(db, [row]))[0]!;
  }

  private async viewsOf(db: Tx, rows: NotificationRow[]): Promise<NotificationView[]> {
    const actorIds = [...new Set(rows.map((r) => r.actorId).filter((x): x is string => !!x))];
    const courseIds = [...new Set(rows.map((r) => r.courseId).filter((x): x is string => !!x))];
    const actors = actorIds.length
      ? await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, actorIds))
      : [];
    const titles = courseIds.length
      ? await db.select({ id: courses.id, title: courses.title }).from(courses).where(inArray(courses.id, courseIds))
      : [];
    const actorName = new Map(actors.map((a) => [a.id, a.name]));
    const courseTitle = new Map(titles.map((c) => [c.id, c.title]));
    return rows.map((r) => ({
      ...r,
      actorName: r.actorId ? (actorName.get(r.actorId) ?? null) : null,
      courseTitle: r.courseId ? (courseTitle.get(r.courseId) ?? null) : null,
    }));
  }
}

function sessionUser(viewer: Viewer): string {
  if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', 'Notifications belong to people: sign in through your LMS.');
  return viewer.userId;
}
