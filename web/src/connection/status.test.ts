import { describe, expect, it } from 'vitest';
import {
  type ConnectionEvent,
  type ConnectionStatus,
  initialStatus,
  canRetryNow,
  isAuthRejection,
  reduceConnection,
  showsStatus,
  statusHint,
  statusLabel,
} from './status';

const connecting: ConnectionStatus = { state: 'connecting', reason: null, attempt: 0, nextRetryAt: null, browserOnline: true };
const connected: ConnectionStatus = { state: 'connected', reason: null, attempt: 0, nextRetryAt: null, browserOnline: true };
const reconnecting: ConnectionStatus = { state: 'reconnecting', reason: null, attempt: 2, nextRetryAt: 5_000, browserOnline: true };
const offlineNetwork: ConnectionStatus = { state: 'offline', reason: 'network', attempt: 3, nextRetryAt: 9_000, browserOnline: false };
const signedOut: ConnectionStatus = { state: 'offline', reason: 'signed-out', attempt: 0, nextRetryAt: null, browserOnline: true };

const run = (status: ConnectionStatus, ...events: ConnectionEvent[]) => events.reduce(reduceConnection, status);

describe('initialStatus', () => {
  it('is signed out without a session, whatever the network', () => {
    expect(initialStatus({ signedIn: false, browserOnline: true })).toEqual(signedOut);
    expect(initialStatus({ signedIn: false, browserOnline: false })).toEqual({ ...signedOut, browserOnline: false });
  });
  it('is connecting with a session when online', () => {
    expect(initialStatus({ signedIn: true, browserOnline: true })).toEqual(connecting);
  });
  it('is offline (network) with a session when the browser is offline', () => {
    expect(initialStatus({ signedIn: true, browserOnline: false })).toEqual({
      state: 'offline',
      reason: 'network',
      attempt: 0,
      nextRetryAt: null,
      browserOnline: false,
    });
  });
});

describe('isAuthRejection', () => {
  it('is true only for 4401 and 4403', () => {
    expect(isAuthRejection(4401)).toBe(true);
    expect(isAuthRejection(4403)).toBe(true);
    for (const code of [null, undefined, 1000, 1006, 4400, 4408, 4499, 4500]) expect(isAuthRejection(code)).toBe(false);
  });
});

describe('reduceConnection: connecting', () => {
  it('a first attempt shows connecting and resets the retry bookkeeping', () => {
    expect(reduceConnection(reconnecting, { type: 'connecting', retry: false })).toEqual(connecting);
    expect(reduceConnection(connected, { type: 'connecting', retry: false })).toEqual(connecting);
  });
  it('a fresh client leaves the signed-out state (restart with a new token)', () => {
    expect(reduceConnection(signedOut, { type: 'connecting', retry: false })).toEqual(connecting);
  });
  it('a first attempt while the browser is offline stays offline', () => {
    expect(reduceConnection(offlineNetwork, { type: 'connecting', retry: false })).toEqual({
      ...offlineNetwork,
      attempt: 0,
      nextRetryAt: null,
    });
  });
  it('a retry shows reconnecting, keeps the attempt and clears the pending time', () => {
    expect(reduceConnection(reconnecting, { type: 'connecting', retry: true })).toEqual({ ...reconnecting, nextRetryAt: null });
  });
  it('a retry counts as attempt 1 at least', () => {
    expect(reduceConnection(connecting, { type: 'connecting', retry: true })).toEqual({
      ...connecting,
      state: 'reconnecting',
      attempt: 1,
    });
  });
  it('a retry while the browser is offline stays offline', () => {
    expect(reduceConnection(offlineNetwork, { type: 'connecting', retry: true })).toEqual({ ...offlineNetwork, nextRetryAt: null });
  });
  it('a stray retry does not revive a signed-out status', () => {
    expect(reduceConnection(signedOut, { type: 'connecting', retry: true })).toBe(signedOut);
  });
});

describe('reduceConnection: connected', () => {
  it('is connected from every state and resets attempts', () => {
    for (const from of [connecting, reconnecting, offlineNetwork, signedOut, connected]) {
      expect(reduceConnection(from, { type: 'connected' })).toEqual(connected);
    }
  });
});

describe('reduceConnection: closed and error', () => {
  it('a connected socket that closes is reconnecting', () => {
    expect(reduceConnection(connected, { type: 'closed', code: 1006 })).toEqual({ ...connected, state: 'reconnecting' });
    expect(reduceConnection(connected, { type: 'error' })).toEqual({ ...connected, state: 'reconnecting' });
  });
  it('a failed first attempt is reconnecting', () => {
    expect(reduceConnection(connecting, { type: 'closed', code: null })).toEqual({ ...connecting, state: 'reconnecting' });
    expect(reduceConnection(connecting, { type: 'error' })).toEqual({ ...connecting, state: 'reconnecting' });
  });
  it('a failed retry keeps reconnecting unchanged', () => {
    expect(reduceConnection(reconnecting, { type: 'closed', code: 1006 })).toBe(reconnecting);
    expect(reduceConnection(reconnecting, { type: 'error' })).toBe(reconnecting);
  });
  it('stays offline when the browser is offline', () => {
    expect(reduceConnection(offlineNetwork, { type: 'closed', code: 4499 })).toBe(offlineNetwork);
    expect(reduceConnection(offlineNetwork, { type: 'error' })).toBe(offlineNetwork);
    const connectedButBrowserOffline = { ...connected, browserOnline: false };
    expect(reduceConnection(connectedButBrowserOffline, { type: 'closed', code: 1006 })).toEqual({
      ...connectedButBrowserOffline,
      state: 'offline',
      reason: 'network',
    });
  });
  it('4401 and 4403 mean signed out, from any state', () => {
    for (const code of [4401, 4403]) {
      for (const from of [connecting, connected, reconnecting]) {
        expect(reduceConnection(from, { type: 'closed', code })).toEqual(signedOut);
      }
      expect(reduceConnection(offlineNetwork, { type: 'closed', code })).toEqual({ ...signedOut, browserOnline: false });
    }
  });
  it('ignores closes and errors once signed out', () => {
    expect(reduceConnection(signedOut, { type: 'closed', code: 1000 })).toBe(signedOut);
    expect(reduceConnection(signedOut, { type: 'error' })).toBe(signedOut);
  });
});

describe('reduceConnection: retry-scheduled', () => {
  it('records the attempt and time while reconnecting', () => {
    expect(reduceConnection(connected, { type: 'retry-scheduled', attempt: 1, at: 1_234 })).toEqual({
      ...connected,
      state: 'reconnecting',
      attempt: 1,
      nextRetryAt: 1_234,
    });
    expect(reduceConnection(reconnecting, { type: 'retry-scheduled', attempt: 3, at: 8_000 })).toEqual({
      ...reconnecting,
      attempt: 3,
      nextRetryAt: 8_000,
    });
  });
  it('records the attempt but stays offline while the browser is offline', () => {
    expect(reduceConnection(offlineNetwork, { type: 'retry-scheduled', attempt: 4, at: 20_000 })).toEqual({
      ...offlineNetwork,
      attempt: 4,
      nextRetryAt: 20_000,
    });
  });
  it('is ignored once signed out', () => {
    expect(reduceConnection(signedOut, { type: 'retry-scheduled', attempt: 1, at: 1 })).toBe(signedOut);
  });
});

describe('reduceConnection: browser online/offline', () => {
  it('going offline shows offline (network) and keeps the retry bookkeeping', () => {
    expect(reduceConnection(connected, { type: 'browser-offline' })).toEqual({
      ...connected,
      state: 'offline',
      reason: 'network',
      browserOnline: false,
    });
    expect(reduceConnection(reconnecting, { type: 'browser-offline' })).toEqual({
      ...reconnecting,
      state: 'offline',
      reason: 'network',
      browserOnline: false,
    });
    expect(reduceConnection(connecting, { type: 'browser-offline' })).toEqual({
      ...connecting,
      state: 'offline',
      reason: 'network',
      browserOnline: false,
    });
  });
  it('going offline when signed out keeps the signed-out reason', () => {
    expect(reduceConnection(signedOut, { type: 'browser-offline' })).toEqual({ ...signedOut, browserOnline: false });
  });
  it('coming back online after failed attempts shows reconnecting, retrying now', () => {
    expect(reduceConnection(offlineNetwork, { type: 'browser-online' })).toEqual({
      state: 'reconnecting',
      reason: null,
      attempt: 3,
      nextRetryAt: null,
      browserOnline: true,
    });
  });
  it('coming back online before any attempt failed shows connecting', () => {
    const neverTried = initialStatus({ signedIn: true, browserOnline: false });
    expect(reduceConnection(neverTried, { type: 'browser-online' })).toEqual(connecting);
  });
  it('coming back online when signed out stays signed out', () => {
    const signedOutOffline = { ...signedOut, browserOnline: false };
    expect(reduceConnection(signedOutOffline, { type: 'browser-online' })).toEqual(signedOut);
  });
  it('an online event while not offline only records the flag', () => {
    expect(reduceConnection(connected, { type: 'browser-online' })).toBe(connected);
    expect(reduceConnection({ ...reconnecting, browserOnline: false }, { type: 'browser-online' })).toEqual(reconnecting);
  });
});

describe('reduceConnection: signed-out', () => {
  it('goes offline (signed-out) from every state and forgets retries', () => {
    for (const from of [connecting, connected, reconnecting]) {
      expect(reduceConnection(from, { type: 'signed-out' })).toEqual(signedOut);
    }
    expect(reduceConnection(offlineNetwork, { type: 'signed-out' })).toEqual({ ...signedOut, browserOnline: false });
  });
  it('is idempotent', () => {
    expect(reduceConnection(signedOut, { type: 'signed-out' })).toBe(signedOut);
  });
});

describe('reduceConnection: realistic sequences', () => {
  it('server restart: connected → closed → retries → connected', () => {
    const end = run(
      connected,
      { type: 'closed', code: 1006 },
      { type: 'retry-scheduled', attempt: 1, at: 100 },
      { type: 'connecting', retry: true },
      { type: 'error' },
      { type: 'closed', code: 1006 },
      { type: 'retry-scheduled', attempt: 2, at: 900 },
    );
    expect(end).toEqual({ state: 'reconnecting', reason: null, attempt: 2, nextRetryAt: 900, browserOnline: true });
    expect(run(end, { type: 'connecting', retry: true }, { type: 'connected' })).toEqual(connected);
  });

  it('token rejected on connect: connecting → closed 4403 → signed out, and stays there', () => {
    const end = run(connecting, { type: 'closed', code: 4403 }, { type: 'browser-offline' }, { type: 'browser-online' });
    expect(end).toEqual(signedOut);
  });

  it('laptop sleeps: offline → socket closes → retries scheduled → online → connected', () => {
    const end = run(
      connected,
      { type: 'browser-offline' },
      { type: 'closed', code: 4499 },
      { type: 'retry-scheduled', attempt: 1, at: 300 },
    );
    expect(end.state).toBe('offline');
    const back = run(end, { type: 'browser-online' });
    expect(back).toEqual({ state: 'reconnecting', reason: null, attempt: 1, nextRetryAt: null, browserOnline: true });
    expect(run(back, { type: 'connecting', retry: true }, { type: 'connected' })).toEqual(connected);
  });
});

describe('statusLabel and statusHint', () => {
  const time = (ms: number) => `t${ms}`;
  it('labels each state', () => {
    expect(statusLabel(connected)).toBe('Connected');
    expect(statusLabel(connecting)).toBe('Connecting…');
    expect(statusLabel(reconnecting)).toBe('Reconnecting…');
    expect(statusLabel({ ...reconnecting, attempt: 0 })).toBe('Reconnecting…');
    expect(statusLabel(offlineNetwork)).toBe('Offline');
    expect(statusLabel(signedOut)).toBe('Not signed in');
  });
  it('shows no pill without a session, and one in every other state', () => {
    expect(showsStatus(signedOut)).toBe(false);
    expect(showsStatus({ ...signedOut, browserOnline: false })).toBe(false);
    for (const s of [connected, connecting, reconnecting, offlineNetwork]) expect(showsStatus(s)).toBe(true);
  });
  it('explains each state', () => {
    expect(statusHint(reconnecting, time)).toBe('Connection lost. Next attempt at t5000.');
    expect(statusHint({ ...reconnecting, nextRetryAt: null }, time)).toBe('Connection lost. Trying to reconnect now.');
    expect(statusHint(signedOut, time)).toMatch(/Not signed in/);
    expect(statusHint(offlineNetwork, time)).toMatch(/No network connection/);
    expect(statusHint(connected, time)).toMatch(/Live updates/);
    expect(statusHint(connecting, time)).toMatch(/Connecting/);
  });
});

describe('too many connections (close 4430)', () => {
  it('goes offline with its own reason and hint, keeps the long retry time, and recovers on connect', () => {
    const refused = run(connected, { type: 'closed', code: 4430 });
    expect(refused).toMatchObject({ state: 'offline', reason: 'too-many-connections' });
    expect(isAuthRejection(4430)).toBe(false);
    const waiting = run(refused, { type: 'retry-scheduled', attempt: 1, at: 90_000 });
    expect(waiting).toMatchObject({ state: 'offline', reason: 'too-many-connections', nextRetryAt: 90_000 });
    expect(statusHint(waiting, (ms) => `t${ms}`)).toMatch(/Too many tabs or devices.*Close one; this tab tries again at t90000/);
    expect(statusLabel(waiting)).toBe('Offline');
    expect(run(waiting, { type: 'connecting', retry: true }, { type: 'connected' })).toEqual(connected);
  });
});

describe('canRetryNow ("Retry now", focus, visibility)', () => {
  it('only while reconnecting: not when connected, offline, refused for too many connections or signed out', () => {
    expect(canRetryNow(reconnecting)).toBe(true);
    expect(canRetryNow({ ...reconnecting, nextRetryAt: null })).toBe(true);
    const tooMany = run(connected, { type: 'closed', code: 4430 }, { type: 'retry-scheduled', attempt: 1, at: 90_000 });
    for (const s of [connected, connecting, offlineNetwork, signedOut, tooMany]) expect(canRetryNow(s)).toBe(false);
  });
});
