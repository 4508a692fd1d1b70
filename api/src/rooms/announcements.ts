/**
 * Announcements: the message staff pin at the top of the course room ("quiz moved to Thursday"), notified to every
 * member of the course. Part of the rooms service (reached as `rooms.announcements`); who may announce is decided by
 * the room rules (`RoomRights.announce`, rooms/access.ts). The current announcement is a column of the room, so the
 * room query returns it; every change is an `announcement.changed` event on the room's stream.
 */
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { memberships } from '../courses/tables.js';
import { messages, rooms } from './tables.js';
import { users } from '../users/tables.js';
import type { Tx } from '../db/client.js';
import type { Emit, Realtime } from '../realtime/realtime.js';
import type { NotificationService } from '../notifications/service.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid } from '../auth/access.js';
import { AppError, notFound } from '../errors.js';
import type { RoomAccess, RoomInfo } from './access.js';
import { roomStream } from './events.js';
import { excerptOf, messageView, messageViews, type AnnouncementView, type MessageView, type Participant } from './views.js';

type RoomRow = typeof rooms.$inferSelect;
type Pin = Pick<RoomRow, 'id' | 'announcementId' | 'announcedBy' | 'announcedAt'>;

interface Deps {
  db: Tx;
  realtime: Realtime;
  access: RoomAccess;
  notifications: NotificationService;
}

const UNPINNED = { announcementId: null, announcedBy: null, announcedAt: null } as const;

export class Announcements {
  constructor(private readonly d: Deps) {}

  /** The current announcement of each of these rooms that has one. */
  async of(list: readonly Pin[]): Promise<Map<string, AnnouncementView>> {
    const pinned = list.filter((r) => r.announcementId && r.announcedAt);
    if (pinned.length === 0) return new Map();
    const rows = await this.d.db
      .select()
      .from(messages)
      .where(
        inArray(
          messages.id,
          pinned.map((r) => r.announcementId!),
        ),
      );
    const viewOf = new Map((await messageViews(this.d.db, rows)).map((m) => [m.id, m]));
    const people = await participants(
      this.d.db,
      pinned.map((r) => r.announcedBy),
    );
    const out = new Map<string, AnnouncementView>();
    for (const r of pinned) {
      const message = viewOf.get(r.announcementId!);
      if (message)
        out.set(r.id, { message, pinnedBy: (r.announcedBy && people.get(r.announcedBy)) || null, pinnedAt: r.announcedAt!.toISOString() });
    }
    return out;
  }

  /**
   * Makes `message` the room's announcement, in the caller's write (the one that stores the message, when it is
   * posted as the announcement): the room shows it at the top, and every member of the course but `by` is notified
   * (once per message, however often it is pinned).
   */
  async pinIn(tx: Tx, emit: Emit, room: RoomInfo, message: MessageView, by: string): Promise<AnnouncementView> {
    const pinnedAt = new Date();
    const announcement: AnnouncementView = {
      message,
      pinnedBy: (await participants(tx, [by])).get(by) ?? null,
      pinnedAt: pinnedAt.toISOString(),
    };
    // The room's stream first, then its row: the order every write to a room takes (a send stores its event, then
    // the room's last activity), so that pins, sends and deletions wait for each other instead of deadlocking, and
    // the last event says what the row holds.
    await emit(roomStream(room.id), { tenantId: room.tenantId, type: 'announcement.changed', payload: { announcement } });
    await tx.update(rooms).set({ announcementId: message.id, announcedBy: by, announcedAt: pinnedAt }).where(eq(rooms.id, room.id));
    const members = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.courseId, room.courseId), eq(memberships.status, 'active'), ne(memberships.userId, by)));
    await this.d.notifications.notifyEach(
      {
        tenantId: room.tenantId,
        courseId: room.courseId,
        type: 'announcement',
        actorId: by,
        roomId: room.id,
        messageId: message.id,
        excerpt: excerptOf(message.body),
      },
      members.map((m) => m.userId),
    );
    return announcement;
  }

  /** Pins a message of the course room as its announcement (staff); returns the room's id. */
  async pin(viewer: Viewer, messageId: string): Promise<string> {
    if (!isUuid(messageId)) throw notFound('The message');
    const [row] = await this.d.db
      .select()
      .from(messages)
      .where(and(eq(messages.id, messageId), eq(messages.tenantId, viewer.tenantId)));
    const room = row ? await this.d.access.room(row.roomId) : null;
    if (!row || !room || !(await this.d.access.roomRights(viewer, room)).read) throw notFound('The message');
    const { userId } = await this.d.access.requireRoomAnnounce(viewer, room.id);
    if (row.kind === 'system') throw new AppError('BAD_USER_INPUT', 'A line written by the tool cannot be the announcement.');
    await this.d.realtime.write(async (tx, emit) => {
      // Held until the commit, so that a deletion running now waits, then finds it pinned and takes it down.
      const [live] = await tx
        .select()
        .from(messages)
        .where(and(eq(messages.id, row.id), isNull(messages.deletedAt)))
        .for('share');
      if (!live) throw new AppError('CONFLICT', 'This message was deleted.');
      const [current] = await tx.select({ id: rooms.announcementId }).from(rooms).where(eq(rooms.id, room.id));
      if (current?.id === row.id) return; // pinned already: nothing changes (and nobody is notified twice in any case)
      await this.pinIn(tx, emit, room, await messageView(tx, live), userId);
    });
    return room.id;
  }

  /** Takes the announcement down (staff); false when there was none. */
  async unpin(viewer: Viewer, roomId: string): Promise<boolean> {
    const { room } = await this.d.access.requireRoomAnnounce(viewer, roomId);
    const [current] = await this.d.db.select({ id: rooms.announcementId }).from(rooms).where(eq(rooms.id, room.id));
    if (!current?.id) return false;
    return this.d.realtime.write(async (tx, emit) => {
      // The stream first (see pinIn); a pin or an unpin in between is overtaken by this one, as its event says.
      await emit(roomStream(room.id), { tenantId: room.tenantId, type: 'announcement.changed', payload: { announcement: null } });
      await tx.update(rooms).set(UNPINNED).where(eq(rooms.id, room.id));
      return true;
    });
  }

  /** A message was edited (in the caller's write): when it is the announcement, the room's readers get the new text. */
  async edited(tx: Tx, emit: Emit, room: RoomInfo, message: MessageView): Promise<void> {
    if (room.kind !== 'course') return;
    const [pin] = await tx
      .select({ id: rooms.id, announcementId: rooms.announcementId, announcedBy: rooms.announcedBy, announcedAt: rooms.announcedAt })
      .from(rooms)
      .where(eq(rooms.id, room.id));
    if (!pin || pin.announcementId !== message.id || !pin.announcedAt) return;
    const pinnedBy = pin.announcedBy ? ((await participants(tx, [pin.announcedBy])).get(pin.announcedBy) ?? null) : null;
    await emit(roomStream(room.id), {
      tenantId: room.tenantId,
      type: 'announcement.changed',
      payload: { announcement: { message, pinnedBy, pinnedAt: pin.announcedAt.toISOString() } },
    });
  }

  /**
   * A message was deleted (in the caller's write): its text leaves the announcement snapshots of the room's replay
   * log (as it leaves the message's own), and when it is the announcement, the room has none any more.
   */
  async deleted(tx: Tx, emit: Emit, room: RoomInfo, message: { id: string; seq: number }): Promise<void> {
    if (room.kind !== 'course') return;
    const stream = roomStream(room.id);
    await this.d.realtime.redact(tx, stream, {
      fromSeq: message.seq,
      where: ['announcement', 'message', 'id'],
      equals: message.id,
      set: [
        [['announcement', 'message', 'body'], ''],
        [['announcement', 'message', 'deleted'], true],
        [['announcement', 'message', 'mentions'], []],
      ],
    });
    await this.d.realtime.redact(tx, stream, {
      fromSeq: message.seq + 1,
      where: ['announcement', 'message', 'replyTo', 'id'],
      equals: message.id,
      set: [
        [['announcement', 'message', 'replyTo', 'excerpt'], ''],
        [['announcement', 'message', 'replyTo', 'deleted'], true],
      ],
    });
    const [was] = await tx
      .update(rooms)
      .set(UNPINNED)
      .where(and(eq(rooms.id, room.id), eq(rooms.announcementId, message.id)))
      .returning({ id: rooms.id });
    if (was) await emit(stream, { tenantId: room.tenantId, type: 'announcement.changed', payload: { announcement: null } });
  }
}

async function participants(db: Tx, ids: readonly (string | null)[]): Promise<Map<string, Participant>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const rows = await db.select({ id: users.id, name: users.name, picture: users.picture }).from(users).where(inArray(users.id, wanted));
  return new Map(rows.map((u) => [u.id, u]));
}
