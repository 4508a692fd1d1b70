/**
 * PgLtiStore, ltijs's database plugin, on both backends: a PostgreSQL server and embedded PGlite, migrated by
 * our own openDatabase. The last test drives real ltijs code (Provider, Platform, Keyset, Auth) with the plugin.
 */
import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, rows, type Database } from '../../../api/src/db/client.js';
import { freshPgDatabase } from '../../../api/test/harness.js';
import { PgLtiStore, type LtiDoc } from './pg-store.js';

const require = createRequire(import.meta.url);
const KEY = 'some-long-encryption-key-for-tests';
const T0 = Date.parse('2031-03-04T05:06:07.000Z');

interface Backend {
  name: string;
  open(): Promise<{ database: Database; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'postgres',
    async open() {
      const fresh = await freshPgDatabase();
      const database = await openDatabase({ databaseUrl: fresh.url });
      return {
        database,
        cleanup: async () => {
          await database.close();
          await fresh.drop();
        },
      };
    },
  },
  {
    name: 'pglite',
    async open() {
      const database = await openDatabase({ pgliteDir: 'memory://' });
      return { database, cleanup: () => database.close() };
    },
  },
];

describe.each(backends)('PgLtiStore on $name', (backend) => {
  let database: Database;
  let cleanup: () => Promise<void>;
  let now: number;
  let store: PgLtiStore;

  const raw = (collection: string) =>
    rows<{ doc: LtiDoc; expires_at: unknown }>(
      database.db,
      sql`select doc, expires_at from lti_store where collection = ${collection} order by id`,
    );
  const count = async () => (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from lti_store`))[0]!.n;

  beforeAll(async () => {
    ({ database, cleanup } = await backend.open());
  });
  afterAll(async () => {
    await cleanup?.();
  });
  beforeEach(async () => {
    await database.db.execute(sql`delete from lti_store`);
    now = T0;
    store = new PgLtiStore(database.db, { now: () => now });
    expect(await store.setup()).toBe(true);
  });

  it('refuses work before setup() and after Close(), and Close() leaves the shared connection open', async () => {
    const fresh = new PgLtiStore(database.db);
    await expect(fresh.Get(false, 'platform')).rejects.toThrow('PROVIDER_NOT_DEPLOYED');
    expect(await fresh.setup()).toBe(true);
    expect(await fresh.Get(false, 'platform')).toBe(false);
    expect(await fresh.Close()).toBe(true);
    await expect(fresh.Insert(false, 'nonce', { nonce: 'n' })).rejects.toThrow('PROVIDER_NOT_DEPLOYED');
    await database.ping();
    expect(await store.Get(false, 'platform')).toBe(false);
  });

  it('inserts and gets plain documents: createdAt as a Date, no internal columns, false when nothing matches', async () => {
    expect(await store.Insert(false, 'platformStatus', { id: 'p1', active: true, _id: 'mongo', __v: 0 })).toBe(true);
    now += 1234;
    await store.Insert(false, 'platformStatus', { id: 'p2', active: false });
    const got = await store.Get(false, 'platformStatus', { id: 'p1' });
    expect(got).toEqual([{ id: 'p1', active: true, createdAt: new Date(T0) }]);
    expect((got as LtiDoc[])[0]!.createdAt).toBeInstanceOf(Date);
    const all = await store.Get(false, 'platformStatus');
    expect(all).toEqual([
      { id: 'p1', active: true, createdAt: new Date(T0) },
      { id: 'p2', active: false, createdAt: new Date(T0 + 1234) },
    ]);
    expect(await store.Get(false, 'platformStatus', { id: 'p2', active: false })).toHaveLength(1);
    expect(await store.Get(false, 'platformStatus', { id: 'p2', active: true })).toBe(false);
    expect(await store.Get(false, 'platformStatus', { id: 'nope' })).toBe(false);
    expect(await store.Get(false, 'platform')).toBe(false);
    // Types matter, as in MongoDB: the string "true" is not true.
    expect(await store.Get(false, 'platformStatus', { active: 'true' })).toBe(false);
    // Object values match exactly, not as a superset.
    await store.Insert(false, 'platform', {
      platformUrl: 'u',
      clientId: 'c',
      kid: 'k',
      authConfig: { method: 'JWK_SET', key: 'https://x/jwks' },
    });
    expect(await store.Get(false, 'platform', { authConfig: { method: 'JWK_SET', key: 'https://x/jwks' } })).toHaveLength(1);
    expect(await store.Get(false, 'platform', { authConfig: { method: 'JWK_SET' } })).toBe(false);
    await expect(store.Get(false, 'platform', { kid: { $in: ['k'] } })).rejects.toThrow('LTI_STORE_UNSUPPORTED_QUERY');
  });

  it('treats an undefined query value as mongoose does: it matches documents where the key is missing or null', async () => {
    await store.Insert(false, 'idtoken', { iss: 'i', user: 'u1', clientId: 'c' });
    await store.Insert(false, 'idtoken', { iss: 'i', user: 'u2' });
    await store.Insert(false, 'idtoken', { iss: 'i', user: 'u3', clientId: null });
    const got = (await store.Get(false, 'idtoken', { iss: 'i', clientId: undefined })) as LtiDoc[];
    expect(got.map((d) => d.user)).toEqual(['u2', 'u3']);
    expect('clientId' in got[0]!).toBe(false);
    // An undefined value is never "no condition": a Delete with { kid: undefined } must not empty the collection.
    await store.Insert(false, 'publickey', { kid: 'k1', iv: 'x', data: 'y' });
    await store.Delete('publickey', { kid: undefined });
    expect(await store.Get(false, 'publickey')).toHaveLength(1);
    // Undefined values in documents are dropped, as mongoose and JSON do.
    await store.Insert(false, 'state', { state: 's', query: undefined });
    expect(await store.Get(false, 'state', { state: 's' })).toEqual([{ state: 's', createdAt: new Date(T0) }]);
  });

  it('encrypts: stores { ...index, iv, data }, Get decrypts with createdAt in ms, Insert without index is refused', async () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n';
    expect(await store.Insert(KEY, 'publickey', { key: pem, kid: 'k1' }, { kid: 'k1', platformUrl: 'https://lms', clientId: 'c1' })).toBe(
      true,
    );
    const [row] = await raw('publickey');
    expect(Object.keys(row!.doc).sort()).toEqual(['clientId', 'data', 'iv', 'kid', 'platformUrl']);
    expect(JSON.stringify(row!.doc)).not.toContain('BEGIN PUBLIC KEY');
    expect(row!.doc.iv).toMatch(/^[0-9a-f]{24}$/);
    expect(await store.Get(KEY, 'publickey', { kid: 'k1' })).toEqual([{ key: pem, kid: 'k1', createdAt: T0 }]);
    // Without the key, the stored form (as ltijs's generatePlatformKeyPair reads it to check a kid is free).
    expect(await store.Get(false, 'publickey', { platformUrl: 'https://lms', clientId: 'c1' })).toEqual([
      { ...row!.doc, createdAt: new Date(T0) },
    ]);
    await expect(store.Insert(KEY, 'privatekey', { key: pem, kid: 'k2' })).rejects.toThrow('MISSING_PARAMS');
    await expect(store.Replace(KEY, 'privatekey', { kid: 'k2' }, { key: pem })).rejects.toThrow('MISSING_PARAMS');
    expect(await count()).toBe(1);
  });

  it('rejects tampered ciphertext, a tampered IV and a wrong key', async () => {
    await store.Insert(
      KEY,
      'accesstoken',
      { token: { access_token: 'secret', expires_in: 3600 } },
      { platformUrl: 'u', clientId: 'c', scopes: 's' },
    );
    await expect(store.Get('another-key-of-the-same-length-ok', 'accesstoken')).rejects.toThrow('LTI_STORE_DECRYPT_FAILED');
    const [row] = await raw('accesstoken');
    const sealed = Buffer.from(row!.doc.data as string, 'base64');
    sealed[0] = sealed[0]! ^ 1;
    await database.db.execute(
      sql`update lti_store set doc = jsonb_set(doc, '{data}', to_jsonb(${sealed.toString('base64')}::text)) where collection = 'accesstoken'`,
    );
    await expect(store.Get(KEY, 'accesstoken')).rejects.toThrow('LTI_STORE_DECRYPT_FAILED');
    await database.db.execute(
      sql`update lti_store set doc = jsonb_set(doc, '{data}', to_jsonb(${row!.doc.data as string}::text)) where collection = 'accesstoken'`,
    );
    expect(await store.Get(KEY, 'accesstoken')).toHaveLength(1);
    const iv = Buffer.from(row!.doc.iv as string, 'hex');
    iv[11] = iv[11]! ^ 0x80;
    await database.db.execute(
      sql`update lti_store set doc = jsonb_set(doc, '{iv}', to_jsonb(${iv.toString('hex')}::text)) where collection = 'accesstoken'`,
    );
    await expect(store.Get(KEY, 'accesstoken')).rejects.toThrow('LTI_STORE_DECRYPT_FAILED');

    // Encrypt/Decrypt directly: a fresh IV each time, the tag is checked, truncation is caught.
    const a = store.Encrypt('hello', KEY);
    const b = store.Encrypt('hello', KEY);
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
    expect(store.Decrypt(a.data, a.iv, KEY)).toBe('hello');
    expect(() => store.Decrypt(a.data, a.iv, KEY + 'x')).toThrow('LTI_STORE_DECRYPT_FAILED');
    expect(() => store.Decrypt(Buffer.from(a.data, 'base64').subarray(0, 10).toString('base64'), a.iv, KEY)).toThrow(
      'LTI_STORE_DECRYPT_FAILED',
    );
    expect(() => store.Decrypt(a.data, 'abcd', KEY)).toThrow('LTI_STORE_DECRYPT_FAILED');
  });

  it('Replace inserts when nothing matches, then replaces the one document and resets createdAt and the TTL', async () => {
    expect(await store.Replace(false, 'platformStatus', { id: 'p' }, { id: 'p', active: false })).toBe(true);
    now += 5000;
    await store.Replace(false, 'platformStatus', { id: 'p' }, { id: 'p', active: true });
    expect(await store.Get(false, 'platformStatus')).toEqual([{ id: 'p', active: true, createdAt: new Date(T0 + 5000) }]);

    // A replacement is a whole document: keys not in it are gone.
    await store.Insert(false, 'contexttoken', { contextId: 'x', user: 'u', path: '/a', roles: ['r'] });
    await store.Replace(false, 'contexttoken', { contextId: 'x', user: 'u' }, { contextId: 'x', user: 'u', path: '/b' });
    expect(await store.Get(false, 'contexttoken')).toEqual([{ contextId: 'x', user: 'u', path: '/b', createdAt: new Date(T0 + 5000) }]);

    // Encrypted, as Auth.getAccessToken refreshes a token: createdAt (ms) and expiry start again.
    const idx = { platformUrl: 'u', clientId: 'c', scopes: 's' };
    await store.Replace(KEY, 'accesstoken', idx, { token: { access_token: 'one', expires_in: 3600 } }, idx);
    now += 3000_000;
    await store.Replace(KEY, 'accesstoken', idx, { token: { access_token: 'two', expires_in: 3600 } }, idx);
    now += 1000_000; // past the first token's hour, within the second's
    expect(await store.Get(KEY, 'accesstoken', idx)).toEqual([
      { token: { access_token: 'two', expires_in: 3600 }, createdAt: T0 + 3005_000 },
    ]);
    expect(await raw('accesstoken')).toHaveLength(1);
  });

  it('Modify sets top-level keys, keeps createdAt, ignores undefined values; encrypted documents are re-encrypted', async () => {
    await store.Insert(false, 'platform', {
      platformUrl: 'u',
      clientId: 'c',
      kid: 'k',
      platformName: 'A',
      authorizationServer: 'https://as',
      authConfig: { method: 'RSA_KEY', key: 'x' },
    });
    now += 7000;
    expect(
      await store.Modify(
        false,
        'platform',
        { platformUrl: 'u', clientId: 'c' },
        { platformName: 'B', authorizationServer: undefined, authConfig: { method: 'JWK_SET', key: 'https://x/jwks' }, createdAt: 1 },
      ),
    ).toBe(true);
    expect(await store.Get(false, 'platform')).toEqual([
      {
        platformUrl: 'u',
        clientId: 'c',
        kid: 'k',
        platformName: 'B',
        authorizationServer: 'https://as',
        authConfig: { method: 'JWK_SET', key: 'https://x/jwks' },
        createdAt: new Date(T0),
      },
    ]);
    // No match: nothing happens, nothing is inserted.
    await store.Modify(false, 'platform', { kid: 'other' }, { platformName: 'C' });
    expect(await store.Get(false, 'platform')).toHaveLength(1);
    // The clear index of an encrypted document, as updatePlatformById moves keys to a new url.
    await store.Insert(KEY, 'publickey', { key: 'PEM', kid: 'k' }, { kid: 'k', platformUrl: 'u', clientId: 'c' });
    await store.Modify(false, 'publickey', { kid: 'k' }, { platformUrl: 'u2' });
    expect(await store.Get(KEY, 'publickey', { platformUrl: 'u2' })).toEqual([{ key: 'PEM', kid: 'k', createdAt: T0 + 7000 }]);
    // With the key: every given key is merged into the encrypted payload.
    const idx = { platformUrl: 'u', clientId: 'c', scopes: 's' };
    await store.Insert(KEY, 'accesstoken', { token: { access_token: 'a' }, keep: 1 }, idx);
    now += 1000;
    await store.Modify(KEY, 'accesstoken', idx, { token: { access_token: 'b' }, extra: true, gone: undefined });
    expect(await store.Get(KEY, 'accesstoken', idx)).toEqual([
      { token: { access_token: 'b' }, keep: 1, extra: true, createdAt: T0 + 7000 },
    ]);
    const [row] = await raw('accesstoken');
    expect(Object.keys(row!.doc).sort()).toEqual(['clientId', 'data', 'iv', 'platformUrl', 'scopes']);
    await expect(store.Modify(false, 'platform', { kid: 'k' }, undefined as never)).rejects.toThrow('MISSING_PARAMS');
  });

  it('Delete removes every matching document and nothing else', async () => {
    await store.Insert(false, 'nonce', { nonce: 'a' });
    await store.Insert(false, 'nonce', { nonce: 'a' });
    await store.Insert(false, 'nonce', { nonce: 'b' });
    expect(await store.Delete('nonce', { nonce: 'a' })).toBe(true);
    expect(await store.Get(false, 'nonce')).toEqual([{ nonce: 'b', createdAt: new Date(T0) }]);
    await expect(store.Delete('nonce', undefined as never)).rejects.toThrow('MISSING_PARAMS');
    await store.Delete('nonce', {});
    expect(await count()).toBe(0);
  });

  it('honours TTLs: a nonce is gone after 10 s, a state after 600 s; sweep() deletes expired rows only', async () => {
    await store.Insert(false, 'nonce', { nonce: 'n1' });
    await store.Insert(false, 'state', { state: 's1', query: { a: '1' } });
    await store.Insert(false, 'platformStatus', { id: 'forever', active: true });
    await store.Insert(false, 'idtoken', { iss: 'i', user: 'u' });
    now = T0 + 9_999;
    expect(await store.Get(false, 'nonce', { nonce: 'n1' })).toHaveLength(1);
    expect(await store.sweep()).toBe(0);
    now = T0 + 10_000;
    expect(await store.Get(false, 'nonce', { nonce: 'n1' })).toBe(false);
    expect(await raw('nonce')).toHaveLength(1); // invisible, not yet deleted
    expect(await store.Get(false, 'state', { state: 's1' })).toHaveLength(1);
    expect(await store.sweep()).toBe(1);
    expect(await raw('nonce')).toHaveLength(0);

    now = T0 + 599_999;
    expect(await store.Get(false, 'state')).toHaveLength(1);
    now = T0 + 600_001;
    expect(await store.Get(false, 'state')).toBe(false);
    // An expired document is not modified either.
    await store.Modify(false, 'state', { state: 's1' }, { query: { b: '2' } });
    expect((await raw('state'))[0]!.doc).toEqual({ state: 's1', query: { a: '1' } });
    // A new state with the value of an expired, unswept one is accepted (the expired row yields).
    await store.Insert(false, 'state', { state: 's1', query: {} });
    expect(await store.Get(false, 'state')).toEqual([{ state: 's1', query: {}, createdAt: new Date(T0 + 600_001) }]);
    now = T0 + 1_200_001;
    expect(await store.sweep()).toBe(1);
    now = T0 + 24 * 3600_000;
    expect(await store.sweep()).toBe(1); // the idtoken
    expect(await store.Get(false, 'platformStatus')).toHaveLength(1); // no TTL
    expect(await count()).toBe(1);
    const [status] = await raw('platformStatus');
    expect(status!.expires_at).toBeNull();
  });

  it('enforces the unique keys of ltijs’s schemas', async () => {
    const dup = /LTI_STORE_DUPLICATE/;
    await store.Insert(false, 'platform', { platformUrl: 'u', clientId: 'c', kid: 'k1' });
    await expect(store.Insert(false, 'platform', { platformUrl: 'u', clientId: 'c', kid: 'k2' })).rejects.toThrow(dup);
    await expect(store.Insert(false, 'platform', { platformUrl: 'u2', clientId: 'c', kid: 'k1' })).rejects.toThrow(dup);
    await store.Insert(false, 'platform', { platformUrl: 'u', clientId: 'c2', kid: 'k2' });
    await store.Insert(false, 'publickey', { kid: 'k1', iv: 'i', data: 'd' });
    await store.Insert(false, 'privatekey', { kid: 'k1', iv: 'i', data: 'd' }); // another collection
    await expect(store.Insert(false, 'publickey', { kid: 'k1', iv: 'j', data: 'e' })).rejects.toThrow(dup);
    await expect(store.Insert(false, 'privatekey', { kid: 'k1', iv: 'j', data: 'e' })).rejects.toThrow(dup);
    await store.Insert(false, 'platformStatus', { id: 'k1', active: true });
    await expect(store.Insert(false, 'platformStatus', { id: 'k1', active: false })).rejects.toThrow(dup);
    const idx = { platformUrl: 'u', clientId: 'c', scopes: 's' };
    await store.Insert(KEY, 'accesstoken', { token: {} }, idx);
    await store.Insert(KEY, 'accesstoken', { token: {} }, { ...idx, scopes: 's2' });
    await expect(store.Insert(KEY, 'accesstoken', { token: {} }, idx)).rejects.toThrow(dup);
    await store.Insert(false, 'state', { state: 's' });
    await expect(store.Insert(false, 'state', { state: 's' })).rejects.toThrow(dup);
    // A modification that would collide is refused too, and changes nothing.
    await expect(store.Modify(false, 'platform', { kid: 'k2' }, { clientId: 'c' })).rejects.toThrow(dup);
    expect(await store.Get(false, 'platform', { kid: 'k2' })).toEqual([expect.objectContaining({ clientId: 'c2' })]);
    // Non-unique collections take duplicates.
    await store.Insert(false, 'nonce', { nonce: 'n' });
    await store.Insert(false, 'nonce', { nonce: 'n' });
    expect(await store.Get(false, 'nonce')).toHaveLength(2);
  });

  it('concurrent Replace calls on one query leave exactly one document', async () => {
    const writes = Array.from({ length: 16 }, (_, i) =>
      store.Replace(false, 'idtoken', i % 2 ? { iss: 'i', user: 'u' } : { user: 'u', iss: 'i' }, { iss: 'i', user: 'u', n: i }),
    );
    const statuses = Array.from({ length: 16 }, (_, i) =>
      store.Replace(false, 'platformStatus', { id: 'p' }, { id: 'p', active: i % 2 === 0 }),
    );
    await Promise.all([...writes, ...statuses]);
    const tokens = (await store.Get(false, 'idtoken')) as LtiDoc[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.n).toEqual(expect.any(Number));
    expect(await store.Get(false, 'platformStatus')).toHaveLength(1);
  });

  it('rejects unknown collections and writes nothing', async () => {
    const unknown = /LTI_STORE_UNKNOWN_COLLECTION: "platforms"/;
    await expect(store.Insert(false, 'platforms', { a: 1 })).rejects.toThrow(unknown);
    await expect(store.Replace(false, 'platforms', { a: 1 }, { a: 1 })).rejects.toThrow(unknown);
    await expect(store.Get(false, 'platforms')).rejects.toThrow(unknown);
    await expect(store.Modify(false, 'platforms', { a: 1 }, { a: 2 })).rejects.toThrow(unknown);
    await expect(store.Delete('platforms', {})).rejects.toThrow(unknown);
    await expect(store.Get(false, 'toString')).rejects.toThrow('LTI_STORE_UNKNOWN_COLLECTION');
    await expect(store.Get(false, '')).rejects.toThrow('MISSING_COLLECTION');
    expect(await count()).toBe(0);
  });

  it('stores hostile strings and large values intact, in clear and encrypted, and queries by them', async () => {
    const hostile = [
      `it's "quoted" \\ back\\\\slashed \\u0000 not a NUL`,
      `'); drop table lti_store; --`,
      '$1 $$ ${x} %s ? :name',
      'ünïcødé 日本語 עברית 🎓👩🏽‍🏫 e\u0301 \u2028\u2029 \t\r\n',
      '{"json":"in a string"}',
      'x'.repeat(100 * 1024),
    ];
    for (const [i, s] of hostile.entries()) {
      const item = { contextId: `ctx-${i}`, user: s, path: s, custom: { [s.slice(0, 64)]: s, list: [s, i] } };
      await store.Insert(false, 'contexttoken', item);
      expect(await store.Get(false, 'contexttoken', { user: s })).toEqual([{ ...item, createdAt: new Date(T0) }]);
      const idx = { platformUrl: s.slice(0, 200), clientId: `c${i}`, scopes: 's' };
      await store.Replace(KEY, 'accesstoken', idx, { token: { access_token: s } }, idx);
      expect(await store.Get(KEY, 'accesstoken', idx)).toEqual([{ token: { access_token: s }, createdAt: T0 }]);
      await store.Modify(false, 'contexttoken', { contextId: `ctx-${i}` }, { path: s + s });
      expect(((await store.Get(false, 'contexttoken', { contextId: `ctx-${i}` })) as LtiDoc[])[0]!.path).toBe(s + s);
    }
    expect(await raw('contexttoken')).toHaveLength(hostile.length);
    await store.Delete('contexttoken', { user: hostile[1] });
    expect(await raw('contexttoken')).toHaveLength(hostile.length - 1);
  });

  it('drives real ltijs: register, get, activate, keyset, nonce, cached access token, delete', async () => {
    // A store on the real clock: ltijs compares createdAt with Date.now().
    const live = new PgLtiStore(database.db);
    const { Provider } = require('ltijs') as { Provider: object };
    const lti = new (Provider.constructor as new () => any)();
    lti.setup(KEY, { plugin: live }, { cookies: {}, devMode: false });
    await live.setup();
    const Keyset = require('ltijs/dist/Utils/Keyset') as { build(db: unknown, key: string): Promise<{ keys: Record<string, string>[] }> };
    const Auth = require('ltijs/dist/Utils/Auth') as { validateNonce(token: { nonce: string }, db: unknown): Promise<boolean> };

    const url = `https://lms.example.edu/${backend.name}`;
    const registered = await lti.registerPlatform({
      url,
      name: 'Example LMS',
      clientId: 'client-1',
      authenticationEndpoint: `${url}/auth`,
      accesstokenEndpoint: `${url}/token`,
      authConfig: { method: 'JWK_SET', key: 'https://x/jwks' },
    });
    const kid = await registered.platformKid();
    expect(kid).toMatch(/^[0-9a-f]{32}$/);

    const platform = await lti.getPlatform(url, 'client-1');
    expect(await platform.platformName()).toBe('Example LMS');
    expect(await platform.platformAuthConfig()).toEqual({ method: 'JWK_SET', key: 'https://x/jwks' });
    expect(await lti.getPlatform(url, 'other-client')).toBe(false);
    expect(await lti.getPlatformById(kid)).toBeTruthy();
    expect(await platform.platformActive()).toBe(true); // no status document: active
    expect(await platform.platformActive(false)).toBe(false);
    expect(await platform.platformActive()).toBe(false);
    await platform.platformActive(true);
    expect(await live.Get(false, 'platformStatus')).toHaveLength(1);

    // Keys are stored encrypted; the keyset serves the platform's public key.
    const stored = await raw('privatekey');
    expect(JSON.stringify(stored)).not.toContain('PRIVATE KEY');
    const publicPem = await platform.platformPublicKey();
    expect(publicPem).toContain('BEGIN PUBLIC KEY');
    expect(await platform.platformPrivateKey()).toContain('BEGIN RSA PRIVATE KEY');
    const keyset = await Keyset.build(live, KEY);
    expect(keyset.keys).toHaveLength(1);
    expect(keyset.keys[0]).toMatchObject({
      kid,
      alg: 'RS256',
      use: 'sig',
      kty: 'RSA',
      n: createPublicKey(publicPem).export({ format: 'jwk' }).n,
    });

    // Registering again updates through Modify.
    await lti.registerPlatform({ url, clientId: 'client-1', name: 'Renamed LMS' });
    expect(await (await lti.getPlatform(url, 'client-1')).platformName()).toBe('Renamed LMS');
    expect(await lti.getAllPlatforms()).toHaveLength(1);

    // Nonces: the first is stored, a replay is refused.
    expect(await Auth.validateNonce({ nonce: 'nonce-1' }, live)).toBe(true);
    await expect(Auth.validateNonce({ nonce: 'nonce-1' }, live)).rejects.toThrow('NONCE_ALREADY_RECEIVED');

    // An access token stored as Auth.getAccessToken stores it is served from the store (no request is made:
    // the token endpoint does not exist), which needs createdAt in ms.
    const scopes = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
    const idx = { platformUrl: url, clientId: 'client-1', scopes };
    await live.Replace(KEY, 'accesstoken', idx, { token: { access_token: 'cached', token_type: 'bearer', expires_in: 3600 } }, idx);
    expect(await platform.platformAccessToken(scopes)).toEqual({ access_token: 'cached', token_type: 'Bearer', expires_in: 3600 });

    await lti.deletePlatform(url, 'client-1');
    expect(await lti.getPlatform(url, 'client-1')).toBe(false);
    expect((await Keyset.build(live, KEY)).keys).toEqual([]);
    for (const c of ['platform', 'platformStatus', 'publickey', 'privatekey']) expect(await raw(c)).toHaveLength(0);
    expect(await live.Close()).toBe(true);
    await database.ping();
  });
});
