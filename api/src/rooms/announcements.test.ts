/**
 * Announcements, through GraphQL on a real PostgreSQL and Redis: who may post, pin and take down the course room's
 * announcement (staff, in the course room; never a student, a guest or an API key); every member of the course is
 * notified once, live, however large the course (a lecture of 500); the room query returns the pinned announcement
 * and its changes are events on the room's stream (and the room list's feed), edits and deletions included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { memberships } from '../courses/tables.js';
import { users } from '../users/tables.js';
import { notifications } from '../notifications/tables.js';
import { streamEvents } from '../realtime/tables.js';
import { gql, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import {
  CREATE_GROUP,
  DELETE,
  EDIT,
  MARK_READ,
  NOTIFICATIONS,
  addMember,
  apiKeyOf,
  cid,
  code,
  courseRoomId,
  instructorOf,
  learnerOf,
  listening,
  messageCount,
  notificationCount,
  ok,
  send,
  sendOk,
  type Person,
} from '../../test/chat.js';

const ANNOUNCEMENT = `announcement { pinnedAt pinnedBy { id name } message { id body deleted author { id name } } }`;
const ROOM_A = `query($id: ID!) { room(id: $id) { id canAnnounce memberCount ${ANNOUNCEMENT} } }`;
const ROOMS_A = `query($id: ID!) { course(id: $id) { rooms { id kind canAnnounce memberCount ${ANNOUNCEMENT} } } }`;
const PIN = `mutation($messageId: ID!) { pinAnnouncement(messageId: $messageId) { id ${ANNOUNCEMENT} } }`;
const UNPIN = `mutation($roomId: ID!) { unpinAnnouncement(roomId: $roomId) { id ${ANNOUNCEMENT} } }`;
const EVENTS_A = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  cursor type message { id body } announcement { pinnedBy { name } message { id body deleted } } } }`;
const ACTIVITY_A = `subscription($courseId: ID!) { chatActivity(courseId: $courseId) { type roomId message { id } announcement { message { id body } } } }`;
const NOTIFICATION_EVENTS = `subscription { notificationEvents { type unreadCount notification { type roomId messageId excerpt actorName } } }`;

type Announcement = {
  pinnedAt: string;
  pinnedBy: { id: string; name: string } | null;
  message: { id: string; body: string; deleted: boolean };
} | null;
type Ev = { cursor: string | null; type: string; message: { id: string; body: string } | null; announcement: Announcement };

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('announcements ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { CHAT_RATE_LIMIT: '1000000', RATE_LIMIT_COSTLY: '1000000/60' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const announce = (p: Person | string, roomId: string, body: string, extra: Record<string, unknown> = {}) =>
    send(app, typeof p === 'string' ? p : p.token, roomId, body, { announce: true, ...extra });
  const roomOf = async (token: string, id: string) =>
    ok(await gql(app.url, ROOM_A, { id }, token)).room as { canAnnounce: boolean; memberCount: number; announcement: Announcement };
  const announcementsOf = async (userId: string, messageId: string) =>
    Number(
      (
        await app.core.services.database.db
          .select({ n: count() })
          .from(notifications)
          .where(and(eq(notifications.userId, userId), eq(notifications.messageId, messageId), eq(notifications.type, 'announcement')))
      )[0]!.n,
    );

  it('staff of the course room may announce; a student, a guest, an API key, or anyone in another room may not, and nothing is written', async () => {
    const f = await seed(app.core, 'who');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const tia = await addMember(app.core, f, 'Tia Assistant', ['teaching_assistant']);
    const gus = await addMember(app.core, f, 'Gus Guest', ['guest']);
    const room = await courseRoomId(app, lee.token, f.course.id);
    const group = ok(await gql(app.url, CREATE_GROUP, { courseId: f.course.id, name: 'Lab', memberIds: [lee.user.id] }, inst.token))
      .createGroupRoom.id as string;

    expect((await roomOf(inst.token, room)).canAnnounce).toBe(true);
    expect((await roomOf(tia.token, room)).canAnnounce).toBe(true);
    expect((await roomOf(lee.token, room)).canAnnounce).toBe(false);
    expect((await roomOf(gus.token, room)).canAnnounce).toBe(false);
    expect((await roomOf(inst.token, group)).canAnnounce).toBe(false);

    // Refused: the room keeps its messages, nobody is notified, nothing is pinned.
    const before = await messageCount(app, room);
    expect(code((await announce(lee, room, 'I announce a holiday')).body)).toBe('FORBIDDEN');
    expect(code((await announce(gus, room, 'me too')).body)).toBe('FORBIDDEN');
    expect(code((await announce(await apiKeyOf(app.core, f, ['read', 'write']), room, 'from a key')).body)).toBe('FORBIDDEN');
    expect(code((await announce(inst, group, 'wrong room')).body)).toBe('BAD_USER_INPUT');
    expect(await messageCount(app, room)).toBe(before);
    for (const p of [inst, lee, tia, gus]) expect(await notificationCount(app, p.user.id)).toBe(0);
    expect((await roomOf(lee.token, room)).announcement).toBeNull();

    // A student cannot pin a message either (their own included), nor take an announcement down.
    const own = await sendOk(app, lee.token, room, 'my message');
    expect(code((await gql(app.url, PIN, { messageId: own.id }, lee.token)).body)).toBe('FORBIDDEN');
    const posted = ok(await announce(tia, room, 'Quiz moved to Thursday')).sendMessage;
    expect(code((await gql(app.url, UNPIN, { roomId: room }, lee.token)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, UNPIN, { roomId: room }, gus.token)).body)).toBe('FORBIDDEN');
    expect((await roomOf(lee.token, room)).announcement?.message.id).toBe(posted.id);
    // Neither the tool's own lines nor messages of other rooms are announcements.
    await app.core.services.rooms.announceJoin(f.tenant.id, f.course.id, gus.user.id);
    const history = ok(
      await gql(
        app.url,
        `query($id: ID!) { room(id: $id) { messages(last: 50) { edges { node { id kind } } } } }`,
        { id: room },
        inst.token,
      ),
    );
    const sys = history.room.messages.edges
      .map((e: { node: { id: string; kind: string } }) => e.node)
      .find((m: { kind: string }) => m.kind === 'SYSTEM');
    expect(code((await gql(app.url, PIN, { messageId: sys.id }, inst.token)).body)).toBe('BAD_USER_INPUT');
    const inGroup = await sendOk(app, lee.token, group, 'group talk');
    expect(code((await gql(app.url, PIN, { messageId: inGroup.id }, inst.token)).body)).toBe('BAD_USER_INPUT');
    // A message one cannot read is not found, whoever asks.
    expect(code((await gql(app.url, PIN, { messageId: crypto.randomUUID() }, inst.token)).body)).toBe('NOT_FOUND');
    // Staff take it down.
    expect(ok(await gql(app.url, UNPIN, { roomId: room }, inst.token)).unpinAnnouncement.announcement).toBeNull();
    expect((await roomOf(lee.token, room)).announcement).toBeNull();
  });

  it('every member of a course of 500 is notified once, live, and nobody twice when it is pinned again or the send retried', async () => {
    const f = await seed(app.core, 'fanout');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const gus = await addMember(app.core, f, 'Gus Guest', ['guest']);
    const { db } = app.core.services.database;
    // A lecture: 500 students in all (added in bulk; their launches would add them one by one).
    const made = await db
      .insert(users)
      .values(
        Array.from({ length: 498 }, (_, i) => ({
          tenantId: f.tenant.id,
          subject: `bulk-${i}-${randomBytes(4).toString('hex')}`,
          name: `Student ${i}`,
        })),
      )
      .returning({ id: users.id });
    await db
      .insert(memberships)
      .values(made.map((u) => ({ tenantId: f.tenant.id, courseId: f.course.id, userId: u.id, roles: ['learner'], status: 'active' })));
    // One who left the course hears nothing.
    const gone = await addMember(app.core, f, 'Gone Student');
    await app.core.services.courses.removeMembership(f.tenant.id, f.course.id, gone.user.id);
    const room = await courseRoomId(app, lee.token, f.course.id);
    expect((await roomOf(lee.token, room)).memberCount).toBe(501); // the instructor, Lee, the guest and 498

    const c = wsClient(app.wsUrl, lee.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const live = subscribe<{
      type: string;
      unreadCount: number;
      notification: { type: string; roomId: string; messageId: string; excerpt: string; actorName: string };
    }>(c.client, NOTIFICATION_EVENTS, {}, 'notificationEvents');
    await listening(app, before);

    const clientId = cid();
    const started = performance.now();
    const m = ok(await announce(inst, room, 'Quiz moved to Thursday @Lee', { clientId, mentionIds: [lee.user.id] })).sendMessage;
    console.info(
      `[announcements] ${embedded ? 'PGlite' : 'PostgreSQL'}: posted and notified 500 members in ${Math.round(performance.now() - started)} ms`,
    );

    const rows = await db
      .select({ userId: notifications.userId, n: count() })
      .from(notifications)
      .where(eq(notifications.messageId, m.id))
      .groupBy(notifications.userId);
    const everyone = [lee.user.id, gus.user.id, ...made.map((u) => u.id)].sort();
    expect(rows.map((r) => r.userId).sort()).toEqual(everyone);
    expect(rows.every((r) => r.n === 1)).toBe(true); // once each: the announcement, not a mention besides
    expect(await notificationCount(app, inst.user.id)).toBe(0);
    expect(await notificationCount(app, gone.user.id)).toBe(0);
    const [first] = await live.waitFor(1);
    expect(first).toMatchObject({
      type: 'CREATED',
      unreadCount: 1,
      notification: {
        type: 'announcement',
        roomId: room,
        messageId: m.id,
        excerpt: 'Quiz moved to Thursday @Lee',
        actorName: inst.user.name,
      },
    });
    const listed = ok(await gql(app.url, NOTIFICATIONS, {}, gus.token));
    expect(listed.unreadNotificationCount).toBe(1);
    expect(listed.notifications.edges[0].node).toMatchObject({
      type: 'announcement',
      messageId: m.id,
      courseTitle: 'Course fanout',
      read: false,
    });

    // The same send again (a retry), the same message pinned again after being taken down: nobody is told twice.
    expect(ok(await announce(inst, room, 'Quiz moved to Thursday @Lee', { clientId, mentionIds: [lee.user.id] })).sendMessage.id).toBe(
      m.id,
    );
    ok(await gql(app.url, UNPIN, { roomId: room }, inst.token));
    expect(ok(await gql(app.url, PIN, { messageId: m.id }, inst.token)).pinAnnouncement.announcement.message.id).toBe(m.id);
    expect(await announcementsOf(lee.user.id, m.id)).toBe(1);
    expect(Number((await db.select({ n: count() }).from(notifications).where(eq(notifications.messageId, m.id)))[0]!.n)).toBe(500);

    // Reading the course room reads the announcement's notification: the bell goes down.
    ok(await gql(app.url, MARK_READ, { roomId: room, seq: m.seq }, lee.token));
    expect(ok(await gql(app.url, NOTIFICATIONS, {}, lee.token)).unreadNotificationCount).toBe(0);
    await c.client.dispose();
  });

  it('the room query returns the announcement, and every change of it is an event on the room stream and the room list feed', async () => {
    const f = await seed(app.core, 'live');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Author');
    const room = await courseRoomId(app, lee.token, f.course.id);
    const c = wsClient(app.wsUrl, lee.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const events = subscribe<Ev>(c.client, EVENTS_A, { roomId: room }, 'roomEvents');
    const activity = subscribe<{ type: string; roomId: string; announcement: { message: { id: string; body: string } } | null }>(
      c.client,
      ACTIVITY_A,
      { courseId: f.course.id },
      'chatActivity',
    );
    await listening(app, before, 2);
    const changes = () => events.items.filter((e) => e.type === 'ANNOUNCEMENT_CHANGED');

    // Posted as the announcement: the message, then the announcement.
    const a = ok(await announce(inst, room, 'Quiz moved to Thursday')).sendMessage;
    await events.waitFor(2);
    expect(events.items.map((e) => e.type)).toEqual(['MESSAGE_ADDED', 'ANNOUNCEMENT_CHANGED']);
    expect(changes()[0]!.announcement).toEqual({
      pinnedBy: { name: inst.user.name },
      message: { id: a.id, body: 'Quiz moved to Thursday', deleted: false },
    });
    const room1 = await roomOf(lee.token, room);
    expect(room1.announcement).toMatchObject({
      pinnedBy: { id: inst.user.id },
      message: { id: a.id, body: 'Quiz moved to Thursday', author: { id: inst.user.id } },
    });
    const listed = ok(await gql(app.url, ROOMS_A, { id: f.course.id }, lee.token)).course.rooms[0];
    expect(listed).toMatchObject({ kind: 'COURSE', announcement: { message: { id: a.id } } });

    // Its author edits it: everyone's pinned copy follows.
    ok(await gql(app.url, EDIT, { id: a.id, body: 'Quiz moved to Friday' }, inst.token));
    await events.waitFor(4);
    expect(changes()[1]!.announcement?.message.body).toBe('Quiz moved to Friday');

    // Another message pinned in its place (someone else's), then taken down.
    const b = await sendOk(app, ana.token, room, 'Office hours are in room 4 today');
    ok(await gql(app.url, PIN, { messageId: b.id }, inst.token));
    await events.waitFor(6);
    expect(changes()[2]!.announcement).toMatchObject({ pinnedBy: { name: inst.user.name }, message: { id: b.id } });
    expect((await roomOf(lee.token, room)).announcement?.message.id).toBe(b.id);
    expect(await announcementsOf(ana.user.id, b.id)).toBe(1); // its author is a member too
    ok(await gql(app.url, UNPIN, { roomId: room }, inst.token));
    await events.waitFor(7);
    expect(changes()[3]!.announcement).toBeNull();
    // Taking down what is not there changes nothing and says nothing.
    ok(await gql(app.url, UNPIN, { roomId: room }, inst.token));

    // The announcement deleted: it is gone from the room, and its text from the replay log too.
    ok(await gql(app.url, PIN, { messageId: a.id }, inst.token));
    ok(await gql(app.url, DELETE, { id: a.id }, inst.token));
    await events.waitFor(10);
    expect(events.items.slice(7).map((e) => [e.type, e.announcement?.message.id ?? null])).toEqual([
      ['ANNOUNCEMENT_CHANGED', a.id],
      ['MESSAGE_DELETED', null],
      ['ANNOUNCEMENT_CHANGED', null],
    ]);
    expect((await roomOf(lee.token, room)).announcement).toBeNull();
    const replay = subscribe<Ev>(c.client, EVENTS_A, { roomId: room, after: '0' }, 'roomEvents');
    await replay.waitFor(events.items.length);
    const replayed = replay.items.filter((e) => e.announcement?.message.id === a.id);
    expect(replayed.length).toBe(3);
    for (const e of replayed) expect(e.announcement!.message).toEqual({ id: a.id, body: '', deleted: true });
    const stored = await app.core.services.database.db
      .select({ payload: streamEvents.payload })
      .from(streamEvents)
      .where(eq(streamEvents.stream, `room:${room}`));
    expect(JSON.stringify(stored)).not.toContain('Quiz moved to');

    // The room list's feed told the list each time.
    expect(activity.items.filter((x) => x.type === 'ANNOUNCEMENT').map((x) => x.announcement?.message.id ?? null)).toEqual([
      a.id,
      a.id,
      b.id,
      null,
      a.id,
      null,
    ]);
    expect(activity.items.every((x) => x.roomId === room)).toBe(true);
    await c.client.dispose();
  });

  it('staff who pin are notified of nothing; members who join later see the announcement without a notification', async () => {
    const f: Fixture = await seed(app.core, 'late');
    const inst = instructorOf(f);
    const room = await courseRoomId(app, inst.token, f.course.id);
    const a = ok(await announce(inst, room, 'Welcome to the course')).sendMessage;
    const late = await addMember(app.core, f, 'Late Joiner');
    expect((await roomOf(late.token, room)).announcement?.message.id).toBe(a.id);
    expect(await notificationCount(app, late.user.id)).toBe(0);
    expect(await notificationCount(app, inst.user.id)).toBe(0);
    expect(await announcementsOf(f.learner.id, a.id)).toBe(1);
  });
});
