/**
 * Connection status of the realtime (GraphQL over WebSocket) link, as a pure reducer.
 * The socket wiring (connection/socket.ts) and the browser's online/offline events
 * turn what happens into `ConnectionEvent`s; this module decides what the shell shows.
 */
type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/**
 * Why the state is 'offline'. 'too-many-connections': the server refused this tab (close 4430) because the
 * account has too many tabs or devices connected; it retries after a long wait, not at once.
 */
type OfflineReason = 'signed-out' | 'network' | 'too-many-connections';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Set only while `state` is 'offline'. */
  reason: OfflineReason | null;
  /** Number of the retry in progress or scheduled (1 = first retry); 0 when none. */
  attempt: number;
  /** Epoch milliseconds of the next scheduled retry; null when none is pending. */
  nextRetryAt: number | null;
  /** Last known `navigator.onLine`. */
  browserOnline: boolean;
}

export type ConnectionEvent =
  /** The socket starts a connection attempt (graphql-ws `connecting`). */
  | { type: 'connecting'; retry: boolean }
  /** The server acknowledged the connection (graphql-ws `connected`). */
  | { type: 'connected' }
  /** The socket closed (graphql-ws `closed`); `code` is the CloseEvent code when there is one. */
  | { type: 'closed'; code: number | null }
  /** The socket reported an error (graphql-ws `error`). */
  | { type: 'error' }
  /** A retry was scheduled: retry number `attempt` will start at `at` (epoch ms). */
  | { type: 'retry-scheduled'; attempt: number; at: number }
  | { type: 'browser-offline' }
  | { type: 'browser-online' }
  /** There is no session (no token, or the app signed out): do not connect. */
  | { type: 'signed-out' };

/** Close codes with which the server rejects the connection's credentials. */
const AUTH_REJECTED_CLOSE_CODES: readonly number[] = [4401, 4403];

export function isAuthRejection(code: number | null | undefined): boolean {
  return code != null && AUTH_REJECTED_CLOSE_CODES.includes(code);
}

/** Close code with which the server refuses a socket over the per-user limit (WS_MAX_SOCKETS_PER_USER). */
export const TOO_MANY_CONNECTIONS_CLOSE_CODE = 4430;
/** The shortest wait before retrying after a 4430: other tabs must close first; retrying at once only loops. */
export const TOO_MANY_CONNECTIONS_RETRY_MS = 60_000;

export function initialStatus(options: { signedIn: boolean; browserOnline: boolean }): ConnectionStatus {
  const { signedIn, browserOnline } = options;
  if (!signedIn) return signedOut(browserOnline);
  if (!browserOnline) return { state: 'offline', reason: 'network', attempt: 0, nextRetryAt: null, browserOnline };
  return { state: 'connecting', reason: null, attempt: 0, nextRetryAt: null, browserOnline };
}

function signedOut(browserOnline: boolean): ConnectionStatus {
  return { state: 'offline', reason: 'signed-out', attempt: 0, nextRetryAt: null, browserOnline };
}

/** The connection ended (close or error) and the client will retry. */
function lost(status: ConnectionStatus): ConnectionStatus {
  if (status.reason === 'signed-out') return status;
  if (!status.browserOnline) {
    return status.state === 'offline' ? status : { ...status, state: 'offline', reason: 'network' };
  }
  if (status.state === 'reconnecting') return status;
  return { ...status, state: 'reconnecting', reason: null };
}

export function reduceConnection(status: ConnectionStatus, event: ConnectionEvent): ConnectionStatus {
  switch (event.type) {
    case 'signed-out':
      return status.reason === 'signed-out' && status.attempt === 0 && status.nextRetryAt === null
        ? status
        : signedOut(status.browserOnline);

    case 'connecting':
      if (event.retry) {
        // Retries only come from a client that is still running; one that was
        // signed out has been stopped, so a stray retry must not revive the status.
        if (status.reason === 'signed-out') return status;
        const attempt = Math.max(status.attempt, 1);
        if (!status.browserOnline) return { ...status, state: 'offline', reason: 'network', attempt, nextRetryAt: null };
        return { ...status, state: 'reconnecting', reason: null, attempt, nextRetryAt: null };
      }
      // A fresh client starts (first connection, or a restart with a new token).
      if (!status.browserOnline) return { ...status, state: 'offline', reason: 'network', attempt: 0, nextRetryAt: null };
      return { ...status, state: 'connecting', reason: null, attempt: 0, nextRetryAt: null };

    case 'connected':
      // The server answered, so the browser is evidently online whatever it said before.
      return { state: 'connected', reason: null, attempt: 0, nextRetryAt: null, browserOnline: true };

    case 'closed':
      if (isAuthRejection(event.code)) return signedOut(status.browserOnline);
      if (event.code === TOO_MANY_CONNECTIONS_CLOSE_CODE && status.reason !== 'signed-out')
        return { ...status, state: 'offline', reason: 'too-many-connections', nextRetryAt: null };
      return lost(status);

    case 'error':
      return lost(status);

    case 'retry-scheduled':
      if (status.reason === 'signed-out') return status;
      if (status.reason === 'too-many-connections') return { ...status, attempt: event.attempt, nextRetryAt: event.at };
      if (!status.browserOnline) {
        return { ...status, state: 'offline', reason: 'network', attempt: event.attempt, nextRetryAt: event.at };
      }
      return { ...status, state: 'reconnecting', reason: null, attempt: event.attempt, nextRetryAt: event.at };

    case 'browser-offline':
      if (status.reason === 'signed-out') return status.browserOnline ? { ...status, browserOnline: false } : status;
      return { ...status, state: 'offline', reason: 'network', browserOnline: false };

    case 'browser-online':
      if (status.state !== 'offline' || status.reason === 'signed-out') {
        return status.browserOnline ? status : { ...status, browserOnline: true };
      }
      // Back online: the socket is woken up and retries at once.
      return {
        ...status,
        state: status.attempt > 0 ? 'reconnecting' : 'connecting',
        reason: null,
        nextRetryAt: null,
        browserOnline: true,
      };
  }
}

/** Short visible text for the status indicator. */
export function statusLabel(status: ConnectionStatus): string {
  switch (status.state) {
    case 'connected':
      return 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      // No attempt count: it means nothing to people and widens the pill, which carries "Retry now" then.
      return 'Reconnecting…';
    case 'offline':
      // Without a session there is no connection to speak of; the shell hides the pill (showsStatus).
      return status.reason === 'signed-out' ? 'Not signed in' : 'Offline';
  }
}

/** Whether the shell shows the connection pill: not without a session, where "Offline" would only mislead. */
export function showsStatus(status: ConnectionStatus): boolean {
  return status.reason !== 'signed-out';
}

/**
 * Whether retrying at once makes sense ("Retry now", the page regaining focus or visibility): the connection was
 * lost and the socket waits out its backoff. Not when the browser is offline (it would fail), not when the server
 * refused this tab for too many connections (other tabs must close first), not without a session.
 */
export function canRetryNow(status: ConnectionStatus): boolean {
  return status.state === 'reconnecting';
}

/** Longer explanation (tooltip / screen-reader detail). `formatTime` renders `nextRetryAt`. */
export function statusHint(status: ConnectionStatus, formatTime: (epochMs: number) => string): string {
  switch (status.state) {
    case 'connected':
      return 'Live updates are on.';
    case 'connecting':
      return 'Connecting to the server…';
    case 'reconnecting':
      return status.nextRetryAt === null
        ? 'Connection lost. Trying to reconnect now.'
        : `Connection lost. Next attempt at ${formatTime(status.nextRetryAt)}.`;
    case 'offline':
      if (status.reason === 'too-many-connections') {
        const when = status.nextRetryAt === null ? 'later' : `at ${formatTime(status.nextRetryAt)}`;
        return `Too many tabs or devices are connected with your account, so live updates are off here. Close one; this tab tries again ${when}.`;
      }
      return status.reason === 'signed-out'
        ? 'Not signed in, so live updates are off.'
        : 'No network connection. Will reconnect when you are back online.';
  }
}
