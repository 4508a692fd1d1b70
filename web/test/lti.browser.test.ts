/**
 * LTI launches in a real browser: from the development LMS at /dev/lms, and from Moodle- and Canvas-shaped
 * platforms on another site (the LMS page on 127.0.0.1, the tool on localhost) with third-party cookies
 * blocked. The tool lands signed in inside the platform's iframe, on the right course with the right role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort, startLtiEnv, type LtiEnv } from '../../api/test/lti-harness.js';
import { CHROMIUM, SHOTS, launchBrowser } from './browser.js';

const FRAME = 'iframe[name="lti-tool-frame"]';

async function expectLanded(page: Page, who: RegExp, course: string, role: string) {
  const frame = page.frameLocator(FRAME);
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
    // Say where the frame got stuck (found by its element: the web app sets its own window.name at boot).
    const f = await page
      .locator(FRAME)
      .elementHandle({ timeout: 1000 })
      .then((h) => h?.contentFrame())
      .catch(() => null);
    await page.screenshot({ path: path.join(SHOTS, `lti-stuck-${Date.now()}.png`) });
    throw new Error(`not landed as ${role}; frame at ${f?.url()}: ${(await f?.content().catch(() => ''))?.slice(0, 500)}`, { cause: err });
  }
  expect(await frame.getByTestId('user-name').textContent({ timeout: 5000 })).toMatch(who);
  expect(await frame.getByTestId('course-title').first().textContent({ timeout: 5000 })).toContain(course);
}

describe('launch from the development LMS', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('an instructor and a student launch from /dev/lms and see their name, course and role', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/dev/lms`);
    await page
      .getByRole('link', { name: /Launch as instructor/i })
      .first()
      .click();
    await expectLanded(page, /Ada Lovelace/, 'Intro to Programming', 'Instructor');
    await page.screenshot({ path: path.join(SHOTS, 'lti-dev-lms-instructor.png') });
    await page
      .getByRole('link', { name: /Launch as student/i })
      .first()
      .click();
    await expectLanded(page, /Alan Turing/, 'Intro to Programming', 'Learner');
    await page.screenshot({ path: path.join(SHOTS, 'lti-dev-lms-student.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an instructor adds a graded live class through deep linking; the LMS lists it and launching it opens the live class', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/dev/lms`);
    await page.getByRole('link', { name: /Add activity/i }).click();
    const frame = page.frameLocator(FRAME);
    await frame.getByTestId('dl-choice-live').click({ timeout: 20_000 });
    await frame.getByTestId('dl-title-live').fill('Week 2 live class');
    await frame.getByTestId('dl-graded').check();
    await page.screenshot({ path: path.join(SHOTS, 'lti-deep-link-picker.png') });
    await frame.getByTestId('dl-submit').click();
    await expect
      .poll(
        () =>
          frame
            .locator('body')
            .textContent()
            .catch(() => ''),
        { timeout: 20_000 },
      )
      .toContain('Week 2 live class');
    const received = app.core.devLms!.received.deepLinks.at(-1)!;
    expect(received.valid).toBe(true);
    await page.goto(`${base}/dev/lms`);
    await page.getByText('Week 2 live class').first().waitFor();
    const activity = app.core.devLms!.course().activities.find((a) => a.title === 'Week 2 live class')!;
    expect(activity.custom).toMatchObject({ lt_section: 'live' });
    await page.goto(`${base}/dev/lms?as=learner&activity=${encodeURIComponent(activity.resourceLinkId)}`);
    await expect.poll(() => frame.locator('[data-testid="section-live"]').count(), { timeout: 20_000 }).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'lti-deep-link-opened.png') });
    await context.close();
  });
});

describe('cross-site launch without third-party cookies', () => {
  let browser: Browser;
  const envs: LtiEnv[] = [];
  beforeAll(async () => {
    // Chrome's third-party cookie phase-out: no cookie crosses into the tool's frame on another site.
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
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    for (const e of envs) await e.close();
  });

  for (const profile of ['moodle', 'canvas'] as const) {
    it(`${profile}: instructor and student land signed in inside the platform's iframe`, async () => {
      const env = await startLtiEnv(profile);
      envs.push(env);
      expect(new URL(env.platform.issuer).hostname).toBe('127.0.0.1');
      expect(new URL(env.tool).hostname).toBe('localhost');
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      if (profile === 'canvas') {
        // Canvas path: the tool's own storage is blocked in the frame (as Safari may do); the binding must come
        // from the platform through LTI Platform Storage.
        await context.addInitScript((toolOrigin) => {
          if (location.origin === toolOrigin) {
            Object.defineProperty(window, 'sessionStorage', {
              get() {
                throw new DOMException('blocked', 'SecurityError');
              },
            });
          }
        }, env.tool);
      }
      const page = await context.newPage();
      const cookies: string[] = [];
      page.on('request', (r) => {
        if (r.url().startsWith(env.tool) && r.headers().cookie) cookies.push(r.url());
      });
      await page.goto(`${env.platform.issuer}/?as=instructor`, { waitUntil: 'domcontentloaded' });
      const course = env.platform.course();
      await expectLanded(page, /\w/, course.title, 'Instructor');
      await page.screenshot({ path: path.join(SHOTS, `lti-${profile}-instructor.png`) });
      await page.goto(`${env.platform.issuer}/?as=learner`, { waitUntil: 'domcontentloaded' });
      await expectLanded(page, /\w/, course.title, 'Learner');
      await page.screenshot({ path: path.join(SHOTS, `lti-${profile}-learner.png`) });
      expect(cookies).toEqual([]);
      await context.close();
    }, 120_000);
  }

  it('a launch whose binding is missing (another browser) shows a clear error, not a blank page', async () => {
    const env = envs[0]!;
    const context = await browser.newContext();
    // What the login page left in the frame (its storage, its name) is gone at launch: the page cannot prove it
    // started this login, as when a launch is replayed into another browser.
    await context.addInitScript((toolOrigin) => {
      if (location.origin !== toolOrigin || location.pathname !== '/lti/launch') return;
      window.name = '';
      try {
        sessionStorage.clear();
      } catch {
        /* blocked in this frame anyway */
      }
    }, env.tool);
    const page = await context.newPage();
    await page.goto(`${env.platform.issuer}/?as=learner`);
    const frame = page.frameLocator(FRAME);
    await expect
      .poll(
        () =>
          frame
            .getByTestId('launch-error')
            .textContent()
            .catch(() => ''),
        { timeout: 20_000 },
      )
      .toContain('BROWSER_MISMATCH');
    await page.screenshot({ path: path.join(SHOTS, 'lti-launch-error.png') });
    await context.close();
  });
});
