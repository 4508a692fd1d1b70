/**
 * Notifications from chat, through GraphQL on a real PostgreSQL and Redis: who is notified of a mention, a
 * reply and a direct message (and who is not), the dedupe of direct messages while unread, the live feed with
 * resume, marking read (one, all, by reading the room), and who may see them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import {
  CREATE_GROUP,
  MARK_READ,
  NOTIFICATIONS,
  OPEN_DIRECT,
  addMember,
  apiKeyOf,
  code,
  courseRoomId,
  learnerOf,
  listening,
  notificationCount,
  ok,
  sendOk,
  subCode,
  type Person,
} from '../../test/chat.js';

const EVENTS = `subscription($after: String) { notificationEvents(after: $after) {
  cursor type readIds allRead unreadCount notification { id type roomId messageId excerpt actorName courseTitle read } } }`;
const MARK_ONE = `mutation($id: ID!) { markNotificationRead(id: $id) }`;
const MARK_ALL = `mutation { markAllNotificationsRead }`;
const PRESENCE = `subscription($courseId: ID!, $tabId: String) { presence(courseId: $courseId, tabId: $tabId) { userId state } }`;
const COURSE_PRESENCE = `query($id: ID!) { course(id: $id) { presence { userId state } } }`;

type N = {
  id: string;
  type: string;
  courseId: string;
  courseTitle: string;
  actorName: string | null;
  roomId: string;
  messageId: string;
  excerpt: string;
  read: boolean;
};
type NEvent = { cursor: string; type: string; readIds: string[]; allRead: boolean; unreadCount: number; notification: N | null };

describe('notifications', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { CHAT_RATE_LIMIT: '1000000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const list = async (p: Person, unreadOnly?: boolean) => {
    const d = ok(await gql(app.url, NOTIFICATIONS, { unreadOnly }, p.token));
    return { items: d.notifications.edges.map((e: { node: N }) => e.node) as N[], unread: d.unreadNotificationCount as number };
  };
  const group = async (f: Fixture, memberIds: string[]) =>
    ok(await gql(app.url, CREATE_GROUP, { courseId: f.course.id, name: 'Group', memberIds }, f.instructorToken)).createGroupRoom
      .id as string;

  it('a mention notifies the mentioned, only where they can read the room', async () => {
    const f = await seed(app.core, 'mention');
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Mentioned');
    const tom = await addMember(app.core, f, 'Tom Outside');
    const room = await courseRoomId(app, lee.token, f.course.id);
    const m = await sendOk(app, lee.token, room, '@Ana have a look', { mentionIds: [ana.user.id] });
    const { items, unread } = await list(ana);
    expect(unread).toBe(1);
    expect(items).toEqual([
      expect.objectContaining({
        type: 'mention',
        courseId: f.course.id,
        courseTitle: 'Course mention',
        actorName: 'Lee Learner mention',
        roomId: room,
        messageId: m.id,
        excerpt: '@Ana have a look',
        read: false,
      }),
    ]);
    expect(await notificationCount(app, lee.user.id)).toBe(0);

    // Tom is a course member but not in the group: mentioned there, he gets nothing.
    const g = await group(f, [lee.user.id, ana.user.id]);
    const inGroup = await sendOk(app, lee.token, g, '@Tom @Ana', { mentionIds: [tom.user.id, ana.user.id] });
    expect(inGroup.mentions.map((p) => p.id).sort()).toEqual([tom.user.id, ana.user.id].sort());
    expect(await notificationCount(app, tom.user.id)).toBe(0);
    expect((await list(tom)).unread).toBe(0);
    const after = await list(ana);
    expect(after.unread).toBe(2);
    expect(after.items[0]).toMatchObject({ type: 'mention', roomId: g, messageId: inGroup.id });
  });

  it('a reply notifies the author of the message replied to, never oneself, and once with a mention', async () => {
    const f = await seed(app.core, 'reply');
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Author');
    const room = await courseRoomId(app, lee.token, f.course.id);
    const parent = await sendOk(app, ana.token, room, 'a question');
    const reply = await sendOk(app, lee.token, room, 'an answer', { replyToId: parent.id });
    let { items } = await list(ana);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      type: 'reply',
      messageId: reply.id,
      roomId: room,
      actorName: 'Lee Learner reply',
      excerpt: 'an answer',
    });

    const own = await sendOk(app, lee.token, room, 'my own point');
    await sendOk(app, lee.token, room, 'adding to my own point', { replyToId: own.id });
    expect(await notificationCount(app, lee.user.id)).toBe(0);

    const both = await sendOk(app, lee.token, room, '@Ana again', { replyToId: parent.id, mentionIds: [ana.user.id] });
    ({ items } = await list(ana));
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ type: 'mention', messageId: both.id });
  });

  it('a direct message notifies the recipient while offline, once while unread, and not while online', async () => {
    const f = await seed(app.core, 'dm');
    const lee = learnerOf(f);
    const bea = await addMember(app.core, f, 'Bea Away');
    const dm = ok(await gql(app.url, OPEN_DIRECT, { courseId: f.course.id, userId: bea.user.id }, lee.token)).openDirectRoom.id as string;
    const first = await sendOk(app, lee.token, dm, 'are you there?');
    let { items, unread } = await list(bea);
    expect(unread).toBe(1);
    expect(items).toEqual([
      expect.objectContaining({
        type: 'direct_message',
        roomId: dm,
        messageId: first.id,
        actorName: 'Lee Learner dm',
        excerpt: 'are you there?',
        read: false,
      }),
    ]);
    await sendOk(app, lee.token, dm, 'hello?');
    await sendOk(app, lee.token, dm, 'hello??');
    expect(await notificationCount(app, bea.user.id)).toBe(1);
    expect(await notificationCount(app, lee.user.id)).toBe(0);

    // Read: the next message while away notifies again.
    expect(ok(await gql(app.url, MARK_ONE, { id: items[0]!.id }, bea.token)).markNotificationRead).toBe(1);
    const third = await sendOk(app, lee.token, dm, 'one more');
    ({ items, unread } = await list(bea));
    expect(unread).toBe(1);
    expect(items.map((n) => [n.messageId, n.read])).toEqual([
      [third.id, false],
      [first.id, true],
    ]);
    ok(await gql(app.url, MARK_ALL, {}, bea.token));

    // Online: a presence subscription with a tab.
    const c = wsClient(app.wsUrl, bea.token);
    const s = subscribe(c.client, PRESENCE, { courseId: f.course.id, tabId: 'bea-tab-0001' }, 'presence');
    for (let i = 0; ; i++) {
      const present = ok(await gql(app.url, COURSE_PRESENCE, { id: f.course.id }, lee.token)).course.presence as {
        userId: string;
        state: string;
      }[];
      if (present.some((p) => p.userId === bea.user.id && p.state === 'ONLINE')) break;
      if (i > 200) throw new Error('Bea never came online');
      await new Promise((r) => setTimeout(r, 20));
    }
    const count = await notificationCount(app, bea.user.id);
    await sendOk(app, lee.token, dm, 'you are online now');
    expect(await notificationCount(app, bea.user.id)).toBe(count);
    expect((await list(bea)).unread).toBe(0);
    expect(s.errors).toEqual([]);
    await c.client.dispose();
  });

  it('notificationEvents: CREATED with the unread count, READ after marking one or all, and resume with after', async () => {
    const f = await seed(app.core, 'events');
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Listener');
    const room = await courseRoomId(app, lee.token, f.course.id);
    const c = wsClient(app.wsUrl, ana.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const s = subscribe<NEvent>(c.client, EVENTS, {}, 'notificationEvents');
    await listening(app, before);

    const m1 = await sendOk(app, lee.token, room, 'first @Ana', { mentionIds: [ana.user.id] });
    const m2 = await sendOk(app, lee.token, room, 'second @Ana', { mentionIds: [ana.user.id] });
    let got = await s.waitFor(2);
    expect(got.map((e) => [e.type, e.unreadCount, e.notification?.messageId, e.notification?.type])).toEqual([
      ['CREATED', 1, m1.id, 'mention'],
      ['CREATED', 2, m2.id, 'mention'],
    ]);
    expect(got[0]!.notification).toMatchObject({
      excerpt: 'first @Ana',
      actorName: 'Lee Learner events',
      courseTitle: 'Course events',
      roomId: room,
      read: false,
    });
    const [n1, n2] = got.map((e) => e.notification!.id);

    expect(ok(await gql(app.url, MARK_ONE, { id: n1 }, ana.token)).markNotificationRead).toBe(1);
    expect(ok(await gql(app.url, MARK_ONE, { id: n1 }, ana.token)).markNotificationRead).toBe(0);
    expect(ok(await gql(app.url, MARK_ALL, {}, ana.token)).markAllNotificationsRead).toBe(1);
    expect(ok(await gql(app.url, MARK_ALL, {}, ana.token)).markAllNotificationsRead).toBe(0);
    const m3 = await sendOk(app, lee.token, room, 'third @Ana', { mentionIds: [ana.user.id] });
    got = await s.waitFor(5);
    // Marking what was read already sends nothing: the next event is the third mention.
    expect(got.slice(2).map((e) => [e.type, e.readIds, e.allRead, e.unreadCount, e.notification?.messageId ?? null])).toEqual([
      ['READ', [n1], false, 1, null],
      ['READ', [n2], true, 0, null],
      ['CREATED', [], false, 1, m3.id],
    ]);
    const cursors = got.map((e) => Number(e.cursor));
    for (let i = 1; i < cursors.length; i++) expect(cursors[i]).toBeGreaterThan(cursors[i - 1]!);

    // Another tab resumes after the first event: the rest, once each, then live.
    const resumed = subscribe<NEvent>(c.client, EVENTS, { after: got[0]!.cursor }, 'notificationEvents');
    await resumed.waitFor(4);
    expect(resumed.items.map((e) => e.cursor)).toEqual(got.slice(1).map((e) => e.cursor));
    const m4 = await sendOk(app, lee.token, room, 'fourth @Ana', { mentionIds: [ana.user.id] });
    await resumed.waitFor(5);
    await s.waitFor(6);
    expect(resumed.items[4]!.notification!.messageId).toBe(m4.id);
    expect(resumed.items).toHaveLength(5);
    expect(new Set(resumed.items.map((e) => e.cursor)).size).toBe(5);
    await c.client.dispose();
  });

  it('reading a room marks its notifications read, up to the seq read and in that room only', async () => {
    const f = await seed(app.core, 'roomread');
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Reader');
    const room = await courseRoomId(app, lee.token, f.course.id);
    const g = await group(f, [lee.user.id, ana.user.id]);
    const m1 = await sendOk(app, lee.token, room, 'one @Ana', { mentionIds: [ana.user.id] });
    const m2 = await sendOk(app, lee.token, room, 'two @Ana', { mentionIds: [ana.user.id] });
    const inGroup = await sendOk(app, lee.token, g, 'group @Ana', { mentionIds: [ana.user.id] });
    expect((await list(ana)).unread).toBe(3);

    const c = wsClient(app.wsUrl, ana.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const s = subscribe<NEvent>(c.client, EVENTS, {}, 'notificationEvents');
    await listening(app, before);

    ok(await gql(app.url, MARK_READ, { roomId: room, seq: m1.seq }, ana.token));
    let { items, unread } = await list(ana);
    expect(unread).toBe(2);
    const readOf = (id: string) => items.find((n) => n.messageId === id)!.read;
    expect([readOf(m1.id), readOf(m2.id), readOf(inGroup.id)]).toEqual([true, false, false]);

    ok(await gql(app.url, MARK_READ, { roomId: room, seq: m2.seq }, ana.token));
    ({ items, unread } = await list(ana));
    expect(unread).toBe(1);
    expect([readOf(m1.id), readOf(m2.id), readOf(inGroup.id)]).toEqual([true, true, false]);
    expect((await list(ana, true)).items.map((n) => n.messageId)).toEqual([inGroup.id]);

    const got = await s.waitFor(2);
    const idOf = (id: string) => items.find((n) => n.messageId === id)!.id;
    expect(got.map((e) => [e.type, e.readIds, e.unreadCount])).toEqual([
      ['READ', [idOf(m1.id)], 2],
      ['READ', [idOf(m2.id)], 1],
    ]);
    await c.client.dispose();
  });

  it('a deleted message concerns nobody: its notifications stop counting as unread (live) and lose its text', async () => {
    const f = await seed(app.core, 'deleted');
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Mentioned');
    const bob = await addMember(app.core, f, 'Bob Replied');
    const room = await courseRoomId(app, lee.token, f.course.id);
    const parent = await sendOk(app, bob.token, room, 'a question');
    const keep = await sendOk(app, lee.token, room, 'kept @Ana', { mentionIds: [ana.user.id] });
    const c = wsClient(app.wsUrl, ana.token);
    const before = app.core.services.realtime.activeSubscriptions;
    const s = subscribe<NEvent>(c.client, EVENTS, {}, 'notificationEvents');
    await listening(app, before);
    const gone = await sendOk(app, lee.token, room, 'oops @Ana', { mentionIds: [ana.user.id], replyToId: parent.id });
    expect((await list(ana)).unread).toBe(2);
    expect((await list(bob)).unread).toBe(1);
    ok(await gql(app.url, `mutation($id: ID!) { deleteMessage(id: $id) { id } }`, { id: gone.id }, lee.token));
    const { items, unread } = await list(ana);
    expect(unread).toBe(1);
    expect(items.map((n) => [n.messageId, n.read, n.excerpt])).toEqual([
      [gone.id, true, ''],
      [keep.id, false, 'kept @Ana'],
    ]);
    expect(await list(bob)).toMatchObject({ unread: 0, items: [expect.objectContaining({ messageId: gone.id, read: true, excerpt: '' })] });
    const got = await s.waitFor(2);
    expect(got.map((e) => [e.type, e.unreadCount])).toEqual([
      ['CREATED', 2],
      ['READ', 1],
    ]);
    expect(got[1]!.readIds).toEqual([items[0]!.id]);
    await c.client.dispose();
  });

  it("API keys have no notifications (FORBIDDEN); another user's notification is NOT_FOUND", async () => {
    const f = await seed(app.core, 'nperm');
    const lee = learnerOf(f);
    const ana = await addMember(app.core, f, 'Ana Owner');
    const room = await courseRoomId(app, lee.token, f.course.id);
    await sendOk(app, lee.token, room, '@Ana', { mentionIds: [ana.user.id] });
    const [mine] = (await list(ana)).items;
    expect(mine).toBeDefined();

    const key = await apiKeyOf(app.core, f, ['read', 'write']);
    expect(code((await gql(app.url, NOTIFICATIONS, {}, key)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, MARK_ALL, {}, key)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, MARK_ONE, { id: mine!.id }, key)).body)).toBe('FORBIDDEN');
    expect(ok(await gql(app.url, `query { unreadNotificationCount }`, {}, key)).unreadNotificationCount).toBe(0);
    const c = wsClient(app.wsUrl, key);
    const s = subscribe(c.client, EVENTS, {}, 'notificationEvents');
    await s.ended();
    expect(subCode(s.errors)).toBe('FORBIDDEN');
    await c.client.dispose();

    for (const id of [mine!.id, crypto.randomUUID(), 'not-an-id']) {
      expect(code((await gql(app.url, MARK_ONE, { id }, lee.token)).body)).toBe('NOT_FOUND');
    }
    // Marking all of one's own does not touch anyone else's.
    ok(await gql(app.url, MARK_ALL, {}, lee.token));
    expect((await list(ana)).items[0]).toMatchObject({ id: mine!.id, read: false });
    expect((await list(lee)).items).toEqual([]);
  });
});
