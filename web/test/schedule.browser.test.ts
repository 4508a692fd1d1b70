/**
 * The Schedule tab, launched from the development LMS: the instructor (in Paris, LMS frame at 1280x800) sets the
 * course's time zone, plans a session in the editor, is told of a conflict with it by name and saves anyway; both
 * show in the week view. The student (in New York, on a phone at 390x844) opens on the agenda, is told the times are
 * in their zone, sees a session planned meanwhile arrive live, and opens it: its time in their zone and in the host's.
 * Then the instructor drags a session onto a busy hour (the conflict is named; Cancel puts it back) and onto a free
 * one (it lands there, in the API and live on the student's agenda), and the student turns their private feed off
 * (its old URL answers 404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { users } from '../../api/src/users/tables.js';
import { scheduleSessions } from '../../api/src/schedule/tables.js';
import { courses } from '../../api/src/courses/tables.js';
import { launchBrowser, launchFromDevLms, noSidewaysScroll, SHOTS, type LaunchedPerson } from './browser.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

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
  it('the instructor drags a session: a busy hour is named and Cancel puts it back; a free one moves it, live for the student; the student turns their feed off', async () => {
    const { db } = app.core.services.database;
    const [u] = await db.select().from(users).where(eq(users.name, 'Ada Lovelace'));
    const [course] = await db.select().from(courses);
    const viewer = {
      kind: 'session' as const,
      tenantId: u!.tenantId,
      userId: u!.id,
      courseId: null,
      roles: [],
      expiresAt: Date.now() + 3_600_000,
    };
    // Next week (Monday first, in Paris): Wednesday 09:00–10:00 and, busy, Thursday 10:00–11:00.
    const monday = DateTime.now().setZone('Europe/Paris').startOf('week').plus({ weeks: 1 });
    const wed9 = monday.plus({ days: 2, hours: 9 });
    const thu10 = monday.plus({ days: 3, hours: 10 });
    const fri11 = monday.plus({ days: 4, hours: 11 });
    const [moved] = await app.core.services.schedule.create(
      viewer,
      { courseId: course!.id, title: 'Move me', startsAt: wed9.toJSDate(), endsAt: wed9.plus({ hours: 1 }).toJSDate() },
      true,
    );
    await app.core.services.schedule.create(
      viewer,
      { courseId: course!.id, title: 'Busy slot', startsAt: thu10.toJSDate(), endsAt: thu10.plus({ hours: 1 }).toJSDate() },
      true,
    );
    // A weekly series, Tuesdays 09:00 from next week, twice.
    const tue9 = monday.plus({ days: 1, hours: 9 });
    const series = await app.core.services.schedule.create(
      viewer,
      {
        courseId: course!.id,
        title: 'Weekly lab',
        startsAt: tue9.toJSDate(),
        endsAt: tue9.plus({ hours: 1 }).toJSDate(),
        repeat: { weekdays: [2], count: 2 },
      },
      true,
    );
    expect(series).toHaveLength(2);
    const startsAt = async () =>
      (await db.select().from(scheduleSessions).where(eq(scheduleSessions.id, moved!.id)))[0]!.startsAt.toISOString();

    // The student, on a phone in New York, follows the week of it on the agenda.
    const alan = await launchFromDevLms(browser, base, 'learner', 'schedule', PHONE, undefined, {
      hasTouch: true,
      isMobile: true,
      timezoneId: 'America/New_York',
    });
    const af = alan.frame;
    await af.locator('.fc-list, .fc-list-empty').first().waitFor({ timeout: 20_000 });
    const nyWeeks = Math.round(
      wed9.setZone('America/New_York').startOf('week').diff(DateTime.now().setZone('America/New_York').startOf('week'), 'weeks').weeks,
    );
    for (let i = 0; i < nyWeeks; i++) await af.locator('.fc-next-button').click();
    const alanRow = af.locator('.fc-list-event', { hasText: 'Move me' });
    await alanRow.waitFor({ timeout: 15_000 });
    expect(await alanRow.locator('.fc-list-event-time').textContent()).toContain(wed9.setZone('America/New_York').toFormat('HH:mm'));
    // A learner cannot drag (no resizer, nothing draggable).
    expect(await af.locator('.fc-event-draggable').count()).toBe(0);

    const ada2 = await launchFromDevLms(browser, base, 'instructor', 'schedule', DESKTOP, undefined, { timezoneId: 'Europe/Paris' });
    const f = ada2.frame;
    await f.getByTestId('schedule-calendar').locator('.fc-timegrid').waitFor({ timeout: 20_000 });
    await f.locator('.fc-next-button').click();
    const event = f.locator('.fc-event', { hasText: 'Move me' });
    await event.waitFor({ timeout: 10_000 });
    expect(await event.evaluate((el) => el.classList.contains('fc-event-draggable'))).toBe(true);
    expect(await f.getByTestId('schedule-drag-hint').textContent()).toContain('choose Edit');
    const column = (d: DateTime) => f.locator(`td.fc-timegrid-col[data-date="${d.toFormat('yyyy-MM-dd')}"]`);
    const slot = (d: DateTime) => f.locator(`td.fc-timegrid-slot-lane[data-time="${d.toFormat('HH:mm:ss')}"]`);
    // The target: the column of the day, at the height of the slot's row.
    const target = async (d: DateTime) => {
      const col = (await column(d).boundingBox())!;
      const row = (await slot(d).boundingBox())!;
      return { x: col.x + col.width / 2, y: row.y };
    };
    const dragTo = async (d: DateTime, event = f.locator('.fc-event', { hasText: 'Move me' })) => {
      await event.scrollIntoViewIfNeeded();
      const from = (await event.boundingBox())!;
      const to = await target(d);
      await ada2.page.mouse.move(from.x + from.width / 2, from.y + 6);
      await ada2.page.mouse.down();
      await ada2.page.mouse.move(from.x + from.width / 2, from.y + 18, { steps: 4 });
      await ada2.page.mouse.move(to.x, to.y + 6, { steps: 12 });
      await ada2.page.mouse.up();
    };

    // Onto the busy hour: the conflict is named; Cancel puts it back, and nothing changed.
    await dragTo(thu10);
    const dialog = f.getByTestId('session-move');
    await dialog.waitFor();
    expect(await f.getByTestId('move-conflicts').textContent()).toContain('Busy slot');
    expect(await f.getByTestId('session-move-when').textContent()).toContain(thu10.toFormat('HH:mm'));
    await noSidewaysScroll(ada2);
    await ada2.page.screenshot({ path: path.join(SHOTS, 'schedule-drag-conflict-lms.png') });
    await f.getByTestId('move-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    await column(wed9).locator('.fc-event', { hasText: 'Move me' }).waitFor();
    expect(await column(thu10).locator('.fc-event', { hasText: 'Move me' }).count()).toBe(0);
    expect(await startsAt()).toBe(wed9.toUTC().toISO());

    // Onto a free hour: it moves without a question, in the API and live on the student's agenda.
    await dragTo(fri11);
    await expect.poll(startsAt, { timeout: 10_000 }).toBe(fri11.toUTC().toISO());
    await column(fri11).locator('.fc-event', { hasText: 'Move me' }).waitFor();
    expect(await dialog.count()).toBe(0);

    // An occurrence of a series asks: this and the following move by the same three hours.
    const tue12 = tue9.plus({ hours: 3 });
    await dragTo(tue12, f.locator('.fc-event', { hasText: 'Weekly lab' }));
    await f.getByTestId('move-following').waitFor();
    await ada2.page.screenshot({ path: path.join(SHOTS, 'schedule-drag-series-lms.png') });
    await f.getByTestId('move-following').click();
    await dialog.waitFor({ state: 'detached' });
    await column(tue12).locator('.fc-event', { hasText: 'Weekly lab' }).waitFor();
    const seriesStarts = async () =>
      (
        await db
          .select()
          .from(scheduleSessions)
          .where(
            inArray(
              scheduleSessions.id,
              series.map((x) => x.id),
            ),
          )
      )
        .map((r) => r.startsAt.toISOString())
        .sort();
    expect(await seriesStarts()).toEqual([tue12.toUTC().toISO(), tue12.plus({ weeks: 1 }).toUTC().toISO()]);
    await ada2.page.screenshot({ path: path.join(SHOTS, 'schedule-dragged-lms.png') });
    await expect
      .poll(() => alanRow.locator('.fc-list-event-time').textContent(), { timeout: 15_000 })
      .toContain(fri11.setZone('America/New_York').toFormat('HH:mm'));
    await alan.page.screenshot({ path: path.join(SHOTS, 'schedule-moved-agenda-phone.png') });

    // The student turns their private feed off: its URL answers 404, and no URL shows until they make a new one.
    await af.getByTestId('calendar-feeds').locator('summary').click();
    await af.getByTestId('my-feed-none').waitFor();
    await af.getByTestId('my-feed-on').click();
    const urlInput = af.getByTestId('my-feed-url');
    await expect.poll(() => urlInput.inputValue()).toMatch(/\/calendar\/.+\.ics$/);
    const url = await urlInput.inputValue();
    expect((await fetch(url)).status).toBe(200);
    await af.getByTestId('my-feed-off-button').scrollIntoViewIfNeeded();
    await alan.page.screenshot({ path: path.join(SHOTS, 'schedule-feed-on-phone.png') });
    await af.getByTestId('my-feed-off-button').click();
    await af.getByTestId('confirm-ok').click();
    await af.getByTestId('my-feed-off').waitFor();
    expect(await urlInput.count()).toBe(0);
    expect((await fetch(url)).status).toBe(404);
    await noSidewaysScroll(alan);
    await af.getByTestId('calendar-feeds').scrollIntoViewIfNeeded();
    await alan.page.screenshot({ path: path.join(SHOTS, 'schedule-feed-off-phone.png') });
    expect(ada2.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
  }, 120_000);
});
