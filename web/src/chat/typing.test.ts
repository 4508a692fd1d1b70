import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { activeTypers, applyTyping, createTypingSender, typingLine, type TypingState } from './typing';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const typing = (userId: string, userName: string, expiresAt: number | null) => ({
  userId,
  userName,
  typing: true,
  expiresAt: expiresAt === null ? null : iso(expiresAt),
});
const stopped = (userId: string) => ({ userId, userName: null, typing: false, expiresAt: null });
const names = (s: TypingState, now: number, me = 'me') => activeTypers(s, now, me).map((t) => t.userName);

describe('applyTyping / activeTypers', () => {
  it('lists typers in order of arrival, renewals keeping their place', () => {
    let s: TypingState = [];
    s = applyTyping(s, typing('a', 'Ana', T0 + 5000), T0);
    s = applyTyping(s, typing('b', 'Ben', T0 + 6000), T0 + 1000);
    s = applyTyping(s, typing('a', 'Ana', T0 + 9000), T0 + 2000);
    expect(names(s, T0 + 2000)).toEqual(['Ana', 'Ben']);
    expect(names(s, T0 + 7000)).toEqual(['Ana']); // Ben expired, Ana was renewed
  });

  it('drops a user on typing=false', () => {
    let s = applyTyping([], typing('a', 'Ana', T0 + 5000), T0);
    s = applyTyping(s, typing('b', 'Ben', T0 + 5000), T0);
    s = applyTyping(s, stopped('a'), T0 + 100);
    expect(names(s, T0 + 100)).toEqual(['Ben']);
  });

  it('drops expired entries, also from the state on the next event', () => {
    let s = applyTyping([], typing('a', 'Ana', T0 + 1000), T0);
    expect(names(s, T0 + 999)).toEqual(['Ana']);
    expect(names(s, T0 + 1000)).toEqual([]);
    s = applyTyping(s, typing('b', 'Ben', T0 + 9000), T0 + 2000);
    expect(s.map((t) => t.userId)).toEqual(['b']);
  });

  it('excludes me', () => {
    let s = applyTyping([], typing('me', 'Me', T0 + 5000), T0);
    s = applyTyping(s, typing('a', 'Ana', T0 + 5000), T0);
    expect(names(s, T0)).toEqual(['Ana']);
  });

  it('uses a default lifetime when the event has no expiry, and ignores events without a user', () => {
    let s = applyTyping([], typing('a', 'Ana', null), T0);
    expect(names(s, T0 + 5000)).toEqual(['Ana']);
    expect(names(s, T0 + 60_000)).toEqual([]);
    s = applyTyping(s, { userId: null, userName: 'X', typing: true, expiresAt: null }, T0);
    expect(s).toHaveLength(1);
    s = applyTyping(s, { userId: 'c', userName: null, typing: true, expiresAt: iso(T0 + 5000) }, T0);
    expect(names(s, T0)).toEqual(['Ana', 'Someone']);
  });

  it('does not mutate the previous state', () => {
    const s = applyTyping([], typing('a', 'Ana', T0 + 5000), T0);
    const t = applyTyping(s, typing('a', 'Ana', T0 + 8000), T0 + 1000);
    expect(s[0]!.expiresAt).toBe(T0 + 5000);
    expect(t[0]!.expiresAt).toBe(T0 + 8000);
  });
});

describe('typingLine', () => {
  it('says who is typing', () => {
    expect(typingLine([])).toBe('');
    expect(typingLine(['Ana'])).toBe('Ana is typing…');
    expect(typingLine(['Ana', 'Ben'])).toBe('Ana and Ben are typing…');
    expect(typingLine(['Ana', 'Ben', 'Chloé'])).toBe('Ana, Ben and Chloé are typing…');
    expect(typingLine(['Ana', 'Ben', 'Chloé', 'Dan'])).toBe('Ana, Ben and 2 others are typing…');
    expect(typingLine(['Ana', 'Ben', 'Chloé', 'Dan', 'Eve', 'Fay'])).toBe('Ana, Ben and 4 others are typing…');
  });
});

describe('createTypingSender', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(opts: { intervalMs?: number; idleMs?: number } = {}) {
    const sent: boolean[] = [];
    const sender = createTypingSender({ send: (t) => sent.push(t), ...opts });
    return { sent, sender };
  }

  it('sends true on the first keystroke, then at most once per interval', () => {
    const { sent, sender } = setup();
    sender.input();
    expect(sent).toEqual([true]);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(500);
      sender.input();
    }
    expect(sent).toEqual([true]); // 2.5 s in
    vi.advanceTimersByTime(500);
    sender.input(); // 3 s in
    expect(sent).toEqual([true, true]);
  });

  it('sends false after the idle time without input', () => {
    const { sent, sender } = setup();
    sender.input();
    vi.advanceTimersByTime(4000);
    sender.input(); // resets the idle timer
    vi.advanceTimersByTime(4999);
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([true, true, false]);
    vi.advanceTimersByTime(60_000);
    expect(sent).toEqual([true, true, false]);
  });

  it('sends true again at once after going idle', () => {
    const { sent, sender } = setup();
    sender.input();
    vi.advanceTimersByTime(5000);
    sender.input();
    expect(sent).toEqual([true, false, true]);
  });

  it('stop() sends false at once only if true was sent, and cancels the idle timer', () => {
    const { sent, sender } = setup();
    sender.stop();
    expect(sent).toEqual([]);
    sender.input();
    sender.stop();
    expect(sent).toEqual([true, false]);
    vi.advanceTimersByTime(10_000);
    sender.stop();
    expect(sent).toEqual([true, false]);
    sender.input(); // a new message: true at once
    expect(sent).toEqual([true, false, true]);
  });

  it('honours custom intervals and injected clocks', () => {
    let now = 0;
    const timers: { fn: () => void; at: number }[] = [];
    const sent: boolean[] = [];
    const sender = createTypingSender({
      send: (t) => sent.push(t),
      intervalMs: 100,
      idleMs: 200,
      now: () => now,
      setTimeout: (fn, ms) => timers.push({ fn, at: now + ms }),
      clearTimeout: (h) => {
        const timer = timers[(h as number) - 1];
        if (timer) timer.at = Infinity;
      },
    });
    sender.input();
    now = 100;
    sender.input();
    expect(sent).toEqual([true, true]);
    now = 300;
    for (const t of timers) if (t.at <= now) t.fn();
    expect(sent).toEqual([true, true, false]);
  });
});
