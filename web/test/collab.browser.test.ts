/**
 * A collab session's editor in real browsers (issue 18). Ada, the instructor, launched from the development LMS,
 * creates a shared Python session (through GraphQL). Alan, a student launched from the LMS in its frame (1280x800),
 * and Bea, another student on her phone (390x844, her own browser and session), open it and type into the one
 * editor at the same time: each sees the other's text and the other's named cursor arrive live, and both texts end
 * identical to the server's. Bea's network drops while she types: her page says Offline, and once back her edits
 * reach Alan and the server (nothing lost, nothing doubled). Ada opens the session and locks it: both students turn
 * read-only ("Locked by the instructor") and typing changes nothing. Screenshots in test-results/collab-*.png.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { gql, startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { upsertUser } from '../../api/src/users/service.js';
import { courses } from '../../api/src/courses/tables.js';
import { launchBrowser, launchFromDevLms, noSidewaysScroll, SHOTS } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const TITLE = 'Pair programming: greet';
const STARTING_CODE = 'def greet(name):\n    pass\n';

/** The text of the CodeMirror editor under `root`, without the remote cursors' name labels (widgets, not text). */
function editorText(root: Locator): Promise<string> {
  return root.locator('.cm-content').evaluate((content) => {
    const copy = content.cloneNode(true) as HTMLElement;
    for (const widget of copy.querySelectorAll('.cm-ySelectionCaret, .cm-widgetBuffer')) widget.remove();
    return [...copy.querySelectorAll('.cm-line')].map((line) => line.textContent ?? '').join('\n');
  });
}

describe('the collab editor', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;

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

  /** What the Content Security Policy refused on a page (remote carets must not use style attributes). */
  const csp: string[] = [];
  const watchCsp = (page: Page) => page.on('console', (m) => /Content Security Policy|Refused to/i.test(m.text()) && csp.push(m.text()));

  it('two students type in one editor, see each other live, survive a network drop, and turn read-only when locked', async () => {
    // Ada, in the LMS: her session token and the course, then the session, made through the API.
    const ada = await launchFromDevLms(browser, base, 'instructor', 'collab', DESKTOP, watchCsp);
    const adaToken = await ada.frame.locator('body').evaluate(() => sessionStorage.getItem('lt.session'));
    expect(adaToken).toBeTruthy();
    const [course] = await app.core.services.database.db.select().from(courses);
    const created = await gql(
      base,
      `mutation ($input: CreateCollabSessionInput!) { createCollabSession(input: $input) { id sharedDocumentId } }`,
      { input: { courseId: course!.id, title: TITLE, language: 'PYTHON', startingCode: STARTING_CODE, mode: 'SHARED' } },
      adaToken!,
    );
    expect(created.body.errors).toBeUndefined();
    const { id: sessionId, sharedDocumentId } = created.body.data.createCollabSession as { id: string; sharedDocumentId: string };
    const sessionPath = `/courses/${course!.id}/collab/${sessionId}`;
    const serverText = async () =>
      (await gql(base, `query ($id: ID!) { collabDocument(id: $id) { text } }`, { id: sharedDocumentId }, adaToken!)).body.data
        .collabDocument.text as string;

    // Alan, a student launched from the LMS (its frame, 1280x800): the session's page in the tool's frame.
    const alan = await launchFromDevLms(browser, base, 'learner', 'collab', DESKTOP, watchCsp);
    await openIn(alan.frame, sessionPath);
    const a = alan.frame;

    // Bea, another student, on her phone: her own browser and session.
    const beaUser = await upsertUser(app.core.services.database.db, {
      tenantId: course!.tenantId,
      subject: `bea-${randomBytes(4).toString('hex')}`,
      name: 'Bea Typist',
    });
    await app.core.services.courses.setMembership(course!.tenantId, course!.id, beaUser.id, ['learner']);
    const beaToken = await app.core.services.sessions.issue({
      tenantId: course!.tenantId,
      userId: beaUser.id,
      courseId: course!.id,
      roles: ['learner'],
    });
    const beaContext: BrowserContext = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
    await beaContext.addInitScript((t) => sessionStorage.setItem('lt.session', t), beaToken);
    const bea: Page = await beaContext.newPage();
    const beaErrors: string[] = [];
    bea.on('pageerror', (e) => beaErrors.push(e.message));
    watchCsp(bea);
    await bea.goto(`${base}${sessionPath}`);
    const b = bea.locator('body');

    // Both see the starting code, live.
    for (const root of [a.locator('body'), b]) {
      await expect.poll(() => root.getByTestId('collab-connection').textContent(), { timeout: 20_000 }).toContain('Live');
      await expect.poll(() => editorText(root), { timeout: 10_000 }).toBe(STARTING_CODE);
      expect(await root.getByTestId('collab-readonly').count()).toBe(0);
    }

    // They type at the same time: Alan at the end, Bea at the top.
    await a.locator('.cm-content').click();
    await alan.page.keyboard.press('Control+End');
    await b.locator('.cm-content').click();
    await bea.keyboard.press('Control+Home');
    await Promise.all([alan.page.keyboard.type('print(greet("Alan"))', { delay: 25 }), bea.keyboard.type('# by Bea\n', { delay: 25 })]);

    // Each sees the other's text, and the other's cursor with their name.
    await expect.poll(() => editorText(a.locator('body')), { timeout: 15_000 }).toContain('# by Bea');
    await expect.poll(() => editorText(b), { timeout: 15_000 }).toContain('print(greet("Alan"))');
    await expect
      .poll(() => a.locator('.cm-ySelectionCaret').filter({ hasText: 'Bea Typist' }).count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await expect.poll(() => b.locator('.cm-ySelectionCaret').filter({ hasText: 'Alan' }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // The people here: each sees both, themselves first.
    await expect.poll(() => b.getByTestId('collab-person').count(), { timeout: 15_000 }).toBe(2);
    expect(await b.getByTestId('collab-person').first().textContent()).toContain('(you)');
    await expect.poll(() => a.getByTestId('collab-person').count(), { timeout: 15_000 }).toBe(2);

    // Both end identical to the server's copy.
    const converged = async () => {
      const [ta, tb, ts] = await Promise.all([editorText(a.locator('body')), editorText(b), serverText()]);
      return ta === tb && tb === ts ? ts : `alan=${JSON.stringify(ta)} bea=${JSON.stringify(tb)} server=${JSON.stringify(ts)}`;
    };
    await expect.poll(converged, { timeout: 15_000 }).toMatch(/^# by Bea\ndef greet\(name\):\n {4}pass\nprint\(greet\("Alan"\)\)$/);

    await noSidewaysScroll(alan);
    await noSidewaysScrollOn(bea);
    await alan.page.screenshot({ path: path.join(SHOTS, 'collab-student-lms.png') });
    await bea.screenshot({ path: path.join(SHOTS, 'collab-student-phone.png') });

    // Bea's network drops while she types; Alan goes on typing. Back online, nothing is lost.
    await beaContext.setOffline(true);
    await expect.poll(() => b.getByTestId('collab-connection').textContent(), { timeout: 15_000 }).toContain('Offline');
    await b.locator('.cm-content').click();
    await bea.keyboard.press('Control+Home');
    await bea.keyboard.type('# offline\n', { delay: 20 });
    await a.locator('.cm-content').click();
    await alan.page.keyboard.press('Control+End');
    await alan.page.keyboard.type('\n# meanwhile', { delay: 20 });
    await bea.screenshot({ path: path.join(SHOTS, 'collab-offline-phone.png') });
    expect(await editorText(a.locator('body'))).not.toContain('# offline');
    await beaContext.setOffline(false);
    await expect.poll(() => b.getByTestId('collab-connection').textContent(), { timeout: 30_000 }).toContain('Live');
    await expect
      .poll(converged, { timeout: 30_000 })
      .toMatch(/^# offline\n# by Bea\ndef greet\(name\):\n {4}pass\nprint\(greet\("Alan"\)\)\n# meanwhile$/);

    // Ada opens the session (she manages it: the shared document) and locks it.
    await openIn(ada.frame, sessionPath);
    const d = ada.frame;
    await expect.poll(() => d.getByTestId('collab-connection').textContent(), { timeout: 20_000 }).toContain('Live');
    expect(await d.getByTestId('collab-fork').count()).toBe(1);
    // She sees who is here at once (the students say so when she arrives), herself first.
    await expect.poll(() => d.getByTestId('collab-person').count(), { timeout: 10_000 }).toBe(3);
    expect(await d.getByTestId('collab-person').first().textContent()).toContain('(you)');
    await d.getByTestId('collab-lock').click();
    await expect.poll(() => d.getByTestId('collab-lock').getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    for (const root of [a.locator('body'), b]) {
      await expect.poll(() => root.getByTestId('collab-readonly').textContent(), { timeout: 15_000 }).toContain('Locked by the instructor');
    }
    const before = await serverText();
    await b.locator('.cm-content').click();
    await bea.keyboard.type('nope', { delay: 10 });
    await a.locator('.cm-content').click();
    await alan.page.keyboard.type('nope', { delay: 10 });
    expect(await editorText(b)).toBe(before);
    expect(await editorText(a.locator('body'))).toBe(before);
    expect(await serverText()).toBe(before);
    // She names this version; it is listed with a restore for her.
    await d.getByTestId('collab-versions-toggle').click();
    await d.getByTestId('collab-version-name').fill('Before the lock');
    await d.getByTestId('collab-version-save').click();
    const version = d.getByTestId('collab-version-row').filter({ hasText: 'Before the lock' });
    await version.waitFor({ timeout: 10_000 });
    expect(await version.getByTestId('collab-version-restore').count()).toBe(1);
    await ada.page.screenshot({ path: path.join(SHOTS, 'collab-instructor-lms.png') });
    // On a phone her tools wrap under the people; nothing scrolls sideways.
    await ada.page.setViewportSize(PHONE);
    await expect.poll(() => d.getByTestId('collab-lock').isVisible()).toBe(true);
    await noSidewaysScroll(ada);
    await ada.page.screenshot({ path: path.join(SHOTS, 'collab-instructor-phone.png') });
    await bea.screenshot({ path: path.join(SHOTS, 'collab-locked-phone.png') });

    // Remote carets and selections are coloured without inline styles: the policy refused nothing.
    expect(csp).toEqual([]);
    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
    expect(beaErrors).toEqual([]);
    await beaContext.close();
  }, 180_000);
});

/** Opens a path of the tool inside the LMS frame (the tool's own page loads it: its session is in the frame's storage). */
async function openIn(frame: FrameLocator, to: string): Promise<void> {
  await frame.locator('body').evaluate((_, url) => window.location.assign(url), to);
  await frame.getByTestId('collab-editor').waitFor({ timeout: 30_000 });
}

/** noSidewaysScroll for a page opened directly (not in the LMS frame). */
async function noSidewaysScrollOn(page: Page): Promise<void> {
  const widths = await page
    .locator('#main')
    .evaluate((main) => [document.documentElement, main.parentElement!].map((el) => ({ scroll: el.scrollWidth, client: el.clientWidth })));
  for (const { scroll, client } of widths) expect(scroll, 'the page scrolls sideways').toBeLessThanOrEqual(client);
}
