/**
 * The HTTP routes of one instance: health and readiness probes, Prometheus metrics, GraphQL, the LTI endpoints,
 * the development LMS and the web app.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../app.js';
import type { Metrics } from '../metrics.js';
import { sendJson } from './body.js';
import { appContentSecurityPolicy } from './csp.js';
import { AppError } from '../errors.js';

/** Calendar feed requests per minute: from one client address, and for one feed. */
const CALENDAR_PER_ADDRESS = 120;
const CALENDAR_PER_TOKEN = 30;

export interface RouteDeps {
  metrics: Metrics;
  graphql: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  /** Serves a file of the built web app; false when there is none at the path. */
  serveStatic: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
  isShuttingDown: () => boolean;
}

/** Which route a request took, for the metrics' labels (set before the response can close). */
export interface RouteLabel {
  route: string;
}

/** The request's URL, or null when its target is not a valid URL. */
export function requestUrl(req: IncomingMessage, publicUrl: string): URL | null {
  try {
    return new URL(req.url ?? '/', publicUrl);
  } catch {
    return null;
  }
}

/** Whether an Authorization header carries `Bearer <expected>` (compared in constant time). */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function createRouter(core: Core, deps: RouteDeps) {
  const { services, config } = core;
  const { metrics } = deps;
  const appCsp = appContentSecurityPolicy(config);

  const ready = async (res: ServerResponse) => {
    if (deps.isShuttingDown()) return sendJson(res, 503, { status: 'shutting-down' });
    const checks = await Promise.allSettled([services.database.ping(), core.redis.pub.ping()]);
    const [dbOk, redisOk] = checks.map((c) => c.status === 'fulfilled');
    sendJson(res, dbOk && redisOk ? 200 : 503, {
      status: dbOk && redisOk ? 'ready' : 'unavailable',
      database: dbOk ? 'ok' : 'unreachable',
      redis: redisOk ? 'ok' : 'unreachable',
    });
  };

  const scrape = async (req: IncomingMessage, res: ServerResponse, p: string) => {
    // Not public: with METRICS_TOKEN the scraper sends it as a bearer token; without one, production has no
    // /metrics at all (development and tests keep it open).
    if (!config.metricsToken && config.env === 'production')
      return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${p}.` } });
    if (config.metricsToken && !bearerMatches(req.headers.authorization, config.metricsToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      return sendJson(res, 401, { error: { code: 'UNAUTHENTICATED', message: '/metrics needs the METRICS_TOKEN as a bearer token.' } });
    }
    // Gauges are sampled when scraped.
    metrics.subscriptions.set(services.realtime.activeSubscriptions);
    metrics.realtimeStreams.set(services.realtime.hub.streamCount);
    metrics.fanoutGroups.set(services.realtime.fanout.groupCount);
    metrics.fanoutRenders.set(services.realtime.fanout.renders);
    metrics.fanoutDeliveries.set(services.realtime.fanout.deliveries);
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(await metrics.registry.metrics());
  };

  /**
   * Calendar feeds (schedule/feeds.ts): `/calendar/<token>.ics` (a person's) and `/calendar/course/<courseId>/<token>.ics`
   * (a course's). No authentication but the token; 404 for an unknown, rotated or revoked one. Rate limited per
   * client address and per token (calendar apps poll every few hours; a loop or a token guesser does not), per
   * installation (the queue prefix), as a Redis shared by installations keeps their counts apart.
   */
  const calendar = async (req: IncomingMessage, res: ServerResponse, p: string) => {
    const notThere = () => sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'No calendar feed at this address.' } });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: { code: 'BAD_REQUEST', message: 'Calendar feeds answer GET and HEAD.' } });
    }
    const m = /^\/calendar\/(?:course\/([^/]+)\/)?([^/]+)\.ics$/.exec(p);
    if (!m) return notThere();
    const [, courseId, token] = m;
    try {
      await services.limiter.take(
        `cal:${config.queuePrefix}:ip:${req.socket.remoteAddress ?? 'unknown'}`,
        CALENDAR_PER_ADDRESS,
        60_000,
        'Calendar feed requests',
      );
      await services.limiter.take(
        `cal:${config.queuePrefix}:t:${createHash('sha256').update(token!).digest('hex')}`,
        CALENDAR_PER_TOKEN,
        60_000,
        'Requests for this feed',
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'RATE_LIMITED') {
        const ms = Number((err.extensions as { retryAfterMs?: number }).retryAfterMs ?? 60_000);
        res.setHeader('retry-after', String(Math.ceil(ms / 1000)));
        return sendJson(res, 429, { error: { code: 'RATE_LIMITED', message: err.message } });
      }
      // Redis did not answer: the limits protect the service, they do not stop it (as for mutations).
      services.log.warn({ err: (err as Error)?.message }, 'calendar feed: rate limit not checked, Redis unavailable');
    }
    const feeds = services.calendarFeeds;
    const ics = courseId ? await feeds.courseFeedIcs(courseId, token!) : await feeds.userFeedIcs(token!);
    if (ics === null) return notThere();
    res.writeHead(200, {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': 'inline; filename="calendar.ics"',
      // Private (the URL is a secret), and fresh enough: sessions move, and apps poll rarely anyway.
      'cache-control': 'private, max-age=300',
      'content-length': Buffer.byteLength(ics),
    });
    res.end(req.method === 'HEAD' ? undefined : ics);
  };

  /** The LTI endpoints, the development LMS and the web app; true when one of them answered. */
  const app = async (req: IncomingMessage, res: ServerResponse, p: string, label: RouteLabel): Promise<boolean> => {
    if (p.startsWith('/lti/') && (await services.lti.tool.handle(req, res, p))) return true;
    if (core.devLms && (p === '/dev/lms' || p.startsWith('/dev/lms/'))) {
      res.setHeader('content-security-policy', "frame-ancestors 'self'");
      if (await core.devLms.handle(req, res)) return true;
    }
    // The app runs inside LMS iframes: only active platforms' known sites may frame it (a later page load carries no
    // tenant: its token is in storage, not in a cookie).
    if (!p.startsWith('/assets/'))
      res.setHeader('content-security-policy', `${appCsp}; frame-ancestors ${await services.lti.frameAncestors()}`);
    if (!deps.serveStatic(req, res, p)) return false;
    label.route = 'static';
    return true;
  };

  /** Routes a request; sets the route label for metrics. */
  return async function handle(req: IncomingMessage, res: ServerResponse, label: RouteLabel): Promise<void> {
    const url = requestUrl(req, config.publicUrl);
    // A request target no URL parser accepts (`GET //[`): the client's mistake, not a server error.
    if (!url) return sendJson(res, 400, { error: { code: 'BAD_REQUEST_TARGET', message: 'The request target is not a valid URL.' } });
    const p = url.pathname;
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
    label.route = ['/healthz', '/readyz', '/metrics', '/graphql'].includes(p) ? p : p.startsWith('/lti') ? '/lti' : 'other';
    if (p === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (p === '/readyz') return ready(res);
    if (p === '/metrics') return scrape(req, res, p);
    if (deps.isShuttingDown()) {
      res.setHeader('connection', 'close');
      return sendJson(res, 503, {
        errors: [{ message: 'The server is shutting down; retry shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
      });
    }
    if (p === '/graphql') return deps.graphql(req, res, url);
    if (p.startsWith('/calendar/')) {
      label.route = '/calendar';
      return calendar(req, res, p);
    }
    if (!(await app(req, res, p, label))) sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Nothing at ${p}.` } });
  };
}
