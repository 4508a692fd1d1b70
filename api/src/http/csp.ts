/**
 * Content-Security-Policy of the web app's pages (served at `/`, `/courses/...` and as the LTI launch's answer),
 * without frame-ancestors, which depends on the page (see LtiService.frameAncestors).
 *
 * - scripts: only the app's own files (the built index.html has no inline script; the launch hand-off is a
 *   `type=application/json` element, which is data, not script);
 * - styles: the app's own files only (Vue's style bindings set properties through CSSOM, which the policy allows;
 *   the browser tests report no violation), and an empty `<style>` element (the hash of the empty string): the
 *   Schedule tab's calendar (FullCalendar 6) creates one and fills it through CSSOM (`insertRule`), which the policy
 *   does not govern; an empty element can carry no rules of its own;
 * - images: the app's own, `data:` (the favicon) and LTI `picture` URLs, which live on the platforms' hosts
 *   (https; http outside production, where development platforms run);
 * - connections: the app's own origin, over HTTP and WebSocket;
 * - no plugins, no `<base>`. Forms are not limited: a deep-linking answer posts to the platform's return URL.
 */
import type { Config } from '../config.js';

/** The SHA-256 of the empty string: allows an empty inline `<style>` element, nothing written inside one. */
const EMPTY_STYLE_HASH = 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

export function appContentSecurityPolicy(config: Pick<Config, 'publicUrl' | 'env'>): string {
  const origin = new URL(config.publicUrl);
  const ws = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' '${EMPTY_STYLE_HASH}'`,
    `img-src 'self' data: https:${config.env === 'production' ? '' : ' http:'}`,
    "font-src 'self' data:",
    `connect-src 'self' ${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * GraphiQL (GRAPHIQL=true): Yoga's page loads its scripts and styles from a CDN and runs an inline bootstrap, so
 * it gets a policy of its own: the sources its page names (`sources`, read from the page itself), talking to this
 * origin only, and framed by nobody.
 */
export function graphiqlContentSecurityPolicy(config: Pick<Config, 'publicUrl'>, sources: string[]): string {
  const origin = new URL(config.publicUrl);
  const ws = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  const external = [...new Set(sources)].join(' ');
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline' blob: ${external}`,
    'worker-src blob:',
    `style-src 'unsafe-inline' ${external}`,
    `font-src data: ${external}`,
    `img-src 'self' data: ${external}`,
    `connect-src 'self' ${ws} ${external}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The https origins a page loads from (src and href attributes, and quoted URLs in its inline scripts). */
export function externalOrigins(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/https:\/\/[a-z0-9.-]+(?::\d+)?(?=[/"'\s>])/gi)) out.add(m[0].toLowerCase());
  return [...out];
}
