/**
 * Roster sync (LTI Names and Role Provisioning) as the hub shows it: the status line, and the
 * poller that follows a sync while it is queued or running. Pure; timers are injected.
 */
import type { RosterSyncStatus } from '../gql/graphql';
import type { RosterSync } from '../graphql/course';

const ROSTER_POLL_INTERVAL_MS = 1000;

export function isRosterSyncActive(status: RosterSyncStatus | null | undefined): boolean {
  return status === 'QUEUED' || status === 'RUNNING';
}

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "3 minutes ago", "yesterday", … for an instant in the past (epoch ms). */
export function relativeTime(at: number, now: number): string {
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (seconds >= size * 0.9 || unit === 'minute') {
      return relativeFormat.format(-Math.max(1, Math.round(seconds / size)), unit);
    }
  }
  return 'just now';
}

const members = (n: number) => `${n} ${n === 1 ? 'member' : 'members'}`;

/** The line under the members list, e.g. "Synced 24 members from the LMS, 5 minutes ago". */
export function rosterStatusLine(sync: RosterSync | null | undefined, now: number): string {
  if (!sync) return 'Never synced';
  switch (sync.status) {
    case 'QUEUED':
    case 'RUNNING':
      return `Syncing… ${sync.fetched} so far`;
    case 'FAILED':
      return `Roster sync failed: ${sync.error?.trim() || 'unknown error'}`;
    case 'DONE': {
      const at = Date.parse(sync.finishedAt ?? sync.startedAt ?? '');
      const when = Number.isNaN(at) ? '' : `, ${relativeTime(at, now)}`;
      return `Synced ${members(sync.fetched)} from the LMS${when}`;
    }
  }
}

export interface PollerOptions<T> {
  /** One poll. */
  run: () => Promise<T>;
  /** Whether to poll again after this result. */
  again: (result: T) => boolean;
  intervalMs?: number;
  /** Consecutive failed polls after which it gives up (default 5). */
  maxFailures?: number;
  onGiveUp?: (error: unknown) => void;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface Poller {
  /** Polls every interval until `again` says stop (no-op while already polling). */
  start(): void;
  stop(): void;
  readonly active: boolean;
}

export function createPoller<T>(options: PollerOptions<T>): Poller {
  const {
    run,
    again,
    intervalMs = ROSTER_POLL_INTERVAL_MS,
    maxFailures = 5,
    onGiveUp,
    setTimeout: schedule = (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: cancel = (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  } = options;

  let generation = 0;
  let active = false;
  let timer: unknown = null;
  let failures = 0;

  function next(mine: number): void {
    timer = schedule(() => void tick(mine), intervalMs);
  }

  async function tick(mine: number): Promise<void> {
    timer = null;
    let result: T;
    try {
      result = await run();
    } catch (error) {
      if (mine !== generation) return;
      failures += 1;
      if (failures >= maxFailures) {
        active = false;
        onGiveUp?.(error);
      } else {
        next(mine);
      }
      return;
    }
    if (mine !== generation) return; // stopped or restarted meanwhile
    failures = 0;
    if (again(result)) next(mine);
    else active = false;
  }

  return {
    start() {
      if (active) return;
      active = true;
      failures = 0;
      next(++generation);
    },
    stop() {
      generation += 1;
      active = false;
      if (timer !== null) cancel(timer);
      timer = null;
    },
    get active() {
      return active;
    },
  };
}
