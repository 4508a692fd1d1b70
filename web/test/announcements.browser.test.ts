/**
 * The unread signal outside the Chat tab, and announcements, in a real browser: an instructor and a student side by
 * side, launched from the development LMS. The student stays on the Hub: the Chat tab's badge counts the
 * instructor's messages live (the room list is followed on every tab, the chat never opened); when the instructor
 * announces, the student's bell counts it and the course room shows it pinned at the top, one line, in the LMS
 * frame at 1280x800 and on a phone at 390x844. Staff pin another message and take the announcement down; the
 * student's view follows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { LTI_FRAME, SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** With the announcement pinned, the share of the LMS frame the message list keeps at 1280x800 (62 % without). */
const MIN_MESSAGE_SHARE = 0.55;

const box = async (l: Locator) => {
  const b = await l.boundingBox();
  if (!b) throw new Error(`no box for ${l}`);
  return b;
};

describe('unread badges, the bell and announcements', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  /** The instructor, in the chat. */
  let ada: LaunchedPerson;
  /** The student, on the Hub. */
  let alan: LaunchedPerson;
  /** How many times the student's page subscribed to the room list's feed. */
  let feeds = 0;

  const shot = (p: LaunchedPerson, name: string) => p.page.screenshot({ path: path.join(SHOTS, `announce-${name}.png`) });
  const chatBadge = (p: LaunchedPerson) => p.frame.getByTestId('section-unread-chat');
  const badgeText = async (p: LaunchedPerson) =>
    (await chatBadge(p).count()) ? ((await chatBadge(p).textContent()) ?? '').replace(/\D+/g, '') : '';
  const bellCount = async (p: LaunchedPerson) =>
    (await p.frame.getByTestId('notification-count').count())
      ? ((await p.frame.getByTestId('notification-count').textContent()) ?? '').trim()
      : '0';

  async function send(p: LaunchedPerson, text: string): Promise<void> {
    const input = p.frame.getByTestId('composer-input');
    await input.fill(text);
    await input.press('Enter');
    await expect
      .poll(() => p.frame.getByTestId('message-body').allTextContents(), { timeout: 15_000 })
      .toContainEqual(expect.stringContaining(text));
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', CHAT_RATE_LIMIT: '100000' } });
    browser = await launchBrowser();
    ada = await launchFromDevLms(browser, base, 'instructor', 'chat', DESKTOP);
    await ada.frame.getByTestId('composer-input').waitFor({ timeout: 20_000 });
    alan = await launchFromDevLms(browser, base, 'learner', 'hub', DESKTOP, (page) =>
      page.on('websocket', (ws) =>
        ws.on(
          'framesent',
          (f) => typeof f.payload === 'string' && f.payload.includes('"subscribe"') && f.payload.includes('chatActivity(') && feeds++,
        ),
      ),
    );
    await alan.frame.getByTestId('section-hub').waitFor({ timeout: 20_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("a student on the Hub sees the Chat tab's unread count go up as the instructor posts", async () => {
    // Nothing unread yet (joining the course is a system line, not a message to read).
    expect(await chatBadge(alan).count()).toBe(0);
    await send(ada, 'Good morning, class');
    await expect.poll(() => badgeText(alan), { timeout: 15_000 }).toBe('1');
    await send(ada, 'Today: recursion');
    await expect.poll(() => badgeText(alan), { timeout: 15_000 }).toBe('2');
    // The badge is in the tab, which stays one slim row.
    expect((await box(alan.frame.getByTestId('section-nav'))).height).toBeLessThan(56);
    await shot(alan, 'hub-badge-desktop');
    // The instructor's own messages count for nobody on her side, and the open tab shows none.
    expect(await chatBadge(ada).count()).toBe(0);
    expect(alan.errors).toEqual([]);
  });

  it('an announcement reaches the student on the Hub: the bell counts it, the course room shows it pinned on one line', async () => {
    expect(await bellCount(alan)).toBe('0');
    // Staff only: the student has no Announce button.
    await ada.frame.getByTestId('announce-open').click();
    const input = ada.frame.getByTestId('announce-input');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    const text =
      'Quiz moved to **Thursday**: it covers chapters 3 to 5, bring a pencil and your student card, and come ten minutes early so that we can start on time.';
    await input.fill(text);
    await shot(ada, 'form-desktop');
    await ada.frame.getByTestId('announce-send').click();

    // The instructor sees it pinned at the top of the room, one line.
    const pinned = ada.frame.getByTestId('announcement');
    await pinned.waitFor({ timeout: 15_000 });
    expect(await ada.frame.getByTestId('announce-form').count()).toBe(0);
    expect((await box(pinned)).height).toBeLessThan(40);
    // The LMS frame is short: the messages keep most of it.
    const frame = await box(ada.page.locator(LTI_FRAME));
    const list = await box(ada.frame.getByTestId('message-list'));
    const share = list.height / frame.height;
    console.info(
      `[announce] 1280x800 LMS frame with the announcement: message list ${Math.round(list.height)} of ${Math.round(frame.height)} px (${Math.round(share * 100)} %), bar ${Math.round((await box(pinned)).height)} px`,
    );
    expect(share).toBeGreaterThanOrEqual(MIN_MESSAGE_SHARE);
    await shot(ada, 'pinned-desktop');

    // The student, still on the Hub: the bell, and one more unread message on the Chat tab.
    await expect.poll(() => bellCount(alan), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => badgeText(alan), { timeout: 15_000 }).toBe('3');
    await alan.frame.getByTestId('notification-bell').click();
    const item = alan.frame.getByTestId('notification-item').first();
    await expect.poll(() => item.textContent()).toContain('Ada Lovelace posted an announcement');
    expect(await item.textContent()).toContain('Quiz moved to **Thursday**');
    await shot(alan, 'bell-desktop');

    // The notification leads to the course room, where it is pinned at the top for the student too.
    await item.click();
    const bar = alan.frame.getByTestId('announcement');
    await bar.waitFor({ timeout: 15_000 });
    expect(await alan.frame.getByTestId('announcement-text').textContent()).toContain('Quiz moved to Thursday');
    expect((await box(bar)).height).toBeLessThan(40);
    // A student cannot take it down, nor announce.
    expect(await alan.frame.getByTestId('announcement-unpin').count()).toBe(0);
    expect(await alan.frame.getByTestId('announce-open').count()).toBe(0);
    // Opened in place to read it whole, then closed.
    await alan.frame.getByTestId('announcement-toggle').click();
    await expect.poll(async () => (await box(bar)).height).toBeGreaterThan(40);
    await shot(alan, 'pinned-open-desktop');
    await alan.frame.getByTestId('announcement-toggle').click();
    await expect.poll(async () => (await box(bar)).height).toBeLessThan(40);
    // Read in the room: the bell goes down, and so does the room's count in the list.
    await expect.poll(() => bellCount(alan), { timeout: 20_000 }).toBe('0');
    await expect.poll(() => alan.frame.getByTestId('room-unread').count(), { timeout: 20_000 }).toBe(0);
    await shot(alan, 'pinned-student-desktop');
    expect(alan.errors).toEqual([]);
    expect(ada.errors).toEqual([]);
  });

  it('on a phone the announcement is one line above the conversation, with the composer in view', async () => {
    await alan.page.setViewportSize(PHONE);
    const bar = alan.frame.getByTestId('announcement');
    await bar.waitFor();
    await expect.poll(async () => (await box(bar)).height).toBeLessThan(40);
    const viewport = { y: 0, height: PHONE.height };
    const composer = await box(alan.frame.getByTestId('composer-input'));
    expect(composer.y + composer.height).toBeLessThanOrEqual(viewport.height);
    const list = await box(alan.frame.getByTestId('message-list'));
    console.info(`[announce] 390x844 phone: bar ${Math.round((await box(bar)).height)} px, message list ${Math.round(list.height)} px`);
    expect(list.height / (PHONE.height - 52)).toBeGreaterThanOrEqual(0.45);
    await shot(alan, 'pinned-phone');
    await alan.frame.getByTestId('announcement-toggle').click();
    await shot(alan, 'pinned-open-phone');
    await alan.frame.getByTestId('announcement-toggle').click();
    // The Hub on a phone, with the Chat tab's badge after a new message.
    await alan.frame.getByTestId('section-tab-hub').click();
    await alan.frame.getByTestId('section-hub').waitFor();
    await send(ada, 'See you on Thursday');
    await expect.poll(() => badgeText(alan), { timeout: 15_000 }).toBe('1');
    await shot(alan, 'hub-badge-phone');
    await alan.frame.getByTestId('section-tab-chat').click();
    await alan.frame.getByTestId('composer-input').waitFor();
    // One feed for the page, however often the tabs changed: the tabs' badges and the chat share it.
    expect(feeds).toBe(1);
    expect(alan.errors).toEqual([]);
  });

  it('staff pin another message and take the announcement down; the student sees each change live', async () => {
    const bar = alan.frame.getByTestId('announcement');
    const message = ada.frame.getByTestId('message').filter({ hasText: 'Today: recursion' });
    await message.hover();
    await message.getByTestId('action-pin').click();
    await expect.poll(() => alan.frame.getByTestId('announcement-text').textContent(), { timeout: 15_000 }).toContain('Today: recursion');
    await alan.page.setViewportSize(DESKTOP);
    await ada.frame.getByTestId('announcement-unpin').click();
    await expect.poll(() => bar.count(), { timeout: 15_000 }).toBe(0);
    expect(await ada.frame.getByTestId('announcement').count()).toBe(0);
    await shot(alan, 'unpinned-desktop');
    expect(alan.errors).toEqual([]);
    expect(ada.errors).toEqual([]);
  });
});
