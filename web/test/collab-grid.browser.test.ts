/**
 * The Collab tab, the class grid and the replay in a real browser (issue 18). Ada, the instructor, launched from the
 * development LMS in its frame (1280x800), creates an exercise (every student on their own copy) with starting code
 * through the tab's dialog and lands on its class grid: every learner's tile says "not started". Alan, a student
 * launched from the LMS on his phone (390x844), sees the session arrive in his list, opens it and types; Ada's tile of
 * Alan shows his text live and says he is typing, while Bea's (another student) stays "not started". Ada opens the
 * replay of Alan's copy: the slider at its end shows his final text, at its start the starting code.
 * Screenshots in test-results/collab-grid-*.png.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { upsertUser } from '../../api/src/users/service.js';
import { courses } from '../../api/src/courses/tables.js';
import { resourceLinks } from '../../api/src/lti/tables.js';
import { launchBrowser, launchFromDevLms, noSidewaysScroll, SHOTS, type LaunchedPerson } from './browser.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const TITLE = 'Exercise 3: doubling';
const STARTING_CODE = 'def double(x):\n    # your code here\n    return 0\n';
const TYPED = 'answer = double(21)';

/** The text a CodeMirror view shows (its lines, joined by newlines). */
const editorText = (host: Locator) =>
  host
    .locator('.cm-content')
    .first()
    .evaluate((el) => Array.from(el.querySelectorAll('.cm-line'), (line) => line.textContent ?? '').join('\n'));

describe('the Collab tab, the class grid and the replay', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: LaunchedPerson;
  let alan: LaunchedPerson;

  const shot = (who: { page: Page }, name: string) => who.page.screenshot({ path: path.join(SHOTS, `collab-grid-${name}.png`) });

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

  it('an instructor hands out an exercise, watches a student type in the class grid, and replays his copy', async () => {
    ada = await launchFromDevLms(browser, base, 'instructor', 'collab', DESKTOP);
    const a = ada.frame;
    await a.getByTestId('collab-panel').waitFor({ timeout: 20_000 });
    await a.getByTestId('collab-empty').waitFor({ timeout: 20_000 });

    // Alan, on his phone, launched into the Collab tab (his launch enrols him); Bea, another learner of the course.
    alan = await launchFromDevLms(browser, base, 'learner', 'collab', PHONE, undefined, { hasTouch: true, isMobile: true });
    const s = alan.frame;
    await s.getByTestId('collab-empty').waitFor({ timeout: 20_000 });
    const { db } = app.core.services.database;
    const [course] = await db.select().from(courses);
    const bea = await upsertUser(db, { tenantId: course!.tenantId, subject: `bea-${randomBytes(4).toString('hex')}`, name: 'Bea Student' });
    await app.core.services.courses.setMembership(course!.tenantId, course!.id, bea.id, ['learner']);

    // The exercise, made in the dialog: Python, starting code, a copy per student.
    await a.getByTestId('collab-new').click();
    const dialog = a.getByTestId('collab-session-dialog');
    await dialog.waitFor();
    await a.getByTestId('collab-title-input').fill(TITLE);
    await a.getByTestId('collab-language-select').selectOption('PYTHON');
    await a.getByTestId('collab-starting-code').fill(STARTING_CODE);
    await a.getByTestId('collab-mode-select').selectOption('PER_STUDENT');
    await shot(ada, 'dialog-lms');
    await a.getByTestId('collab-create-submit').click();
    await dialog.waitFor({ state: 'detached' });

    // A new exercise opens on its class grid: every learner's tile, none started.
    const grid = a.getByTestId('collab-grid');
    await grid.waitFor({ timeout: 20_000 });
    const tiles = grid.getByTestId('collab-grid-tile');
    const alanTile = tiles.filter({ hasText: 'Alan Turing' });
    const beaTile = grid.locator(`[data-testid="collab-grid-tile"][data-user-id="${bea.id}"]`);
    await alanTile.waitFor({ timeout: 20_000 });
    await beaTile.waitFor();
    const states = await tiles.evaluateAll((els) => els.map((el) => el.getAttribute('data-state')));
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(new Set(states)).toEqual(new Set(['not-started']));
    expect(await grid.getByTestId('collab-grid-tile').filter({ hasText: 'Ada Lovelace' }).count()).toBe(0);
    await noSidewaysScroll(ada);
    await shot(ada, 'grid-lms');

    // Alan's list shows the exercise live; he opens it on his phone and types under the starting code.
    const row = s.getByTestId('collab-session-row').filter({ hasText: TITLE });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('Exercise');
    expect(await row.textContent()).toContain('Python');
    await noSidewaysScroll(alan);
    await shot(alan, 'list-phone');
    await row.getByTestId('collab-session-open').click();
    const editor = s.getByTestId('collab-editor');
    await editor.waitFor({ timeout: 20_000 });
    await expect.poll(() => editorText(editor), { timeout: 20_000 }).toBe(STARTING_CODE);
    // Ada's tile of Alan turns live when his copy is made (he opened the exercise): his starting code shows.
    await expect.poll(() => alanTile.getByTestId('collab-grid-code').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => editorText(alanTile), { timeout: 20_000 }).toContain('def double(x):');

    await editor.locator('.cm-content').click();
    await alan.page.keyboard.press('Control+End');
    await alan.page.keyboard.type(TYPED, { delay: 40 });
    const finalText = `${STARTING_CODE}${TYPED}`;
    await expect.poll(() => editorText(editor), { timeout: 10_000 }).toBe(finalText);
    await noSidewaysScroll(alan);
    await shot(alan, 'typing-phone');

    // Ada sees it live: Alan typing, his text in his tile; Bea still has not started.
    await expect.poll(() => editorText(alanTile), { timeout: 20_000 }).toBe(finalText);
    await expect.poll(() => alanTile.getAttribute('data-state'), { timeout: 5_000 }).toBe('typing');
    expect(await beaTile.getAttribute('data-state')).toBe('not-started');
    await shot(ada, 'grid-typing-lms');
    // Quiet for a while: idle.
    await expect.poll(() => alanTile.getAttribute('data-state'), { timeout: 15_000 }).toBe('idle');

    // The replay of Alan's copy: at the end his final text, at the start the starting code.
    await alanTile.getByTestId('collab-grid-replay').click();
    const replay = a.getByTestId('collab-replay');
    await replay.waitFor({ timeout: 20_000 });
    const slider = a.getByTestId('collab-replay-slider');
    const text = a.getByTestId('collab-replay-text');
    await expect.poll(() => editorText(text), { timeout: 20_000 }).toBe(finalText);
    const max = Number(await slider.getAttribute('max'));
    expect(max).toBeGreaterThanOrEqual(1);
    expect(await slider.inputValue()).toBe(String(max));
    expect(await a.getByTestId('collab-replay-step').textContent()).toContain('Alan Turing');
    await shot(ada, 'replay-end-lms');
    const slideTo = (value: number) =>
      slider.evaluate((el, v) => {
        const input = el as HTMLInputElement;
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, value);
    await slideTo(0);
    await expect.poll(() => editorText(text), { timeout: 10_000 }).toBe(STARTING_CODE);
    expect(await a.getByTestId('collab-replay-step').textContent()).toContain('Starting code');
    await shot(ada, 'replay-start-lms');
    // Played from the start, it ends on the final text.
    await a.getByTestId('collab-replay-play').click();
    await expect.poll(() => editorText(text), { timeout: 30_000 }).toBe(finalText);
    await expect.poll(() => a.getByTestId('collab-replay-play').textContent(), { timeout: 10_000 }).toContain('Play');
    await noSidewaysScroll(ada);

    // The same pages on a phone: nothing wider than the screen.
    await ada.page.setViewportSize(PHONE);
    await noSidewaysScroll(ada);
    await shot(ada, 'replay-phone');
    await a.getByTestId('collab-replay-back').click();
    await alanTile.waitFor({ timeout: 20_000 });
    await expect.poll(() => editorText(alanTile), { timeout: 20_000 }).toBe(finalText);
    await noSidewaysScroll(ada);
    await shot(ada, 'grid-phone');

    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
  }, 180_000);

  it('a launch from an LMS activity opens its session; before there is one, staff are offered to create it and students told to wait', async () => {
    // The development LMS's activity (where it was placed does not matter here: the tab is given its id, as a collab
    // launch's redirect gives it).
    const { db } = app.core.services.database;
    const [link] = await db.select().from(resourceLinks);
    const [course] = await db.select().from(courses);
    const launchUrl = `/courses/${course!.id}/collab?activity=${link!.id}`;
    const go = (who: LaunchedPerson) => who.frame.locator('body').evaluate((_el, url) => location.assign(url), launchUrl);

    await go(alan);
    await alan.frame.getByTestId('collab-not-set-up').waitFor({ timeout: 20_000 });
    expect(await alan.frame.getByTestId('collab-session-row').count()).toBeGreaterThanOrEqual(1);
    await shot(alan, 'not-set-up-phone');

    await ada.page.setViewportSize(DESKTOP);
    await go(ada);
    const dialog = ada.frame.getByTestId('collab-session-dialog');
    await dialog.waitFor({ timeout: 20_000 });
    // The launch's activity chosen, an exercise suggested.
    await expect.poll(() => ada.frame.getByTestId('collab-activity-select').inputValue(), { timeout: 10_000 }).toBe(link!.id);
    expect(await ada.frame.getByTestId('collab-mode-select').inputValue()).toBe('PER_STUDENT');
    await ada.frame.getByTestId('collab-title-input').fill('Handed out from the LMS');
    await ada.frame.getByTestId('collab-create-submit').click();
    await ada.frame.getByTestId('collab-grid').waitFor({ timeout: 20_000 });

    // Launched again, Alan lands in the session: his own copy opens.
    await go(alan);
    await alan.frame.getByTestId('collab-editor').waitFor({ timeout: 20_000 });
    expect(await alan.frame.locator('body').evaluate(() => location.pathname)).toMatch(/\/collab\/[0-9a-f-]{36}$/);
    expect(alan.errors).toEqual([]);
  }, 120_000);
});
