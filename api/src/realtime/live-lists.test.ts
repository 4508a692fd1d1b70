/**
 * The feature contract for every followed list (DESIGN.md): the query returns the stream position it reflects, the
 * subscription takes it as `after`, and an event committed between the two reaches the follower once, not zero
 * times (the window a query-then-subscribe-from-now had) and not twice (the list already holds what the position
 * covers; the replay starts after it). One case per list: room messages, notifications, course activity (the
 * roster), the staff's activity feed, tutor usage and the room list; on a PostgreSQL server and on the embedded PGlite `npm start` uses.
 * Each case commits a marker after the subscription is live and waits for it: then the window event has come, or
 * never will, and counting it is exact.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { buildApi, openCore } from '../app.js';
import { poll, seed, startApp, subscribe, testConfig, wsClient, gql, type TestApp } from '../../test/harness.js';
import { addMember, courseRoomId, CREATE_GROUP, listening, ok, OPEN_TUTOR, sendOk, subCode } from '../../test/chat.js';
import { readEvents } from './events.js';
import { userStream } from '../notifications/events.js';

/** An app on the embedded database (PGlite), as `npm start` runs without DATABASE_URL. */
async function startPgliteApp(): Promise<TestApp> {
  const config = testConfig();
  const core = await openCore(config);
  const api = buildApi(core);
  const url = await api.listen(0, '127.0.0.1');
  return {
    core,
    api,
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/graphql',
    async close() {
      await api.close();
      await core.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

const ROOM_PAGE = `query($id: ID!) { room(id: $id) { lastSeq messages(last: 20) { edges { node { id } } } } }`;
const ROOM_EVENTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) { cursor type message { id body } } }`;
const NOTIFICATION_PAGE = `{ notifications(first: 20) { cursor edges { node { id } } } }`;
const NOTIFICATION_EVENTS = `subscription($after: String) { notificationEvents(after: $after) { cursor type notification { id messageId } unreadCount } }`;
const ROSTER_PAGE = `query($id: ID!) { course(id: $id) { members(first: 50) { cursor edges { node { user { id } } } } } }`;
const COURSE_ACTIVITY = `subscription($courseId: ID!, $after: String) { courseActivity(courseId: $courseId, after: $after) { cursor type data } }`;
const ACTIVITY_PAGE = `query($id: ID!) { courseActivityEntries(courseId: $id, first: 50) { cursor edges { node { id actorId } } } }`;
const ACTIVITY_FEED = `subscription($courseId: ID!, $after: String) { courseActivityFeed(courseId: $courseId, after: $after) { cursor entry { id type actorId } } }`;
const USAGE = `query($courseId: ID!) { myTutorUsage(courseId: $courseId) { cursor usedToday } }`;
const USAGE_SUB = `subscription($courseId: ID!, $after: String) { tutorUsage(courseId: $courseId, after: $after) { cursor usedToday } }`;
const ROOM_LIST = `query($id: ID!) { course(id: $id) { roomsCursor rooms { id kind lastSeq unreadCount } } }`;
const CHAT_ACTIVITY = `subscription($courseId: ID!, $after: String) { chatActivity(courseId: $courseId, after: $after) { type roomId message { id body } } }`;

type RoomEv = { cursor: string | null; type: string; message: { id: string; body: string } | null };
type NotificationEv = { cursor: string; type: string; notification: { id: string; messageId: string | null } | null; unreadCount: number };
type Activity = { cursor: string; type: string; data: { userId?: string } };
type ActivityFeedEv = { cursor: string; entry: { id: string; type: string; actorId: string | null } };
type Usage = { cursor: string; usedToday: number };
type ChatActivity = { type: string; roomId: string; message: { id: string; body: string } | null };

describe.each([
  { name: 'PostgreSQL', start: () => startApp() as Promise<TestApp> },
  { name: 'PGlite', start: startPgliteApp },
])('a followed list, loaded then followed from its cursor ($name)', ({ start }) => {
  let app: TestApp;
  let worker: WorkerHandle;
  beforeAll(async () => {
    app = await start();
    worker = await startWorker(app.core);
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
  });

  /** Subscribes on a socket of its own and waits until `n` server-side subscriptions are live for it. */
  async function follow<T>(token: string, query: string, variables: Record<string, unknown>, field: string, n = 1) {
    const ws = wsClient(app.wsUrl, token);
    const before = app.core.services.realtime.activeSubscriptions;
    const s = subscribe<T>(ws.client, query, variables, field);
    await listening(app, before, n);
    return { s, close: () => ws.client.dispose() };
  }

  it('room messages: Room.lastSeq, then roomEvents(after): a message sent in between comes once', async () => {
    const f = await seed(app.core, 'room');
    const room = await courseRoomId(app, f.learnerToken, f.course.id);
    const page = ok(await gql(app.url, ROOM_PAGE, { id: room }, f.learnerToken)).room;
    const between = await sendOk(app, f.instructorToken, room, 'sent between the query and the subscription');
    expect(page.messages.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(between.id);

    const { s, close } = await follow<RoomEv>(f.learnerToken, ROOM_EVENTS, { roomId: room, after: page.lastSeq }, 'roomEvents');
    const marker = await sendOk(app, f.instructorToken, room, 'marker');
    await poll(
      () => s.items.some((e) => e.message?.id === marker.id) || s.done,
      20_000,
      () => JSON.stringify(s),
    );
    expect(s.errors).toEqual([]);
    expect(s.items.filter((e) => e.type === 'MESSAGE_ADDED').map((e) => e.message!.id)).toEqual([between.id, marker.id]);
    await close();
  });

  it('notifications: the connection cursor, then notificationEvents(after): a notification created in between comes once', async () => {
    const f = await seed(app.core, 'notif');
    const room = await courseRoomId(app, f.learnerToken, f.course.id);
    const page = ok(await gql(app.url, NOTIFICATION_PAGE, {}, f.learnerToken)).notifications;
    expect(page.cursor).toMatch(/^\d+$/);
    const between = await sendOk(app, f.instructorToken, room, 'a mention in between', { mentionIds: [f.learner.id] });
    const listed = ok(await gql(app.url, NOTIFICATION_PAGE, {}, f.learnerToken)).notifications;
    expect(listed.edges).toHaveLength(1); // the notification is committed before the subscription starts

    const { s, close } = await follow<NotificationEv>(f.learnerToken, NOTIFICATION_EVENTS, { after: page.cursor }, 'notificationEvents');
    const marker = await sendOk(app, f.instructorToken, room, 'a mention as marker', { mentionIds: [f.learner.id] });
    await poll(
      () => s.items.some((e) => e.notification?.messageId === marker.id) || s.done,
      20_000,
      () => JSON.stringify(s),
    );
    expect(s.errors).toEqual([]);
    const created = s.items.filter((e) => e.type === 'CREATED').map((e) => e.notification!.messageId);
    expect(created).toEqual([between.id, marker.id]);
    expect(s.items.at(-1)!.unreadCount).toBe(2);
    await close();
  });

  it("course activity: the roster's cursor, then courseActivity(after): a member who joined in between comes once", async () => {
    const f = await seed(app.core, 'roster');
    const page = ok(await gql(app.url, ROSTER_PAGE, { id: f.course.id }, f.instructorToken)).course.members;
    expect(page.cursor).toMatch(/^\d+$/);
    const between = await addMember(app.core, f, 'Joined In Between');
    expect(page.edges.map((e: { node: { user: { id: string } } }) => e.node.user.id)).not.toContain(between.user.id);

    const { s, close } = await follow<Activity>(
      f.instructorToken,
      COURSE_ACTIVITY,
      { courseId: f.course.id, after: page.cursor },
      'courseActivity',
    );
    const marker = await addMember(app.core, f, 'Joined As Marker');
    await poll(
      () => s.items.some((e) => e.data.userId === marker.user.id) || s.done,
      20_000,
      () => JSON.stringify(s),
    );
    expect(s.errors).toEqual([]);
    expect(s.items.filter((e) => e.type === 'member.joined').map((e) => e.data.userId)).toEqual([between.user.id, marker.user.id]);
    await close();
  });

  it("the staff's activity feed: courseActivityEntries' cursor, then courseActivityFeed(after): an entry added in between comes once", async () => {
    const f = await seed(app.core, 'activity');
    const page = ok(await gql(app.url, ACTIVITY_PAGE, { id: f.course.id }, f.instructorToken)).courseActivityEntries;
    expect(page.cursor).toMatch(/^\d+$/);
    const between = await addMember(app.core, f, 'Joined In Between');
    expect(page.edges.map((e: { node: { actorId: string } }) => e.node.actorId)).not.toContain(between.user.id);

    const { s, close } = await follow<ActivityFeedEv>(
      f.instructorToken,
      ACTIVITY_FEED,
      { courseId: f.course.id, after: page.cursor },
      'courseActivityFeed',
    );
    const marker = await addMember(app.core, f, 'Joined As Marker');
    await poll(
      () => s.items.some((e) => e.entry.actorId === marker.user.id) || s.done,
      20_000,
      () => JSON.stringify(s),
    );
    expect(s.errors).toEqual([]);
    expect(s.items.map((e) => e.entry.actorId)).toEqual([between.user.id, marker.user.id]);
    await close();
  });

  it('tutor usage: myTutorUsage with its cursor, then tutorUsage(after): the usage after a reply in between comes once', async () => {
    const f = await seed(app.core, 'usage');
    const room = ok(await gql(app.url, OPEN_TUTOR, { courseId: f.course.id }, f.learnerToken)).openTutorRoom.id as string;
    const first = ok(await gql(app.url, USAGE, { courseId: f.course.id }, f.learnerToken)).myTutorUsage as Usage;
    expect(first.usedToday).toBe(0);
    // A question answered (by the offline tutor, through the worker) between the query and the subscription: its
    // usage is an event on the student's stream, committed before the subscription starts.
    const usageEvents = async () =>
      (await readEvents(app.core.services.database.db, userStream(f.learner.id), Number(first.cursor), 100)).filter(
        (e) => e.type === 'tutor.usage',
      );
    await sendOk(app, f.learnerToken, room, 'What is a closure?');
    await poll(
      async () => (await usageEvents()).length === 1,
      30_000,
      () => 'no usage event after the first reply',
    );

    const { s, close } = await follow<Usage>(f.learnerToken, USAGE_SUB, { courseId: f.course.id, after: first.cursor }, 'tutorUsage');
    await sendOk(app, f.learnerToken, room, 'And a function?');
    await poll(
      () => s.items.length >= 2 || s.done,
      30_000,
      () => JSON.stringify(s),
    );
    expect(s.errors).toEqual([]);
    const [between, marker] = await usageEvents();
    // No snapshot first (the query was it): the usage after the first reply, then after the second.
    expect(s.items.map((u) => u.cursor)).toEqual([String(between!.seq), String(marker!.seq)]);
    expect(s.items[0]!.usedToday).toBeGreaterThan(0);
    expect(s.items[1]!.usedToday).toBeGreaterThan(s.items[0]!.usedToday);
    await close();
  });

  it('the room list: Course.roomsCursor, then chatActivity(after): a message sent in between comes once', async () => {
    const f = await seed(app.core, 'list');
    const list = ok(await gql(app.url, ROOM_LIST, { id: f.course.id }, f.learnerToken)).course;
    const room = list.rooms[0].id as string;
    const between = await sendOk(app, f.instructorToken, room, 'sent between the list and the subscription');

    // The learner's own stream and their one room.
    const { s, close } = await follow<ChatActivity>(
      f.learnerToken,
      CHAT_ACTIVITY,
      { courseId: f.course.id, after: list.roomsCursor },
      'chatActivity',
      2,
    );
    const marker = await sendOk(app, f.instructorToken, room, 'marker');
    await poll(
      () => s.items.some((a) => a.message?.id === marker.id) || s.done,
      20_000,
      () => JSON.stringify(s),
    );
    expect(s.errors).toEqual([]);
    expect(s.items.filter((a) => a.type === 'MESSAGE').map((a) => a.message!.id)).toEqual([between.id, marker.id]);
    expect(s.items.some((a) => a.type === 'ROOMS_CHANGED')).toBe(false);
    await close();
  });

  it('the room list: a room joined after the cursor was taken is followed from then on, and ROOMS_CHANGED says to load the list again', async () => {
    const f = await seed(app.core, 'joined');
    const list = ok(await gql(app.url, ROOM_LIST, { id: f.course.id }, f.learnerToken)).course;
    expect(list.rooms).toHaveLength(1);
    const group = ok(
      await gql(app.url, CREATE_GROUP, { courseId: f.course.id, name: 'Study group', memberIds: [f.learner.id] }, f.instructorToken),
    ).createGroupRoom;

    // Own stream, the course room and the group.
    const { s, close } = await follow<ChatActivity>(
      f.learnerToken,
      CHAT_ACTIVITY,
      { courseId: f.course.id, after: list.roomsCursor },
      'chatActivity',
      3,
    );
    await poll(
      () => s.items.some((a) => a.type === 'ROOMS_CHANGED' && a.roomId === group.id) || s.done,
      20_000,
      () => JSON.stringify(s),
    );
    const reloaded = ok(await gql(app.url, ROOM_LIST, { id: f.course.id }, f.learnerToken)).course;
    expect(reloaded.rooms.map((r: { id: string }) => r.id)).toContain(group.id);
    const later = await sendOk(app, f.instructorToken, group.id, 'in the group, after the subscription started');
    await poll(
      () => s.items.some((a) => a.message?.id === later.id) || s.done,
      20_000,
      () => JSON.stringify(s),
    );
    expect(s.errors).toEqual([]);
    expect(s.items.filter((a) => a.message?.id === later.id)).toHaveLength(1);
    await close();
  });

  it("the room list: a malformed cursor, another person's and another course's are BAD_CURSOR", async () => {
    const f = await seed(app.core, 'bad');
    const mine = ok(await gql(app.url, ROOM_LIST, { id: f.course.id }, f.learnerToken)).course.roomsCursor as string;
    const theirs = ok(await gql(app.url, ROOM_LIST, { id: f.course.id }, f.instructorToken)).course.roomsCursor as string;
    const other = await seed(app.core, 'bad-other');
    const elsewhere = ok(await gql(app.url, ROOM_LIST, { id: other.course.id }, other.learnerToken)).course.roomsCursor as string;
    expect(mine).not.toBe(theirs);
    for (const after of ['not a cursor', '12', Buffer.from('{"v":1}').toString('base64url'), theirs, elsewhere]) {
      const ws = wsClient(app.wsUrl, f.learnerToken);
      const s = subscribe(ws.client, CHAT_ACTIVITY, { courseId: f.course.id, after }, 'chatActivity');
      await s.ended();
      expect(subCode(s.errors), after).toBe('BAD_CURSOR');
      await ws.client.dispose();
    }
  });
});
