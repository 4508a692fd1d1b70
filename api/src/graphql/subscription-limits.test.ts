/**
 * The caps hold over SSE too, and subscription starts are rate limited:
 * - open SSE subscriptions count with WebSockets against one per-user budget (WS_MAX_SOCKETS_PER_USER), across
 *   instances; the one over the limit is refused (TOO_MANY_CONNECTIONS, HTTP 429) and holds nothing open; a stream
 *   gives its place back however it ends (the client leaves, it is refused at its start, the server ends it with an
 *   error, a client that takes no event stream, the instance shuts down);
 * - subscribe/complete churn (on one WebSocket, or SSE streams opened and closed) past RATE_LIMIT_SUBSCRIBE is refused
 *   with RATE_LIMITED and retryAfterMs on that subscription only, while the socket's other subscriptions keep
 *   receiving; the web app's own subscribing (load, reconnects) stays well inside the default;
 * - a `complete` ends a WebSocket subscription on the server at once, even with no event pending (otherwise churn
 *   would pile up live subscriptions that the per-socket cap no longer sees);
 * - an SSE subscription ends with UNAUTHENTICATED when the session token that opened it expires, as a WebSocket is
 *   closed with 4401 then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { RawSocket as Raw } from '../../test/raw-ws.js';
import { apiKeyOf, courseRoomId, sendOk } from '../../test/chat.js';

/** Waits for a condition, which may be asynchronous (a Redis count). */
const until = (cond: () => boolean | Promise<boolean>, what: () => string, ms = 20_000) => poll(cond, ms, what);

/** One SSE subscription (POST, `accept: text/event-stream`), read in the background until it ends. */
interface Sse {
  status: number;
  contentType: string;
  events: any[];
  ended: boolean;
  abort(): void;
}

async function openSse(
  app: TestApp,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  accept = 'text/event-stream',
): Promise<Sse> {
  const controller = new AbortController();
  const res = await fetch(app.url + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const sse: Sse = {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    events: [],
    ended: false,
    abort: () => controller.abort(),
  };
  void (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = text.indexOf('\n\n')) >= 0) {
          const frame = text.slice(0, i);
          text = text.slice(i + 2);
          const data = frame
            .split('\n')
            .find((l) => l.startsWith('data:'))
            ?.slice(5)
            .trim();
          if (data) sse.events.push(JSON.parse(data));
        }
      }
    } catch {
      /* aborted */
    } finally {
      sse.ended = true;
    }
  })();
  return sse;
}

const ACTIVITY = `subscription($courseId: ID!, $after: String) { courseActivity(courseId: $courseId, after: $after) { cursor type } }`;
const ROOM = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type message { body } } }`;
const PRESENCE = `subscription($courseId: ID!, $tabId: String) { presence(courseId: $courseId, tabId: $tabId) { userId state version } }`;
const NOTIFICATIONS = `subscription($after: String) { notificationEvents(after: $after) { __typename } }`;
const CHAT_ACTIVITY = `subscription($courseId: ID!) { chatActivity(courseId: $courseId) { type roomId } }`;

describe('SSE subscriptions count with WebSockets (WS_MAX_SOCKETS_PER_USER), across instances', () => {
  let a: TestApp;
  let b: TestApp;
  let fx: Fixture;
  const raws: Raw[] = [];
  const streams: Sse[] = [];

  beforeAll(async () => {
    // Two instances of one installation: one database, one Redis, one prefix.
    const env = { WS_MAX_SOCKETS_PER_USER: '3', QUEUE_PREFIX: `lt-test-sse-${process.pid}-${Date.now()}` };
    a = await startApp({ env });
    b = await startApp({ databaseUrl: a.core.config.databaseUrl!, env });
    fx = await seed(a.core);
  });
  afterAll(async () => {
    for (const r of raws) r.ws.terminate();
    for (const s of streams) s.abort();
    await b?.close();
    await a?.close();
  });

  const ws = async (app: TestApp, token: string) => {
    const r = await Raw.open(app.wsUrl, token);
    raws.push(r);
    return r;
  };
  const sse = async (app: TestApp, token: string, variables: Record<string, unknown> = { courseId: fx.course.id }, query = ACTIVITY) => {
    const s = await openSse(app, token, query, variables);
    streams.push(s);
    return s;
  };
  /** The places a user holds now (WebSockets and SSE streams, every instance). */
  const held = (userId: string) => a.core.redis.pub.zcard(`${a.core.config.queuePrefix}:ws:u:${userId}`);

  it('WebSockets and SSE streams share the budget; the one over it is refused with TOO_MANY_CONNECTIONS and holds nothing; a closed stream frees its place', async () => {
    const uid = fx.learner.id;
    await ws(a, fx.learnerToken);
    const first = await sse(b, fx.learnerToken);
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/event-stream');
    const second = await sse(a, fx.learnerToken);
    expect(second.status).toBe(200);
    expect(await held(uid)).toBe(3);

    // Over the limit, over SSE: 429, the code, a stream that ends at once, no subscription left behind.
    await until(
      () => a.core.services.realtime.activeSubscriptions === 1,
      () => 'the stream on a is not subscribed',
    );
    const liveA = a.core.services.realtime.activeSubscriptions;
    const refused = await sse(a, fx.learnerToken);
    expect(refused.status).toBe(429);
    await until(
      () => refused.ended,
      () => 'the refused stream stays open',
    );
    expect(refused.events[0]?.errors?.[0]?.extensions?.code).toBe('TOO_MANY_CONNECTIONS');
    expect(refused.events[0]?.errors?.[0]?.message).toMatch(/Too many connections/);
    expect(a.core.services.realtime.activeSubscriptions).toBe(liveA);
    expect(await held(uid)).toBe(3);
    // And over the WebSocket: the SSE streams took the places.
    const socket = await ws(b, fx.learnerToken);
    expect(socket.acked).toBe(false);
    expect(socket.closed?.code).toBe(4430);
    // Another user is not affected.
    const other = await sse(a, fx.instructorToken);
    expect(other.status).toBe(200);
    other.abort();

    // The client leaves: the stream's place is given back, and a new stream gets it.
    first.abort();
    await until(
      async () => (await held(uid)) === 2,
      () => 'the closed stream still holds its place',
    );
    const again = await sse(a, fx.learnerToken);
    expect(again.status).toBe(200);
    expect(again.contentType).toContain('text/event-stream');
    expect(await held(uid)).toBe(3);
    for (const s of [second, again]) s.abort();
    await until(
      async () => (await held(uid)) === 1,
      () => 'the streams still hold their places',
    );
  });

  it('a stream refused at its start, or not streamed (406), holds no place; one the server ends with an error gives its place back', async () => {
    const uid = fx.learner.id;
    await until(
      async () => (await held(uid)) <= 1,
      () => 'places of the test before',
    );
    const before = await held(uid);
    // Refused when it starts (a cursor of another stream): one result, nothing open.
    const bad = await sse(a, fx.learnerToken, { courseId: fx.course.id, after: '999999999' });
    await until(
      () => bad.ended,
      () => 'the refused stream stays open',
    );
    expect(bad.events[0]?.errors?.[0]?.extensions?.code).toBe('BAD_CURSOR');
    expect(await held(uid)).toBe(before);
    // A client that accepts no event stream: 406, and no place (nor subscription) kept.
    const live = a.core.services.realtime.activeSubscriptions;
    const json = await openSse(a, fx.learnerToken, ACTIVITY, { courseId: fx.course.id }, 'application/json');
    expect(json.status).toBe(406);
    await until(
      async () => (await held(uid)) === before,
      () => 'a 406 holds a place',
    );
    await until(
      () => a.core.services.realtime.activeSubscriptions === live,
      () => 'a 406 left its subscription open',
    );

    // The server ends a stream with an error (the member was removed from the course: FORBIDDEN on the next event).
    const gone = await seed(a.core, 'G');
    const s = await sse(b, gone.learnerToken, { courseId: gone.course.id, after: '0' });
    expect(s.status).toBe(200);
    expect(await held(gone.learner.id)).toBe(1);
    // The course's first events replayed: the stream is live (what comes next reaches it).
    await until(
      () => s.events.length > 0,
      () => 'the stream did not start',
    );
    await a.core.services.courses.removeMembership(gone.tenant.id, gone.course.id, gone.learner.id);
    await until(
      () => s.ended,
      () => 'the stream did not end',
    );
    await until(
      async () => (await held(gone.learner.id)) === 0,
      () => 'the stream ended by the server still holds its place',
    );
  });

  it('an API key has a budget of its own, counted the same way', async () => {
    const f = await seed(a.core, 'K');
    const key = await apiKeyOf(a.core, f);
    const roomId = await courseRoomId(a, f.instructorToken, f.course.id);
    const mine: Sse[] = [];
    for (let i = 0; i < 3; i++) mine.push(await sse(i % 2 ? a : b, key, { roomId }, ROOM));
    expect(mine.map((s) => s.status)).toEqual([200, 200, 200]);
    const over = await sse(a, key, { roomId }, ROOM);
    expect(over.status).toBe(429);
    await until(
      () => over.ended,
      () => 'the refused stream stays open',
    );
    expect(over.events[0]?.errors?.[0]?.message).toMatch(/this API key has 3 open/);
    // Its creator's own budget is untouched.
    const own = await sse(a, f.instructorToken, { courseId: f.course.id });
    expect(own.status).toBe(200);
    for (const s of [...mine, own]) s.abort();
  });

  it('an open SSE stream keeps its place: renewed like a socket (entries expire 45 s after their last renewal)', async () => {
    const f = await seed(a.core, 'R');
    const key = `${a.core.config.queuePrefix}:ws:u:${f.learner.id}`;
    const s = await sse(b, f.learnerToken, { courseId: f.course.id });
    expect(s.status).toBe(200);
    const [member, first] = await a.core.redis.pub.zrange(key, 0, -1, 'WITHSCORES');
    expect(member).toBeTruthy();
    // The instance renews what it holds every 15 s: the entry's expiry moves on while the stream is open.
    await until(
      async () => Number(await a.core.redis.pub.zscore(key, member!)) > Number(first),
      () => "the stream's place was not renewed",
      40_000,
    );
    s.abort();
    await until(
      async () => (await held(f.learner.id)) === 0,
      () => 'the stream still holds its place',
    );
  }, 60_000);

  it('an instance that shuts down gives back the places of its SSE streams', async () => {
    const c = await startApp({
      databaseUrl: a.core.config.databaseUrl!,
      env: { WS_MAX_SOCKETS_PER_USER: '3', QUEUE_PREFIX: a.core.config.queuePrefix },
    });
    const late = await seed(a.core, 'S');
    let closed = false;
    try {
      const s = await openSse(c, late.learnerToken, ACTIVITY, { courseId: late.course.id });
      expect(s.status).toBe(200);
      expect(await held(late.learner.id)).toBe(1);
      await c.close();
      closed = true;
      await until(
        () => s.ended,
        () => 'the stream did not end at shutdown',
      );
      await until(
        async () => (await held(late.learner.id)) === 0,
        () => 'a stream of a stopped instance still holds its place',
      );
    } finally {
      if (!closed) await c.close();
    }
  });
});

describe('subscription starts are rate limited (RATE_LIMIT_SUBSCRIBE)', () => {
  const LIMIT = 6;
  let app: TestApp;
  let fx: Fixture;
  let roomId: string;
  const raws: Raw[] = [];

  beforeAll(async () => {
    app = await startApp({ env: { RATE_LIMIT_SUBSCRIBE: `${LIMIT}/600` } });
    fx = await seed(app.core);
    roomId = await courseRoomId(app, fx.learnerToken, fx.course.id);
  });
  afterAll(async () => {
    for (const r of raws) r.ws.terminate();
    await app?.close();
  });

  const reset = (userId: string) => app.core.redis.pub.del(`rl:s:subscribe:u:${userId}`);

  it('subscribe/complete churn on one WebSocket: past the limit RATE_LIMITED with retryAfterMs, nothing started; the other subscriptions keep receiving', async () => {
    await reset(fx.learner.id);
    const { realtime, presence } = app.core.services;
    const r = await Raw.open(app.wsUrl, fx.learnerToken);
    raws.push(r);
    const base = realtime.activeSubscriptions;
    r.subscribe('keep', ROOM, { roomId });
    await until(
      () => realtime.activeSubscriptions === base + 1,
      () => 'the room subscription did not start',
    );
    // presence with a tabId: each start writes to Redis and signals the course. One cycle at a time: started (then
    // completed) or refused.
    const outcome: string[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const id = `p${i}`;
      r.subscribe(id, PRESENCE, { courseId: fx.course.id, tabId: `tab-${String(i).padStart(6, '0')}` });
      await until(
        () => r.of('error', id).length > 0 || realtime.activeSubscriptions === base + 2,
        () => `no outcome for ${id}: ${JSON.stringify(r.frames)}`,
      );
      if (r.of('error', id).length > 0) {
        outcome.push(r.of('error', id)[0]!.payload[0].extensions.code);
        continue;
      }
      outcome.push('started');
      r.send({ id, type: 'complete' });
      await until(
        () => realtime.activeSubscriptions === base + 1,
        () => `${id} did not end: ${realtime.activeSubscriptions - base} ${JSON.stringify(r.frames)}`,
      );
    }
    expect(outcome).toEqual([...Array(LIMIT - 1).fill('started'), 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    const refused = r.of('error', `p${LIMIT + 1}`)[0]!.payload[0];
    expect(refused.extensions.retryAfterMs).toBeGreaterThan(0);
    expect(refused.message).toMatch(/Too many subscriptions started/);
    // A refused presence start wrote nothing: the learner is not online.
    await presence.settled();
    expect(await presence.stateOf(fx.course.id, fx.learner.id)).toBe('offline');
    // The socket and its other subscription stay and keep receiving; the completed ones ended without an error.
    expect(r.closed).toBeNull();
    expect(r.of('error').map((f) => f.id)).toEqual(Array.from({ length: 3 }, (_, i) => `p${LIMIT - 1 + i}`));
    await sendOk(app, fx.instructorToken, roomId, 'still here');
    await until(
      () => r.of('next', 'keep').some((f) => f.payload.data.roomEvents.message?.body === 'still here'),
      () => 'the room subscription stopped receiving',
    );
    r.ws.terminate();
  });

  it('SSE streams opened and closed in a loop count against the same limit: 429 RATE_LIMITED, nothing open', async () => {
    await reset(fx.learner.id);
    const { realtime } = app.core.services;
    // Nothing else runs on this instance (the socket of the test before is torn down).
    await until(
      () => realtime.activeSubscriptions === 0,
      () => `still live: ${realtime.activeSubscriptions}`,
    );
    const live = 0;
    const statuses: number[] = [];
    let last: Sse | null = null;
    for (let i = 0; i < LIMIT + 1; i++) {
      const s = await openSse(app, fx.learnerToken, PRESENCE, { courseId: fx.course.id, tabId: `sse-${String(i).padStart(6, '0')}` });
      statuses.push(s.status);
      last = s;
      if (s.status !== 200) break;
      s.abort();
      await until(
        () => realtime.activeSubscriptions === live,
        () => 'the aborted stream is still subscribed',
      );
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
    await until(
      () => last!.ended,
      () => 'the refused stream stays open',
    );
    expect(last!.events[0]?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(last!.events[0]?.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
    // And the WebSocket is refused too: one limit per user for both transports.
    const r = await Raw.open(app.wsUrl, fx.learnerToken);
    raws.push(r);
    r.subscribe('one', ROOM, { roomId });
    await until(
      () => r.of('error', 'one').length > 0,
      () => JSON.stringify(r.frames),
    );
    expect(r.of('error', 'one')[0]!.payload[0].extensions.code).toBe('RATE_LIMITED');
    r.ws.terminate();
  });
});

describe('a completed WebSocket subscription ends on the server at once', () => {
  let app: TestApp;
  let fx: Fixture;

  beforeAll(async () => {
    app = await startApp();
    fx = await seed(app.core);
  });
  afterAll(() => app?.close());

  it('presence with a tabId and no event pending: `complete` ends it, the tab leaves; the socket does not keep what it no longer counts', async () => {
    const { realtime, presence } = app.core.services;
    const r = await Raw.open(app.wsUrl, fx.learnerToken);
    try {
      const base = realtime.activeSubscriptions;
      for (let i = 0; i < 3; i++) {
        const id = `p${i}`;
        r.subscribe(id, PRESENCE, { courseId: fx.course.id, tabId: `tab-complete-${i}` });
        await until(
          () => realtime.activeSubscriptions === base + 1,
          () => `${id} did not start: ${JSON.stringify(r.frames)}`,
        );
        await until(
          async () => (await presence.stateOf(fx.course.id, fx.learner.id)) === 'online',
          () => 'the tab is not online',
        );
        r.send({ id, type: 'complete' });
        // No event comes (nobody else is in the course): the subscription ends all the same, and its tab with it.
        await until(
          () => realtime.activeSubscriptions === base,
          () => `${id} still runs on the server after complete`,
        );
        await presence.settled();
        await until(
          async () => (await presence.stateOf(fx.course.id, fx.learner.id)) === 'offline',
          () => 'the completed tab stays online',
        );
      }
      expect(r.of('error')).toEqual([]);
      expect(r.closed).toBeNull();
    } finally {
      r.ws.terminate();
    }
  });
});

describe('the web app stays inside the default RATE_LIMIT_SUBSCRIBE', () => {
  let app: TestApp;
  let fx: Fixture;

  beforeAll(async () => {
    app = await startApp();
    fx = await seed(app.core);
  });
  afterAll(() => app?.close());

  it('ten tabs loading and then reconnecting twice at once (each resubscribing all it has) are never refused', async () => {
    // What a tab of web/src subscribes: the notification bell, and in the chat section the course's chat activity,
    // presence with its tab id and the open room (the tutor section has fewer). A reconnect resubscribes them all.
    const roomId = await courseRoomId(app, fx.learnerToken, fx.course.id);
    const subs = (tab: number): [string, string, Record<string, unknown>][] => [
      ['bell', NOTIFICATIONS, {}],
      ['activity', CHAT_ACTIVITY, { courseId: fx.course.id }],
      ['presence', PRESENCE, { courseId: fx.course.id, tabId: `tab-${String(tab).padStart(6, '0')}` }],
      ['room', ROOM, { roomId }],
    ];
    const tabs = 10;
    const held = () => app.core.redis.pub.zcard(`${app.core.config.queuePrefix}:ws:u:${fx.learner.id}`);
    const started = async () => Number((await app.core.redis.pub.get(`rl:s:subscribe:u:${fx.learner.id}`)) ?? 0);
    const realtime = app.core.services.realtime;
    const base = realtime.activeSubscriptions;
    for (let round = 0; round < 3; round++) {
      const open = await Promise.all(Array.from({ length: tabs }, () => Raw.open(app.wsUrl, fx.learnerToken)));
      expect(open.every((r) => r.acked)).toBe(true);
      open.forEach((r, tab) => subs(tab).forEach(([id, q, v]) => r.subscribe(id, q, v)));
      // Every start counted, each one live on the server, none refused.
      await until(
        async () => (await started()) === 4 * tabs * (round + 1),
        () => `not every start was counted in round ${round}`,
      );
      await until(
        () => realtime.activeSubscriptions >= base + 4 * tabs || open.some((r) => r.of('error').length > 0),
        () => `live: ${realtime.activeSubscriptions - base}`,
      );
      expect(open.flatMap((r) => r.of('error')).map((f) => f.payload[0].extensions.code)).toEqual([]);
      // The network drops: every socket at once; the server frees their places, and the tabs reconnect.
      for (const r of open) r.ws.terminate();
      await until(
        async () => realtime.activeSubscriptions === base && (await held()) === 0,
        () => 'the dropped sockets were not released',
      );
    }
  });
});

describe('an SSE subscription ends when the session token that opened it expires', () => {
  let app: TestApp;
  let fx: Fixture;
  beforeAll(async () => {
    app = await startApp({ env: { QUEUE_PREFIX: `lt-test-sse-exp-${process.pid}-${Date.now()}` } });
    fx = await seed(app.core);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('its last event is UNAUTHENTICATED, it gives its place back, and a stream with a longer token carries on', async () => {
    const claims = { tenantId: fx.tenant.id, userId: fx.learner.id, courseId: fx.course.id, roles: ['learner' as const] };
    const short = await app.core.services.sessions.issue(claims, 2);
    const held = () => app.core.redis.pub.zcard(`${app.core.config.queuePrefix}:ws:u:${fx.learner.id}`);
    const realtime = app.core.services.realtime;
    const base = realtime.activeSubscriptions;
    const expiring = await openSse(app, short, ACTIVITY, { courseId: fx.course.id });
    const lasting = await openSse(app, fx.learnerToken, ACTIVITY, { courseId: fx.course.id });
    expect([expiring.status, lasting.status]).toEqual([200, 200]);
    expect(await held()).toBe(2);
    await until(
      () => expiring.ended,
      () => 'the stream outlived its token',
      15_000,
    );
    expect(expiring.events.at(-1)?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await until(
      async () => (await held()) === 1,
      () => 'the expired stream still holds its place',
    );
    // And its subscription is gone from the server, not left waiting for an event.
    await until(
      () => realtime.activeSubscriptions === base + 1,
      () => `live subscriptions: ${realtime.activeSubscriptions - base}`,
    );
    // The stream opened with a longer token is still open, holding its place and its live subscription (asserted
    // above: one place, one subscription).
    expect(lasting.ended).toBe(false);
    lasting.abort();
    await until(
      async () => (await held()) === 0,
      () => 'the lasting stream still holds its place after it closed',
    );
  });
});
