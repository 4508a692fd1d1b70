// The realtime socket against a real WebSocket server that refuses it with 4430 (too many connections): the
// retry waits a minute or more instead of the usual short backoff, and the status says why.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, WebSocket as NodeWebSocket } from 'ws';
import { createRealtimeSocket } from './socket';
import { reduceConnection, initialStatus, type ConnectionEvent } from './status';

describe('createRealtimeSocket, refused for too many connections', () => {
  let server: WebSocketServer | null = null;
  const original = (globalThis as { WebSocket?: unknown }).WebSocket;
  afterEach(() => {
    server?.close();
    (globalThis as { WebSocket?: unknown }).WebSocket = original;
  });

  it('waits at least a minute before retrying after 4430, and shows it', async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = NodeWebSocket;
    server = new WebSocketServer({ port: 0, handleProtocols: () => 'graphql-transport-ws' });
    server.on('connection', (ws) => ws.on('message', () => ws.close(4430, 'Too many connections: close one.')));
    await new Promise((r) => server!.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const events: ConnectionEvent[] = [];
    const now = 1_000_000;
    const socket = createRealtimeSocket({
      url: `ws://127.0.0.1:${port}`,
      getToken: () => 'token',
      onEvent: (e) => events.push(e),
      random: () => 0,
      now: () => now,
      keepAliveMs: 0,
    });
    socket.start();
    try {
      const deadline = Date.now() + 10_000;
      while (!events.some((e) => e.type === 'retry-scheduled')) {
        if (Date.now() > deadline) throw new Error(`no retry scheduled: ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const retry = events.find((e) => e.type === 'retry-scheduled') as Extract<ConnectionEvent, { type: 'retry-scheduled' }>;
      expect(retry.at - now).toBeGreaterThanOrEqual(60_000);
      const status = events.reduce(reduceConnection, initialStatus({ signedIn: true, browserOnline: true }));
      expect(status).toMatchObject({ state: 'offline', reason: 'too-many-connections', nextRetryAt: retry.at });
    } finally {
      socket.stop();
    }
  });
});
