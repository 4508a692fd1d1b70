/** The services every entry point (GraphQL, LTI callbacks, workers) uses. Built once per process. */
import type { Database } from './db/client.js';
import type { Realtime } from './realtime/realtime.js';
import type { Access } from './auth/access.js';
import type { Authenticator } from './auth/authenticate.js';
import type { SessionTokens } from './auth/session.js';
import type { CourseService } from './courses/service.js';
import type { ApiKeyService } from './apikeys/service.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { LtiService } from './lti/service.js';
import type { RoomService } from './rooms/service.js';
import type { NotificationService } from './notifications/service.js';
import type { PresenceService } from './presence/service.js';
import type { TutorService } from './tutor/service.js';
import type { RateLimiter } from './ratelimit.js';

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
  presence: PresenceService;
  tutor: TutorService;
  /** Rate limits shared by every instance (Redis): mutations (graphql/ratelimit.ts), messages (rooms). */
  limiter: RateLimiter;
}
