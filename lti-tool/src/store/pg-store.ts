/**
 * ltijs's database plugin on our PostgreSQL: `lti.setup(key, { plugin: new PgLtiStore(db) }, options)`.
 *
 * It follows the contract of ltijs's own Database.js (mongoose): Get/Insert/Replace/Modify/Delete on nine
 * collections, encrypted documents stored as `{ ...index, iv, data }`. All documents live in one table,
 * `lti_store` (schema.ts), as jsonb. Collections with a TTL get an `expires_at`; expired rows are invisible at
 * once and deleted by `sweep()`, which the housekeeping job calls. SQL goes through `db.execute` only, so
 * node-postgres and PGlite behave alike.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DrizzleQueryError, sql, type SQL } from 'drizzle-orm';
import type { PgDatabase } from 'drizzle-orm/pg-core';

/** Each ltijs collection and its TTL in seconds (the `expires` of its mongoose schema); null: no TTL. */
export const LTI_COLLECTIONS = {
  idtoken: 24 * 3600,
  contexttoken: 24 * 3600,
  accesstoken: 3600,
  nonce: 10,
  state: 600,
  platform: null,
  platformStatus: null,
  publickey: null,
  privatekey: null,
} as const satisfies Record<string, number | null>;
export type LtiCollection = keyof typeof LTI_COLLECTIONS;

export type LtiDoc = Record<string, unknown>;
/** ltijs passes its encryption key, or `false` for collections it stores in clear. */
type Key = string | false | null | undefined;
type Runner = Pick<PgDatabase<any, any, any>, 'execute'>;

/** Arbitrary constant: the first half of the advisory lock key that serialises Replace calls on one query. */
const REPLACE_LOCK_CLASS = 0x4c54_4953; // 'LTIS'
const KDF_SALT = 'lt/lti-tool pg-store v1';
const TAG_BYTES = 16;

export class PgLtiStore {
  readonly #db: PgDatabase<any, any, any>;
  readonly #now: () => number;
  #open = false;

  constructor(db: PgDatabase<any, any, any>, opts: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = opts.now ?? Date.now;
  }

  /** ltijs calls this from deploy(). The database connection is ours and already open. */
  async setup(): Promise<true> {
    this.#open = true;
    return true;
  }

  /** ltijs calls this from close(). The connection is shared with the rest of the app: leave it open. */
  async Close(): Promise<true> {
    this.#open = false;
    return true;
  }

  /**
   * The documents matching `query` (all of the collection without one), or `false` when none match. With a key,
   * the decrypted documents with `createdAt` in milliseconds, as ltijs's Database.Get returns them.
   */
  async Get(key: Key, collection: string, query?: LtiDoc): Promise<LtiDoc[] | false> {
    this.#assertOpen();
    if (!collection) throw new Error('MISSING_COLLECTION');
    ttlOf(collection);
    const found = await run<{ doc: LtiDoc; created_ms: number }>(
      this.#db,
      sql`select doc, (extract(epoch from created_at) * 1000)::float8 as created_ms
          from lti_store where ${matching(collection, query, this.#now())} order by id`,
    );
    if (found.length === 0) return false;
    return found.map(({ doc, created_ms }) =>
      key
        ? { ...(JSON.parse(this.Decrypt(doc.data as string, doc.iv as string, key)) as LtiDoc), createdAt: created_ms }
        : { ...doc, createdAt: new Date(created_ms) },
    );
  }

  /** Inserts a document; a duplicate of a unique key throws. With a key, `index` holds the clear fields. */
  async Insert(key: Key, collection: string, item: LtiDoc, index?: LtiDoc): Promise<true> {
    this.#assertOpen();
    if (!collection || !item || (key && !index)) throw new Error('MISSING_PARAMS');
    const ttl = ttlOf(collection);
    const doc = this.#stored(key, item, index);
    await this.#write(collection, ttl, (now) =>
      run(
        this.#db,
        sql`insert into lti_store (collection, doc, created_at, expires_at) values (${collection}, ${doc}::jsonb, ${iso(now)}::timestamptz, ${expiry(now, ttl)}::timestamptz)`,
      ),
    );
    return true;
  }

  /**
   * Replaces the first document matching `query`, or inserts one (mongoose `replaceOne` with upsert). A
   * replaced document is new: its createdAt, and so its TTL, start again (ltijs relies on this for access tokens).
   * Replace calls on the same query are serialised by an advisory lock, so concurrent calls leave one document.
   */
  async Replace(key: Key, collection: string, query: LtiDoc, item: LtiDoc, index?: LtiDoc): Promise<true> {
    this.#assertOpen();
    if (!collection || !query || !item || (key && !index)) throw new Error('MISSING_PARAMS');
    const ttl = ttlOf(collection);
    const doc = this.#stored(key, item, index);
    const lockKey = `${collection}:${canonical(query)}`;
    await this.#write(collection, ttl, (now) =>
      this.#db.transaction(async (tx) => {
        await run(tx, sql`select pg_advisory_xact_lock(${REPLACE_LOCK_CLASS}::int, hashtext(${lockKey}::text))`);
        // A new statement after the lock: READ COMMITTED gives it a snapshot that sees the previous holder's row.
        await run(
          tx,
          sql`with target as (
                select id from lti_store where ${matching(collection, query, now)} order by id limit 1 for update
              ), replaced as (
                update lti_store s set doc = ${doc}::jsonb, created_at = ${iso(now)}::timestamptz, expires_at = ${expiry(now, ttl)}::timestamptz
                from target where s.id = target.id returning s.id
              )
              insert into lti_store (collection, doc, created_at, expires_at)
              select ${collection}, ${doc}::jsonb, ${iso(now)}::timestamptz, ${expiry(now, ttl)}::timestamptz
              where not exists (select 1 from replaced)`,
        );
      }),
    );
    return true;
  }

  /**
   * `$set` of the modification's top-level keys on every matching document; createdAt is kept. With a key, the
   * encrypted payload is decrypted, merged and encrypted again (ltijs's own version merges the first key only).
   */
  async Modify(key: Key, collection: string, query: LtiDoc, modification: LtiDoc): Promise<true> {
    this.#assertOpen();
    if (!collection || !query || !modification) throw new Error('MISSING_PARAMS');
    const ttl = ttlOf(collection);
    // mongoose drops undefined values from an update, as JSON.stringify does.
    const mod = clean(Object.fromEntries(Object.entries(modification).filter(([, v]) => v !== undefined)));
    if (Object.keys(mod).length === 0) return true;
    if (!key) {
      await this.#write(collection, ttl, (now) =>
        run(this.#db, sql`update lti_store set doc = doc || ${JSON.stringify(mod)}::jsonb where ${matching(collection, query, now)}`),
      );
      return true;
    }
    await this.#write(collection, ttl, (now) =>
      this.#db.transaction(async (tx) => {
        const found = await run<{ id: string; doc: LtiDoc }>(
          tx,
          sql`select id::text as id, doc from lti_store where ${matching(collection, query, now)} order by id for update`,
        );
        for (const { id, doc } of found) {
          const merged = { ...(JSON.parse(this.Decrypt(doc.data as string, doc.iv as string, key)) as LtiDoc), ...mod };
          const sealed = this.Encrypt(JSON.stringify(merged), key);
          await run(tx, sql`update lti_store set doc = doc || ${JSON.stringify(sealed)}::jsonb where id = ${id}::bigint`);
        }
      }),
    );
    return true;
  }

  /** Deletes every matching document, expired or not. */
  async Delete(collection: string, query: LtiDoc): Promise<true> {
    this.#assertOpen();
    if (!collection || !query) throw new Error('MISSING_PARAMS');
    ttlOf(collection);
    await run(this.#db, sql`delete from lti_store where ${matching(collection, query, null)}`);
    return true;
  }

  /** Deletes expired documents; returns how many. Works whether or not ltijs has set the store up. */
  async sweep(): Promise<number> {
    const [res] = await run<{ n: number }>(
      this.#db,
      sql`with gone as (delete from lti_store where expires_at <= ${iso(this.#now())}::timestamptz returning 1) select count(*)::int as n from gone`,
    );
    return res?.n ?? 0;
  }

  /** AES-256-GCM with a random 12-byte IV; `data` is base64 of ciphertext and tag, `iv` is hex. */
  Encrypt(data: string, secret: string): { iv: string; data: string } {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', deriveKey(secret), iv, { authTagLength: TAG_BYTES });
    const sealed = Buffer.concat([cipher.update(data, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { iv: iv.toString('hex'), data: sealed.toString('base64') };
  }

  /** Throws when the data was altered or the secret is not the one it was encrypted with. */
  Decrypt(data: string, iv: string, secret: string): string {
    const ivBytes = Buffer.from(String(iv), 'hex');
    const sealed = Buffer.from(String(data), 'base64');
    if (typeof data !== 'string' || ivBytes.length !== 12 || sealed.length < TAG_BYTES)
      throw new Error('LTI_STORE_DECRYPT_FAILED: malformed encrypted document');
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret), ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new Error('LTI_STORE_DECRYPT_FAILED: wrong key or tampered data', { cause });
    }
  }

  #assertOpen(): void {
    // As ltijs's Database: nothing works before setup() (deploy) or after Close().
    if (!this.#open) throw new Error('PROVIDER_NOT_DEPLOYED');
  }

  /** The jsonb text to store: the item, or with a key `{ ...index, iv, data }`. */
  #stored(key: Key, item: LtiDoc, index: LtiDoc | undefined): string {
    if (!isPlainObject(item) || (index !== undefined && !isPlainObject(index)))
      throw new Error('LTI_STORE_INVALID_DOCUMENT: documents must be plain objects');
    return JSON.stringify(clean(key ? { ...index, ...this.Encrypt(JSON.stringify(item), key) } : item));
  }

  /**
   * Runs a write; a unique violation becomes LTI_STORE_DUPLICATE. In a TTL collection the conflicting row may be
   * expired but not yet swept: then the collection's expired rows are deleted and the write is tried once more.
   */
  async #write<T>(collection: string, ttl: number | null, op: (now: number) => Promise<T>): Promise<T> {
    const now = this.#now();
    try {
      return await op(now);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      let cause = err;
      if (ttl !== null) {
        await run(this.#db, sql`delete from lti_store where collection = ${collection} and expires_at <= ${iso(now)}::timestamptz`);
        try {
          return await op(now);
        } catch (again) {
          if (!isUniqueViolation(again)) throw again;
          cause = again;
        }
      }
      throw new Error(`LTI_STORE_DUPLICATE: a ${collection} document with the same unique key exists`, { cause });
    }
  }
}

/** The TTL of a collection; throws on names ltijs does not use, so a typo cannot write junk. */
function ttlOf(collection: string): number | null {
  if (!Object.hasOwn(LTI_COLLECTIONS, collection))
    throw new Error(`LTI_STORE_UNKNOWN_COLLECTION: "${collection}" is not an ltijs collection`);
  return LTI_COLLECTIONS[collection as LtiCollection];
}

/**
 * The WHERE clause for a collection and an equality query on top-level keys; `now` (ms) hides expired rows.
 * As mongoose sends it, a key whose value is undefined or null matches documents where it is null or missing
 * (the driver serialises undefined as null; it is not dropped). Other values: jsonb containment, which the
 * GIN index serves, and for objects and arrays exact equality besides (containment alone would match supersets).
 */
function matching(collection: string, query: LtiDoc | undefined, now: number | null): SQL {
  const parts: SQL[] = [sql`collection = ${collection}`];
  if (now !== null) parts.push(sql`(expires_at is null or expires_at > ${iso(now)}::timestamptz)`);
  const contains: LtiDoc = {};
  for (const [k, v] of Object.entries(query ?? {})) {
    if (k.startsWith('$') || (isPlainObject(v) && Object.keys(v).some((o) => o.startsWith('$')))) {
      throw new Error(`LTI_STORE_UNSUPPORTED_QUERY: only top-level equality is supported (key "${k}")`);
    }
    if (v === undefined || v === null) {
      parts.push(sql`coalesce(doc -> ${k}::text, 'null'::jsonb) = 'null'::jsonb`);
      continue;
    }
    contains[k] = v;
    if (typeof v === 'object') parts.push(sql`doc -> ${k}::text = ${JSON.stringify(v)}::jsonb`);
  }
  if (Object.keys(contains).length > 0) parts.push(sql`doc @> ${JSON.stringify(contains)}::jsonb`);
  return sql.join(parts, sql` and `);
}

/** Rows of a statement; drizzle's error wrapper (its message holds every parameter, i.e. whole documents) is removed. */
async function run<T = Record<string, unknown>>(db: Runner, query: SQL): Promise<T[]> {
  try {
    return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  } catch (err) {
    throw err instanceof DrizzleQueryError && err.cause ? err.cause : err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

/** Drops what mongoose manages itself; createdAt is the created_at column. */
function clean(doc: LtiDoc): LtiDoc {
  const { _id: _ignoredId, __v: _ignoredVersion, createdAt: _ignoredCreatedAt, ...rest } = doc;
  return rest;
}

function isPlainObject(v: unknown): v is LtiDoc {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** A stable text for a query, keys sorted; undefined reads as null, as it matches. */
function canonical(query: LtiDoc): string {
  return JSON.stringify(
    Object.keys(query)
      .sort()
      .map((k) => [k, query[k] ?? null]),
  );
}

function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, KDF_SALT, 'ltijs document encryption', 32));
}

const iso = (ms: number) => new Date(ms).toISOString();
const expiry = (now: number, ttl: number | null) => (ttl === null ? null : iso(now + ttl * 1000));
