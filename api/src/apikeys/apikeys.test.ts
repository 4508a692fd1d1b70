/**
 * API keys end to end through GraphQL on a real PostgreSQL and Redis: creation (secret shown once, stored
 * hashed), authentication, who may manage keys, revocation, tampering, expiry, tenant isolation, input limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq, sql } from 'drizzle-orm';
import { gql, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { apiKeys } from '../db/schema.js';
import { rows } from '../db/client.js';

const CREATE = `mutation($name: String!, $scopes: [ApiKeyScope!]!, $expiresAt: DateTime) {
  createApiKey(input: { name: $name, scopes: $scopes, expiresAt: $expiresAt }) { secret apiKey { id name prefix scopes createdAt expiresAt revokedAt } }
}`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
const LIST = `query { apiKeys { id name prefix revokedAt } }`;
const ME = `query { me { kind tenant { id } scopes user { id } } }`;

const code = (body: { errors?: { extensions?: { code?: string } }[] }) => body.errors?.[0]?.extensions?.code;

describe('API keys', () => {
  let app: TestApp;
  let a: Fixture;
  let b: Fixture;

  const create = async (token: string, vars: Record<string, unknown> = {}) => {
    const r = await gql(app.url, CREATE, { name: 'integration', scopes: ['READ'], ...vars }, token);
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    return r.body.data.createApiKey as { secret: string; apiKey: { id: string; name: string; prefix: string; scopes: string[]; revokedAt: string | null } };
  };
  const keyCount = async (tenantId: string) =>
    (await app.core.services.database.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.tenantId, tenantId)))[0]!.n;

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
    expect((await gql(app.url, ME, {}, a.instructorToken)).body.data.me).toMatchObject({ kind: 'SESSION', tenant: { id: a.tenant.id }, scopes: [] });
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
    expect(code((await gql(app.url, CREATE, { name: 'past', scopes: ['READ'], expiresAt: new Date(Date.now() - 1000).toISOString() }, a.instructorToken)).body)).toBe('BAD_USER_INPUT');
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
