/**
 * The platform itself: keys, tools, courses, the OIDC launch (login initiation and authorization endpoint), the
 * LMS page, and routing to the service endpoints (./services.ts), dynamic registration (./registration.ts) and the
 * deep linking return (./deep-linking.ts).
 */
import { createHmac, createPrivateKey, randomBytes, randomUUID, sign as rsaSign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { buildLaunchClaims, type ResolvedLink } from './claims.js';
import { handleDeepLinkReturn } from './deep-linking.js';
import { makeUser, demoPeople } from './demo.js';
import { renderAutoPost, renderForwardingFrame, renderFramePage, renderLmsPage } from './html.js';
import { formParams, HttpError, sendHtml, sendJson, sendText, escapeHtml, userAgent } from './http.js';
import { PROFILES, canvasLegacyId, ids, type ProfileTraits } from './profiles.js';
import { handleRegister, openidConfiguration, registrationToken } from './registration.js';
import { handleAgs, handleNrps, handleToken } from './services.js';
import type {
  Course,
  DemoRole,
  LaunchIntent,
  LineItem,
  LoginInitiation,
  LtiPlatform,
  MessageType,
  PlatformOptions,
  Profile,
  Received,
  SignOptions,
  ToolRegistration,
  ToolRegistrationInput,
  User,
} from './types.js';

/** How long a login initiation stays valid (Canvas: MESSAGE_HINT_LIFESPAN = 5 minutes). */
const LAUNCH_LIFETIME_MS = 5 * 60_000;

/** A launch waiting for the tool's authentication request. */
interface PendingLaunch {
  id: string;
  intent: LaunchIntent;
  tool: ToolRegistration;
  deploymentId: string;
  course: Course;
  user: User;
  messageType: MessageType;
  link?: ResolvedLink;
  targetLinkUri: string;
  loginHint: string;
  placement: string | null;
  expiresAt: number;
}

/** A deep linking request, found again from its return URL. */
export interface DeepLinkRequest {
  clientId: string;
  deploymentId: string;
  courseId: string;
  data?: string;
}

export interface AccessToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export class PlatformImpl implements LtiPlatform {
  readonly traits: ProfileTraits;
  readonly siteName: string;
  readonly userAgentRequired: boolean;
  nrpsPageSize: number;
  readonly tools: ToolRegistration[] = [];
  readonly received: Received = { scores: [], deepLinks: [], tokenRequests: [], registrations: [], nrpsRequests: [] };
  /** Deep linking requests by the token in their return URL. */
  readonly deepLinkRequests = new Map<string, DeepLinkRequest>();
  readonly accessTokens = new Map<string, AccessToken>();
  /** Client assertion jti values already used, with their expiry (seconds). */
  readonly usedJtis = new Map<string, number>();
  /** One-time dynamic registration tokens and the client id each will create. */
  readonly registrationTokens = new Map<string, { clientId: string; used: boolean; expiresAt: number }>();
  /** Accepted scores by `${contextId}|${lineItemId}`, then by user id. */
  readonly results = new Map<string, Map<string, Record<string, any>>>();
  /** Score POSTs still to refuse, and with what status (failScores). */
  readonly scoreFailures = { remaining: 0, status: 503 };
  /** Secret of the HS256 tokens Canvas signs for itself (lti_message_hint, registration tokens). */
  readonly secret = randomBytes(32);

  private base: string;
  private readonly basePath: string;
  private readonly courses: Course[] = [];
  private readonly people: User[];
  private readonly pending = new Map<string, PendingLaunch>();
  private readonly cmids = new Map<string, number>();
  private readonly seq = { client: 0, deployment: 0, course: 0, link: 0, lineItem: 0 };
  private server?: Server;

  private constructor(
    readonly profile: Profile,
    baseUrl: URL,
    private readonly privateJwk: JWK,
    private readonly key: KeyObject,
    private readonly opts: PlatformOptions,
  ) {
    this.traits = PROFILES[profile];
    this.base = baseUrl.href.replace(/\/+$/, '');
    this.basePath = baseUrl.pathname.replace(/\/+$/, '');
    this.siteName =
      opts.name ?? (profile === 'moodle' ? 'Moodle Demo University' : profile === 'canvas' ? 'Canvas Demo Institution' : 'Demo LMS');
    this.userAgentRequired = opts.userAgentRequired ?? this.traits.userAgentRequired;
    this.nrpsPageSize = opts.nrpsPageSize ?? this.traits.nrpsPageSize;
    this.people = demoPeople(profile);
    this.addCourse({ label: 'CS101', title: 'Intro to Programming' });
  }

  static async create(opts: PlatformOptions): Promise<PlatformImpl> {
    const baseUrl = new URL(opts.baseUrl);
    let jwk = opts.privateJwk;
    if (!jwk) {
      const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: newKid(opts.profile) };
    }
    if (jwk.kty !== 'RSA' || !jwk.d) throw new Error('privateJwk must be an RSA private key');
    if (!jwk.kid) jwk = { ...jwk, kid: await calculateJwkThumbprint(jwk) };
    const key = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    return new PlatformImpl(opts.profile, baseUrl, jwk, key, opts);
  }

  // ---------------------------------------------------------------- identity, keys, URLs

  get issuer(): string {
    return this.opts.sites?.issuer?.replace(/\/+$/, '') ?? this.base;
  }

  /** baseUrl with another host name (same scheme, port and path). */
  private onHost(host: string | undefined, path: string): string {
    if (!host) return this.url(path);
    const u = new URL(this.base);
    u.hostname = host;
    return `${u.href.replace(/\/+$/, '')}${path}`;
  }

  pageUrl(path: string): string {
    return this.onHost(this.opts.sites?.page, path);
  }

  get authEndpoint(): string {
    return this.onHost(this.opts.sites?.auth, '/auth');
  }

  /** lti_storage_target of launches: the course page itself, or Canvas' forwarding frame. */
  get storageTarget(): string {
    return this.opts.storageFrame ? 'post_message_forwarding' : '_parent';
  }

  get kid(): string {
    return this.privateJwk.kid!;
  }

  /** An absolute URL of one of our endpoints. */
  url(path: string): string {
    return `${this.base}${path}`;
  }

  jwks(): { keys: JWK[] } {
    const { kty, n, e, kid } = this.privateJwk;
    return { keys: [{ kty, e, n, kid, alg: 'RS256', use: 'sig' }] };
  }

  exportPrivateJwk(): JWK {
    return { ...this.privateJwk };
  }

  async sign(payload: object, opts: SignOptions = {}): Promise<string> {
    const alg = opts.alg ?? 'RS256';
    if (alg === 'none') return new UnsecuredJWT(payload as JWTPayload).encode();
    const key = opts.key ?? this.key;
    const kid = opts.kid ?? (key === this.key ? this.kid : undefined);
    const header = { typ: 'JWT', alg, ...(kid !== undefined ? { kid } : {}), ...opts.header };
    return new SignJWT(payload as JWTPayload).setProtectedHeader(header).sign(key);
  }

  /** RS256 with the platform key, synchronously (for tokens handed out by synchronous API calls). */
  signSync(payload: object): string {
    const input = `${b64json({ typ: 'JWT', alg: 'RS256', kid: this.kid })}.${b64json(payload)}`;
    return `${input}.${rsaSign('sha256', Buffer.from(input), this.key).toString('base64url')}`;
  }

  /** HS256 with the platform secret, as Canvas::Security.create_jwt signs its own tokens. */
  hs256(payload: object): string {
    const input = `${b64json({ typ: 'JWT', alg: 'HS256' })}.${b64json(payload)}`;
    return `${input}.${createHmac('sha256', this.secret).update(input).digest('base64url')}`;
  }

  nrpsUrl(course: Course): string {
    return this.url(`/nrps/${encodeURIComponent(course.id)}`);
  }

  /** The line items container: Moodle's carries the tool type (deployment) id in `type_id`, as its services.php does. */
  lineItemsUrl(course: Course, deploymentId: string): string {
    const ctx = encodeURIComponent(course.id);
    if (this.profile === 'moodle') return this.url(`/ags/${ctx}/lineitems?type_id=${encodeURIComponent(deploymentId)}`);
    return this.url(`/ags/${ctx}/${this.profile === 'canvas' ? 'line_items' : 'lineitems'}`);
  }

  /** A line item: Moodle `.../lineitems/5/lineitem?type_id=1`, Canvas `.../line_items/5`, generic `.../lineitems/5`. */
  lineItemUrl(course: Course, lineItemId: string, deploymentId: string): string {
    const ctx = encodeURIComponent(course.id);
    if (this.profile === 'moodle')
      return this.url(`/ags/${ctx}/lineitems/${lineItemId}/lineitem?type_id=${encodeURIComponent(deploymentId)}`);
    return this.url(`/ags/${ctx}/${this.profile === 'canvas' ? 'line_items' : 'lineitems'}/${lineItemId}`);
  }

  /** The tool's current public keys, fetched from its JWKS URL each time (so key rotation just works). */
  async toolKeys(tool: ToolRegistration): Promise<JWTVerifyGetKey> {
    let body: unknown;
    try {
      const res = await fetch(tool.jwksUrl, { headers: { accept: 'application/json', 'user-agent': `${this.traits.label} LTI platform` } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = await res.json();
    } catch (e) {
      throw new Error(`could not fetch the tool's JWKS from ${tool.jwksUrl}: ${(e as Error).message}`);
    }
    return createLocalJWKSet(body as { keys: JWK[] });
  }

  // ---------------------------------------------------------------- tools and courses

  findTool(clientId: string): ToolRegistration | undefined {
    return this.tools.find((t) => t.clientId === clientId);
  }

  registerTool(reg: ToolRegistrationInput): ToolRegistration {
    const clientId = reg.clientId ?? this.newClientId();
    const deploymentIds = reg.deploymentIds ?? [ids.deploymentId(this.profile, ++this.seq.deployment, this.course().id)];
    const tool: ToolRegistration = { ...reg, clientId, deploymentIds };
    this.tools.push(tool);
    return tool;
  }

  course(contextId?: string): Course {
    const course = contextId === undefined ? this.courses[0] : this.findCourse(contextId);
    if (!course) throw new Error(`No course with context id ${contextId}`);
    return course;
  }

  findCourse(contextId: string): Course | undefined {
    return this.courses.find((c) => c.id === contextId);
  }

  /** Canvas' numeric course id for a course (its position, counting from 1). */
  courseNumber(course: Course): number {
    return this.courses.indexOf(course) + 1;
  }

  addCourse(c: Partial<Course>): Course {
    const seq = ++this.seq.course;
    const course: Course = {
      id: c.id ?? ids.courseId(this.profile, seq),
      label: c.label ?? `COURSE${seq}`,
      title: c.title ?? `Course ${seq}`,
      // The site administrator and the visiting guest are not enrolled: they are not in NRPS.
      members: c.members ?? this.people.filter((p) => p.role !== 'admin' && p.role !== 'guest'),
      activities: c.activities ?? [],
      lineItems: c.lineItems ?? [],
    };
    if (!c.activities) {
      const lineItem = this.createLineItem(course, { label: 'Week 1: Hello, world', scoreMaximum: 100 });
      const activity = {
        resourceLinkId: this.nextResourceLinkId(),
        title: 'Week 1: Hello, world',
        text: 'Write and run your first program.',
        lineItemId: lineItem.id,
      };
      lineItem.resourceLinkId = activity.resourceLinkId;
      course.activities.push(activity);
    }
    this.courses.push(course);
    return course;
  }

  failScores(n: number, status = 503): void {
    this.scoreFailures.remaining = n;
    this.scoreFailures.status = status;
  }

  result(lineItemId: string, userId: string, contextId?: string): Record<string, any> | undefined {
    return this.results.get(`${this.course(contextId).id}|${lineItemId}`)?.get(userId);
  }

  nextResourceLinkId(): string {
    return ids.resourceLinkId(this.profile, ++this.seq.link);
  }

  createLineItem(course: Course, li: Omit<LineItem, 'id'>): LineItem {
    const lineItem: LineItem = { ...li, id: String(++this.seq.lineItem) };
    course.lineItems.push(lineItem);
    return lineItem;
  }

  // ---------------------------------------------------------------- launches

  initiate(intent: LaunchIntent): LoginInitiation {
    const tool = intent.clientId ? this.findTool(intent.clientId) : this.tools[0];
    if (!tool) throw new Error(intent.clientId ? `No tool with client_id ${intent.clientId}` : 'No tool registered');
    const deploymentId = intent.deploymentId ?? tool.deploymentIds[0];
    if (!deploymentId) throw new Error(`Tool ${tool.clientId} has no deployment`);
    const course = this.course(intent.contextId);
    const user = typeof intent.user === 'string' ? this.demoUser(course, intent.user) : intent.user;
    const messageType = intent.messageType ?? 'LtiResourceLinkRequest';
    const isLink = messageType === 'LtiResourceLinkRequest';
    const activity = isLink
      ? course.activities.find((a) => a.resourceLinkId === (intent.resourceLink?.id ?? course.activities[0]?.resourceLinkId))
      : undefined;
    const link = isLink ? this.resolveLink(course, deploymentId, intent.resourceLink, activity) : undefined;
    const targetLinkUri =
      intent.targetLinkUri ?? (isLink ? (activity?.url ?? tool.targetLinkUri) : (tool.deepLinkingUri ?? tool.targetLinkUri));
    const id = this.launchId(messageType, link?.id);
    const loginHint = this.profile === 'canvas' ? canvasLegacyId(user.id) : user.id;
    // Canvas: assignment launches carry a null placement (as seen in real id_tokens), others the placement used.
    const placement = !isLink ? 'link_selection' : link?.lineItemUrl ? null : 'course_navigation';
    this.pending.set(id, {
      id,
      intent,
      tool,
      deploymentId,
      course,
      user,
      messageType,
      link,
      targetLinkUri,
      loginHint,
      placement,
      expiresAt: Date.now() + LAUNCH_LIFETIME_MS,
    });

    const params = this.loginParams(id, tool, deploymentId, course, targetLinkUri, loginHint, link?.id);
    const href = new URL(tool.loginUrl);
    for (const [k, v] of Object.entries(params)) href.searchParams.set(k, v);
    return { method: this.traits.loginMethod, url: tool.loginUrl, params, href: href.href };
  }

  /** The third-party initiated login parameters each platform sends. */
  private loginParams(
    id: string,
    tool: ToolRegistration,
    deploymentId: string,
    course: Course,
    targetLinkUri: string,
    loginHint: string,
    linkId?: string,
  ): Record<string, string> {
    if (this.profile === 'moodle') {
      // lti_build_login_request: lti_message_hint = json_encode({cmid?, launchid}); no other parameters.
      const hint = linkId ? { cmid: this.cmid(linkId), launchid: id } : { launchid: id };
      return {
        iss: this.issuer,
        target_link_uri: targetLinkUri,
        login_hint: loginHint,
        lti_message_hint: JSON.stringify(hint),
        client_id: tool.clientId,
        lti_deployment_id: deploymentId,
      };
    }
    const common = {
      iss: this.issuer,
      login_hint: loginHint,
      client_id: tool.clientId,
      lti_deployment_id: deploymentId,
      target_link_uri: targetLinkUri,
    };
    if (this.profile === 'canvas') {
      // Lti::LtiAdvantageAdapter#login_request: the hint is a signed JWT naming the cached launch ("verifier").
      const hint = this.hs256({
        verifier: id,
        canvas_domain: new URL(this.issuer).host,
        context_type: 'Course',
        context_id: this.courseNumber(course),
        canvas_locale: 'en',
        include_storage_target: true,
        exp: Math.floor((Date.now() + LAUNCH_LIFETIME_MS) / 1000),
      });
      return {
        ...common,
        lti_message_hint: hint,
        canvas_environment: 'prod',
        canvas_region: 'us-east-1',
        lti_storage_target: this.storageTarget,
        deployment_id: deploymentId,
      };
    }
    return { ...common, lti_message_hint: id, lti_storage_target: this.storageTarget };
  }

  /** Moodle's launchid shapes: "ltilaunch<instance>_<rand>", or "ltilaunch_<messagetype><rand>" for content selection. */
  private launchId(messageType: MessageType, linkId: string | undefined): string {
    const rand = String(randomBytes(4).readUInt32BE() % 2147483647);
    if (this.profile !== 'moodle') return randomUUID();
    return messageType === 'LtiResourceLinkRequest' ? `ltilaunch${linkId}_${rand}` : `ltilaunch_ContentItemSelectionRequest${rand}`;
  }

  /** A stable Moodle course-module id for a resource link. */
  private cmid(linkId: string): number {
    if (!this.cmids.has(linkId)) this.cmids.set(linkId, 7 + this.cmids.size);
    return this.cmids.get(linkId)!;
  }

  private demoUser(course: Course, role: DemoRole): User {
    const user =
      role === 'admin' || role === 'guest' ? this.people.find((p) => p.role === role) : course.members.find((m) => m.role === role);
    return (
      user ??
      makeUser(
        this.profile,
        900 + course.members.length,
        'Demo',
        role === 'learner' ? 'Student' : role === 'guest' ? 'Guest' : 'Teacher',
        role,
      )
    );
  }

  private resolveLink(
    course: Course,
    deploymentId: string,
    given: LaunchIntent['resourceLink'],
    activity: Course['activities'][number] | undefined,
  ): ResolvedLink {
    if (!given && !activity) throw new Error(`Course ${course.id} has no activity to launch; pass intent.resourceLink`);
    const lineItemId = activity?.lineItemId;
    return {
      id: given?.id ?? activity!.resourceLinkId,
      title: given?.title ?? activity?.title ?? 'Activity',
      description: activity?.text ?? '',
      custom: given?.custom ?? activity?.custom ?? {},
      lineItemUrl: given?.lineItemUrl ?? (lineItemId ? this.lineItemUrl(course, lineItemId, deploymentId) : undefined),
    };
  }

  /** The launch named by an lti_message_hint, if it is pending and fresh. */
  private async pendingFromHint(hint: string): Promise<PendingLaunch | undefined> {
    let id: unknown = hint;
    try {
      if (this.profile === 'moodle') id = (JSON.parse(hint) as { launchid?: unknown }).launchid;
      else if (this.profile === 'canvas') id = (await jwtVerify(hint, this.secret, { algorithms: ['HS256'] })).payload.verifier;
    } catch {
      return undefined;
    }
    const launch = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (!launch || launch.expiresAt < Date.now()) return undefined;
    return launch;
  }

  /** OIDC authorization endpoint (Security Framework §5.1.1.2-3): validate, then auto-post the id_token. */
  private async authorize(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const q = await formParams(req, url);
    const get = (name: string): string => q.get(name) ?? '';
    const reject = (message: string): never => {
      throw new HttpError(400, message);
    };
    if (get('scope') !== 'openid') reject(`invalid_scope: scope must be "openid", got "${get('scope')}"`);
    if (get('response_type') !== 'id_token')
      reject(`unsupported_response_type: response_type must be "id_token", got "${get('response_type')}"`);
    if (get('response_mode') !== 'form_post') reject(`invalid_request: response_mode must be "form_post", got "${get('response_mode')}"`);
    const prompt = q.get('prompt');
    // Canvas lists prompt among its required parameters; elsewhere it is optional but must be "none".
    if (prompt === null && this.profile === 'canvas') reject('invalid_request_object: The following parameters are missing: prompt');
    if (prompt !== null && prompt !== 'none') reject(`invalid_request: prompt must be "none", got "${prompt}"`);
    if (!get('nonce')) reject('invalid_request: nonce is required');
    const tool = this.findTool(get('client_id')) ?? reject(`unauthorized_client: unknown client_id "${get('client_id')}"`);
    if (!tool.redirectUris.includes(get('redirect_uri'))) {
      reject(
        `invalid_request: redirect_uri "${get('redirect_uri')}" is not registered for client_id "${tool.clientId}" (registered: ${tool.redirectUris.join(', ')})`,
      );
    }
    const launch =
      (await this.pendingFromHint(get('lti_message_hint'))) ??
      reject('invalid_request: lti_message_hint does not match a pending launch (unknown, expired or already used)');
    if (launch.tool !== tool) reject(`unauthorized_client: this launch was initiated for client_id "${launch.tool.clientId}"`);
    if (get('login_hint') !== launch.loginHint) reject('access_denied: login_hint does not match the user of this launch');
    this.pending.delete(launch.id);

    const fields: Record<string, string> = {};
    // Canvas' authorize form is a Rails form: utf8 and authenticity_token ride along with the id_token.
    if (this.profile === 'canvas') Object.assign(fields, { utf8: '✓', authenticity_token: randomBytes(48).toString('base64') });
    fields.id_token = await this.idToken(launch, get('nonce'));
    if (q.has('state')) fields.state = get('state');
    if (this.profile === 'canvas') fields.lti_storage_target = this.storageTarget;
    sendHtml(res, 200, renderAutoPost(get('redirect_uri'), fields));
  }

  private async idToken(launch: PendingLaunch, nonce: string): Promise<string> {
    const { course, tool, deploymentId } = launch;
    let deepLink: { returnUrl: string; data?: string } | undefined;
    if (launch.messageType === 'LtiDeepLinkingRequest') {
      const token = randomBytes(12).toString('hex');
      const data = this.profile === 'generic' ? randomBytes(8).toString('hex') : undefined;
      this.deepLinkRequests.set(token, { clientId: tool.clientId, deploymentId, courseId: course.id, data });
      // Moodle: contentitem_return.php?course=..&id=<type id>&sesskey=..; Canvas: deep_linking_response?modal=..&placement=..
      const query: Record<string, string> =
        this.profile === 'moodle'
          ? { course: course.id, id: deploymentId, sesskey: token }
          : this.profile === 'canvas'
            ? { modal: 'true', placement: 'link_selection', dl: token }
            : { dl: token };
      deepLink = { returnUrl: this.pageUrl(`/deep-link-return?${new URLSearchParams(query)}`), data };
    }
    let claims = buildLaunchClaims({
      profile: this.profile,
      issuer: this.issuer,
      siteName: this.siteName,
      tool,
      deploymentId,
      course,
      courseNumber: this.courseNumber(course),
      user: launch.user,
      messageType: launch.messageType,
      link: launch.link,
      targetLinkUri: launch.targetLinkUri,
      nonce,
      returnUrl: this.pageUrl(`/return?${new URLSearchParams({ context: course.id })}`),
      nrpsUrl: this.nrpsUrl(course),
      lineItemsUrl: this.lineItemsUrl(course, deploymentId),
      deepLink,
      placement: launch.placement,
    });
    claims = launch.intent.mutateClaims?.(claims) ?? claims;
    return this.sign(claims, launch.intent.signWith);
  }

  // ---------------------------------------------------------------- dynamic registration

  dynamicRegistrationUrl(toolRegisterUrl: string): string {
    const url = new URL(toolRegisterUrl);
    url.searchParams.set('openid_configuration', this.url('/.well-known/openid-configuration'));
    url.searchParams.set('registration_token', registrationToken(this));
    return url.href;
  }

  newClientId(): string {
    return ids.clientId(this.profile, ++this.seq.client, randomBytes(12).toString('base64url').replace(/[-_]/g, 'x'));
  }

  // ---------------------------------------------------------------- HTTP

  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', this.base);
    const path = url.pathname.replace(/\/+$/, '');
    if (this.basePath && path !== this.basePath && !path.startsWith(`${this.basePath}/`)) return false;
    const route = path.slice(this.basePath.length) || '/';
    try {
      await this.route(req, res, route, url);
    } catch (e) {
      this.fail(res, route, e);
    }
    return true;
  }

  private async route(req: IncomingMessage, res: ServerResponse, route: string, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const only = (...methods: string[]): void => {
      if (!methods.includes(method)) throw new HttpError(405, `${method} is not allowed here`);
    };
    const service = (): void => {
      if (this.userAgentRequired && !userAgent(req)) throw new HttpError(400, 'A User-Agent header is required');
    };
    if (route === '/') {
      only('GET', 'HEAD');
      return this.page(res, url);
    }
    if (route === '/.well-known/openid-configuration') {
      only('GET');
      return sendJson(res, 200, openidConfiguration(this));
    }
    if (route === '/post_message_forwarding') {
      // Canvas' hidden frame on its OIDC host that answers LTI Platform Storage for the tool frame beside it.
      only('GET');
      const origins = [...new Set(this.tools.map((t) => new URL(t.loginUrl).origin))];
      return sendHtml(res, 200, renderForwardingFrame(url.searchParams.get('mode') === 'silent' ? null : origins));
    }
    if (route === '/jwks') {
      only('GET');
      return sendJson(res, 200, this.jwks());
    }
    if (route === '/auth') {
      only('GET', 'POST');
      return this.authorize(req, res, url);
    }
    if (route === '/token') {
      only('POST');
      service();
      return handleToken(this, req, res);
    }
    if (route === '/register') {
      only('POST');
      service();
      return handleRegister(this, req, res);
    }
    if (route.startsWith('/nrps/')) {
      only('GET');
      service();
      return handleNrps(this, req, res, url, decodeURIComponent(route.slice('/nrps/'.length)));
    }
    if (route.startsWith('/ags/')) {
      service();
      return handleAgs(this, req, res, url, route);
    }
    if (route === '/deep-link-return') {
      only('POST');
      return handleDeepLinkReturn(this, req, res, url);
    }
    if (route === '/return') {
      only('GET');
      const msg = url.searchParams.get('lti_msg');
      const error = url.searchParams.get('lti_errormsg');
      const body = `${msg ? `<p>${escapeHtml(msg)}</p>` : ''}${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}${msg || error ? '' : '<p class="muted">The tool sent you back to the course.</p>'}`;
      return sendHtml(res, 200, renderFramePage('Back in the course', body, this.homeFor(url.searchParams.get('context'))));
    }
    throw new HttpError(404, `No platform endpoint at ${route}`);
  }

  /** Error replies: HTML where a browser is the client, the platform's own error shape for services. */
  private fail(res: ServerResponse, route: string, e: unknown): void {
    const status = e instanceof HttpError ? e.status : 500;
    const message = e instanceof Error ? e.message : String(e);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (route === '/' || route === '/auth' || route === '/return' || route === '/deep-link-return') {
      sendHtml(
        res,
        status,
        renderFramePage(status === 400 ? 'Invalid LTI request' : 'Error', `<p class="error">${escapeHtml(message)}</p>`, this.pageUrl('/')),
      );
    } else if (e instanceof HttpError && e.body !== undefined) {
      sendJson(res, status, e.body);
    } else if (this.profile === 'canvas') {
      // Lti::IMS::Concerns::LtiServices#render_error.
      sendJson(res, status, { errors: { type: statusType(status), message } });
    } else if (this.profile === 'moodle') {
      // mod_lti's service response: the reason as the body.
      sendText(res, status, message);
    } else {
      sendJson(res, status, { error: statusType(status), error_description: message });
    }
  }

  private homeFor(contextId: string | null): string {
    return contextId && this.findCourse(contextId)
      ? `${this.pageUrl('/')}?${new URLSearchParams({ context: contextId })}`
      : this.pageUrl('/');
  }

  /** The LMS page; `?as=instructor|learner|guest|admin[&type=deeplinking][&activity=<id>]` launches into the tool frame. */
  private page(res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    const course = (q.get('context') && this.findCourse(q.get('context')!)) || this.course();
    const tool = q.get('client_id') ? this.findTool(q.get('client_id')!) : this.tools[0];
    const as = q.get('as');
    const register = q.get('register');
    let notice: string | undefined;
    let launch: LoginInitiation | undefined;
    let launchLabel: string | undefined;
    let frameSrc: string | undefined;
    if (register) {
      if (/^https?:\/\//.test(register)) frameSrc = this.dynamicRegistrationUrl(register);
      else notice = 'The registration URL must be an http(s) URL.';
    } else if (as) {
      const deepLinking = q.get('type') === 'deeplinking';
      const activityId = q.get('activity');
      if (!tool) notice = 'No tool is registered yet.';
      else if (as !== 'instructor' && as !== 'learner' && as !== 'guest' && as !== 'admin') notice = `Unknown role "${as}".`;
      else if (activityId && !course.activities.some((a) => a.resourceLinkId === activityId)) notice = 'That activity does not exist.';
      else {
        launch = this.initiate({
          user: as,
          contextId: course.id,
          clientId: tool.clientId,
          messageType: deepLinking ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest',
          resourceLink: activityId ? { id: activityId } : undefined,
        });
        launchLabel = `${deepLinking ? 'deep linking' : 'launch'} as ${as === 'learner' ? 'student' : as}`;
      }
    }
    const toolOrigins = [...new Set(this.tools.map((t) => new URL(t.loginUrl).origin))];
    const forwarding = this.traits.platformStorage && this.opts.storageFrame;
    const storageOrigins = this.traits.platformStorage && !forwarding ? toolOrigins : undefined;
    const storageFrameSrc =
      forwarding && this.opts.storageFrame !== 'absent'
        ? this.onHost(this.opts.sites?.auth, `/post_message_forwarding?mode=${this.opts.storageFrame}`)
        : undefined;
    sendHtml(
      res,
      200,
      renderLmsPage({
        home: this.pageUrl('/'),
        siteName: this.siteName,
        profileLabel: this.traits.label,
        accent: this.traits.accent,
        course,
        courses: this.courses,
        toolName: tool ? (tool.name ?? new URL(tool.targetLinkUri).host) : undefined,
        launch,
        launchLabel,
        frameSrc,
        storageOrigins,
        storageFrameSrc,
        notice,
      }),
    );
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      this.handle(req, res).then(
        (handled) => handled || sendText(res, 404, 'Not found'),
        (e: unknown) => sendText(res, 500, String(e)),
      );
    });
    const target = new URL(this.base);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(target.port || (target.protocol === 'https:' ? 443 : 80)), target.hostname.replace(/^\[|\]$/g, ''), resolve);
    });
    this.server = server;
    if (target.port === '0') {
      // Port 0: the issuer (and every URL derived from it) takes the port we got.
      target.port = String((server.address() as AddressInfo).port);
      this.base = target.href.replace(/\/+$/, '');
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }
}

function b64json(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Key ids in each platform's style: Moodle 20 hex characters, Canvas a timestamp, generic a UUID. */
function newKid(profile: Profile): string {
  if (profile === 'moodle') return randomBytes(10).toString('hex');
  if (profile === 'canvas') return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return randomUUID();
}

function statusType(status: number): string {
  const names: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    406: 'not_acceptable',
    409: 'conflict',
    415: 'unsupported_media_type',
    422: 'unprocessable_entity',
  };
  return names[status] ?? 'internal_server_error';
}
