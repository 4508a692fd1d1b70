/**
 * Courses through GraphQL on a real PostgreSQL and Redis: keyset pagination both ways, tenant and
 * membership scoping (NOT_FOUND, never FORBIDDEN), API key viewers, and membership cache invalidation on
 * this instance and across instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshPgDatabase, gql, seed, startApp, type Fixture, type TestApp } from '../../test/harness.js';
import { upsertUser, type User } from '../users/service.js';
import { courses } from './tables.js';
import { encodeCursor } from '../db/pagination.js';

const COURSES = `query($first: Int, $after: String, $last: Int, $before: String) {
  courses(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id title } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const COURSE = `query($id: ID!) { course(id: $id) { id title myRoles } }`;

type Page = {
  edges: { cursor: string; node: { id: string; title: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
};

/** Calls `fn` until `done` holds or `ms` passed; returns the last value. */
async function within<T>(ms: number, fn: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const code = (body: { errors?: { extensions?: { code?: string } }[] }) => body.errors?.[0]?.extensions?.code;

describe('courses', () => {
  let app: TestApp;
  let a: Fixture;
  let b: Fixture;
  let member: User;
  let memberToken: string;
  /** The 25 courses `member` belongs to, in (title, id) order. */
  let expected: { id: string; title: string }[];

  const page = async (vars: Record<string, unknown>, token = memberToken): Promise<Page> => {
    const r = await gql(app.url, COURSES, vars, token);
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    return r.body.data.courses as Page;
  };
  const ids = (p: Page) => p.edges.map((e) => e.node.id);

  beforeAll(async () => {
    app = await startApp();
    a = await seed(app.core, 'A');
    b = await seed(app.core, 'B');
    const { courses: svc, sessions, database } = app.core.services;
    member = await upsertUser(database.db, { tenantId: a.tenant.id, subject: `member-${Date.now()}`, name: 'Many Courses' });
    memberToken = await sessions.issue({ tenantId: a.tenant.id, userId: member.id, courseId: null, roles: [] });
    const mine: { id: string; title: string }[] = [];
    // Titles repeat in pairs so that the id tie-breaker is exercised.
    for (let i = 0; i < 25; i++) {
      const c = await svc.upsertCourse({
        tenantId: a.tenant.id,
        contextId: `page-${i}`,
        title: `T-${String(Math.floor(i / 2)).padStart(2, '0')}`,
      });
      await svc.setMembership(a.tenant.id, c.id, member.id, [i % 3 === 0 ? 'instructor' : 'learner']);
      mine.push({ id: c.id, title: c.title });
    }
    // Noise the member must never see: a course of the tenant without membership, a removed membership,
    // and another tenant's course with the same context id and title.
    await svc.upsertCourse({ tenantId: a.tenant.id, contextId: 'not-mine', title: 'T-05' });
    const removed = await svc.upsertCourse({ tenantId: a.tenant.id, contextId: 'removed', title: 'T-06' });
    await svc.setMembership(a.tenant.id, removed.id, member.id, ['learner']);
    await svc.removeMembership(a.tenant.id, removed.id, member.id);
    await svc.upsertCourse({ tenantId: b.tenant.id, contextId: 'page-0', title: 'T-00' });
    expected = mine.sort((x, y) => (x.title < y.title ? -1 : x.title > y.title ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('pages forward with first/after: no overlap, no gap, exact pageInfo', async () => {
    const p1 = await page({ first: 10 });
    expect(ids(p1)).toEqual(expected.slice(0, 10).map((c) => c.id));
    expect(p1.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: p1.edges[0]!.cursor,
      endCursor: p1.edges[9]!.cursor,
    });

    const p2 = await page({ first: 10, after: p1.pageInfo.endCursor });
    expect(ids(p2)).toEqual(expected.slice(10, 20).map((c) => c.id));
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const p3 = await page({ first: 10, after: p2.pageInfo.endCursor });
    expect(ids(p3)).toEqual(expected.slice(20).map((c) => c.id));
    expect(p3.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: p3.edges[0]!.cursor,
      endCursor: p3.edges[4]!.cursor,
    });

    // After the last one: empty, and the cursors are null.
    const p4 = await page({ first: 10, after: p3.pageInfo.endCursor });
    expect(p4.edges).toEqual([]);
    expect(p4.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });

    // The default page is 20; a page exactly as long as the list has no next page; one shorter has.
    expect(ids(await page({}))).toEqual(expected.slice(0, 20).map((c) => c.id));
    expect((await page({ first: 25 })).pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect((await page({ first: 24 })).pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect((await page({ first: 100 })).edges).toHaveLength(25);
  });

  it('pages backward with last/before: no overlap, no gap, exact pageInfo', async () => {
    const p1 = await page({ last: 10 });
    expect(ids(p1)).toEqual(expected.slice(15).map((c) => c.id));
    expect(p1.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: p1.edges[0]!.cursor,
      endCursor: p1.edges[9]!.cursor,
    });

    const p2 = await page({ last: 10, before: p1.pageInfo.startCursor });
    expect(ids(p2)).toEqual(expected.slice(5, 15).map((c) => c.id));
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const p3 = await page({ last: 10, before: p2.pageInfo.startCursor });
    expect(ids(p3)).toEqual(expected.slice(0, 5).map((c) => c.id));
    expect(p3.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: p3.edges[0]!.cursor,
      endCursor: p3.edges[4]!.cursor,
    });

    const p4 = await page({ last: 10, before: p3.pageInfo.startCursor });
    expect(p4.edges).toEqual([]);
    expect(p4.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    expect((await page({ last: 25 })).pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect((await page({ last: 24 })).pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('cursors mix directions: a cursor from a forward page works backward and the other way round', async () => {
    const all = await page({ first: 25 });
    const cursorOf = (i: number) => all.edges[i]!.cursor;
    expect(all.edges.map((e) => e.node.id)).toEqual(expected.map((c) => c.id));
    expect(ids(await page({ last: 4, before: cursorOf(12) }))).toEqual(expected.slice(8, 12).map((c) => c.id));
    expect(ids(await page({ first: 4, after: cursorOf(12) }))).toEqual(expected.slice(13, 17).map((c) => c.id));
    // Edge cursors are the same whichever way the page was read.
    const back = await page({ last: 3, before: cursorOf(3) });
    expect(back.edges.map((e) => e.cursor)).toEqual([0, 1, 2].map(cursorOf));
  });

  it('rejects first: 101, first with last, two bounds, and negative sizes with BAD_USER_INPUT', async () => {
    const c = encodeCursor(['T-00', '00000000-0000-4000-8000-000000000000']);
    for (const vars of [
      { first: 101 },
      { last: 101 },
      { first: -1 },
      { first: 5, last: 5 },
      { first: 3, before: c },
      { last: 3, after: c },
      { after: c, before: c },
    ]) {
      const r = await gql(app.url, COURSES, vars, memberToken);
      expect(code(r.body), JSON.stringify(vars)).toBe('BAD_USER_INPUT');
      expect(r.body.data?.courses ?? null).toBeNull();
    }
  });

  it('rejects a forged or foreign cursor with BAD_CURSOR', async () => {
    const forged = [
      'not-a-cursor',
      encodeCursor(['T-00', 'not-a-uuid']),
      encodeCursor(['T-00', '-'.repeat(36)]), // 36 characters of the uuid alphabet, not a uuid
      encodeCursor(['T-00', 'g'.repeat(8) + '-0000-4000-8000-000000000000']),
      encodeCursor({ title: 'T-00' }),
      encodeCursor(['T-00']),
      encodeCursor(7),
      'A'.repeat(2000),
    ];
    for (const cursor of forged) {
      for (const vars of [
        { first: 5, after: cursor },
        { last: 5, before: cursor },
      ]) {
        const r = await gql(app.url, COURSES, vars, memberToken);
        expect(code(r.body), JSON.stringify(vars).slice(0, 80)).toBe('BAD_CURSOR');
      }
    }
  });

  it('a learner sees only the courses they are a member of, and nothing of another tenant', async () => {
    // The fixture learner is a member of one course.
    const learnerPage = await page({ first: 100 }, a.learnerToken);
    expect(ids(learnerPage)).toEqual([a.course.id]);

    const memberPage = await page({ first: 100 });
    const seen = new Set(ids(memberPage));
    expect(seen).toEqual(new Set(expected.map((c) => c.id)));

    const notMine = await app.core.services.database.db.select().from(courses).where(eq(courses.contextId, 'not-mine'));
    const removed = await app.core.services.database.db.select().from(courses).where(eq(courses.contextId, 'removed'));
    for (const [token, id] of [
      [memberToken, notMine[0]!.id], // same tenant, not a member
      [memberToken, removed[0]!.id], // same tenant, membership removed
      [memberToken, a.course.id], // same tenant, not a member of the fixture course
      [memberToken, b.course.id], // another tenant
      [a.learnerToken, b.course.id],
      [b.instructorToken, a.course.id],
      [a.learnerToken, '00000000-0000-4000-8000-000000000000'], // does not exist
      [a.learnerToken, 'not-a-uuid'],
    ] as const) {
      const r = await gql(app.url, COURSE, { id }, token);
      expect(code(r.body), id).toBe('NOT_FOUND');
      expect(r.body.data?.course ?? null).toBeNull();
    }
    // And the ones they may read.
    expect((await gql(app.url, COURSE, { id: a.course.id }, a.learnerToken)).body.data.course).toMatchObject({
      id: a.course.id,
      myRoles: ['LEARNER'],
    });
    expect((await gql(app.url, COURSE, { id: expected[0]!.id }, memberToken)).body.data.course.id).toBe(expected[0]!.id);
  });

  it("an administrator's tenant-wide key lists all of its tenant's courses and none of another tenant's; an instructor's key only the courses it reaches", async () => {
    // An instructor's key reaches the course it was made in (the issue: a key never reaches further than its creator).
    const made = await gql(
      app.url,
      `mutation { createApiKey(input: { name: "reader", scopes: [READ] }) { secret } }`,
      {},
      a.instructorToken,
    );
    expect(made.body.errors).toBeUndefined();
    const own = made.body.data.createApiKey.secret as string;
    expect(ids(await page({ first: 50 }, own))).toEqual([a.course.id]);

    // An LMS administrator's tenant-wide key reaches every course of the tenant.
    const root = await upsertUser(app.core.services.database.db, {
      tenantId: a.tenant.id,
      subject: `root-${a.course.id}`,
      name: 'Root Admin',
    });
    await app.core.services.courses.setMembership(a.tenant.id, a.course.id, root.id, ['administrator']);
    const rootToken = await app.core.services.sessions.issue({
      tenantId: a.tenant.id,
      userId: root.id,
      courseId: a.course.id,
      roles: ['administrator'],
    });
    const created = await gql(
      app.url,
      `mutation { createApiKey(input: { name: "reader", scopes: [READ], tenantWide: true }) { secret } }`,
      {},
      rootToken,
    );
    expect(created.body.errors).toBeUndefined();
    const key = created.body.data.createApiKey.secret as string;

    const listed: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const p: Page = await page({ first: 10, after }, key);
      listed.push(...ids(p));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    const tenantA = await app.core.services.database.db.select({ id: courses.id }).from(courses).where(eq(courses.tenantId, a.tenant.id));
    const tenantB = await app.core.services.database.db.select({ id: courses.id }).from(courses).where(eq(courses.tenantId, b.tenant.id));
    expect(listed).toHaveLength(tenantA.length);
    expect(new Set(listed)).toEqual(new Set(tenantA.map((c) => c.id)));
    for (const c of tenantB) expect(listed).not.toContain(c.id);

    // Any course of its tenant reads; another tenant's is NOT_FOUND. The instructor's key does not read the others.
    const other = tenantA.find((c) => !expected.some((e) => e.id === c.id) && c.id !== a.course.id)!.id;
    const read = await gql(app.url, COURSE, { id: other }, key);
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data.course.myRoles).toEqual([]);
    expect(code((await gql(app.url, COURSE, { id: b.course.id }, key)).body)).toBe('NOT_FOUND');
    expect(code((await gql(app.url, COURSE, { id: other }, own)).body)).toBe('NOT_FOUND');
  });

  it('removeMembership makes the course NOT_FOUND at once, and the course leaves the list', async () => {
    const f = await seed(app.core, 'rm');
    expect((await gql(app.url, COURSE, { id: f.course.id }, f.learnerToken)).body.data.course.id).toBe(f.course.id); // cached now
    await app.core.services.courses.removeMembership(f.tenant.id, f.course.id, f.learner.id);
    expect(code((await gql(app.url, COURSE, { id: f.course.id }, f.learnerToken)).body)).toBe('NOT_FOUND');
    expect((await page({ first: 10 }, f.learnerToken)).edges).toEqual([]);
    // Joining again restores access at once.
    await app.core.services.courses.setMembership(f.tenant.id, f.course.id, f.learner.id, ['learner']);
    expect((await gql(app.url, COURSE, { id: f.course.id }, f.learnerToken)).body.data.course.id).toBe(f.course.id);
  });
});

describe('courses across two instances', () => {
  let db: { url: string; drop: () => Promise<void> };
  let one: TestApp;
  let two: TestApp;
  beforeAll(async () => {
    db = await freshPgDatabase();
    one = await startApp({ databaseUrl: db.url });
    two = await startApp({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  it('a membership removed through one instance is NOT_FOUND on the other within 2 s', async () => {
    const f = await seed(one.core, 'x');
    // Both instances have the membership cached.
    for (const app of [one, two])
      expect((await gql(app.url, COURSE, { id: f.course.id }, f.learnerToken)).body.data?.course?.id).toBe(f.course.id);

    await two.core.services.courses.removeMembership(f.tenant.id, f.course.id, f.learner.id);
    expect(code((await gql(two.url, COURSE, { id: f.course.id }, f.learnerToken)).body)).toBe('NOT_FOUND');

    expect(
      await within(
        2000,
        async () => code((await gql(one.url, COURSE, { id: f.course.id }, f.learnerToken)).body),
        (c) => c === 'NOT_FOUND',
      ),
    ).toBe('NOT_FOUND');

    // Rejoining through the first instance reaches the second too.
    await one.core.services.courses.setMembership(f.tenant.id, f.course.id, f.learner.id, ['learner']);
    expect(
      await within(
        2000,
        async () => (await gql(two.url, COURSE, { id: f.course.id }, f.learnerToken)).body.data?.course?.id,
        (id) => id === f.course.id,
      ),
    ).toBe(f.course.id);
  });
});
