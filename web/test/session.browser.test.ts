/**
 * Sessions renew themselves while the tool is open (issue 14, item 1), in a real browser with the shortest session
 * the configuration allows (SESSION_TTL_SECONDS=60). A student stays in the course room through several renewals
 * while the instructor's messages keep arriving live on the same WebSocket (never reconnected), and a message sent
 * at the end arrives; a half-typed message survives a reload and relaunch; a student removed from the course sees
 * why the session ended, and the draft is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser, Frame } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { courses } from '../../api/src/courses/tables.js';
import { users } from '../../api/src/users/tables.js';
import { LTI_FRAME, SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';

/** A person with what their page did on the network: renewals answered, WebSockets opened, renewals taken on one. */
type Person = LaunchedPerson & { renewals: number; sockets: number; renewedOnSocket: number };

describe('a session that renews itself', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: Person;
  let alan: Person;

  /**
   * Launches someone from the development LMS, counting from the first request on: the refreshSession answers that
   * carried a token, the WebSockets opened, and the renewals a WebSocket took.
   */
  async function launch(as: 'instructor' | 'learner'): Promise<Person> {
    const counts = { renewals: 0, sockets: 0, renewedOnSocket: 0 };
    const person = await launchFromDevLms(browser, base, as, 'chat', undefined, (page) => {
      page.on('response', (r) => {
        if (!r.url().endsWith('/graphql') || !(r.request().postData() ?? '').includes('RefreshSession')) return;
        void r
          .json()
          .then((b: { data?: { refreshSession?: { token?: string } | null } }) => {
            if (b.data?.refreshSession?.token) counts.renewals += 1;
          })
          .catch(() => undefined);
      });
      page.on('websocket', (ws) => {
        counts.sockets += 1;
        ws.on('framereceived', (f) => {
          if (typeof f.payload === 'string' && f.payload.includes('"renewed":true')) counts.renewedOnSocket += 1;
        });
      });
    });
    await person.frame.getByTestId('composer-input').waitFor({ timeout: 30_000 });
    // The listeners keep counting into `counts`: the person is that object, with the launch added.
    return Object.assign(counts, person);
  }

  const bodies = (p: Person) =>
    p.frame
      .getByTestId('message-body')
      .allTextContents()
      .then((all) => all.map((t) => t.trim()));
  const shot = (p: Person, name: string) => p.page.screenshot({ path: path.join(SHOTS, `session-${name}.png`) });
  const toolFrame = async (p: Person): Promise<Frame> => (await (await p.page.locator(LTI_FRAME).elementHandle())!.contentFrame())!;
  async function send(p: Person, text: string): Promise<void> {
    const input = p.frame.getByTestId('composer-input');
    await input.fill(text);
    await input.press('Enter');
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', SESSION_TTL_SECONDS: '60' } });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('stays signed in through several renewals; messages keep arriving live on the one WebSocket', async () => {
    ada = await launch('instructor');
    alan = await launch('learner');
    const started = Date.now();
    const firstExpiry = started + 60_000;
    let n = 0;
    // Until Alan's session has been renewed at least five times and for more than three minutes on 60 s tokens (the
    // issue's bar), Ada writes after each of his renewals and he sees it live.
    for (let target = 1; target <= 5 || Date.now() - started <= 180_000; target++) {
      await expect.poll(() => alan.renewals, { timeout: 90_000 }).toBeGreaterThanOrEqual(target);
      const text = `Live after renewal ${target} (${++n})`;
      await send(ada, text);
      await expect.poll(() => bodies(alan), { timeout: 15_000 }).toContain(text);
    }
    expect(Date.now()).toBeGreaterThan(firstExpiry);
    await expect.poll(() => alan.renewedOnSocket, { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    // The WebSocket took every renewal: never closed, never reopened, no reconnecting.
    expect(alan.sockets).toBe(1);
    expect(await alan.frame.getByTestId('connection-status').getAttribute('data-state')).toBe('connected');
    expect(await alan.frame.getByTestId('signed-out-panel').count()).toBe(0);
    // A message sent at the end arrives, both ways.
    await send(alan, 'Still here at the end of the lecture');
    await expect.poll(() => bodies(ada), { timeout: 15_000 }).toContain('Still here at the end of the lecture');
    await send(ada, 'See you next week');
    await expect.poll(() => bodies(alan), { timeout: 15_000 }).toContain('See you next week');
    // Ada's session renews on its own schedule (a little apart from Alan's): hers too, on her one socket.
    await expect.poll(() => ada.renewals, { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
    expect(ada.sockets).toBe(1);
    await send(ada, 'After my own renewals');
    await expect.poll(() => bodies(alan), { timeout: 15_000 }).toContain('After my own renewals');
    await shot(alan, 'after-renewals');
    expect(alan.errors).toEqual([]);
    expect(ada.errors).toEqual([]);
  }, 400_000);

  it('a half-typed message survives a reload and relaunch, and is gone once sent', async () => {
    const input = () => alan.frame.getByTestId('composer-input');
    await input().pressSequentially('A question I did not finish', { delay: 10 });
    await alan.page.reload();
    await alan.frame.getByTestId('section-tab-chat').click({ timeout: 40_000 });
    await expect.poll(() => input().inputValue(), { timeout: 20_000 }).toBe('A question I did not finish');
    await shot(alan, 'draft-restored');
    await input().press('Enter');
    await expect.poll(() => bodies(ada), { timeout: 15_000 }).toContain('A question I did not finish');
    await alan.page.reload();
    await alan.frame.getByTestId('section-tab-chat').click({ timeout: 40_000 });
    await alan.frame.getByTestId('composer-input').waitFor({ timeout: 20_000 });
    expect(await input().inputValue()).toBe('');
  }, 120_000);

  it('a student removed from the course is told why, and the draft is kept', async () => {
    await alan.frame.getByTestId('composer-input').pressSequentially('Unsent words', { delay: 10 });
    const { db } = app.core.services.database;
    const [alanRow] = await db.select().from(users).where(eq(users.name, 'Alan Turing'));
    const [course] = await db.select().from(courses).where(eq(courses.title, 'Intro to Programming'));
    await app.core.services.courses.removeMembership(course!.tenantId, course!.id, alanRow!.id);
    // His next renewal is refused: the panel gives the server's reason, not a generic expiry.
    await expect
      .poll(
        () =>
          alan.frame
            .getByTestId('signed-out-message')
            .textContent()
            .catch(() => ''),
        { timeout: 90_000 },
      )
      .toContain('You are no longer a member of this course');
    expect(await alan.frame.getByTestId('signed-out-panel').getAttribute('data-reason')).toBe('expired');
    await shot(alan, 'removed');
    const kept = await (
      await toolFrame(alan)
    ).evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('lt.draft.'))
        .map((k) => localStorage.getItem(k) ?? ''),
    );
    expect(kept.some((v) => v.includes('Unsent words'))).toBe(true);
  }, 150_000);
});
