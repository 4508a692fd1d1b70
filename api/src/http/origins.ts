/**
 * Which browser origins may call the API from a page of their own: the app's (PUBLIC_URL) and the integrators'
 * configured in CORS_ORIGINS. Used by CORS on /graphql and by the WebSocket upgrade. Authentication is a bearer
 * token, never a cookie, so no response allows credentials.
 */
import type { Config } from '../config.js';

export function allowedOrigins(config: Pick<Config, 'publicUrl' | 'corsOrigins'>): ReadonlySet<string> {
  return new Set([new URL(config.publicUrl).origin, ...config.corsOrigins]);
}

/**
 * A browser request (one with an Origin header) is allowed when its origin is, or when it comes from a page of the
 * host it is sent to (same origin, whatever PUBLIC_URL says: behind a proxy, or a test on 127.0.0.1); a request
 * without one (a server, a CLI) always is.
 */
export function originAllowed(allowed: ReadonlySet<string>, origin: string | null | undefined, host?: string): boolean {
  if (origin === undefined || origin === null || allowed.has(origin)) return true;
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
