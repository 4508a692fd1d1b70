/**
 * The staff's activity page and the calendar feeds in a real browser, launched from the development LMS: the
 * instructor opens "Activity and audit log" from the Hub and sees a student's first launch arrive live; the audit
 * log lists the student's membership and downloads as CSV. The student finds no activity page, and copies their
 * private calendar URL from the Schedule tab, which a calendar app (here: fetch) reads as text/calendar. Screenshots
 * in the LMS frame at 1280x800 and on a phone at 390x844, with nothing scrolling sideways.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import ICAL from 'ical.js';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { users } from '../../api/src/users/tables.js';
import { courses } from '../../api/src/courses/tables.js';
import { freePort } from '../../api/test/lti-harness.js';
import { launchBrowser, launchFromDevLms, noSidewaysScroll, SHOTS, type LaunchedPerson } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe('activity, audit log and calendar feeds', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: LaunchedPerson;
  let lee: LaunchedPerson | null = null;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true' } });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("the instructor follows the course's activity live and downloads the audit log", async () => {
    ada = await launchFromDevLms(browser, base, 'instructor', 'hub', DESKTOP);
    const f = ada.frame;
    await f.getByTestId('hub-activity-open').click({ timeout: 20_000 });
    const panel = f.getByTestId('activity-panel');
    await panel.waitFor({ timeout: 20_000 });
    // Ada's own first launch is there already.
    await expect.poll(() => panel.getByTestId('activity-member.first_launch').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => panel.textContent()).toContain('Live');

    // The student launches for the first time: their join and first launch arrive in Ada's open panel.
    lee = await launchFromDevLms(browser, base, 'learner', 'schedule', DESKTOP);
    await expect.poll(() => panel.getByTestId('activity-member.first_launch').count(), { timeout: 15_000 }).toBe(2);
    const newest = await panel.locator('li').first().textContent();
    expect(newest).toMatch(/opened the course for the first time/);

    // The audit log: the memberships the launches made (by the LMS sync, not a person), filtered, then as CSV.
    const audit = f.getByTestId('audit-panel');
    await f.getByTestId('audit-filter').selectOption('membership');
    await expect.poll(() => audit.getByTestId('audit-entry').count(), { timeout: 15_000 }).toBe(2);
    expect(await audit.getByTestId('audit-entry').first().textContent()).toContain('Membership joined');
    expect(await audit.getByTestId('audit-entry').first().textContent()).toContain('The system');
    const [download] = await Promise.all([ada.page.waitForEvent('download'), f.getByTestId('audit-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-log-.*\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('time,course_id,actor,actor_id,api_key_id,entity,entity_id,subject,action,before,after');
    expect(csv.split('\r\n').filter((l) => l.includes(',membership,')).length).toBe(2);

    await noSidewaysScroll(ada);
    await ada.page.screenshot({ path: path.join(SHOTS, 'activity-desktop.png') });
    expect(ada.errors).toEqual([]);
  });

  it('the student has no activity page, and copies a private calendar URL that a calendar app reads', async () => {
    const f = lee!.frame;
    await f.getByTestId('calendar-feeds').locator('summary').click({ timeout: 20_000 });
    // No private URL until the student asks for one.
    await f.getByTestId('my-feed-none').waitFor({ timeout: 15_000 });
    await f.getByTestId('my-feed-on').click();
    const input = f.getByTestId('my-feed-url');
    await expect.poll(() => input.inputValue(), { timeout: 15_000 }).toMatch(/\/calendar\/[A-Za-z0-9_-]{32}\.ics$/);
    const url = await input.inputValue();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(await res.text()).toContain('BEGIN:VCALENDAR');
    // The course's feed is there for everyone; only instructors may make it a new URL.
    await expect
      .poll(() => f.getByTestId('course-feed-url').inputValue())
      .toMatch(/\/calendar\/course\/[0-9a-f-]{36}\/[A-Za-z0-9_-]{32}\.ics$/);
    expect(await f.getByTestId('course-feed-rotate').count()).toBe(0);
    await f.getByTestId('calendar-feeds').scrollIntoViewIfNeeded();
    await lee!.page.screenshot({ path: path.join(SHOTS, 'activity-feeds-desktop.png') });

    // A session planned meanwhile: the student saves it as an .ics file from its details.
    const { db } = app.core.services.database;
    const [ada] = await db.select().from(users).where(eq(users.name, 'Ada Lovelace'));
    const [course] = await db.select().from(courses);
    const now = DateTime.now();
    const later = now.plus({ hours: 1 });
    const start = (later.weekNumber === now.weekNumber ? later : now.minus({ hours: 2 })).startOf('hour');
    const viewer = {
      kind: 'session' as const,
      tenantId: ada!.tenantId,
      userId: ada!.id,
      courseId: null,
      roles: [],
      expiresAt: Date.now() + 3_600_000,
    };
    const [planned] = await app.core.services.schedule.create(
      viewer,
      { courseId: course!.id, title: 'Project clinic', startsAt: start.toJSDate(), endsAt: start.plus({ minutes: 45 }).toJSDate() },
      true,
    );
    const event = f.locator('.fc-event', { hasText: 'Project clinic' });
    await event.waitFor({ timeout: 15_000 });
    await event.click();
    const details = f.getByTestId('session-details');
    const [ics] = await Promise.all([lee!.page.waitForEvent('download'), details.getByTestId('session-ics').click()]);
    expect(ics.suggestedFilename()).toBe('Project-clinic.ics');
    const cal = new ICAL.Component(ICAL.parse(await readFile((await ics.path())!, 'utf8')));
    expect(cal.getFirstPropertyValue('method')).toBe('REQUEST');
    const vevent = new ICAL.Event(cal.getFirstSubcomponent('vevent')!);
    expect(vevent.uid).toBe(`${planned!.id}@localhost`);
    expect(vevent.startDate.toJSDate().getTime()).toBe(start.toMillis());
    await lee!.page.screenshot({ path: path.join(SHOTS, 'activity-session-ics-desktop.png') });
    await details.getByTestId('session-close').click();

    // A student's hub offers no activity, and its address says it is for staff.
    await f.getByTestId('section-tab-hub').click();
    await f.getByTestId('learner-welcome').waitFor({ timeout: 15_000 });
    expect(await f.getByTestId('hub-activity').count()).toBe(0);
    expect(lee!.errors).toEqual([]);
  });

  it('on a phone: the activity page and the feeds stack, nothing scrolls sideways', async () => {
    const phone = await launchFromDevLms(browser, base, 'instructor', 'hub', PHONE, undefined, { isMobile: true, hasTouch: true });
    const f = phone.frame;
    await f.getByTestId('hub-activity-open').click({ timeout: 20_000 });
    await f.getByTestId('activity-panel').getByTestId('activity-member.first_launch').first().waitFor({ timeout: 20_000 });
    await f.getByTestId('audit-entry').first().waitFor({ timeout: 20_000 });
    await noSidewaysScroll(phone);
    await phone.page.screenshot({ path: path.join(SHOTS, 'activity-phone.png'), fullPage: true });
    await f.getByTestId('section-tab-schedule').click();
    await f.getByTestId('calendar-feeds').locator('summary').click({ timeout: 20_000 });
    await expect.poll(() => f.getByTestId('course-feed-url').inputValue(), { timeout: 15_000 }).toContain('/calendar/course/');
    await f.getByTestId('calendar-feeds').scrollIntoViewIfNeeded();
    await noSidewaysScroll(phone);
    await phone.page.screenshot({ path: path.join(SHOTS, 'activity-feeds-phone.png') });
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });
});
