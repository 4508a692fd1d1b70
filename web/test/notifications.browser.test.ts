/**
 * The notification center and the course tabs' schedule signal in a real browser, with two tabs of one student
 * (Alan, launched twice from the development LMS: one tab on the Hub in the LMS frame at 1280x800, one on the AI
 * tutor on a phone at 390x844). The instructor plans a session: the "session planned" notification arrives live in
 * both tabs, then its reminder (a real BullMQ delayed job, the course reminding a minute before); both bells count
 * them and the Schedule tab lights up in both. Alan mutes a type in the center's settings. Opening a notification in
 * one tab leads to the session on the Schedule tab and reads it; the other tab's count follows; opening the Schedule
 * tab reads the rest everywhere; "Mark all read" clears both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { users } from '../../api/src/users/tables.js';
import { courses } from '../../api/src/courses/tables.js';
import { scheduleReminders, scheduleSessions, scheduleSettings } from '../../api/src/schedule/tables.js';
import { launchBrowser, launchFromDevLms, noSidewaysScroll, SHOTS, type LaunchedPerson } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe('notifications across two tabs', () => {
  let app: TestApp;
  let worker: WorkerHandle;
  let browser: Browser;
  let base: string;
  /** Alan's first tab: the Hub, in the LMS frame at 1280x800. */
  let hub: LaunchedPerson;
  /** Alan's second tab: the AI tutor, on a phone. */
  let phone: LaunchedPerson;

  const shot = (p: LaunchedPerson, name: string) => p.page.screenshot({ path: path.join(SHOTS, `notifications-${name}.png`) });
  const bellCount = async (p: LaunchedPerson) =>
    (await p.frame.getByTestId('notification-count').count())
      ? ((await p.frame.getByTestId('notification-count').textContent()) ?? '').trim()
      : '0';
  const scheduleBadge = async (p: LaunchedPerson) => {
    const b = p.frame.getByTestId('section-unread-schedule');
    return (await b.count()) ? ((await b.textContent()) ?? '').replace(/\D+/g, '') : '';
  };
  const viewerOf = async (name: string) => {
    const [u] = await app.core.services.database.db.select().from(users).where(eq(users.name, name));
    return { kind: 'session' as const, tenantId: u!.tenantId, userId: u!.id, courseId: null, roles: [], expiresAt: Date.now() + 3_600_000 };
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true' } });
    worker = await startWorker(app.core);
    browser = await launchBrowser();
    // The instructor, launched once so that she is a member of the course (she plans the session below).
    const ada = await launchFromDevLms(browser, base, 'instructor', 'hub', DESKTOP);
    await ada.frame.getByTestId('section-hub').waitFor({ timeout: 20_000 });
    await ada.context.close();
    hub = await launchFromDevLms(browser, base, 'learner', 'hub', DESKTOP);
    await hub.frame.getByTestId('section-hub').waitFor({ timeout: 20_000 });
    phone = await launchFromDevLms(browser, base, 'learner', 'tutor', PHONE, undefined, { hasTouch: true, isMobile: true });
    await phone.frame.getByTestId('notification-bell').waitFor({ timeout: 20_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await app?.close();
  });

  it('a planned session and its reminder arrive live in both tabs; the bells and the Schedule tab count them', async () => {
    expect(await bellCount(hub)).toBe('0');
    expect(await bellCount(phone)).toBe('0');
    expect(await scheduleBadge(hub)).toBe('');
    const { db } = app.core.services.database;
    const [course] = await db.select().from(courses);
    const [alan] = await db.select().from(users).where(eq(users.name, 'Alan Turing'));
    // The course reminds a minute before; the session starts in a minute and three seconds.
    await db
      .insert(scheduleSettings)
      .values({ courseId: course!.id, tenantId: course!.tenantId, reminderOffsets: [1] })
      .onConflictDoUpdate({ target: scheduleSettings.courseId, set: { reminderOffsets: [1] } });
    const startsAt = new Date(Date.now() + 63_000);
    const [session] = await app.core.services.schedule.create(
      await viewerOf('Ada Lovelace'),
      { courseId: course!.id, title: 'Recursion clinic', startsAt, endsAt: new Date(startsAt.getTime() + 45 * 60_000) },
      true,
    );

    // The "planned" notification first, then the reminder: in both tabs, with the Schedule tab lit in both.
    for (const p of [hub, phone]) await expect.poll(() => bellCount(p), { timeout: 15_000 }).toBe('1');
    for (const p of [hub, phone]) await expect.poll(() => bellCount(p), { timeout: 20_000 }).toBe('2');
    for (const p of [hub, phone]) expect(await scheduleBadge(p)).toBe('2');
    const [reminder] = await db
      .select()
      .from(scheduleReminders)
      .where(and(eq(scheduleReminders.sessionId, session!.id), eq(scheduleReminders.userId, alan!.id)));
    expect(reminder!.state).toBe('sent');

    await hub.frame.getByTestId('notification-bell').click();
    const items = hub.frame.getByTestId('notification-item');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.nth(0).textContent()).toContain('Reminder: starts in 1 min');
    expect(await items.nth(0).textContent()).toContain('Recursion clinic');
    expect(await items.nth(0).getAttribute('data-read')).toBe('false');
    expect(await items.nth(1).getAttribute('data-type')).toBe('session.assigned');
    await shot(hub, 'center-desktop');
    await hub.frame.getByTestId('notification-bell').click();

    await phone.frame.getByTestId('notification-bell').click();
    await expect.poll(() => phone.frame.getByTestId('notification-item').count()).toBe(2);
    await shot(phone, 'center-phone');
    await noSidewaysScroll(phone);
    // The center's settings: every type with a switch; Alan turns off booking notifications.
    await phone.frame.getByTestId('notification-settings').click();
    const pref = phone.frame.getByTestId('notification-pref-booking.cancelled').locator('input');
    await pref.waitFor({ timeout: 10_000 });
    expect(await pref.isChecked()).toBe(true);
    await pref.uncheck();
    await expect
      .poll(async () => (await app.core.services.notifications.mutedTypes(db, alan!.id, ['booking.cancelled'])).has('booking.cancelled'))
      .toBe(true);
    await noSidewaysScroll(phone);
    await shot(phone, 'settings-phone');
    await phone.frame.getByTestId('notification-settings').click();
    await phone.frame.getByTestId('notification-bell').click();
    expect(hub.errors).toEqual([]);
    expect(phone.errors).toEqual([]);
  });

  it('opening a notification leads to its session on the Schedule tab and reads the course schedule notifications in both tabs', async () => {
    await hub.frame.getByTestId('notification-bell').click();
    const reminder = hub.frame.locator('[data-testid="notification-item"][data-type="reminder"]');
    await reminder.click();
    await expect
      .poll(() => hub.frame.locator('body').evaluate(() => location.pathname + location.search))
      .toMatch(/^\/courses\/[0-9a-f-]{36}\/schedule\?session=[0-9a-f-]{36}$/);
    // Both read (the one opened, and the Schedule tab, now open, reads the course's others): every tab follows.
    for (const p of [hub, phone]) await expect.poll(() => bellCount(p), { timeout: 15_000 }).toBe('0');
    await expect.poll(() => scheduleBadge(phone), { timeout: 15_000 }).toBe('');
    await shot(phone, 'read-phone');

    // Back on the Hub, a slot frees up on a waitlist: both tabs light the Schedule tab; opening it in one reads it in both.
    // The Schedule tab opens the session the notification was about.
    const details = hub.frame.getByTestId('session-details');
    await details.waitFor({ timeout: 15_000 });
    expect(await details.textContent()).toContain('Recursion clinic');
    await shot(hub, 'opened-session-desktop');
    await details.press('Escape');
    await details.waitFor({ state: 'hidden', timeout: 10_000 });
    await hub.frame.getByTestId('section-tab-hub').click();
    await hub.frame.getByTestId('section-hub').waitFor({ timeout: 15_000 });
    const { db } = app.core.services.database;
    const [course] = await db.select().from(courses);
    const [alan] = await db.select().from(users).where(eq(users.name, 'Alan Turing'));
    await app.core.services.notifications.notify([
      {
        tenantId: course!.tenantId,
        userId: alan!.id,
        courseId: course!.id,
        type: 'waitlist.slot_freed',
        excerpt: 'Office hours with Ada Lovelace',
        data: { windowId: '00000000-0000-4000-8000-000000000001', startsAt: new Date().toISOString() },
      },
    ]);
    for (const p of [hub, phone]) {
      await expect.poll(() => bellCount(p), { timeout: 15_000 }).toBe('1');
      await expect.poll(() => scheduleBadge(p), { timeout: 15_000 }).toBe('1');
    }
    // On the phone the Schedule tab is scrolled out of view: a dot at the row's end says there is news beyond it.
    await expect.poll(() => phone.frame.getByTestId('section-news-offscreen').count()).toBe(1);
    await shot(hub, 'schedule-badge-desktop');
    await shot(phone, 'schedule-badge-phone');
    await hub.frame.getByTestId('section-tab-schedule').click();
    for (const p of [hub, phone]) await expect.poll(() => bellCount(p), { timeout: 15_000 }).toBe('0');
    await expect.poll(() => scheduleBadge(phone), { timeout: 15_000 }).toBe('');
    await expect.poll(() => phone.frame.getByTestId('section-news-offscreen').count()).toBe(0);

    await app.core.services.notifications.notify(
      ['mention', 'session.changed'].map((type) => ({
        tenantId: course!.tenantId,
        userId: alan!.id,
        courseId: null,
        type,
        excerpt: type,
      })),
    );
    for (const p of [hub, phone]) await expect.poll(() => bellCount(p), { timeout: 15_000 }).toBe('2');
    await phone.frame.getByTestId('notification-bell').click();
    await phone.frame.getByTestId('notification-mark-all').click();
    for (const p of [hub, phone]) await expect.poll(() => bellCount(p), { timeout: 15_000 }).toBe('0');
    expect(await phone.frame.locator('[data-testid="notification-item"][data-read="false"]').count()).toBe(0);
    expect(hub.errors).toEqual([]);
    expect(phone.errors).toEqual([]);
  });
  it("the instructor sees each reminder's state per attendee in the session's details", async () => {
    const ada = await launchFromDevLms(browser, base, 'instructor', 'schedule', DESKTOP);
    try {
      const { db } = app.core.services.database;
      const [session] = await db.select().from(scheduleSessions).where(eq(scheduleSessions.title, 'Recursion clinic'));
      // In-app navigation to the session (as a notification's link does).
      await ada.frame.locator('body').evaluate((_b, to) => {
        history.pushState({}, '', to);
        dispatchEvent(new PopStateEvent('popstate'));
      }, `/courses/${session!.courseId}/schedule?session=${session!.id}`);
      const reminders = ada.frame.getByTestId('session-reminders');
      await reminders.waitFor({ timeout: 20_000 });
      await reminders.locator('summary').click();
      const alan = ada.frame.locator('[data-testid="reminder-row"]', { hasText: 'Alan Turing' });
      await alan.waitFor({ timeout: 10_000 });
      expect(await alan.getAttribute('data-state')).toBe('SENT');
      expect(await alan.textContent()).toContain('1 min before');
      expect(await reminders.locator('summary').textContent()).toMatch(/\d+ sent/);
      await ada.page.screenshot({ path: path.join(SHOTS, 'notifications-reminders-desktop.png') });
      expect(ada.errors).toEqual([]);
    } finally {
      await ada.context.close();
    }
  });
});
