/**
 * The realtime connection: a graphql-ws client kept open from start-up (`lazy: false`)
 * so the shell can show its state at once, retried forever with full-jitter backoff,
 * and reported as `ConnectionEvent`s for the status reducer.
 *
 * `link` is the Apollo link for subscriptions. It forwards to the current client, so
 * the client can be replaced (restart with a new token, recovery from a fatal close)
 * without rebuilding Apollo. Subscriptions opened on a replaced client end with an
 * error and must be resubscribed by their owner.
 *
 * This file is the connection's lifecycle; when to retry is retry-plan.ts, session renewal on the open socket
 * renewal.ts, the pong timeout pong-watch.ts.
 */
import { ApolloLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { throwError } from 'rxjs';
import { type ConnectionEvent, isAuthRejection } from './status';
import { createRetryPlan } from './retry-plan';
import { createConnectionRenewal } from './renewal';
import { createPongWatch } from './pong-watch';

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

function closeCode(errorOrCloseEvent: unknown): number | null {
  if (typeof errorOrCloseEvent === 'object' && errorOrCloseEvent !== null && 'code' in errorOrCloseEvent) {
    const { code } = errorOrCloseEvent as { code: unknown };
    return typeof code === 'number' ? code : null;
  }
  return null;
}

/** A promise that never settles: parks a stopped or replaced client's retry loop for good. */
const never = () => new Promise<void>(() => undefined);

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

  let current: { client: Client; link: GraphQLWsLink; renewal: ReturnType<typeof createConnectionRenewal> } | null = null;
  /** Bumped whenever the client is replaced or stopped; stale clients' callbacks compare against it. */
  let generation = 0;
  const retries = createRetryPlan({ onEvent, random, now });

  function dispose(client: Client): void {
    // dispose() awaits a pending attempt, which may reject; that is expected here.
    Promise.resolve(client.dispose()).catch(() => undefined);
  }

  function open(): void {
    const mine = ++generation;
    const isCurrent = () => mine === generation;
    let activeSocket: WebSocket | null = null;
    const renewal = createConnectionRenewal(() => activeSocket);
    const pong = createPongWatch(pongTimeoutMs, () => activeSocket);
    /**
     * A 4401 for a token this page has since renewed (the renewal did not reach this connection): not a rejection
     * of the session, only of the old token; reconnect with the new one (subscriptions resume from their cursors).
     */
    const staleAuth = (code: number | null) =>
      code === 4401 && renewal.held() !== null && getToken() !== null && getToken() !== renewal.held();
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
        renewal.opened(token);
        return { authorization: 'Bearer ' + token };
      },
      // Retry everything (network errors arrive as plain error events, not CloseEvents)
      // except an explicit rejection of the credentials, or a token that is gone.
      shouldRetry: (errorOrCloseEvent) => getToken() !== null && !rejected(closeCode(errorOrCloseEvent)),
      retryWait: async () => {
        if (!isCurrent()) return never(); // stopped: never retry
        await retries.sleep(retries.next());
        // Stopped or replaced while waiting: park this client for good (it is disposed).
        if (!isCurrent()) await never();
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
        void retries.sleep(retries.next()).then(() => {
          if (isCurrent()) open();
        });
      },
      on: {
        connecting: (isRetry) => {
          if (isCurrent()) onEvent({ type: 'connecting', retry: isRetry || retries.failing() });
        },
        connected: (socket) => {
          activeSocket = socket as WebSocket;
          retries.connected();
          if (!isCurrent()) return;
          retries.reset();
          onEvent({ type: 'connected' });
          // The token was renewed while this connection was being made: hand the server the new one at once.
          const token = getToken();
          if (token && renewal.held() !== token) void renewal.send(token);
        },
        closed: (event) => {
          activeSocket = null;
          const code = closeCode(event);
          retries.closed(staleAuth(code) ? null : code);
          pong.stop();
          renewal.closed();
          if (isCurrent()) onEvent({ type: 'closed', code: staleAuth(code) ? null : code });
        },
        error: () => {
          if (isCurrent()) onEvent({ type: 'error' });
        },
        ping: (received) => pong.ping(received),
        pong: (received, payload) => {
          pong.pong(received);
          if (received) renewal.pong(payload);
        },
      },
    });

    if (current) dispose(current.client);
    current = { client, link: new GraphQLWsLink(client), renewal };
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
      retries.reset();
    },
    restart() {
      retries.reset();
      open();
    },
    wake: retries.wake,
    suspend() {
      current?.client.terminate();
    },
    renew: (token) => current?.renewal.send(token) ?? Promise.resolve('offline'),
  };
}
