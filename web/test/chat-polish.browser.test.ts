/**
 * What people expect of a chat from Slack or Discord (issue 14, items 5 and 9), in a real browser: an instructor
 * and a student launched from the development LMS. A full name typed by hand mentions (and a name two people bear
 * is flagged before sending); reactions come from an emoji picker whose emoji show even where the system has no
 * emoji font; code blocks copy; the Code toggle goes off after a code message; a reply's quote follows an edit of
 * the original; forms take the focus when they open; deleting asks with the app's own dialog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Browser, Locator, Page } from 'playwright-core';
import { poll, startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';
import { courses } from '../../api/src/courses/tables.js';
import { upsertUser } from '../../api/src/users/service.js';
import { users } from '../../api/src/users/tables.js';
import { notifications } from '../../api/src/notifications/tables.js';

type Person = LaunchedPerson;
const cspProblems: string[] = [];
const PHONE = { width: 390, height: 844 };

describe('chat polish', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: Person;
  let alan: Person;

  async function launch(as: 'instructor' | 'learner', viewport?: { width: number; height: number }, device = {}): Promise<Person> {
    // The app's Content-Security-Policy (style-src 'self') holds for the picker too: no violation may show.
    const watch = (page: Page) => {
      page.on('console', (m) => /Refused to|Content Security Policy/i.test(m.text()) && cspProblems.push(m.text()));
    };
    const p = await launchFromDevLms(browser, base, as, 'chat', viewport, watch, device);
    await p.frame.getByTestId('composer-input').waitFor({ timeout: 20_000 });
    return p;
  }
  const shot = (p: Person, name: string) => p.page.screenshot({ path: path.join(SHOTS, `chat-polish-${name}.png`) });
  /** The message whose own text (not a quote of it) has `text`. */
  const messageWith = (p: Person, text: string) =>
    p.frame
      .getByTestId('message')
      .filter({ has: p.frame.locator('[data-testid="message-body"], [data-testid="message-code"]').filter({ hasText: text }) });
  const bellCount = (p: Person) =>
    p.frame
      .getByTestId('notification-count')
      .textContent({ timeout: 1000 })
      .catch(() => '0');
  async function send(p: Person, text: string): Promise<void> {
    const input = p.frame.getByTestId('composer-input');
    await input.fill(text);
    await input.press('Enter');
  }
  /** The test id of the element that has the focus inside the tool's frame. */
  const focused = (p: Person) =>
    p.frame
      .locator(':focus')
      .getAttribute('data-testid', { timeout: 2000 })
      .catch(() => null);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', CHAT_RATE_LIMIT: '100000' } });
    browser = await launchBrowser();
    ada = await launch('instructor');
    alan = await launch('learner');
    // Both in the course room, each seeing the other's launch.
    const joined = () =>
      ada.frame
        .getByTestId('message-system')
        .allTextContents()
        .then((all) => all.some((t) => t.includes('Alan Turing joined')));
    await poll(joined, 15_000, () => 'Ada did not see Alan join');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('"@Alan Turing" typed by hand, not picked, notifies Alan', async () => {
    // Alan is on the Hub: the bell tells him.
    await alan.frame.getByTestId('section-tab-hub').click();
    await alan.frame.getByTestId('section-hub').waitFor({ timeout: 10_000 });
    const input = ada.frame.getByTestId('composer-input');
    await input.click();
    await input.pressSequentially('@Alan Turing could you share your notes?', { delay: 10 });
    await input.press('Enter');
    await expect.poll(() => bellCount(alan), { timeout: 15_000 }).toBe('1');
    await alan.frame.getByTestId('notification-bell').click();
    await expect
      .poll(() => alan.frame.getByTestId('notification-item').first().textContent(), { timeout: 10_000 })
      .toContain('Ada Lovelace mentioned you');
    await shot(alan, 'typed-mention');
    // It leads to the message, shown as a mention of him.
    await alan.frame.getByTestId('notification-item').first().click();
    await expect
      .poll(() => alan.frame.locator('[data-testid="message-body"] .mention').allTextContents(), { timeout: 10_000 })
      .toContain('@Alan Turing');
    await expect.poll(() => messageWith(alan, 'share your notes').getAttribute('class'), { timeout: 10_000 }).toContain('msg--mention');
    await alan.frame.getByTestId('composer-input').waitFor({ timeout: 10_000 });
    expect(ada.errors).toEqual([]);
    expect(alan.errors).toEqual([]);
  });

  it('a name two members bear is flagged before sending, and sending it anyway notifies neither', async () => {
    const { db } = app.core.services.database;
    const [course] = await db.select().from(courses).where(eq(courses.title, 'Intro to Programming'));
    const [alanRow] = await db
      .select()
      .from(users)
      .where(and(eq(users.name, 'Alan Turing'), eq(users.tenantId, course!.tenantId)));
    const alanId = alanRow!.id;
    const mentionsOf = async (userId: string) =>
      (
        await db
          .select({ id: notifications.id })
          .from(notifications)
          .where(and(eq(notifications.userId, userId), eq(notifications.type, 'mention')))
      ).length;
    const other = await upsertUser(db, {
      tenantId: course!.tenantId,
      subject: `alan-${randomBytes(4).toString('hex')}`,
      name: 'Alan Turing',
    });
    await app.core.services.courses.setMembership(course!.tenantId, course!.id, other.id, ['learner']);
    // A fresh view of the room knows both.
    const ada2 = await launch('instructor');
    try {
      const before = await mentionsOf(alanId);
      const input = ada2.frame.getByTestId('composer-input');
      await input.fill('@alan turing the lab is moved');
      await input.press('Enter');
      await expect
        .poll(() => ada2.frame.getByTestId('mention-warning').textContent(), { timeout: 5000 })
        .toContain('2 people are called Alan Turing — pick one');
      expect(await input.inputValue()).toBe('@alan turing the lab is moved');
      await shot(ada2, 'ambiguous-mention');
      // Typing @Ala offers both, each with their role.
      await input.fill('');
      await input.pressSequentially('@Ala', { delay: 10 });
      await expect.poll(() => ada2.frame.getByTestId('mention-suggestions').getByRole('option').count(), { timeout: 5000 }).toBe(2);
      await input.fill('@alan turing the lab is moved');
      await input.press('Enter');
      await input.press('Enter');
      await messageWith(alan, 'the lab is moved').waitFor({ timeout: 10_000 });
      expect(await messageWith(alan, 'the lab is moved').locator('.mention').count()).toBe(0);
      expect(await mentionsOf(alanId)).toBe(before);
    } finally {
      await ada2.context.close();
      await app.core.services.courses.removeMembership(course!.tenantId, course!.id, other.id);
    }
  });

  it('a reaction is picked from the emoji picker, and its emoji shows in colour (no emoji font on the system needed)', async () => {
    await send(ada, 'Quiz moved to Thursday');
    const message = messageWith(alan, 'Quiz moved to Thursday');
    await message.waitFor({ timeout: 10_000 });
    await message.hover();
    await message.getByTestId('react-open').click();
    const picker = alan.frame.getByTestId('emoji-picker');
    // Frequently used first, drawn in colour.
    await picker.getByRole('button', { name: 'thumbs up' }).waitFor({ timeout: 15_000 });
    expect(await colourful(picker.getByRole('button', { name: 'thumbs up' }))).toBe(true);
    await picker.getByRole('tab', { name: 'Animals and nature' }).click();
    await picker.getByRole('button', { name: 'cat face' }).waitFor({ timeout: 10_000 });
    await shot(alan, 'emoji-picker');
    // Search, then choose with the keyboard.
    await picker.getByTestId('emoji-search').focus();
    await alan.page.keyboard.type('party popper');
    const party = picker.getByRole('button', { name: 'party popper' });
    await party.waitFor({ timeout: 10_000 });
    await alan.page.keyboard.press('ArrowDown');
    await expect.poll(() => alan.frame.locator(':focus').getAttribute('aria-label'), { timeout: 5000 }).toBe('party popper');
    await alan.page.keyboard.press('Enter');
    await expect.poll(() => picker.count(), { timeout: 5000 }).toBe(0);
    const chip = (p: Person) => messageWith(p, 'Quiz moved to Thursday').getByTestId('reaction');
    await expect
      .poll(
        () =>
          chip(ada)
            .textContent()
            .then((t) => t?.replace(/\s+/g, ' ').trim()),
        { timeout: 10_000 },
      )
      .toBe('🎉 1');
    // Drawn in colour: a colour emoji glyph, not the outline box of a missing one.
    expect(await colourful(chip(ada))).toBe(true);
    await messageWith(ada, 'Quiz moved to Thursday').screenshot({ path: path.join(SHOTS, 'chat-polish-reaction.png') });
    // Escape closes the picker without reacting.
    await message.hover();
    await message.getByTestId('react-open').click();
    await picker.getByTestId('emoji-search').waitFor({ timeout: 10_000 });
    await expect.poll(() => focused(alan), { timeout: 5000 }).toBe('emoji-search');
    await alan.page.keyboard.press('Escape');
    await expect.poll(() => picker.count(), { timeout: 5000 }).toBe(0);
    expect(alan.errors).toEqual([]);
    expect(cspProblems).toEqual([]);
  });

  it('code blocks have a Copy button, and the Code toggle is off after sending a code message', async () => {
    await alan.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    // A fenced block in Markdown.
    await send(alan, 'Try this:\n\n```python\nfor i in range(3):\n    print(i)\n```');
    const md = messageWith(alan, 'Try this:');
    await md.waitFor({ timeout: 10_000 });
    await md.getByRole('button', { name: 'Copy' }).click();
    await expect
      .poll(() => alan.page.evaluate(() => navigator.clipboard.readText()), { timeout: 5000 })
      .toBe('for i in range(3):\n    print(i)\n');
    await expect.poll(() => md.locator('.code-copy').textContent(), { timeout: 5000 }).toBe('Copied');
    // A CODE message.
    const toggle = alan.frame.getByTestId('composer-code');
    await toggle.check();
    const input = alan.frame.getByTestId('composer-input');
    await input.fill('SELECT name\nFROM students;');
    await input.press('Control+Enter');
    const code = alan.frame
      .getByTestId('message')
      .filter({ has: alan.frame.getByTestId('message-code') })
      .filter({ hasText: 'FROM students' });
    await code.waitFor({ timeout: 10_000 });
    expect(await toggle.isChecked()).toBe(false);
    await code.getByTestId('code-copy').click();
    await expect
      .poll(() => alan.page.evaluate(() => navigator.clipboard.readText()), { timeout: 5000 })
      .toBe('SELECT name\nFROM students;');
    await shot(alan, 'code-copy');
    expect(alan.errors).toEqual([]);
  });

  it('a reply quotes the original as it is now: an edit of the original shows in the quote at once', async () => {
    await send(ada, 'The lab opens at 9');
    const original = messageWith(alan, 'The lab opens at 9');
    await original.waitFor({ timeout: 10_000 });
    await original.hover();
    await original.getByTestId('action-reply').click();
    await send(alan, 'Is that 9 in the morning?');
    const quote = (p: Person) => messageWith(p, 'Is that 9 in the morning?').getByTestId('message-reply-preview');
    await expect.poll(() => quote(ada).textContent(), { timeout: 10_000 }).toContain('The lab opens at 9');
    const mine = messageWith(ada, 'The lab opens at 9');
    await mine.hover();
    await mine.getByTestId('action-edit').click();
    const input = ada.frame.getByTestId('composer-input');
    await input.fill('The lab opens at 10');
    await input.press('Enter');
    for (const p of [alan, ada]) await expect.poll(() => quote(p).textContent(), { timeout: 10_000 }).toContain('The lab opens at 10');
  });

  it('forms take the focus when they open: new group room, message someone, search', async () => {
    await ada.frame.getByTestId('new-group').click();
    await expect.poll(() => focused(ada), { timeout: 5000 }).toBe('group-name');
    await ada.frame.getByTestId('group-name').press('Escape');
    await expect.poll(() => ada.frame.getByTestId('people-picker').count(), { timeout: 5000 }).toBe(0);
    await ada.frame.getByTestId('new-direct').click();
    await expect.poll(() => focused(ada), { timeout: 5000 }).toBe('people-filter');
    await ada.frame.getByTestId('people-filter').press('Escape');
    await ada.frame.getByTestId('search-open').click();
    await expect.poll(() => focused(ada), { timeout: 5000 }).toBe('search-input');
    await ada.frame.getByTestId('search-open').click();
  });

  it('deleting asks with the app’s own dialog: Escape keeps the message, Delete removes it', async () => {
    await send(alan, 'A message to take back');
    const message = messageWith(alan, 'A message to take back');
    await message.waitFor({ timeout: 10_000 });
    await message.hover();
    await message.getByTestId('action-delete').click();
    const dialog = alan.frame.getByRole('alertdialog', { name: 'Delete your message?' });
    await dialog.waitFor({ timeout: 5000 });
    // The safe choice has the focus.
    expect(await focused(alan)).toBe('confirm-cancel');
    await shot(alan, 'confirm-delete');
    await alan.page.keyboard.press('Escape');
    await expect.poll(() => dialog.count(), { timeout: 5000 }).toBe(0);
    expect(await message.getByTestId('message-body').textContent()).toContain('A message to take back');
    await message.hover();
    await message.getByTestId('action-delete').click();
    await dialog.getByTestId('confirm-ok').click();
    await expect.poll(() => messageWith(ada, 'A message to take back').count(), { timeout: 10_000 }).toBe(0);
    expect(alan.errors).toEqual([]);
  });

  it('on a phone: the rooms are one row above the room, and the picker fits the screen', async () => {
    const phone = await launch('learner', PHONE, { hasTouch: true, isMobile: true });
    try {
      const rooms = phone.frame.getByRole('navigation', { name: 'Rooms' });
      const box = (await rooms.boundingBox())!;
      expect(box.height).toBeLessThan(52);
      const tops = await Promise.all((await rooms.getByRole('button').all()).map(async (b) => Math.round((await b.boundingBox())!.y)));
      expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(4);
      const message = messageWith(phone, 'Quiz moved to Thursday');
      await message.getByTestId('message-body').tap();
      await message.getByTestId('react-open').tap();
      const picker = phone.frame.getByTestId('emoji-picker');
      await picker.getByRole('button', { name: 'thumbs up' }).waitFor({ timeout: 15_000 });
      const p = (await picker.boundingBox())!;
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x + p.width).toBeLessThanOrEqual(PHONE.width);
      await shot(phone, 'phone-picker');
      await phone.page.keyboard.press('Escape');
      await shot(phone, 'phone-chat');
      expect(phone.errors).toEqual([]);
      expect(cspProblems).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});

/** Whether the element's text draws in colour (a colour emoji glyph), checked on a canvas with its own font. */
function colourful(el: Locator): Promise<boolean> {
  return el.evaluate(async (node) => {
    const text = (node.textContent ?? '').trim().split(/\s+/)[0]!;
    const font = `32px ${getComputedStyle(node).fontFamily}`;
    await document.fonts.load(font, text);
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    const ctx = canvas.getContext('2d')!;
    ctx.font = font;
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#000';
    ctx.fillText(text, 4, 4);
    const px = ctx.getImageData(0, 0, 48, 48).data;
    let coloured = 0;
    for (let i = 0; i < px.length; i += 4)
      if (px[i + 3]! > 128 && Math.max(px[i]!, px[i + 1]!, px[i + 2]!) - Math.min(px[i]!, px[i + 1]!, px[i + 2]!) > 60) coloured++;
    return coloured > 20;
  });
}
