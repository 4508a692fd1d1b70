/**
 * The API key console in a real browser, end to end with the integrator's example: an instructor launched from the
 * development LMS opens the console from the course hub, creates a READ key and copies its secret (shown once); the
 * example script (examples/follow-room.mjs, a child process) follows the course room with that key and prints a
 * message the instructor posts; the instructor revokes the key in the console and the script's subscription ends at
 * once (exit code 1, "revoked"), without another message. Screenshots in the LMS frame at 1280x800 and on a phone at
 * 390x844, where the list is a stack of cards and nothing scrolls sideways.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { poll, startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { LTI_FRAME, SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const root = path.resolve(import.meta.dirname, '../..');

describe('the API key console', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: LaunchedPerson;
  let child: ChildProcess | null = null;

  const shot = (name: string) => ada.page.screenshot({ path: path.join(SHOTS, `apikeys-${name}.png`) });
  /** Nothing pushes the tool wider than its frame. */
  const sideways = () =>
    ada.frame
      .locator('#main')
      .evaluate((main) => Math.max(...[document.documentElement, main.parentElement!].map((el) => el.scrollWidth - el.clientWidth)));

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', CHAT_RATE_LIMIT: '100000' } });
    browser = await launchBrowser();
    ada = await launchFromDevLms(browser, base, 'instructor', 'hub', DESKTOP);
    await ada.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  }, 120_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await browser?.close();
    await app?.close();
  });

  it('creates a READ key, follows the course with it from the example, and revoking it ends the subscription at once', async () => {
    const { frame } = ada;
    // A learner never sees it; the instructor finds it on the hub.
    await frame.getByTestId('hub-api-keys-open').click({ timeout: 20_000 });
    await frame.getByTestId('api-key-form').waitFor({ timeout: 20_000 });
    expect(await frame.getByTestId('api-keys-empty').textContent()).toContain('No keys yet');
    // Staff of a course are not LMS administrators: no platform-wide choice.
    expect(await frame.getByTestId('api-key-tenant-wide').count()).toBe(0);
    expect(await frame.getByTestId('api-key-course-this').isChecked()).toBe(true);
    expect(await frame.getByTestId('api-key-scope-read').isChecked()).toBe(true);
    expect(await frame.getByTestId('api-key-scope-write').isChecked()).toBe(false);

    // A blank name is said next to the field by the form; an expiry in the past by the server (extensions.field).
    await frame.getByTestId('api-key-name').fill('   ');
    await frame.getByTestId('api-key-create').click();
    await expect.poll(() => frame.getByTestId('api-key-name-error').textContent()).toContain('Give the key a name');
    await frame.getByTestId('api-key-name').fill('Attendance dashboard');
    await frame.getByTestId('api-key-expiry').selectOption('date');
    await frame.getByTestId('api-key-expiry-date').fill('2020-01-01');
    await frame.getByTestId('api-key-create').click();
    await expect.poll(() => frame.getByTestId('api-key-expiry-error').textContent()).toContain('The expiry must be in the future.');
    expect(await frame.getByTestId('api-key-name-error').count()).toBe(0);

    await frame.getByTestId('api-key-expiry').selectOption('never');
    await frame.getByTestId('api-key-create').click();
    const box = frame.getByTestId('api-key-secret');
    await box.waitFor({ timeout: 15_000 });
    const secret = ((await box.textContent()) ?? '').trim();
    expect(secret).toMatch(/^ltk_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}$/);
    expect(await frame.getByTestId('api-key-created').textContent()).toContain('it will not be shown again');
    await frame.getByTestId('api-key-copy').click();
    await frame.getByTestId('api-key-copied').waitFor();
    // What the Copy button put on the clipboard is the whole key.
    expect(await ada.page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // Listed with its prefix, never its secret; READ, this course, never used, never expires, active.
    const row = frame.getByTestId('api-key-row').first();
    expect(await row.getByTestId('api-key-row-name').textContent()).toBe('Attendance dashboard');
    expect(secret.startsWith(((await row.getByTestId('api-key-prefix').textContent()) ?? '').replace('…', ''))).toBe(true);
    expect(await frame.getByTestId('api-key-list').textContent()).not.toContain(secret.slice(-20));
    expect(await row.getAttribute('data-state')).toBe('active');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Read');
    expect(text).not.toContain('Write');
    expect(text).toContain('Ada Lovelace');
    expect(await row.getByTestId('api-key-last-used').textContent()).toContain('Never');
    await shot('created-desktop');
    expect(await sideways()).toBe(0);

    // Done: the secret is gone for good.
    await frame.getByTestId('api-key-done').click();
    expect(await frame.getByTestId('api-key-secret').count()).toBe(0);
    expect(await ada.page.locator(LTI_FRAME).evaluate((f: HTMLIFrameElement) => f.contentDocument?.body.textContent ?? '')).not.toContain(
      secret,
    );

    // The integrator's example follows the course room with the key.
    const courseId = /\/courses\/([0-9a-f-]{36})\//.exec(await frame.locator('body').evaluate(() => location.pathname))![1]!;
    let out = '';
    let err = '';
    child = spawn(process.execPath, ['examples/follow-room.mjs', '--url', base, '--course', courseId], {
      cwd: root,
      env: { ...process.env, LT_API_KEY: secret },
    });
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    const seen = (cond: () => boolean, what: string) => poll(cond, 20_000, () => `${what}\nstdout:\n${out}\nstderr:\n${err}`);
    await seen(() => /following ".*" from cursor/.test(err) || child!.exitCode !== null, 'the example did not start following');
    expect(child.exitCode).toBeNull();

    // The instructor posts in the course room: the script prints it live.
    await frame.getByTestId('section-tab-chat').click();
    const input = frame.getByTestId('composer-input');
    await input.fill('Live from the course room');
    await input.press('Enter');
    await seen(() => out.includes('Ada Lovelace: Live from the course room'), 'the live message was not printed');

    // Back in the console, the key was used: the list says when (to the minute) once it is read again.
    await frame.getByTestId('section-tab-hub').click();
    await frame.getByTestId('hub-api-keys-open').click();
    const again = frame.getByTestId('api-key-row').first();
    await expect.poll(() => again.getByTestId('api-key-last-used').textContent(), { timeout: 15_000 }).not.toContain('Never');

    // Revoked with the app's confirmation: the script's subscription ends at once, no message needed.
    await again.getByTestId('api-key-revoke').click();
    await frame.getByTestId('confirm-dialog').waitFor();
    await frame.getByTestId('confirm-ok').click();
    await seen(() => child!.exitCode !== null, 'the example did not stop after the revocation');
    expect(child.exitCode).toBe(1);
    expect(err).toMatch(/stopped: 4401: This API key has been revoked\./);
    expect(err).not.toMatch(/reconnecting/);

    // The key stays listed, greyed, with its revocation date and no Revoke button.
    await expect.poll(() => again.getAttribute('data-state')).toBe('revoked');
    expect(await again.getByTestId('api-key-state').textContent()).toMatch(/^\s*Revoked on \w/);
    expect(await again.getByTestId('api-key-revoke').count()).toBe(0);
    await shot('revoked-desktop');
    expect(await sideways()).toBe(0);
    expect(ada.errors).toEqual([]);
  }, 120_000);

  it('on a phone the keys are a stack of cards and nothing scrolls sideways', async () => {
    const { frame } = ada;
    // A second key, with both scopes and an expiry, so that the list shows the two states.
    await frame.getByTestId('api-key-name').fill('Nightly roster export to the faculty reporting warehouse');
    await frame.getByTestId('api-key-scope-write').check();
    await frame.getByTestId('api-key-create').click();
    await frame.getByTestId('api-key-secret').waitFor({ timeout: 15_000 });
    await ada.page.setViewportSize(PHONE);
    await expect.poll(sideways).toBe(0);
    await frame.getByTestId('api-key-secret').scrollIntoViewIfNeeded();
    await shot('created-phone');
    await frame.getByTestId('api-key-done').click();
    const rows = frame.getByTestId('api-key-row');
    await expect.poll(() => rows.count()).toBe(2);
    // Stacked: each key's cells are one under the other, the card no wider than the frame.
    const [first, second] = [await rows.nth(0).boundingBox(), await rows.nth(1).boundingBox()];
    expect(second!.y).toBeGreaterThanOrEqual(first!.y + first!.height);
    const cells = rows.nth(0).locator('.keys__cell');
    const a = (await cells.nth(1).boundingBox())!;
    const b = (await cells.nth(2).boundingBox())!;
    expect(b.y).toBeGreaterThanOrEqual(a.y + a.height - 1);
    expect(first!.x + first!.width).toBeLessThanOrEqual(PHONE.width);
    await rows.nth(1).scrollIntoViewIfNeeded();
    expect(await sideways()).toBe(0);
    await shot('list-phone');
    await ada.page.setViewportSize(DESKTOP);
    expect(ada.errors).toEqual([]);
  }, 60_000);

  it('a learner sees no API keys entry, and the console itself tells them it is for staff', async () => {
    const alan = await launchFromDevLms(browser, base, 'learner', 'hub', DESKTOP);
    try {
      await alan.frame.getByTestId('learner-welcome').waitFor({ timeout: 20_000 });
      expect(await alan.frame.getByTestId('hub-api-keys').count()).toBe(0);
      // Typed into the address bar (a link someone shared): no form, no list.
      await alan.frame.locator('body').evaluate(() => {
        history.pushState({}, '', location.pathname.replace(/\/hub$/, '/keys'));
        dispatchEvent(new PopStateEvent('popstate'));
      });
      await alan.frame.getByTestId('api-keys-not-staff').waitFor({ timeout: 15_000 });
      expect(await alan.frame.getByTestId('api-key-form').count()).toBe(0);
      expect(alan.errors).toEqual([]);
    } finally {
      await alan.context.close();
    }
  }, 60_000);
});
