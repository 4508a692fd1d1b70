/** The realtime module end to end: real PostgreSQL, real Redis, real graphql-ws clients. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, seed, wsClient, subscribe, freshPgDatabase, poll, type TestApp, type Fixture } from '../../test/harness.js';
import { defineStream, type EventShape } from './realtime.js';
import { appendEvent, headSeq } from './events.js';
import { compactStreams } from './compaction.js';
import { FEED } from './fanout.js';
import { streamEvents } from './tables.js';
import { eq, sql } from 'drizzle-orm';

/** A course's stream, open to test events of any type. */
const courseStream = defineStream<EventShape>('course');

const ACTIVITY = `subscription($courseId: ID!, $after: String) { courseActivity(courseId: $courseId, after: $after) { cursor type data } }`;

describe('realtime module', () => {
  let app: TestApp;
  let fx: Fixture;
  beforeAll(async () => {
    app = await startApp();
    fx = await seed(app.core);
  });
  afterAll(async () => {
    await app?.close();
  });

  const emitPings = async (a: TestApp, courseId: string, tenantId: string, n: number, from = 0) => {
    for (let i = 0; i < n; i++) {
      await a.core.services.realtime.write((_tx, emit) =>
        emit(courseStream(courseId), { tenantId, type: 'test.ping', payload: { i: from + i } }),
      );
    }
  };

  it('a write inside a write joins it: one transaction, so a failure after the inner write leaves nothing', async () => {
    const { realtime, database, courses } = app.core.services;
    const stream = courseStream(fx.course.id);
    const before = await headSeq(database.db, stream);
    await expect(
      realtime.write(async (_tx, emit) => {
        await courses.upsertCourse({ tenantId: fx.tenant.id, contextId: `nested-${Date.now()}`, title: 'Nested' });
        await emit(stream, { tenantId: fx.tenant.id, type: 'test.nested', payload: {} });
        throw new Error('fails after both writes');
      }),
    ).rejects.toThrow('fails after both writes');
    expect(await headSeq(database.db, stream)).toBe(before);
    const rows = await database.db
      .select({ title: sql<string | null>`${streamEvents.payload}->>'title'` })
      .from(streamEvents)
      .where(eq(streamEvents.type, 'course.created'));
    expect(rows.some((r) => r.title === 'Nested')).toBe(false);
  });

  it('assigns sequence numbers in commit order to concurrent writers and delivers them without gap or duplicate', async () => {
    const { realtime } = app.core.services;
    const stream = courseStream(fx.course.id);
    const ac = new AbortController();
    const got: number[] = [];
    const start = await headSeq(app.core.services.database.db, stream);
    const sub = realtime.subscribe(stream, { after: start, signal: ac.signal });
    const first = sub.next(); // starts listening
    const writers = Array.from({ length: 10 }, (_, w) =>
      (async () => {
        for (let i = 0; i < 30; i++)
          await realtime.write((_tx, emit) => emit(stream, { tenantId: fx.tenant.id, type: 'test.concurrent', payload: { w, i } }));
      })(),
    );
    const r = await first;
    if (!r.done && r.value.kind === 'event') got.push(r.value.event.seq);
    const reading = (async () => {
      for await (const d of sub) {
        if (d.kind === 'event') got.push(d.event.seq);
        if (got.length >= 300) break;
      }
    })();
    await Promise.all(writers);
    await reading;
    ac.abort();
    expect(got).toHaveLength(300);
    for (let i = 1; i < got.length; i++) expect(got[i]).toBe(got[i - 1]! + 1);
  });

  it('a subscriber that disconnects while 1,000 events are published resumes with its cursor and gets all 1,000 once, in order', async () => {
    const f = await seed(app.core, 'resume');
    const a = wsClient(app.wsUrl, f.learnerToken);
    const live = subscribe<{ cursor: string; type: string; data: { i: number } }>(
      a.client,
      ACTIVITY,
      { courseId: f.course.id },
      'courseActivity',
    );
    await new Promise((r) => setTimeout(r, 200));
    await emitPings(app, f.course.id, f.tenant.id, 3);
    await live.waitFor(3);
    const cursor = live.items.at(-1)!.cursor;
    await a.client.dispose();

    await emitPings(app, f.course.id, f.tenant.id, 1000, 3);

    const b = wsClient(app.wsUrl, f.learnerToken);
    const resumed = subscribe<{ cursor: string; data: { i: number } }>(
      b.client,
      ACTIVITY,
      { courseId: f.course.id, after: cursor },
      'courseActivity',
    );
    await resumed.waitFor(1000, 60_000);
    // Live events continue after the replay, still without duplicates.
    await emitPings(app, f.course.id, f.tenant.id, 5, 1003);
    const all = await resumed.waitFor(1005);
    await new Promise((r) => setTimeout(r, 200));
    expect(resumed.errors).toEqual([]);
    expect(all.map((e) => e.data.i)).toEqual(Array.from({ length: 1005 }, (_, k) => k + 3));
    const seqs = all.map((e) => Number(e.cursor));
    expect(new Set(seqs).size).toBe(seqs.length);
    await b.client.dispose();
  });

  it('fills a hole from the database when an event never came through Redis', async () => {
    const f = await seed(app.core, 'gap');
    const stream = courseStream(f.course.id);
    const c = wsClient(app.wsUrl, f.instructorToken);
    const s = subscribe<{ data: { i: number } }>(c.client, ACTIVITY, { courseId: f.course.id }, 'courseActivity');
    await new Promise((r) => setTimeout(r, 200));
    // Committed but never published: as if the publisher died between commit and publish.
    await app.core.services.database.db.transaction(async (tx) => {
      await appendEvent(tx, { stream, tenantId: f.tenant.id, type: 'test.lost', payload: { i: 1 } });
      await appendEvent(tx, { stream, tenantId: f.tenant.id, type: 'test.lost', payload: { i: 2 } });
    });
    await emitPings(app, f.course.id, f.tenant.id, 1, 3);
    const got = await s.waitFor(3);
    expect(got.map((e) => e.data.i)).toEqual([1, 2, 3]);
    await c.client.dispose();
  });

  it('checks authorization on every event: a removed member is cut off with FORBIDDEN', async () => {
    const f = await seed(app.core, 'revoke');
    const c = wsClient(app.wsUrl, f.learnerToken);
    const s = subscribe(c.client, ACTIVITY, { courseId: f.course.id }, 'courseActivity');
    await new Promise((r) => setTimeout(r, 200));
    await emitPings(app, f.course.id, f.tenant.id, 1);
    await s.waitFor(1);
    await app.core.services.courses.removeMembership(f.tenant.id, f.course.id, f.learner.id);
    await emitPings(app, f.course.id, f.tenant.id, 2, 1);
    await s.ended();
    expect(s.items).toHaveLength(1); // neither the removal event nor later pings reached the learner
    expect(JSON.stringify(s.errors)).toContain('FORBIDDEN');
    await c.client.dispose();
  });

  it('refuses a cursor ahead of the stream and one whose events were compacted away', async () => {
    const f = await seed(app.core, 'cursor');
    const c = wsClient(app.wsUrl, f.instructorToken);
    const ahead = subscribe(c.client, ACTIVITY, { courseId: f.course.id, after: '999999' }, 'courseActivity');
    await ahead.ended();
    expect(JSON.stringify(ahead.errors)).toContain('BAD_CURSOR');
    const garbage = subscribe(c.client, ACTIVITY, { courseId: f.course.id, after: '1; drop table users' }, 'courseActivity');
    await garbage.ended();
    expect(JSON.stringify(garbage.errors)).toContain('BAD_CURSOR');

    await emitPings(app, f.course.id, f.tenant.id, 5);
    const { db } = app.core.services.database;
    // Age the first events of this stream and compact: cursor 1 now points before the retained window.
    await db
      .update(streamEvents)
      .set({ createdAt: new Date(Date.now() - 100 * 86_400_000) })
      .where(eq(streamEvents.stream, courseStream(f.course.id)));
    await db.update(streamEvents).set({ createdAt: new Date() }).where(eq(streamEvents.seq, 7));
    const deleted = await compactStreams(db, 90);
    expect(deleted).toBeGreaterThanOrEqual(6);
    const expired = subscribe(c.client, ACTIVITY, { courseId: f.course.id, after: '1' }, 'courseActivity');
    await expired.ended();
    expect(JSON.stringify(expired.errors)).toContain('CURSOR_EXPIRED');
    await c.client.dispose();
  });

  it('a cursor whose every later event was compacted away is expired, not silently resumed at the head', async () => {
    const f = await seed(app.core, 'all-gone');
    await emitPings(app, f.course.id, f.tenant.id, 4);
    const { db } = app.core.services.database;
    await db
      .update(streamEvents)
      .set({ createdAt: new Date(Date.now() - 100 * 86_400_000) })
      .where(eq(streamEvents.stream, courseStream(f.course.id)));
    await compactStreams(db, 90);
    const c = wsClient(app.wsUrl, f.instructorToken);
    const expired = subscribe(c.client, ACTIVITY, { courseId: f.course.id, after: '2' }, 'courseActivity');
    await expired.ended();
    expect(JSON.stringify(expired.errors)).toContain('CURSOR_EXPIRED');
    await c.client.dispose();
  });

  it('a durable stream outlives the retention sweep; its feature reads it and truncates what it merged', async () => {
    const f = await seed(app.core, 'durable');
    const log = defineStream<{ type: 'entry'; payload: { n: number } }>('durable-test', { durable: true })(f.course.id);
    const rt = app.core.services.realtime;
    for (let n = 1; n <= 5; n++) await rt.write((_tx, emit) => emit(log, { tenantId: f.tenant.id, type: 'entry', payload: { n } }));
    const { db } = app.core.services.database;
    await db
      .update(streamEvents)
      .set({ createdAt: new Date(Date.now() - 100 * 86_400_000) })
      .where(eq(streamEvents.stream, log));
    await compactStreams(db, 90);
    expect((await rt.read(log, 0, 100)).map((e) => e.payload.n)).toEqual([1, 2, 3, 4, 5]);
    expect(await db.transaction((tx) => rt.truncate(tx, log, 3))).toBe(3);
    expect((await rt.read(log, 0, 100)).map((e) => [e.seq, e.payload.n])).toEqual([
      [4, 4],
      [5, 5],
    ]);
    expect(await rt.head(log)).toBe(5);
  });

  it('a subscription whose client left while it was still starting (its signal aborted already) holds nothing: no group member, no live subscription, no tab online', async () => {
    const { realtime, presence } = app.core.services;
    const gone = new AbortController();
    gone.abort();
    const base = realtime.activeSubscriptions;
    let ended = 0;
    const feed = realtime.feed({
      stream: courseStream(fx.course.id),
      after: null,
      signals: false,
      authorizeNow: () => true,
      authorize: async () => true,
      map: (d) => d,
      signal: gone.signal,
      onEnd: () => void ended++,
    });
    const sent: string[] = [];
    await realtime.fanout.join(`aborted-${Date.now()}`, feed[FEED], (root) => JSON.stringify(root), {
      send: (j) => void sent.push(j),
      end: () => {},
    });
    expect(realtime.fanout.members).toBe(0);
    expect(ended).toBe(1);
    // Iterated (SSE's way): it ends at once instead of waiting for an event that would never be read.
    const it = realtime.subscribe(courseStream(fx.course.id), { signal: gone.signal })[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(realtime.activeSubscriptions).toBe(base);
    // A presence tab held for it leaves again rather than staying online for good.
    presence.hold(fx.tenant.id, fx.course.id, fx.learner.id, 'tab-aborted-before-start', gone.signal);
    await presence.settled();
    await poll(
      async () => (await presence.stateOf(fx.course.id, fx.learner.id)) === 'offline',
      5_000,
      () => 'the tab of a subscription that never started is online',
    );
    await emitPings(app, fx.course.id, fx.tenant.id, 1);
    expect(sent).toEqual([]);
  });

  it('delivers ephemeral signals live and drops expired ones', async () => {
    const { realtime } = app.core.services;
    const stream = defineStream<never, { type: 'typing'; payload: { who: string } }>('presence')(fx.course.id);
    const ac = new AbortController();
    const got: string[] = [];
    const before = realtime.activeSubscriptions;
    const it = realtime.subscribe(stream, { signals: true, signal: ac.signal });
    const reading = (async () => {
      for await (const d of it) if (d.kind === 'signal') got.push(d.signal.payload.who);
    })();
    // Live once counted (the hub has subscribed to Redis and read the head), not as soon as it knows the stream.
    await poll(
      () => realtime.activeSubscriptions > before,
      10_000,
      () => 'hub not listening',
    );
    await realtime.signal(stream, { type: 'typing', payload: { who: 'stale' } }, -1);
    await realtime.signal(stream, { type: 'typing', payload: { who: 'ada' } }, 5000);
    await poll(
      () => got.length >= 1,
      5000,
      () => 'no signal',
    );
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await reading;
    expect(got).toEqual(['ada']);
  });
});

describe('two api instances sharing one database and one Redis', () => {
  it('an event written on one instance reaches a subscriber on the other', async () => {
    const db = await freshPgDatabase();
    const a = await startApp({ databaseUrl: db.url });
    const b = await startApp({ databaseUrl: db.url });
    try {
      const f = await seed(a.core, 'two');
      const c = wsClient(b.wsUrl, f.learnerToken);
      const s = subscribe<{ type: string; data: { i: number } }>(c.client, ACTIVITY, { courseId: f.course.id }, 'courseActivity');
      // Live once counted (b has subscribed to Redis and read the head), not as soon as b knows the stream:
      // an event committed before that is history to this subscription, not one to deliver.
      await poll(
        () => b.core.services.realtime.activeSubscriptions > 0,
        10_000,
        () => 'b not listening',
      );
      for (let i = 0; i < 20; i++) {
        const writer = i % 2 === 0 ? a : b;
        await writer.core.services.realtime.write((_tx, emit) =>
          emit(courseStream(f.course.id), { tenantId: f.tenant.id, type: 'test.cross', payload: { i } }),
        );
      }
      const got = await s.waitFor(20);
      expect(got.map((e) => e.data.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      await c.client.dispose();
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
