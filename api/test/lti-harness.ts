/**
 * LTI test rig: the app (tool) on http://localhost:<port>, a platform stand-in (lti-tool/src/platform) on
 * http://127.0.0.1:<port> — another site — and a scripted user agent that walks the real flow: login
 * initiation, the tool's login page, the platform's authorization endpoint, the form POST to /lti/launch, and
 * the page's code exchange. No browser here; web/test has the browser tests.
 */
import { createServer } from 'node:net';
import { createPlatform, SCOPES, type LaunchIntent, type LtiPlatform, type PlatformOptions } from '@lt/lti-tool';
import { startApp, type TestApp } from './harness.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface LtiEnv {
  app: TestApp;
  /** The tool's public URL (localhost). */
  tool: string;
  platform: LtiPlatform;
  clientId: string;
  deploymentId: string;
  close(): Promise<void>;
}

/** Starts the tool and a platform; registers each with the other (manually, as an admin would). */
export async function startLtiEnv(
  profile: 'moodle' | 'canvas' | 'generic',
  opts: {
    register?: boolean;
    env?: Record<string, string>;
    databaseUrl?: string;
    platform?: Pick<PlatformOptions, 'sites' | 'storageFrame'>;
  } = {},
): Promise<LtiEnv> {
  const port = await freePort();
  const tool = `http://localhost:${port}`;
  const app = await startApp({ port, databaseUrl: opts.databaseUrl, env: { PORT: String(port), PUBLIC_URL: tool, ...opts.env } });
  const platform = await createPlatform({ baseUrl: `http://127.0.0.1:0/${profile}`, profile, ...opts.platform });
  await platform.listen();
  const lti = app.core.services.lti.tool;
  const clientId = `${profile}-client-${port}`;
  const deploymentId = `${profile}-deployment-1`;
  if (opts.register !== false) {
    platform.registerTool({
      clientId,
      deploymentIds: [deploymentId],
      loginUrl: lti.loginUrl,
      redirectUris: [lti.redirectUri],
      jwksUrl: lti.jwksUrl,
      targetLinkUri: lti.redirectUri,
      scopes: [...SCOPES],
    });
    await lti.registerPlatform({
      issuer: platform.issuer,
      clientId,
      name: `${profile} test`,
      product: profile,
      authEndpoint: platform.authEndpoint,
      tokenEndpoint: platform.url('/token'),
      jwksUrl: platform.url('/jwks'),
      deploymentIds: [deploymentId],
      status: 'active',
      acceptNewDeployments: false,
    });
  }
  return {
    app,
    tool,
    platform,
    clientId,
    deploymentId,
    async close() {
      await platform.close();
      await app.close();
    },
  };
}

const jsonIn = (html: string, id: string) => {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  return m ? JSON.parse(m[1]!) : null;
};

function formIn(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form[^>]*id="lti-auth-response"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) return null;
  const fields: Record<string, string> = {};
  for (const m of form[2]!.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields[unesc(m[1]!)] = unesc(m[2]!);
  return { action: unesc(form[1]!), fields };
}
const unesc = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export interface LaunchResult {
  /** The step that answered last and its status. */
  step: 'login' | 'auth' | 'launch' | 'exchange';
  status: number;
  error?: string;
  token?: string;
  redirect?: string;
  /** The tool's raw answers, for assertions on pages and headers. */
  launchHtml?: string;
  launchHeaders?: Headers;
  fields?: Record<string, string>;
}

export interface LaunchTamper {
  /** Change the form POSTed to /lti/launch (id_token, state). */
  launchForm?: (f: Record<string, string>) => Record<string, string>;
  /** Replace the binding secret the page presents (another browser's page). */
  binding?: (real: string) => string | null;
  /** Stop after the launch POST (to replay it). */
  stopAfterLaunch?: boolean;
}

/** Walks one launch like a browser would. */
export async function runLaunch(env: LtiEnv, intent: LaunchIntent, tamper: LaunchTamper = {}): Promise<LaunchResult> {
  const init = env.platform.initiate(intent);
  const loginRes =
    init.method === 'GET'
      ? await fetch(init.href, { redirect: 'manual' })
      : await fetch(init.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(init.params),
          redirect: 'manual',
        });
  const loginHtml = await loginRes.text();
  const login = jsonIn(loginHtml, 'lti-login');
  if (loginRes.status !== 200 || !login)
    return { step: 'login', status: loginRes.status, error: /lti-error-code">([^<]+)</.exec(loginHtml)?.[1] };
  const authRes = await fetch(login.authUrl, { redirect: 'manual' });
  const authHtml = await authRes.text();
  const form = formIn(authHtml);
  if (authRes.status !== 200 || !form) return { step: 'auth', status: authRes.status, error: authHtml.slice(0, 300) };
  const fields = tamper.launchForm ? tamper.launchForm(form.fields) : form.fields;
  const launchRes = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
  const launchHtml = await launchRes.text();
  const handoff = jsonIn(launchHtml, 'lt-launch');
  if (launchRes.status !== 200 || !handoff)
    return {
      step: 'launch',
      status: launchRes.status,
      error: /lti-error-code">([^<]+)</.exec(launchHtml)?.[1],
      launchHtml,
      launchHeaders: launchRes.headers,
      fields,
    };
  if (tamper.stopAfterLaunch) return { step: 'launch', status: 200, launchHtml, launchHeaders: launchRes.headers, fields };
  if (handoff.bindKey !== `lt.bind.${new URL(login.authUrl).searchParams.get('state')}`)
    throw new Error('bind key does not match the state');
  const binding = tamper.binding ? tamper.binding(login.binding) : login.binding;
  const ex = await fetch(`${env.tool}/lti/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: handoff.code, binding }),
  });
  const body = (await ex.json()) as { token?: string; redirect?: string; error?: { code: string } };
  return {
    step: 'exchange',
    status: ex.status,
    token: body.token,
    redirect: body.redirect,
    error: body.error?.code,
    launchHtml,
    launchHeaders: launchRes.headers,
    fields,
  };
}

/** Resolves with the first non-null value of `fn`, polling every 100 ms; throws after `ms`. */
export async function until<T>(fn: () => Promise<T | null>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
