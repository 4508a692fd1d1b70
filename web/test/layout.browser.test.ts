/**
 * The launched view at the two sizes people use it, launched from the development LMS: a phone (390x844, touch)
 * and a desktop LMS frame (1280x800). On the phone the conversation comes first: the room opens at the newest
 * message (or the first unread) with the composer in view, under one slim header and one row of tabs that scrolls;
 * a tap or a long press on a message shows that message's actions, never over its text. In the LMS frame the tool
 * drops its own Home/Courses navigation and keeps its chrome slim, so the messages get most of the frame; opened
 * directly (not launched) it keeps its navigation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { rooms } from '../../api/src/rooms/tables.js';
import { users } from '../../api/src/users/tables.js';
import { launchBrowser, launchFromDevLms, LTI_FRAME, noSidewaysScroll, SHOTS, type LaunchedPerson } from './browser.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/**
 * The share of the LMS frame's height that the message list gets at 1280x800. Measured before the compact launched
 * view: 0.45 (a 340 px list in a 748 px frame, under the tool's header, course title and tabs).
 */
const MIN_MESSAGE_SHARE = 0.6;

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
/** Whether `a` lies vertically within `outer` (both in page coordinates). */
const within = (a: Box, outer: Box) => a.y >= outer.y - 0.5 && a.y + a.height <= outer.y + outer.height + 0.5;
const box = async (l: Locator): Promise<Box> => {
  const b = await l.boundingBox();
  if (!b) throw new Error(`no box for ${l}`);
  return b;
};

/** Nothing pushes the tool wider than its frame: neither the document nor the shell's body (which scrolls the page). */
describe('the launched view on a phone and in the LMS frame', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  /** The instructor, in the LMS frame on a desktop; her launch makes the course and its room. */
  let ada: LaunchedPerson;
  /** The student, on a phone. */
  let alan: LaunchedPerson;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', CHAT_RATE_LIMIT: '100000' } });
    browser = await launchBrowser();
    ada = await launchFromDevLms(browser, base, 'instructor', 'chat', DESKTOP);
    await ada.frame.getByTestId('composer-input').waitFor({ timeout: 20_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A session viewer for someone the development LMS launched, by name, to post and read through the services. */
  async function viewerOf(name: string) {
    const { db } = app.core.services.database;
    const [u] = await db.select().from(users).where(eq(users.name, name));
    return { kind: 'session' as const, tenantId: u!.tenantId, userId: u!.id, courseId: null, roles: [], expiresAt: Date.now() + 3_600_000 };
  }
  async function courseRoomId(): Promise<string> {
    const [room] = await app.core.services.database.db.select().from(rooms).where(eq(rooms.kind, 'course'));
    return room!.id;
  }
  /** Ada posts `n` messages in the course room; returns the last one's seq. */
  async function post(n: number, prefix: string): Promise<number> {
    const ada = await viewerOf('Ada Lovelace');
    const roomId = await courseRoomId();
    let seq = 0;
    for (let i = 1; i <= n; i++) {
      const m = await app.core.services.rooms.send(ada, {
        roomId,
        clientId: `${prefix}-${i}-abcdef`,
        body: `${prefix} message ${i}: a line long enough to wrap on a phone`,
      });
      seq = Number(m.seq);
    }
    return seq;
  }

  it('in the LMS frame at 1280x800 the launched view has no Home/Courses navigation and the messages get most of the frame; opened directly, the tool keeps them', async () => {
    await post(30, 'Desk');
    await expect
      .poll(() => ada.frame.getByTestId('message-body').allTextContents(), { timeout: 15_000 })
      .toContainEqual(expect.stringContaining('Desk message 30:'));

    const frame = await box(ada.page.locator(LTI_FRAME));
    const list = await box(ada.frame.getByTestId('message-list'));
    const share = list.height / frame.height;
    console.info(
      `[layout] 1280x800 LMS frame: message list ${Math.round(list.height)} of ${Math.round(frame.height)} px (${Math.round(share * 100)} %)`,
    );
    await ada.page.screenshot({ path: path.join(SHOTS, 'layout-desktop-frame.png') });
    expect(share).toBeGreaterThanOrEqual(MIN_MESSAGE_SHARE);
    expect(within(await box(ada.frame.getByTestId('composer-input')), frame)).toBe(true);
    // The LMS is the navigation around a launch: the tool has none of its own.
    expect(await ada.frame.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    // The course is still named, with the person's role.
    expect(await ada.frame.getByTestId('course-title').first().textContent()).toContain('Intro to Programming');
    expect(await ada.frame.getByTestId('course-role').textContent()).toContain('Instructor');
    // The launch's Home is the course itself.
    const toolFrame = ada.page.frames().find((f) => f.url().includes('/courses/'))!;
    await toolFrame.evaluate(() => {
      history.pushState({}, '', '/');
      dispatchEvent(new PopStateEvent('popstate'));
    });
    await expect.poll(() => toolFrame.url(), { timeout: 10_000 }).toMatch(/\/courses\/[^/]+\/hub$/);
    expect(ada.errors).toEqual([]);

    // Opened directly with the same session (not launched), the tool keeps its own navigation and Home.
    const token = await toolFrame.evaluate(() => sessionStorage.getItem('lt.session'));
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.addInitScript((t) => sessionStorage.setItem('lt.session', t), token!);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor({ timeout: 15_000 });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Home', 'Courses']);
    await expect.poll(() => page.getByTestId('welcome-card').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'layout-direct-home.png') });
    // On a phone too, the header with its navigation is one row.
    await page.setViewportSize(PHONE);
    await page.getByRole('link', { name: 'Courses' }).click();
    await page.getByTestId('course-item').first().waitFor({ timeout: 10_000 });
    expect((await box(page.getByTestId('app-header'))).height).toBeLessThan(64);
    await page.screenshot({ path: path.join(SHOTS, 'layout-direct-phone.png') });
    await context.close();
  });

  it('on a phone the room opens at the newest message with the composer in view, under one slim header and one row of tabs', async () => {
    // Alan lands on the hub first (his launch joins him to the course), then the room fills while he is away.
    alan = await launchFromDevLms(browser, base, 'learner', 'hub', PHONE, undefined, { hasTouch: true, isMobile: true });
    const f = alan.frame;
    await f.getByTestId('section-hub').waitFor({ timeout: 20_000 });
    // The hub promises only what is built: every section is (collab sessions too), none says "coming soon".
    const planned = await f
      .getByTestId('learner-welcome')
      .locator('li')
      .evaluateAll((items) =>
        items.filter((li) => li.querySelector('[data-testid="section-planned"]')).map((li) => li.querySelector('a')!.textContent),
      );
    expect(planned).toEqual([]);
    expect(await f.getByTestId('learner-welcome').locator('li a').allTextContents()).toContain('Collab exercise');
    await noSidewaysScroll(alan);
    await alan.page.screenshot({ path: path.join(SHOTS, 'layout-phone-hub.png') });
    const head = await post(40, 'Phone');
    await app.core.services.rooms.markRead(await viewerOf('Alan Turing'), await courseRoomId(), head);
    await f.getByTestId('section-tab-chat').click();
    await f.getByTestId('composer-input').waitFor({ timeout: 20_000 });

    const list = f.getByTestId('message-list');
    const message = (text: string) => list.getByTestId('message').filter({ hasText: text });
    const newest = message('Phone message 40:');
    await newest.waitFor({ timeout: 15_000 });
    const viewport = { x: 0, y: 0, width: PHONE.width, height: PHONE.height };
    // The newest message and the composer are on screen, without scrolling anything.
    await expect.poll(async () => within(await box(newest), await box(list)), { timeout: 10_000 }).toBe(true);
    expect(within(await box(newest), viewport)).toBe(true);
    expect(within(await box(f.getByTestId('composer-input')), viewport)).toBe(true);
    expect(within(await box(f.getByTestId('composer-send')), viewport)).toBe(true);
    expect(await alan.page.evaluate(() => scrollY)).toBe(0);
    await noSidewaysScroll(alan);
    await alan.page.screenshot({ path: path.join(SHOTS, 'layout-phone-chat.png') });

    // One slim header row; the tabs one row that scrolls sideways.
    const header = await box(f.getByTestId('app-header'));
    console.info(`[layout] 390x844 phone: header ${Math.round(header.height)} px, message list ${Math.round((await box(list)).height)} px`);
    expect(header.height).toBeLessThan(64);
    const tabs = f.getByTestId('section-nav');
    const tops = await Promise.all((await f.locator('[data-testid^="section-tab-"]').all()).map(async (t) => Math.round((await box(t)).y)));
    expect(new Set(tops).size).toBe(1);
    expect((await box(tabs)).height).toBeLessThan(56);
    const scroll = await tabs.evaluate((el) => {
      const scroller = el.querySelector('ul')!;
      const before = { scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth };
      scroller.scrollLeft = 10_000;
      return { ...before, scrolled: scroller.scrollLeft };
    });
    expect(scroll.scrollWidth).toBeGreaterThan(scroll.clientWidth);
    expect(scroll.scrolled).toBeGreaterThan(0);
    // The message list gets at least half of what the LMS leaves (844 px less its 52 px bar).
    expect((await box(list)).height / (PHONE.height - 52)).toBeGreaterThanOrEqual(0.5);
    expect(alan.errors).toEqual([]);
  });

  it('on a phone a tap or a long press on a message shows that message’s actions, not over its text', async () => {
    const f = alan.frame;
    const list = f.getByTestId('message-list');
    const message = (text: string) => list.getByTestId('message').filter({ hasText: text });
    const toolbars = list.getByRole('toolbar', { name: 'Message actions' }).filter({ visible: true });
    /** Its toolbar is the only one showing, and covers no message's text (its own or a neighbour's). */
    async function onlyItsActions(target: Locator): Promise<void> {
      await expect.poll(() => target.getByRole('toolbar', { name: 'Message actions' }).isVisible(), { timeout: 5000 }).toBe(true);
      expect(await toolbars.count()).toBe(1);
      const bar = await box(target.getByRole('toolbar', { name: 'Message actions' }));
      for (const body of await list.getByTestId('message-body').filter({ visible: true }).all()) {
        expect(overlaps(bar, await box(body)), `the actions cover "${(await body.textContent())?.slice(0, 40)}"`).toBe(false);
      }
      expect(within(bar, await box(list))).toBe(true);
    }

    const first = message('Phone message 38:');
    await first.getByTestId('message-body').tap();
    await onlyItsActions(first);
    await alan.page.screenshot({ path: path.join(SHOTS, 'layout-phone-actions.png') });

    // Another tap moves the actions to that message.
    const second = message('Phone message 39:');
    await second.getByTestId('message-body').tap();
    await onlyItsActions(second);

    // A long press (the finger held down) shows them too, while the finger is still down, and they stay after.
    const third = message('Phone message 37:');
    const at = await box(third.getByTestId('message-body'));
    const cdp = await alan.context.newCDPSession(alan.page);
    const point = { x: at.x + at.width / 2, y: at.y + at.height / 2 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
    await expect.poll(() => third.getByRole('toolbar', { name: 'Message actions' }).isVisible(), { timeout: 5000 }).toBe(true);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await onlyItsActions(third);
    await alan.page.screenshot({ path: path.join(SHOTS, 'layout-phone-long-press.png') });

    // An action works from there, and the actions close.
    await third.getByTestId('action-reply').tap();
    await expect.poll(() => f.getByTestId('composer-context').textContent(), { timeout: 5000 }).toContain('Phone message 37');
    await expect.poll(() => toolbars.count(), { timeout: 5000 }).toBe(0);
    expect(alan.errors).toEqual([]);
  });

  it('on a phone a room with unread messages opens at the first unread, with the composer in view', async () => {
    const f = alan.frame;
    await f.getByTestId('section-tab-hub').click();
    await f.getByTestId('section-hub').waitFor({ timeout: 10_000 });
    await post(25, 'Unread');
    await f.getByTestId('section-tab-chat').click();
    await f.getByTestId('composer-input').waitFor({ timeout: 20_000 });
    const list = f.getByTestId('message-list');
    const divider = list.getByTestId('unread-divider');
    await divider.waitFor({ timeout: 15_000 });
    const viewport = { x: 0, y: 0, width: PHONE.width, height: PHONE.height };
    await expect.poll(async () => within(await box(divider), await box(list)), { timeout: 10_000 }).toBe(true);
    expect(within(await box(list.getByTestId('message').filter({ hasText: 'Unread message 1:' })), viewport)).toBe(true);
    expect(within(await box(f.getByTestId('composer-input')), viewport)).toBe(true);
    await alan.page.screenshot({ path: path.join(SHOTS, 'layout-phone-unread.png') });
    expect(alan.errors).toEqual([]);
  });
});
