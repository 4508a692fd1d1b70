/**
 * Status that tells the truth (issue 14, item 8), in a real browser against the real app launched from the
 * development LMS: a message held back by the chat rate limit says so and counts down (while the header says
 * Connected), then goes out by itself; a page whose reconnect backoff has grown long while the server was down
 * reconnects at once on "Retry now" and when the person comes back to the page, instead of waiting it out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { eq, like } from 'drizzle-orm';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { buildApi, type ApiServer } from '../../api/src/app.js';
import { messages } from '../../api/src/rooms/tables.js';
import { SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';

describe('status that tells the truth', () => {
  let app: TestApp;
  let port: number;
  let base: string;
  let browser: Browser;
  let alan: LaunchedPerson;
  /** The API serving now: the first one, or the one started after a simulated outage. */
  let api: ApiServer;

  const status = () => alan.frame.getByTestId('connection-status');
  const shot = (name: string) => alan.page.screenshot({ path: path.join(SHOTS, `status-${name}.png`) });

  beforeAll(async () => {
    port = await freePort();
    base = `http://localhost:${port}`;
    // Three messages per 6 s: the fourth sent at once is refused with RATE_LIMITED and retryAfterMs.
    app = await startApp({
      port,
      env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', CHAT_RATE_LIMIT: '3', CHAT_RATE_WINDOW_SECONDS: '6' },
    });
    api = app.api;
    browser = await launchBrowser();
    alan = await launchFromDevLms(browser, base, 'learner', 'chat');
    await alan.frame.getByTestId('composer-input').waitFor({ timeout: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    // A restarted API is closed here; app.close() closes the first one (again, harmlessly) and the rest.
    if (api && api !== app?.api) await api.close();
    await app?.close();
  });

  it('a message held back by the rate limit says "sending too fast, sending in N s", counts down while Connected, and is sent after', async () => {
    await expect.poll(() => status().getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');
    const input = alan.frame.getByTestId('composer-input');
    for (let i = 1; i <= 4; i++) {
      await input.fill(`Burst ${i}`);
      await input.press('Enter');
    }
    // The last one waits (the first three may still show "Sending…" a moment).
    const pending = alan.frame.getByTestId('message-pending');
    const lastNote = () =>
      pending
        .last()
        .textContent({ timeout: 1_000 })
        .catch(() => '');
    await expect.poll(lastNote, { timeout: 15_000 }).toMatch(/Sending too fast — sending in \d+ s/);
    expect(await status().getAttribute('data-state')).toBe('connected');
    expect(await status().textContent()).toContain('Connected');
    await shot('rate-limited');

    // It counts down, then goes out by itself (no click, no reconnect): the pending line goes away.
    const seen = new Set<number>();
    await expect
      .poll(
        async () => {
          const n = /sending in (\d+) s/.exec((await lastNote()) ?? '')?.[1];
          if (n) seen.add(Number(n));
          return pending.count();
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(0);
    expect(seen.size).toBeGreaterThanOrEqual(2);
    const bodies = (await alan.frame.getByTestId('message-body').allTextContents()).map((t) => t.trim());
    expect(bodies.filter((b) => b.startsWith('Burst '))).toEqual(['Burst 1', 'Burst 2', 'Burst 3', 'Burst 4']);
    // Once each on the server.
    const stored = await app.core.services.database.db.select({ body: messages.body }).from(messages).where(like(messages.body, 'Burst %'));
    expect(stored.map((m) => m.body).sort()).toEqual(['Burst 1', 'Burst 2', 'Burst 3', 'Burst 4']);
    expect(await app.core.services.database.db.select({ id: messages.id }).from(messages).where(eq(messages.body, 'Burst 4'))).toHaveLength(
      1,
    );
    await shot('rate-limited-sent');
    expect(alan.errors).toEqual([]);
  });

  /**
   * Takes the server down until the page has scheduled a retry at least `aheadMs` away (its backoff grew), brings
   * the server back, and returns that retry's time (the page's clock) with the page still reconnecting.
   */
  async function outageWithLongBackoff(aheadMs: number): Promise<number> {
    await expect.poll(() => status().getAttribute('data-state'), { timeout: 30_000 }).toBe('connected');
    await api.close();
    await expect
      .poll(() => status().evaluate((el, ahead) => Number((el as HTMLElement).dataset.nextRetryAt ?? 0) - Date.now() >= ahead, aheadMs), {
        timeout: 120_000,
        interval: 50,
      })
      .toBe(true);
    api = buildApi(app.core);
    await api.listen(port, '127.0.0.1');
    const at = Number(await status().getAttribute('data-next-retry-at'));
    expect(await status().getAttribute('data-state')).toBe('reconnecting');
    return at;
  }

  /** Records, in the page, when the status next turns connected (the page's clock). */
  const watchConnected = () =>
    status().evaluate((el) => {
      const w = window as unknown as { connectedAt?: number };
      delete w.connectedAt;
      new MutationObserver((_, obs) => {
        if (el.getAttribute('data-state') === 'connected') {
          w.connectedAt = Date.now();
          obs.disconnect();
        }
      }).observe(el, { attributes: true });
    });
  const connectedAt = () => status().evaluate(() => (window as unknown as { connectedAt?: number }).connectedAt ?? null);

  it('"Retry now" in the pill reconnects at once, before the retry the backoff had scheduled', async () => {
    const scheduled = await outageWithLongBackoff(4_000);
    expect(Number(await status().getAttribute('data-attempt'))).toBeGreaterThanOrEqual(5);
    const retry = alan.frame.getByTestId('connection-retry');
    expect((await retry.textContent())?.trim()).toBe('Retry now');
    await shot('reconnecting-retry-now');
    // And on a phone: the pill with its button still fits the header.
    await alan.page.setViewportSize({ width: 390, height: 844 });
    await shot('reconnecting-retry-now-phone');
    await alan.page.setViewportSize({ width: 1280, height: 900 });
    await watchConnected();
    await retry.click();
    await expect.poll(connectedAt, { timeout: 30_000 }).not.toBeNull();
    expect(await connectedAt()).toBeLessThan(scheduled);
    expect(await retry.count()).toBe(0);
    await shot('reconnected');
  });

  it('coming back to the page (focus) reconnects at once', async () => {
    const scheduled = await outageWithLongBackoff(4_000);
    await watchConnected();
    // The person was in the LMS page around the tool, then clicks back into the tool: its window gets focus.
    await alan.page.locator('body').click({ position: { x: 5, y: 5 } });
    await alan.frame.getByTestId('message-list').click();
    await expect.poll(connectedAt, { timeout: 30_000 }).not.toBeNull();
    expect(await connectedAt()).toBeLessThan(scheduled);
  });
});
