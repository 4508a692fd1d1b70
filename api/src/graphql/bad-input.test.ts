/** Bad input of every kind gets a clear error with a stable code and changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { SignJWT } from 'jose';
import { count } from 'drizzle-orm';
import { startApp, seed, gql, wsClient, subscribe, poll, type TestApp, type Fixture } from '../../test/harness.js';
import { apiKeys, streamEvents } from '../db/schema.js';

const CREATE_KEY = `mutation { createApiKey(input: { name: "k", scopes: [READ] }) { secret } }`;

describe('bad input', () => {
  let app: TestApp;
  let a: Fixture;
  let b: Fixture;
  beforeAll(async () => {
    app = await startApp({ env: { GRAPHQL_MAX_COST: '1000' } });
    a = await seed(app.core, 'A');
    b = await seed(app.core, 'B');
  });
  afterAll(() => app?.close());

  /** Rows that a bad request must not change. */
  const snapshot = async () => {
    const { db } = app.core.services.database;
    const [k] = await db.select({ n: count() }).from(apiKeys);
    const [e] = await db.select({ n: count() }).from(streamEvents);
    return { keys: k!.n, events: e!.n };
  };
  const codes = (body: { errors?: { extensions?: { code?: string } }[] }) => body.errors?.map((e) => e.extensions?.code);

  it('malformed JSON: 400 BAD_REQUEST', async () => {
    const before = await snapshot();
    for (const raw of ['{"query": "mutation { createApiKey', '{bad', '', 'null', '[1,2', '\u0000\u0001']) {
      const res = await fetch(app.url + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${a.instructorToken}` }, body: raw });
      expect(res.status, raw).toBe(400);
      const body = (await res.json()) as any;
      expect(body.errors[0].extensions.code, raw).toBe('BAD_REQUEST');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a document that does not parse or validate: 400 with the GraphQL codes', async () => {
    const r1 = await gql(app.url, '{ me { ', {}, a.instructorToken);
    expect(r1.status).toBe(400);
    expect(codes(r1.body)).toEqual(['GRAPHQL_PARSE_FAILED']);
    const r2 = await gql(app.url, '{ me { nope } }', {}, a.instructorToken);
    expect(r2.status).toBe(400);
    expect(codes(r2.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('a query over the depth limit: QUERY_TOO_DEEP, nothing executed', async () => {
    const deep = `{ __type(name: "Query") { fields { type { ${'ofType { '.repeat(10)}name${' }'.repeat(10)} } } } }`;
    const r = await gql(app.url, deep);
    expect(r.status).toBe(400);
    expect(codes(r.body)).toContain('QUERY_TOO_DEEP');
    expect(r.body.errors![0]!.message).toMatch(/depth limit of 12 exceeded/);
    expect(r.body.data).toBeUndefined();
  });

  it('a query over the cost or alias limit: QUERY_TOO_COMPLEX, and a mutation inside it does not run', async () => {
    const before = await snapshot();
    const fields = Array.from({ length: 25 }, (_, i) => `c${i}: courses(first: 100) { edges { node { id title label myRoles } } }`).join(' ');
    const r = await gql(app.url, `{ ${fields} }`, {}, a.instructorToken);
    expect(r.status).toBe(400);
    expect(codes(r.body)).toContain('QUERY_TOO_COMPLEX');
    const aliases = Array.from({ length: 40 }, (_, i) => `k${i}: createApiKey(input: { name: "k${i}", scopes: [READ] }) { secret }`).join(' ');
    const r2 = await gql(app.url, `mutation { ${aliases} }`, {}, a.instructorToken);
    expect(r2.status).toBe(400);
    expect(codes(r2.body)).toContain('QUERY_TOO_COMPLEX');
    expect(await snapshot()).toEqual(before);
    // An ordinary query stays well inside the limits.
    const ordinary = await gql(app.url, '{ me { user { name } course { title myRoles } } courses(first: 20) { edges { node { id title } } pageInfo { hasNextPage endCursor } } }', {}, a.instructorToken);
    expect(ordinary.body.errors).toBeUndefined();
  });

  it('a 5 MB request: 413 REQUEST_TOO_LARGE, with or without Content-Length', async () => {
    const before = await snapshot();
    const big = JSON.stringify({ query: CREATE_KEY, variables: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    const res = await fetch(app.url + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${a.instructorToken}` }, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');

    // Chunked, no Content-Length: the limit is counted while reading.
    const port = new URL(app.url).port;
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? undefined : reject(err)));
      const chunk = Buffer.alloc(256 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 5 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
    expect(await snapshot()).toEqual(before);
  });

  it('invalid, forged and expired tokens: 401 UNAUTHENTICATED, nothing written', async () => {
    const before = await snapshot();
    const forged = await new SignJWT({ tid: a.tenant.id, cid: a.course.id, roles: ['instructor'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('lt-session')
      .setSubject(a.instructor.id)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: a.instructor.id, tid: a.tenant.id, iss: 'lt-session', exp: 9999999999 })).toString('base64url')}.`;
    const expired = await app.core.services.sessions.issue({ tenantId: a.tenant.id, userId: a.instructor.id, courseId: a.course.id, roles: ['instructor'] }, -10);
    const cases: [string, RegExp][] = [
      ['not-a-token', /not valid/],
      [forged, /not valid/],
      [none, /not valid/],
      [expired, /expired/],
      ['ltk_AAAAAAAAAAAAAAAA_' + 'A'.repeat(43), /API key is not valid/],
      ['x'.repeat(10_000), /not valid/],
    ];
    for (const [token, message] of cases) {
      const r = await gql(app.url, CREATE_KEY, {}, token);
      expect(r.status, token.slice(0, 20)).toBe(401);
      expect(codes(r.body)).toEqual(['UNAUTHENTICATED']);
      expect(r.body.errors![0]!.message).toMatch(message);
    }
    const anonymous = await gql(app.url, CREATE_KEY);
    expect(codes(anonymous.body)).toEqual(['UNAUTHENTICATED']);
    expect(await snapshot()).toEqual(before);
  });

  it("a token for another tenant sees none of this tenant's data: NOT_FOUND, not FORBIDDEN", async () => {
    const r = await gql(app.url, 'query($id: ID!) { course(id: $id) { title } }', { id: a.course.id }, b.instructorToken);
    expect(r.body.data.course).toBeNull();
    expect(codes(r.body)).toEqual(['NOT_FOUND']);
    const list = await gql(app.url, '{ courses { edges { node { id } } } }', {}, b.instructorToken);
    expect(list.body.data.courses.edges.map((e: any) => e.node.id)).toEqual([b.course.id]);
    const c = wsClient(app.wsUrl, b.instructorToken);
    const s = subscribe(c.client, 'subscription($id: ID!) { courseActivity(courseId: $id, after: "0") { type } }', { id: a.course.id }, 'courseActivity');
    await s.ended();
    expect(s.items).toEqual([]);
    expect(JSON.stringify(s.errors)).toContain('NOT_FOUND');
    await c.client.dispose();
    const garbageId = await gql(app.url, 'query($id: ID!) { course(id: $id) { title } }', { id: "'; drop table courses; --" }, a.instructorToken);
    expect(codes(garbageId.body)).toEqual(['NOT_FOUND']);
  });

  it('WebSocket without a credential, or with a bad or expired one: closed with 4401 and a reason', async () => {
    const expired = await app.core.services.sessions.issue({ tenantId: a.tenant.id, userId: a.learner.id, courseId: a.course.id, roles: ['learner'] }, -5);
    for (const [token, reason] of [
      [undefined, /send a session token or API key/],
      ['garbage', /not valid/],
      [expired, /expired/],
    ] as const) {
      const c = wsClient(app.wsUrl, token);
      const s = subscribe(c.client, 'subscription($id: ID!) { courseActivity(courseId: $id) { type } }', { id: a.course.id }, 'courseActivity');
      await s.ended();
      await poll(() => c.closes.length > 0, 5000, () => 'no close event');
      expect(c.closes[0]!.code).toBe(4401);
      expect(c.closes[0]!.reason).toMatch(reason);
      await c.client.dispose();
    }
  });

  it('a session that expires while connected closes the socket with 4401', async () => {
    const short = await app.core.services.sessions.issue({ tenantId: a.tenant.id, userId: a.learner.id, courseId: a.course.id, roles: ['learner'] }, 1);
    const c = wsClient(app.wsUrl, short);
    const s = subscribe(c.client, 'subscription($id: ID!) { courseActivity(courseId: $id) { type } }', { id: a.course.id }, 'courseActivity');
    await s.ended(5000);
    expect(c.closes[0]?.code).toBe(4401);
    expect(c.closes[0]?.reason).toMatch(/Session expired/);
    await c.client.dispose();
  });

  it('a mutation over GET is refused', async () => {
    const before = await snapshot();
    const res = await fetch(app.url + '/graphql?query=' + encodeURIComponent(CREATE_KEY), { headers: { authorization: `Bearer ${a.instructorToken}`, accept: 'application/json' } });
    expect(res.status).toBe(405);
    expect(await snapshot()).toEqual(before);
  });
});
