/**
 * The AI tutor in a real browser: a student launched from the development LMS asks in the tutor tab and sees
 * the reply stream in (from a local OpenAI-compatible server streaming real SSE), can stop a reply, and sees
 * the budget meter move; the instructor sees the usage in the dashboard. A student who runs out of questions sees
 * why and until when, with the composer paused, while the instructor's dashboard follows live, opens the
 * student's conversation read-only, and raising the budget lets the student ask again at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { and, eq, like } from 'drizzle-orm';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { gql, startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../api/test/fake-openai.js';
import { SEND, cid } from '../../api/test/chat.js';
import { budgetCounters } from '../../api/src/tutor/tables.js';
import { rooms } from '../../api/src/rooms/tables.js';
import { users } from '../../api/src/users/tables.js';
import { SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** What one question holds with the default TUTOR_CONTEXT_TOKENS (3,000, + 10 %) and TUTOR_MAX_REPLY_TOKENS (800). */
const PER_QUESTION = 3300 + 800;
const BERLIN = { locale: 'en-GB', timezoneId: 'Europe/Berlin' };
/** 00:00 UTC as a clock in Berlin shows it today: 01:00, or 02:00 in summer time. */
const berlinReset = () =>
  new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' }).format(
    new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`),
  );

describe('the AI tutor', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  let worker: WorkerHandle;
  let browser: Browser;
  let base: string;
  const people: LaunchedPerson[] = [];

  async function launch(
    as: 'instructor' | 'learner',
    viewport?: { width: number; height: number },
    where: { locale?: string; timezoneId?: string } = {},
  ) {
    const p = await launchFromDevLms(browser, base, as, 'tutor', viewport, undefined, where);
    people.push(p);
    return p;
  }

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({
      port,
      env: {
        PORT: String(port),
        PUBLIC_URL: base,
        DEV_LMS: 'true',
        AI_BASE_URL: fake.url,
        AI_API_KEY: 'test-key',
        AI_MODEL: 'gpt-4o-mini',
      },
    });
    worker = await startWorker(app.core);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await app?.close();
    await fake?.close();
  });

  it('a student asks and sees the reply stream in; the instructor sees the usage', async () => {
    const words = 'Good question! What happens to the **call stack** each time the function calls itself? Try tracing it for n = 3.'.split(
      /(?<= )/,
    );
    fake.setDefault({
      kind: 'stream',
      chunks: words,
      chunkDelayMs: 120,
      firstTokenDelayMs: 300,
      usage: { prompt_tokens: 180, completion_tokens: 26 },
    });
    // A student in Berlin: the budget starts again at 00:00 UTC, which is 01:00 there (02:00 in summer).
    const student = await launch('learner', undefined, BERLIN);
    const input = student.frame.getByTestId('composer-input');
    await input.waitFor({ timeout: 20_000 });
    await expect
      .poll(() => student.frame.getByTestId('tutor-questions-left').textContent(), { timeout: 10_000 })
      .toBe('12 questions left today');
    await expect
      .poll(() => student.frame.getByTestId('tutor-reset').textContent())
      .toMatch(
        new RegExp(
          `^100% of today’s budget left · starts again at ${berlinReset()} \\(in (\\d+ hours|\\d+ minutes|less than a minute)\\)$`,
        ),
      );
    await input.fill('Why does my recursive factorial overflow the stack?');
    await input.press('Enter');
    // The reply streams in: partial text grows before the final message lands.
    const streaming = student.frame.locator('[data-testid="tutor-reply"][data-state="STREAMING"] [data-testid="tutor-text"]');
    await expect.poll(() => streaming.textContent().catch(() => ''), { timeout: 15_000 }).toMatch(/Good question/);
    const partial = (await streaming.textContent().catch(() => '')) ?? '';
    await student.page.screenshot({ path: path.join(SHOTS, 'tutor-streaming.png') });
    await expect
      .poll(
        () =>
          student.frame
            .getByTestId('message-body')
            .allTextContents()
            .then((b) => b.map((t) => t.trim())),
        { timeout: 20_000 },
      )
      .toContain('Good question! What happens to the call stack each time the function calls itself? Try tracing it for n = 3.');
    expect(partial.length).toBeLessThan(words.join('').length);
    // The reply is the tutor's (a bot), not a person's.
    expect(await student.frame.locator('[data-testid="message"] .msg__avatar--bot').count()).toBe(1);
    await expect.poll(() => student.frame.getByTestId('tutor-reply').count(), { timeout: 10_000 }).toBe(0);
    // The budget meter follows the ledger: 180 + 26 tokens of 50,000 leave 99 % (and still 12 whole questions).
    await expect
      .poll(() => student.frame.getByTestId('tutor-reset').textContent(), { timeout: 10_000 })
      .toMatch(/^99% of today’s budget left/);
    expect(await student.frame.getByTestId('tutor-questions-left').textContent()).toBe('12 questions left today');
    await student.page.screenshot({ path: path.join(SHOTS, 'tutor-answered.png') });

    // A long reply can be stopped: what was written stays, marked as stopped.
    fake.setDefault({
      kind: 'stream',
      chunks: Array.from({ length: 60 }, (_, i) => `step ${i} `),
      chunkDelayMs: 150,
      usage: { prompt_tokens: 200, completion_tokens: 60 },
    });
    await input.fill('Explain every step of merge sort');
    await input.press('Enter');
    await student.frame.getByTestId('tutor-stop').click({ timeout: 15_000 });
    await expect
      .poll(
        () =>
          student.frame
            .getByTestId('message-body')
            .allTextContents()
            .then((b) => b.some((t) => t.includes('(stopped)'))),
        { timeout: 15_000 },
      )
      .toBe(true);

    const instructor = await launch('instructor');
    await instructor.frame.getByTestId('tutor-dashboard').waitFor({ timeout: 20_000 });
    await expect.poll(() => instructor.frame.getByTestId('tutor-by-student').textContent(), { timeout: 10_000 }).toContain('Alan Turing');
    await expect.poll(() => instructor.frame.getByTestId('tutor-totals').textContent(), { timeout: 10_000 }).toMatch(/2\s+replies/);
    await instructor.page.screenshot({ path: path.join(SHOTS, 'tutor-dashboard.png') });
    for (const p of people) expect(p.errors).toEqual([]);
  });

  it('a student who runs out sees why and until when, with the composer paused; the dashboard follows live, opens the conversation, and a raised budget lets the student ask again', async () => {
    const db = app.core.services.database.db;
    const instructor = await launch('instructor', DESKTOP);
    const dash = instructor.frame.getByTestId('tutor-dashboard');
    await dash.waitFor({ timeout: 20_000 });
    const replies = async () =>
      Number((await instructor.frame.getByTestId('tutor-totals').textContent())?.match(/(\d+)\s+replies/)?.[1] ?? -1);
    await expect.poll(replies, { timeout: 10_000 }).toBeGreaterThanOrEqual(0);
    const repliesBefore = await replies();

    // A budget below one question is explained next to the field (no browser tooltip: the form does not validate).
    const daily = instructor.frame.getByTestId('tutor-daily');
    await daily.fill('1500');
    await instructor.frame.getByTestId('tutor-save').click();
    await expect
      .poll(() => instructor.frame.getByTestId('tutor-daily-error').textContent(), { timeout: 10_000 })
      .toBe(
        `A student's daily budget is 0 (no questions) or a whole number of tokens from ${PER_QUESTION.toLocaleString('en-US')} (one question) to 2,000,000,000.`,
      );
    expect(await daily.getAttribute('aria-invalid')).toBe('true');
    expect(await daily.evaluate((el: HTMLInputElement) => el.validationMessage)).toBe('');
    await instructor.page.screenshot({ path: path.join(SHOTS, 'tutor-settings-error.png') });

    // Exactly one question left for the student today: what they used so far, plus one question's hold.
    const [alan] = await db.select().from(users).where(eq(users.name, 'Alan Turing'));
    const today = new Date().toISOString().slice(0, 10);
    const [counter] = await db
      .select()
      .from(budgetCounters)
      .where(and(eq(budgetCounters.scope, 'user-day'), like(budgetCounters.key, `${alan!.id}:${today}`)));
    const used = counter?.used ?? 0;
    await daily.fill(String(used + PER_QUESTION));
    await instructor.frame.getByTestId('tutor-save').click();
    await instructor.frame.getByText('Saved.').waitFor({ timeout: 10_000 });
    expect(await instructor.frame.getByTestId('tutor-daily-error').count()).toBe(0);

    const student = await launch('learner', PHONE, BERLIN);
    const input = student.frame.getByTestId('composer-input');
    await input.waitFor({ timeout: 20_000 });
    await expect
      .poll(() => student.frame.getByTestId('tutor-questions-left').textContent(), { timeout: 10_000 })
      .toBe('1 question left today');
    // The student is told, in their room, that instructors can read it.
    expect(await student.frame.getByTestId('room-note').textContent()).toContain('Your instructors can read it.');
    // The phone's slim room header cuts that note short: the panel says it in full.
    expect(await student.frame.getByTestId('tutor-private').textContent()).toBe(
      'Only you and your instructors can read this conversation.',
    );
    expect(await student.frame.getByTestId('tutor-private').isVisible()).toBe(true);

    fake.setDefault({ kind: 'stream', chunks: ['What is ', 'the base case?'], usage: { prompt_tokens: 180, completion_tokens: 26 } });
    await input.fill('My last question: what stops a recursion?');
    await input.press('Enter');
    await expect
      .poll(
        () =>
          student.frame
            .getByTestId('message-body')
            .allTextContents()
            .then((b) => b.map((t) => t.trim())),
        { timeout: 20_000 },
      )
      .toContain('What is the base case?');
    // Out of questions: a banner says why and when the tutor answers again, and the composer waits.
    const banner = student.frame.getByTestId('tutor-budget-stop');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toMatch(
      /You have used today’s AI tutor questions\. You can ask again at 0[12]:00 \(in (\d+ hours|\d+ minutes|less than a minute)\), or sooner if your instructor raises your budget\./,
    );
    expect(await student.frame.getByTestId('tutor-questions-left').textContent()).toBe('No questions left today');
    expect(await student.frame.getByTestId('composer-disabled').textContent()).toMatch(
      /^No tutor questions left until the reset: you can ask again at 0[12]:00 \(in/,
    );
    expect(await input.count()).toBe(0);
    await student.page.screenshot({ path: path.join(SHOTS, 'tutor-out-phone.png') });
    await student.page.setViewportSize(DESKTOP);
    await student.page.screenshot({ path: path.join(SHOTS, 'tutor-out-desktop.png') });

    // The dashboard, open all along, counted the reply without a reload.
    await expect.poll(replies, { timeout: 10_000 }).toBe(repliesBefore + 1);
    // A question that still reaches the tutor (another tab, the API) is refused, and counted live as refused.
    const [tutorRoom] = await db
      .select()
      .from(rooms)
      .where(and(eq(rooms.kind, 'tutor'), eq(rooms.ownerId, alan!.id)));
    const token = await app.core.services.sessions.issue({
      tenantId: alan!.tenantId,
      userId: alan!.id,
      courseId: tutorRoom!.courseId,
      roles: ['learner'],
    });
    const sent = await gql(base, SEND, { input: { roomId: tutorRoom!.id, body: 'One more, from another tab?', clientId: cid() } }, token);
    expect(sent.body.errors).toBeUndefined();
    const row = instructor.frame.locator(`[data-testid="tutor-by-student"] tr[data-user-id="${alan!.id}"]`);
    await expect.poll(() => row.getByTestId('tutor-student-refused').textContent(), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => instructor.frame.getByTestId('tutor-refused-total').textContent()).toBe('1');
    await row.scrollIntoViewIfNeeded();
    await instructor.page.screenshot({ path: path.join(SHOTS, 'tutor-dashboard-live-desktop.png') });
    await instructor.page.setViewportSize(PHONE);
    // Nothing (the chart, the tables) makes the page wider than the phone.
    await expect.poll(() => dash.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await row.scrollIntoViewIfNeeded();
    await instructor.page.screenshot({ path: path.join(SHOTS, 'tutor-dashboard-live-phone.png') });
    await instructor.page.setViewportSize(DESKTOP);

    // The instructor reads the student's conversation, and cannot write in it.
    await row.getByTestId('tutor-open-conversation').click();
    const conversation = instructor.frame.getByTestId('tutor-conversation');
    await expect
      .poll(
        () =>
          conversation
            .getByTestId('message-body')
            .allTextContents()
            .then((b) => b.map((t) => t.trim())),
        { timeout: 15_000 },
      )
      .toEqual(
        expect.arrayContaining(['My last question: what stops a recursion?', 'What is the base case?', 'One more, from another tab?']),
      );
    expect(await conversation.getByTestId('composer-disabled').textContent()).toBe('This is a student’s tutor room: you can read it.');
    expect(await conversation.getByTestId('composer-input').count()).toBe(0);
    expect(await conversation.getByTestId('room-note').textContent()).toBe(
      'A student’s private room with the AI tutor: staff read it, only the student writes.',
    );
    await instructor.page.screenshot({ path: path.join(SHOTS, 'tutor-dashboard-conversation-desktop.png') });
    await instructor.page.setViewportSize(PHONE);
    await conversation.scrollIntoViewIfNeeded();
    await instructor.page.screenshot({ path: path.join(SHOTS, 'tutor-dashboard-conversation-phone.png') });
    await instructor.page.setViewportSize(DESKTOP);

    // Raising the budget lets the student ask again at once: the banner goes, the composer comes back.
    await daily.fill(String(used + 206 + 2 * PER_QUESTION));
    await instructor.frame.getByTestId('tutor-save').click();
    await student.frame.getByTestId('composer-input').waitFor({ timeout: 10_000 });
    expect(await banner.count()).toBe(0);
    await expect.poll(() => student.frame.getByTestId('tutor-questions-left').textContent()).toBe('2 questions left today');
    for (const p of [instructor, student]) expect(p.errors).toEqual([]);
  });
});
