import type { Viewer } from '../auth/viewer.js';
import type { Services } from '../services.js';

/** What every resolver receives. Resolvers are thin: parse, call a service, return. */
export interface Context {
  viewer: Viewer | null;
  services: Services;
  /** Aborted when the request or the socket ends; subscriptions stop with it. */
  signal?: AbortSignal;
}
