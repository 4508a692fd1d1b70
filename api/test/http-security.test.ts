/**
 * The API as seen from other sites, over real HTTP and WebSocket: CORS only for the app's own origin and configured
 * integrators (never with credentials), the WebSocket refused to other browser origins, /metrics protected, and
 * GraphiQL off in production (with a policy of its own where enabled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startApp, type TestApp } from './harness.js';
import { freePort } from './lti-harness.js';

const INTEGRATOR = 'https://dashboard.integrator.example';
const EVIL = 'https://evil.example';

/** Opens a WebSocket with graphql-ws's subprotocol; resolves with 'open' or the HTTP status of the refusal. */
function upgrade(url: string, origin?: string): Promise<{ open: true } | { open: false; status: number; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', origin ? { origin } : {});
    ws.once('open', () => {
      ws.close();
      resolve({ open: true });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ open: false, status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => undefined);
  });
}

describe('CORS, WebSocket origin, /metrics and GraphiQL (development settings)', () => {
  let app: TestApp;
  let self: string;
  beforeAll(async () => {
    const port = await freePort();
    self = `http://localhost:${port}`;
    app = await startApp({ port, env: { PUBLIC_URL: self, CORS_ORIGINS: INTEGRATOR, METRICS_TOKEN: 'metrics-token-0123456789' } });
  });
  afterAll(() => app?.close());

  const post = (origin: string) =>
    fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  it('answers CORS for the app and configured integrators, without credentials; another site gets no CORS headers', async () => {
    for (const origin of [self, INTEGRATOR]) {
      const res = await post(origin);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
    const evil = await post(EVIL);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${app.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const ok = await fetch(`${app.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: INTEGRATOR,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe(INTEGRATOR);
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses a WebSocket from another browser origin with 403 and a code; the app, integrators and non-browser clients connect', async () => {
    const refused = await upgrade(app.wsUrl, EVIL);
    expect(refused).toMatchObject({ open: false, status: 403 });
    expect((refused as { body: string }).body).toContain('ORIGIN_NOT_ALLOWED');
    expect(await upgrade(app.wsUrl, self)).toEqual({ open: true });
    // A page of the host the socket goes to is the app itself, whatever PUBLIC_URL says (a proxy, 127.0.0.1).
    expect(await upgrade(app.wsUrl, new URL(app.url).origin)).toEqual({ open: true });
    expect(await upgrade(app.wsUrl, 'null')).toMatchObject({ open: false, status: 403 });
    expect(await upgrade(app.wsUrl, INTEGRATOR)).toEqual({ open: true });
    expect(await upgrade(app.wsUrl)).toEqual({ open: true });
  });

  it('/metrics needs METRICS_TOKEN as a bearer token', async () => {
    const none = await fetch(`${app.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('http_requests');
  });

  it('GraphiQL, where enabled, has a policy: the sources its page loads, talking to this origin, framed by nobody', async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('GraphiQL');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/localhost:\d+/);
    for (const src of html.matchAll(/<script src=(https:\/\/[^/]+)/g)) expect(csp).toContain(src[1]);
  });
});

describe('production defaults', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({
      env: {
        NODE_ENV: 'production',
        LTI_ENCRYPTION_KEY: 'lti-encryption-key-0123456789-0123456789',
        REDIS_AUTOSTART: 'false',
        DEV_LMS: 'false',
      },
    });
  });
  afterAll(() => app?.close());

  it('has no GraphiQL and no public /metrics', async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toContain('GraphiQL');
    const m = await fetch(`${app.url}/metrics`);
    expect(m.status).toBe(404);
    expect(await m.text()).not.toContain('http_requests');
  });
});
