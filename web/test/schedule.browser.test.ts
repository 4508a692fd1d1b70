/**
 * The Schedule tab, launched from the development LMS: the instructor (in Paris, LMS frame at 1280x800) sets the
 * course's time zone, plans a session in the editor, is told of a conflict with it by name and saves anyway; both
 * show in the week view. The student (in New York, on a phone at 390x844) opens on the agenda, is told the times are
 * in their zone, sees a session planned meanwhile arrive live, and opens it: its time in their zone and in the host's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { users } from '../../api/src/users/tables.js';
import { courses } from '../../api/src/courses/tables.js';
import { SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function noSidewaysScroll(p: LaunchedPerson): Promise<void> {
  const widths = await p.frame
    .locator('#main')
    .evaluate((main) => [document.documentElement, main.parentElement!].map((el) => ({ scroll: el.scrollWidth, client: el.clientWidth })));
  for (const { scroll, client } of widths) expect(scroll, 'the page scrolls sideways').toBeLessThanOrEqual(client);
}

describe('the Schedule tab', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: LaunchedPerson;

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

  it('an instructor in Paris sets the course zone, plans a session, is told of a conflict by name and saves anyway', async () => {
    const cspProblems: string[] = [];
    ada = await launchFromDevLms(
      browser,
      base,
      'instructor',
      'schedule',
      DESKTOP,
      (page) =>
        page.on('console', (m) => /Refused to|Content Security Policy|could not inject/i.test(m.text()) && cspProblems.push(m.text())),
      { timezoneId: 'Europe/Paris' },
    );
    const f = ada.frame;
    await f
      .getByTestId('schedule-calendar')
      .locator('.fc-timegrid')
      .waitFor({ timeout: 20_000 })
      .catch(async (e) => {
        await ada.page.screenshot({ path: path.join(SHOTS, 'schedule-failed.png') });
        throw new Error(`${String(e)}; page errors: ${ada.errors.join(' | ')}; console: ${cspProblems.join(' | ')}`);
      });
    // FullCalendar's own styles apply under the app's Content-Security-Policy: its toolbar is a flex row.
    expect(await f.locator('.fc-header-toolbar').evaluate((el) => getComputedStyle(el).display)).toBe('flex');
    // The course's zone is UTC until an instructor sets it: the tab says the times are Ada's own.
    await expect.poll(() => f.getByTestId('schedule-zone').textContent()).toContain('Europe/Paris');

    await f.getByTestId('schedule-settings').locator('summary').click();
    await f.getByTestId('settings-zone').fill('Europe/Paris');
    await f.getByTestId('settings-offsets').fill('1 day, 30 min');
    await f.getByTestId('settings-save').click();
    await f.getByTestId('schedule-settings').getByRole('status').waitFor();
    await expect.poll(() => f.getByTestId('schedule-zone').textContent()).toBe('Times are in Europe/Paris.');

    await f.getByTestId('new-session').click();
    const editor = f.getByTestId('session-editor');
    await editor.waitFor();
    await f.getByTestId('session-title').fill('Lab review');
    await f.getByTestId('session-save').click();
    await editor.waitFor({ state: 'detached' });
    await f.locator('.fc-event', { hasText: 'Lab review' }).waitFor({ timeout: 10_000 });

    // The same hour again: Ada hosts both, so the editor names the session she is busy with and offers to save anyway.
    await f.getByTestId('new-session').click();
    await f.getByTestId('session-title').fill('Clash');
    await f.getByTestId('session-save').click();
    const conflicts = f.getByTestId('session-conflicts');
    await conflicts.waitFor();
    expect(await conflicts.textContent()).toContain('Lab review');
    expect(await conflicts.textContent()).toContain('Ada Lovelace');
    await f.getByTestId('save-anyway').click();
    await f.getByTestId('session-editor').waitFor({ state: 'detached' });
    await f.locator('.fc-event', { hasText: 'Clash' }).waitFor({ timeout: 10_000 });
    await noSidewaysScroll(ada);
    await ada.page.screenshot({ path: path.join(SHOTS, 'schedule-week-lms.png') });

    // Opening it: the details, attendance for the host, and cancelling.
    // The two overlap: the later-drawn one covers part of the other, so the click goes to the event itself.
    await f.locator('.fc-event', { hasText: 'Clash' }).dispatchEvent('click');
    const details = f.getByTestId('session-details');
    await details.getByTestId('session-when').waitFor();
    await ada.page.screenshot({ path: path.join(SHOTS, 'schedule-details-lms.png') });
    await details.getByTestId('session-cancel').click();
    await f.getByTestId('confirm-ok').click();
    await details.getByTestId('session-status').waitFor();
    expect(await details.getByTestId('session-status').textContent()).toContain('Cancelled');
    await details.getByTestId('session-close').click();
    await f.locator('.fc-event', { hasText: 'Cancelled: Clash' }).waitFor();
    expect(ada.errors).toEqual([]);
    expect(cspProblems).toEqual([]);
  }, 120_000);

  it('a student in New York on a phone opens on the agenda, sees a new session arrive live, and opens it', async () => {
    const alan = await launchFromDevLms(browser, base, 'learner', 'schedule', PHONE, undefined, {
      hasTouch: true,
      isMobile: true,
      timezoneId: 'America/New_York',
    });
    const f = alan.frame;
    await f.locator('.fc-list, .fc-list-empty').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => f.getByTestId('schedule-zone').textContent()).toContain('America/New York');
    expect(await f.getByTestId('new-session').count()).toBe(0);

    // Planned meanwhile by Ada, in the week Alan's agenda shows (his week, in New York).
    const { db } = app.core.services.database;
    const [u] = await db.select().from(users).where(eq(users.name, 'Ada Lovelace'));
    const [course] = await db.select().from(courses);
    const now = DateTime.now().setZone('America/New_York');
    const later = now.plus({ hours: 1 });
    const start = (later.weekNumber === now.weekNumber ? later : now.minus({ hours: 2 })).startOf('hour');
    const viewer = {
      kind: 'session' as const,
      tenantId: u!.tenantId,
      userId: u!.id,
      courseId: null,
      roles: [],
      expiresAt: Date.now() + 3_600_000,
    };
    await app.core.services.schedule.create(
      viewer,
      { courseId: course!.id, title: 'Live quiz', startsAt: start.toJSDate(), endsAt: start.plus({ minutes: 45 }).toJSDate() },
      true,
    );
    const row = f.locator('.fc-list-event', { hasText: 'Live quiz' });
    await row.waitFor({ timeout: 15_000 });
    await noSidewaysScroll(alan);
    await alan.page.screenshot({ path: path.join(SHOTS, 'schedule-agenda-phone.png') });

    await row.locator('.fc-list-event-title').click();
    const details = f.getByTestId('session-details');
    await details.getByTestId('session-when').waitFor();
    expect(await details.getByTestId('session-when').textContent()).toContain(start.toFormat('HH:mm'));
    // Planned in the course's zone (Paris): that time is given too.
    expect(await details.getByTestId('session-host-when').textContent()).toContain(start.setZone('Europe/Paris').toFormat('HH:mm'));
    expect(await details.getByTestId('session-edit').count()).toBe(0);
    await alan.page.screenshot({ path: path.join(SHOTS, 'schedule-details-phone.png') });
    expect(alan.errors).toEqual([]);
  }, 120_000);
});
