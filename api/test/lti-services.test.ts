/**
 * LTI Advantage services through the real queue: roster sync (NRPS, with paging) and grade passback (AGS),
 * run by the BullMQ worker against platform stand-ins; dynamic registration from start to finish for Moodle
 * and Canvas; tool key rotation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { makeUser } from '@lt/lti-tool';
import { gql } from './harness.js';
import { runLaunch, startLtiEnv, until, type LtiEnv } from './lti-harness.js';

describe('roster sync and grades', () => {
  let env: LtiEnv;
  let worker: WorkerHandle;
  beforeAll(async () => {
    env = await startLtiEnv('canvas');
    worker = await startWorker(env.app.core);
    const course = env.platform.course();
    for (let i = 0; i < 120; i++)
      course.members.push(makeUser('canvas', 1000 + i, `Student${i}`, `Roster${String(i).padStart(3, '0')}`, 'learner'));
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it("an instructor's launch syncs the roster over every NRPS page; instructors see students who never launched", async () => {
    const a = await runLaunch(env, { user: 'instructor' });
    expect(a.error).toBeUndefined();
    const courseId = a.redirect!.split('/')[2]!;
    const Q = `query($id: ID!) { course(id: $id) { rosterSync { status fetched pages error finishedAt } members(first: 50) { edges { node { user { name } launched roles } } pageInfo { hasNextPage } } } }`;
    const done = await until(async () => {
      const r = await gql(env.app.url, Q, { id: courseId }, a.token);
      const s = r.body.data?.course?.rosterSync?.status;
      return s === 'DONE' || s === 'FAILED' ? r : null;
    }, 30_000);
    expect(done.body.data.course.rosterSync).toMatchObject({ status: 'DONE', error: null });
    const total = env.platform.course().members.length;
    expect(done.body.data.course.rosterSync.fetched).toBe(total);
    expect(done.body.data.course.rosterSync.pages).toBe(Math.ceil(total / env.platform.nrpsPageSize));
    expect(done.body.data.course.rosterSync.pages).toBeGreaterThan(1);
    const nodes = done.body.data.course.members.edges.map((e: any) => e.node);
    expect(nodes.find((n: any) => n.user.name.includes('Roster000'))).toMatchObject({ launched: false, roles: ['LEARNER'] });
    // A student dropped in the LMS is dropped here at the next sync.
    const dropped = env.platform.course().members.find((m) => m.familyName === 'Roster000')!;
    dropped.status = 'Inactive';
    await gql(env.app.url, `mutation($id: ID!) { syncRoster(courseId: $id) { status } }`, { id: courseId }, a.token);
    const again = await until(async () => {
      const r = await gql(env.app.url, Q, { id: courseId }, a.token);
      return r.body.data?.course?.rosterSync?.status === 'DONE' &&
        r.body.data.course.rosterSync.finishedAt !== done.body.data.course.rosterSync.finishedAt
        ? r
        : null;
    }, 30_000);
    expect(again.body.data.course.members.edges.some((e: any) => e.node.user.name.includes('Roster000'))).toBe(false);
    expect(env.platform.received.nrpsRequests.every((r) => !!r.userAgent)).toBe(true);
    // A learner cannot see the member list.
    const l = await runLaunch(env, { user: 'learner' });
    const denied = await gql(
      env.app.url,
      `query($id: ID!) { course(id: $id) { members { edges { node { launched } } } } }`,
      { id: courseId },
      l.token,
    );
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const denied2 = await gql(env.app.url, `mutation($id: ID!) { syncRoster(courseId: $id) { status } }`, { id: courseId }, l.token);
    expect(denied2.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('posts a score for a graded link with the AGS content type, keeping the line item query string', async () => {
    const course = env.platform.course();
    const lineItemUrl = `${env.platform.issuer}/ags/${course.id}/lineitems/7/lineitem?type_id=3`;
    const l = await runLaunch(env, { user: 'learner', resourceLink: { id: 'graded-link-1', title: 'Live class 1', lineItemUrl } });
    expect(l.error).toBeUndefined();
    const me = await gql(env.app.url, `{ me { user { id } course { id } } }`, {}, l.token);
    const services = env.app.core.services;
    const jobId = await services.lti.queueScore({
      courseId: me.body.data.me.course.id,
      resourceLinkId: 'graded-link-1',
      userId: me.body.data.me.user.id,
      scoreGiven: 8,
      scoreMaximum: 10,
    });
    expect(jobId).toBeTruthy();
    const posted = await until(async () => env.platform.received.scores.find((s) => s.url.includes('/lineitems/7/')) ?? null, 30_000);
    expect(new URL(posted.url, env.platform.issuer).pathname).toMatch(/\/lineitem\/scores$/);
    expect(posted.url).toContain('type_id=3');
    expect(posted.contentType).toMatch(/^application\/vnd\.ims\.lis\.v1\.score\+json/);
    expect(posted.userAgent).toBeTruthy();
    expect(posted.body).toMatchObject({ scoreGiven: 8, scoreMaximum: 10, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    await expect(
      services.lti.queueScore({
        courseId: me.body.data.me.course.id,
        resourceLinkId: 'graded-link-1',
        userId: me.body.data.me.user.id,
        scoreGiven: 11,
        scoreMaximum: 10,
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('dynamic registration', () => {
  for (const profile of ['moodle', 'canvas'] as const) {
    it(`${profile}: the admin pastes one URL; the tool registers, the platform closes the window, launches work`, async () => {
      const env = await startLtiEnv(profile, { register: false });
      try {
        const url = env.platform.dynamicRegistrationUrl(`${env.tool}/lti/register`);
        const res = await fetch(url);
        const html = await res.text();
        expect(res.status).toBe(200);
        expect(html).toContain('org.imsglobal.lti.close');
        // The platform shows the registration page in its own admin page, on whatever site that is (a Canvas
        // school's own domain is named by no registration): the page holds no personal data and no action.
        expect(res.headers.get('content-security-policy')).toMatch(/^frame-ancestors \*;/);
        const reg = env.platform.received.registrations.at(-1)!;
        const cfg = reg.body['https://purl.imsglobal.org/spec/lti-tool-configuration'];
        const types = cfg.messages.map((m: any) => m.type);
        expect(types).toEqual(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']);
        if (profile === 'canvas') expect(cfg.messages[1].placements).toContain('link_selection');
        expect(reg.body.scope).toContain('https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly');
        expect(reg.body.jwks_uri).toBe(`${env.tool}/lti/keys`);
        // A second use of the same registration token is refused by the platform, and the tool says so.
        const again = await fetch(url);
        expect(again.status).toBeGreaterThanOrEqual(400);
        // Launch through the new registration: Canvas gave no deployment id; its first deployment is accepted and recorded.
        const r = await runLaunch(env, { user: 'instructor', clientId: reg.clientId });
        expect(r.error).toBeUndefined();
        expect(r.status).toBe(200);
        const me = await gql(env.app.url, `{ me { tenant { platform } course { myRoles } } }`, {}, r.token);
        expect(me.body.data.me).toMatchObject({ tenant: { platform: profile }, course: { myRoles: ['INSTRUCTOR'] } });
        if (profile === 'canvas') {
          const status = await env.app.core.services.lti.deploymentStatus(
            env.platform.issuer,
            reg.clientId,
            env.platform.tools.find((t) => t.clientId === reg.clientId)!.deploymentIds[0]!,
          );
          expect(status).toBe('known');
        }
      } finally {
        await env.close();
      }
    });
  }

  it('in production mode a dynamically registered platform waits for an administrator', async () => {
    const env = await startLtiEnv('moodle', { register: false, env: { LTI_AUTO_ACTIVATE: 'false' } });
    try {
      const reg = await fetch(env.platform.dynamicRegistrationUrl(`${env.tool}/lti/register`));
      expect(reg.status).toBe(200);
      // Pending platforms frame none of the app's pages, but the one registering sees the end of its registration.
      expect(reg.headers.get('content-security-policy')).toMatch(/^frame-ancestors \*;/);
      const app = await fetch(`${env.tool}/`);
      expect(app.headers.get('content-security-policy')).not.toContain(new URL(env.platform.issuer).origin);
      const clientId = env.platform.received.registrations.at(-1)!.clientId;
      const r = await runLaunch(env, { user: 'learner', clientId });
      expect(r.step).toBe('login');
      expect(r.error).toBe('PLATFORM_NOT_ACTIVE');
      await env.app.core.services.lti.setPlatformStatus(env.platform.issuer, clientId, 'active');
      expect((await runLaunch(env, { user: 'learner', clientId })).status).toBe(200);
    } finally {
      await env.close();
    }
  });
});

describe('tool keys', () => {
  it('serves the keys, rotates them, and keeps the retired key in the JWKS while what it signed may still be checked', async () => {
    const env = await startLtiEnv('generic');
    try {
      const before = (await (await fetch(`${env.tool}/lti/keys`)).json()) as { keys: Array<{ kid: string; n: string; d?: string }> };
      expect(before.keys).toHaveLength(1);
      expect(before.keys[0]!.d).toBeUndefined();
      const tool = env.app.core.services.lti.tool;
      const newKid = await tool.rotateKey(env.platform.issuer, env.clientId);
      const after = (await (await fetch(`${env.tool}/lti/keys`)).json()) as { keys: Array<{ kid: string }> };
      expect(after.keys.map((k) => k.kid).sort()).toEqual([before.keys[0]!.kid, newKid].sort());
      // The platform is still active after rotation and launches still work; deep-link responses are signed with the new key.
      const r = await runLaunch(env, { user: 'instructor', messageType: 'LtiDeepLinkingRequest' });
      const id = r.redirect!.split('/').pop()!;
      const m = await gql(
        env.app.url,
        `mutation($id: ID!) { submitDeepLink(requestId: $id, items: [{ section: HUB, title: "Hub" }]) { jwt } }`,
        { id },
        r.token,
      );
      const { protectedHeader } = await jwtVerify(m.body.data.submitDeepLink.jwt, createLocalJWKSet(after as never));
      expect(protectedHeader.kid).toBe(newKid);
      expect(await tool.sweepKeys()).toBe(0); // still within its grace period
      // Canvas developer key JSON.
      const canvas = (await (await fetch(`${env.tool}/lti/canvas.json`)).json()) as Record<string, any>;
      expect(canvas).toMatchObject({
        oidc_initiation_url: `${env.tool}/lti/login`,
        target_link_uri: `${env.tool}/lti/launch`,
        public_jwk_url: `${env.tool}/lti/keys`,
      });
      expect(canvas.extensions[0].settings.placements.map((p: any) => p.placement)).toEqual([
        'course_navigation',
        'link_selection',
        'assignment_selection',
      ]);
    } finally {
      await env.close();
    }
  });
});

describe('platform administration over GraphQL', () => {
  it('an installation administrator key registers, lists and activates platforms; nobody else can', async () => {
    const env = await startLtiEnv('generic', { register: false });
    try {
      const { secret } = await env.app.core.services.apiKeys.createInstallationAdminKey('ops');
      const REG = `mutation($i: RegisterPlatformInput!) { registerPlatform(input: $i) { issuer clientId status product deploymentIds acceptNewDeployments } }`;
      const input = {
        issuer: env.platform.issuer,
        clientId: 'manual-1',
        product: 'GENERIC',
        authEndpoint: `${env.platform.issuer}/auth`,
        tokenEndpoint: `${env.platform.issuer}/token`,
        jwksUrl: `${env.platform.issuer}/jwks`,
        deploymentIds: ['d-1'],
        status: 'PENDING',
      };
      const r = await gql(env.app.url, REG, { i: input }, secret);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.registerPlatform).toMatchObject({
        clientId: 'manual-1',
        status: 'PENDING',
        deploymentIds: ['d-1'],
        acceptNewDeployments: false,
      });
      const bad = await gql(env.app.url, REG, { i: { ...input, clientId: 'manual-2', jwksUrl: 'javascript:alert(1)' } }, secret);
      expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      // Identifiers too long for the tenants' index (random, so that the index cannot compress them) and URLs past
      // 2,048 characters are the caller's error, with the LTI layer's code, and register nothing.
      const long = randomBytes(20_000).toString('hex');
      for (const [change, reason] of [
        [{ clientId: long }, 'BAD_CLIENT_ID'],
        [{ clientId: 'manual-3', deploymentIds: [long] }, 'BAD_DEPLOYMENT_ID'],
        [{ clientId: 'manual-4', jwksUrl: `${env.platform.issuer}/jwks?${long}` }, 'BAD_PLATFORM_URL'],
      ] as const) {
        const r = await gql(env.app.url, REG, { i: { ...input, ...change } }, secret);
        expect(r.body.errors?.[0]?.extensions, reason).toMatchObject({ code: 'BAD_USER_INPUT', reason });
      }
      const act = await gql(
        env.app.url,
        `mutation { setPlatformStatus(issuer: "${env.platform.issuer}", clientId: "manual-1", status: ACTIVE) { status } }`,
        {},
        secret,
      );
      expect(act.body.data.setPlatformStatus.status).toBe('ACTIVE');
      const list = await gql(env.app.url, `{ platforms { clientId status } }`, {}, secret);
      expect(list.body.data.platforms).toEqual([{ clientId: 'manual-1', status: 'ACTIVE' }]);
      // The platform registered over GraphQL launches.
      env.platform.registerTool({
        clientId: 'manual-1',
        deploymentIds: ['d-1'],
        loginUrl: `${env.tool}/lti/login`,
        redirectUris: [`${env.tool}/lti/launch`],
        jwksUrl: `${env.tool}/lti/keys`,
        targetLinkUri: `${env.tool}/lti/launch`,
        scopes: [],
      });
      const l = await runLaunch(env, { user: 'instructor', clientId: 'manual-1' });
      expect(l.status).toBe(200);
      // An instructor's session, or a key an instructor made, cannot administer platforms, nor mint an admin key.
      for (const token of [l.token!])
        expect((await gql(env.app.url, `{ platforms { issuer } }`, {}, token)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const mint = await gql(env.app.url, `mutation { createApiKey(input: { name: "x", scopes: [ADMIN] }) { secret } }`, {}, l.token);
      expect(mint.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const key = await gql(env.app.url, `mutation { createApiKey(input: { name: "x", scopes: [READ, WRITE] }) { secret } }`, {}, l.token);
      expect(
        (await gql(env.app.url, `{ platforms { issuer } }`, {}, key.body.data.createApiKey.secret)).body.errors?.[0]?.extensions?.code,
      ).toBe('FORBIDDEN');
    } finally {
      await env.close();
    }
  });
});
