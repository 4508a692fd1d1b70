/**
 * Canvas as schools really run it, in a real browser: the course page on the school's own domain
 * (school.instructure.test), the issuer a name on another (canvas.instructure.test), the OIDC authorization endpoint
 * and the Platform Storage frame on a third (sso.canvaslms.test), the registration read from a fourth (127.0.0.1),
 * the tool on localhost. Chromium maps every *.test host to 127.0.0.1; third-party cookies are blocked.
 *
 * Hand-registered and dynamically registered Canvas both land signed in inside the school page's frame, with nothing
 * refused (no "Refused to frame", no frame left on an error page) and no CSP violation in the tool's pages; a
 * launch whose Platform Storage frame is missing, or never answers, falls back to the frame's own storage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startLtiEnv, type LtiEnv } from '../../api/test/lti-harness.js';
import { CHROMIUM, LTI_FRAME, SHOTS, launchBrowser } from './browser.js';

const SITES = { page: 'school.instructure.test', issuer: 'http://canvas.instructure.test', auth: 'sso.canvaslms.test' };

interface Watch {
  context: BrowserContext;
  page: Page;
  /** Console lines that say a frame was refused or a policy was violated, and uncaught errors. */
  problems: string[];
}

async function open(browser: Browser, env: LtiEnv): Promise<Watch> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  // Every policy violation in the tool's own pages is reported to the console, where the test reads it.
  await context.addInitScript((toolOrigin) => {
    if (location.origin !== toolOrigin) return;
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  }, env.tool);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Refused to (frame|display|load|execute|connect|apply)|CSP violation|Content Security Policy/i.test(m.text()))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

async function expectLanded(w: Watch, role: string, course: string) {
  const frame = w.page.frameLocator(LTI_FRAME);
  try {
    await expect
      .poll(
        () =>
          frame
            .getByTestId('course-role')
            .textContent({ timeout: 1000 })
            .catch(() => ''),
        { timeout: 40_000 },
      )
      .toContain(role);
  } catch (err) {
    const f = await w.page
      .locator(LTI_FRAME)
      .elementHandle({ timeout: 1000 })
      .then((h) => h?.contentFrame())
      .catch(() => null);
    await w.page.screenshot({ path: path.join(SHOTS, `lti-sites-stuck-${Date.now()}.png`) });
    throw new Error(
      `not landed as ${role}; frame at ${f?.url()}: ${(await f?.content().catch(() => ''))?.slice(0, 400)}; console: ${w.problems.join(' | ')}`,
      { cause: err },
    );
  }
  expect(await frame.getByTestId('course-title').first().textContent({ timeout: 5000 })).toContain(course);
  const f = await w.page
    .locator(LTI_FRAME)
    .elementHandle()
    .then((h) => h!.contentFrame());
  expect(f!.url()).not.toMatch(/^chrome-error:/);
  expect(w.problems).toEqual([]);
}

describe('Canvas with its sites apart', () => {
  let browser: Browser;
  const envs: LtiEnv[] = [];
  beforeAll(async () => {
    await launchBrowser().then((b) => b.close()); // checks Chromium is there and makes the screenshot folder
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--test-third-party-cookie-phaseout',
        '--host-resolver-rules=MAP *.test 127.0.0.1',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    for (const e of envs) await e.close();
  });

  async function env(opts: Parameters<typeof startLtiEnv>[1]): Promise<LtiEnv> {
    const e = await startLtiEnv('canvas', opts);
    envs.push(e);
    return e;
  }

  it('hand-registered (developer key): instructor and student land signed in inside the school page, nothing refused', async () => {
    const e = await env({ platform: { sites: SITES, storageFrame: 'answers' } });
    const school = e.platform.pageUrl('/');
    expect(new URL(school).hostname).toBe('school.instructure.test');
    expect(e.platform.issuer).toBe('http://canvas.instructure.test');
    expect(new URL(e.platform.authEndpoint).hostname).toBe('sso.canvaslms.test');
    for (const [as, role] of [
      ['instructor', 'Instructor'],
      ['learner', 'Learner'],
    ] as const) {
      const w = await open(browser, e);
      await w.page.goto(`${school}?as=${as}`, { waitUntil: 'domcontentloaded' });
      await expectLanded(w, role, e.platform.course().title);
      await w.page.screenshot({ path: path.join(SHOTS, `lti-sites-hand-${as}.png`) });
      // A later load of the app's page in the same frame (a reload) is framed by the site learned from the launch.
      const frame = await w.page
        .locator(LTI_FRAME)
        .elementHandle()
        .then((h) => h!.contentFrame());
      await frame!.evaluate(() => location.reload());
      await expect.poll(() => w.page.frameLocator(LTI_FRAME).locator('#app').count(), { timeout: 20_000 }).toBe(1);
      expect(frame!.url()).not.toMatch(/^chrome-error:/);
      expect(w.problems).toEqual([]);
      await w.context.close();
    }
  }, 120_000);

  it('dynamically registered from another site: the first launch lands signed in inside the school page, nothing refused', async () => {
    const e = await env({ register: false, platform: { sites: SITES, storageFrame: 'answers' } });
    const reg = await fetch(e.platform.dynamicRegistrationUrl(`${e.tool}/lti/register`));
    expect(reg.status).toBe(200);
    const w = await open(browser, e);
    await w.page.goto(`${e.platform.pageUrl('/')}?as=instructor`, { waitUntil: 'domcontentloaded' });
    await expectLanded(w, 'Instructor', e.platform.course().title);
    await w.page.screenshot({ path: path.join(SHOTS, 'lti-sites-dynamic.png') });
    await w.context.close();
  }, 120_000);

  for (const mode of ['absent', 'silent'] as const) {
    it(`a launch whose Platform Storage frame is ${mode === 'absent' ? 'missing from the page' : 'there but never answers'} falls back and lands signed in`, async () => {
      const e = await env({ platform: { sites: SITES, storageFrame: mode } });
      const w = await open(browser, e);
      await w.page.goto(`${e.platform.pageUrl('/')}?as=learner`, { waitUntil: 'domcontentloaded' });
      await expectLanded(w, 'Learner', e.platform.course().title);
      await w.context.close();
    }, 120_000);
  }
});
