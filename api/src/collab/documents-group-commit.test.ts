/**
 * Group commit of a document's updates (updates.ts), on a real PostgreSQL and Redis and on PGlite: many updates sent at
 * once by several people to one document (through the service, in one tick) are committed together (events of one transaction share its time), yet each
 * is answered with its own cursor, stored as its own event in cursor order, none lost; one that is refused among them
 * (OUT_OF_SYNC, DOCUMENT_TOO_LARGE) is refused alone and leaves nothing behind. On PostgreSQL, two API instances
 * writing one document at once: every update stored once, both instances' copies in step (each catches up with what
 * the other wrote).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { gql, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, code, instructorOf, ok } from '../../test/chat.js';
import type { AppError } from '../errors.js';
import type { Viewer } from '../auth/viewer.js';
import { APPLY, b64, bytes, DOC, join, makeSession } from '../../test/collab-docs.js';
import { collabDocStream } from './events.js';

const START = 'def main():\n    pass\n';

/** An update inserting `text` at the start, made on a fresh replica of `state` (independent of every other one). */
function insertion(state: Uint8Array, text: string): string {
  const d = new Y.Doc();
  Y.applyUpdate(d, state);
  const sv = Y.encodeStateVector(d);
  d.getText('code').insert(0, text);
  return b64(Y.encodeStateAsUpdate(d, sv));
}

/** An update that depends on an edit the server never got (its replica typed twice and sends the second edit only). */
function orphan(state: Uint8Array): string {
  const d = new Y.Doc();
  Y.applyUpdate(d, state);
  d.getText('code').insert(0, 'never sent ');
  const sv = Y.encodeStateVector(d);
  d.getText('code').insert(0, 'ORPHAN ');
  return b64(Y.encodeStateAsUpdate(d, sv));
}

interface Sent {
  marker: string;
  viewer: Viewer;
  token: string;
  userId: string;
  update: string;
  /** The refusal expected, or null. */
  refused: string | null;
}

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('collab group commit ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { COLLAB_MAX_DOCUMENT_CHARS: '2000', RATE_LIMIT_WRITE: '100000/10' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const stateOf = async (id: string, token: string) =>
    ok(await gql(app.url, DOC, { id }, token)).collabDocument as { state: string; text: string };

  it('updates sent at once by several people: committed together, each its own cursor and event, in order; a refused one alone', async () => {
    const f: Fixture = await seed(app.core, 'group');
    const { session, doc } = await makeSession(app.core, f, { startingCode: START });
    const people = [await addMember(app.core, f, 'Ana'), await addMember(app.core, f, 'Ben'), await addMember(app.core, f, 'Cy')];
    await join(app.core, f, session.id, ...people.map((p) => p.user.id));
    const authors = [instructorOf(f), ...people].map((p) => ({ viewer: p.viewer, userId: p.user.id, token: p.token }));
    const base = bytes((await stateOf(doc.id, f.instructorToken)).state);

    // One update each first, over GraphQL: then the burst meets warm caches and reaches the commit in one go.
    const sent: Sent[] = [];
    for (const [a, who] of authors.entries()) {
      const marker = `<${a}.w>`;
      const update = insertion(base, marker);
      const r = ok(await gql(app.url, APPLY, { documentId: doc.id, update, clientTag: marker }, who.token)).applyCollabUpdate;
      expect(r).toEqual({ stored: true, cursor: String(a + 1) });
      sent.push({ marker, ...who, update, refused: null });
    }
    const warm = sent.length;
    for (let i = 0; i < 12; i++) {
      for (const [a, who] of authors.entries()) {
        const marker = `<${a}.${i}>`;
        sent.push({ marker, ...who, update: insertion(base, marker), refused: null });
      }
      // Refused ones among the others, after some were applied to the server's copy in the same transaction.
      if (i === 4) sent.push({ marker: 'ORPHAN', ...authors[1]!, update: orphan(base), refused: 'OUT_OF_SYNC' });
      if (i === 7)
        sent.push({ marker: 'HUGE', ...authors[2]!, update: insertion(base, 'HUGE' + 'x'.repeat(2100)), refused: 'DOCUMENT_TOO_LARGE' });
    }
    // All at once, in one tick, through the service (an HTTP burst would reach it spread over time).
    const burst = sent.slice(warm);
    const docs = app.core.services.collabDocuments;
    const answers = await Promise.allSettled(burst.map((s) => docs.applyUpdate(s.viewer, doc.id, s.update, s.marker)));

    const cursors = new Map<string, Sent>(sent.slice(0, warm).map((s, i) => [String(i + 1), s]));
    answers.forEach((a, i) => {
      const s = burst[i]!;
      if (s.refused) return expect(a.status === 'rejected' && (a.reason as AppError).code, s.marker).toBe(s.refused);
      if (a.status === 'rejected') throw a.reason;
      expect(a.value.stored, s.marker).toBe(true);
      expect(cursors.has(a.value.cursor!), `cursor ${a.value.cursor} answered twice`).toBe(false);
      cursors.set(a.value.cursor!, s);
    });
    const accepted = sent.filter((s) => !s.refused);
    expect(cursors.size).toBe(accepted.length);

    // Each stored event is the update its cursor was answered for, by its author; seqs 1..n without a hole.
    const events = await app.core.services.realtime.read(collabDocStream(doc.id), 0, 1000);
    expect(events.map((e) => e.seq)).toEqual(accepted.map((_, i) => i + 1));
    const replica = new Y.Doc();
    Y.applyUpdate(replica, base);
    for (const ev of events) {
      const s = cursors.get(String(ev.seq));
      expect(s, `event ${ev.seq} answered to no one`).toBeDefined();
      expect(ev.payload).toMatchObject({ userId: s!.userId, kind: 'edit', clientTag: s!.marker });
      const before = replica.getText('code').toString();
      Y.applyUpdate(replica, bytes(ev.payload.update));
      expect(replica.getText('code').toString().length - before.length, ev.payload.clientTag ?? '').toBe(s!.marker.length);
    }
    // Committed together: the burst took fewer transactions (events sharing their transaction's time) than updates.
    const burstEvents = events.slice(warm);
    expect(new Set(burstEvents.map((e) => e.at)).size).toBeLessThan(burstEvents.length / 2);

    // The server's text: every accepted marker once, nothing of the refused ones; the next edit goes on from it.
    const { text } = await stateOf(doc.id, f.instructorToken);
    expect(text).toBe(replica.getText('code').toString());
    for (const s of accepted) expect(text.split(s.marker).length - 1, s.marker).toBe(1);
    expect(text).not.toContain('ORPHAN');
    expect(text).not.toContain('HUGE');
    const next = insertion(Y.encodeStateAsUpdate(replica), '# after\n');
    const last = ok(await gql(app.url, APPLY, { documentId: doc.id, update: next }, f.instructorToken)).applyCollabUpdate;
    expect(last).toEqual({ stored: true, cursor: String(accepted.length + 1) });
    expect((await stateOf(doc.id, f.instructorToken)).text.startsWith('# after\n')).toBe(true);
  });
});

// Two instances share one database: PostgreSQL only (PGlite is one process's own database).
describe('collab group commit, two API instances (PostgreSQL)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { RATE_LIMIT_WRITE: '100000/10' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const stateOf = async (id: string, token: string) =>
    ok(await gql(app.url, DOC, { id }, token)).collabDocument as { state: string; text: string };

  it('two API instances writing one document at once: each update stored once, both copies in step', async () => {
    const other = await startApp({ databaseUrl: app.core.config.databaseUrl!, env: { RATE_LIMIT_WRITE: '100000/10' } });
    try {
      const f = await seed(app.core, 'two');
      const { session, doc } = await makeSession(app.core, f, { startingCode: START });
      const ana = await addMember(app.core, f, 'Ana');
      await join(app.core, f, session.id, ana.user.id);
      const base = bytes((await stateOf(doc.id, f.instructorToken)).state);
      const urls = [app.url, other.url];
      const markers: string[] = [];
      // Rounds of updates to both instances at once: each instance's copy has to catch up with the other's writes.
      for (let round = 0; round < 5; round++) {
        const batch = Array.from({ length: 8 }, (_, i) => `[${round}.${i}]`);
        markers.push(...batch);
        const answers = await Promise.all(
          batch.map((m, i) =>
            gql(urls[i % 2]!, APPLY, { documentId: doc.id, update: insertion(base, m) }, i % 3 ? ana.token : f.instructorToken),
          ),
        );
        for (const a of answers) expect(ok(a).applyCollabUpdate.stored).toBe(true);
      }
      const events = await app.core.services.realtime.read(collabDocStream(doc.id), 0, 1000);
      expect(events.map((e) => e.seq)).toEqual(markers.map((_, i) => i + 1));
      // An update that only one instance's copy could take if it were behind: it depends on every marker.
      const all = new Y.Doc();
      Y.applyUpdate(all, base);
      for (const ev of events) Y.applyUpdate(all, bytes(ev.payload.update));
      for (const url of urls) {
        const follow = insertion(Y.encodeStateAsUpdate(all), `(${url.slice(-5)})`);
        const r = await gql(url, APPLY, { documentId: doc.id, update: follow }, f.instructorToken);
        expect(code(r.body)).toBeUndefined();
        Y.applyUpdate(all, bytes(follow));
      }
      const text = (await stateOf(doc.id, f.instructorToken)).text;
      expect(text).toBe(all.getText('code').toString());
      for (const m of markers) expect(text.split(m).length - 1, m).toBe(1);
    } finally {
      await other.close();
    }
  });
});
