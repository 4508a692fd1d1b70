/**
 * graphql-ws on the same path as HTTP (`/graphql`), glued to `ws` by hand (graphql-ws's `makeServer`) so that
 * we own authentication at connection_init, the close codes and reasons, the send buffer limit for slow
 * consumers, and graceful shutdown.
 *
 * Close codes: 4401 unauthenticated (bad, missing or expired credential), 4403 forbidden, 4408 no
 * connection_init in time (graphql-ws), 4429 slow consumer (resume with your cursor), 4430 too many connections
 * for this user or API key (WS_MAX_SOCKETS_PER_USER: close another tab or device; retry after a minute, not at
 * once), 1001 server going away. A `subscribe` over the per-socket caps (WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
 * WS_MAX_IDENTICAL_SUBSCRIPTIONS) gets an `error` message with code TOO_MANY_SUBSCRIPTIONS, one past the caller's
 * rate of subscription starts (RATE_LIMIT_SUBSCRIBE, shared with SSE) an `error` with RATE_LIMITED and
 * `retryAfterMs`; the socket and its other subscriptions stay. The socket count is shared with SSE subscriptions.
 * A session socket closes (4401) when its token expires, unless a renewed token arrives on it first: a `ping` with
 * payload `{ renew: "Bearer <token>" }`, verified like connection_init (same user and course), answered by a `pong`
 * `{ renewed, expiresAt | code, message }` (see renewOnSocket). An API key's socket closes (4401) the moment the key
 * is revoked, on whichever instance: its subscriptions end then, not at their next event.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeServer, handleProtocols, CloseCode, type ServerOptions } from 'graphql-ws';
import { getOperationAST, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { Services } from '../services.js';
import type { Metrics } from '../metrics.js';
import type { Yoga } from '../graphql/yoga.js';
import type { Viewer } from '../auth/viewer.js';
import type { Authenticator } from '../auth/authenticate.js';
import { credentialFromPayload } from '../auth/authenticate.js';
import { AppError, isAbort, withCode } from '../errors.js';
import { allowedOrigins, originAllowed } from './origins.js';
import { Chunked } from '../realtime/chunked.js';
import type { SocketCounter, SocketClaim } from './ws-sockets.js';
import { takeSubscriptionStart } from '../graphql/ratelimit.js';
import { abortOnReturn, operationKey, sendNext, SharedSubscriptions, sharedField, type Hooks } from './ws-shared.js';

interface Extra {
  socket: WebSocket;
  viewer: Viewer | null;
  operations: Map<string, AbortController>;
  expiryTimer: NodeJS.Timeout | null;
  /** The operation key (query, name, variables) of each subscription, for the cap on identical ones. */
  subscriptionKeys: Map<string, string>;
  /** This socket's entry in the per-user count, once connected. */
  claim: SocketClaim | null;
  /** An API key's socket: stops watching for the key's revocation (which closes the socket at once). */
  unwatchKey: (() => void) | null;
}

export const WS_CLOSE = { unauthenticated: 4401, forbidden: 4403, slowConsumer: 4429, tooManyConnections: 4430, goingAway: 1001 } as const;

/**
 * The reason an operation's abort carries when its socket closed: one AbortError for all (an abort without a reason
 * builds a DOMException with its stack, a cost that adds up when a thousand sockets close at once).
 */
const SOCKET_CLOSED: Error = Object.assign(new Error('The WebSocket closed.'), { name: 'AbortError' });

const reasonOf = (s: string) => (Buffer.byteLength(s) > 120 ? s.slice(0, 110) + '…' : s);

type SendFrame = (socket: WebSocket, data: string | Buffer, json?: string) => void;

/**
 * Sends one text frame (a message of graphql-ws, or a shared payload framed for one subscription); closes a
 * consumer that cannot keep up (it resumes with its cursor).
 */
function frameSender({ config, log }: Services, metrics: Metrics): SendFrame {
  return (socket, data, json) => {
    if (socket.readyState !== socket.OPEN) return;
    if (typeof data === 'string') socket.send(data);
    else sendNext(socket, data, json!);
    if (socket.bufferedAmount > config.wsMaxBufferedBytes) {
      metrics.slowConsumers.inc();
      log.warn({ buffered: socket.bufferedAmount }, 'ws: slow consumer closed');
      socket.close(WS_CLOSE.slowConsumer, 'Slow consumer: too much data waiting to be sent. Reconnect and resume with your cursor.');
    }
  };
}

// ------------------------------------------------------------------ session expiry and renewal

/** The socket lives no longer than its session: closed at the token's expiry unless renewed on it (renewOnSocket). */
function armExpiry(extra: Extra, expiresAt: number): void {
  if (extra.expiryTimer) clearTimeout(extra.expiryTimer);
  const ms = Math.max(0, expiresAt - Date.now());
  extra.expiryTimer = setTimeout(
    () => extra.socket.close(WS_CLOSE.unauthenticated, 'Session expired: renew the session and reconnect.'),
    Math.min(ms, 2 ** 31 - 1),
  );
}

/**
 * A renewed session token on an open socket: a graphql-ws `ping` whose payload is `{ renew: "Bearer <token>" }`
 * (the web app sends one after `refreshSession`). The token is verified here like at connection_init and must be a
 * session of the same tenant, user and course as the socket's; then the socket's viewer and expiry follow it, and
 * its subscriptions carry on. The `pong` says `{ renewed: true, expiresAt }` or `{ renewed: false, code, message }`
 * (the socket keeps its current credential until that expires). A ping without `renew` is answered as usual.
 */
async function renewOnSocket(auth: Authenticator, extra: Extra, presented: unknown): Promise<Record<string, unknown>> {
  const current = extra.viewer;
  if (current?.kind !== 'session') {
    return { renewed: false, code: 'FORBIDDEN', message: 'Only a connection signed in with a session token can renew it.' };
  }
  let next: Viewer | null;
  try {
    next = typeof presented === 'string' ? await auth.authenticate(presented, { remember: false }) : null;
  } catch (err) {
    return { renewed: false, code: 'UNAUTHENTICATED', message: err instanceof AppError ? err.message : 'The session token is not valid.' };
  }
  if (
    next?.kind !== 'session' ||
    next.tenantId !== current.tenantId ||
    next.userId !== current.userId ||
    next.courseId !== current.courseId
  ) {
    return { renewed: false, code: 'FORBIDDEN', message: 'A connection can only be renewed with a session of the same user and course.' };
  }
  if (extra.socket.readyState !== extra.socket.OPEN) return { renewed: false, code: 'UNAUTHENTICATED', message: 'The connection closed.' };
  if (next.expiresAt > current.expiresAt) {
    extra.viewer = next;
    armExpiry(extra, next.expiresAt);
  }
  return { renewed: true, expiresAt: new Date(Math.max(next.expiresAt, current.expiresAt)).toISOString() };
}

// ------------------------------------------------------------------ the graphql-ws hooks

type WsServerOptions = ServerOptions<Record<string, unknown> | undefined, Extra>;

const tooMany = (message: string, extra: Record<string, unknown>) => [new AppError('TOO_MANY_SUBSCRIPTIONS', message, extra)];

/** connection_init: authenticates the socket, takes its place in the per-user count, and arms its expiry. */
function onConnect({ auth, config, access }: Services, sockets: SocketCounter): NonNullable<WsServerOptions['onConnect']> {
  return async (ctx) => {
    const credential = credentialFromPayload(ctx.connectionParams);
    if (!credential) {
      throw new AppError('UNAUTHENTICATED', 'Unauthenticated: send a session token or API key as "authorization" in connection_init.');
    }
    const viewer = await auth.authenticate(credential, { remember: false });
    ctx.extra.viewer = viewer;
    // The credential is not needed again (the viewer is kept): graphql-ws would hold it for the connection's life.
    delete (ctx as { connectionParams?: unknown }).connectionParams;
    if (viewer) {
      const claim = await sockets.claim(viewer);
      if (claim === null) {
        const whose = viewer.kind === 'session' ? 'your account' : 'this API key';
        throw new AppError(
          'TOO_MANY_CONNECTIONS',
          `Too many connections: ${whose} has ${config.wsMaxSocketsPerUser} open (tabs, windows, devices). Close one; retry in a minute.`,
          { limit: config.wsMaxSocketsPerUser },
        );
      }
      if (claim !== 'unchecked') {
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) sockets.release(claim);
        else ctx.extra.claim = claim;
      }
    }
    if (viewer?.kind === 'session') armExpiry(ctx.extra, viewer.expiresAt);
    if (viewer?.kind === 'apiKey' && ctx.extra.socket.readyState === ctx.extra.socket.OPEN) {
      const { socket } = ctx.extra;
      ctx.extra.unwatchKey = access.onKeyRevoked(viewer, (why) =>
        socket.close(WS_CLOSE.unauthenticated, why === 'expired' ? 'This API key has expired.' : 'This API key has been revoked.'),
      );
    }
    return true;
  };
}

/**
 * The per-socket caps on a subscription start: the rate of starts per caller, then the number of identical ones on
 * this socket. An error to answer with, or null (the subscription is counted).
 */
async function admitSubscription(
  { limiter, config, log }: Services,
  extra: Extra,
  id: string,
  payload: { query: string; operationName?: string | null; variables?: unknown },
): Promise<GraphQLError[] | null> {
  // Subscription starts are rate limited per caller (a subscribe/complete loop costs a start each time).
  const limited = await takeSubscriptionStart(limiter, config.rateLimits.subscribe, extra.viewer, log);
  if (limited) return [limited];
  // The same subscription again on one socket gets the same frames again: a few (two views of one list) are
  // fine, thousands would multiply every event.
  const key = JSON.stringify([payload.query, payload.operationName ?? null, payload.variables ?? null]);
  let same = 0;
  for (const k of extra.subscriptionKeys.values()) if (k === key) same++;
  if (same >= config.wsMaxIdenticalSubscriptions) {
    return tooMany(
      `This subscription is already open ${same} times on this connection (the limit for identical subscriptions): share one.`,
      { limit: config.wsMaxIdenticalSubscriptions },
    );
  }
  extra.subscriptionKeys.set(id, key);
  return null;
}

/**
 * subscribe: the cap on operations per socket, parse and validate through Yoga's envelope, the caps on subscription
 * starts; then the execution arguments, with the hooks (and, for a shared field, its fan-out key) in the root value.
 */
function onSubscribe(services: Services, yoga: Yoga): NonNullable<WsServerOptions['onSubscribe']> {
  const { config } = services;
  return async (ctx, id, payload) => {
    // graphql-ws lists the socket's operations, this one included; what it no longer lists has ended.
    const live = ctx.subscriptions as Record<string, unknown>;
    for (const other of ctx.extra.operations.keys()) if (!(other in live)) ctx.extra.operations.delete(other);
    for (const other of ctx.extra.subscriptionKeys.keys()) if (!(other in live)) ctx.extra.subscriptionKeys.delete(other);
    if (Object.keys(live).length > config.wsMaxSubscriptionsPerSocket) {
      return tooMany(
        `Too many subscriptions on this connection: at most ${config.wsMaxSubscriptionsPerSocket} at once. Complete one first.`,
        { limit: config.wsMaxSubscriptionsPerSocket },
      );
    }
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
      return [withCode(err as GraphQLError)];
    }
    const errors = validate(schema, document);
    if (errors.length > 0) return errors.map(withCode);
    const hooks: Hooks = {
      execute: execute as Hooks['execute'],
      subscribe: subscribe as Hooks['subscribe'],
      abort: () => controller.abort(),
    };
    const args: ExecutionArgs & { rootValue: Hooks } = {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: await contextFactory(),
      rootValue: hooks,
    };
    const op = getOperationAST(document, payload.operationName);
    if (op?.operation === 'subscription') {
      const refused = await admitSubscription(services, ctx.extra, id, payload);
      if (refused) {
        if (ctx.extra.operations.get(id) === controller) ctx.extra.operations.delete(id);
        return refused;
      }
    }
    const shared = op ? sharedField(args, op) : null;
    if (shared)
      hooks.feed = {
        mode: shared.mode,
        id,
        key: operationKey(payload.query, payload.operationName, document, shared.field, payload.variables),
        extra: ctx.extra,
      };
    return args;
  };
}

// ------------------------------------------------------------------ sockets: keep-alive, messages, teardown

/**
 * One keep-alive sweep for every socket (not a timer each): a socket that did not answer the last ping is dropped
 * (its close releases its place in the count; the counter renews the places still held). Returns the set of sockets
 * that answered: a socket joins it on connecting and on every pong.
 */
function keepAlive(wss: WebSocketServer): WeakSet<WebSocket> {
  const alive = new WeakSet<WebSocket>();
  const timer = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, 15_000);
  timer.unref();
  wss.on('close', () => clearInterval(timer));
  return alive;
}

/** What a message that graphql-ws refused means for the socket: a close with a code the client understands. */
function closeForError(socket: WebSocket, err: unknown, log: Services['log']): void {
  if (err instanceof AppError && err.code === 'UNAUTHENTICATED') socket.close(WS_CLOSE.unauthenticated, reasonOf(err.message));
  else if (err instanceof AppError && err.code === 'FORBIDDEN') socket.close(WS_CLOSE.forbidden, reasonOf(err.message));
  else if (err instanceof AppError && err.code === 'TOO_MANY_CONNECTIONS') socket.close(WS_CLOSE.tooManyConnections, reasonOf(err.message));
  else {
    log.error({ err }, 'ws: message handling failed');
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  }
}

interface SocketDeps {
  services: Services;
  metrics: Metrics;
  sockets: SocketCounter;
  server: ReturnType<typeof makeServer<Record<string, unknown> | undefined, Extra>>;
  sendFrame: SendFrame;
  alive: WeakSet<WebSocket>;
  teardown: Chunked;
}

/** A new socket: handed to graphql-ws, answered on ping (renewal), and released when it closes. */
function acceptSocket({ services, metrics, sockets, server, sendFrame, alive, teardown }: SocketDeps, socket: WebSocket): void {
  const log = services.log;
  metrics.wsConnections.inc();
  // Nothing of the upgrade request is kept: its headers would cost every idle connection about a kilobyte.
  const extra: Extra = {
    socket,
    viewer: null,
    operations: new Map(),
    expiryTimer: null,
    subscriptionKeys: new Map(),
    claim: null,
    unwatchKey: null,
  };
  alive.add(socket);
  socket.on('pong', () => alive.add(socket));
  const closed = server.opened(
    {
      protocol: socket.protocol,
      send: (data) => sendFrame(socket, data),
      close: (code, reason) => socket.close(code, reason),
      // Replaces graphql-ws's automatic pong: a ping may carry a renewed session token (renewOnSocket).
      onPing: async (payload) => {
        const renew = payload && typeof payload === 'object' && 'renew' in payload ? payload.renew : undefined;
        const answer = renew === undefined ? payload : await renewOnSocket(services.auth, extra, renew);
        sendFrame(socket, JSON.stringify(answer ? { type: 'pong', payload: answer } : { type: 'pong' }));
      },
      onMessage: (cb) =>
        socket.on('message', async (data, isBinary) => {
          try {
            await cb(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
          } catch (err) {
            closeForError(socket, err, log);
          }
        }),
    },
    extra,
  );
  socket.once('close', (code, reason) => {
    metrics.wsConnections.dec();
    alive.delete(socket);
    if (extra.expiryTimer) clearTimeout(extra.expiryTimer);
    extra.unwatchKey?.();
    extra.unwatchKey = null;
    // Its operations stop at once (nothing more is rendered for a closed socket); what they release (presence,
    // subscriptions, the socket count) is released in chunks: a thousand sockets closing within a second must not
    // hold the event loop.
    for (const c of extra.operations.values()) c.abort(SOCKET_CLOSED);
    extra.operations.clear();
    teardown.push(() => {
      extra.subscriptionKeys.clear();
      if (extra.claim) sockets.release(extra.claim);
      extra.claim = null;
      void closed(code, reason.toString());
    });
  });
  // A client that reset the connection is not a fault of ours: one debug line without a stack.
  socket.on('error', (err) =>
    isAbort(err) || (err as { code?: string }).code === 'EPIPE'
      ? log.debug({ reason: err.message }, 'ws: client went away')
      : log.warn({ err }, 'ws: socket error'),
  );
}

/**
 * `sockets`: the per-user connection count, shared with the SSE transport (one budget for both: the composition
 * root builds it and hands it to both).
 */
export function createWsTransport(services: Services, yoga: Yoga, metrics: Metrics, sockets: SocketCounter) {
  const { config, log } = services;
  const origins = allowedOrigins(config);
  const sendFrame = frameSender(services, metrics);
  const shared = new SharedSubscriptions({ fanout: services.realtime.fanout, metrics, log, isDev: config.env !== 'production', sendFrame });
  /** Sockets closed but not yet released: a burst of closes is torn down a chunk at a time. */
  const teardown = new Chunked(config.wsTeardownChunk, (err) => log.warn({ err }, 'ws: teardown failed'));
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxRequestBytes, handleProtocols: (p) => handleProtocols(p) });
  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    connectionInitWaitTimeout: config.wsConnectionInitTimeoutMs,
    onConnect: onConnect(services, sockets),
    onSubscribe: onSubscribe(services, yoga),
    execute: (args) => (args.rootValue as Hooks).execute(args) as never,
    subscribe: (args) => {
      const hooks = args.rootValue as Hooks;
      return (hooks.feed ? shared.subscribe(args, hooks, hooks.feed) : abortOnReturn(hooks.subscribe(args), hooks.abort)) as never;
    },
    onComplete: (ctx, id) => {
      ctx.extra.operations.get(id)?.abort();
      ctx.extra.operations.delete(id);
    },
  });
  const alive = keepAlive(wss);
  wss.on('connection', (socket: WebSocket) => acceptSocket({ services, metrics, sockets, server, sendFrame, alive, teardown }, socket));
  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      // A browser always sends its page's Origin: a page on another site (cross-site WebSocket hijacking, or an
      // integrator not configured) is refused before the handshake. Servers and CLIs send none and may connect.
      if (!originAllowed(origins, req.headers.origin, req.headers.host)) {
        const body = JSON.stringify({
          error: {
            code: 'ORIGIN_NOT_ALLOWED',
            message: 'This origin may not open the GraphQL WebSocket. Ask the administrator to add it to CORS_ORIGINS.',
          },
        });
        socket.end(
          `HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    get clientCount() {
      return wss.clients.size;
    },
    /** Closed sockets waiting to be torn down. */
    get teardownPending() {
      return teardown.pending;
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
      await teardown.idle();
    },
  };
}
