/**
 * The platform driven as a tool would drive it: a tiny tool (its own RS256 key, its JWKS on an HTTP server at
 * localhost) against a platform per profile at 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { createPlatform, makeUser, type LaunchIntent, type LtiPlatform, type Profile, type ToolRegistration } from './index.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const NRPS = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIG = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
const SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];
const SCORE_SCOPE = SCOPES[3]!;
const NRPS_SCOPE = SCOPES[4]!;
const UA = { 'user-agent': 'platform-test-tool/1.0' };

// ------------------------------------------------------------------ the tiny tool

interface ToolKey {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function toolKey(kid: string): Promise<ToolKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

let toolServer: Server;
let toolOrigin: string;
let toolSigner: ToolKey;
/** Same kid as the tool's key, different key: forgeries. */
let forger: ToolKey;
let platformJwk: JWK;

beforeAll(async () => {
  [toolSigner, forger] = await Promise.all([toolKey('tool-key-1'), toolKey('tool-key-1')]);
  // One platform key for every platform keeps the suite fast; exported from a first platform.
  platformJwk = (await createPlatform({ baseUrl: 'http://127.0.0.1:0/lms', profile: 'generic' })).exportPrivateJwk();
  toolServer = createServer((req, res) => {
    if (req.url === '/lti/keys') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [toolSigner.jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => toolServer.listen(0, '127.0.0.1', resolve));
  toolOrigin = `http://localhost:${(toolServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  toolServer.closeAllConnections();
  await new Promise((resolve) => toolServer.close(resolve));
});

function toolRegistration(): Omit<ToolRegistration, 'clientId' | 'deploymentIds'> {
  return {
    name: 'Test tool',
    loginUrl: `${toolOrigin}/lti/login`,
    redirectUris: [`${toolOrigin}/lti/launch`],
    jwksUrl: `${toolOrigin}/lti/keys`,
    targetLinkUri: `${toolOrigin}/lti/launch`,
    scopes: SCOPES,
  };
}

async function startPlatform(profile: Profile): Promise<{ platform: LtiPlatform; tool: ToolRegistration }> {
  const platform = await createPlatform({ baseUrl: 'http://127.0.0.1:0/lms', profile, privateJwk: platformJwk });
  await platform.listen();
  return { platform, tool: platform.registerTool(toolRegistration()) };
}

function htmlDecode(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The action, method and hidden fields of the first form of a page. */
function parseForm(html: string): { action: string; method: string; fields: Record<string, string> } {
  const form = /<form\b[^>]*>/.exec(html)?.[0] ?? '';
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[htmlDecode(m[1]!)] = htmlDecode(m[2]!);
  return { action: htmlDecode(/action="([^"]*)"/.exec(form)?.[1] ?? ''), method: /method="([^"]*)"/.exec(form)?.[1] ?? '', fields };
}

interface AuthOverrides {
  redirect_uri?: string;
  client_id?: string;
  login_hint?: string;
}

/** The tool's half of the OIDC flow: take the login initiation, send the authentication request, read the answer. */
async function authenticate(p: LtiPlatform, intent: LaunchIntent, overrides: AuthOverrides = {}) {
  const init = p.initiate(intent);
  const nonce = randomUUID();
  const state = randomUUID();
  const params = new URLSearchParams({
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: init.params.client_id!,
    redirect_uri: `${toolOrigin}/lti/launch`,
    login_hint: init.params.login_hint!,
    lti_message_hint: init.params.lti_message_hint!,
    nonce,
    state,
    ...overrides,
  });
  // Tools may use GET or POST for the authentication request; exercise both.
  const res =
    p.profile === 'generic' ? await fetch(`${p.issuer}/auth?${params}`) : await fetch(`${p.issuer}/auth`, { method: 'POST', body: params });
  const html = await res.text();
  return { init, res, html, form: parseForm(html), nonce, state };
}

async function launch(p: LtiPlatform, intent: LaunchIntent) {
  const auth = await authenticate(p, intent);
  expect(auth.res.status, auth.html).toBe(200);
  const idToken = auth.form.fields.id_token!;
  const clientId = auth.init.params.client_id!;
  const { payload, protectedHeader } = await jwtVerify(idToken, createRemoteJWKSet(new URL(`${p.issuer}/jwks`)), {
    issuer: p.issuer,
    audience: clientId,
  });
  return { ...auth, claims: payload as Record<string, any>, header: protectedHeader };
}

async function clientAssertion(p: LtiPlatform, tool: ToolRegistration, opts: { key?: ToolKey; jti?: string } = {}): Promise<string> {
  const key = opts.key ?? toolSigner;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid! })
    .setIssuer(tool.clientId)
    .setSubject(tool.clientId)
    .setAudience(`${p.issuer}/token`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(opts.jti ?? randomUUID())
    .sign(key.privateKey);
}

async function tokenRequest(p: LtiPlatform, assertion: string, scope: string): Promise<Response> {
  return fetch(`${p.issuer}/token`, {
    method: 'POST',
    headers: { ...UA, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    }),
  });
}

async function accessToken(p: LtiPlatform, tool: ToolRegistration, scope: string): Promise<string> {
  const res = await tokenRequest(p, await clientAssertion(p, tool), scope);
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A request without a User-Agent header (fetch always sends one). */
function bareGet(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on('error', reject)
      .end();
  });
}

function nextLink(res: Response): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
}

// ------------------------------------------------------------------ per profile

describe.each(['moodle', 'canvas', 'generic'] as const)('%s platform', (profile) => {
  let platform: LtiPlatform;
  let tool: ToolRegistration;

  beforeAll(async () => {
    ({ platform, tool } = await startPlatform(profile));
  });
  afterAll(() => platform.close());

  it('takes the port it got as part of its issuer', () => {
    expect(platform.issuer).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/lms$/);
  });

  it('sends the login initiation parameters of the platform', () => {
    const init = platform.initiate({ user: 'instructor' });
    const instructor = platform.course().members.find((m) => m.role === 'instructor')!;
    expect(init.url).toBe(tool.loginUrl);
    expect(init.params).toMatchObject({
      iss: platform.issuer,
      client_id: tool.clientId,
      lti_deployment_id: tool.deploymentIds[0],
      target_link_uri: tool.targetLinkUri,
    });
    expect(new URL(init.href).searchParams.get('lti_message_hint')).toBe(init.params.lti_message_hint);
    if (profile === 'moodle') {
      expect(init.method).toBe('POST');
      expect(Object.keys(init.params).sort()).toEqual([
        'client_id',
        'iss',
        'login_hint',
        'lti_deployment_id',
        'lti_message_hint',
        'target_link_uri',
      ]);
      expect(init.params.login_hint).toBe(instructor.id);
      expect(instructor.id).toMatch(/^\d+$/);
      const hint = JSON.parse(init.params.lti_message_hint!);
      expect(hint).toEqual({ cmid: expect.any(Number), launchid: expect.stringMatching(/^ltilaunch\d+_\d+$/) });
      const dlHint = JSON.parse(platform.initiate({ user: 'instructor', messageType: 'LtiDeepLinkingRequest' }).params.lti_message_hint!);
      expect(dlHint).toEqual({ launchid: expect.stringMatching(/^ltilaunch_ContentItemSelectionRequest\d+$/) });
    } else if (profile === 'canvas') {
      expect(init.method).toBe('POST');
      expect(init.params).toMatchObject({
        canvas_environment: 'prod',
        canvas_region: 'us-east-1',
        lti_storage_target: '_parent',
        deployment_id: tool.deploymentIds[0],
      });
      expect(init.params.login_hint).toMatch(/^[0-9a-f]{40}$/);
      expect(decodeProtectedHeader(init.params.lti_message_hint!).alg).toBe('HS256');
      expect(decodeJwt(init.params.lti_message_hint!)).toMatchObject({ context_type: 'Course', include_storage_target: true });
    } else {
      expect(init.method).toBe('GET');
      expect(init.params.login_hint).toBe(instructor.id);
      expect(init.params.lti_storage_target).toBe('_parent');
    }
  });

  it('answers the authentication request with a signed id_token of the platform shape', async () => {
    const { claims, header, form, nonce, state, init } = await launch(platform, { user: 'instructor' });
    const course = platform.course();
    expect(form.method).toBe('post');
    expect(form.action).toBe(`${toolOrigin}/lti/launch`);
    expect(form.fields.state).toBe(state);
    expect(header).toMatchObject({ alg: 'RS256', kid: platformJwk.kid });
    expect(claims).toMatchObject({
      iss: platform.issuer,
      aud: tool.clientId,
      nonce,
      [`${LTI}message_type`]: 'LtiResourceLinkRequest',
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: tool.deploymentIds[0],
      [`${LTI}target_link_uri`]: tool.targetLinkUri,
      [`${LTI}resource_link`]: { id: course.activities[0]!.resourceLinkId, title: course.activities[0]!.title },
      [`${LTI}context`]: { id: course.id, label: 'CS101', title: 'Intro to Programming' },
      [`${LTI}launch_presentation`]: { document_target: 'iframe', return_url: expect.stringContaining(`${platform.issuer}/return`) },
      [`${LTI}tool_platform`]: { name: expect.any(String) },
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      email: 'ada.lovelace@example.edu',
      [NRPS]: { context_memberships_url: `${platform.issuer}/nrps/${encodeURIComponent(course.id)}` },
      [AGS]: { scope: expect.arrayContaining([SCORE_SCOPE]), lineitems: expect.any(String), lineitem: expect.any(String) },
    });
    const lifetime = claims.exp - claims.iat;
    if (profile === 'moodle') {
      expect(lifetime).toBe(60);
      expect(claims.azp).toBeUndefined();
      expect(claims[`${LTI}roles`]).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']);
      expect(claims[`${LTI}context`].type).toEqual(['CourseSection']);
      expect(claims[`${LTI}ext`]).toEqual({ user_username: 'alovelace', lms: 'moodle-2' });
      expect(claims[`${LTI}tool_platform`].product_family_code).toBe('moodle');
      expect(claims[`${LTI}lis`]).toHaveProperty('person_sourcedid');
      expect(claims[AGS].lineitem).toMatch(/\/ags\/[^/]+\/lineitems\/\d+\/lineitem\?type_id=/);
      expect(claims[AGS].scope).toEqual([...claims[AGS].scope].sort());
      expect(claims[NRPS].service_versions).toEqual(['1.0', '2.0']);
      expect(form.fields).not.toHaveProperty('lti_storage_target');
    } else if (profile === 'canvas') {
      expect(lifetime).toBe(3600);
      expect(claims.azp).toBe(tool.clientId);
      expect(claims[`${LTI}roles`]).toEqual([
        'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor',
        'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
        'http://purl.imsglobal.org/vocab/lis/v2/system/person#User',
      ]);
      expect(claims[`${LTI}context`].type).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering']);
      expect(claims[`${LTI}lti11_legacy_user_id`]).toBe(init.params.login_hint);
      expect(claims[`${LTI}lti1p1`].user_id).toBe(init.params.login_hint);
      expect(claims).toHaveProperty(['https://www.instructure.com/placement']);
      expect(claims).toMatchObject({ locale: 'en', picture: expect.any(String), errors: { errors: {} } });
      expect(claims[`${LTI}custom`]).toMatchObject({ canvas_course_id: '1' });
      expect(form.fields).toMatchObject({ lti_storage_target: '_parent', utf8: '✓' });
    } else {
      expect(claims[`${LTI}roles`]).toEqual(['Instructor']);
      expect(claims[`${LTI}tool_platform`].product_family_code).toBe('ltijs-test');
      expect(form.fields).not.toHaveProperty('lti_storage_target');
    }
  });

  it('sends the learner and admin roles of the platform', async () => {
    const learner = (await launch(platform, { user: 'learner' })).claims[`${LTI}roles`];
    const admin = (await launch(platform, { user: 'admin' })).claims[`${LTI}roles`];
    if (profile === 'moodle') {
      expect(learner).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner']);
      expect(admin).toEqual(
        expect.arrayContaining([
          'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
          'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator',
        ]),
      );
    } else if (profile === 'canvas') {
      expect(learner).toEqual(
        expect.arrayContaining([
          'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student',
          'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
        ]),
      );
      expect(admin).toContain('http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator');
    } else {
      expect(learner).toEqual(['Learner']);
    }
  });

  it('launches a visiting guest with an empty roles array, from the LMS page too; the guest is no member of the course', async () => {
    const { claims } = await launch(platform, { user: 'guest' });
    expect(claims[`${LTI}roles`]).toEqual([]);
    expect(claims.name).toBe('Hedy Lamarr');
    // Not enrolled: NRPS does not list them.
    const token = await accessToken(platform, tool, NRPS_SCOPE);
    const res = await fetch(claims[NRPS].context_memberships_url, { headers: { ...UA, authorization: `Bearer ${token}` } });
    const roster = (await res.json()) as { members: Array<{ user_id: string }> };
    expect(roster.members.length).toBeGreaterThan(0);
    expect(roster.members.map((m) => m.user_id)).not.toContain(claims.sub);
    // The LMS page offers the launch beside the others, and ?as=guest launches into the tool frame.
    const page = await (await fetch(`${platform.issuer}/`)).text();
    expect(page).toMatch(/>Launch as instructor<\/a>[\s\S]*>Launch as student<\/a>[\s\S]*>Launch as guest<\/a>/);
    const launched = await (await fetch(`${platform.issuer}/?as=guest`)).text();
    expect(launched).not.toContain('Unknown role');
    expect(launched).toContain('launch as guest');
    expect(launched).toContain(profile === 'generic' ? `src="${htmlDecode(`${toolOrigin}/lti/login?`)}` : '<form id="lti-launch"');
  });

  it('sends deep linking settings of the platform shape', async () => {
    const { claims } = await launch(platform, { user: 'instructor', messageType: 'LtiDeepLinkingRequest' });
    const settings = claims[`${DL}deep_linking_settings`];
    expect(claims[`${LTI}message_type`]).toBe('LtiDeepLinkingRequest');
    expect(claims).not.toHaveProperty([`${LTI}resource_link`]);
    expect(settings).toMatchObject({
      deep_link_return_url: expect.stringContaining(`${platform.issuer}/deep-link-return?`),
      accept_types: ['ltiResourceLink'],
      accept_multiple: true,
      auto_create: false,
    });
    if (profile === 'moodle') expect(settings.accept_presentation_document_targets).toEqual(['frame', 'iframe', 'window']);
    else expect(settings.accept_presentation_document_targets).toEqual(['iframe', 'window']);
    if (profile === 'generic') expect(settings.data).toEqual(expect.any(String));
    else expect(settings).not.toHaveProperty('data');
  });

  it('rejects bad authentication requests with 400 and says why', async () => {
    const wrongRedirect = await authenticate(platform, { user: 'learner' }, { redirect_uri: `${toolOrigin}/elsewhere` });
    expect(wrongRedirect.res.status).toBe(400);
    expect(wrongRedirect.html).toContain('redirect_uri');
    const unknownClient = await authenticate(platform, { user: 'learner' }, { client_id: 'no-such-client' });
    expect(unknownClient.res.status).toBe(400);
    expect(unknownClient.html).toContain('unknown client_id');
    const otherUser = await authenticate(platform, { user: 'learner' }, { login_hint: 'someone-else' });
    expect(otherUser.res.status).toBe(400);
    expect(otherUser.html).toContain('login_hint');
    // A launch is consumed by its first authentication.
    const first = await authenticate(platform, { user: 'learner' });
    expect(first.res.status).toBe(200);
    const replay = await fetch(`${platform.issuer}/auth`, {
      method: 'POST',
      body: new URLSearchParams({
        scope: 'openid',
        response_type: 'id_token',
        response_mode: 'form_post',
        prompt: 'none',
        client_id: tool.clientId,
        redirect_uri: `${toolOrigin}/lti/launch`,
        login_hint: first.init.params.login_hint!,
        lti_message_hint: first.init.params.lti_message_hint!,
        nonce: 'n',
        state: 's',
      }),
    });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('lti_message_hint');
  });

  it('issues client_credentials tokens for a good assertion only', async () => {
    const good = await tokenRequest(
      platform,
      await clientAssertion(platform, tool),
      `${SCORE_SCOPE} ${NRPS_SCOPE} https://example.com/not-a-scope`,
    );
    expect(good.status).toBe(200);
    const body = (await good.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ access_token: expect.any(String), expires_in: 3600, scope: `${SCORE_SCOPE} ${NRPS_SCOPE}` });
    expect(body.token_type).toBe(profile === 'generic' ? 'bearer' : 'Bearer');

    const forged = await tokenRequest(platform, await clientAssertion(platform, tool, { key: forger }), SCORE_SCOPE);
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: 'invalid_client' });

    const jti = randomUUID();
    expect((await tokenRequest(platform, await clientAssertion(platform, tool, { jti }), SCORE_SCOPE)).status).toBe(200);
    const replayed = await tokenRequest(platform, await clientAssertion(platform, tool, { jti }), SCORE_SCOPE);
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toMatchObject({ error: 'invalid_grant' });
    expect(platform.received.tokenRequests.at(-1)).toMatchObject({
      scope: SCORE_SCOPE,
      userAgent: UA['user-agent'],
      status: 400,
      error: 'invalid_grant',
    });
  });

  it('pages NRPS with Link rel="next" so that every member arrives once', async () => {
    const members = Array.from({ length: 250 }, (_, i) =>
      makeUser(profile, 1000 + i, `Student${i}`, 'Tester', i === 0 ? 'instructor' : 'learner'),
    );
    const course = platform.addCourse({ label: 'BIG', title: 'A big course', members });
    const { claims } = await launch(platform, { user: members[0]!, contextId: course.id });
    const token = await accessToken(platform, tool, NRPS_SCOPE);
    // Moodle pages only when asked to.
    let next: string | undefined = claims[NRPS].context_memberships_url + (profile === 'moodle' ? '?limit=40' : '');
    const seen: string[] = [];
    let pages = 0;
    while (next) {
      const res: Response = await fetch(next, {
        headers: { ...UA, authorization: `Bearer ${token}`, accept: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/vnd.ims.lti-nrps.v2.membershipcontainer+json');
      const page = (await res.json()) as { context: { id: string }; members: Array<{ user_id: string; status: string; roles: string[] }> };
      expect(page.context.id).toBe(course.id);
      seen.push(...page.members.map((m) => m.user_id));
      next = nextLink(res);
      pages++;
    }
    expect(pages).toBe(profile === 'moodle' ? 7 : profile === 'canvas' ? 5 : 3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen)).toEqual(new Set(members.map((m) => m.id)));
    expect(platform.received.nrpsRequests.at(-1)).toMatchObject({ userAgent: UA['user-agent'], status: 200 });
  });

  it('takes scores at the line item URL, query string kept, and enforces their content type', async () => {
    const { claims } = await launch(platform, { user: 'learner' });
    const learner = platform.course().members.find((m) => m.role === 'learner')!;
    const token = await accessToken(platform, tool, SCORE_SCOPE);
    const scoresUrl = new URL(claims[AGS].lineitem);
    scoresUrl.pathname += '/scores';
    const score = {
      userId: learner.id,
      scoreGiven: 7,
      scoreMaximum: 10,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: new Date().toISOString(),
    };
    const post = (url: string, contentType: string, body: object = score) =>
      fetch(url, {
        method: 'POST',
        headers: { ...UA, authorization: `Bearer ${token}`, 'content-type': contentType },
        body: JSON.stringify(body),
      });

    const wrongType = await post(scoresUrl.href, 'application/json');
    expect(wrongType.status).toBe(profile === 'moodle' ? 400 : 415);
    const tooHigh = await post(scoresUrl.href, 'application/vnd.ims.lis.v1.score+json', { ...score, scoreGiven: 11 });
    expect(tooHigh.status).toBe(400);

    const ok = await post(scoresUrl.href, 'application/vnd.ims.lis.v1.score+json');
    expect(ok.status).toBe(profile === 'generic' ? 204 : 200);
    if (profile === 'canvas') expect(await ok.json()).toEqual({ resultUrl: expect.stringContaining('/results/') });
    expect(platform.received.scores.at(-1)).toMatchObject({
      url: scoresUrl.href,
      contentType: 'application/vnd.ims.lis.v1.score+json',
      userAgent: UA['user-agent'],
      body: score,
      status: ok.status,
    });

    if (profile === 'moodle') {
      expect(scoresUrl.search).toMatch(/^\?type_id=/);
      // Dropping Moodle's type_id gets the request refused, as Moodle does.
      const noQuery = new URL(scoresUrl);
      noQuery.search = '';
      expect(
        (
          await post(noQuery.href, 'application/vnd.ims.lis.v1.score+json', {
            ...score,
            timestamp: new Date(Date.now() + 1000).toISOString(),
          })
        ).status,
      ).toBe(403);
      // An older score than the last one is refused with 409.
      expect((await post(scoresUrl.href, 'application/vnd.ims.lis.v1.score+json')).status).toBe(409);
    }
  });

  it('refuses the next n scores on request (failScores), then takes them again', async () => {
    const { claims } = await launch(platform, { user: 'learner' });
    const learner = platform.course().members.find((m) => m.role === 'learner')!;
    const token = await accessToken(platform, tool, SCORE_SCOPE);
    const scoresUrl = new URL(claims[AGS].lineitem);
    scoresUrl.pathname += '/scores';
    const lineItemId = /\/(?:lineitems|line_items)\/(\d+)/.exec(scoresUrl.pathname)![1]!;
    const post = (scoreGiven: number, at: number) =>
      fetch(scoresUrl.href, {
        method: 'POST',
        headers: { ...UA, authorization: `Bearer ${token}`, 'content-type': 'application/vnd.ims.lis.v1.score+json' },
        body: JSON.stringify({
          userId: learner.id,
          scoreGiven,
          scoreMaximum: 10,
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
          timestamp: new Date(at).toISOString(),
        }),
      });
    const t0 = Date.now() + 60_000;
    expect((await post(3, t0)).status).toBe(profile === 'generic' ? 204 : 200);
    platform.failScores(2, 502);
    expect((await post(4, t0 + 1000)).status).toBe(502);
    expect((await post(5, t0 + 2000)).status).toBe(502);
    expect(platform.received.scores.at(-1)).toMatchObject({ status: 502, body: { scoreGiven: 5 } });
    expect(platform.result(lineItemId, learner.id)).toMatchObject({ resultScore: 3 });
    expect((await post(6, t0 + 3000)).status).toBe(profile === 'generic' ? 204 : 200);
    expect(platform.result(lineItemId, learner.id)).toMatchObject({ resultScore: 6, resultMaximum: 10 });
  });

  it('accepts a verified deep linking response and adds its items as activities', async () => {
    const { claims } = await launch(platform, { user: 'instructor', messageType: 'LtiDeepLinkingRequest' });
    const settings = claims[`${DL}deep_linking_settings`];
    const response = (key: ToolKey, extra: Record<string, unknown> = {}) =>
      new SignJWT({
        [`${LTI}message_type`]: 'LtiDeepLinkingResponse',
        [`${LTI}version`]: '1.3.0',
        [`${LTI}deployment_id`]: claims[`${LTI}deployment_id`],
        ...(settings.data !== undefined ? { [`${DL}data`]: settings.data } : {}),
        [`${DL}content_items`]: [
          {
            type: 'ltiResourceLink',
            title: 'Quiz 1',
            url: `${toolOrigin}/lti/launch?quiz=1`,
            custom: { quiz: '1' },
            lineItem: { label: 'Quiz 1', scoreMaximum: 10 },
          },
        ],
        ...extra,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid! })
        .setIssuer(tool.clientId)
        .setAudience(platform.issuer)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key.privateKey);
    const post = (jwt: string) => fetch(settings.deep_link_return_url, { method: 'POST', body: new URLSearchParams({ JWT: jwt }) });

    const forged = await response(forger, { nonce: randomUUID() });
    expect((await post(forged)).status).toBe(400);
    expect(platform.received.deepLinks.at(-1)).toMatchObject({
      jwt: forged,
      valid: false,
      error: expect.stringContaining('does not verify'),
    });
    // The response's nonce is the tool's own choice, but it must be there.
    expect((await post(await response(toolSigner))).status).toBe(400);
    expect(platform.received.deepLinks.at(-1)!.error).toContain('nonce');

    const accepted = await post(await response(toolSigner, { nonce: randomUUID() }));
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('Quiz 1');
    expect(platform.received.deepLinks.at(-1)).toMatchObject({ valid: true, payload: { iss: tool.clientId } });

    const activity = platform.course().activities.find((a) => a.title === 'Quiz 1')!;
    expect(activity).toMatchObject({ url: `${toolOrigin}/lti/launch?quiz=1`, custom: { quiz: '1' }, lineItemId: expect.any(String) });
    const quiz = await launch(platform, { user: 'learner', resourceLink: { id: activity.resourceLinkId } });
    expect(quiz.claims).toMatchObject({
      [`${LTI}target_link_uri`]: `${toolOrigin}/lti/launch?quiz=1`,
      [`${LTI}resource_link`]: { id: activity.resourceLinkId, title: 'Quiz 1' },
      [`${LTI}custom`]: { quiz: '1' },
      [AGS]: { lineitem: expect.stringContaining(`/${activity.lineItemId}`) },
    });
  });

  it('runs dynamic registration with a one-time token', async () => {
    const start = new URL(platform.dynamicRegistrationUrl(`${toolOrigin}/lti/register?tenant=1`));
    expect(start.searchParams.get('tenant')).toBe('1');
    const configUrl = start.searchParams.get('openid_configuration')!;
    const registrationToken = start.searchParams.get('registration_token')!;
    const config = (await (await fetch(configUrl)).json()) as Record<string, any>;
    expect(config).toMatchObject({
      issuer: platform.issuer,
      authorization_endpoint: `${platform.issuer}/auth`,
      token_endpoint: `${platform.issuer}/token`,
      jwks_uri: `${platform.issuer}/jwks`,
      registration_endpoint: `${platform.issuer}/register`,
      response_types_supported: ['id_token'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: expect.arrayContaining(SCOPES),
    });
    const platformConfig = config[PLATFORM_CONFIG];
    if (profile === 'moodle') {
      expect(platformConfig).toMatchObject({
        product_family_code: 'moodle',
        messages_supported: ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
      });
      expect(config.scopes_supported).toContain('openid');
    } else if (profile === 'canvas') {
      expect(platformConfig.product_family_code).toBe('canvas');
      expect(platformConfig.messages_supported).toContainEqual({
        type: 'LtiDeepLinkingRequest',
        placements: expect.arrayContaining(['link_selection']),
      });
      expect(config.authorization_server).toBe(new URL(platform.issuer).host);
    } else {
      expect(platformConfig).toMatchObject({
        product_family_code: 'ltijs-test',
        messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }],
      });
    }

    const registration = {
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: `${toolOrigin}/lti/login`,
      redirect_uris: [`${toolOrigin}/lti/launch`],
      client_name: 'Registered tool',
      jwks_uri: `${toolOrigin}/lti/keys`,
      token_endpoint_auth_method: 'private_key_jwt',
      scope: `${SCORE_SCOPE} ${NRPS_SCOPE}`,
      [TOOL_CONFIG]: {
        domain: new URL(toolOrigin).host,
        target_link_uri: `${toolOrigin}/lti/launch`,
        claims: ['iss', 'sub', 'name', 'email'],
        messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: `${toolOrigin}/lti/deep-link` }],
      },
    };
    const register = (token: string | undefined) =>
      fetch(config.registration_endpoint, {
        method: 'POST',
        headers: { ...UA, 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(registration),
      });
    expect((await register(undefined)).status).toBe(401);
    const res = await register(registrationToken);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Record<string, any>;
    const registered = platform.tools.find((t) => t.clientId === answer.client_id)!;
    expect(registered).toMatchObject({
      loginUrl: `${toolOrigin}/lti/login`,
      deepLinkingUri: `${toolOrigin}/lti/deep-link`,
      scopes: [SCORE_SCOPE, NRPS_SCOPE],
    });
    if (profile === 'canvas') expect(answer[TOOL_CONFIG]).not.toHaveProperty('deployment_id');
    else expect(answer[TOOL_CONFIG].deployment_id).toBe(registered.deploymentIds[0]);
    expect(platform.received.registrations.at(-1)).toEqual({ body: registration, clientId: answer.client_id });
    expect((await register(registrationToken)).status).toBe(401);

    // The new registration launches, deep linking to the URL it registered for that message.
    const { claims } = await launch(platform, { user: 'instructor', clientId: answer.client_id, messageType: 'LtiDeepLinkingRequest' });
    expect(claims[`${LTI}target_link_uri`]).toBe(`${toolOrigin}/lti/deep-link`);
  });

  it(`${profile === 'canvas' ? 'refuses' : 'accepts'} service requests without a User-Agent`, async () => {
    const token = await accessToken(platform, tool, NRPS_SCOPE);
    const status = await bareGet(`${platform.issuer}/nrps/${encodeURIComponent(platform.course().id)}`, {
      authorization: `Bearer ${token}`,
    });
    expect(status).toBe(profile === 'canvas' ? 400 : 200);
  });

  it('serves the LMS page that launches the tool in its iframe', async () => {
    const res = await fetch(`${platform.issuer}/?as=learner`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Intro to Programming');
    expect(html).toMatch(/<iframe name="lti-tool-frame"[^>]*allow="clipboard-write; fullscreen"/);
    if (profile === 'generic') {
      expect(html).toContain(`src="${htmlDecode(`${toolOrigin}/lti/login?`)}`);
    } else {
      const form = parseForm(html.slice(html.indexOf('<form id="lti-launch"')));
      expect(form).toMatchObject({ action: `${toolOrigin}/lti/login`, method: 'post' });
      expect(html).toContain('target="lti-tool-frame"');
    }
    // Platform Storage is answered where the platform has it, for the tool's origin only.
    if (profile === 'moodle') expect(html).toContain('const storageOrigins = null;');
    else expect(html).toContain(`const storageOrigins = ["${toolOrigin}"];`);
  });
});

describe('test hooks', () => {
  let platform: LtiPlatform;

  beforeAll(async () => {
    ({ platform } = await startPlatform('generic'));
  });
  afterAll(() => platform.close());

  it('lets a test change claims and sign the id_token with another key', async () => {
    const mutated = await launch(platform, { user: 'learner', mutateClaims: (c) => ({ ...c, [`${LTI}version`]: '1.1' }) });
    expect(mutated.claims[`${LTI}version`]).toBe('1.1');

    const forged = await authenticate(platform, { user: 'learner', signWith: { key: forger.privateKey, kid: platformJwk.kid } });
    await expect(jwtVerify(forged.form.fields.id_token!, createRemoteJWKSet(new URL(`${platform.issuer}/jwks`)))).rejects.toThrow(
      /signature/,
    );

    const unsigned = await platform.sign({ sub: 'x' }, { alg: 'none' });
    expect(decodeProtectedHeader(unsigned).alg).toBe('none');
  });
});
