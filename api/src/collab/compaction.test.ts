/**
 * Compaction of a document's update log, on a real PostgreSQL and Redis (and the main path on PGlite): while clients
 * keep typing, compact() runs again and again, and nothing is lost or changed (every typed character is in the history
 * or the log exactly once, loading = snapshot + tail gives the clients' text, replay = history then tail gives it
 * too); a client resuming from a cursor the compaction removed gets CURSOR_EXPIRED and recovers by reloading; and the
 * real BullMQ worker compacts once the threshold is passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { dropRedisKeys, gql, poll, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, ok } from '../../test/chat.js';
import { APPLY, b64, bytes, DOC, insertedChars, join, makeSession, YClient } from '../../test/collab-docs.js';
import { collabDocStream } from './events.js';
import { collabDocuments, collabHistory } from './tables.js';
import { decodeHistory } from './history.js';

const REPLAY = `query($id: ID!, $after: String, $first: Int) { collabReplay(documentId: $id, after: $after, first: $first) {
  documentId base hasMore steps { cursor at userId userName kind update } } }`;

/** Replays a document page by page: base, then every step; returns the text and the steps' cursors. */
async function replayAll(app: TestApp, documentId: string, token: string, first = 7): Promise<{ text: string; cursors: number[] }> {
  const doc = new Y.Doc();
  const cursors: number[] = [];
  let after: string | null = null;
  for (;;) {
    const r: { base: string; hasMore: boolean; steps: { cursor: string; update: string }[] } = ok(
      await gql(app.url, REPLAY, { id: documentId, after, first }, token),
    ).collabReplay;
    if (after === null) Y.applyUpdate(doc, bytes(r.base));
    for (const s of r.steps) {
      Y.applyUpdate(doc, bytes(s.update));
      cursors.push(Number(s.cursor));
    }
    if (!r.hasMore) break;
    after = r.steps[r.steps.length - 1]!.cursor;
  }
  const text = doc.getText('code').toString();
  doc.destroy();
  return { text, cursors };
}

/** Every stored update of a document: the history segments, then the log's tail. */
async function everyUpdate(app: TestApp, documentId: string): Promise<{ seqs: number[]; updates: Uint8Array[] }> {
  const { db } = app.core.services.database;
  const segs = await db.select().from(collabHistory).where(eq(collabHistory.documentId, documentId)).orderBy(collabHistory.fromSeq);
  const steps = segs.flatMap((s) => decodeHistory(s.data));
  const tail = await app.core.services.realtime.read(collabDocStream(documentId), 0, 100_000);
  return {
    seqs: [...steps.map((s) => s.seq), ...tail.map((e) => e.seq)],
    updates: [...steps.map((s) => s.update), ...tail.map((e) => bytes(e.payload.update))],
  };
}

const textOf = async (app: TestApp, f: Fixture, id: string) =>
  ok(await gql(app.url, DOC, { id }, f.instructorToken)).collabDocument.text as string;

const docRow = async (app: TestApp, id: string) =>
  (await app.core.services.database.db.select().from(collabDocuments).where(eq(collabDocuments.id, id)))[0]!;

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('collab compaction ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_SUBSCRIBE: '100000/10' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const setUp = async (f: Fixture, n: number) => {
    const { session, doc } = await makeSession(app.core, f, { startingCode: 'print("hi")\n' });
    const people = [];
    for (let i = 0; i < n - 1; i++) people.push(await addMember(app.core, f, `P${i}`));
    await join(app.core, f, session.id, ...people.map((p) => p.user.id));
    const clients = [f.instructorToken, ...people.map((p) => p.token)].map((t, i) => new YClient(app.wsUrl, t, doc.id, `c${i}`));
    await Promise.all(clients.map((c) => c.connect()));
    return { doc, clients };
  };
  const serverText = (f: Fixture, id: string) => textOf(app, f, id);

  it('compacting again and again while clients type loses nothing and changes nothing', async () => {
    const f = await seed(app.core, 'cmp');
    const { doc, clients } = await setUp(f, 3);
    const docs = app.core.services.collabDocuments;
    let typing = true;
    let compactions = 0;
    const compactor = (async () => {
      while (typing) {
        const before = await docs.currentState(doc.id);
        const r = await docs.compact(doc.id);
        if (r.compacted) compactions++;
        // What a compaction merged reads back the same: nothing changed by it.
        const after = await docs.currentState(doc.id);
        if (after.seq === before.seq) expect(after.text).toBe(before.text);
        // On PGlite every query resolves without leaving the microtask queue: let the clients' I/O run.
        await new Promise((r) => setImmediate(r));
      }
    })();
    const TYPED = 40;
    for (let i = 0; i < TYPED; i++) {
      for (const [k, c] of clients.entries()) c.type('xyz'[k]!);
      await new Promise((r) => setImmediate(r));
    }
    await poll(
      () => clients.every((c) => c.idle),
      20_000,
      () => 'clients did not finish sending',
    );
    typing = false;
    await compactor;
    expect(compactions).toBeGreaterThan(0);
    await poll(
      async () => {
        const s = await serverText(f, doc.id);
        return clients.every((c) => c.text.toString() === s);
      },
      20_000,
      () => `not converged: ${clients.map((c) => `${c.text.length} r${c.reloads} ${c.errors.join(';')} ev${c.events.length}`).join(',')}`,
    );
    expect(clients.map((c) => c.errors)).toEqual([[], [], []]);
    const final = await serverText(f, doc.id);
    expect(final.length).toBe('print("hi")\n'.length + 3 * TYPED);

    // Every update once, in order, none lost: history then tail are the seqs 1..head, every typed character once.
    const all = await everyUpdate(app, doc.id);
    expect(all.seqs).toEqual(all.seqs.map((_, i) => i + 1));
    expect(insertedChars(all.updates)).toBe(3 * TYPED);
    // Loading is snapshot + tail.
    const row = await docRow(app, doc.id);
    expect(row.snapshotSeq).toBeGreaterThan(0);
    const tail = await app.core.services.realtime.read(collabDocStream(doc.id), row.snapshotSeq, 100_000);
    const loaded = new Y.Doc();
    Y.applyUpdate(loaded, row.snapshot);
    for (const ev of tail) Y.applyUpdate(loaded, bytes(ev.payload.update));
    expect(loaded.getText('code').toString()).toBe(final);
    expect(row.logCount).toBe(tail.length);
    // Replay across the compactions (history, then tail) reproduces the final text, one step per stored update.
    const replay = await replayAll(app, doc.id, f.instructorToken);
    expect(replay.text).toBe(final);
    expect(replay.cursors).toEqual(all.seqs);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('a client resuming from a compacted cursor gets CURSOR_EXPIRED and recovers by reloading', async () => {
    const f = await seed(app.core, 'exp');
    const { doc, clients } = await setUp(f, 2);
    const [a, b] = clients as [YClient, YClient];
    a.type('a');
    await poll(
      () => a.idle && b.text.toString() === a.text.toString(),
      10_000,
      () => 'first edit not seen',
    );
    b.offline();
    for (let i = 0; i < 5; i++) a.type('a');
    b.type('b'); // typed offline
    await poll(
      () => a.idle,
      10_000,
      () => 'a did not send',
    );
    expect((await app.core.services.collabDocuments.compact(doc.id)).compacted).toBe(true);
    b.follow();
    await poll(
      async () => {
        const s = await serverText(f, doc.id);
        return a.idle && b.idle && a.text.toString() === s && b.text.toString() === s;
      },
      20_000,
      () => `not converged: ${a.text.toString()} / ${b.text.toString()} (${b.errors.join(';')})`,
    );
    expect(b.reloads).toBe(1);
    expect(b.errors).toEqual([]);
    const final = await serverText(f, doc.id);
    expect([...final].filter((c) => c === 'a').length).toBe(6);
    expect([...final].filter((c) => c === 'b').length).toBe(1);
    expect(insertedChars((await everyUpdate(app, doc.id)).updates)).toBe(7);
    await Promise.all(clients.map((c) => c.close()));
  });
});

describe('collab compaction through the BullMQ worker', () => {
  let app: TestApp;
  let worker: WorkerHandle | null = null;
  beforeAll(async () => {
    app = await startApp({ env: { COLLAB_COMPACT_UPDATES: '10', QUEUE_PREFIX: `lt-test-collab-${process.pid}-${Date.now()}` } });
    worker = await startWorker(app.core);
  });
  afterAll(async () => {
    await worker?.close();
    if (app) await dropRedisKeys(app.core.redis.pub, app.core.config.queuePrefix).catch(() => {});
    await app?.close();
  });

  it('an update over the threshold queues the compaction; the worker merges the log, and loading and replay agree', async () => {
    const f = await seed(app.core, 'worker');
    const { doc } = await makeSession(app.core, f, { startingCode: '' });
    const local = new Y.Doc();
    const sent: Uint8Array[] = [];
    local.on('update', (u: Uint8Array) => sent.push(u));
    for (let i = 0; i < 14; i++) {
      local.getText('code').insert(i, String(i % 10));
      ok(await gql(app.url, APPLY, { documentId: doc.id, update: b64(sent[i]!) }, f.instructorToken));
    }
    await poll(
      async () => (await docRow(app, doc.id)).snapshotSeq > 0,
      20_000,
      () => 'the worker did not compact',
    );
    const row = await docRow(app, doc.id);
    // Compacted once the 11th update passed 10; what came after stays in the log.
    expect(row.snapshotSeq).toBeGreaterThanOrEqual(11);
    expect(row.logCount).toBe(14 - row.snapshotSeq);
    const want = local.getText('code').toString();
    expect(await textOf(app, f, doc.id)).toBe(want);
    expect((await replayAll(app, doc.id, f.instructorToken, 1000)).text).toBe(want);
    // The sweep finds nothing over the threshold now.
    expect(await app.core.services.collabDocuments.sweepCompaction()).toBe(0);
  });
});
