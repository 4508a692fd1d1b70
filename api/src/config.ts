/**
 * The one configuration module. Every setting comes from an environment variable, is validated once at
 * start-up, and has a default that works on a developer machine. The README's configuration table mirrors
 * `settings` below; keep them in step.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  env: 'development' | 'test' | 'production';
  role: Role;
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  dbPoolMax: number;
  redisUrl: string;
  redisAutostart: boolean;
  sessionSecret: string;
  sessionTtlSeconds: number;
  logLevel: string;
  maxRequestBytes: number;
  graphqlMaxDepth: number;
  graphqlMaxCost: number;
  graphqlMaxTokens: number;
  graphqlMaxAliases: number;
  wsMaxBufferedBytes: number;
  wsConnectionInitTimeoutMs: number;
  /** Subscriptions one WebSocket may hold at once, and how many of them may be identical (same operation and variables). */
  wsMaxSubscriptionsPerSocket: number;
  wsMaxIdenticalSubscriptions: number;
  /** WebSockets one user (or API key) may hold open at once, across every instance sharing the Redis. */
  wsMaxSocketsPerUser: number;
  /** Sockets closed at once are torn down this many at a time, the event loop free between chunks. */
  wsTeardownChunk: number;
  /** Per user or API key, per window: mutations by class (see `rateLimitOf` in graphql/ratelimit.ts). */
  rateLimits: Record<RateClass, RateRule>;
  shutdownGraceMs: number;
  streamRetentionDays: number;
  workerConcurrency: number;
  /** Encrypts the tool's private keys and platform tokens at rest (ltijs's store). */
  ltiEncryptionKey: string;
  /** Whether dynamically registered platforms are active at once or wait for an administrator. */
  ltiAutoActivate: boolean;
  /** Dynamic registration (/lti/register) bounds: see the README's "Adding the tool to an LMS" and docs/security.md. */
  ltiRegistration: {
    /** When set, the registration URL must carry `?secret=` with it. */
    secret: string | null;
    /** When non-empty, only these platforms (issuer URLs; their origins serve the configuration) may register. */
    issuers: string[];
    /** Production: refuse registration when neither a secret nor an allow-list is set. */
    requireGate: boolean;
    /** Registrations one client address may attempt per window. */
    rateLimit: number;
    rateWindowSeconds: number;
    /** Registrations waiting for an administrator; more are refused until one is decided. */
    maxPending: number;
  };
  /** Whether the tool may fetch platform URLs on loopback, private or link-local addresses (development, tests). */
  ltiAllowPrivateNetwork: boolean;
  /**
   * BullMQ key prefix in Redis: instances sharing a queue use the same one; separate installations (or test runs)
   * on one Redis use their own. Empty (QUEUE_PREFIX unset): `openCore` derives it from the database's identity,
   * so the API and worker processes of one installation agree and two installations never share queues.
   */
  queuePrefix: string;
  /** The development LMS at /dev/lms. Never in production. */
  devLms: boolean;
  /** Browser origins besides PUBLIC_URL's that may call /graphql (CORS) and open its WebSocket: integrators' web apps. */
  corsOrigins: string[];
  /** GraphiQL at GET /graphql in a browser (its scripts come from a CDN): off in production unless enabled. */
  graphiql: boolean;
  /** Bearer token /metrics requires; unset: /metrics is open in development and test, and 404 in production. */
  metricsToken: string | undefined;
  /** Longest chat message, in characters. */
  chatMaxMessageChars: number;
  /** Messages one user may send per window (all rooms together), and the window. */
  chatRateLimit: number;
  chatRateWindowSeconds: number;
  /** An OpenAI-compatible endpoint (xAI, OpenAI, Ollama, vLLM); unset: the offline tutor answers. */
  aiBaseUrl: string | undefined;
  aiApiKey: string | undefined;
  aiModel: string;
  aiTimeoutMs: number;
  /** Tutor replies one worker produces at once, and provider calls per minute across all workers. */
  tutorConcurrency: number;
  tutorCallsPerMinute: number;
  tutorMaxReplyTokens: number;
  /** How much room history (in tokens) goes into a question's context. */
  tutorContextTokens: number;
  /** Default budgets (an instructor may change them per course), and the warning threshold in percent. */
  tutorUserDailyTokens: number;
  tutorCourseMonthlyTokens: number;
  tutorWarnPercent: number;
  /** How long a tutor job's lock lasts without renewal: a worker that dies is replaced after about this long. */
  tutorLockMs: number;
  /** How long a reminder job's lock lasts without renewal: a dead worker's reminder is retried after about this long. */
  reminderLockMs: number;
  /** BigBlueButton: the server's API base (…/bigbluebutton/) and shared secret; unset: live classes use meeting links. */
  bbb: { url: string; secret: string } | null;
  /** Live classes: a drop shorter than the grace period is not a leave; presence is renewed every heartbeat. */
  liveGraceSeconds: number;
  liveHeartbeatSeconds: number;
  /** Collab documents: text length at most (characters), one update's size at most (bytes). */
  collabMaxDocumentChars: number;
  collabMaxUpdateBytes: number;
  /** Updates one person may send to one document per minute. */
  collabUpdatesPerMinute: number;
  /** A document's update log is compacted into its snapshot past this many updates or bytes. */
  collabCompactUpdates: number;
  collabCompactBytes: number;
}

export class ConfigError extends Error {}

/**
 * Classes of rate limits: mutations by class (graphql/ratelimit.ts says which mutation is in which), and `subscribe`,
 * the subscriptions a caller starts (over WebSocket and SSE alike).
 */
export type RateClass = 'write' | 'signal' | 'readMark' | 'costly' | 'subscribe';
export interface RateRule {
  limit: number;
  windowMs: number;
}

/** A rate rule written as `LIMIT/SECONDS`, e.g. `30/10`: at most 30 uses in any 10-second window. */
function rate(env: Env, name: string, def: string): RateRule {
  const raw = env[name] || def;
  const m = /^(\d{1,7})\/(\d{1,5})$/.exec(raw.trim());
  const limit = m ? Number(m[1]) : NaN;
  const seconds = m ? Number(m[2]) : NaN;
  if (!m || limit < 1 || seconds < 1 || seconds > 86_400)
    throw new ConfigError(`${name} must be LIMIT/SECONDS (e.g. ${def}), with LIMIT at least 1 and SECONDS from 1 to 86400, got "${raw}"`);
  return { limit, windowMs: seconds * 1000 };
}

type Env = Record<string, string | undefined>;

/** BBB_URL (the API base, e.g. https://bbb.example.edu/bigbluebutton/) and BBB_SECRET: both or neither. */
function bigBlueButton(env: Env): { url: string; secret: string } | null {
  const url = env.BBB_URL?.trim();
  const secret = env.BBB_SECRET?.trim();
  if (!url && !secret) return null;
  if (!url || !secret) throw new ConfigError('BBB_URL and BBB_SECRET must be set together (or neither)');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`BBB_URL must be an http(s) URL, got "${url}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError(`BBB_URL must be an http(s) URL, got "${url}"`);
  if (secret.length < 8) throw new ConfigError('BBB_SECRET is too short (the shared secret from `bbb-conf --secret`)');
  return { url: u.href.endsWith('/') ? u.href : u.href + '/', secret };
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, def: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** A comma-separated list of http(s) origins (scheme, host, port; no path). */
function origins(env: Env, name: string): string[] {
  const raw = (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return raw.map((o) => {
    let u: URL | null = null;
    try {
      u = new URL(o);
    } catch {
      /* reported below */
    }
    if (!u || !/^https?:$/.test(u.protocol) || u.origin !== o.replace(/\/+$/, ''))
      throw new ConfigError(`${name} must list origins like https://app.example.edu (scheme, host and port only), got "${o}"`);
    return u.origin;
  });
}

/** A secret setting: unset, or at least 16 characters. */
function secretOrUnset(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  if (raw.length < 16) throw new ConfigError(`${name} must be at least 16 characters long`);
  return raw;
}

/** In development a session secret is generated once and kept under the data directory. */
function devSecret(dataDir: string, name = 'session-secret'): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** LTI_REGISTRATION_SECRET: unset, or 24 or more URL-safe characters (it travels in the registration URL). */
function registrationSecret(env: Env): string | null {
  const raw = env.LTI_REGISTRATION_SECRET ?? '';
  if (!raw) return null;
  if (raw.length < 24 || !/^[A-Za-z0-9._~-]+$/.test(raw))
    throw new ConfigError(
      'LTI_REGISTRATION_SECRET must be at least 24 characters of A-Z, a-z, 0-9, ".", "_", "~" or "-" (it is part of a URL)',
    );
  return raw;
}

/** LTI_REGISTRATION_ISSUERS: comma-separated platform issuer URLs (http(s), no query or fragment). */
function registrationIssuers(env: Env): string[] {
  const out: string[] = [];
  for (const item of (env.LTI_REGISTRATION_ISSUERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let u: URL;
    try {
      u = new URL(item);
    } catch {
      throw new ConfigError(`LTI_REGISTRATION_ISSUERS must list issuer URLs separated by commas, got "${item}"`);
    }
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.search || u.hash || u.username)
      throw new ConfigError(`LTI_REGISTRATION_ISSUERS: "${item}" must be an http(s) URL without query, fragment or credentials`);
    out.push(item.replace(/\/+$/, ''));
  }
  return out;
}

export function loadConfig(env: Env = process.env, argv: string[] = process.argv.slice(2)): Config {
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const roleArg = argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
  const role = oneOf({ ROLE: roleArg ?? env.ROLE }, 'ROLE', 'all', ['all', 'api', 'worker'] as const);
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const dataDir = path.resolve(env.DATA_DIR || './data');
  let sessionSecret = env.SESSION_SECRET ?? '';
  if (!sessionSecret) {
    if (nodeEnv === 'production') throw new ConfigError('SESSION_SECRET must be set in production (32 or more random characters)');
    sessionSecret = devSecret(dataDir);
  }
  if (sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters long');
  let ltiEncryptionKey = env.LTI_ENCRYPTION_KEY ?? '';
  if (!ltiEncryptionKey) {
    if (nodeEnv === 'production') throw new ConfigError('LTI_ENCRYPTION_KEY must be set in production (32 or more random characters)');
    ltiEncryptionKey = devSecret(dataDir, 'lti-encryption-key');
  }
  if (ltiEncryptionKey.length < 32) throw new ConfigError('LTI_ENCRYPTION_KEY must be at least 32 characters long');
  const devLms = bool(env, 'DEV_LMS', nodeEnv !== 'production');
  if (devLms && nodeEnv === 'production')
    throw new ConfigError('DEV_LMS cannot be enabled in production: the development LMS signs launches for anyone');
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL, got "${publicUrl}"`);
  }
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  const databaseUrl = env.DATABASE_URL || undefined;
  const aiBaseUrl = (env.AI_BASE_URL || '').replace(/\/+$/, '');
  if (aiBaseUrl && !/^https?:\/\//.test(aiBaseUrl)) throw new ConfigError(`AI_BASE_URL must be an http(s) URL, got "${aiBaseUrl}"`);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded database)');
  }
  return {
    env: nodeEnv,
    role,
    port,
    host,
    publicUrl,
    dataDir,
    databaseUrl,
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 500),
    redisUrl,
    redisAutostart: bool(env, 'REDIS_AUTOSTART', nodeEnv !== 'production'),
    sessionSecret,
    sessionTtlSeconds: int(env, 'SESSION_TTL_SECONDS', 3600, 60, 86400),
    logLevel: oneOf(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'warn' : 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
    maxRequestBytes: int(env, 'MAX_REQUEST_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    graphqlMaxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 12, 2, 100),
    graphqlMaxCost: int(env, 'GRAPHQL_MAX_COST', 5000, 10, 1_000_000),
    graphqlMaxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 2000, 50, 100_000),
    graphqlMaxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 30, 1, 1000),
    wsMaxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 4 * 1_048_576, 65_536, 1024 * 1_048_576),
    wsConnectionInitTimeoutMs: int(env, 'WS_CONNECTION_INIT_TIMEOUT_MS', 10_000, 100, 120_000),
    wsMaxSubscriptionsPerSocket: int(env, 'WS_MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 1, 100_000),
    wsMaxIdenticalSubscriptions: int(env, 'WS_MAX_IDENTICAL_SUBSCRIPTIONS', 4, 1, 100_000),
    wsMaxSocketsPerUser: int(env, 'WS_MAX_SOCKETS_PER_USER', 20, 1, 100_000),
    wsTeardownChunk: int(env, 'WS_TEARDOWN_CHUNK', 50, 1, 100_000),
    rateLimits: {
      write: rate(env, 'RATE_LIMIT_WRITE', '30/10'),
      signal: rate(env, 'RATE_LIMIT_SIGNAL', '60/10'),
      readMark: rate(env, 'RATE_LIMIT_READ_MARK', '60/10'),
      costly: rate(env, 'RATE_LIMIT_COSTLY', '10/60'),
      // The web app starts at most 4 per tab at once (on load and on every reconnect); 20 tabs (WS_MAX_SOCKETS_PER_USER)
      // reconnecting together start 80, several times a minute on a flapping network.
      subscribe: rate(env, 'RATE_LIMIT_SUBSCRIBE', '300/60'),
    },
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    streamRetentionDays: int(env, 'STREAM_RETENTION_DAYS', 90, 1, 36500),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 4, 1, 256),
    ltiEncryptionKey,
    ltiAutoActivate: bool(env, 'LTI_AUTO_ACTIVATE', nodeEnv !== 'production'),
    ltiRegistration: {
      secret: registrationSecret(env),
      issuers: registrationIssuers(env),
      requireGate: nodeEnv === 'production',
      rateLimit: int(env, 'LTI_REGISTRATION_RATE_LIMIT', 10, 1, 1_000_000),
      rateWindowSeconds: int(env, 'LTI_REGISTRATION_RATE_WINDOW_SECONDS', 3600, 1, 86_400),
      maxPending: int(env, 'LTI_MAX_PENDING_REGISTRATIONS', 20, 1, 100_000),
    },
    ltiAllowPrivateNetwork: bool(env, 'LTI_ALLOW_PRIVATE_NETWORK', nodeEnv !== 'production'),
    devLms,
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    graphiql: bool(env, 'GRAPHIQL', nodeEnv !== 'production'),
    metricsToken: secretOrUnset(env, 'METRICS_TOKEN'),
    queuePrefix: env.QUEUE_PREFIX || '',
    chatMaxMessageChars: int(env, 'CHAT_MAX_MESSAGE_CHARS', 8000, 1, 100_000),
    chatRateLimit: int(env, 'CHAT_RATE_LIMIT', 20, 1, 1_000_000),
    chatRateWindowSeconds: int(env, 'CHAT_RATE_WINDOW_SECONDS', 10, 1, 3600),
    aiBaseUrl: aiBaseUrl || undefined,
    aiApiKey: env.AI_API_KEY || undefined,
    aiModel: env.AI_MODEL || (aiBaseUrl || env.AI_API_KEY ? 'gpt-4o-mini' : 'offline-tutor'),
    aiTimeoutMs: int(env, 'AI_TIMEOUT_MS', 60_000, 1000, 600_000),
    tutorConcurrency: int(env, 'TUTOR_CONCURRENCY', 4, 1, 256),
    tutorCallsPerMinute: int(env, 'TUTOR_CALLS_PER_MINUTE', 120, 1, 1_000_000),
    tutorMaxReplyTokens: int(env, 'TUTOR_MAX_REPLY_TOKENS', 800, 16, 32_000),
    tutorContextTokens: int(env, 'TUTOR_CONTEXT_TOKENS', 3000, 100, 200_000),
    tutorUserDailyTokens: int(env, 'TUTOR_USER_DAILY_TOKENS', 50_000, 0, 100_000_000),
    tutorCourseMonthlyTokens: int(env, 'TUTOR_COURSE_MONTHLY_TOKENS', 5_000_000, 0, 10_000_000_000),
    tutorWarnPercent: int(env, 'TUTOR_WARN_PERCENT', 80, 1, 100),
    tutorLockMs: int(env, 'TUTOR_LOCK_MS', 30_000, 1000, 600_000),
    reminderLockMs: int(env, 'REMINDER_LOCK_MS', 30_000, 1000, 600_000),
    bbb: bigBlueButton(env),
    liveGraceSeconds: int(env, 'LIVE_GRACE_SECONDS', 60, 5, 3600),
    liveHeartbeatSeconds: int(env, 'LIVE_HEARTBEAT_SECONDS', 20, 2, 600),
    collabMaxDocumentChars: int(env, 'COLLAB_MAX_DOCUMENT_CHARS', 100_000, 1_000, 5_000_000),
    collabMaxUpdateBytes: int(env, 'COLLAB_MAX_UPDATE_BYTES', 262_144, 1_024, 16_777_216),
    collabUpdatesPerMinute: int(env, 'COLLAB_UPDATES_PER_MINUTE', 1_200, 10, 100_000),
    collabCompactUpdates: int(env, 'COLLAB_COMPACT_UPDATES', 500, 10, 1_000_000),
    collabCompactBytes: int(env, 'COLLAB_COMPACT_BYTES', 1_048_576, 1_024, 1_073_741_824),
  };
}
