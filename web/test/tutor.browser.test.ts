/**
 * The AI tutor in a real browser: a student launched from the development LMS asks in the tutor tab and sees
 * the reply stream in (from a local OpenAI-compatible server streaming real SSE), can stop a reply, and sees
 * the budget meter move; the instructor sees the usage in the dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { startApp, type TestApp } from '../../api/test/harness.js';
import { freePort } from '../../api/test/lti-harness.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../api/test/fake-openai.js';
import { SHOTS, launchBrowser, launchFromDevLms, type LaunchedPerson } from './browser.js';


describe('the AI tutor', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  let worker: WorkerHandle;
  let browser: Browser;
  let base: string;
  const people: LaunchedPerson[] = [];

  async function launch(as: 'instructor' | 'learner') {
    const p = await launchFromDevLms(browser, base, as, 'tutor');
    people.push(p);
    return p;
  }

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await startApp({ port, env: { PORT: String(port), PUBLIC_URL: base, DEV_LMS: 'true', AI_BASE_URL: fake.url, AI_API_KEY: 'test-key', AI_MODEL: 'gpt-4o-mini' } });
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
    const words = 'Good question! What happens to the **call stack** each time the function calls itself? Try tracing it for n = 3.'.split(/(?<= )/);
    fake.setDefault({ kind: 'stream', chunks: words, chunkDelayMs: 120, firstTokenDelayMs: 300, usage: { prompt_tokens: 180, completion_tokens: 26 } });
    const student = await launch('learner');
    const input = student.frame.getByTestId('composer-input');
    await input.waitFor({ timeout: 20_000 });
    await expect.poll(() => student.frame.getByTestId('tutor-used').textContent(), { timeout: 10_000 }).toBe('0');
    await input.fill('Why does my recursive factorial overflow the stack?');
    await input.press('Enter');
    // The reply streams in: partial text grows before the final message lands.
    const streaming = student.frame.locator('[data-testid="tutor-reply"][data-state="STREAMING"] [data-testid="tutor-text"]');
    await expect.poll(() => streaming.textContent().catch(() => ''), { timeout: 15_000 }).toMatch(/Good question/);
    const partial = (await streaming.textContent().catch(() => '')) ?? '';
    await student.page.screenshot({ path: path.join(SHOTS, 'tutor-streaming.png') });
    await expect.poll(() => student.frame.getByTestId('message-body').allTextContents().then((b) => b.map((t) => t.trim())), { timeout: 20_000 }).toContain(
      'Good question! What happens to the call stack each time the function calls itself? Try tracing it for n = 3.',
    );
    expect(partial.length).toBeLessThan(words.join('').length);
    // The reply is the tutor's (a bot), not a person's.
    expect(await student.frame.locator('[data-testid="message"] .msg__avatar--bot').count()).toBe(1);
    await expect.poll(() => student.frame.getByTestId('tutor-reply').count(), { timeout: 10_000 }).toBe(0);
    // The budget meter follows the ledger: 180 + 26 tokens.
    await expect.poll(() => student.frame.getByTestId('tutor-used').textContent(), { timeout: 10_000 }).toBe('206');
    await student.page.screenshot({ path: path.join(SHOTS, 'tutor-answered.png') });

    // A long reply can be stopped: what was written stays, marked as stopped.
    fake.setDefault({ kind: 'stream', chunks: Array.from({ length: 60 }, (_, i) => `step ${i} `), chunkDelayMs: 150, usage: { prompt_tokens: 200, completion_tokens: 60 } });
    await input.fill('Explain every step of merge sort');
    await input.press('Enter');
    await student.frame.getByTestId('tutor-stop').click({ timeout: 15_000 });
    await expect.poll(() => student.frame.getByTestId('message-body').allTextContents().then((b) => b.some((t) => t.includes('(stopped)'))), { timeout: 15_000 }).toBe(true);

    const instructor = await launch('instructor');
    await instructor.frame.getByTestId('tutor-dashboard').waitFor({ timeout: 20_000 });
    await expect.poll(() => instructor.frame.getByTestId('tutor-by-student').textContent(), { timeout: 10_000 }).toContain('Alan Turing');
    await expect.poll(() => instructor.frame.getByTestId('tutor-totals').textContent(), { timeout: 10_000 }).toMatch(/2\s+replies/);
    await instructor.page.screenshot({ path: path.join(SHOTS, 'tutor-dashboard.png') });
    for (const p of people) expect(p.errors).toEqual([]);
  });
});
