/** Debian's Chromium driven by playwright-core, as the browser tests use it. */
import { chromium, type Browser } from 'playwright-core';
import { expect } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = path.resolve('test-results');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`);
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const LTI_FRAME = 'iframe[name="lti-tool-frame"]';

export interface LaunchedPerson {
  context: import('playwright-core').BrowserContext;
  page: import('playwright-core').Page;
  frame: import('playwright-core').FrameLocator;
  /** Uncaught page errors, for the test to assert there were none. */
  errors: string[];
}

/** Who the development LMS launches: its demo instructor, a learner, or a visiting guest (an empty roles claim). */
export type DevLmsRole = 'instructor' | 'learner' | 'guest';

/** A person in their own browser context, launched from the development LMS into a tab of the course. */
export async function launchFromDevLms(
  browser: Browser,
  base: string,
  as: DevLmsRole,
  tab: string,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
  /** Called with the page before it loads anything: for listeners that must see every request. */
  onPage?: (page: import('playwright-core').Page) => void,
  /** More of the context, e.g. `{ hasTouch: true, isMobile: true }` for a phone. */
  device: Pick<
    import('playwright-core').BrowserContextOptions,
    'hasTouch' | 'isMobile' | 'deviceScaleFactor' | 'locale' | 'timezoneId'
  > = {},
): Promise<LaunchedPerson> {
  const context = await browser.newContext({ viewport, ...device });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  onPage?.(page);
  await page.goto(`${base}/dev/lms?as=${as}`);
  const frame = page.frameLocator(LTI_FRAME);
  await frame.getByTestId(`section-tab-${tab}`).click({ timeout: 40_000 });
  return { context, page, frame, errors };
}

/** Fails when the tool's page scrolls sideways (the document, or the shell's body under its header, which scrolls). */
export async function noSidewaysScroll(p: LaunchedPerson): Promise<void> {
  const widths = await p.frame
    .locator('#main')
    .evaluate((main) => [document.documentElement, main.parentElement!].map((el) => ({ scroll: el.scrollWidth, client: el.clientWidth })));
  for (const { scroll, client } of widths) expect(scroll, 'the page scrolls sideways').toBeLessThanOrEqual(client);
}
