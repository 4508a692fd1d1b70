/**
 * The tool side of LTI 1.3, on ltijs. ltijs keeps the platform registry, the tool's key pairs and its
 * service clients (NRPS, AGS) in our PostgreSQL through PgLtiStore. The login and launch endpoints are ours:
 * ltijs 5.9 binds the OIDC state with a cookie, which an LMS iframe without third-party cookies never sends
 * (its MISSING_VALIDATION_COOKIE). Here the state is bound to the browser by a secret the login page keeps in
 * LTI Platform Storage or in the frame's own storage, proven when the page exchanges its one-time code; the
 * id_token is checked beyond what ltijs checks (issued nonce, known deployment, azp, cached keys by kid,
 * the platform's own token lifetime).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWK } from 'jose';
import { PgLtiStore } from '../store/pg-store.js';
import { ltiLaunches } from '../store/schema.js';
import { C, readLaunch, sameOrigin, text, url as httpUrl, type Section, type VerifiedLaunch } from './claims.js';
import { LtiError } from './errors.js';
import { assertPublicUrl, clientAddressKey, guardedFetch, OutboundError } from './fetch.js';
import { inlineKey, JwksCache } from './jwks.js';
import { loginPage, messagePage, registeredPage } from './pages.js';

const require = createRequire(import.meta.url);

export type Product = 'moodle' | 'canvas' | 'generic';
export type PlatformStatus = 'active' | 'pending' | 'disabled';

export interface PlatformInfo {
  issuer: string;
  clientId: string;
  name: string;
  product: Product;
  authEndpoint: string;
  tokenEndpoint: string;
  jwksUrl: string;
  deploymentIds: string[];
  status: PlatformStatus;
  acceptNewDeployments: boolean;
  frameOrigins: string[];
}

/** What the tool asks of the application (the api): it knows tenants, courses and sessions. */
export interface ToolHooks {
  /** A platform was registered or updated: record its tenant (and deployments). */
  platformRegistered(p: PlatformInfo): Promise<void>;
  /** Whether a launch from this deployment may proceed: known, acceptable (and to be recorded), or not. */
  deploymentStatus(issuer: string, clientId: string, deploymentId: string): Promise<'known' | 'accept' | 'unknown'>;
  /** The platform's status as the application sees it (the tenant's). */
  platformStatus(issuer: string, clientId: string): Promise<PlatformStatus | null>;
  /** A verified launch proven to come from this browser: provision and sign in. */
  launch(launch: VerifiedLaunch & { launchId: string }): Promise<{ token: string; expiresAt: string; redirect: string }>;
  /**
   * The CSP frame-ancestors sources: for one platform, its learned origins plus `extra` (origins from its verified
   * id_token) and no other platform's; without one, every active platform's.
   */
  frameAncestors(platform?: { issuer: string; clientId: string }, extra?: string[]): Promise<string>;
  /** The app's index.html with the launch hand-off element injected. */
  renderApp(handoff: { code: string; bindKey: string; storage: { target: string; origin: string } | null }): Promise<string>;
  /** Counts one dynamic registration attempt from a client address: the wait when over the limit, else null. */
  registrationAttempt(clientAddress: string): Promise<{ retryAfterMs: number } | null>;
  /** How many registered platforms wait for an administrator (pending). */
  pendingPlatforms(): Promise<number>;
}

/** Who may use LTI Dynamic Registration (/lti/register), which anyone on the internet can call. */
interface RegistrationPolicy {
  /** When set, the registration URL must carry `?secret=` with this value. */
  secret?: string | null;
  /** When non-empty, only these issuers may register, and their configuration must be served from their origins. */
  issuers?: string[];
  /** Refuse registration when neither a secret nor issuers are set (production). */
  requireGate?: boolean;
  /** Registrations waiting for an administrator; beyond it new ones are refused. Default 20. */
  maxPending?: number;
}

export interface LtiToolOptions {
  db: PgDatabase<any, any, any>;
  publicUrl: string;
  /** Encrypts ltijs's stored keys and tokens. */
  encryptionKey: string;
  toolName: string;
  description: string;
  /** Whether dynamically registered platforms are active at once (development) or wait for an administrator. */
  autoActivate: boolean;
  /** Allow http:// platform URLs in registration (development and tests only). */
  allowInsecurePlatforms: boolean;
  /** Allow platform URLs on loopback, private, link-local addresses (development and tests only). Default false. */
  allowPrivateNetwork?: boolean;
  registration?: RegistrationPolicy;
  hooks: ToolHooks;
  userAgent: string;
  fetch?: typeof fetch;
  /** Seconds a token may be off: clock skew and slow browsers. */
  clockToleranceSeconds?: number;
  log?: { warn(o: object, m: string): void; info(o: object, m: string): void };
  /** RSA modulus for new tool keys (registration and rotation). Default 4096, as ltijs. */
  keyBits?: number;
  /** The CSP of the app's page (without frame-ancestors), for the launch's answer, which is that page. */
  appContentSecurityPolicy?: string;
}

/** frame-ancestors of pages any site may frame (the login step, error pages): http(s) pages anywhere. */
const ANY_ANCESTOR = '*';
const LOGIN_TTL_MS = 10 * 60_000;
const CODE_TTL_MS = 2 * 60_000;
const DEEP_LINK_TTL_MS = 60 * 60_000;
/** The longest a platform's id_token may live (Canvas: an hour); beyond it a token is refused whatever its exp. */
const MAX_TOKEN_AGE_S = 3600;
/** A platform's client and deployment ids, and its URLs, at most this long (LTI puts no bound; platforms use far less). */
const MAX_PLATFORM_ID = 255;
const MAX_PLATFORM_URL = 2048;
/** A retired tool key stays in the JWKS this long: longer than anything we sign lives (client assertions 60 s, deep-link responses 10 min). */
export const RETIRED_KEY_GRACE_MS = 60 * 60_000;

export const SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/** Key generations in this process, one at a time: on libuv's small thread pool, which DNS and file I/O share. */
let keyQueue: Promise<unknown> = Promise.resolve();
/** A tool RSA key pair (PEM: SPKI public, PKCS#1 private, as ltijs stores them), made off the event loop. */
function newKeyPair(bits: number): Promise<{ publicKey: string; privateKey: string }> {
  const make = () =>
    new Promise<{ publicKey: string; privateKey: string }>((resolve, reject) =>
      generateKeyPair(
        'rsa',
        { modulusLength: bits, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } },
        (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey })),
      ),
    );
  const run = keyQueue.then(make, make);
  keyQueue = run.catch(() => {});
  return run;
}
const token = () => randomBytes(32).toString('base64url');

export class LtiTool {
  readonly store: PgLtiStore;
  /** The ltijs Provider: a fresh instance (ltijs exports a singleton; each app instance needs its own). */
  readonly lti: any;
  readonly #o: LtiToolOptions;
  readonly #origin: string;
  readonly #jwks: JwksCache;
  readonly #fetch: typeof fetch;

  constructor(o: LtiToolOptions) {
    this.#o = o;
    this.#origin = new URL(o.publicUrl).origin;
    // Platform URLs come from whoever starts a registration: fetched through the address guard (fetch.ts).
    this.#fetch = o.fetch ?? guardedFetch({ allowPrivateNetwork: o.allowPrivateNetwork ?? false });
    this.#jwks = new JwksCache(this.#fetch, o.userAgent);
    this.store = new PgLtiStore(o.db);
    const { Provider } = require('ltijs');
    this.lti = new Provider.constructor();
    this.lti.setup(
      o.encryptionKey,
      { plugin: this.store },
      { appRoute: '/lti/launch', loginRoute: '/lti/login', keysetRoute: '/lti/keys', cookies: { secure: true, sameSite: 'None' } },
    );
  }

  async start(): Promise<void> {
    await this.store.setup();
  }

  async close(): Promise<void> {
    await this.store.Close();
  }

  get redirectUri(): string {
    return `${this.#o.publicUrl}/lti/launch`;
  }
  get loginUrl(): string {
    return `${this.#o.publicUrl}/lti/login`;
  }
  get jwksUrl(): string {
    return `${this.#o.publicUrl}/lti/keys`;
  }

  // ---------------------------------------------------------------- HTTP

  /** Handles /lti/*; false when the path is not ours. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const route = ROUTES[pathname as keyof typeof ROUTES];
    if (!route) return false;
    const method = req.method ?? 'GET';
    if (!(route.methods as readonly string[]).includes(method)) {
      this.#json(
        res,
        405,
        { error: { code: 'METHOD_NOT_ALLOWED', message: `${pathname} accepts ${route.methods.join(', ')}.` } },
        { allow: route.methods.join(', ') },
      );
      return true;
    }
    try {
      if (pathname === '/lti/login') await this.#login(req, res);
      else if (pathname === '/lti/launch') await this.#launch(req, res);
      else if (pathname === '/lti/exchange') await this.#exchange(req, res);
      else if (pathname === '/lti/keys') await this.#keys(req, res);
      else if (pathname === '/lti/register') await this.#register(req, res);
      else await this.#canvasJson(req, res);
    } catch (err) {
      const e = err instanceof LtiError ? err : null;
      if (!e) this.#o.log?.warn({ err: (err as Error).message, path: pathname }, 'lti: request failed');
      const code = e?.code ?? 'LTI_ERROR';
      const status = e?.status ?? 500;
      const message = e?.message ?? 'The LTI request could not be completed.';
      if (pathname === '/lti/register') {
        this.#html(
          res,
          status,
          messagePage(
            'The tool could not be registered',
            message,
            code,
            'Check the registration URL and try again, or register the tool by hand (see its documentation).',
          ),
          { ancestors: ANY_ANCESTOR },
        );
      } else if (route.html) {
        // Shown inside the platform's frame, whatever site embeds it: the page says what failed and holds nothing else.
        this.#html(
          res,
          status,
          messagePage(
            'This launch could not be completed',
            message,
            code,
            'Open the activity again from your course. If it keeps failing, tell your LMS administrator the error code.',
          ),
          { ancestors: ANY_ANCESTOR },
        );
      } else this.#json(res, status, { error: { code, message } });
    }
    return true;
  }

  async #login(req: IncomingMessage, res: ServerResponse) {
    const p = await params(req);
    const iss = text(p.iss, 2048);
    const loginHint = text(p.login_hint, 4096);
    const target = text(p.target_link_uri, 2048);
    if (!iss || !loginHint || !target)
      throw new LtiError('MISSING_LOGIN_PARAMETERS', 400, 'The login request needs iss, login_hint and target_link_uri.');
    const platform = await this.#platformFor(iss, text(p.client_id, 255));
    // A malformed URL (`http://[`) is not this tool either: 400, not a crash.
    if (!sameOrigin(target, this.#origin))
      throw new LtiError('BAD_TARGET_LINK_URI', 400, 'The launch points to a page that is not this tool.');
    const clientId: string = await platform.platformClientId();
    const authEndpoint = httpUrl(await platform.platformAuthEndpoint());
    if (!authEndpoint) throw new LtiError('PLATFORM_MISCONFIGURED', 500, 'The platform has no valid authorization endpoint.');
    const state = token();
    const nonce = token();
    const binding = token();
    const storageTarget = text(p.lti_storage_target, 100);
    const storageOrigin = new URL(authEndpoint).origin;
    await this.#o.db.insert(ltiLaunches).values({
      id: randomUUID(),
      state,
      nonce,
      issuer: iss,
      clientId,
      bindingHash: sha256(binding),
      targetLinkUri: target,
      storageTarget,
      storageOrigin: storageTarget ? storageOrigin : null,
      expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
    });
    const auth = new URL(authEndpoint);
    const q: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: clientId,
      redirect_uri: this.redirectUri,
      login_hint: loginHint,
      state,
      nonce,
    };
    const hint = text(p.lti_message_hint, 8192);
    if (hint) q.lti_message_hint = hint;
    for (const [k, v] of Object.entries(q)) auth.searchParams.set(k, v);
    const cspNonce = token();
    // Framed by whatever page embeds the platform's frame (a Canvas school's own domain is known to no
    // registration): this page holds no personal data and no control, only a redirect to the platform.
    this.#html(
      res,
      200,
      loginPage(
        {
          authUrl: auth.toString(),
          bindKey: `lt.bind.${state}`,
          binding,
          storage: storageTarget ? { target: storageTarget, origin: storageOrigin } : null,
        },
        cspNonce,
      ),
      { ancestors: ANY_ANCESTOR, nonce: cspNonce },
    );
  }

  async #launch(req: IncomingMessage, res: ServerResponse) {
    const p = await params(req);
    const idToken = typeof p.id_token === 'string' ? p.id_token : null;
    const state = typeof p.state === 'string' ? p.state : null;
    if (typeof p.error === 'string')
      throw new LtiError(
        'PLATFORM_REFUSED',
        400,
        `The platform refused the launch: ${text(p.error_description, 300) ?? text(p.error, 100)}.`,
      );
    if (!idToken || !state) throw new LtiError('MISSING_ID_TOKEN', 400, 'The launch carries no id_token or state.');
    // One use of a state: consumed here whatever the outcome, so a replayed launch is refused.
    const [row] = await this.#o.db
      .update(ltiLaunches)
      .set({ launchedAt: new Date() })
      .where(and(eq(ltiLaunches.state, state), isNull(ltiLaunches.launchedAt), gt(ltiLaunches.expiresAt, new Date())))
      .returning();
    if (!row) throw new LtiError('STATE_UNKNOWN', 401, 'This launch was not started here, has expired or was already used.');
    const payload = await this.verifyIdToken(idToken, row.issuer, row.clientId, row.nonce);
    const launch = readLaunch(payload, row.issuer, row.clientId, this.#origin);
    const dep = await this.#o.hooks.deploymentStatus(launch.issuer, launch.clientId, launch.deploymentId);
    if (dep === 'unknown') throw new LtiError('UNKNOWN_DEPLOYMENT', 403, 'This deployment of the tool is not registered.');
    if (
      launch.messageType === 'LtiDeepLinkingRequest' &&
      !launch.roles.some((r) => r === 'instructor' || r === 'teaching_assistant' || r === 'administrator')
    ) {
      throw new LtiError('DEEP_LINKING_NOT_ALLOWED', 403, 'Only instructors can add this tool to a course.');
    }
    const code = token();
    await this.#o.db
      .update(ltiLaunches)
      .set({ codeHash: sha256(code), claims: launch as unknown as Record<string, unknown>, expiresAt: new Date(Date.now() + CODE_TTL_MS) })
      .where(eq(ltiLaunches.id, row.id));
    const storage = row.storageTarget && row.storageOrigin ? { target: row.storageTarget, origin: row.storageOrigin } : null;
    // Framed by this platform's known sites and the sites its signed token names (return URLs: the course page's
    // own domain), never by another platform's.
    const ancestors = await this.#o.hooks.frameAncestors({ issuer: launch.issuer, clientId: launch.clientId }, launch.seenOrigins);
    this.#html(res, 200, await this.#o.hooks.renderApp({ code, bindKey: `lt.bind.${state}`, storage }), {
      ancestors,
      policy: this.#o.appContentSecurityPolicy,
    });
  }

  async #exchange(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req);
    const code = typeof body.code === 'string' ? body.code : null;
    const binding = typeof body.binding === 'string' ? body.binding : null;
    if (!code) throw new LtiError('MISSING_CODE', 400, 'No launch code was given.');
    // The code is spent by the first attempt, right or wrong.
    const [row] = await this.#o.db
      .update(ltiLaunches)
      .set({ exchangedAt: new Date() })
      .where(and(eq(ltiLaunches.codeHash, sha256(code)), isNull(ltiLaunches.exchangedAt), gt(ltiLaunches.expiresAt, new Date())))
      .returning();
    if (!row || !row.claims) throw new LtiError('CODE_INVALID', 401, 'This launch code is unknown, expired or already used.');
    if (!binding || sha256(binding) !== row.bindingHash) {
      throw new LtiError('BROWSER_MISMATCH', 403, 'This launch was not started in this browser window, so it cannot sign you in.');
    }
    const launch = row.claims as unknown as VerifiedLaunch;
    if (launch.messageType === 'LtiDeepLinkingRequest') {
      await this.#o.db
        .update(ltiLaunches)
        .set({ expiresAt: new Date(Date.now() + DEEP_LINK_TTL_MS) })
        .where(eq(ltiLaunches.id, row.id));
    }
    const out = await this.#o.hooks.launch({ ...launch, launchId: row.id });
    this.#json(res, 200, out);
  }

  async #keys(_req: IncomingMessage, res: ServerResponse) {
    this.#json(res, 200, await this.jwks(), { 'cache-control': 'public, max-age=300' });
  }

  async #canvasJson(_req: IncomingMessage, res: ServerResponse) {
    this.#json(res, 200, this.canvasConfig(), { 'cache-control': 'public, max-age=300' });
  }

  async #register(req: IncomingMessage, res: ServerResponse) {
    const q = query(req);
    await this.#admitRegistration(req, q);
    const configUrl = q.get('openid_configuration');
    if (!configUrl)
      throw new LtiError('MISSING_OPENID_CONFIGURATION', 400, 'Dynamic registration needs the openid_configuration parameter.');
    const info = await this.registerDynamic(configUrl, q.get('registration_token'));
    const nonce = token();
    // The platform shows this page in its own admin page, on whatever site the school runs that on (Moodle: an iframe;
    // Canvas: the school's domain, which no registration names): it holds no personal data and no action.
    this.#html(res, 200, registeredPage(this.#o.toolName, info.status, nonce), { ancestors: ANY_ANCESTOR, nonce });
  }

  /**
   * The bounds on /lti/register, which anyone can call, checked before anything is fetched or stored: attempts per
   * client address, the registration secret (or, in production, that some gate is configured at all), and the
   * backlog of registrations waiting for an administrator. The allow-list of platforms is checked in registerDynamic.
   */
  async #admitRegistration(req: IncomingMessage, q: URLSearchParams): Promise<void> {
    const policy = this.#o.registration ?? {};
    const limited = await this.#o.hooks.registrationAttempt(clientAddressKey(req.socket.remoteAddress));
    if (limited)
      throw new LtiError(
        'RATE_LIMITED',
        429,
        `Too many registration attempts from this address. Try again in ${Math.ceil(limited.retryAfterMs / 1000)} s.`,
      );
    if (policy.secret) {
      const given = createHash('sha256')
        .update(q.get('secret') ?? '')
        .digest();
      if (!timingSafeEqual(given, createHash('sha256').update(policy.secret).digest())) {
        throw new LtiError(
          'REGISTRATION_SECRET_REQUIRED',
          403,
          "This registration URL does not carry the tool's registration secret. Ask the tool's administrator for the registration URL.",
        );
      }
    } else if (policy.requireGate && !policy.issuers?.length) {
      throw new LtiError(
        'REGISTRATION_CLOSED',
        403,
        'Dynamic registration is closed here until the administrator of the tool sets a registration secret or a list of allowed platforms. The platform can still be registered by hand.',
      );
    }
    if ((await this.#o.hooks.pendingPlatforms()) >= (policy.maxPending ?? 20)) {
      throw new LtiError(
        'TOO_MANY_PENDING_REGISTRATIONS',
        503,
        'Too many registrations are waiting for an administrator of the tool. Try again once they have been reviewed.',
      );
    }
  }

  // ---------------------------------------------------------------- validation

  /**
   * Verifies a platform id_token: RS256 only, signature by the platform's key (JWKS cached by kid), issuer,
   * audience (and azp), lifetime up to the platform's own with a small leeway, and the nonce issued for this
   * state. Returns the payload.
   */
  async verifyIdToken(idToken: string, issuer: string, clientId: string, nonce: string): Promise<Record<string, unknown>> {
    let header;
    try {
      header = decodeProtectedHeader(idToken);
    } catch {
      throw new LtiError('INVALID_JWT', 401, 'The id_token is not a JWT.');
    }
    if (header.alg !== 'RS256') throw new LtiError('ALG_NOT_ALLOWED', 401, 'The id_token must be signed with RS256.');
    const platform = await this.lti.getPlatform(issuer, clientId);
    if (!platform) throw new LtiError('UNKNOWN_PLATFORM', 401, 'The platform is not registered.');
    const auth = await platform.platformAuthConfig();
    let key;
    if (auth.method === 'JWK_SET') {
      if (typeof header.kid !== 'string') throw new LtiError('UNKNOWN_KEY', 401, 'The id_token names no key (kid).');
      key = await this.#jwks.key(auth.key, header.kid);
    } else key = await inlineKey(auth.method, auth.key);
    const leeway = this.#o.clockToleranceSeconds ?? 30;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(idToken, key, {
        algorithms: ['RS256'],
        issuer,
        audience: clientId,
        clockTolerance: leeway,
        maxTokenAge: MAX_TOKEN_AGE_S + leeway,
        requiredClaims: ['exp', 'iat', 'nonce', 'sub'],
      }));
    } catch (err) {
      const e = err as { code?: string; claim?: string; message: string };
      if (e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
        throw new LtiError('BAD_SIGNATURE', 401, 'The id_token signature is not valid.');
      if (e.code === 'ERR_JWT_EXPIRED') throw new LtiError('TOKEN_EXPIRED', 401, 'The id_token has expired.');
      if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'aud')
        throw new LtiError('WRONG_AUDIENCE', 401, 'The id_token was not issued to this tool.');
      if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'iss')
        throw new LtiError('WRONG_ISSUER', 401, 'The id_token comes from another platform than the login.');
      if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'iat')
        throw new LtiError('TOKEN_TIME_INVALID', 401, 'The id_token was issued in the future or too long ago.');
      throw new LtiError('INVALID_TOKEN', 401, `The id_token is not valid (${e.message}).`);
    }
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + leeway)
      throw new LtiError('TOKEN_TIME_INVALID', 401, 'The id_token was issued in the future.');
    const aud = payload.aud;
    if (Array.isArray(aud) && aud.length > 1 && payload.azp === undefined)
      throw new LtiError('WRONG_AUDIENCE', 401, 'An id_token for several audiences must name this tool in azp.');
    if (payload.azp !== undefined && payload.azp !== clientId)
      throw new LtiError('WRONG_AUDIENCE', 401, 'The id_token azp is not this tool.');
    if (payload.nonce !== nonce) throw new LtiError('NONCE_MISMATCH', 401, 'The id_token nonce is not the one issued for this login.');
    return payload;
  }

  // ---------------------------------------------------------------- platforms

  async #platformFor(issuer: string, clientId: string | null): Promise<any> {
    let platform;
    if (clientId) platform = await this.lti.getPlatform(issuer, clientId);
    else {
      // Only active registrations count: a pending one (someone registered again under this issuer) must not make
      // the existing tenant's logins ambiguous.
      const all: any[] = (await this.lti.getPlatform(issuer)) || [];
      const active: any[] = [];
      for (const p of all)
        if ((await p.platformActive()) && (await this.#o.hooks.platformStatus(issuer, await p.platformClientId())) === 'active')
          active.push(p);
      if (active.length > 1)
        throw new LtiError(
          'CLIENT_ID_REQUIRED',
          400,
          'Several registrations exist for this platform; the login request must name the client_id.',
        );
      platform = active[0] ?? all[0];
    }
    if (!platform)
      throw new LtiError(
        'UNKNOWN_PLATFORM',
        400,
        'This platform is not registered with the tool. Ask your LMS administrator to register it.',
      );
    const status = await this.#o.hooks.platformStatus(issuer, await platform.platformClientId());
    if (status !== 'active' || !(await platform.platformActive()))
      throw new LtiError(
        'PLATFORM_NOT_ACTIVE',
        403,
        'This platform is registered but not activated yet. An administrator of the tool must activate it.',
      );
    return platform;
  }

  /**
   * Registers (or updates) a platform: ltijs keeps it; a new one gets its tool key pair, generated off the event
   * loop (ltijs's own registerPlatform would generate it synchronously: about a second of a blocked server per
   * 4096-bit key); the application records the tenant.
   */
  async registerPlatform(input: Omit<PlatformInfo, 'frameOrigins'> & { frameOrigins?: string[] }): Promise<PlatformInfo> {
    for (const [k, v] of [
      ['issuer', input.issuer],
      ['authEndpoint', input.authEndpoint],
      ['tokenEndpoint', input.tokenEndpoint],
      ['jwksUrl', input.jwksUrl],
    ] as const) {
      const u = v.length <= MAX_PLATFORM_URL ? httpUrl(v) : null;
      if (!u || (!this.#o.allowInsecurePlatforms && !u.startsWith('https:')))
        throw new LtiError('BAD_PLATFORM_URL', 400, `${k} must be an https URL of at most ${MAX_PLATFORM_URL} characters.`);
    }
    // Identifiers are stored as they are and indexed: one too long for the index would fail the insert (HTTP 500).
    if (!text(input.clientId, MAX_PLATFORM_ID) || input.clientId.length > MAX_PLATFORM_ID)
      throw new LtiError('BAD_CLIENT_ID', 400, `clientId is required and has at most ${MAX_PLATFORM_ID} characters.`);
    if (input.deploymentIds.some((d) => d.length > MAX_PLATFORM_ID))
      throw new LtiError('BAD_DEPLOYMENT_ID', 400, `A deployment id has at most ${MAX_PLATFORM_ID} characters.`);
    const fields = {
      url: input.issuer,
      name: input.name,
      clientId: input.clientId,
      authenticationEndpoint: input.authEndpoint,
      accesstokenEndpoint: input.tokenEndpoint,
      authConfig: { method: 'JWK_SET', key: input.jwksUrl },
    };
    // An existing registration is updated by ltijs (no key is made); a new one is stored as ltijs stores it.
    const platform = (await this.lti.getPlatform(input.issuer, input.clientId))
      ? await this.lti.registerPlatform(fields)
      : await this.#storeNewPlatform(fields);
    await platform.platformActive(input.status === 'active');
    const origins = new Set([...(input.frameOrigins ?? []), new URL(input.issuer).origin, new URL(input.authEndpoint).origin]);
    const info: PlatformInfo = { ...input, frameOrigins: [...origins] };
    await this.#o.hooks.platformRegistered(info);
    return info;
  }

  /** ltijs's registerPlatform for a new platform (Provider.registerPlatform, Auth.generatePlatformKeyPair), with the key made asynchronously. */
  async #storeNewPlatform(f: {
    url: string;
    name: string;
    clientId: string;
    authenticationEndpoint: string;
    accesstokenEndpoint: string;
    authConfig: { method: string; key: string };
  }): Promise<any> {
    const kid = randomBytes(16).toString('hex');
    const { publicKey, privateKey } = await newKeyPair(this.#o.keyBits ?? 4096);
    const k = this.#o.encryptionKey;
    const where = { platformUrl: f.url, clientId: f.clientId };
    try {
      await this.store.Replace(k, 'publickey', where, { key: publicKey, kid }, { kid, ...where });
      await this.store.Replace(k, 'privatekey', where, { key: privateKey, kid }, { kid, ...where });
      await this.store.Replace(false, 'platform', where, {
        platformName: f.name,
        platformUrl: f.url,
        clientId: f.clientId,
        authEndpoint: f.authenticationEndpoint,
        accesstokenEndpoint: f.accesstokenEndpoint,
        kid,
        authConfig: f.authConfig,
      });
    } catch (err) {
      await this.store.Delete('publickey', { kid });
      await this.store.Delete('privatekey', { kid });
      await this.store.Delete('platform', where);
      throw err;
    }
    return this.lti.getPlatform(f.url, f.clientId);
  }

  async setPlatformActive(issuer: string, clientId: string, active: boolean): Promise<void> {
    const platform = await this.lti.getPlatform(issuer, clientId);
    if (!platform) throw new LtiError('UNKNOWN_PLATFORM', 404, 'No such platform registration.');
    await platform.platformActive(active);
  }

  async deletePlatform(issuer: string, clientId: string): Promise<void> {
    await this.lti.deletePlatform(issuer, clientId);
  }

  /**
   * LTI Dynamic Registration (Moodle 4.x, Canvas): read the platform's configuration, post our registration,
   * register the platform. Moodle lists messages as strings and answers with a deployment id; Canvas lists
   * objects with placements and answers without one (its deployments then arrive with launches).
   */
  async registerDynamic(configUrl: string, registrationToken: string | null): Promise<PlatformInfo> {
    const cfgUrl = httpUrl(configUrl);
    if (!cfgUrl || (!this.#o.allowInsecurePlatforms && !cfgUrl.startsWith('https:')))
      throw new LtiError('BAD_OPENID_CONFIGURATION', 400, 'openid_configuration must be an https URL.');
    // An allow-list of platforms: the configuration must come from a listed platform's site (checked before it is
    // fetched) and name a listed issuer (so a listed site cannot speak for another platform).
    const allowed = (this.#o.registration?.issuers ?? []).map((i) => i.replace(/\/+$/, ''));
    const notAllowed = () =>
      new LtiError(
        'PLATFORM_NOT_ALLOWED',
        403,
        'This platform is not on the list of platforms allowed to register with the tool. Ask the administrator of the tool to add it, or to register it by hand.',
      );
    if (allowed.length && !allowed.some((i) => sameOrigin(cfgUrl, new URL(i).origin))) throw notAllowed();
    const cfg = await this.#getJson(cfgUrl);
    // The issuer exactly as the platform writes it: id_tokens carry it so, and it is compared as a string.
    const issuer = httpUrl(cfg.issuer) ? (cfg.issuer as string) : null;
    const regEndpoint = httpUrl(cfg.registration_endpoint);
    if (!issuer || !regEndpoint || !httpUrl(cfg.authorization_endpoint) || !httpUrl(cfg.token_endpoint) || !httpUrl(cfg.jwks_uri)) {
      throw new LtiError('BAD_OPENID_CONFIGURATION', 400, 'The platform configuration lacks issuer, endpoints or jwks_uri.');
    }
    if (allowed.length && !allowed.includes(issuer.replace(/\/+$/, ''))) throw notAllowed();
    const pc = (cfg['https://purl.imsglobal.org/spec/lti-platform-configuration'] ?? {}) as Record<string, unknown>;
    const family = String(pc.product_family_code ?? '').toLowerCase();
    const product: Product = family === 'moodle' ? 'moodle' : family === 'canvas' ? 'canvas' : 'generic';
    const supported = Array.isArray(pc.messages_supported)
      ? pc.messages_supported.map((m) => (typeof m === 'string' ? m : (m as { type?: string })?.type)).filter(Boolean)
      : ['LtiResourceLinkRequest'];
    const claimsSupported = Array.isArray(cfg.claims_supported) ? (cfg.claims_supported as string[]) : [];
    const wantedClaims = ['iss', 'sub', 'name', 'given_name', 'family_name', 'email', 'picture', 'locale'].filter(
      (c) => claimsSupported.length === 0 || claimsSupported.includes(c),
    );
    const target = `${this.#o.publicUrl}/lti/launch`;
    const messages: Array<Record<string, unknown>> = [
      {
        type: 'LtiResourceLinkRequest',
        target_link_uri: target,
        label: this.#o.toolName,
        ...(product === 'canvas' ? { placements: ['course_navigation'] } : {}),
      },
    ];
    if (supported.includes('LtiDeepLinkingRequest')) {
      messages.push({
        type: 'LtiDeepLinkingRequest',
        target_link_uri: target,
        label: `Add ${this.#o.toolName}`,
        ...(product === 'canvas' ? { placements: ['link_selection', 'assignment_selection'] } : {}),
      });
    }
    const registration = {
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: this.loginUrl,
      redirect_uris: [this.redirectUri],
      client_name: this.#o.toolName,
      jwks_uri: this.jwksUrl,
      logo_uri: `${this.#o.publicUrl}/favicon.svg`,
      token_endpoint_auth_method: 'private_key_jwt',
      scope: SCOPES.filter((s) => !Array.isArray(cfg.scopes_supported) || (cfg.scopes_supported as string[]).includes(s)).join(' '),
      'https://purl.imsglobal.org/spec/lti-tool-configuration': {
        domain: new URL(this.#o.publicUrl).host,
        description: this.#o.description,
        target_link_uri: target,
        claims: wantedClaims,
        messages,
        ...(product === 'canvas' ? { 'https://canvas.instructure.com/lti/privacy_level': 'public' } : {}),
      },
    };
    let res: Response;
    let answer: Record<string, unknown> = {};
    try {
      res = await this.#fetch(regEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': this.#o.userAgent,
          ...(registrationToken ? { authorization: `Bearer ${registrationToken}` } : {}),
        },
        body: JSON.stringify(registration),
        signal: AbortSignal.timeout(15_000),
      });
      const parsed: unknown = await res.json().catch(() => ({}));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) answer = parsed as Record<string, unknown>;
    } catch (err) {
      throw outboundFailure(err, 'registration endpoint');
    }
    if (!res.ok || typeof answer.client_id !== 'string')
      throw new LtiError('REGISTRATION_REFUSED', 502, `The platform refused the registration (HTTP ${res.status}).`);
    const toolCfg = (answer['https://purl.imsglobal.org/spec/lti-tool-configuration'] ?? {}) as Record<string, unknown>;
    const deploymentId = text(toolCfg.deployment_id, 255);
    if (await this.lti.getPlatform(issuer, answer.client_id))
      throw new LtiError('PLATFORM_ALREADY_REGISTERED', 409, 'This platform registration already exists.');
    // A registration under an issuer that already has one waits for an administrator, whatever autoActivate says:
    // anyone can claim any issuer in a configuration, and an existing tenant must not be disturbed by it.
    const issuerKnown = ((await this.lti.getPlatform(issuer)) || []).length > 0;
    return this.registerPlatform({
      issuer,
      clientId: answer.client_id,
      name: text(pc.product_family_code, 50)
        ? `${product === 'generic' ? String(pc.product_family_code) : product[0]!.toUpperCase() + product.slice(1)} (${new URL(cfgUrl).host})`
        : new URL(cfgUrl).host,
      product,
      authEndpoint: String(cfg.authorization_endpoint),
      tokenEndpoint: String(cfg.token_endpoint),
      jwksUrl: String(cfg.jwks_uri),
      deploymentIds: deploymentId ? [deploymentId] : [],
      status: this.#o.autoActivate && !issuerKnown ? 'active' : 'pending',
      acceptNewDeployments: !deploymentId,
      frameOrigins: [new URL(cfgUrl).origin],
    });
  }

  /** The platform's OpenID configuration: a JSON object, through the address guard; nothing it says is echoed. */
  async #getJson(u: string): Promise<Record<string, any>> {
    let res: Response;
    let body: string;
    try {
      res = await this.#fetch(u, {
        headers: { accept: 'application/json', 'user-agent': this.#o.userAgent },
        signal: AbortSignal.timeout(15_000),
      });
      body = await res.text();
    } catch (err) {
      throw outboundFailure(err, 'platform configuration');
    }
    if (!res.ok) throw new LtiError('PLATFORM_UNREACHABLE', 502, `The platform configuration could not be read (HTTP ${res.status}).`);
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch {
      throw new LtiError('PLATFORM_UNREACHABLE', 502, 'The platform configuration could not be read (it is not JSON).');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v))
      throw new LtiError('BAD_OPENID_CONFIGURATION', 400, 'The platform configuration is not a JSON object.');
    return v as Record<string, any>;
  }

  // ---------------------------------------------------------------- keys

  /** The JWKS: every tool key in use, and retired keys until what they signed has expired. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = ((await this.store.Get(false, 'publickey')) || []) as Array<Record<string, any>>;
    const keys: JWK[] = [];
    for (const r of rows) {
      if (typeof r.retiredAt === 'number' && r.retiredAt + RETIRED_KEY_GRACE_MS < Date.now()) continue;
      const doc = JSON.parse(this.store.Decrypt(r.data, r.iv, this.#o.encryptionKey)) as { key: string; kid: string };
      const jwk = createPublicKey(doc.key).export({ format: 'jwk' }) as JWK;
      keys.push({ ...jwk, kid: doc.kid, alg: 'RS256', use: 'sig' });
    }
    return { keys };
  }

  /**
   * Rotates a platform's tool key: a new pair signs from now on; the old public key stays in the JWKS for
   * RETIRED_KEY_GRACE_MS so what it signed can still be verified, and its private key is deleted.
   */
  async rotateKey(issuer: string, clientId: string): Promise<string> {
    const platform = await this.lti.getPlatform(issuer, clientId);
    if (!platform) throw new LtiError('UNKNOWN_PLATFORM', 404, 'No such platform registration.');
    const oldKid: string = await platform.platformKid();
    const kid = randomBytes(16).toString('hex');
    const { publicKey, privateKey } = await newKeyPair(this.#o.keyBits ?? 4096);
    const k = this.#o.encryptionKey;
    const active = await platform.platformActive();
    await this.store.Modify(false, 'publickey', { kid: oldKid }, { retiredAt: Date.now(), platformUrl: null, clientId: null });
    await this.store.Insert(k, 'publickey', { key: publicKey, kid }, { kid, platformUrl: issuer, clientId });
    await this.store.Insert(k, 'privatekey', { key: privateKey, kid }, { kid, platformUrl: issuer, clientId });
    await this.store.Modify(false, 'platform', { platformUrl: issuer, clientId }, { kid });
    await this.store.Delete('privatekey', { kid: oldKid });
    await this.store.Delete('platformStatus', { id: oldKid });
    const rotated = await this.lti.getPlatform(issuer, clientId);
    await rotated.platformActive(active);
    return kid;
  }

  /** Removes retired public keys past their grace. */
  async sweepKeys(): Promise<number> {
    const rows = ((await this.store.Get(false, 'publickey')) || []) as Array<Record<string, any>>;
    let n = 0;
    for (const r of rows) {
      if (typeof r.retiredAt === 'number' && r.retiredAt + RETIRED_KEY_GRACE_MS < Date.now()) {
        await this.store.Delete('publickey', { kid: r.kid });
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- deep linking

  /** A deep-linking request still open, for the picker. */
  async deepLinkRequest(id: string): Promise<(VerifiedLaunch & { id: string; expiresAt: Date }) | null> {
    const [row] = await this.#o.db
      .select()
      .from(ltiLaunches)
      .where(and(eq(ltiLaunches.id, id), gt(ltiLaunches.expiresAt, new Date())));
    const l = row?.claims as VerifiedLaunch | undefined;
    if (!row || !row.exchangedAt || !l || l.messageType !== 'LtiDeepLinkingRequest') return null;
    return { ...l, id: row.id, expiresAt: row.expiresAt };
  }

  /**
   * The signed LtiDeepLinkingResponse for chosen items (the caller has checked the viewer may answer the
   * request). Signed with the platform's tool key; each item is an LTI resource link that opens a section of
   * the course, with a line item where grading is wanted.
   */
  async deepLinkResponse(
    id: string,
    items: Array<{ section: Section; title: string; scoreMaximum?: number | null }>,
  ): Promise<{ returnUrl: string; jwt: string }> {
    const req = await this.deepLinkRequest(id);
    if (!req?.deepLinking)
      throw new LtiError('DEEP_LINK_EXPIRED', 404, 'This deep linking request has expired. Start again from your course.');
    if (items.length === 0 || (!req.deepLinking.acceptMultiple && items.length > 1))
      throw new LtiError(
        'DEEP_LINK_ITEMS',
        400,
        req.deepLinking.acceptMultiple ? 'Choose at least one item.' : 'The course accepts one item here.',
      );
    const platform = await this.lti.getPlatform(req.issuer, req.clientId);
    if (!platform) throw new LtiError('UNKNOWN_PLATFORM', 404, 'The platform is no longer registered.');
    const key = createPrivateKey(await platform.platformPrivateKey());
    const contentItems = items.map((it) => ({
      type: 'ltiResourceLink',
      title: it.title,
      url: this.redirectUri,
      custom: { lt_section: it.section },
      ...(it.scoreMaximum ? { lineItem: { scoreMaximum: it.scoreMaximum, label: it.title, resourceId: it.section } } : {}),
    }));
    const jwt = await new SignJWT({
      [C.messageType]: 'LtiDeepLinkingResponse',
      [C.version]: '1.3.0',
      [C.deploymentId]: req.deploymentId,
      nonce: token(),
      ...(req.deepLinking.data !== null ? { 'https://purl.imsglobal.org/spec/lti-dl/claim/data': req.deepLinking.data } : {}),
      'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': contentItems,
    })
      .setProtectedHeader({ alg: 'RS256', kid: await platform.platformKid(), typ: 'JWT' })
      .setIssuer(req.clientId)
      .setAudience(req.issuer)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
    // One response per request.
    await this.#o.db.update(ltiLaunches).set({ expiresAt: new Date() }).where(eq(ltiLaunches.id, id));
    return { returnUrl: req.deepLinking.returnUrl, jwt };
  }

  // ---------------------------------------------------------------- services (NRPS, AGS) through ltijs

  /** One NRPS page; `next` is the URL of the following page or null. */
  async membersPage(
    issuer: string,
    clientId: string,
    pageUrl: string,
    first: boolean,
  ): Promise<{ members: Array<Record<string, any>>; next: string | null }> {
    await this.#assertPublicService(issuer, clientId, pageUrl, 'roster service');
    const idtoken = { iss: issuer, clientId, platformContext: { namesRoles: { context_memberships_url: pageUrl } } };
    const result = await this.lti.NamesAndRoles.getMembers(idtoken, first ? { pages: 1 } : { pages: 1, url: pageUrl });
    return { members: Array.isArray(result?.members) ? result.members : [], next: typeof result?.next === 'string' ? result.next : null };
  }

  /** Posts a score to a line item (AGS), keeping any query string of the line item URL. */
  async submitScore(
    issuer: string,
    clientId: string,
    lineItemUrl: string,
    score: {
      userId: string;
      scoreGiven: number;
      scoreMaximum: number;
      activityProgress: string;
      gradingProgress: string;
      comment?: string;
    },
  ): Promise<void> {
    await this.#assertPublicService(issuer, clientId, lineItemUrl, 'grade service');
    await this.lti.Grade.submitScore({ iss: issuer, clientId }, lineItemUrl, { ...score });
  }

  /**
   * ltijs calls NRPS, AGS and the token endpoint with its own HTTP client, which has no address guard: the service
   * URL (from a launch) and the platform's token endpoint (from its registration) are checked here first.
   */
  async #assertPublicService(issuer: string, clientId: string, serviceUrl: string, what: string): Promise<void> {
    if (this.#o.allowPrivateNetwork) return;
    const platform = await this.lti.getPlatform(issuer, clientId);
    try {
      await assertPublicUrl(serviceUrl);
      if (platform) await assertPublicUrl(await platform.platformAccessTokenEndpoint());
    } catch (err) {
      throw outboundFailure(err, what);
    }
  }

  /** Removes expired login states and spent codes. */
  async sweepLaunches(): Promise<number> {
    const gone = await this.#o.db.delete(ltiLaunches).where(lt(ltiLaunches.expiresAt, new Date())).returning({ id: ltiLaunches.id });
    return gone.length + (await this.store.sweep());
  }

  // ---------------------------------------------------------------- Canvas developer key

  canvasConfig(): Record<string, unknown> {
    const base = this.#o.publicUrl;
    const host = new URL(base).host;
    return {
      title: this.#o.toolName,
      description: this.#o.description,
      oidc_initiation_url: this.loginUrl,
      target_link_uri: this.redirectUri,
      public_jwk_url: this.jwksUrl,
      scopes: SCOPES,
      extensions: [
        {
          domain: host,
          tool_id: 'lti-learning-tool',
          platform: 'canvas.instructure.com',
          privacy_level: 'public',
          settings: {
            text: this.#o.toolName,
            icon_url: `${base}/favicon.svg`,
            placements: [
              {
                placement: 'course_navigation',
                message_type: 'LtiResourceLinkRequest',
                target_link_uri: this.redirectUri,
                text: this.#o.toolName,
                default: 'enabled',
                windowTarget: '_self',
              },
              {
                placement: 'link_selection',
                message_type: 'LtiDeepLinkingRequest',
                target_link_uri: this.redirectUri,
                text: `Add ${this.#o.toolName}`,
              },
              {
                placement: 'assignment_selection',
                message_type: 'LtiDeepLinkingRequest',
                target_link_uri: this.redirectUri,
                text: `Add ${this.#o.toolName}`,
              },
            ],
          },
        },
      ],
      custom_fields: {},
    };
  }

  // ---------------------------------------------------------------- responses

  /** An HTML page, framed by `ancestors` (a CSP source list); its script policy is `policy`, or 'self' plus the nonce. */
  #html(res: ServerResponse, status: number, body: string, o: { ancestors: string; nonce?: string; policy?: string }) {
    const { ancestors, nonce: scriptNonce, policy: pagePolicy } = o;
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': pagePolicy
        ? `${pagePolicy}; frame-ancestors ${ancestors}`
        : `frame-ancestors ${ancestors}; script-src 'self'${scriptNonce ? ` 'nonce-${scriptNonce}'` : ''}; object-src 'none'; base-uri 'none'`,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  }

  #json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  }
}

/** The LTI endpoints: methods allowed, and whether errors answer as a page (browser-facing) or JSON. */
const ROUTES = {
  '/lti/login': { methods: ['GET', 'POST'], html: true },
  '/lti/launch': { methods: ['POST'], html: true },
  '/lti/exchange': { methods: ['POST'], html: false },
  '/lti/keys': { methods: ['GET'], html: false },
  '/lti/register': { methods: ['GET'], html: true },
  '/lti/canvas.json': { methods: ['GET'], html: false },
} as const;

const MAX_FORM_BYTES = 64 * 1024;

async function readRaw(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new LtiError('REQUEST_TOO_LARGE', 413, 'The request is too large.');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A failed request to a platform URL as an LtiError whose message holds nothing the remote side sent. */
function outboundFailure(err: unknown, what: string): LtiError {
  if (err instanceof LtiError) return err;
  if (err instanceof OutboundError) {
    if (err.reason === 'private-address')
      return new LtiError(
        'PLATFORM_ADDRESS_NOT_ALLOWED',
        400,
        `The ${what} is at a private or local network address, which the tool does not contact.`,
      );
    if (err.reason === 'too-large')
      return new LtiError('PLATFORM_RESPONSE_TOO_LARGE', 502, `The ${what} answered with more data than the tool reads.`);
    if (err.reason === 'bad-url') return new LtiError('BAD_OPENID_CONFIGURATION', 400, `The ${what} URL is not valid.`);
    return new LtiError('PLATFORM_UNREACHABLE', 502, `The ${what} could not be read (${err.message.replace(/\.$/, '').toLowerCase()}).`);
  }
  return new LtiError('PLATFORM_UNREACHABLE', 502, `The ${what} could not be read.`);
}

/** The query string of a request; empty when the request target is not a valid URL (`//[`). */
function query(req: IncomingMessage): URLSearchParams {
  try {
    return new URL(req.url ?? '/', 'http://x').searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** Query and form parameters (application/x-www-form-urlencoded), form winning. */
async function params(req: IncomingMessage): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of query(req)) out[k] = v;
  if (req.method === 'POST') {
    const type = String(req.headers['content-type'] ?? '');
    if (!type.startsWith('application/x-www-form-urlencoded'))
      throw new LtiError('BAD_CONTENT_TYPE', 415, 'Send the form as application/x-www-form-urlencoded.');
    for (const [k, v] of new URLSearchParams(await readRaw(req))) out[k] = v;
  }
  return out;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new LtiError('BAD_CONTENT_TYPE', 415, 'Send JSON.');
  try {
    const v = JSON.parse(await readRaw(req));
    return v && typeof v === 'object' ? v : {};
  } catch (err) {
    if (err instanceof LtiError) throw err;
    throw new LtiError('BAD_JSON', 400, 'The body is not valid JSON.');
  }
}
