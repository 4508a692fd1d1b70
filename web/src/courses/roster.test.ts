import { describe, expect, it } from 'vitest';
import type { RosterSync } from '../graphql/course';
import { createPoller, isRosterSyncActive, relativeTime, rosterStatusLine } from './roster';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

const sync = (partial: Partial<RosterSync>): RosterSync => ({
  status: 'DONE',
  fetched: 0,
  pages: 0,
  startedAt: null,
  finishedAt: null,
  error: null,
  ...partial,
});

describe('relativeTime', () => {
  it('reads naturally', () => {
    expect(relativeTime(NOW - 5_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - 60_000, NOW)).toBe('1 minute ago');
    expect(relativeTime(NOW - 5 * 60_000, NOW)).toBe('5 minutes ago');
    expect(relativeTime(NOW - 2 * 3600_000, NOW)).toBe('2 hours ago');
    expect(relativeTime(NOW - 24 * 3600_000, NOW)).toBe('yesterday');
    expect(relativeTime(NOW - 3 * 24 * 3600_000, NOW)).toBe('3 days ago');
  });
  it('treats a clock slightly ahead as now', () => {
    expect(relativeTime(NOW + 3_000, NOW)).toBe('just now');
  });
});

describe('rosterStatusLine', () => {
  it('covers every state', () => {
    expect(rosterStatusLine(null, NOW)).toBe('Never synced');
    expect(rosterStatusLine(sync({ status: 'QUEUED', fetched: 0 }), NOW)).toBe('Syncing… 0 so far');
    expect(rosterStatusLine(sync({ status: 'RUNNING', fetched: 40 }), NOW)).toBe('Syncing… 40 so far');
    expect(rosterStatusLine(sync({ status: 'FAILED', error: 'The LMS refused the token' }), NOW)).toBe(
      'Roster sync failed: The LMS refused the token',
    );
    expect(rosterStatusLine(sync({ status: 'FAILED' }), NOW)).toBe('Roster sync failed: unknown error');
    expect(rosterStatusLine(sync({ fetched: 24, finishedAt: ago(300) }), NOW)).toBe('Synced 24 members from the LMS, 5 minutes ago');
    expect(rosterStatusLine(sync({ fetched: 1, finishedAt: ago(2) }), NOW)).toBe('Synced 1 member from the LMS, just now');
  });
  it('knows which states are still going', () => {
    expect(isRosterSyncActive('QUEUED')).toBe(true);
    expect(isRosterSyncActive('RUNNING')).toBe(true);
    expect(isRosterSyncActive('DONE')).toBe(false);
    expect(isRosterSyncActive('FAILED')).toBe(false);
    expect(isRosterSyncActive(null)).toBe(false);
  });
});

function manualClock() {
  const timers = new Set<{ callback: () => void }>();
  return {
    timers,
    setTimeout: (callback: () => void) => {
      const timer = { callback };
      timers.add(timer);
      return timer;
    },
    clearTimeout: (handle: unknown) => void timers.delete(handle as { callback: () => void }),
    /** Fire every pending timer and let the polls settle. */
    async tick() {
      const due = [...timers];
      timers.clear();
      due.forEach((t) => t.callback());
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

describe('createPoller', () => {
  it('polls every interval while the result says so, then stops', async () => {
    const clock = manualClock();
    const answers = ['QUEUED', 'RUNNING', 'DONE'];
    let calls = 0;
    const poller = createPoller({
      run: async () => answers[calls++]!,
      again: (status) => isRosterSyncActive(status as RosterSync['status']),
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    });
    poller.start();
    poller.start(); // no second loop
    expect(clock.timers.size).toBe(1);
    expect(calls).toBe(0);
    await clock.tick();
    await clock.tick();
    expect(poller.active).toBe(true);
    await clock.tick();
    expect(calls).toBe(3);
    expect(poller.active).toBe(false);
    expect(clock.timers.size).toBe(0);
  });

  it('stops on demand, ignoring a poll in flight', async () => {
    const clock = manualClock();
    let resolve: (v: string) => void = () => undefined;
    let calls = 0;
    const poller = createPoller({
      run: () => {
        calls++;
        return new Promise<string>((r) => (resolve = r));
      },
      again: () => true,
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    });
    poller.start();
    await clock.tick();
    poller.stop();
    resolve('RUNNING');
    await new Promise((r) => setTimeout(r, 0));
    expect(clock.timers.size).toBe(0);
    expect(calls).toBe(1);
  });

  it('retries failed polls, and gives up after too many in a row', async () => {
    const clock = manualClock();
    let gaveUp: unknown = null;
    const poller = createPoller({
      run: async () => {
        throw new Error('offline');
      },
      again: () => true,
      maxFailures: 3,
      onGiveUp: (error) => (gaveUp = error),
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    });
    poller.start();
    await clock.tick();
    await clock.tick();
    expect(gaveUp).toBeNull();
    await clock.tick();
    expect(gaveUp).toBeInstanceOf(Error);
    expect(poller.active).toBe(false);
    expect(clock.timers.size).toBe(0);
  });
});
