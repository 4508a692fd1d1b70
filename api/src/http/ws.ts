/**
 * graphql-ws on the same path as HTTP (`/graphql`), glued to `ws` by hand (graphql-ws's `makeServer`) so that
 * we own authentication at connection_init, the close codes and reasons, the send buffer limit for slow
 * consumers, and graceful shutdown.
 *
 * Close codes: 4401 unauthenticated (bad, missing or expired credential), 4403 forbidden, 4408 no
 * connection_init in time (graphql-ws), 4429 slow consumer (resume with your cursor), 1001 server going away.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeServer, handleProtocols, CloseCode } from 'graphql-ws';
import type { ExecutionArgs } from 'graphql';
import type { Services } from '../services.js';
import type { Metrics } from '../metrics.js';
import type { Yoga } from '../graphql/yoga.js';
import type { Viewer } from '../auth/viewer.js';
import { credentialFromPayload } from '../auth/authenticate.js';
import { AppError } from '../errors.js';

interface Extra {
  socket: WebSocket;
  request: IncomingMessage;
  viewer: Viewer | null;
  operations: Map<string, AbortController>;
  expiryTimer: NodeJS.Timeout | null;
}

export const WS_CLOSE = { unauthenticated: 4401, forbidden: 4403, slowConsumer: 4429, goingAway: 1001 } as const;

const reasonOf = (s: string) => (Buffer.byteLength(s) > 120 ? s.slice(0, 110) + '…' : s);

export function createWsTransport(services: Services, yoga: Yoga, metrics: Metrics) {
  const { config, log } = services;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxRequestBytes, handleProtocols: (p) => handleProtocols(p) });

  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    connectionInitWaitTimeout: config.wsConnectionInitTimeoutMs,
    onConnect: async (ctx) => {
      const credential = credentialFromPayload(ctx.connectionParams);
      if (!credential) {
        throw new AppError('UNAUTHENTICATED', 'Unauthenticated: send a session token or API key as "authorization" in connection_init.');
      }
      const viewer = await services.auth.authenticate(credential);
      ctx.extra.viewer = viewer;
      if (viewer?.kind === 'session') {
        // The socket lives no longer than its session: the client reconnects with a renewed token.
        const ms = Math.max(0, viewer.expiresAt - Date.now());
        ctx.extra.expiryTimer = setTimeout(() => ctx.extra.socket.close(WS_CLOSE.unauthenticated, 'Session expired: renew the session and reconnect.'), Math.min(ms, 2 ** 31 - 1));
      }
      return true;
    },
    onSubscribe: async (ctx, id, payload) => {
      const controller = new AbortController();
      ctx.extra.operations.get(id)?.abort();
      ctx.extra.operations.set(id, controller);
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        viewer: ctx.extra.viewer,
        signal: controller.signal,
      });
      let document;
      try {
        document = parse(payload.query);
      } catch (err) {
        return [err as AppError];
      }
      const errors = validate(schema, document);
      if (errors.length > 0) return errors;
      const args: ExecutionArgs & { rootValue: { execute: typeof execute; subscribe: typeof subscribe } } = {
        schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe },
      };
      return args;
    },
    execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
    subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
    onComplete: (ctx, id) => {
      ctx.extra.operations.get(id)?.abort();
      ctx.extra.operations.delete(id);
    },
  });

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    metrics.wsConnections.inc();
    const extra: Extra = { socket, request, viewer: null, operations: new Map(), expiryTimer: null };
    let alive = true;
    socket.on('pong', () => (alive = true));
    const keepAlive = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, 15_000);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => {
          if (socket.readyState !== socket.OPEN) return;
          socket.send(data);
          if (socket.bufferedAmount > config.wsMaxBufferedBytes) {
            metrics.slowConsumers.inc();
            log.warn({ buffered: socket.bufferedAmount }, 'ws: slow consumer closed');
            socket.close(WS_CLOSE.slowConsumer, 'Slow consumer: too much data waiting to be sent. Reconnect and resume with your cursor.');
          }
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (data, isBinary) => {
            try {
              await cb(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
            } catch (err) {
              if (err instanceof AppError && err.code === 'UNAUTHENTICATED') socket.close(WS_CLOSE.unauthenticated, reasonOf(err.message));
              else if (err instanceof AppError && err.code === 'FORBIDDEN') socket.close(WS_CLOSE.forbidden, reasonOf(err.message));
              else {
                log.error({ err }, 'ws: message handling failed');
                socket.close(CloseCode.InternalServerError, 'Internal server error');
              }
            }
          }),
      },
      extra,
    );
    socket.once('close', (code, reason) => {
      metrics.wsConnections.dec();
      clearInterval(keepAlive);
      if (extra.expiryTimer) clearTimeout(extra.expiryTimer);
      for (const c of extra.operations.values()) c.abort();
      extra.operations.clear();
      void closed(code, reason.toString());
    });
    socket.on('error', (err) => log.warn({ err }, 'ws: socket error'));
  });

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    get clientCount() {
      return wss.clients.size;
    },
    /** Asks every client to reconnect (1012 service restart), e.g. before draining an instance. */
    disconnectAll(reason = 'Reconnect: this instance is draining.'): void {
      for (const ws of wss.clients) ws.close(1012, reason);
    },
    /** Closes every socket with a reason; clients reconnect elsewhere and resume with their cursors. */
    async close(reason = 'Server shutting down: reconnect to resume.'): Promise<void> {
      for (const ws of wss.clients) ws.close(WS_CLOSE.goingAway, reason);
      const deadline = Date.now() + 2000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
