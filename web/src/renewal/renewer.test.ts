/**
 * The renewer on a fake clock: when it renews, how it retries, what it does with a refusal, on waking, and between
 * tabs. The token store is the app's own (session.ts); without sessionStorage here (Node), it is the in-memory
 * fallback a frame with blocked storage uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clearToken, getToken, setToken } from '../session';
import { createSessionRenewer, type RenewerDeps, type TabChannel, type TabMessage } from './renewer';
import { readToken, type RenewalResult } from './schedule';

const b64url = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
let jti = 0;
const token = (nowMs: number, ttl = 60, who: Record<string, unknown> = {}) =>
  `${b64url({ alg: 'HS256' })}.${b64url({ sub: 'u1', tid: 't1', cid: 'c1', iat: Math.floor(nowMs / 1000), exp: Math.floor(nowMs / 1000) + ttl, jti: ++jti, ...who })}.sig`;

/** A clock and timers that move only when told. */
function fakeTime(start = 1_700_000_000_000) {
  let now = start;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let ids = 0;
  const flush = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++ids, { at: now + ms, fn });
      return ids;
    },
    clearTimer: (h: unknown) => void timers.delete(h as number),
    /** Moves the clock, firing due timers in order (and letting their promises settle). */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await flush();
        const next = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].fn();
      }
      now = end;
      await flush();
    },
    /** Moves the clock without firing anything (a tab frozen in the background, a laptop asleep). */
    jump(ms: number) {
      now += ms;
    },
    flush,
  };
}

/** BroadcastChannel between fake tabs: a message reaches every other tab, asynchronously. */
function channels() {
  const listeners: { from: number; cb: (m: unknown) => void }[] = [];
  let n = 0;
  return () => {
    const me = ++n;
    const channel: TabChannel = {
      post: (m: TabMessage) => {
        for (const l of listeners) if (l.from !== me) queueMicrotask(() => l.cb(structuredClone(m)));
      },
      listen: (cb) => void listeners.push({ from: me, cb }),
      close: () => undefined,
    };
    return channel;
  };
}

/** One tab: its own token store (like a tab's sessionStorage), its own renewer, a server that issues tokens. */
function tab(time: ReturnType<typeof fakeTime>, server: (t: string) => Promise<RenewalResult>, extra: Partial<RenewerDeps> = {}) {
  let mine: string | null = token(time.now());
  const log = { refreshed: [] as string[], renewed: [] as string[], refused: [] as string[] };
  const renewer = createSessionRenewer({
    getToken: () => mine,
    setToken: (t) => void (mine = t),
    refresh: (t) => (log.refreshed.push(t), server(t)),
    onRenewed: (t) => void log.renewed.push(t),
    onRefused: (m) => void log.refused.push(m),
    now: time.now,
    setTimer: time.setTimer,
    clearTimer: time.clearTimer,
    random: () => 0,
    ...extra,
  });
  return { renewer, log, token: () => mine, set: (t: string) => void (mine = t) };
}

const issuing = (time: ReturnType<typeof fakeTime>) => async (): Promise<RenewalResult> => ({ ok: true, token: token(time.now()) });

afterEach(() => clearToken());

describe('session renewer', () => {
  it('renews at 2/3 of each token’s lifetime, again and again, and hands each token on', async () => {
    const time = fakeTime();
    const t = tab(time, issuing(time));
    t.renewer.start(time.now());
    await time.advance(39_000);
    expect(t.log.refreshed).toHaveLength(0);
    await time.advance(1_000);
    expect(t.log.refreshed).toHaveLength(1);
    await time.advance(40_000 * 3);
    expect(t.renewer.renewals).toBe(4);
    expect(t.log.renewed).toHaveLength(4);
    expect(t.log.renewed.at(-1)).toBe(t.token());
    expect(readToken(t.token())!.expiresAt).toBeGreaterThan(time.now());
    expect(t.log.refused).toEqual([]);
  });

  it('keeps a renewed token where storage is blocked (the in-memory token of session.ts)', async () => {
    const time = fakeTime();
    setToken(token(time.now()));
    const renewer = createSessionRenewer({
      getToken,
      setToken,
      refresh: issuing(time),
      onRenewed: () => undefined,
      onRefused: () => undefined,
      now: time.now,
      setTimer: time.setTimer,
      clearTimer: time.clearTimer,
    });
    renewer.start(time.now());
    await time.advance(120_000);
    expect(renewer.renewals).toBeGreaterThanOrEqual(2);
    expect(readToken(getToken())!.expiresAt).toBeGreaterThan(time.now());
  });

  it('retries a renewal that failed on the network, with backoff, before the token expires', async () => {
    const time = fakeTime();
    let fail = 3;
    const t = tab(time, async () => (fail-- > 0 ? { ok: false, retry: true } : { ok: true, token: token(time.now()) }));
    t.renewer.start(time.now());
    await time.advance(40_000);
    expect(t.log.refreshed).toHaveLength(1);
    await time.advance(18_000);
    expect(t.log.refreshed).toHaveLength(4);
    expect(t.renewer.renewals).toBe(1);
    expect(t.log.refused).toEqual([]);
  });

  it('stops on a refusal and passes on the server’s reason', async () => {
    const time = fakeTime();
    const reason = 'You are no longer a member of this course. Open the tool again from your LMS.';
    const t = tab(time, async () => ({ ok: false, retry: false, code: 'UNAUTHENTICATED', message: reason, expired: false }));
    t.renewer.start(time.now());
    await time.advance(300_000);
    expect(t.log.refreshed).toHaveLength(1);
    expect(t.log.refused).toEqual([reason]);
  });

  it('renews at once when the page wakes after the renewal was due, not before', async () => {
    const time = fakeTime();
    const t = tab(time, issuing(time));
    t.renewer.start(time.now());
    time.jump(20_000);
    t.renewer.wake();
    await time.flush();
    expect(t.log.refreshed).toHaveLength(0);
    time.jump(30_000); // hidden: the timer did not fire
    t.renewer.wake();
    await time.flush();
    expect(t.log.refreshed).toHaveLength(1);
    expect(t.renewer.renewals).toBe(1);
  });

  it('tabs of the same person and course share a renewal; another person’s tab does not take it', async () => {
    const time = fakeTime();
    const channel = channels();
    const a = tab(time, issuing(time), { channel: channel() });
    const b = tab(time, issuing(time), { channel: channel(), random: () => 0.99 }); // b would renew a little later
    const other = tab(time, issuing(time), { channel: channel() });
    other.set(token(time.now(), 60, { sub: 'u2' }));
    const otherFirst = other.token();
    for (const x of [a, b]) x.renewer.start(time.now());
    await time.advance(38_000); // a renews at 40 s minus nothing, b at 40 s minus its spread: b first
    await time.advance(2_000);
    expect(a.log.refreshed.length + b.log.refreshed.length).toBe(1);
    expect(a.token()).toBe(b.token());
    expect(other.token()).toBe(otherFirst);
    expect(other.log.renewed).toEqual([]);
  });

  it('a tab whose token expired while it slept takes a current one from another tab, else says it expired', async () => {
    const time = fakeTime();
    const channel = channels();
    const awake = tab(time, issuing(time), { channel: channel() });
    const asleep = tab(
      time,
      async () => ({ ok: false, retry: false, code: 'UNAUTHENTICATED', message: 'Your session has expired.', expired: true }),
      { channel: channel() },
    );
    awake.renewer.start(time.now());
    asleep.renewer.start(time.now());
    asleep.set(token(time.now() - 120_000)); // its token expired a minute ago
    asleep.renewer.start(null);
    await time.advance(2_000);
    expect(asleep.log.refused).toEqual([]);
    expect(asleep.token()).toBe(awake.token());

    const alone = tab(time, issuing(time), { channel: channels()() });
    alone.set(token(time.now() - 120_000));
    alone.renewer.start(null);
    await time.advance(2_000);
    expect(alone.log.refused).toEqual(['Your session has expired. Open the tool again from your course.']);
    expect(alone.log.refreshed).toEqual([]);
  });
});
