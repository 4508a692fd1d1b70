/**
 * CollabProvider against the real API (PostgreSQL and PGlite, Redis): the web app's Apollo client over HTTP and
 * graphql-ws, real Yjs documents. Two students' providers edit one shared document in bursts at the same time and end
 * identical to the server's copy, each seeing the other in the awareness under the name the server gives; an edit
 * made just after the instructor locked the document is refused, kept, and stored once it is unlocked; a change too
 * large for the document is refused and taken back, and editing goes on after it.
 */
import type { ApolloClient } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { gql, poll, seed, startApp, type Fixture, type TestApp } from '../../../api/test/harness.js';
import { upsertUser } from '../../../api/src/users/service.js';
import { createApolloClient } from '../apollo/client';
import { CollabProvider } from './provider';

const MAX_CHARS = 1000;

describe.each([
  { name: 'PostgreSQL', embedded: false },
  { name: 'PGlite', embedded: true },
])('CollabProvider ($name)', ({ embedded }) => {
  let app: TestApp;
  let f: Fixture;
  let beaToken: string;
  const sockets: Client[] = [];
  const providers: CollabProvider[] = [];

  beforeAll(async () => {
    app = await startApp({ embedded, env: { COLLAB_MAX_DOCUMENT_CHARS: String(MAX_CHARS) } });
    f = await seed(app.core, 'P');
    const bea = await upsertUser(app.core.services.database.db, {
      tenantId: f.tenant.id,
      subject: `bea-${randomBytes(4).toString('hex')}`,
      name: 'Bea Provider',
    });
    await app.core.services.courses.setMembership(f.tenant.id, f.course.id, bea.id, ['learner']);
    beaToken = await app.core.services.sessions.issue({ tenantId: f.tenant.id, userId: bea.id, courseId: f.course.id, roles: ['learner'] });
  }, 60_000);
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await Promise.all(sockets.map((s) => s.dispose()));
    await app?.close();
  });

  /** The app's own Apollo client (HTTP + graphql-ws), for one person. */
  function clientFor(token: string): ApolloClient {
    const socket = createClient({
      url: app.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    sockets.push(socket);
    return createApolloClient({
      getToken: () => token,
      wsLink: new GraphQLWsLink(socket),
      onUnauthenticated: () => undefined,
      uri: `${app.url}/graphql`,
    });
  }

  async function ok<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const r = await gql(app.url, query, variables, token);
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    return r.body.data as T;
  }

  /** A shared session both students joined; its document id. */
  async function sharedDocument(startingCode: string): Promise<{ sessionId: string; documentId: string }> {
    const { createCollabSession: s } = await ok<{ createCollabSession: { id: string; sharedDocumentId: string } }>(
      `mutation ($input: CreateCollabSessionInput!) { createCollabSession(input: $input) { id sharedDocumentId } }`,
      { input: { courseId: f.course.id, title: 'Pairs', language: 'PYTHON', startingCode, mode: 'SHARED' } },
      f.instructorToken,
    );
    for (const token of [f.learnerToken, beaToken])
      await ok(`mutation ($id: ID!) { joinCollabSession(id: $id) { id } }`, { id: s.id }, token);
    return { sessionId: s.id, documentId: s.sharedDocumentId };
  }

  async function open(documentId: string, token: string, awareness = true): Promise<CollabProvider> {
    const p = new CollabProvider(clientFor(token), { documentId, awareness, user: { name: 'Anyone' } });
    providers.push(p);
    await p.start();
    await poll(
      () => p.connection.value === 'synced',
      10_000,
      () => `connection ${p.connection.value} (${p.error.value})`,
    );
    return p;
  }

  const serverText = async (documentId: string) =>
    (
      await ok<{ collabDocument: { text: string } }>(
        `query ($id: ID!) { collabDocument(id: $id) { text } }`,
        { id: documentId },
        f.instructorToken,
      )
    ).collabDocument.text;

  async function converged(documentId: string, ...ps: CollabProvider[]): Promise<string> {
    let server = '';
    await poll(
      async () => {
        server = await serverText(documentId);
        return ps.every((p) => p.text.toString() === server);
      },
      15_000,
      () => `server ${JSON.stringify(server)}; clients ${ps.map((p) => JSON.stringify(p.text.toString())).join(', ')}`,
    );
    return server;
  }

  it('two providers typing at once end identical to the server, and see each other under their own names', async () => {
    const { documentId } = await sharedDocument('def f():\n    pass\n');
    const lee = await open(documentId, f.learnerToken);
    const bea = await open(documentId, beaToken);
    expect(lee.text.toString()).toBe('def f():\n    pass\n');
    expect(lee.canEdit.value).toBe(true);

    // Bursts on both sides in the same ticks: each provider sends one update at a time, the rest merged behind it.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 8; i++) {
        lee.text.insert(lee.text.length, 'L');
        bea.text.insert(0, 'B');
      }
      if (round === 2) bea.text.delete(0, 3);
      await Promise.resolve();
    }
    const text = await converged(documentId, lee, bea);
    expect(text.match(/L/g)).toHaveLength(40);
    expect(text.match(/B/g)).toHaveLength(37);
    expect(text).toContain('def f():\n    pass\n');
    expect(lee.lastRemoteEditAt.value).not.toBeNull();

    // Awareness: each sees the other, named by the server (not the name the client claimed).
    const names = (p: CollabProvider) =>
      [...p.awareness!.getStates().entries()]
        .filter(([id]) => id !== p.awareness!.clientID)
        .map(([, s]) => (s as { user?: { name?: string } }).user?.name);
    await poll(
      () => names(lee).includes('Bea Provider'),
      10_000,
      () => `Lee sees ${JSON.stringify(names(lee))}`,
    );
    await poll(
      () => names(bea).includes(f.learner.name),
      10_000,
      () => `Bea sees ${JSON.stringify(names(bea))}`,
    );
  });

  it('an edit refused because the instructor locked the document is kept and stored once it is unlocked', async () => {
    const { sessionId, documentId } = await sharedDocument('x = 1\n');
    const lee = await open(documentId, f.learnerToken, false);
    const bea = await open(documentId, beaToken, false);
    const lock = (locked: boolean) =>
      ok(
        `mutation ($id: ID!, $locked: Boolean!) { setCollabSessionLocked(id: $id, locked: $locked) { id } }`,
        { id: sessionId, locked },
        f.instructorToken,
      );

    await lock(true);
    lee.text.insert(0, '# late\n');
    await poll(
      () => !lee.canEdit.value && lee.locked.value,
      10_000,
      () => `canEdit ${lee.canEdit.value}, locked ${lee.locked.value}`,
    );
    expect(await serverText(documentId)).toBe('x = 1\n');

    await lock(false);
    await lee.refresh();
    expect(lee.canEdit.value).toBe(true);
    expect(await converged(documentId, lee, bea)).toBe('# late\nx = 1\n');
  });

  it('a change that would pass the size limit is refused and taken back; editing goes on', async () => {
    const { documentId } = await sharedDocument('print(1)\n');
    const lee = await open(documentId, f.learnerToken, false);
    const bea = await open(documentId, beaToken, false);

    lee.text.insert(0, 'y'.repeat(MAX_CHARS + 10));
    await poll(
      () => lee.error.value !== null,
      10_000,
      () => 'no error shown',
    );
    expect(lee.error.value).toMatch(/size limit/);
    expect(await converged(documentId, lee, bea)).toBe('print(1)\n');

    // The next edit goes through (the taken-back content, deleted, travels with it).
    lee.text.insert(lee.text.length, 'print(2)\n');
    bea.text.insert(0, '# ok\n');
    expect(await converged(documentId, lee, bea)).toBe('# ok\nprint(1)\nprint(2)\n');
    expect(lee.error.value).toBeNull();
  });
});
