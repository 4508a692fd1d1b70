/**
 * Chat live, through real graphql-ws clients on two API instances that share one PostgreSQL and one Redis:
 * resuming a room's stream with a cursor, delivery across instances, edits, deletions and reactions on the
 * same stream, typing, read receipts, and the room list's chatActivity feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { roomMembers } from './tables.js';
import { freshPgDatabase, gql, poll, seed, startApp, subscribe, wsClient, type TestApp } from '../../test/harness.js';
import {
  CREATE_GROUP,
  DELETE,
  EDIT,
  MARK_READ,
  OPEN_DIRECT,
  REACT,
  REMOVE_MEMBER,
  ROOM_EVENTS,
  TYPING,
  addMember,
  cid,
  courseRoomId,
  instructorOf,
  learnerOf,
  listening,
  ok,
  sendOk,
  subCode,
  type Person,
  type RoomEv,
} from '../../test/chat.js';

const ACTIVITY = `subscription($courseId: ID!) { chatActivity(courseId: $courseId) { type roomId readSeq message { id roomId seq body author { id } } } }`;
type Activity = {
  type: string;
  roomId: string;
  readSeq: string | null;
  message: { id: string; roomId: string; seq: string; body: string; author: { id: string } | null } | null;
};

describe('chat live', () => {
  let one: TestApp;
  let two: TestApp;
  let dropDb: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshPgDatabase();
    dropDb = db.drop;
    one = await startApp({ databaseUrl: db.url, env: { CHAT_RATE_LIMIT: '1000000' } });
    two = await startApp({ databaseUrl: db.url, env: { CHAT_RATE_LIMIT: '1000000' } });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await dropDb?.();
  });

  /** Subscribes to a room's events on an instance and waits until the server listens. */
  async function follow(app: TestApp, token: string, roomId: string, after?: string) {
    const c = wsClient(app.wsUrl, token);
    const before = app.core.services.realtime.activeSubscriptions;
    const s = subscribe<RoomEv>(c.client, ROOM_EVENTS, after === undefined ? { roomId } : { roomId, after }, 'roomEvents');
    await listening(app, before);
    return { c, s };
  }

  it('a subscriber that disconnects while 500 messages are sent resumes with its cursor and gets each once, in order', async () => {
    const f = await seed(one.core, 'resume');
    const inst = instructorOf(f);
    const sam = await addMember(one.core, f, 'Sam Sender');
    const room = await courseRoomId(one, f.learnerToken, f.course.id);
    const first = await follow(one, f.learnerToken, room);
    for (let i = 0; i < 3; i++) await sendOk(one, sam.token, room, `early ${i}`);
    await first.s.waitFor(3);
    const cursor = first.s.items.at(-1)!.cursor!;
    expect(first.s.items.map((e) => e.message!.body)).toEqual(['early 0', 'early 1', 'early 2']);
    await first.c.client.dispose();

    for (let i = 0; i < 500; i++) {
      await one.core.services.rooms.send(i % 2 ? sam.viewer : inst.viewer, { roomId: room, clientId: cid(), body: `late ${i}` });
    }

    // The reconnection lands on the other instance, as behind a load balancer.
    const again = await follow(two, f.learnerToken, room, cursor);
    await again.s.waitFor(500, 30_000);
    // Live messages continue after the replay, still without duplicates.
    for (let i = 500; i < 503; i++) await sendOk(one, sam.token, room, `late ${i}`);
    const got = await again.s.waitFor(503);
    await new Promise((r) => setTimeout(r, 100));
    expect(again.s.errors).toEqual([]);
    expect(again.s.items).toHaveLength(503);
    expect(got.map((e) => e.type).every((t) => t === 'MESSAGE_ADDED')).toBe(true);
    expect(got.map((e) => e.message!.body)).toEqual(Array.from({ length: 503 }, (_, i) => `late ${i}`));
    expect(got.map((e) => Number(e.cursor))).toEqual(Array.from({ length: 503 }, (_, i) => Number(cursor) + 1 + i));
    expect(got.map((e) => e.message!.seq)).toEqual(got.map((e) => e.cursor));
    await again.c.client.dispose();
  });

  it('a message sent on one instance reaches a subscriber on the other, and typing crosses instances too', async () => {
    const f = await seed(one.core, 'cross');
    const room = await courseRoomId(one, f.learnerToken, f.course.id);
    const onOne = await follow(one, f.learnerToken, room);
    const onTwo = await follow(two, f.instructorToken, room);
    const fromTwo = await sendOk(two, f.instructorToken, room, 'sent on two');
    const fromOne = await sendOk(one, f.learnerToken, room, 'sent on one');
    ok(await gql(two.url, TYPING, { roomId: room, typing: true }, f.instructorToken));
    ok(await gql(one.url, TYPING, { roomId: room, typing: true }, f.learnerToken));
    await onOne.s.waitFor(4);
    await onTwo.s.waitFor(4);
    for (const { s } of [onOne, onTwo]) {
      const messages = s.items.filter((e) => e.type === 'MESSAGE_ADDED').map((e) => e.message!.id);
      expect(messages).toEqual([fromTwo.id, fromOne.id]);
      const typing = s.items
        .filter((e) => e.type === 'TYPING')
        .map((e) => e.userId)
        .sort();
      expect(typing).toEqual([f.instructor.id, f.learner.id].sort());
    }
    await onOne.c.client.dispose();
    await onTwo.c.client.dispose();
  });

  it('edits, deletions and reactions arrive on the same stream', async () => {
    const f = await seed(one.core, 'changes');
    const lee = learnerOf(f);
    const room = await courseRoomId(one, lee.token, f.course.id);
    const { c, s } = await follow(two, f.instructorToken, room);
    const m = await sendOk(one, lee.token, room, 'first draft');
    ok(await gql(one.url, EDIT, { id: m.id, body: 'second draft' }, lee.token));
    ok(await gql(one.url, REACT, { messageId: m.id, emoji: '🎉', on: true }, f.instructorToken));
    ok(await gql(one.url, REACT, { messageId: m.id, emoji: '🎉', on: false }, f.instructorToken));
    ok(await gql(one.url, DELETE, { id: m.id }, lee.token));
    const got = await s.waitFor(5);
    expect(got.map((e) => e.type)).toEqual([
      'MESSAGE_ADDED',
      'MESSAGE_EDITED',
      'REACTIONS_CHANGED',
      'REACTIONS_CHANGED',
      'MESSAGE_DELETED',
    ]);
    expect(got.map((e) => Number(e.cursor))).toEqual([1, 2, 3, 4, 5].map((i) => Number(m.seq) - 1 + i));
    expect(got.every((e) => e.message!.id === m.id)).toBe(true);
    expect(got[0]!.message).toMatchObject({ body: 'first draft', seq: m.seq, editedAt: null });
    expect(got[1]!.message).toMatchObject({ body: 'second draft', seq: m.seq });
    expect(got[1]!.message!.editedAt).not.toBeNull();
    expect(got[2]!.message!.reactions).toEqual([{ emoji: '🎉', count: 1, userIds: [f.instructor.id] }]);
    expect(got[3]!.message!.reactions).toEqual([]);
    expect(got[4]!.message).toMatchObject({ deleted: true, deletedBy: 'AUTHOR', body: '' });
    await c.client.dispose();
  });

  it('typing: TYPING events with the name, on and off, that expire a few seconds ahead', async () => {
    const f = await seed(one.core, 'typing');
    const room = await courseRoomId(one, f.learnerToken, f.course.id);
    const { c, s } = await follow(one, f.instructorToken, room);
    const t0 = Date.now();
    expect(ok(await gql(one.url, TYPING, { roomId: room, typing: true }, f.learnerToken)).setTyping).toBe(true);
    expect(ok(await gql(one.url, TYPING, { roomId: room, typing: false }, f.learnerToken)).setTyping).toBe(false);
    const got = await s.waitFor(2);
    expect(got.map((e) => [e.type, e.userId, e.userName, e.typing, e.cursor, e.message])).toEqual([
      ['TYPING', f.learner.id, 'Lee Learner typing', true, null, null],
      ['TYPING', f.learner.id, 'Lee Learner typing', false, null, null],
    ]);
    for (const e of got) {
      const exp = Date.parse(e.expiresAt!);
      expect(exp).toBeGreaterThan(Date.now());
      expect(exp).toBeLessThanOrEqual(t0 + 6_000 + 1_000);
    }
    await c.client.dispose();
  });

  it('read receipts: in a direct room the other person gets READ with the seq; in the course room nobody else does', async () => {
    const f = await seed(one.core, 'receipts');
    const a = learnerOf(f);
    const b = await addMember(one.core, f, 'Bea Reader');
    const dm = ok(await gql(one.url, OPEN_DIRECT, { courseId: f.course.id, userId: b.user.id }, a.token)).openDirectRoom;
    const m = await sendOk(one, a.token, dm.id, 'did you read this?');
    const watchDm = await follow(two, a.token, dm.id);
    expect(ok(await gql(one.url, MARK_READ, { roomId: dm.id, seq: m.seq }, b.token)).markRoomRead).toBe(m.seq);
    const [read] = await watchDm.s.waitFor(1);
    expect(read).toMatchObject({ type: 'READ', userId: b.user.id, readSeq: m.seq, cursor: null });
    await watchDm.c.client.dispose();

    const room = await courseRoomId(one, a.token, f.course.id);
    const cm = await sendOk(one, a.token, room, 'course-wide');
    const watchCourse = await follow(one, a.token, room);
    expect(ok(await gql(one.url, MARK_READ, { roomId: room, seq: cm.seq }, b.token)).markRoomRead).toBe(cm.seq);
    // A later signal from the same reader on the same stream: any READ would have come before it.
    ok(await gql(one.url, TYPING, { roomId: room, typing: true }, b.token));
    const got = await watchCourse.s.waitFor(1);
    expect(got.map((e) => e.type)).toEqual(['TYPING']);
    await new Promise((r) => setTimeout(r, 100));
    expect(watchCourse.s.items.filter((e) => e.type === 'READ')).toEqual([]);
    await watchCourse.c.client.dispose();
  });

  it("a read marker that does not move changes nothing and tells nobody: no READ in the room, none to the reader's other tabs", async () => {
    const f = await seed(one.core, 'read-noop');
    const a = learnerOf(f);
    const b = await addMember(one.core, f, 'Bo Rereader');
    const dm = ok(await gql(one.url, OPEN_DIRECT, { courseId: f.course.id, userId: b.user.id }, a.token)).openDirectRoom;
    const [m1, m2, m3] = [
      await sendOk(one, a.token, dm.id, 'one'),
      await sendOk(one, a.token, dm.id, 'two'),
      await sendOk(one, a.token, dm.id, 'three'),
    ];
    // The room as the other person follows it, and the reader's own other tab (their room list's feed).
    const room = await follow(two, a.token, dm.id);
    const tab = wsClient(two.wsUrl, b.token);
    const before = two.core.services.realtime.activeSubscriptions;
    const activity = subscribe<Activity>(tab.client, ACTIVITY, { courseId: f.course.id }, 'chatActivity');
    await listening(two, before, 2);
    const marker = async () =>
      (
        await one.core.services.database.db
          .select({ seq: roomMembers.lastReadSeq, at: roomMembers.updatedAt })
          .from(roomMembers)
          .where(and(eq(roomMembers.roomId, dm.id), eq(roomMembers.userId, b.user.id)))
      )[0];

    expect(ok(await gql(one.url, MARK_READ, { roomId: dm.id, seq: m2.seq }, b.token)).markRoomRead).toBe(m2.seq);
    const held = await marker();
    // Older and equal: the answer is the marker, and nothing is written or said.
    for (const seq of [m1.seq, m2.seq, m1.seq])
      expect(ok(await gql(one.url, MARK_READ, { roomId: dm.id, seq }, b.token)).markRoomRead).toBe(m2.seq);
    expect(await marker()).toEqual(held);
    // A later move: once its READ arrived, any READ of the calls before it would have arrived first (one stream, in order).
    expect(ok(await gql(one.url, MARK_READ, { roomId: dm.id, seq: m3.seq }, b.token)).markRoomRead).toBe(m3.seq);
    const reads = <T extends { type: string; readSeq: string | null }>(items: T[]) =>
      items.filter((e) => e.type === 'READ').map((e) => e.readSeq);
    await poll(
      () => reads(room.s.items).includes(m3.seq) && reads(activity.items).includes(m3.seq),
      10_000,
      () => `room: ${JSON.stringify(room.s.items)}; tab: ${JSON.stringify(activity.items)}`,
    );
    expect(reads(room.s.items)).toEqual([m2.seq, m3.seq]);
    expect(reads(activity.items)).toEqual([m2.seq, m3.seq]);
    await room.c.client.dispose();
    await tab.client.dispose();
  });

  it('chatActivity: new messages in the course room and in a group joined later, and reads from another tab', async () => {
    const f = await seed(one.core, 'activity');
    const inst = instructorOf(f);
    const lee: Person = learnerOf(f);
    const room = await courseRoomId(one, lee.token, f.course.id);
    const elsewhere = ok(
      await gql(one.url, CREATE_GROUP, { courseId: f.course.id, name: 'Not for Lee', memberIds: [] }, inst.token),
    ).createGroupRoom;

    const c = wsClient(one.wsUrl, lee.token);
    const before = one.core.services.realtime.activeSubscriptions;
    const s = subscribe<Activity>(c.client, ACTIVITY, { courseId: f.course.id }, 'chatActivity');
    await listening(one, before, 2); // the viewer's own stream and the course room
    const types = () => s.items.map((e) => e.type);

    await sendOk(one, inst.token, elsewhere.id, 'lee does not see this');
    const m1 = await sendOk(two, inst.token, room, 'hello course');
    await s.waitFor(1);
    expect(s.items[0]).toMatchObject({ type: 'MESSAGE', roomId: room, message: { id: m1.id, seq: m1.seq, body: 'hello course' } });

    const g = ok(
      await gql(one.url, CREATE_GROUP, { courseId: f.course.id, name: 'Lee joins', memberIds: [lee.user.id] }, inst.token),
    ).createGroupRoom;
    await poll(
      () => types().includes('ROOMS_CHANGED'),
      10_000,
      () => `no ROOMS_CHANGED: ${JSON.stringify(s.items)} ${JSON.stringify(s.errors)}`,
    );
    expect(s.items.find((e) => e.type === 'ROOMS_CHANGED')!.roomId).toBe(g.id);
    const m2 = await sendOk(two, inst.token, g.id, 'welcome to the group');
    await poll(
      () => s.items.some((e) => e.message?.id === m2.id),
      10_000,
      () => `no group message: ${JSON.stringify(s.items)}`,
    );
    expect(s.items.find((e) => e.message?.id === m2.id)).toMatchObject({ type: 'MESSAGE', roomId: g.id });

    // Another tab of Lee reads the course room.
    ok(await gql(two.url, MARK_READ, { roomId: room, seq: m1.seq }, lee.token));
    await poll(
      () => types().includes('READ'),
      10_000,
      () => `no READ: ${JSON.stringify(s.items)}`,
    );
    expect(s.items.find((e) => e.type === 'READ')).toMatchObject({ roomId: room, readSeq: m1.seq, message: null });
    expect(s.errors).toEqual([]);
    expect(s.items.some((e) => e.roomId === elsewhere.id)).toBe(false);
    await c.client.dispose();
  });

  it('chatActivity: removed from a group, the feed drops that room and goes on', async () => {
    const f = await seed(one.core, 'activity2');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const room = await courseRoomId(one, lee.token, f.course.id);
    const g = ok(
      await gql(one.url, CREATE_GROUP, { courseId: f.course.id, name: 'Short stay', memberIds: [lee.user.id] }, inst.token),
    ).createGroupRoom;
    const c = wsClient(one.wsUrl, lee.token);
    const before = one.core.services.realtime.activeSubscriptions;
    const s = subscribe<Activity>(c.client, ACTIVITY, { courseId: f.course.id }, 'chatActivity');
    await listening(one, before, 3); // own stream, course room, group
    await sendOk(one, inst.token, g.id, 'in the group');
    await s.waitFor(1);

    ok(await gql(one.url, REMOVE_MEMBER, { roomId: g.id, userId: lee.user.id }, inst.token));
    await poll(
      () => s.items.some((e) => e.type === 'ROOMS_CHANGED') || s.done,
      10_000,
      () => 'no ROOMS_CHANGED',
    );
    await sendOk(one, inst.token, g.id, 'after lee left');
    const m = await sendOk(one, inst.token, room, 'course room goes on');
    await poll(
      () => s.items.some((e) => e.message?.id === m.id) || s.done,
      10_000,
      () => `feed stopped: ${JSON.stringify(s.items)}`,
    );
    expect(s.errors).toEqual([]);
    expect(s.done).toBe(false);
    expect(s.items.map((e) => [e.type, e.roomId, e.message?.body ?? null])).toEqual([
      ['MESSAGE', g.id, 'in the group'],
      ['ROOMS_CHANGED', g.id, null],
      ['MESSAGE', room, 'course room goes on'],
    ]);
    await c.client.dispose();
  });

  it('chatActivity: removed from the course, the feed ends with FORBIDDEN', async () => {
    const f = await seed(one.core, 'activity3');
    const room = await courseRoomId(one, f.learnerToken, f.course.id);
    const c = wsClient(two.wsUrl, f.learnerToken);
    const before = two.core.services.realtime.activeSubscriptions;
    const s = subscribe<Activity>(c.client, ACTIVITY, { courseId: f.course.id }, 'chatActivity');
    await listening(two, before, 2);
    await sendOk(one, f.instructorToken, room, 'still here');
    await s.waitFor(1);
    await one.core.services.courses.removeMembership(f.tenant.id, f.course.id, f.learner.id);
    await sendOk(one, f.instructorToken, room, 'not for a former member');
    await s.ended();
    expect(subCode(s.errors)).toBe('FORBIDDEN');
    expect(s.items.map((e) => e.message?.body)).toEqual(['still here']);
    await c.client.dispose();
  });
});
