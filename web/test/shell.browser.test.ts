/** The web shell in a real browser against the real app: signed in, connected, live, and honest when the server goes away. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startApp, seed, type TestApp, type Fixture } from '../../api/test/harness.js';
import { launchBrowser, SHOTS } from './browser.js';

describe('web shell in Chromium', () => {
  let app: TestApp;
  let fx: Fixture;
  let browser: Browser;
  beforeAll(async () => {
    app = await startApp();
    fx = await seed(app.core);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('loads, connects over WebSocket and shows who is signed in', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    await context.addInitScript((token) => sessionStorage.setItem('lt.session', token), fx.instructorToken);
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(app.url + '/');
    const status = page.getByTestId('connection-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');
    await expect.poll(() => page.getByTestId('user-name').textContent()).toContain(fx.instructor.name);
    expect(await page.getByTestId('course-title').textContent()).toContain('Course A');
    expect(await status.textContent()).toContain('Connected');
    // The server sees the page's socket.
    expect(await (await fetch(app.url + '/metrics')).text()).toMatch(/^ws_connections_open [1-9]/m);
    await page.screenshot({ path: path.join(SHOTS, 'shell-connected.png') });

    // Client-side route, served by the SPA fallback.
    await page.goto(app.url + '/courses');
    await expect.poll(() => page.getByTestId('course-item').count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'shell-courses.png') });
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('without a session shows how to sign in and opens no socket', async () => {
    const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    const page = await context.newPage();
    let sockets = 0;
    page.on('websocket', () => sockets++);
    await page.goto(app.url + '/');
    await expect.poll(() => page.getByTestId('signed-out-panel').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('signed-out-panel').textContent()).toMatch(/LMS/);
    // No connection pill: there is no session to be connected with, and "Offline" would only mislead.
    expect(await page.getByTestId('connection-status').count()).toBe(0);
    expect(await page.locator('header').textContent()).not.toMatch(/Offline/);
    await page.screenshot({ path: path.join(SHOTS, 'shell-signed-out.png') });
    expect(sockets).toBe(0);
    await context.close();
  });

  it('shows "reconnecting" when the server closes the socket, then connects again', async () => {
    const context = await browser.newContext();
    await context.addInitScript((token) => sessionStorage.setItem('lt.session', token), fx.learnerToken);
    const page = await context.newPage();
    await page.goto(app.url + '/');
    const status = page.getByTestId('connection-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');
    const seen: string[] = [];
    await page.exposeFunction('reportState', (st: string) => seen.push(st));
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid="connection-status"]')!;
      new MutationObserver(() =>
        (window as unknown as { reportState: (s: string | null) => void }).reportState(el.getAttribute('data-state')),
      ).observe(el, { attributes: true });
    });
    app.api.disconnectAll();
    await expect.poll(() => seen.includes('reconnecting'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');
    expect(seen.at(-1)).toBe('connected');
    await context.close();
  });
});
