/**
 * The services every entry point (GraphQL, LTI callbacks, workers) uses, and the one place that builds them: in
 * dependency order, each given everything it needs through its constructor. Nothing is patched in afterwards.
 * Built once per process.
 */
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { LtiTool } from '@lt/lti-tool';
import type { Database } from './db/client.js';
import { Realtime } from './realtime/realtime.js';
import { Access } from './auth/access.js';
import { Authenticator } from './auth/authenticate.js';
import { SessionTokens } from './auth/session.js';
import { CourseService } from './courses/service.js';
import { ApiKeyService } from './apikeys/service.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { LtiService } from './lti/service.js';
import { RoomService } from './rooms/service.js';
import { NotificationService } from './notifications/service.js';
import { ActivityService } from './activity/service.js';
import { PresenceService } from './presence/service.js';
import { TutorService } from './tutor/service.js';
import { createProvider } from './tutor/provider.js';
import { RateLimiter } from './ratelimit.js';
import { appContentSecurityPolicy } from './http/csp.js';
import type { JobPayloads } from './queue/queues.js';
import { webDist } from './paths.js';

export interface Services {
  config: Config;
  log: Logger;
  database: Database;
  realtime: Realtime;
  access: Access;
  auth: Authenticator;
  sessions: SessionTokens;
  courses: CourseService;
  apiKeys: ApiKeyService;
  lti: LtiService;
  rooms: RoomService;
  notifications: NotificationService;
  /** The course activity feed and the audit log, recorded into by every feature inside its own writes. */
  activity: ActivityService;
  presence: PresenceService;
  tutor: TutorService;
  /** Rate limits shared by every instance (Redis): mutations (graphql/ratelimit.ts), messages (rooms). */
  limiter: RateLimiter;
}

/** The job queues the services produce into (the worker consumes them). */
export interface Producers {
  lti: Queue<JobPayloads['lti']>;
  tutor: Queue<JobPayloads['tutor']>;
}

export interface Resources {
  config: Config;
  log: Logger;
  database: Database;
  /** Redis: commands and publishing (`pub`), subscriptions (`sub`). */
  pub: Redis;
  sub: Redis;
  queues: Producers;
}

/** Builds every service; what must then be started (the LTI tool's store, the presence sweeper) the caller starts. */
export async function buildServices({ config, log, database, pub, sub, queues }: Resources): Promise<Services> {
  const db = database.db;
  const realtime = new Realtime(db, pub, sub, log);
  await realtime.hub.start();
  const access = new Access(db, realtime);
  const sessions = new SessionTokens(config.sessionSecret, config.sessionTtlSeconds);
  const apiKeys = new ApiKeyService(db, realtime, access);
  const courses = new CourseService(db, realtime, access);
  const notifications = new NotificationService(db, realtime, access);
  const activity = new ActivityService(realtime);
  const presence = new PresenceService(pub, realtime, access, log);
  const limiter = new RateLimiter(pub);
  const rooms = new RoomService({ db, realtime, access, config, limiter, notifications, presence, log });
  // The tutor subscribes to the rooms' posted-message hook in its own constructor (see TutorService).
  const tutor = new TutorService({
    db,
    realtime,
    access,
    config,
    log,
    rooms,
    notifications,
    provider: createProvider(config),
    queue: queues.tutor,
  });
  const lti = new LtiService({
    db,
    realtime,
    courses,
    rooms,
    sessions,
    access,
    log,
    webRoot: webDist,
    sessionTtlSeconds: config.sessionTtlSeconds,
    // Per installation (the queue prefix): a Redis shared by installations or test runs keeps their counts apart.
    registrationLimit: {
      limiter,
      limit: config.ltiRegistration.rateLimit,
      windowMs: config.ltiRegistration.rateWindowSeconds * 1000,
      keyPrefix: config.queuePrefix,
    },
    ltiQueue: queues.lti,
    tool: (hooks) => new LtiTool({ ...ltiToolOptions(config, log), db, hooks }),
  });
  return {
    config,
    log,
    database,
    realtime,
    access,
    sessions,
    apiKeys,
    auth: new Authenticator(sessions, apiKeys, access),
    courses,
    lti,
    rooms,
    notifications,
    activity,
    presence,
    tutor,
    limiter,
  };
}

function ltiToolOptions(config: Config, log: Logger) {
  return {
    publicUrl: config.publicUrl,
    encryptionKey: config.ltiEncryptionKey,
    toolName: 'Course Companion',
    description: 'Live course chat, an AI tutor, schedules, live classes and collaborative code sessions.',
    autoActivate: config.ltiAutoActivate,
    allowInsecurePlatforms: config.env !== 'production',
    allowPrivateNetwork: config.ltiAllowPrivateNetwork,
    registration: {
      secret: config.ltiRegistration.secret,
      issuers: config.ltiRegistration.issuers,
      requireGate: config.ltiRegistration.requireGate,
      maxPending: config.ltiRegistration.maxPending,
    },
    userAgent: 'CourseCompanion-LTI/0.1 (+' + config.publicUrl + ')',
    appContentSecurityPolicy: appContentSecurityPolicy(config),
    log,
  };
}
