/**
 * Session renewal on an open realtime connection: the renewed token goes to the server as a graphql-ws `ping` with
 * `{ renew }`, and its `pong` says whether the server took it (`{ renewed: true }`), so the socket's expiry moves
 * and every subscription carries on. One per connection; it also remembers which token the server holds.
 */

/** How long a renewal on the open connection may wait for the server's pong. */
const RENEW_ANSWER_MS = 10_000;

export type RenewResult = 'renewed' | 'offline' | 'refused';

export function createConnectionRenewal(socket: () => WebSocket | null) {
  /** The token the server holds for this connection (connection_init, or the last renewal on it). */
  let held: string | null = null;
  /** Renewals sent on the open connection, waiting for their pong. */
  const waiting: ((answer: unknown) => void)[] = [];

  return {
    held: () => held,
    /** The token sent in connection_init. */
    opened(token: string): void {
      held = token;
    },
    /** Sends a renewed token on the open connection and waits for the server's answer. */
    send(token: string): Promise<RenewResult> {
      const ws = socket();
      if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve('offline');
      return new Promise((resolve) => {
        const timer = setTimeout(() => done(null), RENEW_ANSWER_MS);
        const done = (answer: unknown) => {
          clearTimeout(timer);
          const i = waiting.indexOf(done);
          if (i >= 0) waiting.splice(i, 1);
          const ok = typeof answer === 'object' && answer !== null && (answer as { renewed?: unknown }).renewed === true;
          if (ok) held = token;
          else if (answer !== null) console.warn('[realtime] the server did not take the renewed session', answer);
          resolve(ok ? 'renewed' : 'refused');
        };
        waiting.push(done);
        try {
          ws.send(JSON.stringify({ type: 'ping', payload: { renew: 'Bearer ' + token } }));
        } catch {
          done(null);
        }
      });
    },
    /** A pong from the server: the answer to the oldest renewal when it carries one. */
    pong(payload: unknown): void {
      if (payload && typeof payload === 'object' && 'renewed' in payload) waiting.shift()?.(payload);
    },
    /** The connection closed: no renewal on it will be answered. */
    closed(): void {
      for (const answer of waiting.splice(0)) answer(null);
    },
  };
}
