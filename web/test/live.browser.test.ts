/**
 * The Live class tab and a class's page in a real browser (issue 17). Ada, the instructor, launched from the
 * development LMS in its frame (1280x800), plans a class in the tab's dialog and starts it from its page. Alan, a
 * student launched from the LMS on a phone (390x844), joins (the meeting opens in a new tab), raises his hand and asks
 * a question; Bea, another student (her own browser, a session of her own, 1280x800), joins and upvotes it. Ada sees
 * the hand and the question with its one vote arrive live, opens a poll; both students answer it, Ada closes it and
 * the students see the results. Ada ends the class (after a confirmation) and gets the attendance report; Alan reads
 * his own minutes. Screenshots in test-results/live-*.png.
 *
 * After the class (its own app, with the job worker and a BigBlueButton stand-in): Ada plans a class for tomorrow,
 * edits it from the list's item tools (a bad link shows under its field) and deletes it from its page, after a
 * confirmation. She plans a class on the school's BigBlueButton graded through the development LMS's graded activity,
 * starts it; Alan joins (BBB's join link names him a viewer); she ends it: every student's score reaches the gradebook
 * (POSTED). She corrects Alan's minutes while the gradebook refuses a post once: his state goes QUEUED, then POSTED
 * again, and the gradebook holds the new score. She downloads the CSV and gives the recording's link; Alan sees it
 * arrive, with BigBlueButton's recordings. Screenshots in test-results/live-after-*.png.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { DateTime } from 'luxon';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { upsertUser } from '../../api/src/users/service.js';
import { courses } from '../../api/src/courses/tables.js';
import { startBbbStandIn, type BbbStandIn } from '../../api/test/bbb-stand-in.js';
import { launchBrowser, launchFromDevLms, noSidewaysScroll, SHOTS, type LaunchedPerson } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const TITLE = 'Week 4: recursion, live';
const QUESTION = 'Why does the recursion need a base case?';

describe('the Live class tab', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: LaunchedPerson;
  let alan: LaunchedPerson;

  const shot = (who: { page: Page }, name: string) => who.page.screenshot({ path: path.join(SHOTS, `live-${name}.png`) });

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

  it('an instructor plans and starts a class; students join, raise a hand, ask, upvote and answer a poll, live; the instructor ends it and reads the attendance', async () => {
    const csp: string[] = [];
    ada = await launchFromDevLms(browser, base, 'instructor', 'live', DESKTOP, (page) =>
      page.on('console', (m) => /Content Security Policy|Refused to/i.test(m.text()) && csp.push(m.text())),
    );
    const a = ada.frame;
    await a.getByTestId('live-empty').waitFor({ timeout: 20_000 });

    // Planned in the dialog: from two minutes ago to 48 minutes from now, in the course's zone (UTC until set).
    const start = DateTime.utc().minus({ minutes: 2 });
    const end = start.plus({ minutes: 50 });
    await a.getByTestId('live-plan').click();
    await a.getByTestId('live-plan-dialog').waitFor();
    await a.getByTestId('live-plan-title').fill(TITLE);
    await a.getByTestId('live-plan-date').fill(start.toFormat('yyyy-MM-dd'));
    await a.getByTestId('live-plan-start').fill(start.toFormat('HH:mm'));
    await a.getByTestId('live-plan-end').fill(end.toFormat('HH:mm'));
    await a.getByTestId('live-plan-url').fill(`${base}/healthz`);
    await shot(ada, 'plan-lms');
    await a.getByTestId('live-plan-save').click();
    await a.getByTestId('live-plan-dialog').waitFor({ state: 'detached' });
    const item = a.getByTestId('live-class-item').filter({ hasText: TITLE });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.getAttribute('data-state')).toBe('SCHEDULED');
    await shot(ada, 'list-lms');

    await item.click();
    await a.getByTestId('live-state').waitFor({ timeout: 20_000 });
    expect(await a.getByTestId('live-state').textContent()).toContain('Scheduled');
    await a.getByTestId('live-start').click();
    await a.getByTestId('live-end').waitFor({ timeout: 20_000 });
    expect(await a.getByTestId('live-state').textContent()).toContain('Live now');
    const classId = /\/live\/([^/?#]+)/.exec(await a.locator('body').evaluate(() => location.pathname))![1]!;

    // Alan, on his phone: the list shows the class live; its page, Join opens the meeting in a new tab.
    alan = await launchFromDevLms(browser, base, 'learner', 'live', PHONE, undefined, { hasTouch: true, isMobile: true });
    const s = alan.frame;
    const alanItem = s.getByTestId('live-class-item').filter({ hasText: TITLE });
    await alanItem.waitFor({ timeout: 20_000 });
    expect(await alanItem.getAttribute('data-state')).toBe('LIVE');
    await alanItem.click();
    const [meeting] = await Promise.all([alan.context.waitForEvent('page'), s.getByTestId('live-join').click({ timeout: 20_000 })]);
    await meeting.waitForURL(/\/healthz$/, { timeout: 15_000 });
    await meeting.close();
    await s.getByTestId('live-hand-raise').waitFor({ timeout: 15_000 });
    await s.getByTestId('live-hand-raise').click();
    await expect.poll(() => s.getByTestId('live-hand-raise').getAttribute('aria-pressed')).toBe('true');
    await s.getByTestId('live-question-input').fill(QUESTION);
    await s.getByTestId('live-question-ask').click();
    await s.getByTestId('live-question-item').filter({ hasText: QUESTION }).waitFor({ timeout: 15_000 });
    // His own question: he cannot upvote it.
    expect(await s.getByTestId('live-question-item').filter({ hasText: QUESTION }).getByTestId('live-question-vote').isDisabled()).toBe(
      true,
    );
    await noSidewaysScroll(alan);
    await shot(alan, 'student-phone');

    // Bea, another student in her own browser (a session of her own), joins and upvotes it.
    const { db } = app.core.services.database;
    const [course] = await db.select().from(courses);
    const beaUser = await upsertUser(db, {
      tenantId: course!.tenantId,
      subject: `bea-${randomBytes(4).toString('hex')}`,
      name: 'Bea Upvote',
    });
    await app.core.services.courses.setMembership(course!.tenantId, course!.id, beaUser.id, ['learner']);
    const beaToken = await app.core.services.sessions.issue({
      tenantId: course!.tenantId,
      userId: beaUser.id,
      courseId: course!.id,
      roles: ['learner'],
    });
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.addInitScript((t) => sessionStorage.setItem('lt.session', t), beaToken);
    const page = await context.newPage();
    const beaErrors: string[] = [];
    page.on('pageerror', (e) => beaErrors.push(e.message));
    await page.goto(`${base}/courses/${course!.id}/live/${classId}`);
    const [beaMeeting] = await Promise.all([context.waitForEvent('page'), page.getByTestId('live-join').click({ timeout: 20_000 })]);
    await beaMeeting.close();
    const theirs = page.getByTestId('live-question-item').filter({ hasText: QUESTION });
    await theirs.getByTestId('live-question-vote').click({ timeout: 20_000 });
    await expect.poll(() => theirs.getByTestId('live-question-votes').textContent(), { timeout: 15_000 }).toBe('1');
    expect(await theirs.getByTestId('live-question-vote').getAttribute('aria-pressed')).toBe('true');
    expect(await theirs.getByTestId('live-question-vote').isDisabled()).toBe(true);

    // Ada, who never reloaded, sees the hand and the question with its vote.
    const queue = a.getByTestId('live-hand-queue');
    await expect.poll(() => queue.getByTestId('live-hand-item').count(), { timeout: 15_000 }).toBe(1);
    expect(await queue.textContent()).toContain('Alan');
    const asked = a.getByTestId('live-question-item').filter({ hasText: QUESTION });
    await expect.poll(() => asked.getByTestId('live-question-votes').textContent(), { timeout: 15_000 }).toBe('1');
    // Hosts see who asked.
    expect(await asked.textContent()).toContain('Alan');
    await expect.poll(() => a.getByTestId('live-present-count').textContent(), { timeout: 15_000 }).toContain('2 here');
    expect(await a.getByTestId('live-announcer').textContent()).toMatch(/Alan Turing raised a hand|New question/);
    await noSidewaysScroll(ada);
    await shot(ada, 'host-lms');
    // Alan's hand lowered by Ada: his button says so.
    await queue.getByTestId('live-hand-lower').click();
    await expect.poll(() => s.getByTestId('live-hand-raise').getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('false');

    // A poll: Ada opens it; both answer; the tally is Ada's alone until she closes it.
    await a.getByTestId('live-poll-question').fill('Is a base case always needed?');
    await a.getByTestId('live-poll-options').fill('Yes\nNo');
    await a.getByTestId('live-poll-open').click();
    await s.getByTestId('live-tab-poll').click();
    const alanPoll = s.getByTestId('live-poll-item').first();
    await alanPoll.getByTestId('live-poll-option').filter({ hasText: 'Yes' }).click({ timeout: 15_000 });
    await alanPoll.getByTestId('live-poll-answered').waitFor();
    expect(await alanPoll.getByTestId('live-poll-results').count()).toBe(0);
    const beaPoll = page.getByTestId('live-poll-item').first();
    await beaPoll.getByTestId('live-poll-option').filter({ hasText: 'No' }).click({ timeout: 15_000 });
    await beaPoll.getByTestId('live-poll-answered').waitFor();
    const adaPoll = a.getByTestId('live-poll-item').first();
    await expect.poll(() => adaPoll.getByTestId('live-poll-total').textContent(), { timeout: 15_000 }).toBe('2 answers');
    expect(await adaPoll.getByTestId('live-poll-count').allTextContents()).toEqual(['1 · 50 %', '1 · 50 %']);
    await shot(ada, 'poll-lms');
    await adaPoll.getByTestId('live-poll-close').click();
    await expect
      .poll(() => alanPoll.getByTestId('live-poll-count').allTextContents(), { timeout: 15_000 })
      .toEqual(['1 · 50 %', '1 · 50 %']);
    await expect.poll(() => beaPoll.getByTestId('live-poll-results').count(), { timeout: 15_000 }).toBe(1);
    await noSidewaysScroll(alan);
    await shot(alan, 'poll-phone');
    await shot({ page }, 'poll-desktop');

    // Ada edits the class while it is live (from elsewhere: the API): the open pages show it without a reload.
    const renamed = `${TITLE} (extended)`;
    const answer = await a.locator('body').evaluate(
      async (_el, { id, title }) => {
        const call = async (query: string, variables: object) => {
          const r = await fetch('/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionStorage.getItem('lt.session')}` },
            body: JSON.stringify({ query, variables }),
          });
          return (await r.json()) as { data?: Record<string, Record<string, string>>; errors?: unknown };
        };
        const read = await call('query($id: ID!) { liveClass(id: $id) { startsAt endsAt meetingUrl } }', { id });
        const c = read.data!['liveClass']!;
        return call('mutation($id: ID!, $input: LiveClassInput!) { updateLiveClass(id: $id, input: $input) { title } }', {
          id,
          input: {
            title,
            description: 'Bring your base cases.',
            startsAt: c['startsAt'],
            endsAt: c['endsAt'],
            meetingUrl: c['meetingUrl'],
          },
        });
      },
      { id: classId, title: renamed },
    );
    expect(answer).toEqual({ data: { updateLiveClass: { title: renamed } } });
    for (const f of [s, page, a]) {
      await expect.poll(() => f.getByTestId('live-title').textContent(), { timeout: 15_000 }).toBe(renamed);
      expect(await f.getByTestId('live-class').textContent()).toContain('Bring your base cases.');
    }
    // What the page held stays: the closed poll's results, the question with its vote.
    expect(await alanPoll.getByTestId('live-poll-count').allTextContents()).toEqual(['1 · 50 %', '1 · 50 %']);
    expect(await asked.getByTestId('live-question-votes').textContent()).toBe('1');

    // The class chat is a tab on the phone.
    await s.getByTestId('live-tab-chat').click();
    await s.getByTestId('live-chat').getByTestId('composer-input').waitFor({ timeout: 15_000 });
    await noSidewaysScroll(alan);
    await shot(alan, 'chat-phone');

    // Ada ends the class, confirmed; the attendance report lists both students.
    await a.getByTestId('live-end').click();
    await a.getByTestId('confirm-ok').click();
    await expect.poll(() => a.getByTestId('live-state').textContent(), { timeout: 15_000 }).toContain('Ended');
    const rows = a.getByTestId('live-attendance-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(await a.getByTestId('live-attendance').textContent()).toContain('Bea Upvote');
    expect(await a.getByTestId('live-question-item').filter({ hasText: QUESTION }).count()).toBe(1);
    await noSidewaysScroll(ada);
    await a.getByTestId('live-attendance').scrollIntoViewIfNeeded();
    await shot(ada, 'attendance-lms');

    // Alan reads his own minutes; the Q&A and the poll stay.
    await s.getByTestId('live-my-attendance').waitFor({ timeout: 15_000 });
    expect(await s.getByTestId('live-my-attendance').textContent()).toMatch(/^You were present \d+ of 50 minutes\.$/);
    expect(await s.getByTestId('live-join').count()).toBe(0);
    await s.getByTestId('live-tab-qa').click();
    await s.getByTestId('live-question-item').filter({ hasText: QUESTION }).waitFor();
    await noSidewaysScroll(alan);
    await shot(alan, 'ended-phone');

    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
    expect(beaErrors).toEqual([]);
    expect(csp).toEqual([]);
  }, 240_000);
});

describe('after a live class', () => {
  let app: TestApp;
  let worker: WorkerHandle;
  let bbb: BbbStandIn;
  let browser: Browser;
  let base: string;

  const shot = (who: { page: Page }, name: string) => who.page.screenshot({ path: path.join(SHOTS, `live-after-${name}.png`) });

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    bbb = await startBbbStandIn();
    app = await startApp({
      port,
      env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', BBB_URL: bbb.url, BBB_SECRET: bbb.secret },
    });
    worker = await startWorker(app.core);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await app?.close();
    await bbb?.close();
  });

  /** Plans a class in the tab's dialog (the fields given; the rest as the dialog proposes them). */
  async function plan(
    f: FrameLocator,
    o: { title: string; start: DateTime; end: DateTime; url?: string; grade?: string },
    before?: () => Promise<unknown>,
  ): Promise<void> {
    await f.getByTestId('live-plan').click();
    await f.getByTestId('live-plan-title').fill(o.title);
    await f.getByTestId('live-plan-date').fill(o.start.toFormat('yyyy-MM-dd'));
    await f.getByTestId('live-plan-start').fill(o.start.toFormat('HH:mm'));
    await f.getByTestId('live-plan-end').fill(o.end.toFormat('HH:mm'));
    if (o.url) {
      await f.getByTestId('live-plan-provider-link').check();
      await f.getByTestId('live-plan-url').fill(o.url);
    }
    if (o.grade) await f.getByTestId('live-plan-grade').selectOption({ label: o.grade });
    await before?.();
    await f.getByTestId('live-plan-save').click();
    await f.getByTestId('live-plan-dialog').waitFor({ state: 'detached' });
  }

  it('hosts edit and delete a planned class; a graded class ends, its scores reach the gradebook, a correction is posted again; the CSV and the recordings', async () => {
    const ada = await launchFromDevLms(browser, base, 'instructor', 'live', DESKTOP);
    const a = ada.frame;
    await a.getByTestId('live-empty').waitFor({ timeout: 20_000 });

    // A class for tomorrow, on a link.
    const tomorrow = DateTime.utc().plus({ days: 1 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    await plan(
      a,
      { title: 'Office hour, live', start: tomorrow, end: tomorrow.plus({ hours: 1 }), url: 'https://meet.example.org/oh' },
      () => shot(ada, 'plan-lms'),
    );
    const office = a.getByTestId('live-class-item').filter({ hasText: 'Office hour' });
    await office.waitFor({ timeout: 10_000 });

    // Edited from the list: the dialog holds the class; a bad link is refused under its field; then saved.
    const row = a.locator('li').filter({ has: office });
    await row.getByTestId('live-item-edit').click();
    await expect.poll(() => a.getByTestId('live-plan-title').inputValue(), { timeout: 10_000 }).toBe('Office hour, live');
    expect(await a.getByTestId('live-plan-url').inputValue()).toBe('https://meet.example.org/oh');
    expect(await a.getByTestId('live-plan-start').inputValue()).toBe('10:00');
    await a.getByTestId('live-plan-url').fill('javascript:alert(1)');
    await a.getByTestId('live-plan-save').click();
    await a.getByTestId('live-plan-url-error').waitFor({ timeout: 10_000 });
    expect(await a.getByTestId('live-plan-url').getAttribute('aria-invalid')).toBe('true');
    await shot(ada, 'edit-error-lms');
    await a.getByTestId('live-plan-url').fill('https://meet.example.org/oh2');
    await a.getByTestId('live-plan-title').fill('Office hour (moved)');
    await a.getByTestId('live-plan-end').fill('11:30');
    await a.getByTestId('live-plan-save').click();
    await a.getByTestId('live-plan-dialog').waitFor({ state: 'detached' });
    await expect.poll(() => office.textContent(), { timeout: 10_000 }).toContain('Office hour (moved)');
    expect(await office.textContent()).toMatch(/10:00.11:30/);
    await noSidewaysScroll(ada);
    await ada.page.setViewportSize(PHONE);
    await noSidewaysScroll(ada);
    await shot(ada, 'list-phone');
    await ada.page.setViewportSize(DESKTOP);

    // Its page: the host's tools (edit, delete, the live dashboard); deleted after a confirmation.
    await office.click();
    await a.getByTestId('live-delete').waitFor({ timeout: 20_000 });
    expect(await a.getByTestId('live-title').textContent()).toBe('Office hour (moved)');
    expect(await a.getByTestId('live-dashboard-link').getAttribute('href')).toMatch(/\/dashboard$/);
    await a.getByTestId('live-edit').waitFor();
    await noSidewaysScroll(ada);
    await shot(ada, 'scheduled-lms');
    await a.getByTestId('live-delete').click();
    await a.getByTestId('confirm-cancel').click();
    expect(await a.getByTestId('live-title').count()).toBe(1);
    await a.getByTestId('live-delete').click();
    await a.getByTestId('confirm-ok').click();
    await a.getByTestId('live-empty').waitFor({ timeout: 15_000 });

    // The graded class, on BigBlueButton (offered: a server is configured), from two minutes ago for 50 minutes.
    const lms = app.core.devLms!;
    const graded = lms.course().activities.find((x) => x.lineItemId)!;
    const start = DateTime.utc().minus({ minutes: 2 });
    await plan(a, { title: 'Week 5: graded, live', start, end: start.plus({ minutes: 50 }), grade: graded.title }, async () => {
      expect(await a.getByTestId('live-plan-provider-bbb').isChecked()).toBe(true);
      expect(await a.getByTestId('live-plan-url').count()).toBe(0);
      await shot(ada, 'plan-bbb-lms');
    });
    await a.getByTestId('live-class-item').filter({ hasText: 'Week 5' }).click();
    await a.getByTestId('live-start').click({ timeout: 20_000 });
    await a.getByTestId('live-end').waitFor({ timeout: 20_000 });
    const classId = /\/live\/([^/?#]+)/.exec(await a.locator('body').evaluate(() => location.pathname))![1]!;

    // Alan joins on his phone: his own BigBlueButton join link, as a viewer.
    const alan = await launchFromDevLms(browser, base, 'learner', 'live', PHONE, undefined, { hasTouch: true, isMobile: true });
    const s = alan.frame;
    await s.getByTestId('live-class-item').filter({ hasText: 'Week 5' }).click({ timeout: 20_000 });
    const [meeting] = await Promise.all([alan.context.waitForEvent('page'), s.getByTestId('live-join').click({ timeout: 20_000 })]);
    const alanLti = lms.course().members.find((m) => m.role === 'learner')!;
    const joins = () => bbb.calls.filter((c) => c.call === 'join' && c.valid);
    await expect.poll(() => joins().length, { timeout: 15_000 }).toBe(1);
    await meeting.close();
    await s.getByTestId('live-hand-raise').waitFor({ timeout: 15_000 });
    expect(joins()[0]!.params).toMatchObject({ role: 'VIEWER', fullName: expect.stringContaining('Alan') });
    // BigBlueButton will list a recording of the meeting once it ends.
    const recordedAt = Date.now();
    bbb.recordings.set(`cc-${classId}`, [
      {
        recordID: 'rec-1',
        url: 'https://bbb.example.org/playback/rec-1',
        startTime: recordedAt,
        endTime: recordedAt + 45 * 60_000,
        length: 45,
      },
    ]);

    // Ended: every student's score reaches the gradebook.
    await a.getByTestId('live-end').click();
    await a.getByTestId('confirm-ok').click();
    await expect.poll(() => a.getByTestId('live-state').textContent(), { timeout: 15_000 }).toContain('Ended');
    const passback = a.getByTestId('live-attendance-passback');
    await expect
      .poll(async () => [...new Set(await passback.evaluateAll((els) => els.map((e) => e.getAttribute('data-passback'))))], {
        timeout: 60_000,
      })
      .toEqual(['POSTED']);
    const students = await passback.count();
    expect(students).toBeGreaterThanOrEqual(1);
    const accepted = () => lms.received.scores.filter((x) => x.status < 300 && x.body?.userId === alanLti.id);
    expect(accepted().at(-1)!.body.scoreGiven).toBe(0);
    expect(await a.getByTestId('live-attendance').textContent()).toContain(graded.title);
    await a.getByTestId('live-attendance').scrollIntoViewIfNeeded();
    await noSidewaysScroll(ada);
    await shot(ada, 'posted-lms');

    // Alan's minutes corrected to the whole class while the gradebook refuses one post: QUEUED, then POSTED again.
    lms.failScores(1);
    const alanRow = a.getByTestId('live-attendance-row').filter({ hasText: 'Alan' });
    await alanRow.getByTestId('live-attendance-correct').fill('50');
    await alanRow.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => alanRow.getByTestId('live-attendance-passback').getAttribute('data-passback'), { timeout: 15_000 })
      .toBe('QUEUED');
    expect(await alanRow.getByTestId('live-attendance-minutes').textContent()).toMatch(/50 \/ 50\s*\(measured \d+\)/);
    await shot(ada, 'queued-lms');
    await expect
      .poll(() => alanRow.getByTestId('live-attendance-passback').getAttribute('data-passback'), { timeout: 60_000 })
      .toBe('POSTED');
    expect(accepted().at(-1)!.body.scoreGiven).toBe(100);
    expect(lms.received.scores.some((x) => x.status === 503 && x.body?.userId === alanLti.id)).toBe(true);
    expect(await passback.count()).toBe(students);

    // The CSV: a row per student, Alan's minutes as corrected.
    const [download] = await Promise.all([ada.page.waitForEvent('download'), a.getByTestId('live-attendance-csv').click()]);
    expect(download.suggestedFilename()).toBe('attendance-Week-5-graded-live.csv');
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split(/\r?\n/);
    expect(csv[0]).toContain('Name,LTI user id,Role,Minutes present,Measured minutes,Corrected minutes,Scheduled minutes');
    const alanCsv = csv.find((l) => l.includes(alanLti.id))!;
    expect(alanCsv).toMatch(/,50,\d+,50,50,/);
    expect(alanCsv).toContain(',100,posted,');
    expect(csv.filter((l) => /,participant,/i.test(l)).length).toBe(students);

    // The recording's link: a bad one refused under its field; then given, and Alan sees it arrive.
    await a.getByTestId('live-recording-url').fill('not a link');
    await a.getByTestId('live-recording-save').click();
    await a.getByTestId('live-recording-error').waitFor({ timeout: 10_000 });
    await a.getByTestId('live-recording-url').fill('https://video.example.org/week-5');
    await a.getByTestId('live-recording-save').click();
    await a.getByTestId('live-recording-link').waitFor({ timeout: 10_000 });
    expect(await a.getByTestId('live-recording-item').getAttribute('href')).toBe('https://bbb.example.org/playback/rec-1');
    await a.locator('#main').evaluate((m) => m.parentElement!.scrollTo(0, 0));
    await noSidewaysScroll(ada);
    await shot(ada, 'recording-lms');
    await expect
      .poll(() => s.getByTestId('live-recording-link').getAttribute('href'), { timeout: 15_000 })
      .toBe('https://video.example.org/week-5');
    expect(await s.getByTestId('live-recording-item').textContent()).toContain('45 min');
    // Read again once the class changed after its end: his minutes as corrected.
    await expect
      .poll(() => s.getByTestId('live-my-attendance').textContent(), { timeout: 15_000 })
      .toBe('You were present 50 of 50 minutes.');
    expect(await s.getByTestId('live-recording-url').count()).toBe(0);
    await noSidewaysScroll(alan);
    await shot(alan, 'recording-phone');

    // The host's report on a phone (its People tab).
    await ada.page.setViewportSize(PHONE);
    await a.getByTestId('live-tab-people').click();
    await a.getByTestId('live-attendance').waitFor();
    await noSidewaysScroll(ada);
    // One card per student, nothing scrolling sideways inside the report: every line (minutes, joins, score, gradebook
    // state, the correction field) labelled and within the card, the card within the report.
    const report = a.getByTestId('live-attendance');
    expect(
      await report.evaluate(
        (r) =>
          [r, ...r.querySelectorAll('*')].filter(
            (el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible',
          ).length,
      ),
    ).toBe(0);
    const box = (await report.boundingBox())!;
    const alanCard = a.getByTestId('live-attendance-row').filter({ hasText: 'Alan' });
    await alanCard.evaluate((el) => el.scrollIntoView({ block: 'center' })); // clear of the header and the action bar
    const card = (await alanCard.boundingBox())!;
    expect(card.x).toBeGreaterThanOrEqual(box.x);
    expect(card.x + card.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
    for (const label of ['Minutes', 'Joins', 'Score', 'Gradebook', 'Correction'])
      expect(await alanCard.getByText(label, { exact: true }).isVisible(), label).toBe(true);
    for (const part of [
      alanCard.getByTestId('live-attendance-minutes'),
      alanCard.getByTestId('live-attendance-score'),
      alanCard.getByTestId('live-attendance-passback'),
      alanCard.getByTestId('live-attendance-correct'),
      alanCard.getByRole('button', { name: 'Save' }),
    ]) {
      const b = (await part.boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(card.x);
      expect(b.x + b.width).toBeLessThanOrEqual(card.x + card.width + 0.5);
    }
    expect(await alanCard.getByTestId('live-attendance-score').textContent()).toContain('100');
    expect(await alanCard.getByTestId('live-attendance-passback').textContent()).toContain('In the gradebook');
    await shot(ada, 'attendance-phone');

    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
  }, 300_000);
});
