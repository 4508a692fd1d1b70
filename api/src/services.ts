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
import { ScheduleAccess } from './schedule/access.js';
import { PresenceService } from './presence/service.js';
import { TutorService } from './tutor/service.js';
import { ReminderService } from './schedule/reminders.js';
import { OfficeHourService } from './schedule/office-hours.js';
import { ScheduleService } from './schedule/service.js';
import { CalendarFeedService } from './schedule/feeds.js';
import { createProvider } from './tutor/provider.js';
import { RateLimiter } from './ratelimit.js';
import { appContentSecurityPolicy } from './http/csp.js';
import type { JobPayloads } from './queue/queues.js';
import { webDist } from './paths.js';
import { LiveAccess } from './live/access.js';
import { LiveService } from './live/service.js';
import { LiveInteractionService } from './live/interaction.js';
import { LiveGradeService } from './live/grades.js';
import { BbbClient } from './live/bbb.js';
import { LiveDashboardService } from './live/dashboard.js';
import { CollabAccess } from './collab/access.js';
import { CollabDocuments } from './collab/documents.js';
import { CollabService } from './collab/service.js';

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
  /** The schedule rules (who reads a session, hosts, manages), shared by every schedule service. */
  scheduleAccess: ScheduleAccess;
  presence: PresenceService;
  tutor: TutorService;
  /** Session reminders (schedule/reminders.ts): the schedule services call `sync` after their writes. */
  reminders: ReminderService;
  /** Office hours: windows, slots, bookings and their waitlists (schedule/office-hours.ts). */
  officeHours: OfficeHourService;
  /** Sessions (one-off and weekly series), conflicts, attendance and the course's schedule settings (schedule/service.ts). */
  schedule: ScheduleService;
  /** Calendar feeds (a person's, a course's) and one session's `.ics` (schedule/feeds.ts; served by http/routes.ts). */
  calendarFeeds: CalendarFeedService;
  /** Rate limits shared by every instance (Redis): mutations (graphql/ratelimit.ts), messages (rooms). */
  limiter: RateLimiter;
  /** Live classes: planning, running, joining, the attendance ledger (live/service.ts). */
  live: LiveService;
  /** In class: hands, the Q&A and its votes, confusion signals, polls (live/interaction.ts). */
  liveInteraction: LiveInteractionService;
  /** Attendance reports, scores, their passback to the LMS and corrections (live/grades.ts). */
  liveGrades: LiveGradeService;
  /** The instructor's live dashboard of a course (live/dashboard.ts). */
  liveDashboard: LiveDashboardService;
  /** Collab documents: loading, updates, awareness, versions, replay, compaction (collab/documents.ts). */
  collabDocuments: CollabDocuments;
  /** Collab sessions: creating, joining, locking, forking, the class grid (collab/service.ts). */
  collab: CollabService;
}

/** The job queues the services produce into (the worker consumes them). */
export interface Producers {
  lti: Queue<JobPayloads['lti']>;
  tutor: Queue<JobPayloads['tutor']>;
  reminders: Queue<JobPayloads['reminders']>;
  collab: Queue<JobPayloads['collab']>;
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
  // Before the features that record into it (courses: joins and role changes).
  const activity = new ActivityService(db, realtime, access);
  const courses = new CourseService(db, realtime, access, activity);
  const notifications = new NotificationService(db, realtime, access);
  const presence = new PresenceService(pub, realtime, access, log);
  const limiter = new RateLimiter(pub);
  const rooms = new RoomService({ db, realtime, access, config, limiter, notifications, presence, activity, log });
  const scheduleAccess = new ScheduleAccess(access, rooms.access);
  // Before the schedule services: they plan reminders through it.
  const reminders = new ReminderService({ db, realtime, access: scheduleAccess, notifications, queue: queues.reminders, log });
  const officeHours = new OfficeHourService({ db, realtime, access, scheduleAccess, notifications, activity, reminders, log });
  const schedule = new ScheduleService({ db, realtime, access, scheduleAccess, notifications, activity, reminders, log });
  const calendarFeeds = new CalendarFeedService({
    db,
    realtime,
    scheduleAccess,
    activity,
    publicUrl: config.publicUrl,
    secret: config.sessionSecret,
  });
  // The tutor subscribes to the rooms' posted-message hook in its own constructor (see TutorService).
  const tutor = new TutorService({
    db,
    realtime,
    access,
    config,
    log,
    rooms,
    notifications,
    activity,
    provider: createProvider(config),
    queue: queues.tutor,
  });
  const lti = new LtiService({
    db,
    realtime,
    courses,
    rooms,
    activity,
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
  const liveAccess = new LiveAccess(db, access);
  const live = new LiveService({
    db,
    realtime,
    access,
    liveAccess,
    rooms,
    schedule,
    lti,
    bbb: config.bbb ? new BbbClient(config.bbb) : null,
    config: { liveGraceSeconds: config.liveGraceSeconds, liveHeartbeatSeconds: config.liveHeartbeatSeconds, publicUrl: config.publicUrl },
    activity,
    log,
  });
  const liveInteraction = new LiveInteractionService({ db, realtime, liveAccess, log });
  // Scores classes as they end (it subscribes to live.onClassEnded) and posts them through lti.queueScore.
  const liveGrades = new LiveGradeService({
    db,
    realtime,
    liveAccess,
    courses,
    lti,
    live,
    activity,
    graceSeconds: config.liveGraceSeconds,
    log,
  });
  const liveDashboard = new LiveDashboardService({
    db,
    realtime,
    access,
    liveAccess,
    presence,
    courses,
    rooms,
    tutor,
    log,
    graceSeconds: config.liveGraceSeconds,
  });
  const collabAccess = new CollabAccess(db, access);
  const collabDocuments = new CollabDocuments({ db, realtime, access: collabAccess, limiter, queue: queues.collab, config, log });
  const collab = new CollabService({ db, realtime, access: collabAccess, documents: collabDocuments, courses, lti, activity, config, log });
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
    scheduleAccess,
    presence,
    tutor,
    reminders,
    officeHours,
    schedule,
    calendarFeeds,
    limiter,
    live,
    liveInteraction,
    liveGrades,
    liveDashboard,
    collabDocuments,
    collab,
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
