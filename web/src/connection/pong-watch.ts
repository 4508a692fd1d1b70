/**
 * A connection that stops answering: after each ping the client sends, a pong must come within the timeout, or
 * the socket is closed (4408) so that it reconnects. A half-open TCP connection (a laptop waking up, a network
 * change) would otherwise look connected for minutes.
 */

/** Close code used when the server stops answering pings. */
const PONG_TIMEOUT_CLOSE_CODE = 4408;

export function createPongWatch(timeoutMs: number, socket: () => WebSocket | null) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    /** A ping went by (`received`: the server's, which needs no watching). */
    ping(received: boolean): void {
      if (received || timeoutMs <= 0) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const ws = socket();
        if (ws?.readyState === WebSocket.OPEN) ws.close(PONG_TIMEOUT_CLOSE_CODE, 'Pong timeout');
      }, timeoutMs);
    },
    /** A pong went by (`received`: the server's answer). */
    pong(received: boolean): void {
      if (received) clearTimeout(timer);
    },
    stop(): void {
      clearTimeout(timer);
    },
  };
}
