/**
 * Keeps the session alive while the tool is open: renews the token before it expires (schedule.ts decides when),
 * retries network failures with backoff, renews at once when the page becomes visible again or comes back online
 * and the renewal is due, and hands every new token to the realtime socket (which renews itself on the open
 * connection: its subscriptions carry on).
 *
 * Across tabs: each tab has its own token (sessionStorage is per tab), so each tab can renew on its own and no tab
 * depends on another. Tabs of the same tenant, user and course also share renewed tokens over a BroadcastChannel:
 * a tab that renews tells the others, which take the newer token instead of renewing too; and a tab whose token
 * expired while it could not renew (a laptop asleep, a throttled background tab) asks the others for a current one
 * before it gives up. Where BroadcastChannel is missing or blocked, tabs simply renew alone.
 *
 * Everything outside (timers, the network, the channel, the token store) is injected: main.ts wires the real ones.
 */
import {
  localSchedule,
  nextStep,
  readRenewal,
  readToken,
  retryDelay,
  shouldAdopt,
  type LocalSchedule,
  type RenewalResult,
} from './schedule';

/** What tabs say to each other. */
export type TabMessage = { type: 'token'; token: string; receivedAt: number } | { type: 'want'; identity: string };

export interface TabChannel {
  post(message: TabMessage): void;
  listen(onMessage: (message: unknown) => void): void;
  close(): void;
}

export interface RenewerDeps {
  getToken: () => string | null;
  setToken: (token: string) => void;
  /** Runs `refreshSession` with the given token. */
  refresh: (token: string) => Promise<RenewalResult>;
  /** A new token is in place (renewed here or taken from another tab). */
  onRenewed: (token: string) => void;
  /** The session cannot be renewed; `message` says why (the server's sentence). */
  onRefused: (message: string) => void;
  channel?: TabChannel | null;
  now?: () => number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** How long a tab whose token expired waits for another tab's answer. */
  askPeersMs?: number;
}

export interface SessionRenewer {
  /** Plans the renewal of the current token; `receivedAt` when this page just got it from the server. */
  start(receivedAt?: number | null): void;
  /** The page became visible or the browser came back online: renew now if it is due (or overdue). */
  wake(): void;
  stop(): void;
  /** Renewals this page made itself. */
  readonly renewals: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function createSessionRenewer(deps: RenewerDeps): SessionRenewer {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const setTimer = deps.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const askPeersMs = deps.askPeersMs ?? 1_500;
  /** This tab's place in the spread of renewal times. */
  const spread = random();

  let schedule: LocalSchedule | null = null;
  /** When the current token arrived from the server, on this machine's clock (null: unknown). */
  let receivedAt: number | null = null;
  let timer: unknown = null;
  let attempt = 0;
  let running = false;
  let stopped = true;
  let refused = false;
  let renewals = 0;
  /** Resolves when another tab's token was taken (while this tab waits for one). */
  let onAdopted: (() => void) | null = null;

  const disarm = () => {
    if (timer !== null) clearTimer(timer);
    timer = null;
  };

  function plan(token: string | null, at: number | null): void {
    const times = readToken(token);
    receivedAt = at;
    schedule = times ? localSchedule(times, at, spread) : null;
    arm();
  }

  function arm(delay?: number): void {
    disarm();
    if (stopped || refused || !schedule) return;
    const step = nextStep(schedule, now());
    const ms = delay ?? (step.kind === 'wait' ? step.until - now() : 0);
    timer = setTimer(
      () => {
        timer = null;
        void tick();
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
  }

  function accept(token: string, at: number | null): void {
    deps.setToken(token);
    attempt = 0;
    plan(token, at);
    deps.onRenewed(token);
  }

  function refuse(message: string): void {
    if (refused) return;
    refused = true;
    disarm();
    deps.onRefused(message);
  }

  /** Asks the other tabs for a current token of this identity; true when one was taken. */
  function askPeers(): Promise<boolean> {
    const identity = readToken(deps.getToken())?.identity;
    if (!deps.channel || !identity) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const t = setTimer(() => {
        onAdopted = null;
        resolve(false);
      }, askPeersMs);
      onAdopted = () => {
        clearTimer(t);
        onAdopted = null;
        resolve(true);
      };
      deps.channel!.post({ type: 'want', identity });
    });
  }

  async function tick(): Promise<void> {
    if (stopped || refused || running || !schedule) return;
    const step = nextStep(schedule, now());
    if (step.kind === 'wait') return arm();
    running = true;
    try {
      if (step.kind === 'expired') {
        if (!(await askPeers())) refuse('Your session has expired. Open the tool again from your course.');
        return;
      }
      const token = deps.getToken();
      if (!token) return;
      let result: RenewalResult;
      try {
        result = await deps.refresh(token);
      } catch {
        result = { ok: false, retry: true };
      }
      if (stopped) return;
      if (deps.getToken() !== token) return arm(); // another tab's token arrived meanwhile
      if (result.ok) {
        renewals += 1;
        accept(result.token, now());
        deps.channel?.post({ type: 'token', token: result.token, receivedAt: receivedAt ?? now() });
      } else if (result.retry) {
        arm(retryDelay(attempt++, now(), schedule.expiresAt, random));
      } else if (result.expired && (await askPeers())) {
        // Another tab had a current token: carry on with it.
      } else {
        refuse(result.message);
      }
    } finally {
      running = false;
    }
  }

  function onMessage(data: unknown): void {
    if (stopped || typeof data !== 'object' || data === null) return;
    const m = data as Partial<TabMessage> & Record<string, unknown>;
    const mine = deps.getToken();
    if (m.type === 'token' && typeof m.token === 'string') {
      if (refused || !shouldAdopt(readToken(mine), readToken(m.token))) return;
      accept(m.token, typeof m.receivedAt === 'number' ? m.receivedAt : null);
      onAdopted?.();
    } else if (m.type === 'want' && typeof m.identity === 'string' && mine && !refused && schedule) {
      const times = readToken(mine);
      if (times?.identity === m.identity && nextStep(schedule, now()).kind !== 'expired') {
        deps.channel?.post({ type: 'token', token: mine, receivedAt: receivedAt ?? now() });
      }
    }
  }

  deps.channel?.listen(onMessage);

  return {
    start(at = null) {
      stopped = false;
      refused = false;
      attempt = 0;
      plan(deps.getToken(), at);
    },
    wake() {
      if (stopped || refused || !schedule) return;
      if (nextStep(schedule, now()).kind !== 'wait') void tick();
    },
    stop() {
      stopped = true;
      disarm();
    },
    get renewals() {
      return renewals;
    },
  };
}

/** The BroadcastChannel between this origin's tabs, or null where there is none (or it is blocked). */
export function browserTabChannel(name = 'lt.session'): TabChannel | null {
  try {
    if (typeof BroadcastChannel === 'undefined') return null;
    const channel = new BroadcastChannel(name);
    return {
      post: (message) => {
        try {
          channel.postMessage(message);
        } catch {
          // A closed or blocked channel: this tab renews alone.
        }
      },
      listen: (onMessage) => channel.addEventListener('message', (e) => onMessage((e as MessageEvent).data)),
      close: () => channel.close(),
    };
  } catch {
    return null;
  }
}

/** `refreshSession` over HTTP with the given token: never throws (a network failure is a result to retry). */
export async function refreshOverHttp(fetchFn: typeof fetch, query: string, token: string, uri = '/graphql'): Promise<RenewalResult> {
  let response: Response;
  try {
    response = await fetchFn(uri, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query, operationName: 'RefreshSession' }),
      cache: 'no-store',
    });
  } catch {
    return { ok: false, retry: true };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return readRenewal(response.status, body);
}
