/**
 * A guest of the course in a real browser: the development LMS launches a visiting guest (an empty roles claim)
 * beside the instructor, on a desktop inside the LMS frame and on a phone. The guest is labelled "Guest", reads
 * the course room (history and what arrives while they look) and is offered nothing the API would refuse: no
 * composer, no reactions or replies, no tutor, no direct messages, no other room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser, Frame } from 'playwright-core';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';

type Person = LaunchedPerson;

const SCREENS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

describe('a guest launched from the development LMS', () => {
  let app: TestApp;
  let browser: Browser;
  let base: string;
  let ada: Person;

  const bodies = (p: Person) =>
    p.frame
      .getByTestId('message-body')
      .allTextContents()
      .then((all) => all.map((t) => t.trim()));
  /** The tool's own document inside the LMS frame. */
  const toolFrame = (p: Person): Frame => p.page.frames().find((f) => f.url().includes('/courses/'))!;

  async function send(p: Person, text: string): Promise<void> {
    const input = p.frame.getByTestId('composer-input');
    await input.fill(text);
    await input.press('Enter');
    await p.frame.getByTestId('message-body').filter({ hasText: text }).waitFor({ timeout: 10_000 });
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true' } });
    browser = await launchBrowser();
    ada = await launchFromDevLms(browser, base, 'instructor', 'chat', { width: 1280, height: 800 });
    await ada.frame.getByTestId('composer-input').waitFor({ timeout: 20_000 });
    // History the guest will find when they arrive.
    await send(ada, 'Welcome, everyone: the syllabus is pinned in the LMS.');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it.each(SCREENS)('on a $name screen, reads the course room live and is offered no way to take part', async ({ name, viewport }) => {
    const guest = await launchFromDevLms(browser, base, 'guest', 'hub', viewport);
    const { frame, page } = guest;
    const shot = (what: string) => page.screenshot({ path: path.join(SHOTS, `guest-${name}-${what}.png`) });

    // The hub: labelled a guest, told why and what they can do, offered no tutor.
    await expect.poll(() => frame.getByTestId('course-role').textContent(), { timeout: 20_000 }).toBe('Guest');
    await expect.poll(() => frame.getByTestId('guest-notice').textContent(), { timeout: 10_000 }).toMatch(/guest.*read the course chat/s);
    expect(await frame.getByTestId('section-tab-chat').isVisible()).toBe(true);
    expect(await frame.getByTestId('section-tab-tutor').count()).toBe(0);
    expect(await frame.getByRole('link', { name: /tutor/i }).count()).toBe(0);
    // The app's header: the guest's name and bell share a row (on a phone too).
    const [bell, who] = await Promise.all([
      frame.getByTestId('notification-bell').boundingBox(),
      frame.getByTestId('user-name').boundingBox(),
    ]);
    expect(Math.abs(bell!.y + bell!.height / 2 - (who!.y + who!.height / 2)), 'the bell sits on a row of its own').toBeLessThan(
      bell!.height / 2,
    );
    await noSidewaysScroll(guest);
    await shot('hub');

    // The chat: the course room only, its history, nothing to start another room with.
    await frame.getByTestId('section-tab-chat').click();
    await frame.getByTestId('chat-panel').waitFor({ timeout: 20_000 });
    await expect.poll(() => bodies(guest), { timeout: 15_000 }).toContain('Welcome, everyone: the syllabus is pinned in the LMS.');
    const roomList = frame.getByRole('navigation', { name: 'Rooms' });
    expect(await roomList.locator('[data-room-id]').count()).toBe(1);
    expect(await roomList.getByTestId('room-course').count()).toBe(1);
    expect(await frame.getByTestId('new-direct').count()).toBe(0);
    expect(await frame.getByText('Message someone').count()).toBe(0);
    expect(await frame.getByTestId('new-group').count()).toBe(0);

    // No composer that looks usable: a sentence says why they cannot write.
    expect(await frame.getByTestId('composer-input').count()).toBe(0);
    expect(await frame.getByTestId('composer-send').count()).toBe(0);
    const why = frame.getByTestId('composer-disabled');
    expect(await why.isVisible()).toBe(true);
    expect(await why.textContent()).toMatch(/guest/i);

    // A message the instructor writes while the guest looks arrives in the open room, without a reload.
    await toolFrame(guest).evaluate(() => ((window as unknown as { stayed?: boolean }).stayed = true));
    const live = `Office hours moved to Thursday (${name})`;
    expect(await bodies(guest)).not.toContain(live);
    await send(ada, live);
    await expect.poll(() => bodies(guest), { timeout: 15_000 }).toContain(live);
    expect(await toolFrame(guest).evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    // Read where they look: no unread badge stays on the room they are reading.
    await expect.poll(() => roomList.getByTestId('room-unread').count(), { timeout: 10_000 }).toBe(0);

    // Hovering a message offers no reaction or reply, not even an empty toolbar.
    const message = frame.getByTestId('message').filter({ hasText: live });
    await message.hover();
    expect(await message.getByTestId('action-reply').count()).toBe(0);
    expect(await message.locator('[data-testid^="react-"]').count()).toBe(0);
    expect(await message.getByRole('toolbar', { name: 'Message actions' }).count()).toBe(0);
    await noSidewaysScroll(guest);
    await shot('chat');
    // Further down (on a phone, below the messages): the sentence in place of the composer.
    await why.scrollIntoViewIfNeeded();
    await shot('chat-composer');

    // Who is in the room: readable.
    await frame.getByTestId('details-open').click();
    await expect
      .poll(() => frame.getByTestId('room-member').allTextContents(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/Ada Lovelace\s*Instructor/)]));
    expect(await frame.getByTestId('member-mute').count()).toBe(0);
    // Beside the room where both have space; over it where not (a phone): never a room squeezed to a sliver.
    const [details, list] = await Promise.all([
      frame.getByTestId('room-details').boundingBox(),
      frame.getByTestId('message-list').boundingBox(),
    ]);
    expect(details!.x <= list!.x || list!.width >= 240, `the room is squeezed to ${Math.round(list!.width)}px beside the details`).toBe(
      true,
    );
    await noSidewaysScroll(guest);
    await shot('details');
    await frame.getByRole('button', { name: 'Close details' }).click();
    await expect.poll(() => frame.getByTestId('room-details').count(), { timeout: 5000 }).toBe(0);

    expect(guest.errors).toEqual([]);
    expect(ada.errors).toEqual([]);
    await guest.context.close();
  });

  it('the instructor sees the guest labelled "Guest" among the course members, and is not offered them to message or group', async () => {
    // A student has launched too: someone the instructor can message.
    const alan = await launchFromDevLms(browser, base, 'learner', 'hub', { width: 1280, height: 800 });
    await alan.context.close();
    const again = await launchFromDevLms(browser, base, 'instructor', 'hub', { width: 1280, height: 800 });
    const { frame } = again;
    const row = frame.getByTestId('member-row').filter({ hasText: 'Hedy Lamarr' });
    await expect.poll(() => row.getByTestId('member-role').allTextContents(), { timeout: 15_000 }).toEqual(['Guest']);
    await again.page.screenshot({ path: path.join(SHOTS, 'guest-instructor-members.png') });
    // The API refuses a direct message to a guest and a guest in a group room: the pickers do not offer one.
    await frame.getByTestId('section-tab-chat').click();
    await frame.getByTestId('new-direct').click({ timeout: 20_000 });
    await expect
      .poll(() => frame.getByTestId('pick-person').allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining('Alan Turing')]);
    await again.page.screenshot({ path: path.join(SHOTS, 'guest-instructor-message-someone.png') });
    await frame.getByTestId('people-picker').getByRole('button', { name: 'Close' }).click();
    await frame.getByTestId('new-group').click();
    await expect
      .poll(() => frame.getByTestId('people-picker').locator('label').allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringContaining('Alan Turing')]);
    expect(again.errors).toEqual([]);
    await again.context.close();
  });
});

/** Nothing in the tool's page (a label, a chip, a button) pushes it wider than its frame. */
async function noSidewaysScroll(p: Person): Promise<void> {
  const frame = p.page.frames().find((f) => f.url().includes('/courses/'))!;
  // The document, and the shell's body under its header (which scrolls the page).
  for (const { scroll, client } of await frame.evaluate(() =>
    [document.documentElement, document.getElementById('main')!.parentElement!].map((el) => ({
      scroll: el.scrollWidth,
      client: el.clientWidth,
    })),
  )) {
    expect(scroll, 'the page scrolls sideways').toBeLessThanOrEqual(client);
  }
}
