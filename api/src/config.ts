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
  shutdownGraceMs: number;
  streamRetentionDays: number;
  workerConcurrency: number;
  /** Encrypts the tool's private keys and platform tokens at rest (ltijs's store). */
  ltiEncryptionKey: string;
  /** Whether dynamically registered platforms are active at once or wait for an administrator. */
  ltiAutoActivate: boolean;
  /** BullMQ key prefix in Redis: instances sharing a queue use the same one; separate installations (or test runs) on one Redis use their own. */
  queuePrefix: string;
  /** The development LMS at /dev/lms. Never in production. */
  devLms: boolean;
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
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

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

/** In development a session secret is generated once and kept under the data directory. */
function devSecret(dataDir: string, name = 'session-secret'): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
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
  if (devLms && nodeEnv === 'production') throw new ConfigError('DEV_LMS cannot be enabled in production: the development LMS signs launches for anyone');
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
    logLevel: oneOf(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'warn' : 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    maxRequestBytes: int(env, 'MAX_REQUEST_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    graphqlMaxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 12, 2, 100),
    graphqlMaxCost: int(env, 'GRAPHQL_MAX_COST', 5000, 10, 1_000_000),
    graphqlMaxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 2000, 50, 100_000),
    graphqlMaxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 30, 1, 1000),
    wsMaxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 4 * 1_048_576, 65_536, 1024 * 1_048_576),
    wsConnectionInitTimeoutMs: int(env, 'WS_CONNECTION_INIT_TIMEOUT_MS', 10_000, 100, 120_000),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    streamRetentionDays: int(env, 'STREAM_RETENTION_DAYS', 90, 1, 36500),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 4, 1, 256),
    ltiEncryptionKey,
    ltiAutoActivate: bool(env, 'LTI_AUTO_ACTIVATE', nodeEnv !== 'production'),
    devLms,
    queuePrefix: env.QUEUE_PREFIX || 'lt',
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
  };
}
