/**
 * Test harness: real PostgreSQL (a fresh database per call), real Redis, the app in process on port 0.
 * Nothing of ours is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../src/config.js';
import { openCore, buildApi, type Core, type ApiServer } from '../src/app.js';
import type { Logger } from '../src/logger.js';
import { upsertTenant, type Tenant } from '../src/tenants/service.js';
import { upsertUser, type User } from '../src/users/service.js';
import type { Course } from '../src/courses/service.js';
import type { CourseRole } from '../src/courses/roles.js';

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Creates an empty PostgreSQL database; returns its URL and a function that drops it. */
export async function freshPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lt_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-test-'));
  return loadConfig(
    {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      REDIS_URL,
      REDIS_AUTOSTART: 'false',
      SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'silent',
      SHUTDOWN_GRACE_MS: '1000',
      DEV_LMS: 'false',
      QUEUE_PREFIX: `lt-test-${randomBytes(4).toString('hex')}`,
      ...overrides,
    },
    [],
  );
}

export interface TestApp {
  core: Core;
  api: ApiServer;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Starts an app instance. Pass a database URL to share one database between instances; `embedded`: on PGlite, as
 * `npm start` runs without DATABASE_URL.
 */
export async function startApp(
  opts: { databaseUrl?: string; env?: Record<string, string>; port?: number; log?: Logger; embedded?: boolean } = {},
): Promise<TestApp & { dropDb?: () => Promise<void> }> {
  let dropDb: (() => Promise<void>) | undefined;
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl && !opts.embedded) {
    const db = await freshPgDatabase();
    databaseUrl = db.url;
    dropDb = db.drop;
  }
  const config = testConfig({ ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...opts.env });
  const core = await openCore(config, opts.log);
  const api = buildApi(core);
  const url = await api.listen(opts.port ?? 0, '127.0.0.1');
  return {
    core,
    api,
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/graphql',
    dropDb,
    async close() {
      await api.close();
      await core.close();
      await dropDb?.();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export interface Fixture {
  tenant: Tenant;
  course: Course;
  instructor: User;
  learner: User;
  instructorToken: string;
  learnerToken: string;
}

let seq = 0;
/** A tenant with one course, an instructor and a learner, and session tokens for both. */
export async function seed(core: Core, label = 'A'): Promise<Fixture> {
  const { db } = core.services.database;
  const n = `${label}-${process.pid}-${++seq}-${randomBytes(3).toString('hex')}`;
  const tenant = await upsertTenant(db, { issuer: `https://lms-${n}.example.edu`, clientId: `client-${n}`, name: `LMS ${label}` });
  const course = await core.services.courses.upsertCourse({
    tenantId: tenant.id,
    contextId: `ctx-${n}`,
    title: `Course ${label}`,
    label: `C-${label}`,
  });
  const instructor = await upsertUser(db, {
    tenantId: tenant.id,
    subject: `inst-${n}`,
    name: `Ada Instructor ${label}`,
    email: `ada-${n}@example.edu`,
  });
  const learner = await upsertUser(db, { tenantId: tenant.id, subject: `learn-${n}`, name: `Lee Learner ${label}` });
  await core.services.courses.setMembership(tenant.id, course.id, instructor.id, ['instructor']);
  await core.services.courses.setMembership(tenant.id, course.id, learner.id, ['learner']);
  await core.services.rooms.ensureCourseRoom(tenant.id, course.id, course.title);
  const token = (u: User, roles: CourseRole[]) =>
    core.services.sessions.issue({ tenantId: tenant.id, userId: u.id, courseId: course.id, roles });
  return {
    tenant,
    course,
    instructor,
    learner,
    instructorToken: await token(instructor, ['instructor']),
    learnerToken: await token(learner, ['learner']),
  };
}

/** POSTs a GraphQL operation; returns status and parsed body. */
export async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(url + '/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
}

import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A real graphql-ws client. `closes` records every close event (code and reason). */
export function wsClient(wsUrl: string, token?: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) {
  const closes: { code: number; reason: string }[] = [];
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : undefined,
    retryAttempts: 0,
    lazy: true,
    on: { closed: (e) => closes.push({ code: (e as { code: number }).code, reason: String((e as { reason: string }).reason) }) },
    ...extra,
  });
  return { client, closes };
}

export interface Collector<T> {
  items: T[];
  errors: unknown[];
  done: boolean;
  /** Resolves once `n` items arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<T[]>;
  /** Resolves when the subscription errored or completed. */
  ended(ms?: number): Promise<void>;
  stop(): void;
}

/** Subscribes and collects `data[field]` of every result. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown>, field: string): Collector<T> {
  const c: Collector<T> = {
    items: [],
    errors: [],
    done: false,
    waitFor: (n, ms = 20_000) =>
      poll(
        () => c.items.length >= n || c.done,
        ms,
        () => `got ${c.items.length} of ${n}; errors: ${JSON.stringify(c.errors)}`,
      ).then(() => c.items),
    ended: (ms = 20_000) =>
      poll(
        () => c.done,
        ms,
        () => 'subscription did not end',
      ),
    stop: () => unsubscribe(),
  };
  const unsubscribe = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors) c.errors.push(...r.errors);
        if (r.data?.[field]) c.items.push(r.data[field]!);
      },
      error: (e) => {
        c.errors.push(e);
        c.done = true;
      },
      complete: () => {
        c.done = true;
      },
    },
  );
  return c;
}

export async function poll(cond: () => boolean | Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Deletes every Redis key under a prefix (a run's BullMQ queues): what a fresh database is to PostgreSQL. */
export async function dropRedisKeys(redis: import('ioredis').Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}
