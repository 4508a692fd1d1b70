/**
 * Joining under concurrency, on a real PostgreSQL and on PGlite: 20 people joining a session of max 5 at once get
 * exactly 5 places (the rest SESSION_FULL), the owner and staff are never counted, a second join is idempotent, and
 * a student's two tabs opening an exercise at once end with one copy (and one copy.created).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { gql, seed, startApp, type TestApp } from '../../test/harness.js';
import { addMember, code, instructorOf, learnerOf, ok } from '../../test/chat.js';
import { JOIN, ONE, createSession, joinSession, type DocumentOut } from '../../test/collab-sessions.js';
import { collabDocuments, collabMembers } from './tables.js';
import { collabSessionStream } from './events.js';

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('joining collab sessions ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ embedded, env: { RATE_LIMIT_WRITE: '100000/10' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('20 concurrent joins of a session of max 5: exactly 5 admitted, 15 SESSION_FULL; owner and staff not counted', async () => {
    const f = await seed(app.core, 'max');
    const inst = instructorOf(f);
    const ta = await addMember(app.core, f, 'Tao TA', ['teaching_assistant']);
    const s = await createSession(app, inst.token, f.course.id, { visibility: 'CODE', accessCode: 'JOIN-NOW', maxCollaborators: 5 });
    const people = await Promise.all(Array.from({ length: 20 }, (_, i) => addMember(app.core, f, `Student ${i}`)));

    const results = await Promise.all(people.map((p) => gql(app.url, JOIN, { id: s.id, accessCode: 'join-now' }, p.token)));
    const codes = results.map((r) => code(r.body) ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(5);
    expect(codes.filter((c) => c === 'SESSION_FULL')).toHaveLength(15);
    const full = results.find((r) => code(r.body) === 'SESSION_FULL')!;
    expect(full.body.errors![0]!.extensions).toMatchObject({ maxCollaborators: 5 });
    const db = app.core.services.database.db;
    const members = async () =>
      Number((await db.select({ n: count() }).from(collabMembers).where(eq(collabMembers.sessionId, s.id)))[0]!.n);
    expect(await members()).toBe(5);

    // Those admitted join again (idempotent, no code needed); the owner and staff join a full session, uncounted.
    const admitted = people.filter((_, i) => codes[i] === 'OK');
    const again = await Promise.all(admitted.map((p) => joinSession(app, p.token, s.id)));
    expect(again.every((d) => d.id === s.sharedDocumentId)).toBe(true);
    expect((await joinSession(app, inst.token, s.id)).viewerCanManage).toBe(true);
    expect((await joinSession(app, ta.token, s.id)).viewerCanManage).toBe(true);
    expect(code((await gql(app.url, JOIN, { id: s.id, accessCode: 'JOIN-NOW' }, learnerOf(f).token)).body)).toBe('SESSION_FULL');
    expect(await members()).toBe(5);
    expect(ok(await gql(app.url, ONE, { id: s.id }, inst.token)).collabSession).toMatchObject({
      collaboratorCount: 5,
      maxCollaborators: 5,
    });
  });

  it("a student's two tabs opening an exercise at once: one copy, announced once", async () => {
    const f = await seed(app.core, 'tabs');
    const inst = instructorOf(f);
    const lee = learnerOf(f);
    const s = await createSession(app, inst.token, f.course.id, { mode: 'PER_STUDENT' });
    const head = await app.core.services.realtime.head(collabSessionStream(s.id));

    const tabs = await Promise.all(Array.from({ length: 4 }, () => gql(app.url, JOIN, { id: s.id }, lee.token)));
    const ids = tabs.map((r) => (ok(r).joinCollabSession as DocumentOut).id);
    expect(new Set(ids).size).toBe(1);
    const db = app.core.services.database.db;
    const copies = await db
      .select({ id: collabDocuments.id })
      .from(collabDocuments)
      .where(and(eq(collabDocuments.sessionId, s.id), eq(collabDocuments.ownerId, f.learner.id)));
    expect(copies).toEqual([{ id: ids[0] }]);
    const events = await app.core.services.realtime.read(collabSessionStream(s.id), head, 100);
    expect(events.map((e) => e.type)).toEqual(['copy.created']);
  });
});
