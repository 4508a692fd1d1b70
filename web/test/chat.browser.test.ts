/**
 * Course chat in a real browser: an instructor and a student, each in their own browser context, launched
 * from the development LMS into the same course. They chat live, see each other typing, presence and read
 * state; hostile Markdown and HTML render inert; a message written offline is sent once after reconnecting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';
import { courses } from '../../api/src/courses/tables.js';
import { messages } from '../../api/src/rooms/tables.js';
import { users } from '../../api/src/users/tables.js';
import { eq } from 'drizzle-orm';

type Person = LaunchedPerson;

describe('course chat between two people', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: Person;
  let alan: Person;

  async function launch(as: 'instructor' | 'learner'): Promise<Person> {
    const p = await launchFromDevLms(browser, base, as, 'chat');
    await p.frame.getByTestId('chat-panel').waitFor({ timeout: 20_000 });
    await p.frame.getByTestId('composer-input').waitFor({ timeout: 20_000 });
    return p;
  }

  const bodies = (p: Person) =>
    p.frame
      .getByTestId('message-body')
      .allTextContents()
      .then((all) => all.map((t) => t.trim()));
  const shot = (p: Person, name: string) => p.page.screenshot({ path: path.join(SHOTS, `chat-${name}.png`) });

  async function send(p: Person, text: string): Promise<void> {
    const input = p.frame.getByTestId('composer-input');
    await input.fill(text);
    await input.press('Enter');
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    // A high send limit: the long-history test writes 400 messages quickly through the service.
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', CHAT_RATE_LIMIT: '100000' } });
    browser = await launchBrowser();
    ada = await launch('instructor');
    alan = await launch('learner');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('they chat live in the course room and see each other typing', async () => {
    // The first launches announced themselves in the course room.
    await expect
      .poll(() => ada.frame.getByTestId('message-system').allTextContents(), { timeout: 15_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining('Alan Turing joined the course')]));
    // Ada types: Alan sees it.
    await ada.frame.getByTestId('composer-input').pressSequentially('Welcome to the course', { delay: 20 });
    await expect.poll(() => alan.frame.getByTestId('typing-line').textContent(), { timeout: 10_000 }).toContain('Ada Lovelace is typing');
    await shot(alan, 'typing');
    await ada.frame.getByTestId('composer-input').press('Enter');
    await expect.poll(() => bodies(alan), { timeout: 10_000 }).toContain('Welcome to the course');
    // Sending ends the typing line at once.
    await expect.poll(() => alan.frame.getByTestId('typing-line').textContent(), { timeout: 10_000 }).toBe('');
    await send(alan, 'Thanks! Is the **first quiz** on Friday?');
    await expect
      .poll(() => ada.frame.locator('[data-testid="message-body"] strong').allTextContents(), { timeout: 10_000 })
      .toContain('first quiz');
    await shot(ada, 'course-room');
    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
  });

  it('a mention picked from the suggestions notifies; the notification and a search result lead to the message', async () => {
    const input = alan.frame.getByTestId('composer-input');
    await input.fill('');
    await input.pressSequentially('Question for @Ad', { delay: 15 });
    await alan.frame.getByTestId('mention-suggestions').getByText('@Ada Lovelace').click();
    await input.pressSequentially('about recursion depth', { delay: 5 });
    await input.press('Enter');
    await expect
      .poll(
        () =>
          ada.frame
            .getByTestId('notification-count')
            .textContent()
            .catch(() => ''),
        { timeout: 15_000 },
      )
      .toBe('1');
    // The mention is highlighted for her.
    await expect
      .poll(() => ada.frame.locator('[data-testid="message-body"] .mention').allTextContents(), { timeout: 10_000 })
      .toContain('@Ada Lovelace');
    await ada.frame.getByTestId('notification-bell').click();
    await expect
      .poll(() => ada.frame.getByTestId('notification-item').first().textContent(), { timeout: 10_000 })
      .toContain('Alan Turing mentioned you');
    await shot(ada, 'notifications');
    await ada.frame.getByTestId('notification-item').first().click();
    await expect.poll(() => ada.frame.getByTestId('notification-count').count(), { timeout: 10_000 }).toBe(0);
    // Search finds it by a word prefix and opens the room at it.
    await ada.frame.getByTestId('search-open').click();
    await ada.frame.getByTestId('search-input').fill('recurs');
    await ada.frame.getByTestId('search-submit').click();
    await expect.poll(() => ada.frame.getByTestId('search-hit').first().textContent(), { timeout: 10_000 }).toContain('recursion');
    await expect(ada.frame.locator('[data-testid="search-hit"] mark').first().textContent()).resolves.toBe('recursion');
    await shot(ada, 'search');
    await ada.frame.getByTestId('search-hit').first().click();
    await expect
      .poll(
        () =>
          ada.frame
            .locator('.msg--highlight [data-testid="message-body"]')
            .textContent()
            .catch(() => ''),
        { timeout: 10_000 },
      )
      .toContain('recursion depth');
  });

  it('a direct message shows presence, an unread badge, and a read receipt once read', async () => {
    // Alan opens a direct conversation with Ada: she is online.
    await alan.frame.getByTestId('new-direct').click();
    await alan.frame.getByTestId('pick-person').filter({ hasText: 'Ada Lovelace' }).click();
    await expect.poll(() => alan.frame.getByTestId('room-name').textContent(), { timeout: 10_000 }).toContain('Ada Lovelace');
    await expect.poll(() => alan.frame.getByTestId('room-note').textContent(), { timeout: 10_000 }).toBe('Online');
    await send(alan, 'Can I ask about my project privately?');
    // Ada is in the course room: the direct room appears in her list with an unread badge.
    const dm = ada.frame.getByTestId('room-direct');
    await expect
      .poll(
        () =>
          dm
            .getByTestId('room-unread')
            .textContent()
            .catch(() => ''),
        { timeout: 15_000 },
      )
      .toBe('1');
    await expect.poll(() => dm.locator('[data-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('ONLINE');
    await shot(ada, 'unread-badge');
    // She opens it: the badge goes, and Alan sees his message read.
    await dm.click();
    await expect.poll(() => bodies(ada), { timeout: 10_000 }).toContain('Can I ask about my project privately?');
    await expect.poll(() => dm.getByTestId('room-unread').count(), { timeout: 10_000 }).toBe(0);
    await expect
      .poll(
        () =>
          alan.frame
            .getByTestId('read-receipt')
            .textContent()
            .catch(() => ''),
        { timeout: 15_000 },
      )
      .toBe('Seen');
    await shot(alan, 'read-receipt');
    // Ada hides her tab (another tab in front): she shows as away to Alan.
    await ada.page.evaluate(() => {
      const f = document.querySelector('iframe') as HTMLIFrameElement;
      const w = f.contentWindow as Window & typeof globalThis;
      Object.defineProperty(w.document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      w.document.dispatchEvent(new w.Event('visibilitychange'));
    });
    await expect.poll(() => alan.frame.getByTestId('room-note').textContent(), { timeout: 15_000 }).toBe('Away');
    // And back.
    await ada.page.evaluate(() => {
      const f = document.querySelector('iframe') as HTMLIFrameElement;
      const w = f.contentWindow as Window & typeof globalThis;
      Object.defineProperty(w.document, 'visibilityState', { configurable: true, get: () => 'visible' });
      w.document.dispatchEvent(new w.Event('visibilitychange'));
    });
    await expect.poll(() => alan.frame.getByTestId('room-note').textContent(), { timeout: 15_000 }).toBe('Online');
  });

  it('hostile Markdown and HTML render as inert text', async () => {
    await alan.frame.getByTestId('room-course').click();
    const hostile = [
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=2</script>',
      '[click me](javascript:window.__pwned=3)',
      '![tracker](http://127.0.0.1:9/pixel.png)',
      '<iframe src="javascript:window.top.__pwned=4"></iframe><svg onload="window.__pwned=5">',
    ].join('\n\n');
    await send(alan, hostile);
    const list = ada.frame.getByTestId('room-view');
    await ada.frame.getByTestId('room-course').click();
    await expect
      .poll(() => bodies(ada).then((b) => b.some((t) => t.includes('<script>window.__pwned=2</script>'))), { timeout: 10_000 })
      .toBe(true);
    const frame = ada.page.frames().find((f) => f.url().includes('/courses/'))!;
    const report = await frame.evaluate(() => {
      const bodies = [...document.querySelectorAll('[data-testid="message-body"]')];
      return {
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
        topPwned: (window.top as unknown as { __pwned?: number } | null)?.__pwned ?? null,
        scripts: bodies.flatMap((b) => [...b.querySelectorAll('script, iframe, svg, img')]).length,
        handlers: bodies
          .flatMap((b) => [...b.querySelectorAll('*')])
          .filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        badLinks: bodies
          .flatMap((b) => [...b.querySelectorAll('a')])
          .filter((a) => !/^(https?:|mailto:)/.test(a.getAttribute('href') ?? '')).length,
        imageLink: bodies
          .flatMap((b) => [...b.querySelectorAll('a')])
          .some((a) => a.getAttribute('href') === 'http://127.0.0.1:9/pixel.png'),
      };
    });
    expect(report).toEqual({ pwned: null, topPwned: null, scripts: 0, handlers: 0, badLinks: 0, imageLink: true });
    await list.screenshot({ path: path.join(SHOTS, 'chat-hostile.png') });
  });

  it('an instructor moderates: removes a message for everyone and mutes a student, who then cannot post', async () => {
    await ada.frame.getByTestId('room-course').click();
    await alan.frame.getByTestId('room-course').click();
    await send(alan, 'This message breaks the rules');
    const offending = ada.frame.getByTestId('message').filter({ hasText: 'This message breaks the rules' });
    await offending.waitFor({ timeout: 10_000 });
    await offending.hover();
    await offending.getByTestId('action-delete').click();
    // The app's own confirmation (never the browser's confirm()).
    await ada.frame.getByRole('alertdialog', { name: 'Delete this message by Alan Turing?' }).getByTestId('confirm-ok').click();
    await expect
      .poll(() => alan.frame.getByTestId('message-deleted').allTextContents(), { timeout: 10_000 })
      .toContain('Removed by a moderator');
    expect(await bodies(alan)).not.toContain('This message breaks the rules');
    // Mute from the room's details.
    await ada.frame.getByTestId('details-open').click();
    const alanRow = ada.frame.getByTestId('room-member').filter({ hasText: 'Alan Turing' });
    await alanRow.getByTestId('member-mute').click();
    await expect
      .poll(
        () =>
          alan.frame
            .getByTestId('composer-disabled')
            .textContent()
            .catch(() => ''),
        { timeout: 15_000 },
      )
      .toContain('muted');
    await shot(ada, 'moderation');
    await shot(alan, 'muted');
    await alanRow.getByTestId('member-unmute').click();
    await alan.frame.getByTestId('composer-input').waitFor({ timeout: 15_000 });
    await ada.frame.getByTestId('details-open').click();
  });

  it('a message written offline is kept, shown as waiting, and sent once after reconnecting', async () => {
    await alan.context.setOffline(true);
    await send(alan, 'Written on the train');
    await expect
      .poll(
        () =>
          alan.frame
            .getByTestId('message-pending')
            .textContent()
            .catch(() => ''),
        { timeout: 15_000 },
      )
      .toMatch(/Waiting for the connection/);
    await shot(alan, 'offline-queued');
    await alan.context.setOffline(false);
    await shot(alan, 'offline-back');
    await expect.poll(() => bodies(ada).then((b) => b.filter((t) => t === 'Written on the train').length), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => alan.frame.getByTestId('message-pending').count(), { timeout: 15_000 }).toBe(0);
    expect(await bodies(alan).then((b) => b.filter((t) => t === 'Written on the train').length)).toBe(1);
    // Once on the server too, however many times the client tried.
    const stored = await app.core.services.database.db
      .select({ id: messages.id })
      .from(messages)
      .where(eq(messages.body, 'Written on the train'));
    expect(stored).toHaveLength(1);
  });

  it('a long history stays light: only rows on screen are in the page, older pages load while scrolling up, and new messages do not move the reader', async () => {
    const { db } = app.core.services.database;
    const [adaRow] = await db.select().from(users).where(eq(users.name, 'Ada Lovelace'));
    const [alanRow] = await db.select().from(users).where(eq(users.name, 'Alan Turing'));
    const viewer = (u: typeof adaRow) => ({
      kind: 'session' as const,
      tenantId: u!.tenantId,
      userId: u!.id,
      courseId: null,
      roles: [],
      expiresAt: Date.now() + 3_600_000,
    });
    const [course] = await db.select().from(courses).where(eq(courses.title, 'Intro to Programming'));
    const room = await app.core.services.rooms.createGroupRoom(viewer(adaRow), course!.id, {
      name: 'Long thread',
      memberIds: [alanRow!.id],
    });
    for (let i = 1; i <= 400; i++)
      await app.core.services.rooms.send(viewer(adaRow), {
        roomId: room.id,
        clientId: `long-${i}-abcdef`,
        body: `Long thread message ${i}`,
      });
    // Alan was added: the room appears in his list live.
    await alan.frame.getByTestId('room-group').click({ timeout: 15_000 });
    const list = alan.frame.getByTestId('message-list');
    // All 400 are unread: the room opens at the "new messages" line, on the oldest page loaded.
    await expect.poll(() => list.getAttribute('data-loaded').then(Number), { timeout: 15_000 }).toBeGreaterThanOrEqual(50);
    const firstVisible = () =>
      list.evaluate((el) => {
        const top = el.getBoundingClientRect().top;
        const rows = [...el.querySelectorAll('[data-testid="message"]')] as HTMLElement[];
        return rows.find((r) => r.getBoundingClientRect().bottom > top + 1)?.dataset['messageId'] ?? null;
      });
    /** Where a message is on screen: its top relative to the list's top (null when not rendered). */
    const offsetOf = (id: string | null) =>
      list.evaluate((el, messageId) => {
        const row = el.querySelector(`[data-message-id="${messageId}"]`);
        return row ? Math.round(row.getBoundingClientRect().top - el.getBoundingClientRect().top) : null;
      }, id);
    for (let i = 0; i < 30 && Number(await list.getAttribute('data-loaded')) < 250; i++) {
      const loaded = await list.getAttribute('data-loaded');
      // At the very top, the reader sees the oldest message loaded; an older page goes in above it.
      const reading = await list.getAttribute('data-oldest');
      // Every frame from the scroll on: where that message is, and how many are loaded.
      await list.evaluate((el, id) => {
        const w = window as unknown as { samples: { offset: number | null; loaded: string | null }[]; sampling: boolean };
        w.samples = [];
        w.sampling = true;
        const sample = () => {
          const row = el.querySelector(`[data-message-id="${id}"]`);
          const offset = row ? Math.round(row.getBoundingClientRect().top - el.getBoundingClientRect().top) : null;
          w.samples.push({ offset, loaded: el.getAttribute('data-loaded') });
          if (w.sampling) requestAnimationFrame(sample);
        };
        el.scrollTop = 0;
        requestAnimationFrame(sample);
      }, reading);
      await expect.poll(() => list.getAttribute('data-loaded'), { timeout: 5000 }).not.toBe(loaded);
      const samples = await list.evaluate(() => {
        const w = window as unknown as { samples: { offset: number | null; loaded: string | null }[]; sampling: boolean };
        w.sampling = false;
        return w.samples;
      });
      // Until the older page arrived (the "loading" notice showing or not), the message did not move.
      const waiting = samples.filter((x) => x.loaded === loaded && x.offset !== null).map((x) => x.offset!);
      expect(waiting.length).toBeGreaterThan(0);
      expect(Math.max(...waiting) - Math.min(...waiting)).toBeLessThan(2);
      const at = waiting[0]!;
      // With the older page in, it is back where it was on screen (within a few pixels).
      await expect.poll(async () => Math.abs(((await offsetOf(reading)) ?? 1e6) - at), { timeout: 3000 }).toBeLessThan(4);
    }
    expect(Number(await list.getAttribute('data-loaded'))).toBeGreaterThanOrEqual(250);
    expect(await alan.frame.getByTestId('message').count()).toBeLessThan(60);
    // Somewhere in the middle of the history, reading.
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await alan.page.waitForTimeout(300);
    const before = await firstVisible();
    await app.core.services.rooms.send(viewer(adaRow), {
      roomId: room.id,
      clientId: 'long-new-abcdef',
      body: 'A new message while Alan reads',
    });
    await alan.frame.getByTestId('new-messages-button').waitFor({ timeout: 15_000 });
    expect(await firstVisible()).toBe(before);
    await shot(alan, 'long-history');
    await alan.frame.getByTestId('new-messages-button').click();
    await expect.poll(() => bodies(alan).then((b) => b.includes('A new message while Alan reads')), { timeout: 10_000 }).toBe(true);
  });

  it('a message of "Z" and thousands of combining marks (stored before the server capped them) does not draw over its neighbours', async () => {
    const { db } = app.core.services.database;
    const [adaRow] = await db.select().from(users).where(eq(users.name, 'Ada Lovelace'));
    const [alanRow] = await db.select().from(users).where(eq(users.name, 'Alan Turing'));
    const viewer = (u: typeof adaRow) => ({
      kind: 'session' as const,
      tenantId: u!.tenantId,
      userId: u!.id,
      courseId: null,
      roles: [],
      expiresAt: Date.now() + 3_600_000,
    });
    const [course] = await db.select().from(courses).where(eq(courses.title, 'Intro to Programming'));
    const room = await app.core.services.rooms.createGroupRoom(viewer(adaRow), course!.id, {
      name: 'Stacked marks',
      memberIds: [alanRow!.id],
    });
    const post = (body: string, i: number) =>
      app.core.services.rooms.send(viewer(adaRow), { roomId: room.id, clientId: `marks-${i}-abcdef`, body });
    await post('The line above', 1);
    const tall = await post('placeholder', 2);
    await post('The line below', 3);
    // The server now keeps a few marks per character: this is a message stored before it did.
    const marks = Array.from({ length: 7999 }, (_, i) => String.fromCharCode(0x300 + (i % 0x70))).join('');
    await db
      .update(messages)
      .set({ body: `Z${marks}` })
      .where(eq(messages.id, tall.id));
    await alan.frame.getByTestId('room-group').filter({ hasText: 'Stacked marks' }).click({ timeout: 15_000 });
    const message = (id: string) => alan.frame.locator(`[data-testid="message"][data-message-id="${id}"]`);
    const above = alan.frame.getByTestId('message').filter({ hasText: 'The line above' });
    const below = alan.frame.getByTestId('message').filter({ hasText: 'The line below' });
    await below.waitFor({ timeout: 15_000 });
    await message(tall.id).waitFor();
    await alan.page.mouse.move(0, 0);
    // Their boxes do not overlap...
    const [a, z, b] = await Promise.all([above.boundingBox(), message(tall.id).boundingBox(), below.boundingBox()]);
    expect(a!.y + a!.height).toBeLessThanOrEqual(z!.y + 0.5);
    expect(z!.y + z!.height).toBeLessThanOrEqual(b!.y + 0.5);
    // ...and no ink of the tall message lands on them: they look the same with it hidden.
    const bodyOf = (m: typeof above) => m.getByTestId('message-body');
    const withIt = [await bodyOf(above).screenshot(), await bodyOf(below).screenshot()];
    await message(tall.id).evaluate((el) => ((el as HTMLElement).style.visibility = 'hidden'));
    const without = [await bodyOf(above).screenshot(), await bodyOf(below).screenshot()];
    await message(tall.id).evaluate((el) => ((el as HTMLElement).style.visibility = ''));
    await shot(alan, 'stacked-marks');
    expect(withIt[0]!.equals(without[0]!), 'the message above is drawn over').toBe(true);
    expect(withIt[1]!.equals(without[1]!), 'the message below is drawn over').toBe(true);
  });
});
