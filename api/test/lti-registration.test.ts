/**
 * LTI Dynamic Registration under attack: /lti/register is reachable by anyone, so each registration is bounded
 * (rate per address, pending backlog, registration secret, allow-list of platforms, closed in production without
 * either), generates its key off the event loop, never disturbs an existing tenant, and fetches only public
 * addresses without ever echoing what it fetched. Platforms are the stand-ins of lti-tool/src/platform.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tenants } from '../src/tenants/tables.js';
import { runLaunch, startLtiEnv, type LtiEnv } from './lti-harness.js';

interface Answer {
  status: number;
  code: string | null;
  html: string;
}

async function get(url: string): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual' });
  const html = await res.text();
  // The code of an error page (messagePage), not text of a script.
  const code = html.includes('data-testid="lti-message"') ? (/lti-error-code">([^<]+)</.exec(html)?.[1] ?? null) : null;
  return { status: res.status, code, html };
}

async function tenantRows(env: LtiEnv) {
  const db = env.app.core.services.database.db;
  return db.select().from(tenants).where(eq(tenants.issuer, env.platform.issuer));
}

/** A server on 127.0.0.1 standing for an internal service; it counts what reaches it. */
type Reply = { status: number; headers?: Record<string, string>; body: string };
async function internalServer(answer: (req: IncomingMessage, hit: string[]) => Reply) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const a = answer(req, hits);
    res.writeHead(a.status, a.headers ?? { 'content-type': 'application/json' }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const envs: LtiEnv[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const e of envs.splice(0)) await e.close();
});
async function env(profile: 'moodle' | 'canvas' | 'generic', opts: Parameters<typeof startLtiEnv>[1] = {}): Promise<LtiEnv> {
  const e = await startLtiEnv(profile, opts);
  envs.push(e);
  return e;
}

describe('tool keys are generated off the event loop', () => {
  it('the event loop stays free and a request is answered while registrations and a key rotation run', async () => {
    const e = await env('generic', { register: false });
    const tool = e.app.core.services.lti.tool;
    const platform = (i: number) => ({
      issuer: `https://lms-${i}.keys.example.edu`,
      clientId: `client-${i}`,
      name: `LMS ${i}`,
      product: 'generic' as const,
      authEndpoint: `https://lms-${i}.keys.example.edu/auth`,
      tokenEndpoint: `https://lms-${i}.keys.example.edu/token`,
      jwksUrl: `https://lms-${i}.keys.example.edu/jwks`,
      deploymentIds: ['d-1'],
      status: 'active' as const,
      acceptNewDeployments: false,
    });
    const elu0 = performance.eventLoopUtilization();
    let finished = false;
    const work = Promise.all([
      tool.registerPlatform(platform(1)).then(() => tool.rotateKey(platform(1).issuer, platform(1).clientId)),
      tool.registerPlatform(platform(2)),
      tool.registerPlatform(platform(3)),
    ]).finally(() => (finished = true));
    // Sent once the registrations are under way: answered before they all finish.
    const answered = await fetch(`${e.app.url}/healthz`).then((r) => ({ status: r.status, whileGenerating: !finished }));
    await work;
    const elu = performance.eventLoopUtilization(elu0);
    expect(answered).toEqual({ status: 200, whileGenerating: true });
    // Four 4096-bit key pairs were made meanwhile; on the event loop it would have been busy nearly all the time.
    expect(elu.utilization).toBeLessThan(0.5);
    const keys = (await (await fetch(`${e.tool}/lti/keys`)).json()) as { keys: Array<{ kid: string; n: string }> };
    expect(keys.keys).toHaveLength(4); // three platforms' keys and the one retired by the rotation
    expect(new Set(keys.keys.map((k) => k.n)).size).toBe(4);
    for (const k of keys.keys) expect(Buffer.from(k.n, 'base64url').length * 8).toBe(4096);
    // The keys work: a launch through a dynamic registration would sign with them; here the registry reads them back.
    const p = await tool.lti.getPlatform(platform(2).issuer, platform(2).clientId);
    expect(await p.platformActive()).toBe(true);
    expect(keys.keys.map((k) => k.kid)).toContain(await p.platformKid());
  });
});

describe('registration is bounded', () => {
  it('refuses more registrations from one address than LTI_REGISTRATION_RATE_LIMIT allows, with a code', async () => {
    const e = await env('moodle', {
      register: false,
      env: { LTI_REGISTRATION_RATE_LIMIT: '2', LTI_REGISTRATION_RATE_WINDOW_SECONDS: '3600' },
    });
    expect((await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`))).status).toBe(200);
    expect((await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`))).status).toBe(200);
    const third = await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`));
    expect(third).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(e.platform.received.registrations).toHaveLength(2);
    expect(await tenantRows(e)).toHaveLength(2);
  });

  it('refuses a registration while LTI_MAX_PENDING_REGISTRATIONS wait for an administrator', async () => {
    const e = await env('moodle', { register: false, env: { LTI_AUTO_ACTIVATE: 'false', LTI_MAX_PENDING_REGISTRATIONS: '1' } });
    expect((await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`))).status).toBe(200);
    const second = await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`));
    expect(second).toMatchObject({ status: 503, code: 'TOO_MANY_PENDING_REGISTRATIONS' });
    // Refused before the platform was asked anything: it registered one tool only, and one tenant waits.
    expect(e.platform.received.registrations).toHaveLength(1);
    expect((await tenantRows(e)).map((t) => t.status)).toEqual(['pending']);
    // Once the administrator decides, the next registration goes through.
    const [t] = await tenantRows(e);
    await e.app.core.services.lti.setPlatformStatus(t!.issuer, t!.clientId, 'active');
    expect((await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`))).status).toBe(200);
  });

  it('with LTI_REGISTRATION_SECRET, registers only from the URL that carries it', async () => {
    const secret = 'reg-secret-0123456789abcdefghij';
    const e = await env('canvas', { register: false, env: { LTI_REGISTRATION_SECRET: secret } });
    const none = await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`));
    expect(none).toMatchObject({ status: 403, code: 'REGISTRATION_SECRET_REQUIRED' });
    const wrong = await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register?secret=${secret.slice(0, -1)}x`));
    expect(wrong).toMatchObject({ status: 403, code: 'REGISTRATION_SECRET_REQUIRED' });
    expect(e.platform.received.registrations).toHaveLength(0);
    expect(await tenantRows(e)).toHaveLength(0);
    const right = await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register?secret=${secret}`));
    expect(right.status).toBe(200);
    expect(right.html).toContain('org.imsglobal.lti.close');
    expect(right.html).not.toContain(secret);
    const clientId = e.platform.received.registrations.at(-1)!.clientId;
    expect((await runLaunch(e, { user: 'instructor', clientId })).status).toBe(200);
  });

  it('with LTI_REGISTRATION_ISSUERS, registers only listed platforms, checked before anything is fetched', async () => {
    const listed = await env('moodle', { register: false });
    // An unlisted site: it would even claim the listed issuer, but is never asked.
    const iss = listed.platform.issuer;
    const other = await internalServer(() => ({
      status: 200,
      body: JSON.stringify({
        issuer: iss,
        authorization_endpoint: `${iss}/auth`,
        token_endpoint: `${iss}/token`,
        jwks_uri: `${iss}/jwks`,
        registration_endpoint: `${iss}/register`,
      }),
    }));
    cleanups.push(other.close);
    // A second app whose allow-list names the first platform only.
    const e = await env('moodle', {
      register: false,
      env: { LTI_REGISTRATION_ISSUERS: `${listed.platform.issuer}, https://canvas.instructure.com` },
    });
    const refused = await get(
      `${e.tool}/lti/register?openid_configuration=${encodeURIComponent(`http://127.0.0.1:${other.port}/cfg`)}&registration_token=t`,
    );
    expect(refused).toMatchObject({ status: 403, code: 'PLATFORM_NOT_ALLOWED' });
    expect(other.hits).toEqual([]);
    const ok = await get(listed.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`));
    expect(ok.status).toBe(200);
  });

  it('with LTI_REGISTRATION_ISSUERS, a listed site cannot claim an issuer that is not listed', async () => {
    // The listed site serves a configuration naming someone else's LMS as its issuer.
    const claimed = 'https://moodle.school.example';
    const site = await internalServer((req) =>
      req.url === '/register'
        ? { status: 200, body: JSON.stringify({ client_id: 'c-1' }) }
        : {
            status: 200,
            body: JSON.stringify({
              issuer: claimed,
              authorization_endpoint: `${claimed}/auth`,
              token_endpoint: `${claimed}/token`,
              jwks_uri: `${claimed}/jwks`,
              registration_endpoint: `http://127.0.0.1:${site.port}/register`,
            }),
          },
    );
    cleanups.push(site.close);
    const e = await env('moodle', { register: false, env: { LTI_REGISTRATION_ISSUERS: `http://127.0.0.1:${site.port}` } });
    const r = await get(
      `${e.tool}/lti/register?openid_configuration=${encodeURIComponent(`http://127.0.0.1:${site.port}/cfg`)}&registration_token=t`,
    );
    expect(r).toMatchObject({ status: 403, code: 'PLATFORM_NOT_ALLOWED' });
    expect(site.hits).toEqual(['/cfg']); // the configuration was read; nothing was registered
  });

  it('keeps the issuer exactly as the platform writes it (a bare origin gets no trailing slash)', async () => {
    const site = await internalServer((req): Reply => {
      const iss = `http://127.0.0.1:${site.port}`;
      return req.url === '/register'
        ? { status: 200, body: JSON.stringify({ client_id: 'bare-1' }) }
        : {
            status: 200,
            body: JSON.stringify({
              issuer: iss,
              authorization_endpoint: `${iss}/auth`,
              token_endpoint: `${iss}/token`,
              jwks_uri: `${iss}/jwks`,
              registration_endpoint: `${iss}/register`,
            }),
          };
    });
    cleanups.push(site.close);
    const e = await env('generic', { register: false });
    const r = await get(
      `${e.tool}/lti/register?openid_configuration=${encodeURIComponent(`http://127.0.0.1:${site.port}/.well-known/openid-configuration`)}&registration_token=t`,
    );
    expect(r.status).toBe(200);
    expect(await e.app.core.services.lti.platformStatus(`http://127.0.0.1:${site.port}`, 'bare-1')).toBe('active');
  });

  it('in production, refuses registration unless a secret or an allow-list is configured', async () => {
    const e = await env('moodle', {
      register: false,
      env: { NODE_ENV: 'production', LTI_ENCRYPTION_KEY: 'production-encryption-key-0123456789abcdef' },
    });
    const r = await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`));
    expect(r).toMatchObject({ status: 403, code: 'REGISTRATION_CLOSED' });
    expect(e.platform.received.registrations).toHaveLength(0);
  });
});

describe('a new registration never disturbs an existing tenant', () => {
  it("a registration under an existing tenant's issuer stays pending whatever LTI_AUTO_ACTIVATE says; logins without client_id keep working", async () => {
    const e = await env('moodle', { env: { LTI_AUTO_ACTIVATE: 'true' } });
    const lti = e.app.core.services.lti;
    const framesBefore = await lti.frameAncestors();
    const login = () => {
      const u = new URL(`${e.tool}/lti/login`);
      u.search = new URLSearchParams({ iss: e.platform.issuer, login_hint: 'x', target_link_uri: `${e.tool}/lti/launch` }).toString();
      return get(u.href);
    };
    expect((await login()).status).toBe(200);
    const reg = await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`));
    expect(reg.status).toBe(200);
    expect(reg.html).toContain('must activate it');
    const newClient = e.platform.received.registrations.at(-1)!.clientId;
    expect(await lti.platformStatus(e.platform.issuer, newClient)).toBe('pending');
    expect(await lti.platformStatus(e.platform.issuer, e.clientId)).toBe('active');
    // The existing tenant's logins without client_id are not made ambiguous (no CLIENT_ID_REQUIRED).
    const again = await login();
    expect(again).toMatchObject({ status: 200, code: null });
    expect(again.html).toContain('id="lti-login"');
    expect((await runLaunch(e, { user: 'learner', clientId: e.clientId })).status).toBe(200);
    // The pending registration shows nowhere: not in anyone's framing, not as a launchable platform.
    expect(await lti.frameAncestors()).toBe(framesBefore);
    expect((await runLaunch(e, { user: 'learner', clientId: newClient })).error).toBe('PLATFORM_NOT_ACTIVE');
    const db = e.app.core.services.database.db;
    const [old] = await db
      .select()
      .from(tenants)
      .where(and(eq(tenants.issuer, e.platform.issuer), eq(tenants.clientId, e.clientId)));
    expect(old).toMatchObject({ status: 'active', name: 'moodle test' });
  });

  it('a brand-new platform is still activated at once where LTI_AUTO_ACTIVATE is on', async () => {
    const e = await env('moodle', { register: false, env: { LTI_AUTO_ACTIVATE: 'true' } });
    expect((await get(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`))).status).toBe(200);
    const clientId = e.platform.received.registrations.at(-1)!.clientId;
    expect(await e.app.core.services.lti.platformStatus(e.platform.issuer, clientId)).toBe('active');
  });
});

describe('registration fetches public addresses only and echoes nothing it fetched', () => {
  const registerUrl = (tool: string, cfg: string) =>
    `${tool}/lti/register?openid_configuration=${encodeURIComponent(cfg)}&registration_token=t`;

  it('refuses loopback, private and IPv4-mapped addresses, by literal or by name, without connecting', async () => {
    const internal = await internalServer(() => ({ status: 200, body: '{"secret":"internal"}' }));
    cleanups.push(internal.close);
    const e = await env('generic', { register: false, env: { LTI_ALLOW_PRIVATE_NETWORK: 'false' } });
    for (const target of [
      `http://127.0.0.1:${internal.port}/admin`,
      `http://localhost:${internal.port}/admin`,
      `http://[::ffff:127.0.0.1]:${internal.port}/admin`,
      `http://[::1]:${internal.port}/admin`,
      // Link-local and private ranges (169.254.169.254, 10/8, …) are refused by the same table, unit-tested in
      // lti-tool/src/tool/fetch.test.ts: a test here sends nothing beyond the loopback.
    ]) {
      const r = await get(registerUrl(e.tool, target));
      expect(r, target).toMatchObject({ status: 400, code: 'PLATFORM_ADDRESS_NOT_ALLOWED' });
    }
    expect(internal.hits).toEqual([]);
  });

  it("checks the addresses of a platform's services (roster, grades, token endpoint) before ltijs calls them", async () => {
    const internal = await internalServer(() => ({ status: 200, body: '{"members":[]}' }));
    cleanups.push(internal.close);
    const e = await env('generic', { env: { LTI_ALLOW_PRIVATE_NETWORK: 'false' } });
    const tool = e.app.core.services.lti.tool;
    // The registered platform's own endpoints are on 127.0.0.1 too: its token endpoint is refused whatever the service URL.
    await expect(tool.membersPage(e.platform.issuer, e.clientId, `http://127.0.0.1:${internal.port}/members`, true)).rejects.toMatchObject({
      code: 'PLATFORM_ADDRESS_NOT_ALLOWED',
    });
    await expect(tool.membersPage(e.platform.issuer, e.clientId, 'http://localhost/members', true)).rejects.toMatchObject({
      code: 'PLATFORM_ADDRESS_NOT_ALLOWED',
    });
    await expect(
      tool.submitScore(e.platform.issuer, e.clientId, `http://[::ffff:127.0.0.1]:${internal.port}/lineitem`, {
        userId: 'u',
        scoreGiven: 1,
        scoreMaximum: 1,
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
      }),
    ).rejects.toMatchObject({ code: 'PLATFORM_ADDRESS_NOT_ALLOWED' });
    expect(internal.hits).toEqual([]);
    expect(e.platform.received.tokenRequests).toEqual([]);
  });

  it('never shows what a platform answered, follows no redirect and caps what it reads', async () => {
    const secretText = 'TOP-SECRET-INTERNAL-DATA';
    const redirected = await internalServer(() => ({ status: 200, body: JSON.stringify({ issuer: 'https://x.example' }) }));
    cleanups.push(redirected.close);
    const site = await internalServer((req): Reply => {
      if (req.url === '/text') return { status: 200, headers: { 'content-type': 'text/plain' }, body: `${secretText} root:x:0:0` };
      if (req.url === '/error') return { status: 500, headers: { 'content-type': 'text/plain' }, body: secretText };
      if (req.url === '/redirect') return { status: 302, headers: { location: `http://127.0.0.1:${redirected.port}/cfg` }, body: '' };
      return { status: 200, body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) };
    });
    cleanups.push(site.close);
    const e = await env('generic', { register: false });
    const text = await get(registerUrl(e.tool, `http://127.0.0.1:${site.port}/text`));
    expect(text).toMatchObject({ status: 502, code: 'PLATFORM_UNREACHABLE' });
    expect(text.html).not.toContain('TOP-SECRET');
    expect(text.html).not.toContain('root:x');
    const error = await get(registerUrl(e.tool, `http://127.0.0.1:${site.port}/error`));
    expect(error).toMatchObject({ status: 502, code: 'PLATFORM_UNREACHABLE' });
    expect(error.html).not.toContain('TOP-SECRET');
    const redirect = await get(registerUrl(e.tool, `http://127.0.0.1:${site.port}/redirect`));
    expect(redirect).toMatchObject({ status: 502, code: 'PLATFORM_UNREACHABLE' });
    expect(redirected.hits).toEqual([]);
    const big = await get(registerUrl(e.tool, `http://127.0.0.1:${site.port}/big`));
    expect(big).toMatchObject({ status: 502, code: 'PLATFORM_RESPONSE_TOO_LARGE' });
  });
});
