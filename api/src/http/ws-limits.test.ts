/**
 * Caps on the WebSocket transport: subscriptions per socket, identical subscriptions per socket, sockets per user
 * (or API key) across instances; and the teardown of many sockets closing at once, done in chunks that leave the
 * event loop free in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { RawSocket as Raw } from '../../test/raw-ws.js';
import { courseRoomId, sendOk } from '../../test/chat.js';

const ROOM = (name: string) => `subscription ${name}($roomId: ID!) { roomEvents(roomId: $roomId) { type message { body } } }`;
const PRESENCE = `subscription($courseId: ID!, $tabId: String) { presence(courseId: $courseId, tabId: $tabId) { userId state } }`;

describe('WebSocket caps', () => {
  let app: TestApp;
  let fx: Fixture;
  let roomId: string;
  const raws: Raw[] = [];

  beforeAll(async () => {
    app = await startApp({ env: { WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '5', WS_MAX_IDENTICAL_SUBSCRIPTIONS: '2' } });
    fx = await seed(app.core);
    roomId = await courseRoomId(app, fx.learnerToken, fx.course.id);
  });
  afterAll(async () => {
    for (const r of raws) r.ws.terminate();
    await app?.close();
  });

  const open = async (token = fx.learnerToken) => {
    const r = await Raw.open(app.wsUrl, token);
    raws.push(r);
    return r;
  };

  it('a subscribe over the per-socket cap gets TOO_MANY_SUBSCRIPTIONS; the socket and the others stay', async () => {
    const r = await open();
    const before = app.core.services.realtime.activeSubscriptions;
    for (let i = 0; i < 8; i++) r.subscribe(`s${i}`, ROOM(`S${i}`), { roomId });
    await poll(
      () => r.of('error').length >= 3,
      10_000,
      () => JSON.stringify(r.frames),
    );
    await poll(
      () => app.core.services.realtime.activeSubscriptions >= before + 5,
      10_000,
      () => `live: ${app.core.services.realtime.activeSubscriptions - before}`,
    );
    const errors = r.of('error');
    expect(errors.map((e) => e.id)).toEqual(['s5', 's6', 's7']);
    expect(errors[0]!.payload[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(errors[0]!.payload[0].message).toMatch(/at most 5/);
    expect(r.closed).toBeNull();
    await sendOk(app, fx.instructorToken, roomId, 'to five');
    await poll(
      () => r.of('next').length >= 5,
      10_000,
      () => `next frames: ${r.of('next').length}`,
    );
    // One completed: room for one more.
    r.send({ id: 's0', type: 'complete' });
    await poll(
      () => app.core.services.realtime.activeSubscriptions === before + 4,
      10_000,
      () => 'completion not seen',
    );
    r.subscribe('s8', ROOM('S8'), { roomId });
    await poll(
      () => app.core.services.realtime.activeSubscriptions === before + 5,
      10_000,
      () => 'the new subscription did not start',
    );
    expect(r.of('error', 's8')).toEqual([]);
    r.ws.terminate();
  });

  it('identical subscriptions on one socket: beyond the cap refused, so one event costs at most that many frames', async () => {
    const r = await open();
    const before = app.core.services.realtime.activeSubscriptions;
    for (let i = 0; i < 5; i++) r.subscribe(`d${i}`, ROOM('Same'), { roomId });
    await poll(
      () => r.of('error').length >= 3,
      10_000,
      () => JSON.stringify(r.frames),
    );
    await poll(
      () => app.core.services.realtime.activeSubscriptions >= before + 2,
      10_000,
      () => 'not live',
    );
    expect(r.of('error').map((e) => e.payload[0].extensions.code)).toEqual(Array(3).fill('TOO_MANY_SUBSCRIPTIONS'));
    expect(r.of('error')[0]!.payload[0].message).toMatch(/already open 2 times/);
    await sendOk(app, fx.instructorToken, roomId, 'once');
    await poll(
      () => r.of('next').length >= 2,
      10_000,
      () => 'no event',
    );
    // A marker message after it: when it arrived, every frame of the first one has.
    await sendOk(app, fx.instructorToken, roomId, 'marker');
    await poll(
      () => r.of('next').filter((f) => f.payload.data.roomEvents.message?.body === 'marker').length >= 2,
      10_000,
      () => 'no marker',
    );
    expect(r.of('next').filter((f) => f.payload.data.roomEvents.message?.body === 'once')).toHaveLength(2);
    r.ws.terminate();
  });
});

describe('WebSockets per user, across instances', () => {
  let a: TestApp;
  let b: TestApp;
  let fx: Fixture;
  const raws: Raw[] = [];

  beforeAll(async () => {
    // Two instances of one installation: one database, one Redis, one prefix.
    const env = { WS_MAX_SOCKETS_PER_USER: '3', QUEUE_PREFIX: `lt-test-ws-${process.pid}-${Date.now()}` };
    a = await startApp({ env });
    b = await startApp({ databaseUrl: a.core.config.databaseUrl!, env });
    fx = await seed(a.core);
  });
  afterAll(async () => {
    for (const r of raws) r.ws.terminate();
    await b?.close();
    await a?.close();
  });

  const open = async (app: TestApp, token: string) => {
    const r = await Raw.open(app.wsUrl, token);
    raws.push(r);
    return r;
  };

  it('refuses the socket over the limit with 4430 and a reason; another user is not affected; a closed one frees a place', async () => {
    const first = await open(a, fx.learnerToken);
    await open(a, fx.learnerToken);
    await open(b, fx.learnerToken);
    expect(raws.every((r) => r.acked && r.closed === null)).toBe(true);
    const fourth = await open(b, fx.learnerToken);
    expect(fourth.acked).toBe(false);
    expect(fourth.closed?.code).toBe(4430);
    expect(fourth.closed?.reason).toMatch(/Too many connections/);
    const other = await open(b, fx.instructorToken);
    expect(other.acked).toBe(true);
    first.ws.close();
    await poll(
      () => first.closed !== null,
      10_000,
      () => 'not closed',
    );
    // The place is released after the close (in the next teardown chunk): retry until it is.
    const deadline = Date.now() + 10_000;
    let again: Raw;
    for (;;) {
      again = await open(b, fx.learnerToken);
      if (again.acked || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(again.acked).toBe(true);
  });
});

describe('teardown of many sockets closing at once', () => {
  let app: TestApp;
  let fx: Fixture;

  beforeAll(async () => {
    // 200 sockets of one user, 400 subscriptions started at once: far past what one user's tabs do.
    app = await startApp({ env: { WS_MAX_SOCKETS_PER_USER: '10000', RATE_LIMIT_SUBSCRIBE: '10000/60', WS_TEARDOWN_CHUNK: '10' } });
    fx = await seed(app.core);
  });
  afterAll(() => app?.close());

  it('is done in chunks with the event loop free in between, and releases everything', async () => {
    const n = 200;
    const roomId = await courseRoomId(app, fx.learnerToken, fx.course.id);
    const realtime = app.core.services.realtime;
    const before = realtime.activeSubscriptions;
    const raws: Raw[] = [];
    for (let i = 0; i < n; i++) {
      const r = await Raw.open(app.wsUrl, fx.learnerToken);
      r.subscribe('room', ROOM('Room'), { roomId });
      r.subscribe('presence', PRESENCE, { courseId: fx.course.id, tabId: `tab-${String(i).padStart(6, '0')}` });
      raws.push(r);
    }
    await poll(
      () => realtime.activeSubscriptions >= before + 2 * n,
      30_000,
      () => `live: ${realtime.activeSubscriptions - before}`,
    );
    await poll(
      () => raws.every((r) => r.acked),
      10_000,
      () => 'not all acknowledged',
    );
    expect(await app.core.services.presence.stateOf(fx.course.id, fx.learner.id)).toBe('online');

    // Every socket goes at once; an immediate callback, scheduled again each time it runs, samples the teardown.
    const samples: number[] = [];
    let sawClose = false;
    let done = false;
    const sample = () => {
      const pending = app.api.wsTeardownPending;
      if (pending > 0) sawClose = true;
      samples.push(pending);
      if (sawClose && pending === 0) done = true;
      else if (samples.length < 1_000_000) setImmediate(sample);
    };
    for (const r of raws) r.ws.terminate();
    setImmediate(sample);
    await poll(
      () => done,
      30_000,
      () => `teardown not seen finishing: ${samples.slice(-5).join(',')}`,
    );
    // The loop ran our callback while closed sockets were still waiting: between chunks.
    const during = samples.filter((p) => p > 0);
    expect(during.length).toBeGreaterThan(1);
    expect(new Set(during).size).toBeGreaterThan(1);
    // And everything is released: subscriptions, presence.
    await poll(
      () => realtime.activeSubscriptions === before,
      10_000,
      () => `still live: ${realtime.activeSubscriptions - before}`,
    );
    await app.core.services.presence.settled();
    expect(await app.core.services.presence.stateOf(fx.course.id, fx.learner.id)).toBe('offline');
  });
});
