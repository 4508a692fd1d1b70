import type { Viewer } from '../auth/viewer.js';
import type { Services } from '../services.js';

/** What every resolver receives. Resolvers are thin: parse, call a service, return. */
export interface Context {
  viewer: Viewer | null;
  services: Services;
  /** Aborted when the request or the socket ends; subscriptions stop with it. */
  signal?: AbortSignal;
}

/**
 * The HTTP request an operation came in (GraphQL over HTTP, SSE), or null over the WebSocket: ws.ts executes through
 * Yoga's envelop with a server context of its own (viewer, signal), which has no request (Yoga itself tells
 * subscriptions over HTTP apart by the same `request`).
 */
export const httpRequestOf = (context: unknown): Request | null => (context as { request?: Request } | null)?.request ?? null;
