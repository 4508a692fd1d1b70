/**
 * Course chat in a real browser: an instructor and a student, each in their own browser context, launched
 * from the development LMS into the same course. They chat live, see each other typing, presence and read
 * state; hostile Markdown and HTML render inert; a message written offline is sent once after reconnecting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { SHOTS, launchBrowser } from './browser.js';
import { messages } from '../../api/src/db/schema.js';
import { eq } from 'drizzle-orm';

const FRAME = 'iframe[name="lti-tool-frame"]';

interface Person {
  context: BrowserContext;
  page: Page;
  frame: FrameLocator;
  errors: string[];
}

describe('course chat between two people', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: Person;
  let alan: Person;

  async function launch(as: 'instructor' | 'learner'): Promise<Person> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/dev/lms?as=${as}`);
    const frame = page.frameLocator(FRAME);
    await frame.getByTestId('section-tab-chat').click({ timeout: 40_000 });
    await frame.getByTestId('chat-panel').waitFor({ timeout: 20_000 });
    await frame.getByTestId('composer-input').waitFor({ timeout: 20_000 });
    return { context, page, frame, errors };
  }

  const bodies = (p: Person) => p.frame.getByTestId('message-body').allTextContents().then((all) => all.map((t) => t.trim()));
  const shot = (p: Person, name: string) => p.page.screenshot({ path: path.join(SHOTS, `chat-${name}.png`) });

  async function send(p: Person, text: string): Promise<void> {
    const input = p.frame.getByTestId('composer-input');
    await input.fill(text);
    await input.press('Enter');
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true' } });
    browser = await launchBrowser();
    ada = await launch('instructor');
    alan = await launch('learner');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('they chat live in the course room and see each other typing', async () => {
    // The first launches announced themselves in the course room.
    await expect.poll(() => ada.frame.getByTestId('message-system').allTextContents(), { timeout: 15_000 }).toEqual(
      expect.arrayContaining([expect.stringContaining('Alan Turing joined the course')]),
    );
    // Ada types: Alan sees it.
    await ada.frame.getByTestId('composer-input').pressSequentially('Welcome to the course', { delay: 20 });
    await expect.poll(() => alan.frame.getByTestId('typing-line').textContent(), { timeout: 10_000 }).toContain('Ada Lovelace is typing');
    await shot(alan, 'typing');
    await ada.frame.getByTestId('composer-input').press('Enter');
    await expect.poll(() => bodies(alan), { timeout: 10_000 }).toContain('Welcome to the course');
    // Sending ends the typing line at once.
    await expect.poll(() => alan.frame.getByTestId('typing-line').textContent(), { timeout: 10_000 }).toBe('');
    await send(alan, 'Thanks! Is the **first quiz** on Friday?');
    await expect.poll(() => ada.frame.locator('[data-testid="message-body"] strong').allTextContents(), { timeout: 10_000 }).toContain('first quiz');
    await shot(ada, 'course-room');
    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
  });

  it('a direct message shows presence, an unread badge, and a read receipt once read', async () => {
    // Alan opens a direct conversation with Ada: she is online.
    await alan.frame.getByTestId('new-direct').click();
    await alan.frame.getByTestId('pick-person').filter({ hasText: 'Ada Lovelace' }).click();
    await expect.poll(() => alan.frame.getByTestId('room-name').textContent(), { timeout: 10_000 }).toContain('Ada Lovelace');
    await expect.poll(() => alan.frame.getByTestId('room-note').textContent(), { timeout: 10_000 }).toBe('Online');
    await send(alan, 'Can I ask about my project privately?');
    // Ada is in the course room: the direct room appears in her list with an unread badge.
    const dm = ada.frame.getByTestId('room-direct');
    await expect.poll(() => dm.getByTestId('room-unread').textContent().catch(() => ''), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => dm.locator('[data-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('ONLINE');
    await shot(ada, 'unread-badge');
    // She opens it: the badge goes, and Alan sees his message read.
    await dm.click();
    await expect.poll(() => bodies(ada), { timeout: 10_000 }).toContain('Can I ask about my project privately?');
    await expect.poll(() => dm.getByTestId('room-unread').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => alan.frame.getByTestId('read-receipt').textContent().catch(() => ''), { timeout: 15_000 }).toBe('Seen');
    await shot(alan, 'read-receipt');
    // Ada hides her tab (another tab in front): she shows as away to Alan.
    await ada.page.evaluate(() => {
      const f = document.querySelector('iframe') as HTMLIFrameElement;
      const w = f.contentWindow as Window & typeof globalThis;
      Object.defineProperty(w.document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      w.document.dispatchEvent(new w.Event('visibilitychange'));
    });
    await expect.poll(() => alan.frame.getByTestId('room-note').textContent(), { timeout: 15_000 }).toBe('Away');
  });

  it('hostile Markdown and HTML render as inert text', async () => {
    await alan.frame.getByTestId('room-course').click();
    const hostile = [
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=2</script>',
      '[click me](javascript:window.__pwned=3)',
      '![tracker](http://127.0.0.1:9/pixel.png)',
      '<iframe src="javascript:window.top.__pwned=4"></iframe><svg onload="window.__pwned=5">',
    ].join('\n\n');
    await send(alan, hostile);
    const list = ada.frame.getByTestId('room-view');
    await ada.frame.getByTestId('room-course').click();
    await expect.poll(() => bodies(ada).then((b) => b.some((t) => t.includes('<script>window.__pwned=2</script>'))), { timeout: 10_000 }).toBe(true);
    const frame = ada.page.frames().find((f) => f.url().includes('/courses/'))!;
    const report = await frame.evaluate(() => {
      const bodies = [...document.querySelectorAll('[data-testid="message-body"]')];
      return {
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
        topPwned: (window.top as unknown as { __pwned?: number } | null)?.__pwned ?? null,
        scripts: bodies.flatMap((b) => [...b.querySelectorAll('script, iframe, svg, img')]).length,
        handlers: bodies.flatMap((b) => [...b.querySelectorAll('*')]).filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        badLinks: bodies.flatMap((b) => [...b.querySelectorAll('a')]).filter((a) => !/^(https?:|mailto:)/.test(a.getAttribute('href') ?? '')).length,
        imageLink: bodies.flatMap((b) => [...b.querySelectorAll('a')]).some((a) => a.getAttribute('href') === 'http://127.0.0.1:9/pixel.png'),
      };
    });
    expect(report).toEqual({ pwned: null, topPwned: null, scripts: 0, handlers: 0, badLinks: 0, imageLink: true });
    await list.screenshot({ path: path.join(SHOTS, 'chat-hostile.png') });
  });

  it('a message written offline is kept, shown as waiting, and sent once after reconnecting', async () => {
    await alan.context.setOffline(true);
    await send(alan, 'Written on the train');
    await expect.poll(() => alan.frame.getByTestId('message-pending').textContent().catch(() => ''), { timeout: 15_000 }).toMatch(/Waiting for the connection/);
    await shot(alan, 'offline-queued');
    await alan.context.setOffline(false);
    await shot(alan, 'offline-back');
    await expect.poll(() => bodies(ada).then((b) => b.filter((t) => t === 'Written on the train').length), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => alan.frame.getByTestId('message-pending').count(), { timeout: 15_000 }).toBe(0);
    expect(await bodies(alan).then((b) => b.filter((t) => t === 'Written on the train').length)).toBe(1);
    // Once on the server too, however many times the client tried.
    const stored = await app.core.services.database.db.select({ id: messages.id }).from(messages).where(eq(messages.body, 'Written on the train'));
    expect(stored).toHaveLength(1);
  });
});
