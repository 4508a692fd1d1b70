/**
 * Rooms and chat through GraphQL on a real PostgreSQL and Redis: the room rules (who reads, posts and
 * moderates each kind of room), tenancy, messages and their checks, idempotent sends, the rate limit, muting,
 * history paging, read state and search. Every refusal is checked for its code and for writing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase, gql, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import {
  ADD_MEMBERS,
  CREATE_GROUP,
  DELETE,
  EDIT,
  HISTORY,
  MARK_READ,
  MUTE,
  NOTIFICATIONS,
  OPEN_DIRECT,
  OPEN_TUTOR,
  REACT,
  REMOVE_MEMBER,
  ROOM_EVENTS,
  ROOM_Q,
  SEARCH,
  TYPING,
  UPDATE_ROOM,
  activeMemberIds,
  addMember,
  allMessages,
  apiKeyOf,
  cid,
  code,
  subCode,
  courseRoomId,
  instructorOf,
  learnerOf,
  listening,
  memberRow,
  messageCount,
  ok,
  roomCount,
  roomsOf,
  send,
  sendOk,
  type Msg,
  type Person,
  type RoomEv,
} from '../../test/chat.js';

const NOTIFICATION_EVENTS = `subscription($after: String) { notificationEvents(after: $after) { cursor type unreadCount notification { id type excerpt messageId } } }`;

describe('rooms and chat', () => {
  let app: TestApp;
  /** An app on the same database with a small chat rate limit. */
  let limited: TestApp;
  let dropDb: () => Promise<void>;
  let a: Fixture;
  let b: Fixture;

  beforeAll(async () => {
    const db = await freshPgDatabase();
    dropDb = db.drop;
    app = await startApp({ databaseUrl: db.url, env: { CHAT_RATE_LIMIT: '1000000' } });
    limited = await startApp({ databaseUrl: db.url, env: { CHAT_RATE_LIMIT: '5', CHAT_RATE_WINDOW_SECONDS: '60' } });
    a = await seed(app.core, 'A');
    b = await seed(app.core, 'B');
  });
  afterAll(async () => {
    await limited?.close();
    await app?.close();
    await dropDb?.();
  });

  const group = async (by: Person, courseId: string, name: string, memberIds: string[], topic?: string) =>
    ok(await gql(app.url, CREATE_GROUP, { courseId, name, memberIds, topic }, by.token)).createGroupRoom as {
      id: string;
      name: string;
      topic: string | null;
      kind: string;
      canModerate: boolean;
    };
  const roomOf = (token: string, id: string) => gql(app.url, ROOM_Q, { id }, token);

  describe('the course room', () => {
    it('exists after seed, lists first in course.rooms, and every member of the course reads and posts there', async () => {
      const f = await seed(app.core, 'course');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const tom = await addMember(app.core, f, 'Tom Third');
      const listed = await roomsOf(app, lee.token, f.course.id);
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({
        kind: 'COURSE',
        name: 'Course course',
        courseId: f.course.id,
        canPost: true,
        postRefusal: null,
        canModerate: false,
        archived: false,
      });
      const roomId = listed[0].id as string;
      for (const p of [inst, lee, tom]) await sendOk(app, p.token, roomId, `hello from ${p.user.name}`);
      // A group room with a newer message: by latest message it would come first, yet the course room leads.
      const g = await group(inst, f.course.id, 'Later', [lee.user.id]);
      await sendOk(app, lee.token, g.id, 'newer, in the group');
      expect((await roomsOf(app, lee.token, f.course.id)).map((r) => r.id)).toEqual([roomId, g.id]);
      expect((await roomsOf(app, tom.token, f.course.id)).map((r) => r.id)).toEqual([roomId]);
      const instRooms = await roomsOf(app, inst.token, f.course.id);
      expect(instRooms.map((r) => r.id)).toEqual([roomId, g.id]);
      expect(instRooms[0].canModerate).toBe(true);
      for (const p of [inst, lee, tom]) {
        const bodies = (await allMessages(app, p.token, roomId)).map((m) => m.body);
        expect(bodies).toEqual(['hello from Ada Instructor course', 'hello from Lee Learner course', 'hello from Tom Third']);
      }
    });
  });

  describe('group rooms', () => {
    it('only staff create them; the creator and the chosen members are in, and a SYSTEM message says so', async () => {
      const f = await seed(app.core, 'grp');
      const lee = learnerOf(f);
      const ta = await addMember(app.core, f, 'Tara Assistant', ['teaching_assistant']);
      const before = await roomCount(app, f.course.id);
      const refused = await gql(app.url, CREATE_GROUP, { courseId: f.course.id, name: 'Mine', memberIds: [] }, lee.token);
      expect(code(refused.body)).toBe('FORBIDDEN');
      expect(await roomCount(app, f.course.id)).toBe(before);

      const g = await group(ta, f.course.id, '  Lab   group ', [lee.user.id], 'Week 1');
      expect(g).toMatchObject({ kind: 'GROUP', name: 'Lab group', topic: 'Week 1', canModerate: true });
      expect(await activeMemberIds(app, g.id)).toEqual([lee.user.id, ta.user.id].sort());
      const [first] = await allMessages(app, lee.token, g.id);
      expect(first).toMatchObject({ kind: 'SYSTEM', author: null, body: 'Tara Assistant created the room' });
    });

    it('members read and post; a learner outside gets NOT_FOUND everywhere and never sees it; staff read and moderate it', async () => {
      const f = await seed(app.core, 'grp2');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const ana = await addMember(app.core, f, 'Ana Outside');
      const ta = await addMember(app.core, f, 'Tara Assistant', ['teaching_assistant']);
      const g = await group(inst, f.course.id, 'Project', [lee.user.id]);
      const m = await sendOk(app, lee.token, g.id, 'members only');
      await sendOk(app, inst.token, g.id, 'the owner posts too');

      expect(code((await roomOf(ana.token, g.id)).body)).toBe('NOT_FOUND');
      expect(code((await gql(app.url, HISTORY, { id: g.id, last: 10 }, ana.token)).body)).toBe('NOT_FOUND');
      const count = await messageCount(app, g.id);
      expect(code((await send(app, ana.token, g.id, 'let me in')).body)).toBe('NOT_FOUND');
      expect(code((await gql(app.url, REACT, { messageId: m.id, emoji: '👍', on: true }, ana.token)).body)).toBe('NOT_FOUND');
      expect(code((await gql(app.url, DELETE, { id: m.id }, ana.token)).body)).toBe('NOT_FOUND');
      expect(code((await gql(app.url, MARK_READ, { roomId: g.id, seq: '1' }, ana.token)).body)).toBe('NOT_FOUND');
      expect(await messageCount(app, g.id)).toBe(count);
      expect(await memberRow(app, g.id, ana.user.id)).toBeNull();
      expect((await allMessages(app, lee.token, g.id)).find((x) => x.id === m.id)).toMatchObject({
        deleted: false,
        body: 'members only',
        reactions: [],
      });
      expect((await roomsOf(app, ana.token, f.course.id)).map((r) => r.id)).not.toContain(g.id);
      const c = wsClient(app.wsUrl, ana.token);
      const s = subscribe(c.client, ROOM_EVENTS, { roomId: g.id, after: '0' }, 'roomEvents');
      await s.ended();
      expect(subCode(s.errors)).toBe('NOT_FOUND');
      expect(s.items).toEqual([]);
      await c.client.dispose();

      // A TA who is not a member reads, lists and moderates it.
      const seen = ok(await roomOf(ta.token, g.id)).room;
      expect(seen).toMatchObject({ canModerate: true, canPost: true });
      expect((await roomsOf(app, ta.token, f.course.id)).map((r) => r.id)).toContain(g.id);
      expect((await allMessages(app, ta.token, g.id)).map((x) => x.body)).toContain('members only');
      const removed = ok(await gql(app.url, DELETE, { id: m.id }, ta.token)).deleteMessage as Msg;
      expect(removed).toMatchObject({ deleted: true, deletedBy: 'MODERATOR', body: '' });
    });

    it('adding and removing members posts SYSTEM messages; a removed member is cut off at the next event; a member can leave', async () => {
      const f = await seed(app.core, 'grp3');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const ana = await addMember(app.core, f, 'Ana Added');
      const g = await group(inst, f.course.id, 'Team', [lee.user.id]);
      expect(code((await roomOf(ana.token, g.id)).body)).toBe('NOT_FOUND');

      const added = ok(await gql(app.url, ADD_MEMBERS, { roomId: g.id, userIds: [ana.user.id] }, inst.token)).addRoomMembers;
      expect(added.id).toBe(g.id);
      expect(await activeMemberIds(app, g.id)).toEqual([inst.user.id, lee.user.id, ana.user.id].sort());
      expect((await allMessages(app, ana.token, g.id)).at(-1)).toMatchObject({
        kind: 'SYSTEM',
        author: null,
        body: 'Ada Instructor grp3 added Ana Added',
      });
      // Adding again changes nothing and says nothing.
      const count = await messageCount(app, g.id);
      ok(await gql(app.url, ADD_MEMBERS, { roomId: g.id, userIds: [ana.user.id] }, inst.token));
      expect(await messageCount(app, g.id)).toBe(count);

      const c = wsClient(app.wsUrl, ana.token);
      const before = app.core.services.realtime.activeSubscriptions;
      const s = subscribe<RoomEv>(c.client, ROOM_EVENTS, { roomId: g.id }, 'roomEvents');
      await listening(app, before);
      await sendOk(app, inst.token, g.id, 'before the removal');
      await s.waitFor(1);

      // A learner cannot remove someone else.
      const refused = await gql(app.url, REMOVE_MEMBER, { roomId: g.id, userId: ana.user.id }, lee.token);
      expect(code(refused.body)).toBe('FORBIDDEN');
      expect(await activeMemberIds(app, g.id)).toContain(ana.user.id);

      expect(ok(await gql(app.url, REMOVE_MEMBER, { roomId: g.id, userId: ana.user.id }, inst.token)).removeRoomMember).toBe(true);
      await s.ended();
      expect(subCode(s.errors)).toBe('FORBIDDEN');
      expect(s.items.map((e) => e.message?.body)).toEqual(['before the removal']);
      await c.client.dispose();
      expect((await allMessages(app, inst.token, g.id)).at(-1)).toMatchObject({
        kind: 'SYSTEM',
        body: 'Ada Instructor grp3 removed Ana Added',
      });
      expect(code((await roomOf(ana.token, g.id)).body)).toBe('NOT_FOUND');
      expect((await roomsOf(app, ana.token, f.course.id)).map((r) => r.id)).not.toContain(g.id);
      const count2 = await messageCount(app, g.id);
      expect(code((await send(app, ana.token, g.id, 'still here?')).body)).toBe('NOT_FOUND');
      expect(await messageCount(app, g.id)).toBe(count2);
      expect(ok(await gql(app.url, REMOVE_MEMBER, { roomId: g.id, userId: ana.user.id }, inst.token)).removeRoomMember).toBe(false);

      // Leaving: one's own id.
      expect(ok(await gql(app.url, REMOVE_MEMBER, { roomId: g.id, userId: lee.user.id }, lee.token)).removeRoomMember).toBe(true);
      expect((await allMessages(app, inst.token, g.id)).at(-1)).toMatchObject({ kind: 'SYSTEM', body: 'Lee Learner grp3 left' });
      expect(code((await roomOf(lee.token, g.id)).body)).toBe('NOT_FOUND');
      expect(await activeMemberIds(app, g.id)).toEqual([inst.user.id]);
    });

    it('staff rename, set the topic and archive; an archived room refuses posts with ROOM_ARCHIVED; learners cannot change it', async () => {
      const f = await seed(app.core, 'grp4');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const g = await group(inst, f.course.id, 'Old name', [lee.user.id]);

      const refused = await gql(app.url, UPDATE_ROOM, { id: g.id, name: 'Hijacked' }, lee.token);
      expect(code(refused.body)).toBe('FORBIDDEN');
      expect(ok(await roomOf(inst.token, g.id)).room.name).toBe('Old name');

      const renamed = ok(await gql(app.url, UPDATE_ROOM, { id: g.id, name: 'New name', topic: 'Week 3' }, inst.token)).updateRoom;
      expect(renamed).toMatchObject({ name: 'New name', topic: 'Week 3', archived: false });
      expect((await allMessages(app, lee.token, g.id)).slice(-2).map((m) => [m.kind, m.body])).toEqual([
        ['SYSTEM', 'Ada Instructor grp4 renamed the room to “New name”'],
        ['SYSTEM', 'Ada Instructor grp4 set the topic: Week 3'],
      ]);

      ok(await gql(app.url, UPDATE_ROOM, { id: g.id, archived: true }, inst.token));
      expect(ok(await roomOf(lee.token, g.id)).room).toMatchObject({ archived: true, canPost: false, postRefusal: 'ARCHIVED' });
      const count = await messageCount(app, g.id);
      for (const p of [lee, inst]) expect(code((await send(app, p.token, g.id, 'into the archive')).body)).toBe('ROOM_ARCHIVED');
      expect(code((await gql(app.url, TYPING, { roomId: g.id, typing: true }, lee.token)).body)).toBe('ROOM_ARCHIVED');
      expect(await messageCount(app, g.id)).toBe(count);
      // Still readable.
      expect((await allMessages(app, lee.token, g.id)).at(-1)).toMatchObject({
        kind: 'SYSTEM',
        body: 'Ada Instructor grp4 archived the room',
      });

      ok(await gql(app.url, UPDATE_ROOM, { id: g.id, archived: false }, inst.token));
      await sendOk(app, lee.token, g.id, 'back again');

      // The course room follows the course: it is not renamed nor archived here.
      const courseRoom = await courseRoomId(app, inst.token, f.course.id);
      const r = await gql(app.url, UPDATE_ROOM, { id: courseRoom, name: 'Renamed course room' }, inst.token);
      expect(code(r.body)).toBe('BAD_USER_INPUT');
      expect(ok(await roomOf(inst.token, courseRoom)).room.name).toBe('Course grp4');
    });

    it('refuses members who are not active members of the course with BAD_USER_INPUT, writing nothing', async () => {
      const f = await seed(app.core, 'grp5');
      const inst = instructorOf(f);
      const gone = await addMember(app.core, f, 'Gone Learner');
      await app.core.services.courses.removeMembership(f.tenant.id, f.course.id, gone.user.id);
      const rooms = await roomCount(app, f.course.id);
      for (const memberIds of [[b.learner.id], [crypto.randomUUID()], ['not-a-uuid'], [gone.user.id]]) {
        const r = await gql(app.url, CREATE_GROUP, { courseId: f.course.id, name: 'X', memberIds }, inst.token);
        expect(code(r.body), JSON.stringify(memberIds)).toBe('BAD_USER_INPUT');
      }
      expect(await roomCount(app, f.course.id)).toBe(rooms);

      const g = await group(inst, f.course.id, 'Y', [f.learner.id]);
      const members = await activeMemberIds(app, g.id);
      const count = await messageCount(app, g.id);
      for (const userIds of [[a.learner.id], [gone.user.id], [f.learner.id, b.learner.id]]) {
        const r = await gql(app.url, ADD_MEMBERS, { roomId: g.id, userIds }, inst.token);
        expect(code(r.body)).toBe('BAD_USER_INPUT');
      }
      expect(await activeMemberIds(app, g.id)).toEqual(members);
      expect(await messageCount(app, g.id)).toBe(count);
    });
  });

  describe('direct and tutor rooms', () => {
    it('openDirectRoom gives one room per pair, named after the other person, private to the two', async () => {
      const f = await seed(app.core, 'dm');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const ana = await addMember(app.core, f, 'Ana Direct');
      const tom = await addMember(app.core, f, 'Tom Third');
      const rooms = await roomCount(app, f.course.id);
      const ab = ok(await gql(app.url, OPEN_DIRECT, { courseId: f.course.id, userId: ana.user.id }, lee.token)).openDirectRoom;
      const ba = ok(await gql(app.url, OPEN_DIRECT, { courseId: f.course.id, userId: lee.user.id }, ana.token)).openDirectRoom;
      const again = ok(await gql(app.url, OPEN_DIRECT, { courseId: f.course.id, userId: ana.user.id }, lee.token)).openDirectRoom;
      expect(ab).toMatchObject({ kind: 'DIRECT', name: 'Ana Direct', canPost: true, canModerate: false });
      expect(ba).toMatchObject({ id: ab.id, name: 'Lee Learner dm' });
      expect(again.id).toBe(ab.id);
      expect(await roomCount(app, f.course.id)).toBe(rooms + 1);
      expect(await activeMemberIds(app, ab.id)).toEqual([lee.user.id, ana.user.id].sort());

      const m = await sendOk(app, lee.token, ab.id, 'just between us');
      expect((await allMessages(app, ana.token, ab.id)).map((x) => x.body)).toEqual(['just between us']);
      expect((await roomsOf(app, ana.token, f.course.id)).find((r) => r.id === ab.id)?.name).toBe('Lee Learner dm');

      // A third learner and the instructor: as if it did not exist.
      const count = await messageCount(app, ab.id);
      for (const p of [tom, inst]) {
        expect(code((await roomOf(p.token, ab.id)).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, HISTORY, { id: ab.id, last: 5 }, p.token)).body)).toBe('NOT_FOUND');
        expect(code((await send(app, p.token, ab.id, 'hi')).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, DELETE, { id: m.id }, p.token)).body)).toBe('NOT_FOUND');
        expect((await roomsOf(app, p.token, f.course.id)).map((r) => r.id)).not.toContain(ab.id);
      }
      expect(await messageCount(app, ab.id)).toBe(count);
      expect((await allMessages(app, ana.token, ab.id))[0]).toMatchObject({ id: m.id, deleted: false });
      const c = wsClient(app.wsUrl, inst.token);
      const s = subscribe(c.client, ROOM_EVENTS, { roomId: ab.id }, 'roomEvents');
      await s.ended();
      expect(subCode(s.errors)).toBe('NOT_FOUND');
      await c.client.dispose();

      expect(code((await gql(app.url, OPEN_DIRECT, { courseId: f.course.id, userId: lee.user.id }, lee.token)).body)).toBe(
        'BAD_USER_INPUT',
      );
      expect(code((await gql(app.url, OPEN_DIRECT, { courseId: f.course.id, userId: b.learner.id }, lee.token)).body)).toBe('NOT_FOUND');
      expect(await roomCount(app, f.course.id)).toBe(rooms + 1);
    });

    it('openTutorRoom gives a learner a private room; other learners get NOT_FOUND; staff read but do not post', async () => {
      const f = await seed(app.core, 'tutor');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const ana = await addMember(app.core, f, 'Ana Other');
      const t = ok(await gql(app.url, OPEN_TUTOR, { courseId: f.course.id }, lee.token)).openTutorRoom;
      expect(t).toMatchObject({ kind: 'TUTOR', canPost: true, canModerate: false });
      expect(ok(await gql(app.url, OPEN_TUTOR, { courseId: f.course.id }, lee.token)).openTutorRoom.id).toBe(t.id);
      await sendOk(app, lee.token, t.id, 'what is a monad?');

      expect(code((await roomOf(ana.token, t.id)).body)).toBe('NOT_FOUND');
      expect(code((await gql(app.url, HISTORY, { id: t.id, last: 5 }, ana.token)).body)).toBe('NOT_FOUND');
      const anas = ok(await gql(app.url, OPEN_TUTOR, { courseId: f.course.id }, ana.token)).openTutorRoom;
      expect(anas.id).not.toBe(t.id);
      expect((await roomsOf(app, ana.token, f.course.id)).map((r) => r.id)).not.toContain(t.id);

      expect(ok(await roomOf(inst.token, t.id)).room).toMatchObject({
        kind: 'TUTOR',
        canPost: false,
        postRefusal: 'READ_ONLY',
        canModerate: false,
      });
      expect((await allMessages(app, inst.token, t.id)).map((m) => m.body)).toEqual(['what is a monad?']);
      const count = await messageCount(app, t.id);
      expect(code((await send(app, inst.token, t.id, 'staff answer')).body)).toBe('FORBIDDEN');
      expect(code((await send(app, ana.token, t.id, 'peeking')).body)).toBe('NOT_FOUND');
      expect(await messageCount(app, t.id)).toBe(count);
    });

    it('API keys read course and group rooms, never direct or tutor rooms, and never post', async () => {
      const f = await seed(app.core, 'keys');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const key = await apiKeyOf(app.core, f, ['read', 'write']);
      const courseRoom = await courseRoomId(app, lee.token, f.course.id);
      const g = await group(inst, f.course.id, 'Visible to keys', [lee.user.id]);
      const dm = ok(await gql(app.url, OPEN_DIRECT, { courseId: f.course.id, userId: inst.user.id }, lee.token)).openDirectRoom;
      const tutor = ok(await gql(app.url, OPEN_TUTOR, { courseId: f.course.id }, lee.token)).openTutorRoom;
      await sendOk(app, lee.token, dm.id, 'private');
      await sendOk(app, lee.token, tutor.id, 'private too');

      expect(ok(await roomOf(key, courseRoom)).room).toMatchObject({ kind: 'COURSE', canPost: false, lastReadSeq: null });
      expect(ok(await roomOf(key, g.id)).room.kind).toBe('GROUP');
      for (const id of [dm.id, tutor.id]) {
        expect(code((await roomOf(key, id)).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, HISTORY, { id, last: 5 }, key)).body)).toBe('NOT_FOUND');
      }
      expect((await roomsOf(app, key, f.course.id)).map((r) => r.kind).sort()).toEqual(['COURSE', 'GROUP']);
      const c = wsClient(app.wsUrl, key);
      const s = subscribe(c.client, ROOM_EVENTS, { roomId: dm.id, after: '0' }, 'roomEvents');
      await s.ended();
      expect(subCode(s.errors)).toBe('NOT_FOUND');
      expect(s.items).toEqual([]);
      await c.client.dispose();
      const count = await messageCount(app, courseRoom);
      expect(code((await send(app, key, courseRoom, 'from a key')).body)).toBe('FORBIDDEN');
      expect(await messageCount(app, courseRoom)).toBe(count);
    });
  });

  describe('tenancy', () => {
    it("another tenant's users get NOT_FOUND for this tenant's rooms and messages, and search never returns them", async () => {
      const roomA = await courseRoomId(app, a.learnerToken, a.course.id);
      const m = await sendOk(app, a.learnerToken, roomA, 'quasar tenant secret');
      const roomB = await courseRoomId(app, b.learnerToken, b.course.id);
      await sendOk(app, b.learnerToken, roomB, 'quasar in tenant B');
      const count = await messageCount(app, roomA);
      const roomsA = await roomCount(app, a.course.id);
      for (const token of [b.learnerToken, b.instructorToken]) {
        expect(code((await roomOf(token, roomA)).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, HISTORY, { id: roomA, last: 5 }, token)).body)).toBe('NOT_FOUND');
        expect(code((await send(app, token, roomA, 'cross')).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, EDIT, { id: m.id, body: 'changed' }, token)).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, DELETE, { id: m.id }, token)).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, REACT, { messageId: m.id, emoji: '👍', on: true }, token)).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, MARK_READ, { roomId: roomA, seq: '1' }, token)).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, SEARCH, { courseId: a.course.id, query: 'quasar' }, token)).body)).toBe('NOT_FOUND');
        expect(code((await gql(app.url, OPEN_DIRECT, { courseId: a.course.id, userId: a.learner.id }, token)).body)).toBe('NOT_FOUND');
        expect(await memberRow(app, roomA, token === b.learnerToken ? b.learner.id : b.instructor.id)).toBeNull();
        const hits = ok(await gql(app.url, SEARCH, { courseId: b.course.id, query: 'quasar' }, token)).searchMessages.edges;
        expect(hits.map((h: any) => h.node.message.body)).toEqual(['quasar in tenant B']);
      }
      const bKey = await apiKeyOf(app.core, b);
      expect(code((await roomOf(bKey, roomA)).body)).toBe('NOT_FOUND');
      const c = wsClient(app.wsUrl, b.instructorToken);
      const s = subscribe(c.client, ROOM_EVENTS, { roomId: roomA, after: '0' }, 'roomEvents');
      await s.ended();
      expect(subCode(s.errors)).toBe('NOT_FOUND');
      expect(s.items).toEqual([]);
      await c.client.dispose();
      expect(await messageCount(app, roomA)).toBe(count);
      expect(await roomCount(app, a.course.id)).toBe(roomsA);
      expect((await allMessages(app, a.learnerToken, roomA)).find((x) => x.id === m.id)).toMatchObject({
        body: 'quasar tenant secret',
        reactions: [],
        editedAt: null,
      });
    });
  });

  describe('messages', () => {
    let f: Fixture;
    let lee: Person;
    let inst: Person;
    let ana: Person;
    let room: string;
    beforeAll(async () => {
      f = await seed(app.core, 'msg');
      lee = learnerOf(f);
      inst = instructorOf(f);
      ana = await addMember(app.core, f, 'Ana Member');
      room = await courseRoomId(app, lee.token, f.course.id);
    });

    it('sends text and code; code keeps its language, which must be a short name', async () => {
      const clientId = cid();
      const t = await sendOk(app, lee.token, room, 'Hello **world**', { clientId, language: 'python' });
      expect(t).toMatchObject({
        kind: 'TEXT',
        body: 'Hello **world**',
        language: null,
        clientId,
        roomId: room,
        author: { id: lee.user.id, name: 'Lee Learner msg' },
        deleted: false,
        editedAt: null,
      });
      expect(Number(t.seq)).toBeGreaterThan(0);
      const source = 'def f(x):\n\treturn x * 2\n';
      const c = await sendOk(app, lee.token, room, source, { kind: 'CODE', language: ' Python ' });
      expect(c).toMatchObject({ kind: 'CODE', body: source, language: 'python' });
      expect(Number(c.seq)).toBe(Number(t.seq) + 1);
      expect((await allMessages(app, ana.token, room)).slice(-2).map((m) => [m.kind, m.language])).toEqual([
        ['TEXT', null],
        ['CODE', 'python'],
      ]);

      const count = await messageCount(app, room);
      for (const language of ['not a language', 'x'.repeat(33), 'py;drop']) {
        const r = await send(app, lee.token, room, 'print(1)', { kind: 'CODE', language });
        expect(code(r.body), language).toBe('BAD_USER_INPUT');
      }
      expect(await messageCount(app, room)).toBe(count);
    });

    it('refuses empty, too long and SYSTEM messages and bad client ids; strips hostile characters', async () => {
      const count = await messageCount(app, room);
      for (const body of ['', '   \n\t  ', '\u0000\u202E\uE000'])
        expect(code((await send(app, lee.token, room, body)).body), JSON.stringify(body)).toBe('BAD_USER_INPUT');
      const long = await send(app, lee.token, room, 'x'.repeat(8001));
      expect(code(long.body)).toBe('MESSAGE_TOO_LONG');
      expect(long.body.errors![0]!.extensions).toMatchObject({ max: 8000, length: 8001 });
      expect(code((await send(app, lee.token, room, '😀'.repeat(8001))).body)).toBe('MESSAGE_TOO_LONG');
      expect(code((await send(app, lee.token, room, 'system says', { kind: 'SYSTEM' })).body)).toBe('BAD_USER_INPUT');
      for (const clientId of ['short', 'has spaces in it', 'x'.repeat(65)])
        expect(code((await send(app, lee.token, room, 'hi', { clientId })).body)).toBe('BAD_USER_INPUT');
      expect(await messageCount(app, room)).toBe(count);

      expect((await sendOk(app, lee.token, room, 'x'.repeat(8000))).body).toHaveLength(8000);
      // Characters, not UTF-16 units: 8000 emoji are 16000 units.
      expect([...(await sendOk(app, lee.token, room, '😀'.repeat(8000))).body]).toHaveLength(8000);
      const clean = await sendOk(app, lee.token, room, 'a\u0000b\u202Ec\u2066d\uE000e\uE001f\u0007g\r\nh\ti');
      expect(clean.body).toBe('abcdefg\nh\ti');
      expect((await allMessages(app, ana.token, room)).at(-1)!.body).toBe('abcdefg\nh\ti');
    });

    it('replies carry a preview of the message replied to, which must be in the same room', async () => {
      const long = 'The parent message '.repeat(12).trim();
      const parent = await sendOk(app, ana.token, room, long);
      const reply = await sendOk(app, lee.token, room, 'I agree', { replyToId: parent.id });
      expect(reply.replyTo).toEqual({ id: parent.id, authorName: 'Ana Member', excerpt: long.slice(0, 139) + '…', deleted: false });
      expect((await allMessages(app, inst.token, room)).at(-1)!.replyTo?.id).toBe(parent.id);

      const g = await group(inst, f.course.id, 'Elsewhere', [lee.user.id]);
      const other = await sendOk(app, lee.token, g.id, 'in another room');
      const count = await messageCount(app, room);
      for (const replyToId of [other.id, crypto.randomUUID(), 'nope']) {
        const r = await send(app, lee.token, room, 'reply', { replyToId });
        expect(code(r.body)).toBe('BAD_USER_INPUT');
      }
      expect(await messageCount(app, room)).toBe(count);
    });

    it('mentions keep only members of the course, not the author', async () => {
      const m = await sendOk(app, lee.token, room, '@Ana look', { mentionIds: [ana.user.id, b.learner.id, lee.user.id, ana.user.id] });
      expect(m.mentions).toEqual([{ id: ana.user.id, name: 'Ana Member' }]);
      const count = await messageCount(app, room);
      expect(code((await send(app, lee.token, room, 'bad', { mentionIds: ['not-an-id'] })).body)).toBe('BAD_USER_INPUT');
      expect(await messageCount(app, room)).toBe(count);
    });

    it('reactions: one per person and emoji, counted with who; removable; only emoji', async () => {
      const m = await sendOk(app, ana.token, room, 'react to me');
      const react = async (p: Person, emoji: string, on: boolean) =>
        (ok(await gql(app.url, REACT, { messageId: m.id, emoji, on }, p.token)).setReaction as Msg).reactions;
      expect(await react(lee, '👍', true)).toEqual([{ emoji: '👍', count: 1, userIds: [lee.user.id] }]);
      expect(await react(lee, '👍', true)).toEqual([{ emoji: '👍', count: 1, userIds: [lee.user.id] }]);
      expect(await react(ana, '👍', true)).toEqual([{ emoji: '👍', count: 2, userIds: [lee.user.id, ana.user.id] }]);
      expect(await react(lee, '👩🏽‍💻', true)).toEqual([
        { emoji: '👍', count: 2, userIds: [lee.user.id, ana.user.id] },
        { emoji: '👩🏽‍💻', count: 1, userIds: [lee.user.id] },
      ]);
      expect(await react(lee, '👍', false)).toEqual([
        { emoji: '👍', count: 1, userIds: [ana.user.id] },
        { emoji: '👩🏽‍💻', count: 1, userIds: [lee.user.id] },
      ]);
      for (const emoji of ['ok', '👍👍', '', '<b>']) {
        expect(code((await gql(app.url, REACT, { messageId: m.id, emoji, on: true }, lee.token)).body), emoji).toBe('BAD_USER_INPUT');
      }
      const stored = (await allMessages(app, inst.token, room)).find((x) => x.id === m.id)!;
      expect(stored.reactions).toEqual([
        { emoji: '👍', count: 1, userIds: [ana.user.id] },
        { emoji: '👩🏽‍💻', count: 1, userIds: [lee.user.id] },
      ]);
    });

    it('only the author edits; editedAt is set', async () => {
      const m = await sendOk(app, lee.token, room, 'typo heer');
      for (const p of [ana, inst])
        expect(code((await gql(app.url, EDIT, { id: m.id, body: 'vandalised' }, p.token)).body)).toBe('FORBIDDEN');
      expect(code((await gql(app.url, EDIT, { id: m.id, body: '  ' }, lee.token)).body)).toBe('BAD_USER_INPUT');
      let stored = (await allMessages(app, lee.token, room)).find((x) => x.id === m.id)!;
      expect(stored).toMatchObject({ body: 'typo heer', editedAt: null });
      const edited = ok(await gql(app.url, EDIT, { id: m.id, body: 'typo here' }, lee.token)).editMessage as Msg;
      expect(edited).toMatchObject({ id: m.id, body: 'typo here', seq: m.seq });
      expect(Date.parse(edited.editedAt!)).toBeGreaterThanOrEqual(Date.parse(m.createdAt));
      stored = (await allMessages(app, ana.token, room)).find((x) => x.id === m.id)!;
      expect(stored).toMatchObject({ body: 'typo here', editedAt: edited.editedAt });
    });

    it('the author deletes (AUTHOR), an instructor deletes in the course room (MODERATOR), another learner cannot', async () => {
      const mine = await sendOk(app, lee.token, room, 'regret this', { mentionIds: [ana.user.id] });
      ok(await gql(app.url, REACT, { messageId: mine.id, emoji: '👍', on: true }, ana.token));
      expect(code((await gql(app.url, DELETE, { id: mine.id }, ana.token)).body)).toBe('FORBIDDEN');
      expect((await allMessages(app, lee.token, room)).find((x) => x.id === mine.id)).toMatchObject({
        deleted: false,
        body: 'regret this',
      });
      const d1 = ok(await gql(app.url, DELETE, { id: mine.id }, lee.token)).deleteMessage as Msg;
      expect(d1).toMatchObject({ deleted: true, deletedBy: 'AUTHOR', body: '', mentions: [], reactions: [] });
      expect(code((await gql(app.url, EDIT, { id: mine.id, body: 'undo' }, lee.token)).body)).toBe('CONFLICT');

      const anas = await sendOk(app, ana.token, room, 'off topic');
      const d2 = ok(await gql(app.url, DELETE, { id: anas.id }, inst.token)).deleteMessage as Msg;
      expect(d2).toMatchObject({ deleted: true, deletedBy: 'MODERATOR', body: '' });
      const history = await allMessages(app, lee.token, room);
      expect(history.find((x) => x.id === mine.id)).toMatchObject({ deleted: true, deletedBy: 'AUTHOR', body: '' });
      expect(history.find((x) => x.id === anas.id)).toMatchObject({ deleted: true, deletedBy: 'MODERATOR', body: '' });
    });

    it("a deleted message's text is gone everywhere: the replay log, replies, search and notifications", async () => {
      const g = await seed(app.core, 'scrub');
      const gl = learnerOf(g);
      const gAna = await addMember(app.core, g, 'Ana Mentioned');
      const r = await courseRoomId(app, gl.token, g.course.id);
      const m = await sendOk(app, gl.token, r, 'zebracorn original', { mentionIds: [gAna.user.id] });
      ok(await gql(app.url, EDIT, { id: m.id, body: 'zebracorn edited' }, gl.token));
      ok(await gql(app.url, REACT, { messageId: m.id, emoji: '🦓', on: true }, gAna.token));
      const reply = await sendOk(app, gAna.token, r, 'nice one', { replyToId: m.id });
      expect(reply.replyTo?.excerpt).toBe('zebracorn edited');
      expect(ok(await gql(app.url, SEARCH, { courseId: g.course.id, query: 'zebra' }, gl.token)).searchMessages.edges).toHaveLength(1);
      const mention = ok(await gql(app.url, NOTIFICATIONS, {}, gAna.token))
        .notifications.edges.map((e: any) => e.node)
        .find((n: any) => n.type === 'mention');
      expect(mention).toMatchObject({ messageId: m.id, excerpt: 'zebracorn original' });

      ok(await gql(app.url, DELETE, { id: m.id }, gl.token));

      const head = Number(ok(await roomOf(gAna.token, r)).room.lastSeq);
      const c = wsClient(app.wsUrl, gAna.token);
      const s = subscribe<RoomEv>(c.client, ROOM_EVENTS, { roomId: r, after: '0' }, 'roomEvents');
      const events = await s.waitFor(head);
      expect(events.map((e) => Number(e.cursor))).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      expect(events.map((e) => e.type)).toEqual([
        'MESSAGE_ADDED',
        'MESSAGE_EDITED',
        'REACTIONS_CHANGED',
        'MESSAGE_ADDED',
        'MESSAGE_DELETED',
      ]);
      for (const e of events) expect(JSON.stringify(e)).not.toMatch(/zebracorn/i);
      expect(events[0]!.message).toMatchObject({ id: m.id, body: '', deleted: true, mentions: [] });
      expect(events[3]!.message!.replyTo).toEqual({ id: m.id, authorName: 'Lee Learner scrub', excerpt: '', deleted: true });
      expect(events[4]!.message).toMatchObject({ id: m.id, deleted: true, deletedBy: 'AUTHOR', body: '' });
      const n = subscribe(c.client, NOTIFICATION_EVENTS, { after: '0' }, 'notificationEvents');
      const nevents = await n.waitFor(1);
      expect(nevents.length).toBeGreaterThan(0);
      for (const e of nevents) expect(JSON.stringify(e)).not.toMatch(/zebracorn/i);
      await c.client.dispose();

      expect((await allMessages(app, gl.token, r)).find((x) => x.id === reply.id)!.replyTo).toEqual({
        id: m.id,
        authorName: 'Lee Learner scrub',
        excerpt: '',
        deleted: true,
      });
      expect(ok(await gql(app.url, SEARCH, { courseId: g.course.id, query: 'zebracorn' }, gl.token)).searchMessages.edges).toEqual([]);
      expect(ok(await gql(app.url, SEARCH, { courseId: g.course.id, query: 'edited' }, gl.token)).searchMessages.edges).toEqual([]);
      const after = ok(await gql(app.url, NOTIFICATIONS, {}, gAna.token));
      expect(JSON.stringify(after)).not.toMatch(/zebracorn/i);
      expect(after.notifications.edges.map((e: any) => e.node).find((x: any) => x.type === 'mention')).toMatchObject({
        messageId: m.id,
        excerpt: '',
      });
    });
  });

  describe('idempotent sends and the rate limit', () => {
    it('a resend with the same clientId returns the same message and emits one MESSAGE_ADDED', async () => {
      const f = await seed(app.core, 'idem');
      const lee = learnerOf(f);
      const room = await courseRoomId(app, lee.token, f.course.id);
      const c = wsClient(app.wsUrl, f.instructorToken);
      const before = app.core.services.realtime.activeSubscriptions;
      const s = subscribe<RoomEv>(c.client, ROOM_EVENTS, { roomId: room }, 'roomEvents');
      await listening(app, before);
      const count = await messageCount(app, room);
      const clientId = cid();
      const first = await sendOk(app, lee.token, room, 'once', { clientId });
      const second = await sendOk(app, lee.token, room, 'once (resent)', { clientId });
      expect(second).toMatchObject({ id: first.id, seq: first.seq, body: 'once', clientId });
      // The same clientId from someone else is another message.
      const other = await sendOk(app, f.instructorToken, room, 'mine', { clientId });
      expect(other.id).not.toBe(first.id);
      await s.waitFor(2);
      expect(s.items.filter((e) => e.type === 'MESSAGE_ADDED').map((e) => e.message!.id)).toEqual([first.id, other.id]);
      expect(await messageCount(app, room)).toBe(count + 2);
      await c.client.dispose();
    });

    it('concurrent sends with one clientId store one message', async () => {
      const f = await seed(app.core, 'race');
      const room = await courseRoomId(app, f.learnerToken, f.course.id);
      const clientId = cid();
      const results = await Promise.all(Array.from({ length: 6 }, () => send(app, f.learnerToken, room, 'racing', { clientId })));
      const ids = results.map((r) => ok(r).sendMessage.id as string);
      expect(new Set(ids).size).toBe(1);
      expect(await messageCount(app, room)).toBe(1);
      expect(ok(await roomOf(f.learnerToken, room)).room.lastSeq).toBe('1');
    });

    it('the sixth send in the window is RATE_LIMITED with retryAfterMs and stores nothing; a resend is still answered', async () => {
      const p = await addMember(app.core, a, 'Rapid Typist');
      const room = await courseRoomId(limited, p.token, a.course.id);
      const sent: Msg[] = [];
      for (let i = 0; i < 5; i++) sent.push(await sendOk(limited, p.token, room, `burst ${i}`));
      const count = await messageCount(limited, room);
      const r = await send(limited, p.token, room, 'one too many');
      expect(code(r.body)).toBe('RATE_LIMITED');
      const retry = (r.body.errors![0]!.extensions as { retryAfterMs?: number }).retryAfterMs!;
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(60_000);
      expect(await messageCount(limited, room)).toBe(count);
      // Idempotency comes before the limit: a lost answer can be fetched again.
      const again = await sendOk(limited, p.token, room, 'burst 0', { clientId: sent[0]!.clientId });
      expect(again.id).toBe(sent[0]!.id);
      expect(code((await send(limited, p.token, room, 'still too many')).body)).toBe('RATE_LIMITED');
      expect(await messageCount(limited, room)).toBe(count);
    });

    it('resends of stored messages and replies to a missing message never use up the limit', async () => {
      const p = await addMember(app.core, a, 'Flaky Network');
      const room = await courseRoomId(limited, p.token, a.course.id);
      const sent: Msg[] = [];
      for (let i = 0; i < 4; i++) sent.push(await sendOk(limited, p.token, room, `m ${i}`));
      // An outbox flushing again after a lost answer, many times over, and a reply to nothing.
      for (let i = 0; i < 6; i++)
        expect((await sendOk(limited, p.token, room, 'm 0', { clientId: sent[0]!.clientId })).id).toBe(sent[0]!.id);
      expect(code((await send(limited, p.token, room, 'to nowhere', { replyToId: '00000000-0000-4000-8000-000000000000' })).body)).toBe(
        'BAD_USER_INPUT',
      );
      // The fifth new message is still within the five the window allows; the sixth is not.
      await sendOk(limited, p.token, room, 'm 4');
      expect(code((await send(limited, p.token, room, 'm 5')).body)).toBe('RATE_LIMITED');
    });
  });

  describe('muting', () => {
    it('a muted learner gets MUTED for posts and typing until unmuted; staff cannot be muted; learners cannot mute', async () => {
      const f = await seed(app.core, 'mute');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const ana = await addMember(app.core, f, 'Ana Peer');
      const ta = await addMember(app.core, f, 'Tara Assistant', ['teaching_assistant']);
      const room = await courseRoomId(app, lee.token, f.course.id);
      const own = await sendOk(app, lee.token, room, 'before the mute');

      expect(ok(await gql(app.url, MUTE, { roomId: room, userId: lee.user.id, muted: true }, inst.token)).setRoomMemberMuted).toBe(true);
      expect(ok(await roomOf(lee.token, room)).room).toMatchObject({ muted: true, canPost: false, postRefusal: 'MUTED' });
      const count = await messageCount(app, room);
      expect(code((await send(app, lee.token, room, 'let me speak')).body)).toBe('MUTED');
      expect(code((await gql(app.url, TYPING, { roomId: room, typing: true }, lee.token)).body)).toBe('MUTED');
      expect(code((await gql(app.url, EDIT, { id: own.id, body: 'sneaky edit' }, lee.token)).body)).toBe('MUTED');
      expect(await messageCount(app, room)).toBe(count);
      expect((await allMessages(app, lee.token, room)).find((m) => m.id === own.id)!.body).toBe('before the mute');
      await sendOk(app, ana.token, room, 'others still post');

      expect(code((await gql(app.url, MUTE, { roomId: room, userId: inst.user.id, muted: true }, ta.token)).body)).toBe('BAD_USER_INPUT');
      expect((await memberRow(app, room, inst.user.id))?.muted ?? false).toBe(false);
      expect(code((await gql(app.url, MUTE, { roomId: room, userId: ana.user.id, muted: true }, lee.token)).body)).toBe('FORBIDDEN');
      expect(ok(await roomOf(ana.token, room)).room.muted).toBe(false);
      await sendOk(app, inst.token, room, 'staff post');

      expect(ok(await gql(app.url, MUTE, { roomId: room, userId: lee.user.id, muted: false }, inst.token)).setRoomMemberMuted).toBe(false);
      expect(ok(await roomOf(lee.token, room)).room).toMatchObject({ muted: false, canPost: true, postRefusal: null });
      await sendOk(app, lee.token, room, 'thanks');
      expect(ok(await gql(app.url, TYPING, { roomId: room, typing: true }, lee.token)).setTyping).toBe(true);
    });
  });

  describe('history', () => {
    let f: Fixture;
    let room: string;
    let all: Msg[];
    type Conn = {
      edges: { cursor: string; node: Msg }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
    const page = async (vars: Record<string, unknown>): Promise<Conn> =>
      ok(await gql(app.url, HISTORY, { id: room, ...vars }, f.learnerToken)).room.messages;
    const bodies = (p: Conn) => p.edges.map((e) => e.node.body);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m-${String(from + i).padStart(3, '0')}`);

    beforeAll(async () => {
      f = await seed(app.core, 'hist');
      room = await courseRoomId(app, f.learnerToken, f.course.id);
      all = [];
      for (let i = 0; i < 120; i++)
        all.push(await sendOk(app, i % 2 ? f.instructorToken : f.learnerToken, room, `m-${String(i).padStart(3, '0')}`));
    });

    it('last/before pages back without gap or duplicate to the first message', async () => {
      let p = await page({ last: 50 });
      expect(bodies(p)).toEqual(range(70, 120));
      expect(p.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
      const seen = [...bodies(p)];
      p = await page({ last: 50, before: p.pageInfo.startCursor });
      expect(bodies(p)).toEqual(range(20, 70));
      expect(p.pageInfo.hasPreviousPage).toBe(true);
      seen.unshift(...bodies(p));
      p = await page({ last: 50, before: p.pageInfo.startCursor });
      expect(bodies(p)).toEqual(range(0, 20));
      expect(p.pageInfo.hasPreviousPage).toBe(false);
      seen.unshift(...bodies(p));
      expect(seen).toEqual(range(0, 120));
      const seqs = (await page({ last: 100 })).edges.map((e) => Number(e.node.seq));
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    });

    it('first/after pages forward', async () => {
      let p = await page({ first: 50 });
      expect(bodies(p)).toEqual(range(0, 50));
      expect(p.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const seen = [...bodies(p)];
      while (p.pageInfo.hasNextPage) {
        p = await page({ first: 50, after: p.pageInfo.endCursor });
        seen.push(...bodies(p));
      }
      expect(seen).toEqual(range(0, 120));
      expect(bodies(p)).toEqual(range(100, 120));
    });

    it('around a message returns it with neighbours on both sides', async () => {
      let p = await page({ around: all[60]!.id });
      expect(bodies(p)).toEqual(range(36, 86));
      expect(p.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
      p = await page({ around: all[5]!.id });
      expect(bodies(p)).toEqual(range(0, 31));
      expect(p.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
      p = await page({ around: all[110]!.id });
      expect(bodies(p)).toEqual(range(86, 120));
      expect(p.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
      // The page's cursors continue normally.
      const older = await page({ last: 10, before: p.pageInfo.startCursor });
      expect(bodies(older)).toEqual(range(76, 86));
      expect(code((await gql(app.url, HISTORY, { id: room, around: all[5]!.id, last: 5 }, f.learnerToken)).body)).toBe('BAD_USER_INPUT');
      expect(code((await gql(app.url, HISTORY, { id: room, around: crypto.randomUUID() }, f.learnerToken)).body)).toBe('NOT_FOUND');
    });
  });

  describe('read state', () => {
    it("unreadCount counts others' messages after the marker; the marker only moves forward and is clamped to the head", async () => {
      const f = await seed(app.core, 'unread');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const ana = await addMember(app.core, f, 'Ana Reader');
      const g = await group(inst, f.course.id, 'Readers', [lee.user.id, ana.user.id]);
      await sendOk(app, ana.token, g.id, 'my own message');
      const others: Msg[] = [];
      for (let i = 0; i < 3; i++) others.push(await sendOk(app, lee.token, g.id, `lee ${i}`));
      for (let i = 0; i < 2; i++) others.push(await sendOk(app, inst.token, g.id, `inst ${i}`));
      ok(await gql(app.url, UPDATE_ROOM, { id: g.id, topic: 'a system message' }, inst.token));
      const view = async () => ok(await roomOf(ana.token, g.id)).room as { unreadCount: number; lastReadSeq: string; lastSeq: string };
      let v = await view();
      expect(v.unreadCount).toBe(5);
      expect((await roomsOf(app, ana.token, f.course.id)).find((r) => r.id === g.id)!.unreadCount).toBe(5);

      expect(ok(await gql(app.url, MARK_READ, { roomId: g.id, seq: others[2]!.seq }, ana.token)).markRoomRead).toBe(others[2]!.seq);
      v = await view();
      expect(v).toMatchObject({ unreadCount: 2, lastReadSeq: others[2]!.seq });
      // Never back.
      expect(ok(await gql(app.url, MARK_READ, { roomId: g.id, seq: others[0]!.seq }, ana.token)).markRoomRead).toBe(others[2]!.seq);
      expect((await view()).unreadCount).toBe(2);
      // Beyond the head: clamped to it.
      expect(ok(await gql(app.url, MARK_READ, { roomId: g.id, seq: '999999' }, ana.token)).markRoomRead).toBe(v.lastSeq);
      v = await view();
      expect(v).toMatchObject({ unreadCount: 0, lastReadSeq: v.lastSeq });
      // One's own messages move one's own marker.
      await sendOk(app, lee.token, g.id, 'new');
      const own = await sendOk(app, ana.token, g.id, 'replying');
      expect(await view()).toMatchObject({ unreadCount: 0, lastReadSeq: own.seq });
      expect(code((await gql(app.url, MARK_READ, { roomId: g.id, seq: '-1' }, ana.token)).body)).toBe('BAD_CURSOR');
      expect((await view()).lastReadSeq).toBe(own.seq);
    });

    it("posting reads the room: notifications up to one's own message are read, so no later mark is needed", async () => {
      const f = await seed(app.core, 'post-reads');
      const lee = learnerOf(f);
      const ana = await addMember(app.core, f, 'Ana Replier');
      const room = await courseRoomId(app, lee.token, f.course.id);
      await sendOk(app, lee.token, room, '@Ana look', { mentionIds: [ana.user.id] });
      const unread = async () => ok(await gql(app.url, NOTIFICATIONS, { unreadOnly: true }, ana.token)).unreadNotificationCount as number;
      expect(await unread()).toBe(1);
      const reply = await sendOk(app, ana.token, room, 'looking');
      expect(await unread()).toBe(0);
      // The marker is already there: marking up to the reply changes nothing.
      expect(ok(await gql(app.url, MARK_READ, { roomId: room, seq: reply.seq }, ana.token)).markRoomRead).toBe(reply.seq);
    });
  });

  describe('search', () => {
    it('finds word prefixes in the rooms the viewer reads, never deleted messages; pages; marks matches', async () => {
      const f = await seed(app.core, 'search');
      const inst = instructorOf(f);
      const lee = learnerOf(f);
      const ana = await addMember(app.core, f, 'Ana Searcher');
      const courseRoom = await courseRoomId(app, lee.token, f.course.id);
      const mine = await group(inst, f.course.id, 'With Lee', [lee.user.id]);
      const notMine = await group(inst, f.course.id, 'Without Lee', [ana.user.id]);
      await sendOk(app, lee.token, courseRoom, 'Photosynthesis needs light');
      await sendOk(app, inst.token, mine.id, 'photosynthetic bacteria exist');
      await sendOk(app, inst.token, notMine.id, 'photosynthesis in the other group');
      const gone = await sendOk(app, ana.token, courseRoom, 'photosynthesis to be deleted');
      ok(await gql(app.url, DELETE, { id: gone.id }, ana.token));

      type Hit = { roomId: string; roomName: string; roomKind: string; snippet: string; message: { id: string; body: string } };
      const search = async (token: string, query: string, extra: Record<string, unknown> = {}) =>
        ok(await gql(app.url, SEARCH, { courseId: f.course.id, query, ...extra }, token)).searchMessages as {
          edges: { cursor: string; node: Hit }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      const forLee = (await search(lee.token, 'PHOTOSYN')).edges.map((e) => e.node);
      expect(forLee.map((h) => h.message.body)).toEqual(['photosynthetic bacteria exist', 'Photosynthesis needs light']);
      expect(forLee.map((h) => [h.roomId, h.roomKind])).toEqual([
        [mine.id, 'GROUP'],
        [courseRoom, 'COURSE'],
      ]);
      expect(forLee[1]!.snippet).toContain('\uE000Photosynthesis\uE001');
      expect(forLee[0]!.snippet).toContain('\uE000photosynthetic\uE001');
      expect((await search(inst.token, 'photosyn')).edges.map((e) => e.node.roomId).sort()).toEqual(
        [courseRoom, mine.id, notMine.id].sort(),
      );
      expect((await search(lee.token, 'photo light')).edges.map((e) => e.node.message.body)).toEqual(['Photosynthesis needs light']);
      expect((await search(lee.token, 'deleted')).edges).toEqual([]);

      for (let i = 0; i < 7; i++) await sendOk(app, i % 2 ? ana.token : lee.token, courseRoom, `mitochondria fact ${i}`);
      let p = await search(lee.token, 'mito', { first: 3 });
      const seen: string[] = [];
      const pages: number[] = [];
      for (;;) {
        seen.push(...p.edges.map((e) => e.node.message.body));
        pages.push(p.edges.length);
        if (!p.pageInfo.hasNextPage) break;
        p = await search(lee.token, 'mito', { first: 3, after: p.pageInfo.endCursor });
      }
      expect(pages).toEqual([3, 3, 1]);
      expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `mitochondria fact ${6 - i}`));

      for (const query of ['', '   ', '?!… — ...']) {
        expect(code((await gql(app.url, SEARCH, { courseId: f.course.id, query }, lee.token)).body), query).toBe('BAD_USER_INPUT');
      }
    });
  });
});
