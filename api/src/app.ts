/**
 * Builds the application: database, Redis, realtime, services, GraphQL (HTTP, SSE, WebSocket), health and
 * metrics, the LTI endpoints and the web app, on one HTTP server. Building and listening are separate so
 * that tests run the app in process on port 0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openDatabase, type Database } from './db/client.js';
import { ensureRedis, redisClient, type RedisHandle } from './redis.js';
import { buildServices, type Producers, type Services } from './services.js';
import { buildYoga } from './graphql/yoga.js';
import { createWsTransport } from './http/ws.js';
import { SocketCounter } from './http/ws-sockets.js';
import { staticHandler } from './http/static.js';
import { sendJson } from './http/body.js';
import { graphqlOverHttp } from './http/graphql-http.js';
import { createRouter, requestUrl, type RouteLabel } from './http/routes.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { LtiPlatform } from '@lt/lti-tool';
import { startDevLms } from './lti/dev-lms.js';
import { claimQueuePrefix, createQueue } from './queue/queues.js';
import { closeTokenizer } from './tutor/provider.js';

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
  let queues: Producers | null = null;
  const pub = redisClient(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const sub = redisClient(config.redisUrl, { maxRetriesPerRequest: null });
  pub.on('error', (err) => log.warn({ err: err.message }, 'redis (pub): error'));
  sub.on('error', (err) => log.warn({ err: err.message }, 'redis (sub): error'));
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      pgliteDir: path.join(config.dataDir, 'pglite'),
      poolMax: config.dbPoolMax,
    });
    // Every process of this installation (API and worker) derives the same prefix from the database it shares.
    config.queuePrefix = await claimQueuePrefix(config.queuePrefix, database.db, pub);
    queues = {
      lti: createQueue('lti', config.redisUrl, config.queuePrefix, log),
      tutor: createQueue('tutor', config.redisUrl, config.queuePrefix, log),
      reminders: createQueue('reminders', config.redisUrl, config.queuePrefix, log),
      collab: createQueue('collab', config.redisUrl, config.queuePrefix, log),
    };
    const services = await buildServices({ config, log, database, pub, sub, queues });
    await services.lti.tool.start();
    services.presence.startSweeper((courseId) => services.courses.tenantOf(courseId));
    const devLms = config.devLms ? await startDevLms(config, services.lti) : null;
    const [db, producers] = [database, queues];
    return {
      config,
      log,
      services,
      devLms,
      redis: { handle, pub, sub },
      async close() {
        // Departures still being recorded (sockets closed at shutdown) go to Redis before it is closed.
        await services.presence.settled();
        services.presence.close();
        services.realtime.close();
        await producers.lti.close();
        await producers.tutor.close();
        await producers.reminders.close();
        await producers.collab.close();
        // The tutor's tokenizer thread (started by the first count or a worker's warm-up).
        await closeTokenizer();
        await services.lti.tool.close();
        await Promise.allSettled([pub.quit(), sub.quit()]);
        await db.close();
        await handle.stop();
      },
    };
  } catch (err) {
    await queues?.lti.close().catch(() => {});
    await queues?.tutor.close().catch(() => {});
    await queues?.reminders.close().catch(() => {});
    await queues?.collab.close().catch(() => {});
    pub.disconnect();
    sub.disconnect();
    await database?.close();
    await handle.stop();
    throw err;
  }
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
  return (
    req.socket.destroyed ||
    e?.name === 'AbortError' ||
    e?.code === 'ECONNRESET' ||
    e?.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    e?.message === 'aborted'
  );
}

type WsTransport = ReturnType<typeof createWsTransport>;

/** The HTTP server of the API: the transports (HTTP, SSE, WebSocket) and the routes, with a graceful close. */
export function buildApi(core: Core, opts: ApiOptions = {}): ApiServer {
  const { services, config, log } = core;
  const metrics = createMetrics();
  // One count of open connections per user (or API key) for both transports: WebSockets and SSE subscriptions.
  const sockets = new SocketCounter(services.realtime.pub, config.queuePrefix, config.wsMaxSocketsPerUser, log);
  const yoga = buildYoga(services, sockets);
  const ws = createWsTransport(services, yoga, metrics, sockets);
  let shuttingDown = false;
  const isShuttingDown = () => shuttingDown;
  const route = createRouter(core, {
    metrics,
    graphql: graphqlOverHttp(yoga, config),
    serveStatic: staticHandler(opts.webRoot ?? webDist),
    isShuttingDown,
  });
  const inflight = new Set<ServerResponse>();
  const server = createHttpServer(core, route, metrics, inflight);
  server.on('upgrade', (req, socket, head) => {
    // A throw here would be an uncaught exception: an unparseable target is simply not /graphql.
    if (requestUrl(req, config.publicUrl)?.pathname !== '/graphql' || shuttingDown)
      return void socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
    ws.handleUpgrade(req, socket, head);
  });
  return {
    server,
    listen: (port = config.port, host = config.host) => listen(server, port, host),
    disconnectAll: (reason) => ws.disconnectAll(reason),
    get wsTeardownPending() {
      return ws.teardownPending;
    },
    async close() {
      shuttingDown = true;
      await drain(server, ws, inflight, config.shutdownGraceMs);
      sockets.close();
      await yoga.dispose?.();
    },
  };
}

/** Serves every request through `route`, counting and timing it; a failure is answered and logged once. */
function createHttpServer(core: Core, route: ReturnType<typeof createRouter>, metrics: Metrics, inflight: Set<ServerResponse>): Server {
  const log = core.log;
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    inflight.add(res);
    const label: RouteLabel = { route: 'other' };
    res.once('close', () => {
      inflight.delete(res);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ method: req.method ?? 'GET', route: label.route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method ?? 'GET', route: label.route }, seconds);
    });
    route(req, res, label).catch((err: unknown) => {
      // A client that went away (closed the socket mid-body or before the answer) is not our failure: one debug
      // line, no stack. Anything else is logged once, with its stack.
      if (clientWentAway(req, err))
        return void log.debug({ route: label.route, reason: (err as Error)?.message }, 'http: client went away');
      log.error({ err, route: label.route }, 'http: request failed');
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  return server;
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      resolve(`http://127.0.0.1:${actual}`);
    });
  });
}

/** Stops accepting, closes the WebSockets, ends SSE streams and gives short requests the grace period. */
async function drain(server: Server, ws: WsTransport, inflight: Set<ServerResponse>, graceMs: number): Promise<void> {
  const closing = new Promise<void>((resolve) => server.close(() => resolve()));
  await ws.close();
  // Long-lived responses (SSE) end now; short requests get the grace period to finish.
  const deadline = Date.now() + graceMs;
  while (inflight.size > 0 && Date.now() < deadline) {
    for (const res of inflight) if (res.getHeader('content-type')?.toString().startsWith('text/event-stream')) res.destroy();
    await new Promise((r) => setTimeout(r, 25));
  }
  for (const res of inflight) res.destroy();
  server.closeAllConnections();
  await closing;
}
