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
 * `{ renewed, expiresAt | code, message }` (see renewOnSocket).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeServer, handleProtocols, CloseCode } from 'graphql-ws';
import { createSourceEventStream, execute as executeSync, getOperationAST, Kind, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult, type FieldNode, GraphQLError, type OperationDefinitionNode } from 'graphql';
import { maskError } from 'graphql-yoga';
import type { Services } from '../services.js';
import type { Metrics } from '../metrics.js';
import type { Yoga } from '../graphql/yoga.js';
import type { Viewer } from '../auth/viewer.js';
import { credentialFromPayload } from '../auth/authenticate.js';
import { AppError, errorForLog, isAbort, isUnexpected, withCode } from '../errors.js';
import { allowedOrigins, originAllowed } from './origins.js';
import { FEED, isFeed, type FeedSpec } from '../realtime/fanout.js';
import { Chunked } from '../realtime/chunked.js';
import type { SocketCounter, SocketClaim } from './ws-sockets.js';
import type { Context } from '../graphql/context.js';
import { takeSubscriptionStart } from '../graphql/ratelimit.js';

interface Extra {
  socket: WebSocket;
  viewer: Viewer | null;
  operations: Map<string, AbortController>;
  expiryTimer: NodeJS.Timeout | null;
  /** The operation key (query, name, variables) of each subscription, for the cap on identical ones. */
  subscriptionKeys: Map<string, string>;
  /** This socket's entry in the per-user count, once connected. */
  claim: SocketClaim | null;
}

export const WS_CLOSE = { unauthenticated: 4401, forbidden: 4403, slowConsumer: 4429, tooManyConnections: 4430, goingAway: 1001 } as const;

/**
 * The reason an operation's abort carries when its socket closed: one AbortError for all (an abort without a reason
 * builds a DOMException with its stack, a cost that adds up when a thousand sockets close at once).
 */
const SOCKET_CLOSED: Error = Object.assign(new Error('The WebSocket closed.'), { name: 'AbortError' });

const reasonOf = (s: string) => (Buffer.byteLength(s) > 120 ? s.slice(0, 110) + '…' : s);

/** What onSubscribe hands to `execute`/`subscribe` through the root value (graphql-ws passes nothing else). */
interface Hooks {
  execute: (a: ExecutionArgs) => unknown;
  subscribe: (a: ExecutionArgs) => unknown;
  /**
   * Set when the operation's field declares a payload that is the same for every reader: `feed` (served by a
   * fan-out group) or `shared` (its own source per subscriber, rendered once per event for all of them). With the
   * subscription's id and its operation key.
   */
  feed?: { mode: 'feed' | 'shared'; id: string; key: string; extra: Extra };
  /** Aborts the operation (its context's signal). */
  abort: () => void;
}

/**
 * A subscription's events, whose `return` (the client's `complete`) aborts the operation first. An async generator
 * waiting for its next event takes a `return` only when that event comes: until then its stream, its presence hold
 * and its work stay, while graphql-ws no longer lists it (a subscribe/complete loop would pile them up past the
 * per-socket cap).
 */
function abortOnReturn(result: unknown, abort: () => void): unknown {
  if (result instanceof Promise) return result.then((r: unknown) => abortOnReturn(r, abort));
  if (typeof result !== 'object' || result === null || typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') return result;
  const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const wrapped: AsyncIterableIterator<unknown> = {
    [Symbol.asyncIterator]: () => wrapped,
    next: () => it.next(),
    return: (value?: unknown) => {
      abort();
      return it.return ? it.return(value) : Promise.resolve({ done: true, value });
    },
    throw: (err?: unknown) => (it.throw ? it.throw(err) : Promise.reject(err)),
  };
  return wrapped;
}

/**
 * The part of a fan-out group's key that comes from the operation: its text and name, and the variables used
 * anywhere but in the root field's own arguments (those choose the stream and the cursor, and the stream is the
 * other part of the key). Two subscribers with equal keys get byte-identical payloads for every event.
 */
function operationKey(query: string, operationName: string | null | undefined, document: DocumentNode, root: FieldNode, variables: Record<string, unknown> | null | undefined): string {
  const uses = new Map<string, number>();
  const count = (node: unknown, into: Map<string, number>) =>
    visit(node as DocumentNode, {
      VariableDefinition: () => false,
      Variable: (v) => void into.set(v.name.value, (into.get(v.name.value) ?? 0) + 1),
    });
  count(document, uses);
  const inRootArgs = new Map<string, number>();
  for (const arg of root.arguments ?? []) count(arg, inRootArgs);
  const shared = [...uses].filter(([name, n]) => n > (inRootArgs.get(name) ?? 0)).map(([name]) => name).sort();
  return JSON.stringify([query, operationName ?? null, shared.map((n) => [n, variables?.[n] ?? null])]);
}

/**
 * The subscription's single root field, when it is a plain field (not a fragment) whose payload does not depend
 * on the reader: `extensions: { feed: true }` (its resolver returns a Feed) or `{ sharedPayload: true }` (any
 * async iterable whose events are objects shared by every subscriber of the same event).
 */
function sharedField(args: ExecutionArgs, op: OperationDefinitionNode): { field: FieldNode; mode: 'feed' | 'shared' } | null {
  if (op.operation !== 'subscription' || op.selectionSet.selections.length !== 1) return null;
  const sel = op.selectionSet.selections[0]!;
  if (sel.kind !== Kind.FIELD) return null;
  const ext = args.schema.getSubscriptionType()?.getFields()[sel.name.value]?.extensions;
  return ext?.feed === true ? { field: sel, mode: 'feed' } : ext?.sharedPayload === true ? { field: sel, mode: 'shared' } : null;
}

/**
 * `{"id":"<id>","type":"next","payload":` for one subscription, as bytes: a payload shared by many subscribers is
 * framed for each with this prefix.
 */
export const nextPrefix = (id: string) => Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);

/** The bytes of the payload being sent (one event is sent to a whole group in a row: one encoding for all). */
let lastJson = '';
let lastBytes = Buffer.alloc(0);
function bytesOf(json: string): Buffer {
  if (json !== lastJson) {
    lastBytes = Buffer.from(json);
    lastJson = json;
  }
  return lastBytes;
}

interface WsInternals {
  _socket?: { write(b: Buffer): boolean } | null;
  _sender?: { _state: number; _queue: unknown[] } | null;
  _extensions?: Record<string, unknown>;
}

/**
 * One complete, unmasked text frame (header, prefix, payload, closing brace) in one buffer and one write to the
 * TCP socket, when ws's sender is idle (nothing queued, no compression: then ws would write the same bytes, in
 * two writes and a cork). Otherwise through ws. The frame's bytes are exactly what `socket.send` would send.
 */
export function sendNext(socket: WebSocket, prefix: Buffer, json: string): void {
  const payload = bytesOf(json);
  const ws = socket as unknown as WsInternals;
  const raw = ws._socket;
  const sender = ws._sender;
  if (!raw || !sender || sender._state !== 0 || sender._queue.length > 0 || (ws._extensions && Object.keys(ws._extensions).length > 0)) {
    socket.send(prefix.toString() + json + '}');
    return;
  }
  const length = prefix.length + payload.length + 1;
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81; // FIN, text
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  prefix.copy(frame, head);
  payload.copy(frame, head + prefix.length);
  frame[head + length - 1] = 0x7d; // }
  raw.write(frame);
}

/** Rendered payloads by event object and operation key: subscribers with their own sources share one rendering. */
const renderedOf = new WeakMap<object, Map<string, string>>();

/** An async iterable for graphql-ws that yields nothing: the fan-out group sends the frames; it only ends. */
function endable(onReturn: () => void) {
  let settle!: { resolve: (r: IteratorResult<never>) => void; reject: (e: unknown) => void };
  const ended = new Promise<IteratorResult<never>>((resolve, reject) => (settle = { resolve, reject }));
  ended.catch(() => {}); // an end with an error before graphql-ws iterates is not an unhandled rejection
  const done = { done: true, value: undefined } as IteratorResult<never>;
  const iterator: AsyncIterableIterator<never> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => ended,
    return: async () => {
      onReturn();
      settle.resolve(done);
      return done;
    },
  };
  return { iterator, end: (err?: Error) => (err ? settle.reject(err) : settle.resolve(done)) };
}

/**
 * `sockets`: the per-user connection count, shared with the SSE transport (one budget for both: the composition
 * root builds it and hands it to both).
 */
export function createWsTransport(services: Services, yoga: Yoga, metrics: Metrics, sockets: SocketCounter) {
  const { config, log } = services;
  const origins = allowedOrigins(config);
  const isDev = config.env !== 'production';
  /**
   * Errors of what runs outside Yoga's execute and subscribe (a feed's source, a shared rendering): coded, the
   * unexpected ones logged once with their stack (an abort at debug), then masked, as the Yoga plugin does.
   */
  const mask = (errors: readonly GraphQLError[], operation?: string | null) =>
    errors.map((e) => {
      withCode(e);
      const original = isUnexpected(e);
      if (original && isAbort(original)) log.debug({ operation: operation ?? '(anonymous)' }, 'ws: operation aborted (the client left)');
      else if (original) log.error({ err: errorForLog(original), operation: operation ?? '(anonymous)', path: e.path?.join('.') }, 'ws: unexpected error');
      return maskError(e, 'Unexpected error.', isDev) as GraphQLError;
    });

  /**
   * Sends one text frame (a message of graphql-ws, or a shared payload framed for one subscription); closes a
   * consumer that cannot keep up (it resumes with its cursor).
   */
  const sendFrame = (socket: WebSocket, data: string | Buffer, json?: string) => {
    if (socket.readyState !== socket.OPEN) return;
    if (typeof data === 'string') socket.send(data);
    else sendNext(socket, data, json!);
    if (socket.bufferedAmount > config.wsMaxBufferedBytes) {
      metrics.slowConsumers.inc();
      log.warn({ buffered: socket.bufferedAmount }, 'ws: slow consumer closed');
      socket.close(WS_CLOSE.slowConsumer, 'Slow consumer: too much data waiting to be sent. Reconnect and resume with your cursor.');
    }
  };

  /**
   * A feed field's subscription: the resolver runs as for any subscription (its checks, its errors), then the
   * subscriber joins the fan-out group of (stream, operation key) and the group sends its frames.
   */
  const subscribeFeed = async (args: ExecutionArgs, hooks: Hooks, feed: NonNullable<Hooks['feed']>): Promise<unknown> => {
    const source = await createSourceEventStream({ ...args, rootValue: undefined });
    if (feed.mode === 'shared' && !('errors' in (source as ExecutionResult))) return pumpShared(args, source as AsyncIterable<unknown>, feed);
    if (!isFeed(source)) {
      if ('errors' in (source as ExecutionResult) && (source as ExecutionResult).errors) return { errors: mask((source as ExecutionResult).errors!, args.operationName) };
      return abortOnReturn(hooks.subscribe(args), hooks.abort); // not a feed after all: the plain way
    }
    const spec: FeedSpec = source[FEED];
    const key = `${spec.stream}\n${feed.key}`;
    return join(key, spec, renderer(args, key), feed.extra, feed.id);
  };

  /**
   * A subscription with its own source whose events are shared objects (chatActivity: one object per room event
   * for every reader's room list): each event is rendered once per operation key, for whoever iterates it first,
   * and the other subscribers send the same JSON. The source still checks each reader's rights.
   */
  const pumpShared = (args: ExecutionArgs, source: AsyncIterable<unknown>, feed: NonNullable<Hooks['feed']>) => {
    const key = feed.key;
    const render = renderer(args, key);
    const prefix = nextPrefix(feed.id);
    const { socket, operations } = feed.extra;
    const id = feed.id;
    const iterator = source[Symbol.asyncIterator]();
    const { iterator: ending, end } = endable(() => {
      operations.get(id)?.abort();
      void iterator.return?.();
    });
    void (async () => {
      try {
        for (;;) {
          const r = await iterator.next();
          if (r.done) break;
          const root = r.value;
          let json: string | undefined;
          if (typeof root === 'object' && root !== null) {
            let byKey = renderedOf.get(root);
            if (!byKey) renderedOf.set(root, (byKey = new Map()));
            json = byKey.get(key);
            if (json === undefined) {
              byKey.set(key, (json = render(root)));
              metrics.sharedRenders.inc();
            }
          } else json = render(root);
          metrics.sharedPayloads.inc();
          sendFrame(socket, prefix, json);
        }
        end();
      } catch (err) {
        end(clientError(err));
      }
    })();
    return ending;
  };

  /** What ends a subscription for its client: our errors as they are, anything else masked. */
  const clientError = (err: unknown): Error =>
    err instanceof AppError ? err : (mask([err instanceof GraphQLError ? err : new GraphQLError(String((err as Error)?.message ?? err))])[0] as Error);

  /**
   * Renders a shared root value into a `next` payload, with no viewer at all. It takes what it needs from `args`
   * and lets go of the rest: graphql-ws holds `args` while the subscription lives.
   */
  const renderer = (args: ExecutionArgs, key: string) => {
    const shared = { ...(args.contextValue as Context), viewer: null, signal: undefined };
    const exec = { schema: args.schema, document: args.document, variableValues: args.variableValues, operationName: args.operationName, contextValue: shared };
    (args as { contextValue?: unknown }).contextValue = undefined;
    (args as { rootValue?: unknown }).rootValue = undefined;
    return (root: unknown): string => {
      let result = executeSync({ ...exec, rootValue: root }) as ExecutionResult | Promise<ExecutionResult>;
      if (result instanceof Promise) {
        void result.catch(() => {});
        result = { data: null, errors: [new GraphQLError('A feed field resolved asynchronously.')] };
        log.error({ key }, 'ws: a feed field resolved asynchronously; feeds must resolve from their event');
      }
      return JSON.stringify(result.errors ? { ...result, errors: mask(result.errors, exec.operationName) } : result);
    };
  };

  /**
   * Joins the fan-out group; what stays per member is only what this scope holds (the socket, the frame's
   * prefix, the operation's abort), a few hundred bytes.
   */
  const join = (key: string, spec: FeedSpec, render: (root: unknown) => string, extra: Extra, id: string) => {
    const prefix = nextPrefix(id);
    const socket = extra.socket;
    const operations = extra.operations;
    let left = false;
    const { iterator, end } = endable(() => {
      left = true;
      operations.get(id)?.abort();
    });
    services.realtime.fanout
      .join(key, spec, render, {
        send: (json) => sendFrame(socket, prefix, json),
        end,
      })
      .catch((err: unknown) => {
        if (!left) end(clientError(err));
      });
    return iterator;
  };

  /** Sockets closed but not yet released: a burst of closes is torn down a chunk at a time. */
  const teardown = new Chunked(config.wsTeardownChunk, (err) => log.warn({ err }, 'ws: teardown failed'));
  const tooMany = (message: string, extra: Record<string, unknown>) => [new AppError('TOO_MANY_SUBSCRIPTIONS', message, extra)];

  /** The socket lives no longer than its session: closed at the token's expiry unless renewed on it (renewOnSocket). */
  const armExpiry = (extra: Extra, expiresAt: number) => {
    if (extra.expiryTimer) clearTimeout(extra.expiryTimer);
    const ms = Math.max(0, expiresAt - Date.now());
    extra.expiryTimer = setTimeout(() => extra.socket.close(WS_CLOSE.unauthenticated, 'Session expired: renew the session and reconnect.'), Math.min(ms, 2 ** 31 - 1));
  };

  /**
   * A renewed session token on an open socket: a graphql-ws `ping` whose payload is `{ renew: "Bearer <token>" }`
   * (the web app sends one after `refreshSession`). The token is verified here like at connection_init and must be a
   * session of the same tenant, user and course as the socket's; then the socket's viewer and expiry follow it, and
   * its subscriptions carry on. The `pong` says `{ renewed: true, expiresAt }` or `{ renewed: false, code, message }`
   * (the socket keeps its current credential until that expires). A ping without `renew` is answered as usual.
   */
  const renewOnSocket = async (extra: Extra, presented: unknown): Promise<Record<string, unknown>> => {
    const current = extra.viewer;
    if (current?.kind !== 'session') {
      return { renewed: false, code: 'FORBIDDEN', message: 'Only a connection signed in with a session token can renew it.' };
    }
    let next: Viewer | null;
    try {
      next = typeof presented === 'string' ? await services.auth.authenticate(presented, { remember: false }) : null;
    } catch (err) {
      return { renewed: false, code: 'UNAUTHENTICATED', message: err instanceof AppError ? err.message : 'The session token is not valid.' };
    }
    if (next?.kind !== 'session' || next.tenantId !== current.tenantId || next.userId !== current.userId || next.courseId !== current.courseId) {
      return { renewed: false, code: 'FORBIDDEN', message: 'A connection can only be renewed with a session of the same user and course.' };
    }
    if (extra.socket.readyState !== extra.socket.OPEN) return { renewed: false, code: 'UNAUTHENTICATED', message: 'The connection closed.' };
    if (next.expiresAt > current.expiresAt) {
      extra.viewer = next;
      armExpiry(extra, next.expiresAt);
    }
    return { renewed: true, expiresAt: new Date(Math.max(next.expiresAt, current.expiresAt)).toISOString() };
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxRequestBytes, handleProtocols: (p) => handleProtocols(p) });

  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    connectionInitWaitTimeout: config.wsConnectionInitTimeoutMs,
    onConnect: async (ctx) => {
      const credential = credentialFromPayload(ctx.connectionParams);
      if (!credential) {
        throw new AppError('UNAUTHENTICATED', 'Unauthenticated: send a session token or API key as "authorization" in connection_init.');
      }
      const viewer = await services.auth.authenticate(credential, { remember: false });
      ctx.extra.viewer = viewer;
      // The credential is not needed again (the viewer is kept): graphql-ws would hold it for the connection's life.
      delete (ctx as { connectionParams?: unknown }).connectionParams;
      if (viewer) {
        const claim = await sockets.claim(viewer);
        if (claim === null) {
          const whose = viewer.kind === 'session' ? 'your account' : 'this API key';
          throw new AppError('TOO_MANY_CONNECTIONS', `Too many connections: ${whose} has ${config.wsMaxSocketsPerUser} open (tabs, windows, devices). Close one; retry in a minute.`, { limit: config.wsMaxSocketsPerUser });
        }
        if (claim !== 'unchecked') {
          if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) sockets.release(claim);
          else ctx.extra.claim = claim;
        }
      }
      if (viewer?.kind === 'session') armExpiry(ctx.extra, viewer.expiresAt);
      return true;
    },
    onSubscribe: async (ctx, id, payload) => {
      // graphql-ws lists the socket's operations, this one included; what it no longer lists has ended.
      const live = ctx.subscriptions as Record<string, unknown>;
      for (const other of ctx.extra.operations.keys()) if (!(other in live)) ctx.extra.operations.delete(other);
      for (const other of ctx.extra.subscriptionKeys.keys()) if (!(other in live)) ctx.extra.subscriptionKeys.delete(other);
      if (Object.keys(live).length > config.wsMaxSubscriptionsPerSocket) {
        return tooMany(`Too many subscriptions on this connection: at most ${config.wsMaxSubscriptionsPerSocket} at once. Complete one first.`, { limit: config.wsMaxSubscriptionsPerSocket });
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
      const hooks: Hooks = { execute: execute as Hooks['execute'], subscribe: subscribe as Hooks['subscribe'], abort: () => controller.abort() };
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
        // Subscription starts are rate limited per caller (a subscribe/complete loop costs a start each time).
        const limited = await takeSubscriptionStart(services.limiter, config.rateLimits.subscribe, ctx.extra.viewer, log);
        if (limited) {
          if (ctx.extra.operations.get(id) === controller) ctx.extra.operations.delete(id);
          return [limited];
        }
        // The same subscription again on one socket gets the same frames again: a few (two views of one list) are
        // fine, thousands would multiply every event.
        const key = JSON.stringify([payload.query, payload.operationName ?? null, payload.variables ?? null]);
        let same = 0;
        for (const k of ctx.extra.subscriptionKeys.values()) if (k === key) same++;
        if (same >= config.wsMaxIdenticalSubscriptions) {
          ctx.extra.operations.delete(id);
          return tooMany(`This subscription is already open ${same} times on this connection (the limit for identical subscriptions): share one.`, { limit: config.wsMaxIdenticalSubscriptions });
        }
        ctx.extra.subscriptionKeys.set(id, key);
      }
      const shared = op ? sharedField(args, op) : null;
      if (shared) hooks.feed = { mode: shared.mode, id, key: operationKey(payload.query, payload.operationName, document, shared.field, payload.variables), extra: ctx.extra };
      return args;
    },
    execute: (args) => (args.rootValue as Hooks).execute(args) as never,
    subscribe: (args) => {
      const hooks = args.rootValue as Hooks;
      return (hooks.feed ? subscribeFeed(args, hooks, hooks.feed) : abortOnReturn(hooks.subscribe(args), hooks.abort)) as never;
    },
    onComplete: (ctx, id) => {
      ctx.extra.operations.get(id)?.abort();
      ctx.extra.operations.delete(id);
    },
  });

  // One keep-alive sweep for every socket (not a timer each): a socket that did not answer the last ping is dropped
  // (its close releases its place in the count; the counter renews the places still held).
  const alive = new WeakSet<WebSocket>();
  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, 15_000);
  keepAlive.unref();
  wss.on('close', () => clearInterval(keepAlive));

  wss.on('connection', (socket: WebSocket) => {
    metrics.wsConnections.inc();
    // Nothing of the upgrade request is kept: its headers would cost every idle connection about a kilobyte.
    const extra: Extra = { socket, viewer: null, operations: new Map(), expiryTimer: null, subscriptionKeys: new Map(), claim: null };
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
          const answer = renew === undefined ? payload : await renewOnSocket(extra, renew);
          sendFrame(socket, JSON.stringify(answer ? { type: 'pong', payload: answer } : { type: 'pong' }));
        },
        onMessage: (cb) =>
          socket.on('message', async (data, isBinary) => {
            try {
              await cb(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
            } catch (err) {
              if (err instanceof AppError && err.code === 'UNAUTHENTICATED') socket.close(WS_CLOSE.unauthenticated, reasonOf(err.message));
              else if (err instanceof AppError && err.code === 'FORBIDDEN') socket.close(WS_CLOSE.forbidden, reasonOf(err.message));
              else if (err instanceof AppError && err.code === 'TOO_MANY_CONNECTIONS') socket.close(WS_CLOSE.tooManyConnections, reasonOf(err.message));
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
      alive.delete(socket);
      if (extra.expiryTimer) clearTimeout(extra.expiryTimer);
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
    socket.on('error', (err) => (isAbort(err) || (err as { code?: string }).code === 'EPIPE' ? log.debug({ reason: err.message }, 'ws: client went away') : log.warn({ err }, 'ws: socket error')));
  });

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      // A browser always sends its page's Origin: a page on another site (cross-site WebSocket hijacking, or an
      // integrator not configured) is refused before the handshake. Servers and CLIs send none and may connect.
      if (!originAllowed(origins, req.headers.origin, req.headers.host)) {
        const body = JSON.stringify({ error: { code: 'ORIGIN_NOT_ALLOWED', message: 'This origin may not open the GraphQL WebSocket. Ask the administrator to add it to CORS_ORIGINS.' } });
        socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
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
