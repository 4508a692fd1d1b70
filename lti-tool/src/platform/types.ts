/**
 * Public types of the LTI 1.3 platform stand-in (see ./index.ts for what it is and how it is used).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

/** Which real platform's behaviour to reproduce. */
export type Profile = 'moodle' | 'canvas' | 'generic';

/** A signing key as jose v6 accepts it (jose dropped its own `KeyLike` type in v6). */
type KeyLike = CryptoKey | KeyObject;

export interface PlatformOptions {
  /** Absolute, e.g. 'http://127.0.0.1:4567/lms'. Issuer = baseUrl; every endpoint lives under its path. Port 0 is
   *  allowed with listen(): the issuer then takes the port the server got. */
  baseUrl: string;
  profile: Profile;
  /** Site / account name shown in tool_platform.name and on the LMS page. */
  name?: string;
  /** RS256 signing key with a `kid`. Generated (2048-bit) when absent; see exportPrivateJwk(). */
  privateJwk?: JWK;
  /** Refuse service requests (token, NRPS, AGS, registration) without a User-Agent header with 400, as Canvas does.
   *  Default: true for canvas, false otherwise. */
  userAgentRequired?: boolean;
  /**
   * Parts of the platform on different sites, as a Canvas school's are: the course page (and the launch's return
   * URLs) on the school's own domain (`page`), the issuer only a name on another (`issuer`, a URL never fetched),
   * the OIDC authorization endpoint (and the Platform Storage forwarding frame) on a third (`auth`). `page` and
   * `auth` are host names: the port and path stay baseUrl's, and every host must reach this server (browser tests
   * map them to 127.0.0.1). What the tool calls from its server (openid configuration, registration, token, JWKS,
   * NRPS, AGS) stays on baseUrl. Default: everything on baseUrl.
   */
  sites?: { page?: string; issuer?: string; auth?: string };
  /**
   * Where LTI Platform Storage lives (profiles with Platform Storage). Default: the course page answers
   * (lti_storage_target `_parent`). As Canvas does it: a hidden `post_message_forwarding` frame on the auth host
   * answers (`answers`), never answers (`silent`), or is missing from the page though the launch names it (`absent`).
   */
  storageFrame?: 'answers' | 'silent' | 'absent';
  /** NRPS page size used when the tool sends no `limit`. Default per profile: moodle 0 (everything on one page, as
   *  Moodle does), canvas 50 (Canvas' default and maximum), generic 100. */
  nrpsPageSize?: number;
}

/** `guest`: a visitor of the course, not enrolled (not in NRPS), launched with an empty roles claim (LTI 1.3 allows it). */
export type DemoRole = 'instructor' | 'learner' | 'admin' | 'guest';

export interface User {
  /** The platform's user id: the id_token `sub` and NRPS `user_id` (Moodle: numeric, Canvas: a UUID). */
  id: string;
  givenName: string;
  familyName: string;
  name: string;
  email: string;
  username: string;
  role: DemoRole;
  /** lis.person_sourcedid (SIS id); Moodle sends its idnumber, often empty. */
  sourcedId?: string;
  picture?: string;
  /** NRPS membership status; Active when absent. */
  status?: 'Active' | 'Inactive' | 'Deleted';
}

export interface LineItem {
  id: string;
  label: string;
  scoreMaximum: number;
  resourceId?: string;
  tag?: string;
  resourceLinkId?: string;
  startDateTime?: string;
  endDateTime?: string;
}

/** A placed resource link in a course (the default one, or one added through deep linking). */
export interface Activity {
  resourceLinkId: string;
  title: string;
  text?: string;
  /** Launch URL the tool gave in its content item; the tool's target_link_uri when absent. */
  url?: string;
  custom?: Record<string, string>;
  lineItemId?: string;
}

export interface Course {
  /** context.id in launches, and the path segment of the course's NRPS / AGS URLs. */
  id: string;
  label: string;
  title: string;
  members: User[];
  activities: Activity[];
  lineItems: LineItem[];
}

export interface ToolRegistration {
  clientId: string;
  deploymentIds: string[];
  loginUrl: string;
  redirectUris: string[];
  jwksUrl: string;
  targetLinkUri: string;
  /** Scopes the platform grants this tool at its token endpoint. */
  scopes: string[];
  name?: string;
  /** target_link_uri for LtiDeepLinkingRequest launches (from the registration's messages); targetLinkUri if absent. */
  deepLinkingUri?: string;
  /** Custom parameters sent in every launch of this tool (a registration's custom_parameters). */
  custom?: Record<string, string>;
}

export type ToolRegistrationInput = Omit<ToolRegistration, 'clientId' | 'deploymentIds'> & { clientId?: string; deploymentIds?: string[] };

export type MessageType = 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';

export interface SignOptions {
  alg?: string;
  kid?: string;
  key?: KeyLike | Uint8Array;
  header?: object;
}

export interface LaunchIntent {
  user: DemoRole | User;
  /** Default: the demo course. */
  contextId?: string;
  messageType?: MessageType;
  /** Default for a resource link launch: the course's first activity. An id naming an existing activity takes that
   *  activity's title, custom parameters and line item unless given here. */
  resourceLink?: { id: string; title?: string; custom?: Record<string, string>; lineItemUrl?: string };
  targetLinkUri?: string;
  clientId?: string;
  deploymentId?: string;
  /** Test hook: change the claims before signing (return a new object or mutate in place). */
  mutateClaims?: (claims: Record<string, any>) => Record<string, any> | void;
  /** Test hook: sign the id_token differently. */
  signWith?: SignOptions;
}

export interface LoginInitiation {
  method: 'GET' | 'POST';
  url: string;
  params: Record<string, string>;
  /** The full GET URL with params. */
  href: string;
}

export interface Received {
  scores: Array<{ url: string; contentType: string; userAgent?: string; body: any; status: number }>;
  deepLinks: Array<{ jwt: string; payload: any; valid: boolean; error?: string }>;
  tokenRequests: Array<{ scope: string; userAgent?: string; clientId?: string; status: number; error?: string }>;
  registrations: Array<{ body: any; clientId: string }>;
  nrpsRequests: Array<{ url: string; userAgent?: string; status: number }>;
}

export interface LtiPlatform {
  readonly issuer: string;
  /** An absolute URL on the course page's site (see PlatformOptions.sites). */
  pageUrl(path: string): string;
  /** The OIDC authorization endpoint (on the auth site). */
  readonly authEndpoint: string;
  /** An absolute URL of an endpoint the tool calls from its server (token, JWKS...: baseUrl). */
  url(path: string): string;
  readonly profile: Profile;
  /** Handles a request whose path is under baseUrl's path; returns false when the path is not ours. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Listens on its own server (host and port from baseUrl; port 0 picks one and updates the issuer). */
  listen(): Promise<void>;
  close(): Promise<void>;
  registerTool(reg: ToolRegistrationInput): ToolRegistration;
  readonly tools: ToolRegistration[];
  /** The course with that context id (default: the demo course). Throws for an unknown id. */
  course(contextId?: string): Course;
  addCourse(c: Partial<Course>): Course;
  /** Stores a launch intent and returns how the browser reaches the tool's login initiation URL. */
  initiate(intent: LaunchIntent): LoginInitiation;
  /** Signs any payload with the platform key, or as opts say. */
  sign(payload: object, opts?: SignOptions): Promise<string>;
  jwks(): { keys: JWK[] };
  exportPrivateJwk(): JWK;
  /** What tools sent us, for assertions. */
  readonly received: Received;
  /**
   * Test hook: the next `n` score POSTs are refused with `status` (default 503, a platform briefly down), before any
   * check; they are recorded in `received.scores` with that status and change no result.
   */
  failScores(n: number, status?: number): void;
  /** The result the gradebook holds for a user on a line item (the last score accepted), if any. */
  result(lineItemId: string, userId: string, contextId?: string): Record<string, any> | undefined;
  /** NRPS page size when the tool sends no `limit` (0: no paging). */
  nrpsPageSize: number;
  /** The URL the platform opens to start LTI Dynamic Registration with a tool. */
  dynamicRegistrationUrl(toolRegisterUrl: string): string;
}
