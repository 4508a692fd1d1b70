/**
 * API keys end to end through GraphQL on a real PostgreSQL and Redis: creation (secret shown once, stored
 * hashed), authentication, who may manage keys, revocation, tampering, expiry, tenant isolation, input limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { gql, poll, seed, startApp, subscribe, testConfig, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import { openCore, buildApi } from '../app.js';
import { upsertUser } from '../users/service.js';
import { apiKeys } from './tables.js';
import { rows } from '../db/client.js';

const CREATE = `mutation($name: String!, $scopes: [ApiKeyScope!]!, $expiresAt: DateTime) {
  createApiKey(input: { name: $name, scopes: $scopes, expiresAt: $expiresAt }) { secret apiKey { id name prefix scopes createdAt expiresAt revokedAt } }
}`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
const LIST = `query { apiKeys { id name prefix revokedAt } }`;
const ME = `query { me { kind tenant { id } scopes user { id } } }`;

const code = (body: { errors?: { extensions?: { code?: string } }[] }) => body.errors?.[0]?.extensions?.code;
const keyCount = async (app: TestApp, tenantId: string) =>
  (await app.core.services.database.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.tenantId, tenantId)))[0]!.n;

describe('API keys', () => {
  let app: TestApp;
  let a: Fixture;
  let b: Fixture;

  const create = async (token: string, vars: Record<string, unknown> = {}) => {
    const r = await gql(app.url, CREATE, { name: 'integration', scopes: ['READ'], ...vars }, token);
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    return r.body.data.createApiKey as {
      secret: string;
      apiKey: { id: string; name: string; prefix: string; scopes: string[]; revokedAt: string | null };
    };
  };
  const keyCount = async (tenantId: string) =>
    (await app.core.services.database.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.tenantId, tenantId)))[0]!.n;

  /**
   * A key's two kinds of open subscription to one course: a WebSocket on `app` and an SSE stream on `sseApp` (another
   * instance, or the same); resolves once both are live on the server.
   */
  const followWithKey = async (secret: string, sseApp: TestApp) => {
    const ACTIVITY = `subscription($id: ID!) { courseActivity(courseId: $id) { type } }`;
    const ws = wsClient(app.wsUrl, secret);
    const controller = new AbortController();
    const sub = subscribe(ws.client, ACTIVITY, { id: a.course.id }, 'courseActivity');
    const res = await fetch(sseApp.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: ACTIVITY, variables: { id: a.course.id } }),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const sse = { text: '', done: false };
    void (async () => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        sse.text += decoder.decode(value, { stream: true });
      }
      sse.done = true;
    })().catch(() => {});
    const live = () => app.core.services.realtime.activeSubscriptions > 0 && sseApp.core.services.realtime.activeSubscriptions > 0;
    await poll(
      () => live() || sub.done,
      20_000,
      () => 'subscriptions not live',
    );
    return {
      ws,
      sub,
      sse,
      /** Both subscriptions' ends: the WebSocket's close and the SSE stream's last event, with `message`. */
      ended: async (message: string) => {
        await sub.ended();
        expect(ws.closes).toEqual([{ code: 4401, reason: message }]);
        await poll(
          () => sse.done,
          20_000,
          () => `the SSE stream did not end: ${sse.text}`,
        );
        expect(sse.text).toContain('"code":"UNAUTHENTICATED"');
        expect(sse.text).toContain(message);
        expect(sse.text).not.toContain('"courseActivity"');
        await poll(
          () => app.core.services.realtime.activeSubscriptions === 0 && sseApp.core.services.realtime.activeSubscriptions === 0,
          20_000,
          () => 'the subscriptions are still held on the server',
        );
      },
      close: async () => {
        controller.abort();
        await ws.client.dispose();
      },
    };
  };

  beforeAll(async () => {
    app = await startApp();
    a = await seed(app.core, 'A');
    b = await seed(app.core, 'B');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('an instructor creates a key; the secret is shown once and stored only as a hash', async () => {
    const { secret, apiKey } = await create(a.instructorToken, { name: '  LMS sync  ' });
    expect(secret).toMatch(/^ltk_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'LMS sync', scopes: ['READ'], revokedAt: null });
    expect(secret.startsWith(apiKey.prefix + '_')).toBe(true);

    const [row] = await rows<Record<string, unknown>>(app.core.services.database.db, sql`select * from api_keys where id = ${apiKey.id}`);
    expect(row).toBeDefined();
    expect(row!.tenant_id).toBe(a.tenant.id);
    expect(row!.created_by).toBe(a.instructor.id);
    const secretPart = secret.slice('ltk_'.length + 16 + 1); // the prefix itself may contain '_'
    expect(secretPart).toHaveLength(43);
    expect(row!.secret_hash).not.toBe(secret);
    expect(row!.secret_hash).not.toBe(secretPart);
    expect(row!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify(row);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secretPart);
    expect(dump).not.toContain(secretPart.slice(0, 20));

    // The listing never carries the secret either.
    const listed = await gql(app.url, `query { apiKeys { id name prefix scopes } }`, {}, a.instructorToken);
    expect(listed.body.data.apiKeys.map((k: { id: string }) => k.id)).toContain(apiKey.id);
    expect(JSON.stringify(listed.body)).not.toContain(secretPart);
  });

  it('the key authenticates as an API key viewer of its tenant with its scopes', async () => {
    const { secret } = await create(a.instructorToken);
    for (const token of [secret, `bearer ${secret}`]) {
      const r = await fetch(app.url + '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token.startsWith('bearer') ? token : `Bearer ${token}` },
        body: JSON.stringify({ query: ME }),
      });
      const body = (await r.json()) as { data?: any; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data.me).toEqual({ kind: 'API_KEY', tenant: { id: a.tenant.id }, scopes: ['read'], user: null });
    }
    const both = await create(a.instructorToken, { scopes: ['READ', 'WRITE', 'READ'] });
    expect((await gql(app.url, ME, {}, both.secret)).body.data.me.scopes).toEqual(['read', 'write']);
    // Session viewers stay sessions.
    expect((await gql(app.url, ME, {}, a.instructorToken)).body.data.me).toMatchObject({
      kind: 'SESSION',
      tenant: { id: a.tenant.id },
      scopes: [],
    });
  });

  it('a learner cannot create, list or revoke keys (FORBIDDEN)', async () => {
    const before = await keyCount(a.tenant.id);
    const r = await gql(app.url, CREATE, { name: 'mine', scopes: ['READ'] }, a.learnerToken);
    expect(code(r.body)).toBe('FORBIDDEN');
    expect(r.status).toBe(403);
    expect(await keyCount(a.tenant.id)).toBe(before);
    expect(code((await gql(app.url, LIST, {}, a.learnerToken)).body)).toBe('FORBIDDEN');
    const { apiKey } = await create(a.instructorToken);
    expect(code((await gql(app.url, REVOKE, { id: apiKey.id }, a.learnerToken)).body)).toBe('FORBIDDEN');
  });

  it('a key can never manage keys, not even a key with every scope (FORBIDDEN)', async () => {
    const { secret, apiKey } = await create(a.instructorToken, { scopes: ['READ', 'WRITE'] });
    const before = await keyCount(a.tenant.id);
    const r = await gql(app.url, CREATE, { name: 'child', scopes: ['READ'] }, secret);
    expect(code(r.body)).toBe('FORBIDDEN');
    expect(await keyCount(a.tenant.id)).toBe(before);
    expect(code((await gql(app.url, LIST, {}, secret)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, REVOKE, { id: apiKey.id }, secret)).body)).toBe('FORBIDDEN');
    // Still usable for what it may do.
    expect((await gql(app.url, `query { courses(first: 1) { edges { node { id } } } }`, {}, secret)).body.errors).toBeUndefined();
  });

  it('a revoked key is refused at once with UNAUTHENTICATED; revoking again is harmless', async () => {
    const { secret, apiKey } = await create(a.instructorToken);
    expect((await gql(app.url, ME, {}, secret)).body.data.me.kind).toBe('API_KEY');
    const revoked = await gql(app.url, REVOKE, { id: apiKey.id }, a.instructorToken);
    expect(revoked.body.errors).toBeUndefined();
    expect(revoked.body.data.revokeApiKey.revokedAt).not.toBeNull();

    const r = await gql(app.url, ME, {}, secret);
    expect(code(r.body)).toBe('UNAUTHENTICATED');
    expect(r.status).toBe(401);
    expect(code((await gql(app.url, `query { courses { edges { cursor } } }`, {}, secret)).body)).toBe('UNAUTHENTICATED');

    const again = await gql(app.url, REVOKE, { id: apiKey.id }, a.instructorToken);
    expect(again.body.data.revokeApiKey.revokedAt).toBe(revoked.body.data.revokeApiKey.revokedAt);
    const listed = (await gql(app.url, LIST, {}, a.instructorToken)).body.data.apiKeys.find((k: { id: string }) => k.id === apiKey.id);
    expect(listed.revokedAt).not.toBeNull();
  });

  it('revoking a key ends its open subscriptions at once, on every instance: a WebSocket (4401) and an SSE stream (UNAUTHENTICATED)', async () => {
    // A second instance on the same database and Redis: the revocation reaches it as a control message.
    const other = await startApp({ databaseUrl: app.core.config.databaseUrl! });
    const { secret, apiKey } = await create(a.instructorToken);
    const followed = await followWithKey(secret, other);
    try {
      expect(followed.sub.done).toBe(false);
      // Nothing happens in the course after the revocation: no event could end the subscriptions but the revocation.
      expect((await gql(app.url, REVOKE, { id: apiKey.id }, a.instructorToken)).body.errors).toBeUndefined();
      await followed.ended('This API key has been revoked.');
    } finally {
      await followed.close();
      await other.close();
    }
  });

  it('a key that expires while in use ends its open subscriptions then: a WebSocket (4401) and an SSE stream (UNAUTHENTICATED)', async () => {
    // Expiring a few seconds from now: nothing happens in the course, so only the expiry can end the subscriptions.
    const { secret } = await create(a.instructorToken, { expiresAt: new Date(Date.now() + 4_000).toISOString() });
    const followed = await followWithKey(secret, app);
    try {
      await followed.ended('This API key has expired.');
      // And the key is refused from then on.
      const after = await gql(app.url, `query { me { kind } }`, {}, secret);
      expect(code(after.body)).toBe('UNAUTHENTICATED');
    } finally {
      await followed.close();
    }
  });

  it('a tampered key is refused with UNAUTHENTICATED', async () => {
    const { secret } = await create(a.instructorToken);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const secretStart = secret.lastIndexOf('_') + 1;
    const tampered = [
      flip(secret, secret.length - 1), // last character of the secret
      flip(secret, secretStart + 10), // a character in the middle of the secret
      flip(secret, 6), // a character of the prefix
      secret.slice(0, -1), // one short
      secret + 'A', // one long
      'ltk_' + 'A'.repeat(16) + '_' + 'A'.repeat(43), // well formed, unknown
    ];
    for (const t of tampered) {
      expect(t).not.toBe(secret);
      const r = await gql(app.url, ME, {}, t);
      expect(code(r.body), t).toBe('UNAUTHENTICATED');
      expect(r.body.data?.me ?? null).toBeNull();
    }
    // The original still works.
    expect((await gql(app.url, ME, {}, secret)).body.data.me.kind).toBe('API_KEY');
  });

  it('an expired key is refused with UNAUTHENTICATED', async () => {
    const { secret, apiKey } = await create(a.instructorToken, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await gql(app.url, ME, {}, secret)).body.data.me.kind).toBe('API_KEY');
    await app.core.services.database.db.execute(sql`update api_keys set expires_at = now() - interval '1 minute' where id = ${apiKey.id}`);
    const r = await gql(app.url, ME, {}, secret);
    expect(code(r.body)).toBe('UNAUTHENTICATED');
    expect(r.body.errors![0]!.message).toMatch(/expired/i);
    // An expiry in the past cannot be asked for.
    expect(
      code(
        (
          await gql(
            app.url,
            CREATE,
            { name: 'past', scopes: ['READ'], expiresAt: new Date(Date.now() - 1000).toISOString() },
            a.instructorToken,
          )
        ).body,
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it("tenant B's instructor cannot see or revoke tenant A's key (NOT_FOUND)", async () => {
    const { secret, apiKey } = await create(a.instructorToken);
    const mine = await create(b.instructorToken, { name: 'B key' });

    const r = await gql(app.url, REVOKE, { id: apiKey.id }, b.instructorToken);
    expect(code(r.body)).toBe('NOT_FOUND');
    const [row] = await app.core.services.database.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row!.revokedAt).toBeNull();
    expect((await gql(app.url, ME, {}, secret)).body.data.me.kind).toBe('API_KEY');

    const listB = (await gql(app.url, LIST, {}, b.instructorToken)).body.data.apiKeys as { id: string }[];
    expect(listB.map((k) => k.id)).toEqual([mine.apiKey.id]);
    const listA = (await gql(app.url, LIST, {}, a.instructorToken)).body.data.apiKeys as { id: string }[];
    expect(listA.map((k) => k.id)).toContain(apiKey.id);
    expect(listA.map((k) => k.id)).not.toContain(mine.apiKey.id);

    // B's key sees B's tenant only.
    expect((await gql(app.url, ME, {}, mine.secret)).body.data.me.tenant.id).toBe(b.tenant.id);
    // Ids that are not uuids are simply not found.
    for (const id of ['nope', '-'.repeat(36), 'abcdef0123456789abcdef0123456789abcd']) {
      expect(code((await gql(app.url, REVOKE, { id }, b.instructorToken)).body), id).toBe('NOT_FOUND');
    }
  });

  it('a name of 101 characters (or blank) is BAD_USER_INPUT and writes no row; 100 is fine', async () => {
    const before = await keyCount(a.tenant.id);
    for (const name of ['x'.repeat(101), '', '   ']) {
      const r = await gql(app.url, CREATE, { name, scopes: ['READ'] }, a.instructorToken);
      expect(code(r.body), JSON.stringify(name)).toBe('BAD_USER_INPUT');
      expect(r.body.data?.createApiKey ?? null).toBeNull();
    }
    expect(code((await gql(app.url, CREATE, { name: 'no scopes', scopes: [] }, a.instructorToken)).body)).toBe('BAD_USER_INPUT');
    expect(await keyCount(a.tenant.id)).toBe(before);
    expect((await create(a.instructorToken, { name: 'y'.repeat(100) })).apiKey.name).toHaveLength(100);
    expect(await keyCount(a.tenant.id)).toBe(before + 1);
  });

  it('an anonymous caller is UNAUTHENTICATED', async () => {
    expect(code((await gql(app.url, CREATE, { name: 'anon', scopes: ['READ'] })).body)).toBe('UNAUTHENTICATED');
    expect(code((await gql(app.url, LIST)).body)).toBe('UNAUTHENTICATED');
  });
});

/** These tests create many keys in a row: the per-person limit on costly mutations is not what they test. */
const MANY_KEYS = { RATE_LIMIT_COSTLY: '1000/60' };

/** An app on the embedded database (PGlite), as `npm start` runs without DATABASE_URL. */
async function startPgliteApp(): Promise<TestApp> {
  const config = testConfig(MANY_KEYS);
  const core = await openCore(config);
  const api = buildApi(core);
  const url = await api.listen(0, '127.0.0.1');
  return {
    core,
    api,
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/graphql',
    async close() {
      await api.close();
      await core.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

const CREATE_REACH = `mutation($name: String!, $scopes: [ApiKeyScope!]!, $courseIds: [ID!], $tenantWide: Boolean) {
  createApiKey(input: { name: $name, scopes: $scopes, courseIds: $courseIds, tenantWide: $tenantWide }) { secret apiKey { id courseIds tenantWide createdBy { id } } }
}`;
const COURSE = `query($id: ID!) { course(id: $id) { id title } }`;
const MEMBERS = `query($id: ID!) { course(id: $id) { members(first: 50) { edges { node { user { id email } roles } } } } }`;
const ROSTER = `query($id: ID!) { course(id: $id) { rosterSync { status } } }`;
const REPORT = `query($id: ID!) { course(id: $id) { tutorUsageReport(days: 7) { __typename } } }`;
const ROOMS = `query($id: ID!) { course(id: $id) { rooms { id kind } } }`;
const ROOM = `query($id: ID!) { room(id: $id) { id } }`;
const SETTINGS = `mutation($id: ID!) { updateTutorSettings(courseId: $id, brief: "changed by a key") { brief } }`;
const COURSES = `query { courses(first: 50) { edges { node { id } } } }`;

describe.each([
  { name: 'PostgreSQL', start: () => startApp({ env: MANY_KEYS }) as Promise<TestApp> },
  { name: 'PGlite', start: startPgliteApp },
])('the reach of an API key ($name)', ({ start }) => {
  let app: TestApp;
  let a: Fixture;
  /** Course B of the same tenant: Ivy teaches it, Bea learns in it; Ada (a.instructor) teaches course A only. */
  let courseB: { id: string };
  let ivy: { id: string };
  let ivyToken: string;
  let bea: { id: string };
  let roomB: string;
  let admin: { id: string };
  let adminToken: string;

  beforeAll(async () => {
    app = await start();
    a = await seed(app.core, 'A');
    const { db } = app.core.services.database;
    const { courses, rooms, sessions } = app.core.services;
    const tenantId = a.tenant.id;
    courseB = await courses.upsertCourse({ tenantId, contextId: `ctx-B-${a.course.id}`, title: 'Course B', label: 'C-B' });
    ivy = await upsertUser(db, { tenantId, subject: `ivy-${a.course.id}`, name: 'Ivy Instructor B', email: 'ivy@example.edu' });
    bea = await upsertUser(db, { tenantId, subject: `bea-${a.course.id}`, name: 'Bea Learner B', email: 'bea@example.edu' });
    admin = await upsertUser(db, { tenantId, subject: `root-${a.course.id}`, name: 'Root Admin', email: 'root@example.edu' });
    await courses.setMembership(tenantId, courseB.id, ivy.id, ['instructor']);
    await courses.setMembership(tenantId, courseB.id, bea.id, ['learner']);
    await courses.setMembership(tenantId, courseB.id, admin.id, ['administrator', 'instructor']);
    roomB = (await rooms.ensureCourseRoom(tenantId, courseB.id, 'Course B')).id;
    ivyToken = await sessions.issue({ tenantId, userId: ivy.id, courseId: courseB.id, roles: ['instructor'] });
    adminToken = await sessions.issue({ tenantId, userId: admin.id, courseId: courseB.id, roles: ['administrator', 'instructor'] });
  });
  afterAll(async () => {
    await app?.close();
  });

  const mint = async (token: string, vars: Record<string, unknown>) => {
    const r = await gql(app.url, CREATE_REACH, { name: 'reach', scopes: ['READ', 'WRITE'], ...vars }, token);
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    return r.body.data.createApiKey as {
      secret: string;
      apiKey: { id: string; courseIds: string[]; tenantWide: boolean; createdBy: { id: string } | null };
    };
  };
  const courseIdsOf = async (secret: string) =>
    ((await gql(app.url, COURSES, {}, secret)).body.data.courses.edges as { node: { id: string } }[]).map((e) => e.node.id).sort();

  it("Ada's key (instructor of A only) reads and changes course A, and never course B", async () => {
    const { secret, apiKey } = await mint(a.instructorToken, {});
    expect(apiKey).toMatchObject({ courseIds: [a.course.id], tenantWide: false, createdBy: { id: a.instructor.id } });

    // Course A: everything a READ/WRITE key may do.
    expect((await gql(app.url, COURSE, { id: a.course.id }, secret)).body.data.course.id).toBe(a.course.id);
    const members = await gql(app.url, MEMBERS, { id: a.course.id }, secret);
    expect(members.body.errors).toBeUndefined();
    expect(members.body.data.course.members.edges.length).toBe(2);
    expect((await gql(app.url, REPORT, { id: a.course.id }, secret)).body.errors).toBeUndefined();
    expect((await gql(app.url, SETTINGS, { id: a.course.id }, secret)).body.data.updateTutorSettings.brief).toBe('changed by a key');
    expect(await courseIdsOf(secret)).toEqual([a.course.id]);

    // Course B: not found, whatever the way in; nothing changes.
    for (const q of [COURSE, MEMBERS, ROSTER, REPORT, ROOMS]) {
      const r = await gql(app.url, q, { id: courseB.id }, secret);
      expect(code(r.body), q).toBe('NOT_FOUND');
      expect(JSON.stringify(r.body)).not.toContain('bea@example.edu');
    }
    expect(code((await gql(app.url, ROOM, { id: roomB }, secret)).body)).toBe('NOT_FOUND');
    expect(
      code(
        (
          await gql(
            app.url,
            `query($id: ID!) { searchMessages(courseId: $id, query: "x") { edges { cursor } } }`,
            { id: courseB.id },
            secret,
          )
        ).body,
      ),
    ).toBe('NOT_FOUND');
    const changeB = await gql(app.url, SETTINGS, { id: courseB.id }, secret);
    expect(code(changeB.body)).toBe('NOT_FOUND');
    expect(
      (await gql(app.url, `query($id: ID!) { course(id: $id) { tutorSettings { brief } } }`, { id: courseB.id }, ivyToken)).body.data.course
        .tutorSettings.brief,
    ).not.toBe('changed by a key');
    expect(code((await gql(app.url, `mutation($id: ID!) { syncRoster(courseId: $id) { status } }`, { id: courseB.id }, secret)).body)).toBe(
      'NOT_FOUND',
    );

    // A live subscription to course B's room is refused as well.
    const ws = wsClient(app.wsUrl, secret);
    try {
      const sub = subscribe(ws.client, `subscription($id: ID!) { roomEvents(roomId: $id) { type } }`, { id: roomB }, 'roomEvents');
      await sub.ended();
      expect(JSON.stringify(sub.errors)).toContain('NOT_FOUND');
    } finally {
      await ws.client.dispose();
    }
  });

  it('staff may give a key only courses they are staff of; only an administrator may make it tenant-wide', async () => {
    const before = await keyCount(app, a.tenant.id);
    const other = await gql(app.url, CREATE_REACH, { name: 'x', scopes: ['READ'], courseIds: [courseB.id] }, a.instructorToken);
    expect(code(other.body)).toBe('FORBIDDEN');
    expect(other.body.errors![0]!.extensions).toMatchObject({ reason: 'NOT_STAFF_OF_COURSE', field: 'courseIds' });
    const both = await gql(app.url, CREATE_REACH, { name: 'x', scopes: ['READ'], courseIds: [a.course.id, courseB.id] }, a.instructorToken);
    expect(code(both.body)).toBe('FORBIDDEN');
    const wide = await gql(app.url, CREATE_REACH, { name: 'x', scopes: ['READ'], tenantWide: true }, a.instructorToken);
    expect(code(wide.body)).toBe('FORBIDDEN');
    expect(wide.body.errors![0]!.extensions).toMatchObject({ reason: 'NOT_ADMINISTRATOR' });
    expect(
      code((await gql(app.url, CREATE_REACH, { name: 'x', scopes: ['READ'], courseIds: ['not-a-uuid'] }, a.instructorToken)).body),
    ).toBe('FORBIDDEN');
    expect(code((await gql(app.url, CREATE_REACH, { name: 'x', scopes: ['READ'], courseIds: [] }, a.instructorToken)).body)).toBe(
      'BAD_USER_INPUT',
    );
    expect(await keyCount(app, a.tenant.id)).toBe(before);
    // The learner of a course is not staff: no key, even naming their own course.
    expect(code((await gql(app.url, CREATE_REACH, { name: 'x', scopes: ['READ'], courseIds: [a.course.id] }, a.learnerToken)).body)).toBe(
      'FORBIDDEN',
    );
  });

  it('the key loses its reach the moment Ada stops being staff of A, and has it again when she is', async () => {
    const { secret } = await mint(a.instructorToken, { courseIds: [a.course.id] });
    expect((await gql(app.url, COURSE, { id: a.course.id }, secret)).body.data.course.id).toBe(a.course.id);
    // A live subscription that is open when Ada is demoted ends.
    const ws = wsClient(app.wsUrl, secret);
    try {
      const sub = subscribe(
        ws.client,
        `subscription($id: ID!) { courseActivity(courseId: $id) { type } }`,
        { id: a.course.id },
        'courseActivity',
      );
      await poll(
        () => app.core.services.realtime.activeSubscriptions > 0 || sub.done,
        20_000,
        () => 'subscription not live',
      );
      await app.core.services.courses.setMembership(a.tenant.id, a.course.id, a.instructor.id, ['learner']);
      await sub.ended();
      expect(sub.items.filter((i: { type: string }) => i.type !== 'member.updated')).toEqual([]);
      expect(JSON.stringify(sub.errors)).toMatch(/FORBIDDEN|NOT_FOUND/);
    } finally {
      await ws.client.dispose();
    }
    for (const q of [COURSE, MEMBERS, REPORT, ROOMS])
      expect(code((await gql(app.url, q, { id: a.course.id }, secret)).body), q).toBe('NOT_FOUND');
    expect(code((await gql(app.url, SETTINGS, { id: a.course.id }, secret)).body)).toBe('NOT_FOUND');
    expect(await courseIdsOf(secret)).toEqual([]);
    // Removed altogether: the same.
    await app.core.services.courses.removeMembership(a.tenant.id, a.course.id, a.instructor.id);
    expect(code((await gql(app.url, COURSE, { id: a.course.id }, secret)).body)).toBe('NOT_FOUND');
    // Staff again: the key reaches A again (the key is not revoked, only bounded by its creator).
    await app.core.services.courses.setMembership(a.tenant.id, a.course.id, a.instructor.id, ['instructor']);
    expect((await gql(app.url, COURSE, { id: a.course.id }, secret)).body.data.course.id).toBe(a.course.id);
  });

  it("Ivy, staff of B only, neither sees nor revokes Ada's key; an administrator sees and revokes it", async () => {
    const { secret, apiKey } = await mint(a.instructorToken, {});
    const ivys = await mint(ivyToken, {});
    expect(ivys.apiKey.courseIds).toEqual([courseB.id]);
    const ivyList = (await gql(app.url, LIST, {}, ivyToken)).body.data.apiKeys.map((k: { id: string }) => k.id);
    expect(ivyList).toContain(ivys.apiKey.id);
    expect(ivyList).not.toContain(apiKey.id);
    const adaList = (await gql(app.url, LIST, {}, a.instructorToken)).body.data.apiKeys.map((k: { id: string }) => k.id);
    expect(adaList).toContain(apiKey.id);
    expect(adaList).not.toContain(ivys.apiKey.id);

    expect(code((await gql(app.url, REVOKE, { id: apiKey.id }, ivyToken)).body)).toBe('NOT_FOUND');
    expect((await gql(app.url, ME, {}, secret)).body.data.me.kind).toBe('API_KEY');
    const [row] = await app.core.services.database.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row!.revokedAt).toBeNull();

    // The administrator sees every key of the tenant and revokes Ada's.
    const adminList = (await gql(app.url, LIST, {}, adminToken)).body.data.apiKeys.map((k: { id: string }) => k.id);
    expect(adminList).toEqual(expect.arrayContaining([apiKey.id, ivys.apiKey.id]));
    const revoked = await gql(app.url, REVOKE, { id: apiKey.id }, adminToken);
    expect(revoked.body.errors).toBeUndefined();
    expect(revoked.body.data.revokeApiKey.revokedAt).not.toBeNull();
    expect(code((await gql(app.url, ME, {}, secret)).body)).toBe('UNAUTHENTICATED');
    // The creator revokes her own.
    expect((await gql(app.url, REVOKE, { id: ivys.apiKey.id }, ivyToken)).body.data.revokeApiKey.revokedAt).not.toBeNull();
  });

  it('me.administrator tells the app who may make tenant-wide keys: the administrator, not staff, not a key', async () => {
    const ME_ADMIN = `query { me { administrator } }`;
    expect((await gql(app.url, ME_ADMIN, {}, adminToken)).body.data.me.administrator).toBe(true);
    expect((await gql(app.url, ME_ADMIN, {}, ivyToken)).body.data.me.administrator).toBe(false);
    expect((await gql(app.url, ME_ADMIN, {}, a.instructorToken)).body.data.me.administrator).toBe(false);
    const { secret } = await mint(adminToken, { tenantWide: true });
    expect((await gql(app.url, ME_ADMIN, {}, secret)).body.data.me.administrator).toBe(false);
  });

  it("an administrator's tenant-wide key reaches every course while its creator is an administrator", async () => {
    const { secret, apiKey } = await mint(adminToken, { tenantWide: true });
    expect(apiKey).toMatchObject({ tenantWide: true, courseIds: [] });
    expect(await courseIdsOf(secret)).toEqual([a.course.id, courseB.id].sort());
    expect((await gql(app.url, MEMBERS, { id: a.course.id }, secret)).body.errors).toBeUndefined();
    expect((await gql(app.url, ROOM, { id: roomB }, secret)).body.data.room.id).toBe(roomB);
    // No longer an administrator anywhere: the key reaches nothing, not even the course they still teach.
    await app.core.services.courses.setMembership(a.tenant.id, courseB.id, admin.id, ['instructor']);
    expect(await courseIdsOf(secret)).toEqual([]);
    expect(code((await gql(app.url, COURSE, { id: courseB.id }, secret)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, ROOM, { id: roomB }, secret)).body)).toBe('NOT_FOUND');
    await app.core.services.courses.setMembership(a.tenant.id, courseB.id, admin.id, ['administrator', 'instructor']);
    expect(await courseIdsOf(secret)).toEqual([a.course.id, courseB.id].sort());
  });

  it('a READ key within its reach reads the member list and the roster sync status; a learner may not', async () => {
    const { secret } = await mint(a.instructorToken, { scopes: ['READ'] });
    const members = await gql(app.url, MEMBERS, { id: a.course.id }, secret);
    expect(members.body.errors).toBeUndefined();
    expect(members.body.data.course.members.edges.map((e: { node: { user: { id: string } } }) => e.node.user.id)).toContain(a.learner.id);
    const roster = await gql(app.url, ROSTER, { id: a.course.id }, secret);
    expect(roster.body.errors).toBeUndefined();
    expect(roster.body.data.course.rosterSync).toBeNull();
    // Starting a sync changes things: write scope only.
    expect(
      code((await gql(app.url, `mutation($id: ID!) { syncRoster(courseId: $id) { status } }`, { id: a.course.id }, secret)).body),
    ).toBe('FORBIDDEN');
    // A learner of the course reads neither.
    expect(code((await gql(app.url, MEMBERS, { id: a.course.id }, a.learnerToken)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, ROSTER, { id: a.course.id }, a.learnerToken)).body)).toBe('FORBIDDEN');
  });

  it('keys made before keys had a reach keep only the courses their creator is staff of (migration 0007)', async () => {
    const { db } = app.core.services.database;
    // Ada is staff of A; Bea is a learner of B only; a key with no creator (installation) gets nothing.
    await app.core.services.courses.setMembership(a.tenant.id, a.course.id, a.instructor.id, ['instructor']);
    const legacy = await db
      .insert(apiKeys)
      .values([
        {
          tenantId: a.tenant.id,
          name: 'old ada',
          prefix: `legacyada${Date.now()}`.slice(0, 16),
          secretHash: '0'.repeat(64),
          scopes: ['read', 'write'],
          createdBy: a.instructor.id,
        },
        {
          tenantId: a.tenant.id,
          name: 'old bea',
          prefix: `legacybea${Date.now()}`.slice(0, 16),
          secretHash: '1'.repeat(64),
          scopes: ['read'],
          createdBy: bea.id,
        },
        {
          tenantId: a.tenant.id,
          name: 'old none',
          prefix: `legacynon${Date.now()}`.slice(0, 16),
          secretHash: '2'.repeat(64),
          scopes: ['read'],
          createdBy: null,
        },
      ])
      .returning();
    const file = readFileSync(new URL('../../drizzle/0007_api_key_reach.sql', import.meta.url), 'utf8');
    const update = file
      .split('--> statement-breakpoint')
      .map((s) => s.trim())
      .find((s) => /UPDATE "api_keys"/.test(s))!;
    expect(update).toBeDefined();
    await db.execute(sql.raw(update));
    const after = await db
      .select()
      .from(apiKeys)
      .where(
        inArray(
          apiKeys.id,
          legacy.map((k) => k.id),
        ),
      );
    const by = (name: string) => after.find((k) => k.name === name)!;
    expect(by('old ada')).toMatchObject({ courseIds: [a.course.id], tenantWide: false });
    expect(by('old bea')).toMatchObject({ courseIds: [], tenantWide: false });
    expect(by('old none')).toMatchObject({ courseIds: [], tenantWide: false });
  });
});
