/**
 * The data layer on both backends: embedded PGlite and a PostgreSQL server. Same migrations, same services,
 * same guarantees. Real databases and a real Redis (for the realtime module CourseService writes through).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { freshPgDatabase, REDIS_URL } from '../../test/harness.js';
import { openDatabase, rows, type Database } from './client.js';
import { apiKeys } from '../apikeys/tables.js';
import { courses, memberships } from '../courses/tables.js';
import { streamCounters } from '../realtime/tables.js';
import { deployments, tenants } from '../tenants/tables.js';
import { users } from '../users/tables.js';
import { ensureDeployment, getTenant, upsertTenant } from '../tenants/service.js';
import { upsertUser } from '../users/service.js';
import { CourseService } from '../courses/service.js';
import { Realtime, defineStream, type EventShape } from '../realtime/realtime.js';
import { Access } from '../auth/access.js';
import { ActivityService } from '../activity/service.js';
import { appendEvent, headSeq, readEvents } from '../realtime/events.js';
import { redisClient } from '../redis.js';
import { createLogger } from '../logger.js';

const TABLES = ['api_keys', 'courses', 'deployments', 'memberships', 'stream_counters', 'stream_events', 'tenants', 'users'];

interface Backend {
  name: 'pglite' | 'postgres';
  /** A database that lives for the whole describe block. */
  open(): Promise<Database>;
  /** A separate, persistent location: open it, close it, open it again. */
  persistent(): Promise<{ open: () => Promise<Database>; cleanup: () => Promise<void> }>;
  cleanup(): Promise<void>;
}

function pgliteBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: 'pglite',
    open: () => openDatabase({ pgliteDir: 'memory://' }),
    async persistent() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'lt-pglite-'));
      dirs.push(dir);
      // As `npm start` does: <DATA_DIR>/pglite, a directory that does not exist before the first start.
      return {
        open: () => openDatabase({ pgliteDir: path.join(dir, 'pglite') }),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
    async cleanup() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): Backend {
  const drops: (() => Promise<void>)[] = [];
  return {
    name: 'postgres',
    async open() {
      const fresh = await freshPgDatabase();
      drops.push(fresh.drop);
      return openDatabase({ databaseUrl: fresh.url, poolMax: 10 });
    },
    async persistent() {
      const fresh = await freshPgDatabase();
      drops.push(fresh.drop);
      return { open: () => openDatabase({ databaseUrl: fresh.url }), cleanup: fresh.drop };
    },
    async cleanup() {
      for (const d of drops) await d().catch(() => {});
    },
  };
}

let n = 0;
const uniq = (label: string) => `${label}-${process.pid}-${++n}`;

/** The Postgres error code of a failed query, through drizzle's wrapper when there is one. */
function pgCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.cause?.code ?? e?.code;
}

describe.each([
  { name: 'PGlite', make: pgliteBackend },
  { name: 'PostgreSQL server', make: postgresBackend },
])('data layer on $name', ({ make }) => {
  const backend = make();
  let database: Database;
  let pub: Redis;
  let sub: Redis;
  let realtime: Realtime;
  let courseService: CourseService;

  beforeAll(async () => {
    database = await backend.open();
    pub = redisClient(REDIS_URL, { maxRetriesPerRequest: 2 });
    sub = redisClient(REDIS_URL, { maxRetriesPerRequest: null });
    const log = createLogger('silent');
    realtime = new Realtime(database.db, pub, sub, log);
    await realtime.hub.start();
    const access = new Access(database.db, realtime);
    courseService = new CourseService(database.db, realtime, access, new ActivityService(database.db, realtime, access));
  });

  afterAll(async () => {
    realtime?.close();
    await Promise.allSettled([pub?.quit(), sub?.quit()]);
    await database?.close();
    await backend.cleanup();
  });

  const tenant = (label = 'T') =>
    upsertTenant(database.db, { issuer: `https://${uniq(label)}.example.edu`, clientId: 'client-1', name: `LMS ${label}` });

  it(`opens the ${backend.name} backend with every table migrated`, async () => {
    expect(database.kind).toBe(backend.name);
    await database.ping();
    const found = await rows<{ table_name: string }>(
      database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    expect(found.map((r) => r.table_name)).toEqual(expect.arrayContaining(TABLES));
    const uniques = await rows<{ indexname: string }>(
      database.db,
      sql`select indexname from pg_indexes where schemaname = 'public' and indexdef like 'CREATE UNIQUE%'`,
    );
    expect(uniques.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'tenants_issuer_client_uq',
        'courses_tenant_context_uq',
        'users_tenant_subject_uq',
        'deployments_tenant_deployment_uq',
        'api_keys_prefix_uq',
      ]),
    );
  });

  it('opening a second time re-applies nothing and keeps the data', async () => {
    const place = await backend.persistent();
    try {
      const first = await place.open();
      const t = await upsertTenant(first.db, { issuer: 'https://persist.example.edu', clientId: 'c', name: 'Persisted' });
      const [u] = await first.db.insert(users).values({ tenantId: t.id, subject: 's-1', name: 'Kept' }).returning();
      const migrations1 = await rows<{ id: number; hash: string; created_at: string }>(
        first.db,
        sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id`,
      );
      expect(migrations1.length).toBeGreaterThanOrEqual(1);
      await first.close();

      const second = await place.open();
      try {
        const migrations2 = await rows<{ id: number; hash: string; created_at: string }>(
          second.db,
          sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id`,
        );
        expect(migrations2).toEqual(migrations1);
        expect((await getTenant(second.db, t.id))?.name).toBe('Persisted');
        const [again] = await second.db.select().from(users).where(eq(users.id, u!.id));
        expect(again?.name).toBe('Kept');
        // And it still writes.
        expect((await upsertTenant(second.db, { issuer: 'https://persist.example.edu', clientId: 'c', name: 'Renamed' })).id).toBe(t.id);
      } finally {
        await second.close();
      }
    } finally {
      await place.cleanup();
    }
  });

  it('upsertTenant, upsertUser and ensureDeployment are idempotent and update fields', async () => {
    const { db } = database;
    const issuer = `https://${uniq('idem')}.example.edu`;
    const t1 = await upsertTenant(db, { issuer, clientId: 'abc', name: 'Old name' });
    const t2 = await upsertTenant(db, { issuer, clientId: 'abc', name: 'New name', platform: 'moodle' });
    expect(t2.id).toBe(t1.id);
    expect(t2).toMatchObject({ name: 'New name', platform: 'moodle', issuer, clientId: 'abc' });
    expect(t2.updatedAt.getTime()).toBeGreaterThanOrEqual(t1.updatedAt.getTime());
    // Omitting the platform keeps it.
    expect((await upsertTenant(db, { issuer, clientId: 'abc', name: 'New name' })).platform).toBe('moodle');
    // Another client id of the same issuer is another tenant.
    expect((await upsertTenant(db, { issuer, clientId: 'other', name: 'x' })).id).not.toBe(t1.id);
    expect(
      (
        await db
          .select({ n: count() })
          .from(tenants)
          .where(and(eq(tenants.issuer, issuer), eq(tenants.clientId, 'abc')))
      )[0]!.n,
    ).toBe(1);

    const u1 = await upsertUser(db, { tenantId: t1.id, subject: 'sub-1', name: 'Ada', email: 'ada@example.edu' });
    const u2 = await upsertUser(db, { tenantId: t1.id, subject: 'sub-1', name: 'Ada L.', email: null, picture: 'https://pic' });
    expect(u2.id).toBe(u1.id);
    expect(u2).toMatchObject({ name: 'Ada L.', email: null, picture: 'https://pic' });
    expect((await db.select({ n: count() }).from(users).where(eq(users.tenantId, t1.id)))[0]!.n).toBe(1);

    const d1 = await ensureDeployment(db, t1.id, 'dep-1');
    const d2 = await ensureDeployment(db, t1.id, 'dep-1');
    expect(d2.id).toBe(d1.id);
    expect(d1).toMatchObject({ tenantId: t1.id, deploymentId: 'dep-1' });
    expect((await ensureDeployment(db, t1.id, 'dep-2')).id).not.toBe(d1.id);
    expect((await db.select({ n: count() }).from(deployments).where(eq(deployments.tenantId, t1.id)))[0]!.n).toBe(2);
  });

  it('unique constraints: one context id in two tenants is two courses; twice in one tenant is one', async () => {
    const { db } = database;
    const [a, b] = [await tenant('A'), await tenant('B')];
    const ca = await courseService.upsertCourse({ tenantId: a.id, contextId: 'ctx-shared', title: 'Algebra' });
    const cb = await courseService.upsertCourse({ tenantId: b.id, contextId: 'ctx-shared', title: 'Biology' });
    expect(ca.id).not.toBe(cb.id);
    const ca2 = await courseService.upsertCourse({ tenantId: a.id, contextId: 'ctx-shared', title: 'Algebra II', label: 'ALG' });
    expect(ca2.id).toBe(ca.id);
    expect(ca2).toMatchObject({ title: 'Algebra II', label: 'ALG' });
    // Unchanged input returns the row as it is.
    expect(
      (await courseService.upsertCourse({ tenantId: a.id, contextId: 'ctx-shared', title: 'Algebra II', label: 'ALG' })).updatedAt,
    ).toEqual(ca2.updatedAt);

    // The constraints themselves, bypassing the services.
    const dupCourse = await db
      .insert(courses)
      .values({ tenantId: a.id, contextId: 'ctx-shared', title: 'dup' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(pgCode(dupCourse)).toBe('23505');
    const dupTenant = await db
      .insert(tenants)
      .values({ issuer: a.issuer, clientId: a.clientId, name: 'dup' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(pgCode(dupTenant)).toBe('23505');
    await db.insert(users).values({ tenantId: a.id, subject: 'same-sub', name: 'x' });
    await db.insert(users).values({ tenantId: b.id, subject: 'same-sub', name: 'y' }); // other tenant: fine
    const dupUser = await db
      .insert(users)
      .values({ tenantId: a.id, subject: 'same-sub', name: 'z' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(pgCode(dupUser)).toBe('23505');
    // A foreign key to a tenant that does not exist is refused.
    const orphan = await db
      .insert(courses)
      .values({ tenantId: '00000000-0000-4000-8000-000000000000', contextId: 'c', title: 't' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(pgCode(orphan)).toBe('23503');
  });

  it('appendEvent numbers each stream 1, 2, 3... independently and readEvents returns them in order', async () => {
    const t = await tenant('ev');
    const s1 = defineStream<{ type: 'test.a'; payload: { i?: number } }>('course')(uniq('seq-a'));
    const s2 = defineStream<{ type: 'test.b'; payload: { i: number } }>('course')(uniq('seq-b'));
    expect(await headSeq(database.db, s1)).toBe(0);
    const got1: number[] = [];
    const got2: number[] = [];
    for (let i = 0; i < 5; i++) {
      got1.push(
        (await database.db.transaction((tx) => appendEvent(tx, { stream: s1, tenantId: t.id, type: 'test.a', payload: { i } }))).seq,
      );
      if (i % 2 === 0)
        got2.push(
          (await database.db.transaction((tx) => appendEvent(tx, { stream: s2, tenantId: t.id, type: 'test.b', payload: { i } }))).seq,
        );
    }
    expect(got1).toEqual([1, 2, 3, 4, 5]);
    expect(got2).toEqual([1, 2, 3]);
    expect(await headSeq(database.db, s1)).toBe(5);

    const read = await readEvents(database.db, s1, 0, 100);
    expect(read.map((e) => [e.seq, e.payload.i, e.type, e.tenantId])).toEqual([0, 1, 2, 3, 4].map((i) => [i + 1, i, 'test.a', t.id]));
    expect(Date.parse(read[0]!.at)).not.toBeNaN();
    expect((await readEvents(database.db, s1, 2, 2)).map((e) => e.seq)).toEqual([3, 4]);
    expect((await readEvents(database.db, s1, 1, 100, 3)).map((e) => e.seq)).toEqual([2, 3]);
    expect((await readEvents(database.db, s2, 0, 100)).map((e) => e.payload.i)).toEqual([0, 2, 4]);

    // A rolled-back transaction gives its number back: no hole.
    await expect(
      database.db.transaction(async (tx) => {
        await appendEvent(tx, { stream: s1, tenantId: t.id, type: 'test.a', payload: {} });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await database.db.transaction((tx) => appendEvent(tx, { stream: s1, tenantId: t.id, type: 'test.a', payload: {} }))).seq).toBe(
      6,
    );
    expect((await readEvents(database.db, s1, 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    await expect(appendEvent(database.db, { stream: 'no colon', tenantId: t.id, type: 'x', payload: {} })).rejects.toThrow(
      /invalid stream name/,
    );
  });

  it('20 concurrent transactions appending to two streams get 1..20 on each, no gap, no duplicate', async () => {
    const t = await tenant('conc');
    const conc = defineStream<{ type: 'test.c'; payload: { w: number } }>('course');
    const s1 = conc(uniq('conc-a'));
    const s2 = conc(uniq('conc-b'));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, w) =>
        database.db.transaction(async (tx) => {
          const a = await appendEvent(tx, { stream: s1, tenantId: t.id, type: 'test.c', payload: { w } });
          await tx.execute(sql`select 1`); // let other transactions interleave
          const b = await appendEvent(tx, { stream: s2, tenantId: t.id, type: 'test.c', payload: { w } });
          return { w, a: a.seq, b: b.seq };
        }),
      ),
    );
    const range = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(results.map((r) => r.a).sort((x, y) => x - y)).toEqual(range);
    expect(results.map((r) => r.b).sort((x, y) => x - y)).toEqual(range);

    const read1 = await readEvents(database.db, s1, 0, 100);
    const read2 = await readEvents(database.db, s2, 0, 100);
    expect(read1.map((e) => e.seq)).toEqual(range);
    expect(read2.map((e) => e.seq)).toEqual(range);
    // Each event is stored under the number its writer was given.
    for (const r of results) {
      expect(read1[r.a - 1]!.payload.w).toBe(r.w);
      expect(read2[r.b - 1]!.payload.w).toBe(r.w);
    }
    const [counter] = await database.db.select().from(streamCounters).where(eq(streamCounters.stream, s1));
    expect(counter!.seq).toBe(20);
  });

  it('concurrent writes through Realtime.write on one course stream stay gapless', async () => {
    const t = await tenant('rtw');
    const c = await courseService.upsertCourse({ tenantId: t.id, contextId: 'ctx-rt', title: 'RT' }); // course.created = 1
    const stream = defineStream<EventShape>('course')(c.id);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => realtime.write((_tx, emit) => emit(stream, { tenantId: t.id, type: 'test.w', payload: { i } }))),
    );
    expect((await readEvents(database.db, stream, 0, 100)).map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('deleting a tenant removes its deployments, courses, users, memberships and keys, and nothing of another tenant', async () => {
    const { db } = database;
    const [gone, kept] = [await tenant('gone'), await tenant('kept')];
    for (const t of [gone, kept]) {
      await ensureDeployment(db, t.id, 'dep');
      const u1 = await upsertUser(db, { tenantId: t.id, subject: 'u1', name: 'One' });
      const u2 = await upsertUser(db, { tenantId: t.id, subject: 'u2', name: 'Two' });
      for (const ctx of ['c1', 'c2']) {
        const c = await courseService.upsertCourse({ tenantId: t.id, contextId: ctx, title: ctx });
        await courseService.setMembership(t.id, c.id, u1.id, ['instructor']);
        await courseService.setMembership(t.id, c.id, u2.id, ['learner']);
      }
      await db
        .insert(apiKeys)
        .values({ tenantId: t.id, name: 'k', prefix: uniq('p'), secretHash: 'ab', scopes: ['read'], createdBy: u1.id });
    }
    const countOf = async (tenantId: string) => ({
      deployments: (await db.select({ n: count() }).from(deployments).where(eq(deployments.tenantId, tenantId)))[0]!.n,
      courses: (await db.select({ n: count() }).from(courses).where(eq(courses.tenantId, tenantId)))[0]!.n,
      users: (await db.select({ n: count() }).from(users).where(eq(users.tenantId, tenantId)))[0]!.n,
      memberships: (await db.select({ n: count() }).from(memberships).where(eq(memberships.tenantId, tenantId)))[0]!.n,
      apiKeys: (await db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.tenantId, tenantId)))[0]!.n,
    });
    const full = { deployments: 1, courses: 2, users: 2, memberships: 4, apiKeys: 1 };
    expect(await countOf(gone.id)).toEqual(full);

    await db.delete(tenants).where(eq(tenants.id, gone.id));
    expect(await getTenant(db, gone.id)).toBeNull();
    expect(await countOf(gone.id)).toEqual({ deployments: 0, courses: 0, users: 0, memberships: 0, apiKeys: 0 });
    expect(await countOf(kept.id)).toEqual(full);
  });

  it('deleting a user or a course removes their memberships', async () => {
    const { db } = database;
    const t = await tenant('del');
    const u = await upsertUser(db, { tenantId: t.id, subject: 'u', name: 'U' });
    const v = await upsertUser(db, { tenantId: t.id, subject: 'v', name: 'V' });
    const c = await courseService.upsertCourse({ tenantId: t.id, contextId: 'c', title: 'C' });
    const d = await courseService.upsertCourse({ tenantId: t.id, contextId: 'd', title: 'D' });
    for (const course of [c, d]) for (const user of [u, v]) await courseService.setMembership(t.id, course.id, user.id, ['learner']);
    await db.delete(users).where(eq(users.id, u.id));
    await db.delete(courses).where(eq(courses.id, d.id));
    const left = await db
      .select({ courseId: memberships.courseId, userId: memberships.userId })
      .from(memberships)
      .where(eq(memberships.tenantId, t.id));
    expect(left).toEqual([{ courseId: c.id, userId: v.id }]);
  });
});
