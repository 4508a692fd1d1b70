/**
 * Fan-out groups through real graphql-ws clients (and raw WebSocket frames), PostgreSQL and Redis: subscribers
 * of one room with one operation share one rendering per event and get the same bytes; authorization stays per
 * subscriber; variables that shape the payload split groups, the root field's own arguments do not; a subscriber
 * joining with a cursor while the room is busy gets every event once, in order; SSE still serves a feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { poll, seed, startApp, subscribe, wsClient, type TestApp } from '../../test/harness.js';
import {
  CREATE_GROUP,
  REMOVE_MEMBER,
  ROOM_EVENTS,
  addMember,
  cid,
  courseRoomId,
  instructorOf,
  listening,
  ok,
  sendOk,
  subCode,
  type RoomEv,
} from '../../test/chat.js';
import { gql } from '../../test/harness.js';

describe('fan-out groups', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { CHAT_RATE_LIMIT: '1000000' } });
  });
  afterAll(async () => {
    await app?.close();
  });
  const fanout = () => app.core.services.realtime.fanout;

  /** A raw graphql-transport-ws connection that keeps every `next` frame's text as it came off the wire. */
  async function rawSubscriber(token: string, query: string, variables: Record<string, unknown>) {
    const ws = new WebSocket(app.wsUrl, 'graphql-transport-ws');
    const frames: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      ws.on('message', (data) => {
        const text = String(data);
        const m = JSON.parse(text) as { type: string };
        if (m.type === 'connection_ack') {
          ws.send(JSON.stringify({ id: 'sub-1', type: 'subscribe', payload: { query, variables } }));
          resolve();
        } else if (m.type === 'next') frames.push(text);
      });
      ws.once('error', reject);
    });
    return { ws, frames };
  }

  it('forty subscribers of a course room, with and without a cursor, form one group: one rendering per event, the same bytes for all', async () => {
    const f = await seed(app.core, 'group');
    const inst = instructorOf(f);
    const room = await courseRoomId(app, f.learnerToken, f.course.id);
    const head = await sendOk(app, inst.token, room, 'before anyone listens');
    const people = await Promise.all(Array.from({ length: 40 }, (_, i) => addMember(app.core, f, `Student ${i}`)));
    const groups0 = fanout().groupCount;
    const before = app.core.services.realtime.activeSubscriptions;
    // Half resume from the first message's cursor (replay), half start from now: still one group.
    const subs = people.map((p, i) =>
      subscribe<RoomEv>(
        wsClient(app.wsUrl, p.token).client,
        ROOM_EVENTS,
        i % 2 ? { roomId: room, after: head.seq } : { roomId: room },
        'roomEvents',
      ),
    );
    const raw = await rawSubscriber(people[0]!.token, ROOM_EVENTS, { roomId: room });
    await listening(app, before, 41);
    expect(fanout().groupCount - groups0).toBe(1);

    const renders0 = fanout().renders;
    const deliveries0 = fanout().deliveries;
    const bodies = Array.from({ length: 10 }, (_, i) => `hello ${i} <b>&amp;</b> "quoted" ✓`);
    for (const b of bodies) await sendOk(app, inst.token, room, b);
    await Promise.all(subs.map((s) => s.waitFor(10)));
    await poll(
      () => raw.frames.length >= 10,
      10_000,
      () => `raw got ${raw.frames.length}`,
    );

    for (const s of subs) {
      expect(s.errors).toEqual([]);
      expect(s.items.filter((e) => e.type === 'MESSAGE_ADDED').map((e) => e.message!.body)).toEqual(bodies);
    }
    // Ten events, one rendering each for the whole group; 41 deliveries each.
    expect(fanout().renders - renders0).toBe(10);
    expect(fanout().deliveries - deliveries0).toBe(10 * 41);
    // The same payload bytes on the wire as the group rendered them, and a well-formed graphql-ws frame.
    const first = JSON.parse(raw.frames[0]!) as { id: string; type: string; payload: { data: { roomEvents: RoomEv } } };
    expect(first).toMatchObject({ id: 'sub-1', type: 'next' });
    expect(first.payload.data.roomEvents.message!.body).toBe(bodies[0]);
    expect(raw.frames[0]!.startsWith('{"id":"sub-1","type":"next","payload":{"data":{"roomEvents":')).toBe(true);
    raw.ws.close();
  });

  it('authorization stays per subscriber: a member removed from a group room is ended with FORBIDDEN, the rest of its group carries on', async () => {
    const f = await seed(app.core, 'auth');
    const inst = instructorOf(f);
    const [ana, ben, cy] = await Promise.all(['Ana', 'Ben', 'Cy'].map((n) => addMember(app.core, f, n)));
    const room = ok(
      await gql(
        app.url,
        CREATE_GROUP,
        { courseId: f.course.id, name: 'Lab 3', memberIds: [ana!.user.id, ben!.user.id, cy!.user.id] },
        inst.token,
      ),
    ).createGroupRoom.id as string;
    const groups0 = fanout().groupCount;
    const before = app.core.services.realtime.activeSubscriptions;
    const [sa, sb, sc] = [ana!, ben!, cy!].map((p) =>
      subscribe<RoomEv>(wsClient(app.wsUrl, p.token).client, ROOM_EVENTS, { roomId: room }, 'roomEvents'),
    );
    await listening(app, before, 3);
    expect(fanout().groupCount - groups0).toBe(1);

    ok(await gql(app.url, REMOVE_MEMBER, { roomId: room, userId: ben!.user.id }, inst.token));
    await sendOk(app, inst.token, room, 'after Ben left');
    await sb!.ended();
    expect(subCode(sb!.errors)).toBe('FORBIDDEN');
    expect(sb!.items.some((e) => e.message?.body === 'after Ben left')).toBe(false);
    for (const s of [sa!, sc!]) {
      await poll(
        () => s.items.some((e) => e.message?.body === 'after Ben left'),
        10_000,
        () => JSON.stringify(s.items.map((e) => e.type)),
      );
      expect(s.done).toBe(false);
    }
    await sendOk(app, inst.token, room, 'still here');
    for (const s of [sa!, sc!])
      await poll(
        () => s.items.some((e) => e.message?.body === 'still here'),
        10_000,
        () => 'not delivered',
      );
  });

  it('a variable that shapes the payload splits groups; the root field arguments (room, cursor) do not', async () => {
    const f = await seed(app.core, 'vars');
    const inst = instructorOf(f);
    const room = await courseRoomId(app, f.learnerToken, f.course.id);
    const Q = `subscription($roomId: ID!, $after: String, $withBody: Boolean!) {
      roomEvents(roomId: $roomId, after: $after) { type message { id body @include(if: $withBody) } } }`;
    const people = await Promise.all(Array.from({ length: 4 }, (_, i) => addMember(app.core, f, `P${i}`)));
    const groups0 = fanout().groupCount;
    const before = app.core.services.realtime.activeSubscriptions;
    const subs = people.map((p, i) =>
      subscribe<{ type: string; message: { id: string; body?: string } | null }>(
        wsClient(app.wsUrl, p.token).client,
        Q,
        { roomId: room, withBody: i < 2, ...(i % 2 ? { after: null } : {}) },
        'roomEvents',
      ),
    );
    await listening(app, before, 4);
    expect(fanout().groupCount - groups0).toBe(2);
    const renders0 = fanout().renders;
    await sendOk(app, inst.token, room, 'shape');
    await Promise.all(subs.map((s) => s.waitFor(1)));
    expect(subs.slice(0, 2).map((s) => s.items[0]!.message!.body)).toEqual(['shape', 'shape']);
    expect(subs.slice(2).map((s) => 'body' in s.items[0]!.message!)).toEqual([false, false]);
    expect(fanout().renders - renders0).toBe(2);
  });

  it('joining with a cursor while the room is busy: replay, then the live tail, every event once and in order', async () => {
    const f = await seed(app.core, 'busy');
    const inst = instructorOf(f);
    const room = await courseRoomId(app, f.learnerToken, f.course.id);
    // Someone is already listening, so the group is live and busy while the newcomer replays.
    const before = app.core.services.realtime.activeSubscriptions;
    const watcher = subscribe<RoomEv>(wsClient(app.wsUrl, inst.token).client, ROOM_EVENTS, { roomId: room }, 'roomEvents');
    await listening(app, before, 1);
    const first = await sendOk(app, inst.token, room, 'm 0');
    const total = 300;
    const sending = (async () => {
      for (let i = 1; i < total; i++) await app.core.services.rooms.send(inst.viewer, { roomId: room, clientId: cid(), body: `m ${i}` });
    })();
    await poll(
      () => watcher.items.length >= 60,
      20_000,
      () => `watcher has ${watcher.items.length}`,
    );
    const late = subscribe<RoomEv>(
      wsClient(app.wsUrl, f.learnerToken).client,
      ROOM_EVENTS,
      { roomId: room, after: first.seq },
      'roomEvents',
    );
    await sending;
    await late.waitFor(total - 1, 30_000);
    await new Promise((r) => setTimeout(r, 200)); // anything extra (a duplicate) would arrive now
    const seqs = late.items.map((e) => Number(e.cursor));
    expect(late.errors).toEqual([]);
    expect(late.items.map((e) => e.message!.body)).toEqual(Array.from({ length: total - 1 }, (_, i) => `m ${i + 1}`));
    expect(seqs).toEqual(Array.from({ length: total - 1 }, (_, i) => seqs[0]! + i));
    await watcher.waitFor(total);
  });

  it('room lists (chatActivity) of twenty people: each room event is rendered once for all of them, and each list gets it', async () => {
    const f = await seed(app.core, 'lists');
    const inst = instructorOf(f);
    const room = await courseRoomId(app, f.learnerToken, f.course.id);
    const people = await Promise.all(Array.from({ length: 20 }, (_, i) => addMember(app.core, f, `L${i}`)));
    const ACTIVITY = `subscription($courseId: ID!) { chatActivity(courseId: $courseId) { type roomId message { id body author { name } } } }`;
    const before = app.core.services.realtime.activeSubscriptions;
    // Each room list follows the course room (and its person's own stream): two subscriptions on the server each.
    const lists = people.map((p) =>
      subscribe<{ type: string; roomId: string; message: { body: string } | null }>(
        wsClient(app.wsUrl, p.token).client,
        ACTIVITY,
        { courseId: f.course.id },
        'chatActivity',
      ),
    );
    await listening(app, before, 40);
    const metric = async (name: string) => {
      const text = await (await fetch(app.url + '/metrics')).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    };
    const renders0 = await metric('graphql_shared_renders_total');
    const sent0 = await metric('graphql_shared_payloads_total');
    for (const body of ['one', 'two', 'three']) await sendOk(app, inst.token, room, body);
    await Promise.all(lists.map((l) => l.waitFor(3)));
    for (const l of lists) {
      expect(l.errors).toEqual([]);
      expect(l.items.map((a) => [a.type, a.roomId, a.message?.body])).toEqual(['one', 'two', 'three'].map((b) => ['MESSAGE', room, b]));
    }
    expect((await metric('graphql_shared_renders_total')) - renders0).toBe(3);
    expect((await metric('graphql_shared_payloads_total')) - sent0).toBe(60);
  });

  it('SSE iterates the same feed, one subscriber at a time, with the same checks', async () => {
    const f = await seed(app.core, 'sse');
    const inst = instructorOf(f);
    const room = await courseRoomId(app, f.learnerToken, f.course.id);
    const controller = new AbortController();
    const before = app.core.services.realtime.activeSubscriptions;
    const res = await fetch(app.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${f.learnerToken}` },
      body: JSON.stringify({ query: ROOM_EVENTS, variables: { roomId: room } }),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    await listening(app, before, 1);
    await sendOk(app, inst.token, room, 'over SSE');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('over SSE')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('"type":"MESSAGE_ADDED"');
    expect(text).toContain('over SSE');
  });
});
