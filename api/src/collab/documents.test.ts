/**
 * Collab documents on a real PostgreSQL and Redis, and on PGlite: malformed updates are refused and change nothing
 * (bytes that are no update, bad base64, another root, a map, an embed); the limits (UPDATE_TOO_LARGE,
 * DOCUMENT_TOO_LARGE, RATE_LIMITED, with small settings); named versions restored as a forward update a follower
 * sees as RESTORE; reset to the starting code; awareness stamped by the server (name and colour not spoofable), refused
 * to API keys and over 8 KiB; and another tenant's document is not found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { gql, poll, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import { addMember, apiKeyOf, code, ok } from '../../test/chat.js';
import { APPLY, AWARENESS, b64, bytes, DOC, EVENTS, join, makeSession, type DocEvent } from '../../test/collab-docs.js';
import { colorOf } from './awareness.js';

const RESET = `mutation($id: ID!) { resetCollabDocument(documentId: $id) { stored cursor } }`;
const SAVE = `mutation($id: ID!, $name: String!) { saveCollabVersion(documentId: $id, name: $name) { id documentId name text cursor createdAt createdByName } }`;
const VERSIONS = `query($id: ID!) { collabVersions(documentId: $id) { id name text createdByName } }`;
const RESTORE = `mutation($id: ID!) { restoreCollabVersion(versionId: $id) { stored cursor } }`;

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('collab documents ($name)', ({ embedded }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({
      embedded,
      env: {
        COLLAB_MAX_UPDATE_BYTES: '1024',
        COLLAB_MAX_DOCUMENT_CHARS: '1000',
        COLLAB_UPDATES_PER_MINUTE: '10',
        RATE_LIMIT_WRITE: '100000/10',
      },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const load = async (id: string, token: string) => ok(await gql(app.url, DOC, { id }, token)).collabDocument;
  const apply = (id: string, update: string, token: string) => gql(app.url, APPLY, { documentId: id, update }, token);

  /** A client holding the document's state: edits made through `edit` give the update to send. */
  const clientOf = async (f: Fixture, id: string) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, bytes((await load(id, f.instructorToken)).state));
    return {
      doc,
      text: doc.getText('code'),
      edit(fn: (t: Y.Text) => void): string {
        const before = Y.encodeStateVector(doc);
        fn(doc.getText('code'));
        return b64(Y.encodeStateAsUpdate(doc, before));
      },
    };
  };

  it('refuses malformed updates with MALFORMED_UPDATE and leaves the document unchanged', async () => {
    const f = await seed(app.core, 'bad');
    const { doc } = await makeSession(app.core, f, { startingCode: 'print(1)\n' });
    const before = await load(doc.id, f.instructorToken);
    const other = (fn: (d: Y.Doc) => void) => {
      const d = new Y.Doc();
      Y.applyUpdate(d, bytes(before.state));
      const sv = Y.encodeStateVector(d);
      fn(d);
      return b64(Y.encodeStateAsUpdate(d, sv));
    };
    const cases: [string, string][] = [
      ['bytes that are no update', b64(new TextEncoder().encode('this is not a yjs update, only some text'))],
      ['bad base64', 'not base64 at all!'],
      ['another root text', other((d) => d.getText('notes').insert(0, 'x'))],
      ['a Y.Map', other((d) => d.getMap('meta').set('k', 'v'))],
      ['a map entry on the root name', other((d) => d.getMap('settings').set('code', 1))],
      ['an embed in the text', other((d) => d.getText('code').insertEmbed(0, { img: 'x' }))],
      ['a valid update of a document with another root name', b64(Y.encodeStateAsUpdate(docWith('source', 'hello')))],
    ];
    for (const [what, update] of cases) expect(code((await apply(doc.id, update, f.instructorToken)).body), what).toBe('MALFORMED_UPDATE');
    const after = await load(doc.id, f.instructorToken);
    expect(after.text).toBe('print(1)\n');
    expect(after.cursor).toBe(before.cursor);
    expect(after.state).toBe(before.state);
    // A good update still applies afterwards (the server's copy was not damaged).
    const c = await clientOf(f, doc.id);
    expect(
      ok(
        await apply(
          doc.id,
          c.edit((t) => t.insert(0, '# ok\n')),
          f.instructorToken,
        ),
      ).applyCollabUpdate.stored,
    ).toBe(true);
    expect((await load(doc.id, f.instructorToken)).text).toBe('# ok\nprint(1)\n');
  });

  it('limits: UPDATE_TOO_LARGE, DOCUMENT_TOO_LARGE (not for a deletion), RATE_LIMITED', async () => {
    const f = await seed(app.core, 'lim');
    const { doc } = await makeSession(app.core, f);
    const c = await clientOf(f, doc.id);
    const huge = c.edit((t) => t.insert(0, 'x'.repeat(2000)));
    expect(code((await apply(doc.id, huge, f.instructorToken)).body)).toBe('UPDATE_TOO_LARGE');
    const c2 = await clientOf(f, doc.id);
    ok(
      await apply(
        doc.id,
        c2.edit((t) => t.insert(0, 'a'.repeat(900))),
        f.instructorToken,
      ),
    );
    const r = await apply(
      doc.id,
      c2.edit((t) => t.insert(0, 'b'.repeat(200))),
      f.instructorToken,
    );
    expect(code(r.body)).toBe('DOCUMENT_TOO_LARGE');
    expect((await load(doc.id, f.instructorToken)).textLength).toBe(900);
    // A fresh client of what the server holds: shrinking is always allowed.
    const c3 = await clientOf(f, doc.id);
    ok(
      await apply(
        doc.id,
        c3.edit((t) => t.delete(0, 100)),
        f.instructorToken,
      ),
    );
    expect((await load(doc.id, f.instructorToken)).textLength).toBe(800);
    // 10 updates a minute per person per document (3 taken above: the oversize one was refused before counting): the
    // 11th is refused, and stores nothing.
    for (let i = 0; i < 7; i++)
      ok(
        await apply(
          doc.id,
          c3.edit((t) => t.insert(0, 'c')),
          f.instructorToken,
        ),
      );
    const limited = await apply(
      doc.id,
      c3.edit((t) => t.insert(0, 'd')),
      f.instructorToken,
    );
    expect(code(limited.body)).toBe('RATE_LIMITED');
    expect((await load(doc.id, f.instructorToken)).text).not.toContain('d');
  });

  it('saves a version, restores it as a forward update a follower sees as RESTORE; resets to the starting code', async () => {
    const f = await seed(app.core, 'ver');
    const { session, doc } = await makeSession(app.core, f, { startingCode: 'start\n' });
    const lee = await addMember(app.core, f, 'Lee');
    await join(app.core, f, session.id, lee.user.id);
    const c = await clientOf(f, doc.id);
    ok(
      await apply(
        doc.id,
        c.edit((t) => t.insert(6, 'one\n')),
        f.instructorToken,
      ),
    );
    const v = ok(await gql(app.url, SAVE, { id: doc.id, name: '  First draft ' }, f.instructorToken)).saveCollabVersion;
    expect(v).toMatchObject({ name: 'First draft', text: 'start\none\n', createdByName: f.instructor.name });
    expect(code((await gql(app.url, SAVE, { id: doc.id, name: ' ' }, f.instructorToken)).body)).toBe('BAD_USER_INPUT');
    ok(
      await apply(
        doc.id,
        c.edit((t) => t.insert(0, 'two\n')),
        f.instructorToken,
      ),
    );
    ok(await gql(app.url, SAVE, { id: doc.id, name: 'Second' }, f.instructorToken));
    expect(ok(await gql(app.url, VERSIONS, { id: doc.id }, lee.token)).collabVersions.map((x: { name: string }) => x.name)).toEqual([
      'Second',
      'First draft',
    ]);

    // Lee follows; a learner cannot restore or reset the shared document.
    const ws = wsClient(app.wsUrl, lee.token);
    const head = (await load(doc.id, lee.token)).cursor;
    const events = subscribe<DocEvent>(ws.client, EVENTS, { documentId: doc.id, after: head }, 'collabDocumentEvents');
    expect(code((await gql(app.url, RESTORE, { id: v.id }, lee.token)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, RESET, { id: doc.id }, lee.token)).body)).toBe('FORBIDDEN');

    const restored = ok(await gql(app.url, RESTORE, { id: v.id }, f.instructorToken)).restoreCollabVersion;
    expect(restored.stored).toBe(true);
    expect((await load(doc.id, f.instructorToken)).text).toBe('start\none\n');
    await events.waitFor(1);
    const ev = events.items[0]!;
    expect(ev.__typename === 'CollabUpdateEvent' && ev.kind).toBe('RESTORE');
    if (ev.__typename !== 'CollabUpdateEvent') throw new Error('not an update');
    expect(ev.cursor).toBe(restored.cursor);
    // The follower's copy, with the update applied, has the version's text.
    Y.applyUpdate(c.doc, bytes(ev.update));
    expect(c.text.toString()).toBe('start\none\n');
    // Restoring what is already there stores nothing.
    expect(ok(await gql(app.url, RESTORE, { id: v.id }, f.instructorToken)).restoreCollabVersion).toEqual({ stored: false, cursor: null });

    const reset = ok(await gql(app.url, RESET, { id: doc.id }, f.instructorToken)).resetCollabDocument;
    expect(reset.stored).toBe(true);
    expect((await load(doc.id, f.instructorToken)).text).toBe('start\n');
    await events.waitFor(2);
    const second = events.items[1]!;
    expect(second.__typename === 'CollabUpdateEvent' && second.kind).toBe('RESET');
    events.stop();
    await ws.client.dispose();

    // A copy's own student resets their copy; someone else's copy is not even found.
    const copy = await app.core.services.database.db.transaction((tx) =>
      app.core.services.collabDocuments.createCopy(tx, session, lee.user.id),
    );
    const other = await addMember(app.core, f, 'Other');
    expect(code((await gql(app.url, RESET, { id: copy.id }, other.token)).body)).toBe('NOT_FOUND');
    expect(ok(await gql(app.url, RESET, { id: copy.id }, lee.token)).resetCollabDocument).toEqual({ stored: false, cursor: null });
  });

  it('awareness: the server sets who it is from (a spoofed name and colour are overridden); API keys and oversize refused', async () => {
    const f = await seed(app.core, 'aw');
    const { session, doc } = await makeSession(app.core, f);
    const lee = await addMember(app.core, f, 'Lee Real');
    await join(app.core, f, session.id, lee.user.id);
    const ws = wsClient(app.wsUrl, f.instructorToken);
    const events = subscribe<DocEvent>(ws.client, EVENTS, { documentId: doc.id, after: null }, 'collabDocumentEvents');
    const ydoc = new Y.Doc();
    const aw = new Awareness(ydoc);
    aw.setLocalState({ user: { name: 'The Instructor', color: '#000000', userId: f.instructor.id }, cursor: { anchor: 1 } });
    const update = b64(encodeAwarenessUpdate(aw, [ydoc.clientID]));
    // The subscription may not be listening yet: send until the first one arrives.
    await poll(
      async () => {
        ok(await gql(app.url, AWARENESS, { documentId: doc.id, update }, lee.token));
        return events.items.length > 0;
      },
      10_000,
      () => `no awareness event: ${JSON.stringify(events.errors)}`,
    );
    const ev = events.items[0]!;
    if (ev.__typename !== 'CollabAwarenessEvent') throw new Error(`not awareness: ${ev.__typename}`);
    expect(ev).toMatchObject({ userId: lee.user.id, name: 'Lee Real', color: colorOf(lee.user.id), clientId: ydoc.clientID });
    const seen = new Awareness(new Y.Doc());
    applyAwarenessUpdate(seen, bytes(ev.update), 'remote');
    const state = seen.getStates().get(ydoc.clientID) as { user: { name: string; color: string; userId: string }; cursor: unknown };
    expect(state.user).toMatchObject({ name: 'Lee Real', color: colorOf(lee.user.id), userId: lee.user.id });
    expect(state.cursor).toEqual({ anchor: 1 });

    const key = await apiKeyOf(app.core, f, ['read']);
    expect(code((await gql(app.url, AWARENESS, { documentId: doc.id, update }, key)).body)).toBe('FORBIDDEN');
    aw.setLocalState({ big: 'x'.repeat(9000) });
    const big = b64(encodeAwarenessUpdate(aw, [ydoc.clientID]));
    expect(code((await gql(app.url, AWARENESS, { documentId: doc.id, update: big }, lee.token)).body)).toBe('UPDATE_TOO_LARGE');
    expect(code((await gql(app.url, AWARENESS, { documentId: doc.id, update: b64(new Uint8Array([2, 1, 1])) }, lee.token)).body)).toBe(
      'MALFORMED_UPDATE',
    );
    events.stop();
    await ws.client.dispose();
  });

  it("another tenant's document is not found; API keys read but do not edit", async () => {
    const f = await seed(app.core, 'ten');
    const g = await seed(app.core, 'other');
    const { doc } = await makeSession(app.core, f, { startingCode: 'secret\n' });
    const c = await clientOf(f, doc.id);
    const update = c.edit((t) => t.insert(0, 'x'));
    expect(code((await gql(app.url, DOC, { id: doc.id }, g.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await apply(doc.id, update, g.instructorToken)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, RESET, { id: doc.id }, g.instructorToken)).body)).toBe('NOT_FOUND');
    const key = await apiKeyOf(app.core, f, ['read']);
    expect((await load(doc.id, key)).text).toBe('secret\n');
    expect(code((await apply(doc.id, update, key)).body)).toBe('FORBIDDEN');
    expect((await load(doc.id, f.instructorToken)).text).toBe('secret\n');
  });
});

function docWith(root: string, text: string): Y.Doc {
  const d = new Y.Doc();
  d.getText(root).insert(0, text);
  return d;
}
