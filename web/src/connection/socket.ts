/**
 * The realtime connection: a graphql-ws client kept open from start-up (`lazy: false`)
 * so the shell can show its state at once, retried forever with full-jitter backoff,
 * and reported as `ConnectionEvent`s for the status reducer.
 *
 * `link` is the Apollo link for subscriptions. It forwards to the current client, so
 * the client can be replaced (restart with a new token, recovery from a fatal close)
 * without rebuilding Apollo. Subscriptions opened on a replaced client end with an
 * error and must be resubscribed by their owner.
 */
import { ApolloLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { throwError } from 'rxjs';
import { backoffDelay } from './backoff';
import { type ConnectionEvent, isAuthRejection, TOO_MANY_CONNECTIONS_CLOSE_CODE, TOO_MANY_CONNECTIONS_RETRY_MS } from './status';

export interface RealtimeSocketOptions {
  /** WebSocket URL, or a function read on every connection attempt. */
  url: string | (() => string);
  getToken: () => string | null;
  onEvent: (event: ConnectionEvent) => void;
  /** The server rejected the token (close 4401/4403) while one was present. */
  onAuthRejected?: () => void;
  /** Interval of client pings; a missing pong closes the socket so it reconnects. 0 disables. */
  keepAliveMs?: number;
  pongTimeoutMs?: number;
  /** How long to wait for the server's ConnectionAck before retrying. */
  ackTimeoutMs?: number;
  random?: () => number;
  now?: () => number;
}

export interface RealtimeSocket {
  /** Terminating Apollo link for subscription operations. */
  readonly link: ApolloLink;
  /** Open the connection (no-op when already started). */
  start(): void;
  /** Close the connection and stop retrying. */
  stop(): void;
  /** Replace the client, e.g. after the token changed. */
  restart(): void;
  /** Cut a pending backoff short and retry now (the browser came back online). */
  wake(): void;
  /** Drop the socket now (the browser went offline); it is retried with backoff. */
  suspend(): void;
  /**
   * A renewed session token: sent on the open connection (a graphql-ws `ping` with `{ renew }`), so the server
   * moves the socket's expiry and every subscription carries on. 'renewed' when the server took it; 'offline' when
   * no connection is open (the next one starts with the new token); 'refused' when the server said no or did not
   * answer (the socket then closes when its old token expires and reconnects with the new one).
   */
  renew(token: string): Promise<'renewed' | 'offline' | 'refused'>;
}

/** Close code used when the server stops answering pings. */
export const PONG_TIMEOUT_CLOSE_CODE = 4408;
/** How long a renewal on the open connection may wait for the server's pong. */
export const RENEW_ANSWER_MS = 10_000;

function closeCode(errorOrCloseEvent: unknown): number | null {
  if (typeof errorOrCloseEvent === 'object' && errorOrCloseEvent !== null && 'code' in errorOrCloseEvent) {
    const { code } = errorOrCloseEvent as { code: unknown };
    return typeof code === 'number' ? code : null;
  }
  return null;
}

export function createRealtimeSocket(options: RealtimeSocketOptions): RealtimeSocket {
  const {
    url,
    getToken,
    onEvent,
    onAuthRejected,
    keepAliveMs = 15_000,
    pongTimeoutMs = 5_000,
    ackTimeoutMs = 10_000,
    random = Math.random,
    now = Date.now,
  } = options;

  let current: {
    client: Client;
    link: GraphQLWsLink;
    /** The open connection, once acknowledged. */
    socket: () => WebSocket | null;
    /** The token the server holds for this client's connection (connection_init, or the last renewal on it). */
    token: { value: string | null };
    /** Renewals sent on the open connection, waiting for their pong. */
    renewing: ((answer: unknown) => void)[];
  } | null = null;
  /** Bumped whenever the client is replaced or stopped; stale clients' callbacks compare against it. */
  let generation = 0;
  /** Consecutive failed attempts, across client replacements; reset on connect. */
  let failures = 0;
  const sleepers = new Set<() => void>();

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  /** The code of the last close; a 4430 (too many connections) makes the next wait long. */
  let lastCloseCode: number | null = null;

  /** Counts a failure, announces the retry and returns how long to wait for it. */
  function scheduleRetry(): number {
    failures += 1;
    const limited = lastCloseCode === TOO_MANY_CONNECTIONS_CLOSE_CODE;
    // Refused for too many connections: wait a minute or two (spread, so that a user's tabs do not retry together).
    const delay = limited ? TOO_MANY_CONNECTIONS_RETRY_MS + Math.floor(random() * TOO_MANY_CONNECTIONS_RETRY_MS) : backoffDelay(failures - 1, random);
    onEvent({ type: 'retry-scheduled', attempt: failures, at: now() + delay });
    return delay;
  }

  function dispose(client: Client): void {
    // dispose() awaits a pending attempt, which may reject; that is expected here.
    Promise.resolve(client.dispose()).catch(() => undefined);
  }

  function open(): void {
    const mine = ++generation;
    const isCurrent = () => mine === generation;
    let activeSocket: WebSocket | null = null;
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    const held: { value: string | null } = { value: null };
    const renewing: ((answer: unknown) => void)[] = [];
    /**
     * A 4401 for a token this page has since renewed (the renewal did not reach this connection): not a rejection
     * of the session, only of the old token; reconnect with the new one (subscriptions resume from their cursors).
     */
    const staleAuth = (code: number | null) => code === 4401 && held.value !== null && getToken() !== null && getToken() !== held.value;
    const rejected = (code: number | null) => isAuthRejection(code) && !staleAuth(code);

    const client = createClient({
      url: typeof url === 'function' ? () => url() : url,
      lazy: false,
      retryAttempts: Infinity,
      keepAlive: keepAliveMs,
      connectionAckWaitTimeout: ackTimeoutMs,
      connectionParams: () => {
        const token = getToken();
        // Throwing closes the socket (4005) and ends up in onNonLazyError below as "signed out".
        if (!token) throw new Error('Not signed in');
        held.value = token;
        return { authorization: 'Bearer ' + token };
      },
      // Retry everything (network errors arrive as plain error events, not CloseEvents)
      // except an explicit rejection of the credentials, or a token that is gone.
      shouldRetry: (errorOrCloseEvent) => getToken() !== null && !rejected(closeCode(errorOrCloseEvent)),
      retryWait: async () => {
        if (!isCurrent()) return new Promise<void>(() => undefined); // stopped: never retry
        await sleep(scheduleRetry());
        // Stopped or replaced while waiting: park this client for good (it is disposed).
        if (!isCurrent()) await new Promise<void>(() => undefined);
      },
      onNonLazyError: (errorOrCloseEvent) => {
        if (!isCurrent()) return;
        const signedOut = rejected(closeCode(errorOrCloseEvent)) || !getToken();
        if (signedOut) {
          stopClient();
          if (getToken()) onAuthRejected?.();
          onEvent({ type: 'signed-out' });
          return;
        }
        // A close graphql-ws treats as fatal (e.g. 4500 when the server failed during
        // connection init): replace the client after a backoff instead of giving up.
        console.warn('[realtime] connection failed, replacing the client', errorOrCloseEvent);
        void sleep(scheduleRetry()).then(() => {
          if (isCurrent()) open();
        });
      },
      on: {
        connecting: (isRetry) => {
          if (isCurrent()) onEvent({ type: 'connecting', retry: isRetry || failures > 0 });
        },
        connected: (socket) => {
          activeSocket = socket as WebSocket;
          lastCloseCode = null;
          if (!isCurrent()) return;
          failures = 0;
          onEvent({ type: 'connected' });
          // The token was renewed while this connection was being made: hand the server the new one at once.
          const token = getToken();
          if (token && held.value !== token) void sendRenewal(token);
        },
        closed: (event) => {
          activeSocket = null;
          const code = closeCode(event);
          lastCloseCode = staleAuth(code) ? null : code;
          clearTimeout(pongTimer);
          for (const answer of renewing.splice(0)) answer(null);
          if (isCurrent()) onEvent({ type: 'closed', code: staleAuth(code) ? null : code });
        },
        error: () => {
          if (isCurrent()) onEvent({ type: 'error' });
        },
        ping: (received) => {
          if (received || pongTimeoutMs <= 0) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => {
            if (activeSocket?.readyState === WebSocket.OPEN) activeSocket.close(PONG_TIMEOUT_CLOSE_CODE, 'Pong timeout');
          }, pongTimeoutMs);
        },
        pong: (received, payload) => {
          if (received) clearTimeout(pongTimer);
          if (received && payload && typeof payload === 'object' && 'renewed' in payload) renewing.shift()?.(payload);
        },
      },
    });

    if (current) dispose(current.client);
    current = { client, link: new GraphQLWsLink(client), socket: () => activeSocket, token: held, renewing };
  }

  /** Sends a renewed token on the current open connection and waits for the server's answer. */
  function sendRenewal(token: string): Promise<'renewed' | 'offline' | 'refused'> {
    const c = current;
    const socket = c?.socket();
    if (!c || !socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve('offline');
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), RENEW_ANSWER_MS);
      const done = (answer: unknown) => {
        clearTimeout(timer);
        const i = c.renewing.indexOf(done);
        if (i >= 0) c.renewing.splice(i, 1);
        const ok = typeof answer === 'object' && answer !== null && (answer as { renewed?: unknown }).renewed === true;
        if (ok) c.token.value = token;
        else if (answer !== null) console.warn('[realtime] the server did not take the renewed session', answer);
        resolve(ok ? 'renewed' : 'refused');
      };
      c.renewing.push(done);
      try {
        socket.send(JSON.stringify({ type: 'ping', payload: { renew: 'Bearer ' + token } }));
      } catch {
        done(null);
      }
    });
  }

  function stopClient(): void {
    generation++;
    if (current) dispose(current.client);
    current = null;
  }

  const link = new ApolloLink((operation) => {
    if (!current) return throwError(() => new Error('The realtime connection is not open (not signed in).'));
    return current.link.request(operation);
  });

  return {
    link,
    start() {
      if (!current) open();
    },
    stop() {
      stopClient();
      failures = 0;
    },
    restart() {
      failures = 0;
      open();
    },
    wake() {
      for (const wakeUp of [...sleepers]) wakeUp();
    },
    suspend() {
      current?.client.terminate();
    },
    renew: sendRenewal,
  };
}
