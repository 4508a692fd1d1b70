/**
 * LTI 1.3 launches end to end against platform stand-ins shaped like Moodle and Canvas (real RS256 id_tokens,
 * the real OIDC flow), and every attack the issue lists: each refused with a clear code and no side effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { count, eq } from 'drizzle-orm';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { courses, memberships } from '../src/courses/tables.js';
import { resourceLinks } from '../src/lti/tables.js';
import { users } from '../src/users/tables.js';
import { gql } from './harness.js';
import { runLaunch, startLtiEnv, type LtiEnv } from './lti-harness.js';

const ME = `{ me { user { name email picture } roles course { id title label myRoles } tenant { platform } } }`;
const V = 'https://purl.imsglobal.org/spec/lti/claim/';
const code = (body: { errors?: { extensions?: { code?: string } }[] }) => body.errors?.[0]?.extensions?.code;

for (const profile of ['moodle', 'canvas'] as const) {
  describe(`launch from ${profile}`, () => {
    let env: LtiEnv;
    beforeAll(async () => {
      env = await startLtiEnv(profile);
    });
    afterAll(() => env?.close());

    it('an instructor and a learner land signed in on the same course with their roles', async () => {
      const a = await runLaunch(env, { user: 'instructor' });
      expect(a.error).toBeUndefined();
      expect(a.step).toBe('exchange');
      expect(a.status).toBe(200);
      const me = await gql(env.app.url, ME, {}, a.token);
      expect(me.body.errors).toBeUndefined();
      expect(me.body.data.me.course.title).toBe(env.platform.course().title);
      expect(me.body.data.me.course.myRoles).toEqual(['INSTRUCTOR']);
      expect(me.body.data.me.tenant.platform).toBe(profile);
      expect(a.redirect).toBe(`/courses/${me.body.data.me.course.id}/hub`);
      const b = await runLaunch(env, { user: 'learner' });
      const me2 = await gql(env.app.url, ME, {}, b.token);
      expect(me2.body.data.me.course.id).toBe(me.body.data.me.course.id);
      expect(me2.body.data.me.course.myRoles).toEqual(['LEARNER']);
      expect(me2.body.data.me.user.name).not.toBe(me.body.data.me.user.name);
      // The launch page is framed only by the platform's site and the tool itself.
      const csp = a.launchHeaders!.get('content-security-policy')!;
      expect(csp).toContain(`frame-ancestors 'self'`);
      expect(csp).toContain(new URL(env.platform.issuer).origin);
      expect(csp).not.toContain('*');
      // The token never appears in the page; only a one-time code does.
      expect(a.launchHtml).not.toContain(a.token!);
    });

    it('an administrator launching with only admin roles besides their course role gets both', async () => {
      const r = await runLaunch(env, { user: 'admin' });
      expect(r.error).toBeUndefined();
      const me = await gql(env.app.url, ME, {}, r.token);
      expect(me.body.data.me.course.myRoles).toContain('ADMINISTRATOR');
    });

    if (profile === 'canvas') {
      it('keeps the claims ltijs drops: picture and Platform Storage target', async () => {
        const r = await runLaunch(env, { user: 'learner' });
        const me = await gql(env.app.url, ME, {}, r.token);
        expect(me.body.data.me.user.picture).toMatch(/^https?:\/\//);
        expect(r.launchHtml).toContain('"storage":{"target":"_parent"');
        const db = env.app.core.services.database.db;
        const [u] = await db.select().from(users).where(eq(users.name, me.body.data.me.user.name));
        expect(u!.locale).toBeTruthy();
        expect(u!.legacyUserId).toBeTruthy();
        expect((await runLaunch(env, { user: 'learner', resourceLink: { id: 'nav-link-1', title: 'Course Companion' } })).status).toBe(200);
        const [link] = await db.select().from(resourceLinks).where(eq(resourceLinks.resourceLinkId, 'nav-link-1'));
        expect(link!.placement).toBe('course_navigation');
      });
    } else {
      it('Moodle offers no Platform Storage: the page falls back to its own storage', async () => {
        const r = await runLaunch(env, { user: 'learner' });
        expect(r.launchHtml).toContain('"storage":null');
      });
    }
  });
}

describe('attacks on the launch', () => {
  let env: LtiEnv;
  let kid: string;
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  beforeAll(async () => {
    env = await startLtiEnv('canvas');
    kid = env.platform.jwks().keys[0]!.kid!;
    // A first good launch so the course and the users exist; refusals must change nothing after it.
    expect((await runLaunch(env, { user: 'instructor' })).status).toBe(200);
  });
  afterAll(() => env?.close());

  async function rows() {
    const db = env.app.core.services.database.db;
    const [u] = await db.select({ n: count() }).from(users);
    const [c] = await db.select({ n: count() }).from(courses);
    const [m] = await db.select({ n: count() }).from(memberships);
    return [u!.n, c!.n, m!.n];
  }
  const now = () => Math.floor(Date.now() / 1000);

  const cases: Array<[string, string, Parameters<typeof runLaunch>[1], Parameters<typeof runLaunch>[2]?]> = [
    ['a forged signature', 'BAD_SIGNATURE', { user: 'learner', signWith: { key: other, kid: '' } }],
    ['a key id not in the platform JWKS', 'UNKNOWN_KEY', { user: 'learner', signWith: { key: other, kid: 'not-a-platform-key' } }],
    ['alg none', 'ALG_NOT_ALLOWED', { user: 'learner', signWith: { alg: 'none' } }],
    ['HS256', 'ALG_NOT_ALLOWED', { user: 'learner', signWith: { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) } }],
    ['an expired token', 'TOKEN_EXPIRED', { user: 'learner', mutateClaims: (c) => ({ ...c, iat: now() - 7200, exp: now() - 3600 }) }],
    [
      'a token from the future',
      'TOKEN_TIME_INVALID',
      { user: 'learner', mutateClaims: (c) => ({ ...c, iat: now() + 600, exp: now() + 4000 }) },
    ],
    ['a nonce other than the one issued', 'NONCE_MISMATCH', { user: 'learner', mutateClaims: (c) => ({ ...c, nonce: 'attacker-nonce' }) }],
    ['a wrong audience', 'WRONG_AUDIENCE', { user: 'learner', mutateClaims: (c) => ({ ...c, aud: 'another-tool', azp: undefined }) }],
    [
      'several audiences without azp',
      'WRONG_AUDIENCE',
      { user: 'learner', mutateClaims: (c) => ({ ...c, aud: [c.aud, 'another-tool'], azp: undefined }) },
    ],
    [
      'an azp that is another client',
      'WRONG_AUDIENCE',
      { user: 'learner', mutateClaims: (c) => ({ ...c, aud: [c.aud, 'another-tool'], azp: 'another-tool' }) },
    ],
    ['another issuer in the token', 'WRONG_ISSUER', { user: 'learner', mutateClaims: (c) => ({ ...c, iss: 'https://evil.example' }) }],
    ['a wrong LTI version', 'WRONG_LTI_VERSION', { user: 'learner', mutateClaims: (c) => ({ ...c, [`${V}version`]: '1.1' }) }],
    [
      'a guest (empty roles array) asking for deep linking',
      'DEEP_LINKING_NOT_ALLOWED',
      { user: 'learner', messageType: 'LtiDeepLinkingRequest', mutateClaims: (c) => ({ ...c, [`${V}roles`]: [] }) },
    ],
    [
      'a launch with no roles claim',
      'NO_ROLES',
      {
        user: 'learner',
        mutateClaims: (c) => {
          const { [`${V}roles`]: _r, ...rest } = c;
          return rest;
        },
      },
    ],
    [
      'a target_link_uri on another site',
      'BAD_TARGET_LINK_URI',
      { user: 'learner', mutateClaims: (c) => ({ ...c, [`${V}target_link_uri`]: 'https://evil.example/phish' }) },
    ],
    [
      'an unknown deployment',
      'UNKNOWN_DEPLOYMENT',
      { user: 'learner', mutateClaims: (c) => ({ ...c, [`${V}deployment_id`]: 'rogue-deployment' }) },
    ],
    ['a missing state', 'MISSING_ID_TOKEN', { user: 'learner' }, { launchForm: (f) => ({ id_token: f.id_token! }) }],
    ['a state this tool never issued', 'STATE_UNKNOWN', { user: 'learner' }, { launchForm: (f) => ({ ...f, state: 'forged-state' }) }],
    ['a student forging a deep-linking request', 'DEEP_LINKING_NOT_ALLOWED', { user: 'learner', messageType: 'LtiDeepLinkingRequest' }],
  ];

  it.each(cases)('refuses %s (%s) with no side effect', async (_name, code, intent, tamper) => {
    if (intent.signWith && intent.signWith.kid === '') intent.signWith.kid = kid;
    const before = await rows();
    const r = await runLaunch(env, intent, tamper);
    expect(r.step).toBe('launch');
    expect(r.error).toBe(code);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.launchHtml).toContain('Open the activity again from your course');
    expect(await rows()).toEqual(before);
  });

  it("refuses a launch as the tool's own AI tutor user (a reserved subject), with no side effect", async () => {
    const before = await rows();
    const r = await runLaunch(env, { user: 'learner', mutateClaims: (c) => ({ ...c, sub: 'course-companion:ai-tutor' }) });
    expect(r.error).toBe('RESERVED_SUBJECT');
    expect(r.status).toBe(403);
    expect(await rows()).toEqual(before);
  });

  it('refuses a replayed launch (the same id_token and state posted twice)', async () => {
    const first = await runLaunch(env, { user: 'learner' }, { stopAfterLaunch: true });
    expect(first.status).toBe(200);
    const again = await fetch(`${env.tool}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(first.fields!),
    });
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('STATE_UNKNOWN');
  });

  it('refuses a replayed id_token under a fresh state (its nonce was issued for another login)', async () => {
    const first = await runLaunch(env, { user: 'learner' }, { stopAfterLaunch: true });
    const r = await runLaunch(env, { user: 'learner' }, { launchForm: (f) => ({ ...f, id_token: first.fields!.id_token! }) });
    expect(r.error).toBe('NONCE_MISMATCH');
  });

  it('refuses a launch finished in another browser (login CSRF): the code is spent and nothing is provisioned', async () => {
    const before = await rows();
    const r = await runLaunch(
      env,
      {
        user: {
          id: 'victim-1',
          givenName: 'Vic',
          familyName: 'Tim',
          name: 'Vic Tim',
          email: 'v@example.edu',
          username: 'vic',
          role: 'learner',
        },
      },
      { binding: () => 'another-browsers-secret' },
    );
    expect(r.step).toBe('exchange');
    expect(r.status).toBe(403);
    expect(r.error).toBe('BROWSER_MISMATCH');
    expect(await rows()).toEqual(before);
  });

  it('refuses a login from an unknown issuer and a login pointing to another site', async () => {
    const u = new URL(`${env.tool}/lti/login`);
    u.search = new URLSearchParams({
      iss: 'https://unknown.example',
      login_hint: 'x',
      target_link_uri: `${env.tool}/lti/launch`,
    }).toString();
    const a = await fetch(u);
    expect(a.status).toBe(400);
    expect(await a.text()).toContain('UNKNOWN_PLATFORM');
    u.search = new URLSearchParams({
      iss: env.platform.issuer,
      client_id: env.clientId,
      login_hint: 'x',
      target_link_uri: 'https://evil.example/lti/launch',
    }).toString();
    const b = await fetch(u);
    expect(b.status).toBe(400);
    expect(await b.text()).toContain('BAD_TARGET_LINK_URI');
    const c = await fetch(`${env.tool}/lti/login`);
    expect(c.status).toBe(400);
    expect(await c.text()).toContain('MISSING_LOGIN_PARAMETERS');
  });

  it('answers a login with a malformed target_link_uri with 400 and a code, not a crash', async () => {
    for (const target of ['http://[', 'http://[::1', '//[', 'http://%zz', 'http://a b/', ':']) {
      const u = new URL(`${env.tool}/lti/login`);
      u.search = new URLSearchParams({
        iss: env.platform.issuer,
        client_id: env.clientId,
        login_hint: 'x',
        target_link_uri: target,
      }).toString();
      const res = await fetch(u);
      expect(res.status, target).toBe(400);
      expect(await res.text(), target).toContain('BAD_TARGET_LINK_URI');
    }
    // The same through a form POST (platforms may POST the login initiation).
    const res = await fetch(`${env.tool}/lti/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ iss: env.platform.issuer, login_hint: 'x', target_link_uri: 'http://[' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('BAD_TARGET_LINK_URI');
  });

  it('answers a request target that is not a URL with 400, and an upgrade to one with 404, without crashing', async () => {
    const port = Number(new URL(env.app.url).port);
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const c = connect(port, '127.0.0.1', () => c.write(text));
        let out = '';
        c.on('data', (d) => {
          out += d;
          if (out.includes('\r\n\r\n')) c.destroy();
        });
        c.on('close', () => resolve(out.split('\r\n')[0]!));
        c.on('error', reject);
      });
    expect(await raw('GET //[ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw('GET //[/lti/login?iss=x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    const upgrade =
      'GET //[ HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    try {
      expect(await raw(upgrade)).toBe('HTTP/1.1 404 Not Found');
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(errors).toEqual([]);
    expect((await fetch(`${env.tool}/healthz`)).status).toBe(200);
  });

  it('stores hostile claims as inert, capped text', async () => {
    const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const r = await runLaunch(env, {
      user: {
        id: 'hostile-1',
        givenName: evil,
        familyName: 'X'.repeat(5000),
        name: evil + 'Y'.repeat(10_000),
        email: 'not an email',
        username: 'h',
        role: 'learner',
      },
      mutateClaims: (c) => ({ ...c, picture: 'javascript:alert(1)' }),
    });
    expect(r.error).toBeUndefined();
    const me = await gql(env.app.url, ME, {}, r.token);
    expect(me.body.data.me.user.name.length).toBeLessThanOrEqual(200);
    expect(me.body.data.me.user.name.startsWith(evil)).toBe(true); // kept as text; the web app renders text
    expect(me.body.data.me.user.email).toBeNull();
    expect(me.body.data.me.user.picture).toBeNull();
  });

  it('accepts a token that took a slow browser 50 seconds (ltijs 5.9 refuses after 10)', async () => {
    const r = await runLaunch(env, { user: 'learner', mutateClaims: (c) => ({ ...c, iat: now() - 50 }) });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(200);
  });
});

describe('deep linking', () => {
  let env: LtiEnv;
  beforeAll(async () => {
    env = await startLtiEnv('moodle');
  });
  afterAll(() => env?.close());

  it('an instructor picks what the link opens; the LMS receives a signed response; launching the link opens it', async () => {
    const r = await runLaunch(env, { user: 'instructor', messageType: 'LtiDeepLinkingRequest' });
    expect(r.error).toBeUndefined();
    expect(r.redirect).toMatch(/^\/deep-link\/[0-9a-f-]{36}$/);
    const id = r.redirect!.split('/').pop()!;
    const q = await gql(
      env.app.url,
      `query($id: ID!) { deepLinkRequest(id: $id) { id acceptMultiple course { title } } }`,
      { id },
      r.token,
    );
    expect(q.body.data.deepLinkRequest.course.title).toBe(env.platform.course().title);
    // A learner of the course cannot answer the instructor's request.
    const learner = await runLaunch(env, { user: 'learner' });
    const forged = await gql(
      env.app.url,
      `mutation($id: ID!) { submitDeepLink(requestId: $id, items: [{ section: CHAT, title: "x" }]) { jwt } }`,
      { id },
      learner.token,
    );
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const m = await gql(
      env.app.url,
      `mutation($id: ID!) { submitDeepLink(requestId: $id, items: [{ section: LIVE, title: "Week 1 live class", graded: true, scoreMaximum: 10 }]) { returnUrl jwt } }`,
      { id },
      r.token,
    );
    expect(m.body.errors).toBeUndefined();
    const { returnUrl, jwt } = m.body.data.submitDeepLink;
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${env.tool}/lti/keys`)), {
      issuer: env.clientId,
      audience: env.platform.issuer,
    });
    expect(payload['https://purl.imsglobal.org/spec/lti/claim/message_type']).toBe('LtiDeepLinkingResponse');
    const items = payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<Record<string, any>>;
    expect(items[0]).toMatchObject({
      type: 'ltiResourceLink',
      title: 'Week 1 live class',
      custom: { lt_section: 'live' },
      lineItem: { scoreMaximum: 10 },
    });
    // The platform accepts it.
    const back = await fetch(returnUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ JWT: jwt }),
    });
    expect(back.status).toBe(200);
    expect(env.platform.received.deepLinks.at(-1)?.valid).toBe(true);
    // One answer per request.
    const twice = await gql(
      env.app.url,
      `mutation($id: ID!) { submitDeepLink(requestId: $id, items: [{ section: HUB, title: "again" }]) { jwt } }`,
      { id },
      r.token,
    );
    expect(twice.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Launching the new link opens the live class.
    const activity = env.platform.course().activities.at(-1)!;
    expect(activity.custom).toMatchObject({ lt_section: 'live' });
    const open = await runLaunch(env, { user: 'learner', resourceLink: { id: activity.resourceLinkId } });
    expect(open.redirect).toMatch(/\/live$/);
  });

  it('accepts deep-linking settings sent as strings', async () => {
    const r = await runLaunch(env, {
      user: 'instructor',
      messageType: 'LtiDeepLinkingRequest',
      mutateClaims: (c) => ({
        ...c,
        'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings': {
          ...c['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'],
          accept_multiple: 'true',
          auto_create: 'false',
        },
      }),
    });
    const id = r.redirect!.split('/').pop()!;
    const q = await gql(env.app.url, `query($id: ID!) { deepLinkRequest(id: $id) { acceptMultiple } }`, { id }, r.token);
    expect(q.body.data.deepLinkRequest.acceptMultiple).toBe(true);
  });
});

describe('guests: a launch with no course role the tool knows', () => {
  let env: LtiEnv;
  let instructorToken: string;
  let instructorId: string;
  let courseId: string;
  beforeAll(async () => {
    env = await startLtiEnv('canvas');
    const r = await runLaunch(env, { user: 'instructor' });
    instructorToken = r.token!;
    const me = (await gql(env.app.url, `{ me { user { id } course { id } } }`, {}, instructorToken)).body.data.me;
    instructorId = me.user.id;
    courseId = me.course.id;
  });
  afterAll(() => env?.close());

  let n = 0;
  const visitor = () => {
    const id = `visitor-${++n}-${Date.now()}`;
    return {
      id,
      givenName: 'Vic',
      familyName: `Visitor ${n}`,
      name: `Vic Visitor ${n}`,
      email: `${id}@example.test`,
      username: id,
      role: 'learner' as const,
    };
  };
  const ROOMS = `query($id: ID!) { course(id: $id) { rooms { id kind canPost } } }`;

  it.each([
    ['an empty roles array', [] as string[]],
    ['only roles the tool does not know', ['http://example.test/vocab/roles#Visitor']],
  ])('%s lands the person as a guest who reads the course room and nothing more', async (_name, roles) => {
    const who = visitor();
    const r = await runLaunch(env, { user: who, mutateClaims: (c) => ({ ...c, [`${V}roles`]: roles }) });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(200);
    const token = r.token!;
    const me = (await gql(env.app.url, ME, {}, token)).body.data.me;
    expect(me.course.id).toBe(courseId);
    expect(me.course.myRoles).toEqual(['GUEST']);
    expect(me.roles).toEqual(['GUEST']);

    // Reads the course room: it is the only room they see, and they cannot post in it.
    const rooms = (await gql(env.app.url, ROOMS, { id: courseId }, token)).body.data.course.rooms as {
      id: string;
      kind: string;
      canPost: boolean;
    }[];
    expect(rooms).toEqual([expect.objectContaining({ kind: 'COURSE', canPost: false })]);
    const roomId = rooms[0]!.id;
    const history = await gql(
      env.app.url,
      `query($id: ID!) { room(id: $id) { messages(last: 20) { edges { node { body } } } } }`,
      { id: roomId },
      token,
    );
    expect(history.body.errors).toBeUndefined();
    const posted = await gql(
      env.app.url,
      `mutation($r: ID!) { sendMessage(input: { roomId: $r, clientId: "${randomUUID()}", body: "hello" }) { id } }`,
      { r: roomId },
      token,
    );
    expect(code(posted.body)).toBe('FORBIDDEN');

    // No direct messages (either way), no tutor, no staff views.
    const dm = await gql(
      env.app.url,
      `mutation($c: ID!, $u: ID!) { openDirectRoom(courseId: $c, userId: $u) { id } }`,
      { c: courseId, u: instructorId },
      token,
    );
    expect(code(dm.body)).toBe('FORBIDDEN');
    expect(dm.body.errors![0]!.extensions).toMatchObject({ reason: 'GUEST' });
    const tutor = await gql(env.app.url, `mutation($c: ID!) { openTutorRoom(courseId: $c) { id } }`, { c: courseId }, token);
    expect(code(tutor.body)).toBe('FORBIDDEN');
    expect(tutor.body.errors![0]!.extensions).toMatchObject({ reason: 'GUEST' });
    expect(
      code(
        (await gql(env.app.url, `query($id: ID!) { course(id: $id) { members(first: 5) { edges { cursor } } } }`, { id: courseId }, token))
          .body,
      ),
    ).toBe('FORBIDDEN');
    expect(
      code((await gql(env.app.url, `mutation { createApiKey(input: { name: "g", scopes: [READ] }) { secret } }`, {}, token)).body),
    ).toBe('FORBIDDEN');

    // The instructor sees them as a guest, and cannot open a direct room with them or add them to a group.
    const members = (
      await gql(
        env.app.url,
        `query($id: ID!) { course(id: $id) { members(first: 100) { edges { node { user { id name } roles } } } } }`,
        { id: courseId },
        instructorToken,
      )
    ).body.data.course.members.edges;
    const guest = members.find((e: { node: { user: { name: string } } }) => e.node.user.name === who.name);
    expect(guest.node.roles).toEqual(['GUEST']);
    const toGuest = await gql(
      env.app.url,
      `mutation($c: ID!, $u: ID!) { openDirectRoom(courseId: $c, userId: $u) { id } }`,
      { c: courseId, u: guest.node.user.id },
      instructorToken,
    );
    expect(code(toGuest.body)).toBe('FORBIDDEN');
    const group = await gql(
      env.app.url,
      `mutation($c: ID!, $u: ID!) { createGroupRoom(courseId: $c, name: "with a guest", memberIds: [$u]) { id } }`,
      { c: courseId, u: guest.node.user.id },
      instructorToken,
    );
    expect(code(group.body)).toBe('BAD_USER_INPUT');
  });

  it('a guest who is later launched as a learner takes part as one', async () => {
    const who = visitor();
    expect((await runLaunch(env, { user: who, mutateClaims: (c) => ({ ...c, [`${V}roles`]: [] }) })).status).toBe(200);
    const r = await runLaunch(env, {
      user: who,
      mutateClaims: (c) => ({ ...c, [`${V}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] }),
    });
    const rooms = (await gql(env.app.url, ROOMS, { id: courseId }, r.token)).body.data.course.rooms as { kind: string; canPost: boolean }[];
    expect(rooms.find((x) => x.kind === 'COURSE')!.canPost).toBe(true);
    expect(
      (await gql(env.app.url, `mutation($c: ID!) { openTutorRoom(courseId: $c) { id } }`, { c: courseId }, r.token)).body.errors,
    ).toBeUndefined();
  });
});
