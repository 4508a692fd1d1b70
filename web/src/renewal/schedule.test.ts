import { describe, expect, it } from 'vitest';
import {
  EXPIRY_MARGIN_MS,
  localSchedule,
  MIN_RETRY_MS,
  nextStep,
  readRenewal,
  readToken,
  RENEW_SPREAD,
  retryDelay,
  shouldAdopt,
} from './schedule';

const b64url = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
/** A session JWT as the API issues it (the signature is not checked by the app). */
export const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.c2ln`;
const T0 = 1_700_000_000; // seconds
const session = (over: Record<string, unknown> = {}) =>
  jwt({ iss: 'lt-session', sub: 'u1', tid: 't1', cid: 'c1', roles: ['learner'], iat: T0, exp: T0 + 60, ...over });

describe('readToken', () => {
  it('reads the issue and expiry times and the identity (tenant, user, course)', () => {
    expect(readToken(session())).toEqual({
      identity: JSON.stringify(['t1', 'u1', 'c1']),
      issuedAt: T0 * 1000,
      expiresAt: (T0 + 60) * 1000,
    });
    expect(readToken(session({ cid: null }))?.identity).toBe(JSON.stringify(['t1', 'u1', null]));
  });
  it('is null for what is not a session token', () => {
    for (const t of [null, '', 'ltk_abc', 'a.b', 'a.!!!.c', jwt({ sub: 'u1', tid: 't1' }), jwt({ exp: T0, tid: 't1' })])
      expect(readToken(t)).toBeNull();
  });
});

describe('localSchedule and nextStep', () => {
  const t = readToken(session())!;
  it('renews at 2/3 of the lifetime, on the browser clock when the token just arrived', () => {
    expect(localSchedule(t, null)).toEqual({ renewAt: T0 * 1000 + 40_000, expiresAt: (T0 + 60) * 1000 });
    // The browser's clock is 5 minutes ahead of the server's: the token still has its whole lifetime.
    const skewed = localSchedule(t, T0 * 1000 + 300_000);
    expect(skewed).toEqual({ renewAt: T0 * 1000 + 340_000, expiresAt: (T0 + 360) * 1000 });
  });
  it('a tab spreads its renewal a little earlier, never later', () => {
    expect(localSchedule(t, null, 0.999).renewAt).toBeCloseTo(T0 * 1000 + 40_000 - RENEW_SPREAD * 0.999 * 60_000);
    expect(localSchedule(t, null, 5).renewAt).toBe(T0 * 1000 + 40_000 - RENEW_SPREAD * 60_000);
  });
  it('waits, then renews, then gives the token up near its expiry', () => {
    const s = localSchedule(t, null);
    expect(nextStep(s, T0 * 1000)).toEqual({ kind: 'wait', until: s.renewAt });
    expect(nextStep(s, s.renewAt - 1)).toEqual({ kind: 'wait', until: s.renewAt });
    expect(nextStep(s, s.renewAt)).toEqual({ kind: 'renew' });
    expect(nextStep(s, s.expiresAt - EXPIRY_MARGIN_MS - 1)).toEqual({ kind: 'renew' });
    expect(nextStep(s, s.expiresAt - EXPIRY_MARGIN_MS)).toEqual({ kind: 'expired' });
    expect(nextStep(s, s.expiresAt + 3_600_000)).toEqual({ kind: 'expired' });
  });
});

describe('retryDelay', () => {
  const exp = 1_000_000;
  it('backs off with jitter while there is time', () => {
    const now = exp - 3_600_000;
    expect(retryDelay(0, now, exp, () => 0.999)).toBe(MIN_RETRY_MS);
    expect(retryDelay(3, now, exp, () => 0.5)).toBe(2_000);
    expect(retryDelay(5, now, exp, () => 0.5)).toBe(8_000);
    expect(retryDelay(50, now, exp, () => 0.999)).toBeLessThanOrEqual(30_000);
  });
  it('never waits past a third of what is left of the token, nor less than a second', () => {
    expect(retryDelay(10, exp - 16_000, exp, () => 0.999)).toBe(5_000);
    expect(retryDelay(10, exp - 2_000, exp, () => 0.999)).toBe(MIN_RETRY_MS);
  });
});

describe('readRenewal', () => {
  it('a new token', () => {
    expect(readRenewal(200, { data: { refreshSession: { token: 'new', expiresAt: 'x' } } })).toEqual({ ok: true, token: 'new' });
  });
  it('a refusal is final and keeps the server’s sentence', () => {
    const gone = {
      errors: [
        {
          message: 'You are no longer a member of this course. Open the tool again from your LMS.',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    };
    expect(readRenewal(200, gone)).toEqual({
      ok: false,
      retry: false,
      code: 'UNAUTHENTICATED',
      message: gone.errors[0]!.message,
      expired: false,
    });
    const expired = { errors: [{ message: 'Your session has expired.', extensions: { code: 'UNAUTHENTICATED', reason: 'expired' } }] };
    expect(readRenewal(401, expired)).toMatchObject({ ok: false, retry: false, expired: true });
    expect(readRenewal(200, { errors: [{ message: '', extensions: { code: 'FORBIDDEN' } }] })).toMatchObject({
      retry: false,
      code: 'FORBIDDEN',
      message: expect.stringMatching(/could not be renewed/),
    });
    expect(readRenewal(401, null)).toMatchObject({ ok: false, retry: false });
  });
  it('anything else is retried', () => {
    expect(readRenewal(503, null)).toEqual({ ok: false, retry: true });
    expect(readRenewal(429, { errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED' } }] })).toEqual({
      ok: false,
      retry: true,
    });
    expect(readRenewal(200, { data: { refreshSession: null } })).toEqual({ ok: false, retry: true });
  });
});

describe('shouldAdopt', () => {
  const mine = readToken(session())!;
  it('takes another tab’s token of the same tenant, user and course that lasts longer', () => {
    expect(shouldAdopt(mine, readToken(session({ iat: T0 + 40, exp: T0 + 100 })))).toBe(true);
  });
  it('not an older or equal one, not another person’s or course’s, and not into a tab without a session', () => {
    expect(shouldAdopt(mine, readToken(session()))).toBe(false);
    expect(shouldAdopt(mine, readToken(session({ exp: T0 + 30 })))).toBe(false);
    expect(shouldAdopt(mine, readToken(session({ sub: 'u2', exp: T0 + 100 })))).toBe(false);
    expect(shouldAdopt(mine, readToken(session({ cid: 'c2', exp: T0 + 100 })))).toBe(false);
    expect(shouldAdopt(mine, readToken(session({ tid: 't2', exp: T0 + 100 })))).toBe(false);
    expect(shouldAdopt(null, readToken(session({ exp: T0 + 100 })))).toBe(false);
    expect(shouldAdopt(mine, null)).toBe(false);
  });
});
