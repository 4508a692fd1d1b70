/** Bad input of every kind gets a clear error with a stable code and changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { count, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { startApp, seed, gql, wsClient, subscribe, poll, type TestApp, type Fixture } from '../../test/harness.js';
import { EDIT, SEND, cid, roomsOf, sendOk } from '../../test/chat.js';
import { apiKeys } from '../apikeys/tables.js';
import { streamEvents } from '../realtime/tables.js';
import { upsertUser } from '../users/service.js';
import { MAX_MARKS } from '../text.js';

/** The app's log, as pino writes it (JSON lines), kept for the tests to read. */
function capturedLog() {
  const lines: { level: number; msg: string; err?: { stack?: string; message?: string }; operation?: string; [k: string]: unknown }[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    }),
  );
  return { log, lines };
}

const CREATE_KEY = `mutation { createApiKey(input: { name: "k", scopes: [READ] }) { secret } }`;

describe('bad input', () => {
  let app: TestApp;
  let a: Fixture;
  let b: Fixture;
  const logs = capturedLog();
  beforeAll(async () => {
    app = await startApp({ env: { GRAPHQL_MAX_COST: '1000' }, log: logs.log });
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
      const res = await fetch(app.url + '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.instructorToken}` },
        body: raw,
      });
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
    const fields = Array.from({ length: 25 }, (_, i) => `c${i}: courses(first: 100) { edges { node { id title label myRoles } } }`).join(
      ' ',
    );
    const r = await gql(app.url, `{ ${fields} }`, {}, a.instructorToken);
    expect(r.status).toBe(400);
    expect(codes(r.body)).toContain('QUERY_TOO_COMPLEX');
    const aliases = Array.from({ length: 40 }, (_, i) => `k${i}: createApiKey(input: { name: "k${i}", scopes: [READ] }) { secret }`).join(
      ' ',
    );
    const r2 = await gql(app.url, `mutation { ${aliases} }`, {}, a.instructorToken);
    expect(r2.status).toBe(400);
    expect(codes(r2.body)).toContain('QUERY_TOO_COMPLEX');
    expect(await snapshot()).toEqual(before);
    // An ordinary query stays well inside the limits.
    const ordinary = await gql(
      app.url,
      '{ me { user { name } course { title myRoles } } courses(first: 20) { edges { node { id title } } pageInfo { hasNextPage endCursor } } }',
      {},
      a.instructorToken,
    );
    expect(ordinary.body.errors).toBeUndefined();
  });

  it('a 5 MB request: 413 REQUEST_TOO_LARGE, with or without Content-Length', async () => {
    const before = await snapshot();
    const big = JSON.stringify({ query: CREATE_KEY, variables: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    const res = await fetch(app.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.instructorToken}` },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');

    // Chunked, no Content-Length: the limit is counted while reading.
    const port = new URL(app.url).port;
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
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
    const expired = await app.core.services.sessions.issue(
      { tenantId: a.tenant.id, userId: a.instructor.id, courseId: a.course.id, roles: ['instructor'] },
      -10,
    );
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
    const s = subscribe(
      c.client,
      'subscription($id: ID!) { courseActivity(courseId: $id, after: "0") { type } }',
      { id: a.course.id },
      'courseActivity',
    );
    await s.ended();
    expect(s.items).toEqual([]);
    expect(JSON.stringify(s.errors)).toContain('NOT_FOUND');
    await c.client.dispose();
    const garbageId = await gql(
      app.url,
      'query($id: ID!) { course(id: $id) { title } }',
      { id: "'; drop table courses; --" },
      a.instructorToken,
    );
    expect(codes(garbageId.body)).toEqual(['NOT_FOUND']);
  });

  it('WebSocket without a credential, or with a bad or expired one: closed with 4401 and a reason', async () => {
    const expired = await app.core.services.sessions.issue(
      { tenantId: a.tenant.id, userId: a.learner.id, courseId: a.course.id, roles: ['learner'] },
      -5,
    );
    for (const [token, reason] of [
      [undefined, /send a session token or API key/],
      ['garbage', /not valid/],
      [expired, /expired/],
    ] as const) {
      const c = wsClient(app.wsUrl, token);
      const s = subscribe(
        c.client,
        'subscription($id: ID!) { courseActivity(courseId: $id) { type } }',
        { id: a.course.id },
        'courseActivity',
      );
      await s.ended();
      await poll(
        () => c.closes.length > 0,
        5000,
        () => 'no close event',
      );
      expect(c.closes[0]!.code).toBe(4401);
      expect(c.closes[0]!.reason).toMatch(reason);
      await c.client.dispose();
    }
  });

  it('a session that expires while connected closes the socket with 4401', async () => {
    const short = await app.core.services.sessions.issue(
      { tenantId: a.tenant.id, userId: a.learner.id, courseId: a.course.id, roles: ['learner'] },
      1,
    );
    const c = wsClient(app.wsUrl, short);
    const s = subscribe(
      c.client,
      'subscription($id: ID!) { courseActivity(courseId: $id) { type } }',
      { id: a.course.id },
      'courseActivity',
    );
    await s.ended(5000);
    expect(c.closes[0]?.code).toBe(4401);
    expect(c.closes[0]?.reason).toMatch(/Session expired/);
    await c.client.dispose();
  });

  it('text PostgreSQL cannot store: a lone surrogate or a NUL is BAD_USER_INPUT with the field, and nothing is written', async () => {
    const before = await snapshot();
    const room = (await roomsOf(app, a.learnerToken, a.course.id))[0].id;
    const mine = await sendOk(app, a.learnerToken, room, 'fine');
    const after = await snapshot();
    const cases: [string, Record<string, unknown>, string, string][] = [
      [SEND, { input: { roomId: room, clientId: cid(), body: 'x\ud800y' } }, a.learnerToken, 'body'],
      [SEND, { input: { roomId: room, clientId: cid(), body: 'x\udc00y' } }, a.learnerToken, 'body'],
      [EDIT, { id: mine.id, body: 'x\ud800y' }, a.learnerToken, 'body'],
      [
        'mutation($c: ID!, $n: String!) { createGroupRoom(courseId: $c, name: $n) { id } }',
        { c: a.course.id, n: 'x\ud800y' },
        a.instructorToken,
        'name',
      ],
      [
        'mutation($c: ID!, $b: String) { updateTutorSettings(courseId: $c, brief: $b) { brief } }',
        { c: a.course.id, b: 'Be kind.\u0000' },
        a.instructorToken,
        'brief',
      ],
      [
        'mutation($c: ID!, $b: String) { updateTutorSettings(courseId: $c, brief: $b) { brief } }',
        { c: a.course.id, b: 'Be kind.\ud800' },
        a.instructorToken,
        'brief',
      ],
      [
        'mutation($n: String!) { createApiKey(input: { name: $n, scopes: [READ] }) { secret } }',
        { n: 'k\u0000' },
        a.instructorToken,
        'name',
      ],
      [
        'mutation($n: String!) { createApiKey(input: { name: $n, scopes: [READ] }) { secret } }',
        { n: 'k\udfff' },
        a.instructorToken,
        'name',
      ],
    ];
    for (const [query, variables, token, field] of cases) {
      const r = await gql(app.url, query, variables, token);
      expect(r.body.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await snapshot()).toEqual(after);
    expect(after.keys).toBe(before.keys);
    // A well-formed pair (an emoji) is of course fine.
    expect((await sendOk(app, a.learnerToken, room, 'ok \ud83d\ude00')).body).toBe('ok \ud83d\ude00');
  });

  it('a cursor holding a NUL, a lone surrogate or an impossible time is BAD_CURSOR', async () => {
    const cursor = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
    const id = a.course.id;
    const cases: [string, Record<string, unknown>][] = [
      ['query($after: String) { courses(first: 5, after: $after) { edges { cursor } } }', { after: cursor(['a\u0000', id]) }],
      ['query($after: String) { courses(first: 5, after: $after) { edges { cursor } } }', { after: cursor(['a\ud800', id]) }],
      [
        'query($after: String) { notifications(first: 5, after: $after) { edges { cursor } } }',
        { after: cursor(['+275760-09-13T00:00:00Z', id]) },
      ],
      [
        'query($after: String) { notifications(first: 5, after: $after) { edges { cursor } } }',
        { after: cursor(['2026-01-01T00:00:00Z\u0000', id]) },
      ],
      [
        'query($c: ID!, $after: String) { searchMessages(courseId: $c, query: "fine", first: 5, after: $after) { edges { cursor } } }',
        { c: id, after: cursor(['-200000-01-01T00:00:00Z', id]) },
      ],
    ];
    for (const [query, variables] of cases) {
      const r = await gql(app.url, query, variables, a.instructorToken);
      expect(codes(r.body), JSON.stringify(variables)).toEqual(['BAD_CURSOR']);
    }
  });

  it('a DateTime out of range (or not ISO-8601) is BAD_USER_INPUT, as a variable and as a literal', async () => {
    const before = await snapshot();
    for (const at of ['+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '10000-01-01T00:00:00Z', 'tomorrow', '2026-13-45T00:00:00Z']) {
      const asVariable = await gql(
        app.url,
        'mutation($e: DateTime) { createApiKey(input: { name: "k", scopes: [READ], expiresAt: $e }) { secret } }',
        { e: at },
        a.instructorToken,
      );
      expect(codes(asVariable.body), at).toEqual(['BAD_USER_INPUT']);
      const asLiteral = await gql(
        app.url,
        `mutation { createApiKey(input: { name: "k", scopes: [READ], expiresAt: ${JSON.stringify(at)} }) { secret } }`,
        {},
        a.instructorToken,
      );
      expect(codes(asLiteral.body), at).toEqual(['BAD_USER_INPUT']);
    }
    expect(await snapshot()).toEqual(before);
    const fine = await gql(
      app.url,
      'mutation($e: DateTime) { createApiKey(input: { name: "k", scopes: [READ], expiresAt: $e }) { apiKey { expiresAt } } }',
      { e: '9999-12-31T00:00:00Z' },
      a.instructorToken,
    );
    expect(fine.body.errors).toBeUndefined();
  });

  it('an Int past 2^31 - 1, and every other refused variable, answers with a code: over HTTP and WebSocket', async () => {
    const lists = 'query($f: Int) { courses(first: $f) { edges { node { id } } } }';
    for (const [query, variables] of [
      [lists, { f: 2147483648 }],
      [lists, { f: 'ten' }],
      ['query($id: ID!) { course(id: $id) { id } }', {}],
      ['query($id: ID!) { course(id: $id) { id } }', { id: { nested: true } }],
    ] as const) {
      const r = await gql(app.url, query, variables, a.instructorToken);
      expect(r.status, JSON.stringify(variables)).toBe(400);
      expect(codes(r.body), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
    }
    const literal = await gql(app.url, '{ courses(first: 2147483648) { edges { node { id } } } }', {}, a.instructorToken);
    expect(literal.status).toBe(400);
    for (const e of literal.body.errors!) expect(e.extensions?.code, e.message).toBeTruthy();
    expect(codes(literal.body)).toContain('GRAPHQL_VALIDATION_FAILED');

    // The same over WebSocket, for a query and a subscription: parse, validation and variable errors are coded.
    const c = wsClient(app.wsUrl, a.instructorToken);
    const run = async (query: string, variables: Record<string, unknown>) => {
      const s = subscribe(c.client, query, variables, 'x');
      await s.ended();
      return s.errors.flat().map((e) => (e as { extensions?: { code?: string } }).extensions?.code);
    };
    expect(await run(lists, { f: 2147483648 })).toEqual(['BAD_USER_INPUT']);
    expect(
      await run('subscription($id: ID!, $after: String) { courseActivity(courseId: $id, after: $after) { type } }', {
        id: a.course.id,
        after: 5,
      }),
    ).toEqual(['BAD_USER_INPUT']);
    expect(await run('{ me { nope } }', {})).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await run('{ me { ', {})).toEqual(['GRAPHQL_PARSE_FAILED']);
    await c.client.dispose();
  });

  it('names from a platform lose bidi controls, zero-width characters, NUL and lone surrogates; marks are capped', async () => {
    const { db } = app.core.services.database;
    const eve = await upsertUser(db, {
      tenantId: a.tenant.id,
      subject: 'eve-bidi',
      name: 'Eve \u202eEXE.txt\u202c \u2066Ada\u2069\u200b\u200d\ufeff\u0000',
    });
    expect(eve.name).toBe('Eve EXE.txt Ada');
    const broken = await upsertUser(db, {
      tenantId: a.tenant.id,
      subject: 'eve-broken',
      name: 'Ev\ud800e',
      email: 'e\u0000ve@example.edu',
    });
    expect(broken.name).toBe('Ev\ufffde');
    expect(broken.email).toBe('eve@example.edu');
    const zalgo = await upsertUser(db, { tenantId: a.tenant.id, subject: 'eve-zalgo', name: 'Z' + '\u0301'.repeat(500) + 'oe' });
    expect(zalgo.name).toBe('Z' + '\u0301'.repeat(MAX_MARKS) + 'oe');
    // Message bodies (and so chat) keep a few marks per character too, and strip bidi controls, as room names do.
    const room = (await roomsOf(app, a.learnerToken, a.course.id))[0].id;
    expect((await sendOk(app, a.learnerToken, room, 'Z' + '\u0300\u0316'.repeat(3999))).body).toBe(
      'Z' + '\u0300\u0316'.repeat(MAX_MARKS / 2),
    );
    expect((await sendOk(app, a.learnerToken, room, 'Vi\u1EC7t Nam, cafe\u0301')).body).toBe('Vi\u1EC7t Nam, cafe\u0301');
    // An excerpt (a notification's, a reply preview's) is never cut inside a surrogate pair.
    const long = 'x'.repeat(138) + '\ud83d\ude00 and more';
    const m = await sendOk(app, a.learnerToken, room, long, { mentionIds: [a.instructor.id] });
    const reply = await sendOk(app, a.instructorToken, room, 'a reply', { replyToId: m.id });
    expect((reply as unknown as { replyTo: { excerpt: string } }).replyTo.excerpt).toBe('x'.repeat(138) + '…');
  });

  it('an unexpected error is logged once at error level, with its stack and operation name but not the input; the caller sees INTERNAL_SERVER_ERROR', async () => {
    // A real database failure: a constraint this test adds to its own database refuses the update.
    const { db } = app.core.services.database;
    await db.execute(sql`alter table tutor_settings add constraint test_brief_short check (length(brief) < 20)`);
    try {
      const from = logs.lines.length;
      const secret = 'A brief that is much too long for the constraint';
      const r = await gql(
        app.url,
        'mutation SaveBrief($c: ID!, $b: String) { updateTutorSettings(courseId: $c, brief: $b) { brief } }',
        { c: a.course.id, b: secret },
        a.instructorToken,
      );
      expect(codes(r.body)).toEqual(['INTERNAL_SERVER_ERROR']);
      const errors = logs.lines.slice(from).filter((l) => l.level >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.operation).toBe('SaveBrief');
      expect(errors[0]!.err?.stack).toMatch(/\n\s+at /);
      expect(errors[0]!.err?.message).toMatch(/test_brief_short/);
      expect(JSON.stringify(errors[0])).not.toContain(secret);
      // Over WebSocket the same: coded for the caller, logged once.
      const overWs = logs.lines.length;
      const c = wsClient(app.wsUrl, a.instructorToken);
      const s = subscribe(
        c.client,
        'mutation SaveBriefWs($c: ID!, $b: String) { updateTutorSettings(courseId: $c, brief: $b) { brief } }',
        { c: a.course.id, b: secret },
        'updateTutorSettings',
      );
      await s.ended();
      await c.client.dispose();
      expect(s.errors.flat().map((e) => (e as { extensions?: { code?: string } }).extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
      const wsErrors = logs.lines.slice(overWs).filter((l) => l.level >= 50);
      expect(wsErrors.map((l) => l.operation)).toEqual(['SaveBriefWs']);
      expect(JSON.stringify(wsErrors)).not.toContain(secret);
    } finally {
      await db.execute(sql`alter table tutor_settings drop constraint test_brief_short`);
    }
  });

  it('clients that abort are logged at debug without a stack, not at error', async () => {
    const from = logs.lines.length;
    const port = new URL(app.url).port;
    const body = JSON.stringify({ query: '{ courses(first: 100) { edges { node { id title } } } }' });
    const gone = Array.from({ length: 20 }, () => {
      return new Promise<void>((resolve) => {
        const req = http.request({
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            authorization: `Bearer ${a.instructorToken}`,
          },
        });
        req.on('error', () => {});
        req.on('close', () => resolve());
        // Half the body, then the client leaves.
        req.write(body.slice(0, 20), () => req.destroy());
      });
    });
    await Promise.all(gone);
    await poll(
      () => logs.lines.slice(from).filter((l) => l.msg === 'http: client went away').length === 20,
      5000,
      () => JSON.stringify(logs.lines.slice(from).map((l) => [l.level, l.msg])),
    );
    const seen = logs.lines.slice(from);
    expect(seen.filter((l) => l.level >= 50)).toEqual([]);
    for (const l of seen.filter((x) => x.msg === 'http: client went away')) {
      expect(l.level).toBe(20);
      expect(JSON.stringify(l)).not.toMatch(/\bat /);
    }
  });

  it('a mutation over GET is refused', async () => {
    const before = await snapshot();
    const res = await fetch(app.url + '/graphql?query=' + encodeURIComponent(CREATE_KEY), {
      headers: { authorization: `Bearer ${a.instructorToken}`, accept: 'application/json' },
    });
    expect(res.status).toBe(405);
    expect(await snapshot()).toEqual(before);
  });
});
