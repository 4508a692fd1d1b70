/**
 * When to renew the session token, as plain functions (renewer.ts does the timers, the network and the tabs).
 *
 * A token is renewed at 2/3 of its lifetime (issued `iat` to expiry `exp`, read from the token itself, on the
 * browser's clock: the difference between the server's `iat` and the moment the token arrived is the clock skew).
 * A renewal that fails on the network is retried with backoff, more often as the expiry nears; one the server
 * refuses (UNAUTHENTICATED, FORBIDDEN: membership removed, session expired) is final and says why.
 */
import { backoffDelay } from '../connection/backoff';

/** Renew when this share of the token's lifetime has passed. */
const RENEW_FRACTION = 2 / 3;
/** Tabs spread their renewals over this share of the lifetime before RENEW_FRACTION, so they rarely renew together. */
export const RENEW_SPREAD = 0.08;
/** A token this close to its expiry is treated as expired (a request would not arrive in time). */
export const EXPIRY_MARGIN_MS = 1_000;
/** Retries after a network failure wait at least this long... */
export const MIN_RETRY_MS = 1_000;

/** What the app reads from a session token (unverified: only for scheduling and for matching tabs). */
export interface TokenTimes {
  /** Tenant, user and course: tabs with the same identity may share a renewed token. */
  identity: string;
  /** Server clock, epoch ms. */
  issuedAt: number;
  expiresAt: number;
}

function base64UrlJson(part: string): unknown {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The times and identity in a session JWT; null when it is not one (an API key, garbage). */
export function readToken(token: string | null): TokenTimes | null {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const p = base64UrlJson(parts[1]!) as Record<string, unknown>;
    if (typeof p['exp'] !== 'number' || typeof p['sub'] !== 'string' || typeof p['tid'] !== 'string') return null;
    const exp = p['exp'] * 1000;
    const iat = typeof p['iat'] === 'number' ? p['iat'] * 1000 : exp - 3_600_000;
    return { identity: JSON.stringify([p['tid'], p['sub'], p['cid'] ?? null]), issuedAt: Math.min(iat, exp), expiresAt: exp };
  } catch {
    return null;
  }
}

/** A token's renewal and expiry on the browser's clock. */
export interface LocalSchedule {
  renewAt: number;
  expiresAt: number;
}

/**
 * `receivedAt`: when this page got the token fresh from the server (then `receivedAt - issuedAt` is the skew
 * between the clocks); null for a token read back from storage (no skew known: the clocks are taken as equal).
 * `spread` in [0, 1) moves the renewal earlier by up to RENEW_SPREAD of the lifetime (each tab draws its own).
 */
export function localSchedule(t: TokenTimes, receivedAt: number | null, spread = 0): LocalSchedule {
  const skew = receivedAt === null ? 0 : receivedAt - t.issuedAt;
  const lifetime = Math.max(0, t.expiresAt - t.issuedAt);
  const fraction = RENEW_FRACTION - RENEW_SPREAD * Math.min(Math.max(spread, 0), 1);
  return { renewAt: t.issuedAt + skew + lifetime * fraction, expiresAt: t.expiresAt + skew };
}

export type RenewalStep = { kind: 'wait'; until: number } | { kind: 'renew' } | { kind: 'expired' };

/** What to do now: wait until the renewal is due, renew, or give up on this token (it has expired). */
export function nextStep(s: LocalSchedule, now: number): RenewalStep {
  if (now >= s.expiresAt - EXPIRY_MARGIN_MS) return { kind: 'expired' };
  if (now >= s.renewAt) return { kind: 'renew' };
  return { kind: 'wait', until: s.renewAt };
}

/** Its own backoff, not the realtime socket's (tuned for reconnecting people fast): 0.5 s doubling to 30 s. */
const RENEWAL_BACKOFF = { baseMs: 500, capMs: 30_000 };

/**
 * The wait before retry number `attempt` (0-based) after a network failure: backoff with jitter, but never so
 * long that the token expires meanwhile (at most a third of what is left), and never a busy loop.
 */
export function retryDelay(attempt: number, now: number, expiresAt: number, random: () => number = Math.random): number {
  const left = expiresAt - EXPIRY_MARGIN_MS - now;
  return Math.max(MIN_RETRY_MS, Math.min(backoffDelay(attempt, random, RENEWAL_BACKOFF), Math.floor(left / 3)));
}

export type RenewalResult =
  | { ok: true; token: string }
  /** Worth retrying: no answer, a 5xx, a rate limit, an unexpected answer. */
  | { ok: false; retry: true }
  /** The server said no; `expired` when only this token's age is the reason (another tab may hold a newer one). */
  | { ok: false; retry: false; code: string; message: string; expired: boolean };

const REFUSED_FALLBACK = 'Your session could not be renewed. Open the tool again from your LMS.';

/** Reads the answer to `refreshSession` (status and parsed JSON body; body null when it was not JSON). */
export function readRenewal(status: number, body: unknown): RenewalResult {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    data?: { refreshSession?: { token?: unknown } | null } | null;
    errors?: { message?: unknown; extensions?: { code?: unknown; reason?: unknown } }[];
  };
  const token = b.data?.refreshSession?.token;
  if (typeof token === 'string' && token.length > 0) return { ok: true, token };
  const error = Array.isArray(b.errors) ? b.errors[0] : undefined;
  const code = error?.extensions?.code;
  if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') {
    return {
      ok: false,
      retry: false,
      code,
      message: typeof error?.message === 'string' && error.message ? error.message : REFUSED_FALLBACK,
      expired: error?.extensions?.reason === 'expired',
    };
  }
  if (status === 401 || status === 403)
    return { ok: false, retry: false, code: 'UNAUTHENTICATED', message: REFUSED_FALLBACK, expired: false };
  return { ok: false, retry: true };
}

/** Whether a token offered by another tab should replace this tab's: same tenant, user and course, and it lasts longer. */
export function shouldAdopt(mine: TokenTimes | null, offered: TokenTimes | null): boolean {
  if (!offered) return false;
  if (!mine) return false; // a tab without a session does not take one from another tab
  return offered.identity === mine.identity && offered.expiresAt > mine.expiresAt;
}
