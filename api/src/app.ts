/**
 * Builds the application: database, Redis, realtime, services, GraphQL (HTTP, SSE, WebSocket), health and
 * metrics, the LTI endpoints and the web app, on one HTTP server. Building and listening are separate so
 * that tests run the app in process on port 0.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openDatabase, type Database } from './db/client.js';
import { ensureRedis, redisClient, type RedisHandle } from './redis.js';
import { Realtime } from './realtime/realtime.js';
import { Access } from './auth/access.js';
import { SessionTokens } from './auth/session.js';
import { Authenticator } from './auth/authenticate.js';
import { CourseService } from './courses/service.js';
import { ApiKeyService } from './apikeys/service.js';
import type { Services } from './services.js';
import { buildYoga } from './graphql/yoga.js';
import { createWsTransport } from './http/ws.js';
import { SocketCounter } from './http/ws-sockets.js';
import { staticHandler } from './http/static.js';
import { readBody } from './http/body.js';
import { appContentSecurityPolicy, externalOrigins, graphiqlContentSecurityPolicy } from './http/csp.js';
import { createMetrics } from './metrics.js';
import { AppError } from './errors.js';
import { LtiTool, type LtiPlatform } from '@lt/lti-tool';
import { LtiService } from './lti/service.js';
import { startDevLms } from './lti/dev-lms.js';
import { claimQueuePrefix, createQueue } from './queue/queues.js';
import { RateLimiter } from './ratelimit.js';
import { NotificationService } from './notifications/service.js';
import { PresenceService } from './presence/service.js';
import { RoomService } from './rooms/service.js';
import { TutorService } from './tutor/service.js';
import { createProvider } from './tutor/provider.js';
import { courses as coursesTable } from './db/schema.js';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';

import { webDist } from './paths.js';
export { webDist };

export interface Core {
  config: Config;
  log: Logger;
  services: Services;
  /** The development LMS (DEV_LMS), mounted at /dev/lms; null when off. */
  devLms: LtiPlatform | null;
  redis: { handle: RedisHandle; pub: Redis; sub: Redis };
  /** Closes Redis connections, the database and any redis-server we started. */
  close(): Promise<void>;
}

/** The long-lived resources shared by the API and the worker, opened in one place and closed in one place. */
export async function openCore(config: Config, log: Logger = createLogger(config.logLevel)): Promise<Core> {
  const handle = await ensureRedis(config.redisUrl, config.redisAutostart, config.dataDir, log);
  let database: Database | null = null;
  let ltiQueue: Queue | null = null;
  let tutorQueue: Queue | null = null;
  const pub = redisClient(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const sub = redisClient(config.redisUrl, { maxRetriesPerRequest: null });
  pub.on('error', (err) => log.warn({ err: err.message }, 'redis (pub): error'));
  sub.on('error', (err) => log.warn({ err: err.message }, 'redis (sub): error'));
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite'), poolMax: config.dbPoolMax });
    // Every process of this installation (API and worker) derives the same prefix from the database it shares.
    config.queuePrefix = await claimQueuePrefix(config.queuePrefix, database.db, pub);
    const realtime = new Realtime(database.db, pub, sub, log);
    await realtime.hub.start();
    const access = new Access(database.db, realtime);
    const sessions = new SessionTokens(config.sessionSecret, config.sessionTtlSeconds);
    const apiKeys = new ApiKeyService(database.db, realtime, access);
    const courseService = new CourseService(database.db, realtime, access);
    const notifications = new NotificationService(database.db, realtime, access);
    const presence = new PresenceService(pub, realtime, log);
    const limiter = new RateLimiter(pub);
    const roomService = new RoomService({ db: database.db, realtime, access, config, limiter, notifications, presence, log });
    const tutor = new TutorService({ db: database.db, realtime, access, config, log, rooms: roomService, notifications, provider: createProvider(config) });
    roomService.onPosted = (tx, room, message, authorId) => tutor.onPosted(tx, room, message, authorId);
    const lti = new LtiService({
      db: database.db,
      realtime,
      courses: courseService,
      rooms: roomService,
      sessions,
      access,
      log,
      webRoot: webDist,
      sessionTtlSeconds: config.sessionTtlSeconds,
      // Per installation (the queue prefix): a Redis shared by installations or test runs keeps their counts apart.
      registrationLimit: { limiter, limit: config.ltiRegistration.rateLimit, windowMs: config.ltiRegistration.rateWindowSeconds * 1000, keyPrefix: config.queuePrefix },
    });
    lti.tool = new LtiTool({
      db: database.db,
      publicUrl: config.publicUrl,
      encryptionKey: config.ltiEncryptionKey,
      toolName: 'Course Companion',
      description: 'Live course chat, an AI tutor, schedules, live classes and collaborative code sessions.',
      autoActivate: config.ltiAutoActivate,
      allowInsecurePlatforms: config.env !== 'production',
      allowPrivateNetwork: config.ltiAllowPrivateNetwork,
      registration: { secret: config.ltiRegistration.secret, issuers: config.ltiRegistration.issuers, requireGate: config.ltiRegistration.requireGate, maxPending: config.ltiRegistration.maxPending },
      hooks: lti,
      userAgent: 'CourseCompanion-LTI/0.1 (+' + config.publicUrl + ')',
      appContentSecurityPolicy: appContentSecurityPolicy(config),
      log,
    });
    await lti.tool.start();
    ltiQueue = createQueue('lti', config.redisUrl, config.queuePrefix, log);
    lti.queue = ltiQueue;
    const tq = createQueue('tutor', config.redisUrl, config.queuePrefix, log);
    tutorQueue = tq;
    tutor.queue = tq;
    const services: Services = {
      config,
      log,
      database,
      realtime,
      access,
      sessions,
      apiKeys,
      auth: new Authenticator(sessions, apiKeys),
      courses: courseService,
      lti,
      rooms: roomService,
      notifications,
      presence,
      tutor,
      limiter,
    };
    const pdb = database.db;
    presence.startSweeper(async (courseId) => (await pdb.select({ t: coursesTable.tenantId }).from(coursesTable).where(eq(coursesTable.id, courseId)))[0]?.t ?? null);
    const devLms = config.devLms ? await startDevLms(config, lti) : null;
    const db = database;
    return {
      config,
      log,
      services,
      devLms,
      redis: { handle, pub, sub },
      async close() {
        // Departures still being recorded (sockets closed at shutdown) go to Redis before it is closed.
        await presence.settled();
        presence.close();
        realtime.close();
        await ltiQueue?.close();
        await tutorQueue?.close();
        await lti.tool.close();
        await Promise.allSettled([pub.quit(), sub.quit()]);
        await db.close();
        await handle.stop();
      },
    };
  } catch (err) {
    await ltiQueue?.close().catch(() => {});
    await tutorQueue?.close().catch(() => {});
    pub.disconnect();
    sub.disconnect();
    await database?.close();
    await handle.stop();
    throw err;
  }
}

/** Whether an Authorization header carries `Bearer <expected>` (compared in constant time). */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface ApiServer {
  server: Server;
  /** Listens on config.port (0 for any); resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Closes every WebSocket with 1012 so clients reconnect (to this or another instance) and resume. */
  disconnectAll(reason?: string): void;
  /** Closed WebSockets whose subscriptions, presence and socket count are still being released (in chunks). */
  readonly wsTeardownPending: number;
  /** Graceful: stop accepting, close sockets with a reason, drain requests, then release resources. */
  close(): Promise<void>;
}

export interface ApiOptions {
  /** Where the built web app is; defaults to web/dist. */
  webRoot?: string;
}

/** The request failed because its client left: the socket is closed, or the error is an abort or a reset. */
function clientWentAway(req: IncomingMessage, err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string } | null;
  return req.socket.destroyed || e?.name === 'AbortError' || e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.message === 'aborted';
}

export function buildApi(core: Core, opts: ApiOptions = {}): ApiServer {
  const { services, config, log } = core;
  const metrics = createMetrics();
  const subsGauge = metrics.subscriptions;
  const streamsGauge = metrics.realtimeStreams;
  // One count of open connections per user (or API key) for both transports: WebSockets and SSE subscriptions.
  const sockets = new SocketCounter(services.realtime.pub, config.queuePrefix, config.wsMaxSocketsPerUser, log);
  const yoga = buildYoga(services, sockets);
  const ws = createWsTransport(services, yoga, metrics, sockets);
  const serveStatic = staticHandler(opts.webRoot ?? webDist);
  const appCsp = appContentSecurityPolicy(config);
  let shuttingDown = false;
  const inflight = new Set<ServerResponse>();

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let body: Buffer | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      try {
        body = await readBody(req, config.maxRequestBytes);
      } catch (err) {
        if (err instanceof AppError) {
          res.setHeader('connection', 'close');
          return json(res, 413, { errors: [{ message: err.message, extensions: { code: err.code } }] });
        }
        throw err;
      }
    }
    const controller = new AbortController();
    // Only a client that left before the response was sent aborts (an abort builds a DOMException with its stack).
    res.once('close', () => res.writableFinished || controller.abort());
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    // Yoga's own fetch implementation (not Node's global Request, whose body is read back through web streams).
    const request = new yoga.fetchAPI.Request(url.href, { method: req.method, headers, body: body as BodyInit | undefined, signal: controller.signal });
    const response = await yoga.fetch(request, {});
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => (outHeaders[k] = v));
    if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
      // GraphiQL (only when GRAPHIQL is on): a policy naming exactly the sources its page loads, framed by nobody.
      const html = await response.text();
      res.writeHead(response.status, { ...outHeaders, 'content-security-policy': graphiqlContentSecurityPolicy(config, externalOrigins(html)) });
      return void res.end(req.method === 'HEAD' ? undefined : html);
    }
    res.writeHead(response.status, outHeaders);
    if (!response.body || req.method === 'HEAD') return void res.end();
    // A single result is sent in one write (reading it as a web stream cost about 0.4 ms of CPU per request);
    // only a stream (SSE, incremental delivery) is read chunk by chunk.
    if (!/^(text\/event-stream|multipart\/mixed)/.test(response.headers.get('content-type') ?? '')) return void res.end(await response.text());
    const reader = response.body.getReader();
    const onClose = () => void reader.cancel().catch(() => {});
    res.once('close', onClose);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!res.write(value)) await new Promise((r) => res.once('drain', r));
      }
    } catch {
      /* the client went away */
    } finally {
      res.off('close', onClose);
      res.end();
    }
  }

  /** The request's URL, or null when its target is not a valid URL. */
  function requestUrl(req: IncomingMessage): URL | null {
    try {
      return new URL(req.url ?? '/', config.publicUrl);
    } catch {
      return null;
    }
  }

  /** Routes a request; returns the route label for metrics (set before the response can close). */
  async function handle(req: IncomingMessage, res: ServerResponse, label: { route: string }): Promise<void> {
    const url = requestUrl(req);
    if (!url) {
      // A request target no URL parser accepts (`GET //[`): the client's mistake, not a server error.
      json(res, 400, { error: { code: 'BAD_REQUEST_TARGET', message: 'The request target is not a valid URL.' } });
      return;
    }
    const p = url.pathname;
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
    label.route = ['/healthz', '/readyz', '/metrics', '/graphql'].includes(p) ? p : p.startsWith('/lti') ? '/lti' : 'other';
    if (p === '/healthz') {
      json(res, 200, { status: 'ok' });
      return;
    }
    if (p === '/readyz') {
      if (shuttingDown) {
        json(res, 503, { status: 'shutting-down' });
        return;
      }
      const checks = await Promise.allSettled([services.database.ping(), core.redis.pub.ping()]);
      const [dbOk, redisOk] = checks.map((c) => c.status === 'fulfilled');
      json(res, dbOk && redisOk ? 200 : 503, { status: dbOk && redisOk ? 'ready' : 'unavailable', database: dbOk ? 'ok' : 'unreachable', redis: redisOk ? 'ok' : 'unreachable' });
      return;
    }
    if (p === '/metrics') {
      // Not public: with METRICS_TOKEN the scraper sends it as a bearer token; without one, production has no
      // /metrics at all (development and tests keep it open).
      if (!config.metricsToken && config.env === 'production') return json(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${p}.` } });
      if (config.metricsToken && !bearerMatches(req.headers.authorization, config.metricsToken)) {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        return json(res, 401, { error: { code: 'UNAUTHENTICATED', message: '/metrics needs the METRICS_TOKEN as a bearer token.' } });
      }
      // Gauges are sampled when scraped.
      subsGauge.set(services.realtime.activeSubscriptions);
      streamsGauge.set(services.realtime.hub.streamCount);
      metrics.fanoutGroups.set(services.realtime.fanout.groupCount);
      metrics.fanoutRenders.set(services.realtime.fanout.renders);
      metrics.fanoutDeliveries.set(services.realtime.fanout.deliveries);
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    if (shuttingDown) {
      res.setHeader('connection', 'close');
      json(res, 503, { errors: [{ message: 'The server is shutting down; retry shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
      return;
    }
    if (p === '/graphql') {
      return graphql(req, res, url);
    }
    if (p.startsWith('/lti/') && (await services.lti.tool.handle(req, res, p))) return;
    if (core.devLms && (p === '/dev/lms' || p.startsWith('/dev/lms/'))) {
      res.setHeader('content-security-policy', "frame-ancestors 'self'");
      if (await core.devLms.handle(req, res)) return;
    }
    // The app runs inside LMS iframes: only active platforms' known sites may frame it (a later page load carries no
    // tenant: its token is in storage, not in a cookie).
    if (!p.startsWith('/assets/')) res.setHeader('content-security-policy', `${appCsp}; frame-ancestors ${await services.lti.frameAncestors()}`);
    if (serveStatic(req, res, p)) {
      label.route = 'static';
      return;
    }
    json(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${p}.` } });
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    inflight.add(res);
    const label = { route: 'other' };
    res.once('close', () => {
      inflight.delete(res);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ method: req.method ?? 'GET', route: label.route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method ?? 'GET', route: label.route }, seconds);
    });
    handle(req, res, label).catch((err: unknown) => {
        // A client that went away (closed the socket mid-body or before the answer) is not our failure: one debug
        // line, no stack. Anything else is logged once, with its stack.
        if (clientWentAway(req, err)) return void log.debug({ route: label.route, reason: (err as Error)?.message }, 'http: client went away');
        log.error({ err, route: label.route }, 'http: request failed');
        if (!res.headersSent) json(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else res.end();
      });
  });
  server.on('upgrade', (req, socket, head) => {
    // A throw here would be an uncaught exception: an unparseable target is simply not /graphql.
    const p = requestUrl(req)?.pathname;
    if (p !== '/graphql' || shuttingDown) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    ws.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  return {
    server,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address();
          const actual = typeof addr === 'object' && addr ? addr.port : port;
          resolve(`http://127.0.0.1:${actual}`);
        });
      });
    },
    disconnectAll: (reason) => ws.disconnectAll(reason),
    get wsTeardownPending() {
      return ws.teardownPending;
    },
    async close() {
      shuttingDown = true;
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      await ws.close();
      // Long-lived responses (SSE) end now; short requests get the grace period to finish.
      const deadline = Date.now() + config.shutdownGraceMs;
      while (inflight.size > 0 && Date.now() < deadline) {
        for (const res of inflight) if (res.getHeader('content-type')?.toString().startsWith('text/event-stream')) res.destroy();
        await new Promise((r) => setTimeout(r, 25));
      }
      for (const res of inflight) res.destroy();
      server.closeAllConnections();
      await closing;
      sockets.close();
      await yoga.dispose?.();
    },
  };
}
