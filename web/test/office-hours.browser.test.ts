/**
 * Office hours in a real browser, launched from the development LMS: the instructor (Ada, in Paris, the LMS frame at
 * 1280x800) publishes office hours of one slot; the student (Alan, in New York, on a phone at 390x844) sees the slot
 * in his own time zone and books it with a question; Ada's notification arrives live in her bell, the booking shows
 * in her week view and her day lists the question. A second student (Bea, through the API) joins the full day's
 * waitlist; Alan cancels and Bea is told the slot is free, Ada that the booking was cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { DateTime } from 'luxon';
import { eq } from 'drizzle-orm';
import { gql, startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { upsertUser } from '../../api/src/users/service.js';
import { courses } from '../../api/src/courses/tables.js';
import { officeHourBookings } from '../../api/src/schedule/tables.js';
import { launchBrowser, launchFromDevLms, noSidewaysScroll, SHOTS, type LaunchedPerson } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const JOIN = `mutation($windowId: ID!, $day: String!) { joinOfficeHourWaitlist(windowId: $windowId, day: $day) { position status } }`;
const NOTES = `query { notifications(first: 20) { edges { node { type data } } } }`;

describe('office hours', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: LaunchedPerson;
  let alan: LaunchedPerson;

  const shot = (p: LaunchedPerson, name: string) => p.page.screenshot({ path: path.join(SHOTS, `office-hours-${name}.png`) });
  const bellCount = async (p: LaunchedPerson) =>
    (await p.frame.getByTestId('notification-count').count())
      ? ((await p.frame.getByTestId('notification-count').textContent()) ?? '').trim()
      : '0';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true' } });
    browser = await launchBrowser();
    ada = await launchFromDevLms(browser, base, 'instructor', 'schedule', DESKTOP, undefined, { timezoneId: 'Europe/Paris' });
    alan = await launchFromDevLms(browser, base, 'learner', 'schedule', PHONE, undefined, {
      hasTouch: true,
      isMobile: true,
      timezoneId: 'America/New_York',
    });
    await ada.frame.getByTestId('office-hours').waitFor({ timeout: 20_000 });
    await alan.frame.getByTestId('office-hours').waitFor({ timeout: 20_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('publish, book with a question, notified live, in the week view; cancel, and the waitlisted student is told', async () => {
    // Tomorrow in Paris, 10:00–10:30: one slot of 30 minutes.
    const tomorrow = DateTime.now().setZone('Europe/Paris').plus({ days: 1 });
    await ada.frame.getByTestId('oh-new').click();
    await ada.frame.getByTestId('oh-title').fill('Proof clinic');
    await ada.frame.getByTestId('oh-weekday').selectOption(String(tomorrow.weekday));
    await ada.frame.getByTestId('oh-start').fill('10:00');
    await ada.frame.getByTestId('oh-end').fill('10:30');
    await ada.frame.getByTestId('oh-zone').fill('Europe/Paris');
    await ada.frame.getByTestId('oh-slot').selectOption('30');
    await ada.frame.getByTestId('oh-location').fill('Room 204');
    await shot(ada, 'publish-desktop');
    await ada.frame.getByTestId('oh-publish').click();
    await expect.poll(() => ada.frame.getByTestId('oh-window').count()).toBe(1);
    expect(await ada.frame.getByTestId('oh-window').textContent()).toContain('10:00–10:30 (Europe/Paris)');
    // Ada goes on with her day on the Hub.
    await ada.frame.getByTestId('section-tab-hub').click();
    await ada.frame.getByTestId('section-hub').waitFor({ timeout: 15_000 });

    // Alan sees it arrive live, and the slot in New York time (10:00 in Paris is 04:00 there).
    await expect.poll(() => alan.frame.getByTestId('oh-window').count(), { timeout: 15_000 }).toBe(1);
    await alan.frame.getByTestId('oh-open').click();
    const slot = alan.frame.locator('[data-testid="oh-slot"][data-state="FREE"]');
    await slot.first().waitFor({ timeout: 15_000 });
    expect(await slot.count()).toBe(1);
    const nyStart = tomorrow.set({ hour: 10, minute: 0, second: 0, millisecond: 0 }).setZone('America/New_York');
    expect((await slot.textContent())?.trim()).toContain(`${nyStart.toFormat('HH:mm')}–${nyStart.plus({ minutes: 30 }).toFormat('HH:mm')}`);
    expect(await alan.frame.getByTestId('oh-flow').textContent()).toContain('America/New York');
    await slot.click();
    await alan.frame.getByTestId('oh-question').fill('Why does my induction proof need a stronger hypothesis?');
    await shot(alan, 'book-phone');
    await noSidewaysScroll(alan);
    await alan.frame.getByTestId('oh-book').click();
    await expect.poll(() => alan.frame.getByTestId('oh-message').textContent()).toContain('Booked');
    await expect.poll(() => alan.frame.getByTestId('oh-my-booking').count()).toBe(1);
    expect(await alan.frame.locator('[data-testid="oh-slot"]').getAttribute('data-state')).toBe('MINE');
    await shot(alan, 'booked-phone');

    // Ada: the notification arrives live on the Hub; it leads to the booking's session on the Schedule tab, which
    // shows in her week view.
    await expect.poll(() => bellCount(ada), { timeout: 15_000 }).toBe('1');
    await ada.frame.getByTestId('notification-bell').click();
    const item = ada.frame.locator('[data-testid="notification-item"][data-type="booking.made"]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toContain('Alan Turing');
    await shot(ada, 'notified-desktop');
    await item.click();
    const details = ada.frame.getByTestId('session-details');
    await details.waitFor({ timeout: 15_000 });
    expect(await details.textContent()).toContain('Office hours with Ada Lovelace');
    await shot(ada, 'session-desktop');
    await details.press('Escape');
    await details.waitFor({ state: 'hidden', timeout: 10_000 });
    const calendar = ada.frame.getByTestId('schedule-calendar');
    const event = calendar.locator('.fc-event', { hasText: 'Office hours with Ada Lovelace' });
    // Tomorrow may be in next week's view (Monday first).
    if (tomorrow.weekday === 1) await calendar.locator('.fc-next-button').click();
    await event.first().waitFor({ timeout: 15_000 });
    await ada.frame.getByTestId('host-day-date').fill(tomorrow.toISODate()!);
    await expect
      .poll(() => ada.frame.getByTestId('host-day-question').first().textContent())
      .toBe('Why does my induction proof need a stronger hypothesis?');
    await calendar.scrollIntoViewIfNeeded();
    await shot(ada, 'week-desktop');
    await ada.frame.getByTestId('host-day').scrollIntoViewIfNeeded();
    await shot(ada, 'host-day-desktop');
    await noSidewaysScroll(ada);

    // Bea, another student, waits for that day (it is full).
    const { db } = app.core.services.database;
    const [course] = await db.select().from(courses);
    const bea = await upsertUser(db, { tenantId: course!.tenantId, subject: `bea-${randomBytes(4).toString('hex')}`, name: 'Bea Waiting' });
    await app.core.services.courses.setMembership(course!.tenantId, course!.id, bea.id, ['learner']);
    const beaToken = await app.core.services.sessions.issue({
      tenantId: course!.tenantId,
      userId: bea.id,
      courseId: course!.id,
      roles: ['learner'],
    });
    const [booking] = await db.select().from(officeHourBookings).where(eq(officeHourBookings.courseId, course!.id));
    const joined = await gql(base, JOIN, { windowId: booking!.windowId, day: tomorrow.toISODate() }, beaToken);
    expect(joined.body.data?.joinOfficeHourWaitlist).toEqual({ position: 1, status: 'waiting' });

    // Alan cancels: Bea is told the slot is free, Ada that the booking was cancelled; the slot is free again.
    await alan.frame.getByTestId('oh-cancel').click();
    await alan.frame.getByTestId('confirm-ok').click();
    await expect.poll(() => alan.frame.getByTestId('oh-message').textContent()).toContain('cancelled');
    await expect.poll(() => alan.frame.locator('[data-testid="oh-slot"]').getAttribute('data-state')).toBe('FREE');
    await expect
      .poll(async () => {
        const r = await gql(base, NOTES, {}, beaToken);
        return (r.body.data?.notifications.edges ?? []).map((e: { node: { type: string } }) => e.node.type);
      })
      .toEqual(['waitlist.slot_freed']);
    // On the Schedule tab, Ada's schedule notifications are read as they come: the center lists it.
    await expect.poll(() => ada.frame.getByTestId('host-day-booking').count(), { timeout: 15_000 }).toBe(0);
    await ada.frame.getByTestId('notification-bell').click();
    await ada.frame.locator('[data-testid="notification-item"][data-type="booking.cancelled"]').waitFor({ timeout: 15_000 });
    await shot(ada, 'cancelled-desktop');
    await ada.frame.getByTestId('notification-bell').click();
    await shot(alan, 'cancelled-phone');
    await noSidewaysScroll(alan);
    await alan.page.setViewportSize(DESKTOP);
    await shot(alan, 'cancelled-desktop');
    await noSidewaysScroll(alan);
    await ada.page.setViewportSize(PHONE);
    await ada.frame.getByTestId('office-hours').scrollIntoViewIfNeeded();
    await shot(ada, 'host-phone');
    await noSidewaysScroll(ada);
    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
  });
});
