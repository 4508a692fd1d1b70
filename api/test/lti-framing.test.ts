/**
 * Who may frame the tool's pages (CSP frame-ancestors), as Canvas schools really run it: the course page on the
 * school's own domain, which no registration names. The login page may be framed anywhere (no personal data); the
 * launch's answer by its own platform's sites and the sites its signed token names, never another platform's; the
 * app's later page loads by every active platform's learned sites; a pending registration's sites by nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createPlatform, SCOPES, type LtiPlatform } from '@lt/lti-tool';
import { tenants } from '../src/tenants/tables.js';
import { gql } from './harness.js';
import { runLaunch, startLtiEnv, type LtiEnv } from './lti-harness.js';

const V = 'https://purl.imsglobal.org/spec/lti/claim/';
const ancestorsOf = (csp: string | null | undefined) => /frame-ancestors ([^;]*)/.exec(csp ?? '')?.[1]?.split(' ') ?? [];

describe('framing of the tool by the platforms that embed it', () => {
  let env: LtiEnv;
  let other: LtiPlatform;
  let pendingAuth: string;
  beforeAll(async () => {
    env = await startLtiEnv('canvas');
    // A second platform on another site, registered on the same tool, and a pending one on a third.
    other = await createPlatform({ baseUrl: 'http://127.0.0.1:0/other', profile: 'moodle', sites: { auth: 'localhost' } });
    await other.listen();
    const lti = env.app.core.services.lti.tool;
    other.registerTool({
      clientId: 'other-client',
      deploymentIds: ['d1'],
      loginUrl: lti.loginUrl,
      redirectUris: [lti.redirectUri],
      jwksUrl: lti.jwksUrl,
      targetLinkUri: lti.redirectUri,
      scopes: [...SCOPES],
    });
    await lti.registerPlatform({
      issuer: 'https://other-lms.example.org',
      clientId: 'other-client',
      name: 'other',
      product: 'moodle',
      authEndpoint: 'https://sso.other-lms.example.org/auth',
      tokenEndpoint: other.url('/token'),
      jwksUrl: other.url('/jwks'),
      deploymentIds: ['d1'],
      status: 'active',
      acceptNewDeployments: false,
    });
    pendingAuth = 'https://pending-lms.example.net';
    await lti.registerPlatform({
      issuer: 'https://pending.example.net',
      clientId: 'pending-client',
      name: 'pending',
      product: 'canvas',
      authEndpoint: `${pendingAuth}/auth`,
      tokenEndpoint: `${pendingAuth}/token`,
      jwksUrl: `${pendingAuth}/jwks`,
      deploymentIds: [],
      status: 'pending',
      acceptNewDeployments: true,
    });
  });
  afterAll(async () => {
    await other?.close();
    await env?.close();
  });

  it('a launch whose return_url is on a site the platform has never shown finishes at /lti/exchange; the launch page, and later the app, may be framed by it', async () => {
    const school = 'https://school-a.instructure.example';
    const r = await runLaunch(env, {
      user: 'learner',
      mutateClaims: (c) => ({
        ...c,
        [`${V}launch_presentation`]: {
          document_target: 'iframe',
          return_url: `${school}/courses/1/external_content/success/external_tool_redirect`,
          locale: 'en',
        },
      }),
    });
    expect(r.error).toBeUndefined();
    expect(r.step).toBe('exchange');
    expect(r.status).toBe(200);
    const me = await gql(env.app.url, `{ me { user { id } } }`, {}, r.token);
    expect(me.body.errors).toBeUndefined();
    // The launch's own page: this platform's sites plus the verified return URL's site.
    const launchAncestors = ancestorsOf(r.launchHeaders!.get('content-security-policy'));
    expect(launchAncestors).toContain(school);
    expect(launchAncestors).toContain(new URL(env.platform.issuer).origin);
    // Learned for the tenant, so later page loads of the app may be framed by the school's site.
    const db = env.app.core.services.database.db;
    const [t] = await db
      .select()
      .from(tenants)
      .where(and(eq(tenants.issuer, env.platform.issuer), eq(tenants.clientId, env.clientId)));
    expect(t!.frameOrigins).toContain(school);
    const page = await fetch(`${env.tool}/courses/x/hub`);
    expect(ancestorsOf(page.headers.get('content-security-policy'))).toContain(school);
    // A second launch from the same site adds nothing twice; one with two new sites (deep linking) adds both.
    expect(
      (
        await runLaunch(env, {
          user: 'learner',
          mutateClaims: (c) => ({ ...c, [`${V}launch_presentation`]: { return_url: `${school}/x` } }),
        })
      ).status,
    ).toBe(200);
    const [t2] = await db.select().from(tenants).where(eq(tenants.id, t!.id));
    expect(t2!.frameOrigins.filter((o) => o === school)).toHaveLength(1);
  });

  it("the launch page names only its own platform's sites, never another platform's or a pending registration's", async () => {
    const r = await runLaunch(env, { user: 'instructor' });
    expect(r.status).toBe(200);
    const a = ancestorsOf(r.launchHeaders!.get('content-security-policy'));
    expect(a).toContain("'self'");
    expect(a).toContain(new URL(env.platform.issuer).origin);
    expect(a).not.toContain('https://other-lms.example.org');
    expect(a).not.toContain('https://sso.other-lms.example.org');
    expect(a).not.toContain(pendingAuth);
    expect(a).not.toContain('*');
    // The app's later page loads: every active platform's sites, but not the pending one's.
    const page = await fetch(`${env.tool}/`);
    const p = ancestorsOf(page.headers.get('content-security-policy'));
    expect(p).toContain('https://other-lms.example.org');
    expect(p).toContain(new URL(env.platform.issuer).origin);
    expect(p).not.toContain(pendingAuth);
  });

  it('the login page and the launch error page may be framed by any site (a school domain no registration names)', async () => {
    const init = env.platform.initiate({ user: 'learner' });
    const login = await fetch(init.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(init.params),
    });
    expect(login.status).toBe(200);
    expect(ancestorsOf(login.headers.get('content-security-policy'))).toEqual(['*']);
    const err = await fetch(`${env.tool}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id_token=x&state=nope',
    });
    expect(err.status).toBe(401);
    expect(await err.text()).toContain('STATE_UNKNOWN');
    expect(ancestorsOf(err.headers.get('content-security-policy'))).toEqual(['*']);
  });

  it("the app's pages carry a full policy: own scripts only, no plugins, no <base>, connections to itself", async () => {
    for (const path of ['/', '/courses/x/hub']) {
      const csp = (await fetch(`${env.tool}${path}`)).headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toMatch(/connect-src 'self' ws:\/\/localhost:\d+/);
    }
    const r = await runLaunch(env, { user: 'learner' }, { stopAfterLaunch: true });
    const csp = r.launchHeaders!.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("default-src 'self'");
  });
});
