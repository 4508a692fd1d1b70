/**
 * The instructor's live dashboard in a real browser (issue 17's browser test). Ada, the instructor, launched from
 * the development LMS (1280x800), starts a live class from its page and opens the live dashboard from the Hub. Alan,
 * a student launched from the LMS, joins the class, raises his hand and asks a question; Bea, another student (her
 * own browser, signed in with a session of her own), joins and upvotes it. Ada's open dashboard shows the hand, the
 * question with its vote and two students present, live: the page is never reloaded. Bea then moves to the AI tutor
 * and the Hub: the dashboard shows her active there. Then the same dashboard on a phone (390x844): one column,
 * nothing scrolling sideways. Screenshots in test-results/.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { gql, startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { upsertUser } from '../../api/src/users/service.js';
import { courses } from '../../api/src/courses/tables.js';
import { launchBrowser, launchFromDevLms, noSidewaysScroll, SHOTS, type LaunchedPerson } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const CREATE = `mutation($courseId: ID!, $input: LiveClassInput!) { createLiveClass(courseId: $courseId, input: $input) { id state } }`;
const QUESTION = 'Why is the loop invariant true before the first iteration?';

describe('the live dashboard', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: LaunchedPerson;
  let alan: LaunchedPerson;
  const csp: string[] = [];
  /** The class events Ada's page received over its WebSocket (liveClassEvents: what makes the dashboard instant). */
  const classEvents: string[] = [];

  const shot = (p: LaunchedPerson, name: string) => p.page.screenshot({ path: path.join(SHOTS, `live-dashboard-${name}.png`) });

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

  it('an instructor starts a class; a student raises a hand and asks, another upvotes: the dashboard shows it live', async () => {
    ada = await launchFromDevLms(browser, base, 'instructor', 'hub', DESKTOP, (page) => {
      page.on('console', (m) => /Content Security Policy/i.test(m.text()) && csp.push(m.text()));
      page.on('websocket', (ws) =>
        ws.on('framereceived', ({ payload }) => {
          const type = /"liveClassEvents":\{[^]*?"type":"([A-Z_]+)"/.exec(String(payload))?.[1];
          if (type) classEvents.push(type);
        }),
      );
    });
    await ada.frame.getByTestId('hub-dashboard').waitFor({ timeout: 20_000 });
    const { db } = app.core.services.database;
    const [course] = await db.select().from(courses);
    const courseId = course!.id;

    // A class planned now (through the API with Ada's session: planning is not what this test is about).
    const adaToken = await ada.frame.locator('body').evaluate(() => sessionStorage.getItem('lt.session'));
    const now = Date.now();
    const created = await gql(
      base,
      CREATE,
      {
        courseId,
        input: {
          title: 'Week 3: loop invariants',
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 50 * 60_000).toISOString(),
          provider: 'LINK',
          meetingUrl: `${base}/healthz`,
        },
      },
      adaToken!,
    );
    expect(created.body.errors).toBeUndefined();
    const classId: string = created.body.data.createLiveClass.id;

    // Ada starts it from its page, then opens the dashboard from the Hub.
    await ada.frame.getByTestId('section-tab-live').click();
    await ada.frame.getByTestId('live-class-item').first().click({ timeout: 20_000 });
    await ada.frame.getByTestId('live-start').click({ timeout: 20_000 });
    await ada.frame.getByTestId('live-end').waitFor({ timeout: 20_000 });
    await ada.frame.getByTestId('section-tab-hub').click();
    await ada.frame.getByTestId('hub-dashboard-open').click({ timeout: 20_000 });
    const dash = ada.frame.getByTestId('live-dashboard');
    await dash.waitFor({ timeout: 20_000 });
    await expect.poll(() => dash.getByTestId('dashboard-class').textContent(), { timeout: 15_000 }).toContain('Week 3: loop invariants');
    await expect.poll(() => dash.getByTestId('dashboard-status').textContent()).toContain('Live');
    expect(await dash.getByTestId('dashboard-present').textContent()).toBe('0');
    // Nothing below reloads Ada's page: this mark would be gone.
    await ada.frame.locator('body').evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));

    // Alan joins, raises his hand and asks.
    alan = await launchFromDevLms(browser, base, 'learner', 'live', DESKTOP);
    await alan.frame.getByTestId('live-class-item').first().click({ timeout: 20_000 });
    await alan.frame.getByTestId('live-join').click({ timeout: 20_000 });
    await alan.frame.getByTestId('live-hand-raise').click({ timeout: 20_000 });
    await alan.frame.getByTestId('live-question-input').fill(QUESTION);
    await alan.frame.getByTestId('live-question-ask').click();

    const hands = dash.getByTestId('dashboard-hands');
    await expect.poll(() => hands.getByTestId('dashboard-hand-item').count(), { timeout: 15_000 }).toBe(1);
    expect(await hands.textContent()).toContain('Alan');
    const item = dash.getByTestId('dashboard-question-item');
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(1);
    expect(await item.getByTestId('dashboard-question-body').textContent()).toBe(QUESTION);
    expect(await item.getByTestId('dashboard-question-votes').textContent()).toBe('0');
    await expect.poll(() => dash.getByTestId('dashboard-present').textContent(), { timeout: 15_000 }).toBe('1');

    // Bea, another student in her own browser, joins and upvotes it.
    const beaUser = await upsertUser(db, {
      tenantId: course!.tenantId,
      subject: `bea-${randomBytes(4).toString('hex')}`,
      name: 'Bea Upvote',
    });
    await app.core.services.courses.setMembership(course!.tenantId, courseId, beaUser.id, ['learner']);
    const beaToken = await app.core.services.sessions.issue({
      tenantId: course!.tenantId,
      userId: beaUser.id,
      courseId,
      roles: ['learner'],
    });
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.addInitScript((t) => sessionStorage.setItem('lt.session', t), beaToken);
    const page = await context.newPage();
    const beaErrors: string[] = [];
    page.on('pageerror', (e) => beaErrors.push(e.message));
    await page.goto(`${base}/courses/${courseId}/live/${classId}`);
    await page.getByTestId('live-join').click({ timeout: 20_000 });
    const theirs = page.getByTestId('live-question-item').filter({ hasText: QUESTION });
    await theirs.getByTestId('live-question-vote').click({ timeout: 20_000 });
    await expect.poll(() => theirs.getByTestId('live-question-votes').textContent(), { timeout: 15_000 }).toContain('1');

    // Ada's dashboard, never reloaded: the hand, the question with one vote, two students present.
    await expect.poll(() => item.getByTestId('dashboard-question-votes').textContent(), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => dash.getByTestId('dashboard-present').textContent(), { timeout: 15_000 }).toBe('2');
    expect(await hands.getByTestId('dashboard-hand-item').count()).toBe(1);
    expect(await ada.frame.locator('body').evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).toBe(true);
    // They came as class events (at once), not only with the dashboard's snapshots (every 2 s at most).
    expect(classEvents).toEqual(expect.arrayContaining(['PARTICIPANT_JOINED', 'HAND_RAISED', 'QUESTION_POSTED', 'QUESTION_UPDATED']));
    // The charts drew, each with its text alternative.
    // Both students are active, on the live-class page.
    await expect.poll(() => dash.getByTestId('dashboard-active').textContent(), { timeout: 15_000 }).toBe('2');
    await expect.poll(() => dash.getByTestId('dashboard-sections-chart').locator('figcaption').textContent()).toBe('Live class: 2.');
    for (const chart of ['dashboard-messages-chart', 'dashboard-confusion-chart', 'dashboard-sections-chart']) {
      const fig = dash.getByTestId(chart);
      expect(await fig.locator('canvas').getAttribute('aria-label')).toMatch(/\S: \S/);
      expect((await fig.locator('figcaption').textContent())?.trim()).not.toBe('');
    }

    await noSidewaysScroll(ada);
    await shot(ada, 'desktop');
    await dash.getByTestId('dashboard-wait').scrollIntoViewIfNeeded();
    await shot(ada, 'desktop-lower');
    await shot(alan, 'student');
    await page.screenshot({ path: path.join(SHOTS, 'live-dashboard-second-student.png') });

    // Bea moves to the AI tutor, then to the Hub: still active, and the dashboard says where (the course page's one
    // presence subscription reports the section it shows as she moves).
    await page.getByTestId('section-tab-tutor').click();
    await expect
      .poll(() => dash.getByTestId('dashboard-sections-chart').locator('figcaption').textContent(), { timeout: 15_000 })
      .toBe('Live class: 1, AI tutor: 1.');
    expect(await dash.getByTestId('dashboard-active').textContent()).toBe('2');
    await page.getByTestId('section-tab-hub').click();
    await expect
      .poll(() => dash.getByTestId('dashboard-sections-chart').locator('figcaption').textContent(), { timeout: 15_000 })
      .toBe('Hub: 1, Live class: 1.');
    expect(await dash.getByTestId('dashboard-active').textContent()).toBe('2');
    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
    expect(beaErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('on a phone: one column, nothing scrolls sideways, and it stays live', async () => {
    await ada.page.setViewportSize(PHONE);
    const dash = ada.frame.getByTestId('live-dashboard');
    await dash.getByTestId('dashboard-present').scrollIntoViewIfNeeded();
    await noSidewaysScroll(ada);
    // One column: every card starts at the same left edge.
    const lefts = await dash.locator('.ldash__card').evaluateAll((cards) => cards.map((c) => Math.round(c.getBoundingClientRect().left)));
    expect(new Set(lefts).size).toBe(1);
    await shot(ada, 'phone');

    // Alan asks again: it arrives on the phone's dashboard too, after the question with a vote.
    await alan.frame.getByTestId('live-question-input').fill('Can the invariant be weaker?');
    await alan.frame.getByTestId('live-question-ask').click();
    const items = dash.getByTestId('dashboard-question-item');
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(2);
    expect(await items.nth(0).getByTestId('dashboard-question-body').textContent()).toBe(QUESTION);
    expect(await items.nth(1).getByTestId('dashboard-question-body').textContent()).toBe('Can the invariant be weaker?');
    await noSidewaysScroll(ada);
    await ada.page.screenshot({ path: path.join(SHOTS, 'live-dashboard-phone-full.png'), fullPage: true });
    expect(ada.errors).toEqual([]);
    expect(csp).toEqual([]);
  });
});
