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
}

/** Close code used when the server stops answering pings. */
export const PONG_TIMEOUT_CLOSE_CODE = 4408;

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

  let current: { client: Client; link: GraphQLWsLink } | null = null;
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
        return { authorization: 'Bearer ' + token };
      },
      // Retry everything (network errors arrive as plain error events, not CloseEvents)
      // except an explicit rejection of the credentials, or a token that is gone.
      shouldRetry: (errorOrCloseEvent) => getToken() !== null && !isAuthRejection(closeCode(errorOrCloseEvent)),
      retryWait: async () => {
        if (!isCurrent()) return new Promise<void>(() => undefined); // stopped: never retry
        await sleep(scheduleRetry());
        // Stopped or replaced while waiting: park this client for good (it is disposed).
        if (!isCurrent()) await new Promise<void>(() => undefined);
      },
      onNonLazyError: (errorOrCloseEvent) => {
        if (!isCurrent()) return;
        const signedOut = isAuthRejection(closeCode(errorOrCloseEvent)) || !getToken();
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
        },
        closed: (event) => {
          activeSocket = null;
          lastCloseCode = closeCode(event);
          clearTimeout(pongTimer);
          if (isCurrent()) onEvent({ type: 'closed', code: closeCode(event) });
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
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
      },
    });

    if (current) dispose(current.client);
    current = { client, link: new GraphQLWsLink(client) };
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
  };
}
