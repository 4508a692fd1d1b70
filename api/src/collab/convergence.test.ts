/**
 * Convergence, on a real PostgreSQL and Redis and on PGlite: four real Y.Doc clients talk GraphQL over WebSockets
 * (applyCollabUpdate + collabDocumentEvents) and type into one text at once; one goes offline mid-way (keeps typing
 * locally), comes back and resumes from its cursor. All end with the server's text, and nothing was applied twice:
 * the stored log holds every typed character exactly once. Also: a resend stores nothing; an update that depends on
 * what the server lacks gets OUT_OF_SYNC and the whole state recovers it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { gql, poll, seed, startApp, type TestApp } from '../../test/harness.js';
import { addMember, code, ok } from '../../test/chat.js';
import { APPLY, b64, bytes, DOC, insertedChars, join, makeSession, YClient } from '../../test/collab-docs.js';
import { collabDocStream } from './events.js';

/** A seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('collab convergence ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_SUBSCRIBE: '100000/10' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const storedUpdates = async (documentId: string) =>
    (await app.core.services.realtime.read(collabDocStream(documentId), 0, 100_000)).map((ev) => bytes(ev.payload.update));

  it('four clients typing at once, one offline and back, end identical to the server, nothing applied twice', async () => {
    const f = await seed(app.core, 'conv');
    const start = 'def main():\n    pass\n';
    const { session, doc } = await makeSession(app.core, f, { startingCode: start });
    const people = [await addMember(app.core, f, 'Ana'), await addMember(app.core, f, 'Ben'), await addMember(app.core, f, 'Cy')];
    await join(app.core, f, session.id, ...people.map((p) => p.user.id));
    const tokens = [f.instructorToken, ...people.map((p) => p.token)];
    const clients = tokens.map((t, i) => new YClient(app.wsUrl, t, doc.id, `c${i}`));
    await Promise.all(clients.map((c) => c.connect()));
    expect(clients.every((c) => c.text.toString() === start)).toBe(true);

    const letters = ['a', 'b', 'c', 'd'];
    const PER_ROUND = 10;
    const typeRound = async (who: YClient[], rnd: () => number) => {
      for (let i = 0; i < PER_ROUND; i++) {
        for (const c of who) c.type(letters[clients.indexOf(c)]!, rnd);
        // Let the sends and the incoming updates interleave with the typing.
        await new Promise((r) => setImmediate(r));
      }
    };
    const rnd = rng(18);
    await typeRound(clients, rnd);
    // Client 3 goes offline and keeps typing; the others type too.
    const off = clients[3]!;
    off.offline();
    await Promise.all([typeRound(clients, rnd)]);
    await poll(
      () => clients.slice(0, 3).every((c) => c.idle),
      20_000,
      () => 'online clients did not finish sending',
    );
    // Back: resumes from its cursor (what it missed is replayed) and sends what it typed offline.
    off.follow();
    await typeRound(clients, rnd);

    const typed = 3 * PER_ROUND; // per client
    const serverText = async () => ok(await gql(app.url, DOC, { id: doc.id }, f.instructorToken)).collabDocument.text as string;
    await poll(
      async () => {
        if (!clients.every((c) => c.idle)) return false;
        const s = await serverText();
        return clients.every((c) => c.text.toString() === s);
      },
      30_000,
      () => `not converged: ${clients.map((c) => `${c.text.length}${c.idle ? '' : '*'} ${c.errors.join(';')}`).join(' | ')}`,
    );
    const final = await serverText();
    expect(clients.map((c) => c.errors)).toEqual([[], [], [], []]);
    // Exactly what was typed: the starting code and each letter `typed` times (counted outside the starting code).
    const counts = (s: string) => letters.map((l) => [...s].filter((ch) => ch === l).length - [...start].filter((ch) => ch === l).length);
    expect(final.length).toBe(start.length + 4 * typed);
    expect(counts(final)).toEqual([typed, typed, typed, typed]);
    // The stored log holds every typed character once: no update was stored twice.
    expect(insertedChars(await storedUpdates(doc.id))).toBe(4 * typed);
    // Every update reached every other client once (the offline one through its replay).
    for (const c of clients) {
      const cursors = c.events.flatMap((e) => (e.__typename === 'CollabUpdateEvent' ? [e.cursor] : []));
      expect(new Set(cursors).size, c.tag).toBe(cursors.length);
    }
    await Promise.all(clients.map((c) => c.close()));
  });

  it('a resend stores nothing; an update missing what it depends on gets OUT_OF_SYNC, then the whole state recovers it', async () => {
    const f = await seed(app.core, 'sync');
    const { doc } = await makeSession(app.core, f, { startingCode: 'x = 1\n' });
    const apply = (update: Uint8Array) => gql(app.url, APPLY, { documentId: doc.id, update: b64(update) }, f.instructorToken);
    const load = async () => ok(await gql(app.url, DOC, { id: doc.id }, f.instructorToken)).collabDocument;

    const local = new Y.Doc();
    Y.applyUpdate(local, bytes((await load()).state));
    const updates: Uint8Array[] = [];
    local.on('update', (u: Uint8Array) => updates.push(u));
    local.getText('code').insert(0, '# hi\n');
    const first = ok(await apply(updates[0]!)).applyCollabUpdate;
    expect(first.stored).toBe(true);
    const cursor = first.cursor as string;
    // The same update again: nothing new, nothing stored, no event.
    expect(ok(await apply(updates[0]!)).applyCollabUpdate).toEqual({ stored: false, cursor: null });
    expect((await storedUpdates(doc.id)).length).toBe(1);

    // Two more edits; the server gets only the second, which builds on the first.
    local.getText('code').insert(5, 'y = 2\n');
    local.getText('code').insert(11, 'z = 3\n');
    const r = await apply(updates[2]!);
    expect(code(r.body)).toBe('OUT_OF_SYNC');
    const unchanged = await load();
    expect(unchanged.text).toBe('# hi\nx = 1\n');
    expect(unchanged.cursor).toBe(cursor);
    // The whole state: the diff against the server's copy stores just the two missing edits.
    const full = ok(await apply(Y.encodeStateAsUpdate(local))).applyCollabUpdate;
    expect(full.stored).toBe(true);
    expect((await load()).text).toBe(local.getText('code').toString());
    expect(insertedChars(await storedUpdates(doc.id))).toBe('# hi\n'.length + 'y = 2\n'.length + 'z = 3\n'.length);
  });
});
