/**
 * LTI Advantage services: the OAuth 2 token endpoint (client_credentials with a private_key_jwt client assertion,
 * Security Framework §4.1), Names and Role Provisioning 2.0, and Assignment and Grade Services 2.0.
 *
 * Moodle: token.php wants application/x-www-form-urlencoded; memberships page with limit/from and a Link rel="next"
 * only when the tool asks for a limit; scores need the `type_id` query parameter of the URLs Moodle hands out (without
 * it the request is taken for an LTI 2 tool proxy and refused), answer 200 with an empty body, refuse a score older
 * than the last one with 409, and reject other content types with 400.
 * Canvas: NRPS pages of at most 50 with page/per_page links (current, next, first, last); a score answers
 * {resultUrl}; errors as {errors: {type, message}}.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt, jwtVerify } from 'jose';
import { bearerToken, HttpError, mediaType, readBody, sendJson, userAgent } from './http.js';
import type { AccessToken, PlatformImpl } from './platform.js';
import { canvasLegacyId, SCOPE } from './profiles.js';
import type { Course, LineItem, User } from './types.js';

const ACCESS_TOKEN_LIFETIME = 3600;
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const NRPS_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
const LINEITEM_TYPE = 'application/vnd.ims.lis.v2.lineitem+json';
const LINEITEMS_TYPE = 'application/vnd.ims.lis.v2.lineitemcontainer+json';
const SCORE_TYPE = 'application/vnd.ims.lis.v1.score+json';
const RESULTS_TYPE = 'application/vnd.ims.lis.v2.resultcontainer+json';
const ACTIVITY_PROGRESS = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING_PROGRESS = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

// ------------------------------------------------------------------ token endpoint

class OAuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function handleToken(p: PlatformImpl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const record: PlatformImpl['received']['tokenRequests'][number] = { scope: '', userAgent: userAgent(req), status: 400 };
  p.received.tokenRequests.push(record);
  try {
    const params = await tokenParams(p, req);
    record.scope = params.get('scope') ?? '';
    const { token, clientId } = await issueToken(p, params);
    record.clientId = clientId;
    record.status = 200;
    sendJson(res, 200, token);
  } catch (e) {
    if (!(e instanceof OAuthError)) throw e;
    record.error = e.code;
    sendJson(res, 400, { error: e.code, error_description: e.message });
  }
}

async function tokenParams(p: PlatformImpl, req: IncomingMessage): Promise<URLSearchParams> {
  const type = mediaType(req);
  const raw = await readBody(req);
  if (type === 'application/x-www-form-urlencoded') return new URLSearchParams(raw);
  // Moodle's token.php accepts nothing but a form; the others also take JSON, as Canvas does.
  if (type === 'application/json' && p.profile !== 'moodle') {
    try {
      return new URLSearchParams(JSON.parse(raw) as Record<string, string>);
    } catch {
      throw new OAuthError('invalid_request', 'the body is not JSON');
    }
  }
  throw new OAuthError('invalid_request', `Content-Type must be application/x-www-form-urlencoded, got "${type}"`);
}

async function issueToken(p: PlatformImpl, params: URLSearchParams): Promise<{ token: Record<string, unknown>; clientId: string }> {
  if (params.get('grant_type') !== 'client_credentials')
    throw new OAuthError('unsupported_grant_type', 'grant_type must be client_credentials');
  if (params.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE)
    throw new OAuthError('invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
  const assertion = params.get('client_assertion');
  if (!assertion) throw new OAuthError('invalid_request', 'client_assertion is required');
  const requested = (params.get('scope') ?? '').split(' ').filter(Boolean);
  if (!requested.length) throw new OAuthError('invalid_request', 'scope is required');

  let unverified: ReturnType<typeof decodeJwt>;
  try {
    unverified = decodeJwt(assertion);
  } catch {
    throw new OAuthError('invalid_request', 'client_assertion is not a JWT');
  }
  const clientId = unverified.sub ?? '';
  const tool = p.findTool(clientId);
  if (!tool) throw new OAuthError('invalid_client', `unknown client "${clientId}" (the assertion's sub must be the client_id)`);
  const audiences = [p.url('/token')];
  if (p.profile === 'canvas') audiences.push(new URL(p.issuer).host);
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(assertion, await p.toolKeys(tool), {
      algorithms: ['RS256'],
      issuer: clientId,
      subject: clientId,
      audience: audiences,
      requiredClaims: ['exp', 'iat', 'jti'],
    }));
  } catch (e) {
    throw new OAuthError('invalid_client', `client_assertion rejected: ${(e as Error).message}`);
  }
  const jti = String(payload.jti);
  const now = Math.floor(Date.now() / 1000);
  for (const [used, exp] of p.usedJtis) if (exp < now) p.usedJtis.delete(used);
  if (p.usedJtis.has(jti)) throw new OAuthError('invalid_grant', `client_assertion jti "${jti}" has already been used`);
  p.usedJtis.set(jti, payload.exp!);

  const granted = requested.filter((s) => tool.scopes.includes(s) && p.traits.supportedScopes.includes(s));
  if (!granted.length)
    throw new OAuthError(
      'invalid_scope',
      `none of the requested scopes is granted to this tool (granted: ${tool.scopes.join(' ') || 'none'})`,
    );
  const accessToken = randomBytes(16).toString('hex');
  p.accessTokens.set(accessToken, { clientId, scopes: granted, expiresAt: now + ACCESS_TOKEN_LIFETIME });
  return {
    clientId,
    token: { access_token: accessToken, token_type: p.traits.tokenType, expires_in: ACCESS_TOKEN_LIFETIME, scope: granted.join(' ') },
  };
}

/** The access token of a service request, which must carry one of `scopes`. */
function authorize(p: PlatformImpl, req: IncomingMessage, scopes: string[]): AccessToken {
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, 'Missing access token');
  const grant = p.accessTokens.get(token);
  if (!grant || grant.expiresAt < Date.now() / 1000) throw new HttpError(401, 'Invalid or expired access token');
  // RFC 6750 says 403 for a missing scope; Moodle and Canvas both answer 401.
  if (!scopes.some((s) => grant.scopes.includes(s)))
    throw new HttpError(
      p.profile === 'generic' ? 403 : 401,
      'Insufficient permissions: the access token lacks the scope this service needs',
    );
  return grant;
}

function courseOr404(p: PlatformImpl, contextId: string): Course {
  const course = p.findCourse(contextId);
  if (!course) throw new HttpError(404, `Not Found: Course ${contextId} doesn't exist.`);
  return course;
}

// ------------------------------------------------------------------ NRPS

export function handleNrps(p: PlatformImpl, req: IncomingMessage, res: ServerResponse, url: URL, contextId: string): void {
  const record = { url: url.href, userAgent: userAgent(req), status: 500 };
  p.received.nrpsRequests.push(record);
  try {
    authorize(p, req, [SCOPE.nrps]);
    const course = courseOr404(p, contextId);
    const accept = req.headers.accept ?? '';
    if (
      accept &&
      !/(application\/vnd\.ims\.lti-nrps\.v2\.membershipcontainer\+json|application\/json|application\/\*|\*\/\*)/i.test(accept)
    ) {
      throw new HttpError(406, `Cannot answer in ${accept}; this service speaks ${NRPS_TYPE}`);
    }
    const q = url.searchParams;
    const role = q.get('role');
    const members = role
      ? course.members.filter((m) =>
          p.traits.memberRoles(m.role).some((r) => r === role || r.endsWith(`#${role}`) || role.endsWith(`#${r}`)),
        )
      : course.members;
    const { page, headers } = paginate(p, url, members);
    record.status = 200;
    sendJson(
      res,
      200,
      { id: url.href, context: { id: course.id, label: course.label, title: course.title }, members: page.map((m) => memberJson(p, m)) },
      NRPS_TYPE,
      headers,
    );
  } catch (e) {
    record.status = e instanceof HttpError ? e.status : 500;
    throw e;
  }
}

/** One page of members and the Link header pointing at the next (and, for Canvas, current/first/last) page. */
function paginate(p: PlatformImpl, url: URL, members: User[]): { page: User[]; headers: Record<string, string> } {
  const q = url.searchParams;
  const asked = Number.parseInt(q.get('limit') ?? q.get('per_page') ?? '', 10);
  const size = Math.min(asked > 0 ? asked : p.nrpsPageSize, p.traits.nrpsMaxPageSize);
  if (!(size > 0)) return { page: members, headers: {} };
  const pageUrl = (params: Record<string, string>): string => {
    const next = new URL(url.href);
    for (const k of ['limit', 'from', 'page', 'per_page']) next.searchParams.delete(k);
    for (const [k, v] of Object.entries(params)) next.searchParams.set(k, v);
    return next.href;
  };
  if (p.profile === 'moodle') {
    const from = Math.max(0, Number.parseInt(q.get('from') ?? '0', 10) || 0);
    const hasMore = from + size < members.length;
    return {
      page: members.slice(from, from + size),
      headers: hasMore ? { link: `<${pageUrl({ limit: String(size), from: String(from + size) })}>; rel="next"` } : {},
    };
  }
  const last = Math.max(1, Math.ceil(members.length / size));
  const page = Math.max(1, Number.parseInt(q.get('page') ?? '1', 10) || 1);
  const slice = members.slice((page - 1) * size, page * size);
  if (p.profile === 'canvas') {
    const at = (n: number): string => pageUrl({ page: String(n), per_page: String(size) });
    const links = [
      `<${at(page)}>; rel="current"`,
      ...(page < last ? [`<${at(page + 1)}>; rel="next"`] : []),
      `<${at(1)}>; rel="first"`,
      `<${at(last)}>; rel="last"`,
    ];
    return { page: slice, headers: { link: links.join(',') } };
  }
  return { page: slice, headers: page < last ? { link: `<${pageUrl({ limit: String(size), page: String(page + 1) })}>; rel="next"` } : {} };
}

function memberJson(p: PlatformImpl, m: User): Record<string, unknown> {
  const roles = p.traits.memberRoles(m.role);
  if (p.profile === 'moodle') {
    return {
      status: m.status ?? 'Active',
      roles,
      user_id: m.id,
      lis_person_sourcedid: m.sourcedId ?? '',
      name: m.name,
      given_name: m.givenName,
      family_name: m.familyName,
      email: m.email,
    };
  }
  if (p.profile === 'canvas') {
    return {
      status: m.status ?? 'Active',
      name: m.name,
      ...(m.picture ? { picture: m.picture } : {}),
      given_name: m.givenName,
      family_name: m.familyName,
      email: m.email,
      lis_person_sourcedid: m.sourcedId,
      user_id: m.id,
      lti11_legacy_user_id: canvasLegacyId(m.id),
      roles,
    };
  }
  return {
    status: m.status ?? 'Active',
    name: m.name,
    given_name: m.givenName,
    family_name: m.familyName,
    email: m.email,
    user_id: m.id,
    roles,
  };
}

// ------------------------------------------------------------------ AGS

const AGS_ROUTE = /^\/ags\/([^/]+)\/(?:lineitems|line_items)(?:\/(\d+)(?:\/lineitem)?)?(?:\/(scores|results))?$/;

export async function handleAgs(p: PlatformImpl, req: IncomingMessage, res: ServerResponse, url: URL, route: string): Promise<void> {
  const match = AGS_ROUTE.exec(route);
  if (!match) throw new HttpError(404, `No AGS resource at ${route}`);
  const [, ctx, itemId, sub] = match;
  const method = req.method ?? 'GET';
  if (sub === 'scores') {
    if (method !== 'POST') throw new HttpError(405, 'Scores only accept POST');
    return postScore(p, req, res, url, decodeURIComponent(ctx!), itemId);
  }
  const scopes = method === 'GET' ? [SCOPE.lineItem, SCOPE.lineItemReadonly] : [SCOPE.lineItem];
  const grant = authorize(p, req, sub === 'results' ? [SCOPE.resultReadonly] : scopes);
  const course = courseOr404(p, decodeURIComponent(ctx!));
  const deploymentId = checkDeployment(p, url, grant);
  if (sub === 'results') {
    if (method !== 'GET') throw new HttpError(405, 'Results only accept GET');
    const item = lineItemOr404(course, itemId);
    const userId = url.searchParams.get('user_id');
    const results = [...(p.results.get(`${course.id}|${item.id}`)?.values() ?? [])].filter((r) => !userId || r.userId === userId);
    return sendJson(res, 200, results, RESULTS_TYPE);
  }
  if (!itemId) {
    if (method === 'GET') {
      const q = url.searchParams;
      const items = course.lineItems.filter(
        (li) =>
          (!q.get('resource_link_id') || li.resourceLinkId === q.get('resource_link_id')) &&
          (!q.get('resource_id') || li.resourceId === q.get('resource_id')) &&
          (!q.get('tag') || li.tag === q.get('tag')),
      );
      return sendJson(
        res,
        200,
        items.map((li) => lineItemJson(p, course, li, deploymentId)),
        LINEITEMS_TYPE,
      );
    }
    if (method !== 'POST') throw new HttpError(405, `${method} is not allowed on the line items container`);
    const fields = lineItemFields(await jsonBody(p, req, LINEITEM_TYPE));
    const item = p.createLineItem(course, fields);
    return sendJson(res, 201, lineItemJson(p, course, item, deploymentId), LINEITEM_TYPE);
  }
  const item = lineItemOr404(course, itemId);
  if (method === 'GET') return sendJson(res, 200, lineItemJson(p, course, item, deploymentId), LINEITEM_TYPE);
  if (method === 'PUT') {
    Object.assign(item, lineItemFields(await jsonBody(p, req, LINEITEM_TYPE)));
    return sendJson(res, 200, lineItemJson(p, course, item, deploymentId), LINEITEM_TYPE);
  }
  if (method === 'DELETE') {
    course.lineItems.splice(course.lineItems.indexOf(item), 1);
    res.writeHead(204).end();
    return;
  }
  throw new HttpError(405, `${method} is not allowed on a line item`);
}

/** Moodle's service URLs carry the tool type id; a request without it (or with another tool's) is refused. */
function checkDeployment(p: PlatformImpl, url: URL, grant: AccessToken): string {
  const tool = p.findTool(grant.clientId)!;
  if (p.profile !== 'moodle') return tool.deploymentIds[0]!;
  const typeId = url.searchParams.get('type_id');
  if (!typeId) throw new HttpError(403, 'Missing type_id: the request is taken for an LTI 2 tool proxy and refused');
  if (!tool.deploymentIds.includes(typeId)) throw new HttpError(401, `type_id ${typeId} is not this tool's`);
  return typeId;
}

function lineItemOr404(course: Course, itemId: string | undefined): LineItem {
  const item = course.lineItems.find((li) => li.id === itemId);
  if (!item) throw new HttpError(404, `Not Found: Grade item ${itemId} doesn't exist.`);
  return item;
}

function lineItemJson(p: PlatformImpl, course: Course, li: LineItem, deploymentId: string): Record<string, unknown> {
  const { id, ...rest } = li;
  return { id: p.lineItemUrl(course, id, deploymentId), ...rest };
}

function lineItemFields(body: Record<string, any>): Omit<LineItem, 'id'> {
  if (typeof body.label !== 'string' || !body.label.trim()) throw new HttpError(400, 'A line item needs a label');
  if (typeof body.scoreMaximum !== 'number' || !(body.scoreMaximum > 0))
    throw new HttpError(400, 'A line item needs a positive numeric scoreMaximum');
  const fields: Omit<LineItem, 'id'> = { label: body.label, scoreMaximum: body.scoreMaximum };
  for (const k of ['resourceId', 'tag', 'resourceLinkId', 'startDateTime', 'endDateTime'] as const)
    if (typeof body[k] === 'string') fields[k] = body[k];
  return fields;
}

/** A JSON body of the given media type: Moodle answers another type with 400, the others with 415. */
async function jsonBody(p: PlatformImpl, req: IncomingMessage, type: string): Promise<Record<string, any>> {
  const got = mediaType(req);
  if (got !== type) throw new HttpError(p.profile === 'moodle' ? 400 : 415, `Content-Type must be ${type}, got "${got}"`);
  try {
    const body = JSON.parse(await readBody(req)) as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body as Record<string, any>;
  } catch {
    throw new HttpError(400, 'The body must be a JSON object');
  }
}

async function postScore(
  p: PlatformImpl,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  contextId: string,
  itemId: string | undefined,
): Promise<void> {
  const raw = await readBody(req);
  let body: any = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // Recorded as text; refused below.
  }
  const record = { url: url.href, contentType: req.headers['content-type'] ?? '', userAgent: userAgent(req), body, status: 500 };
  p.received.scores.push(record);
  try {
    if (p.scoreFailures.remaining > 0) {
      p.scoreFailures.remaining--;
      throw new HttpError(p.scoreFailures.status, 'The gradebook is unavailable right now (refused on request by the test)');
    }
    const grant = authorize(p, req, [SCOPE.score]);
    const course = courseOr404(p, contextId);
    const deploymentId = checkDeployment(p, url, grant);
    const item = lineItemOr404(course, itemId);
    if (mediaType(req) !== SCORE_TYPE)
      throw new HttpError(p.profile === 'moodle' ? 400 : 415, `Content-Type must be ${SCORE_TYPE}, got "${mediaType(req)}"`);
    validateScore(p, course, body);
    const key = `${course.id}|${item.id}`;
    const previous = p.results.get(key)?.get(body.userId);
    if (previous && Date.parse(previous.timestamp) >= Date.parse(body.timestamp)) {
      // Moodle refuses it; the spec lets a platform ignore a score older than the one it has.
      if (p.profile === 'moodle')
        throw new HttpError(409, `Refusing score with an earlier timestamp for item ${item.id} and user ${body.userId}`);
    } else {
      const lineItemUrl = p.lineItemUrl(course, item.id, deploymentId);
      if (!p.results.has(key)) p.results.set(key, new Map());
      p.results.get(key)!.set(body.userId, {
        id: resultUrl(lineItemUrl, body.userId),
        scoreOf: lineItemUrl,
        userId: body.userId,
        ...(body.scoreGiven !== undefined ? { resultScore: body.scoreGiven, resultMaximum: body.scoreMaximum } : {}),
        ...(body.comment !== undefined ? { comment: body.comment } : {}),
        timestamp: body.timestamp,
      });
    }
    record.status = p.profile === 'generic' ? 204 : 200;
    if (p.profile === 'moodle') {
      res.writeHead(200, { 'content-type': SCORE_TYPE }).end();
    } else if (p.profile === 'canvas') {
      sendJson(res, 200, { resultUrl: resultUrl(p.lineItemUrl(course, item.id, deploymentId), body.userId) });
    } else {
      res.writeHead(204).end();
    }
  } catch (e) {
    record.status = e instanceof HttpError ? e.status : 500;
    throw e;
  }
}

function resultUrl(lineItemUrl: string, userId: string): string {
  const u = new URL(lineItemUrl);
  u.pathname += `/results/${encodeURIComponent(userId)}`;
  return u.href;
}

/** AGS 2.0 §3.4 score checks; Canvas answers an unknown or non-student user with 422, as it does. */
function validateScore(p: PlatformImpl, course: Course, body: any): void {
  const bad = (message: string): never => {
    throw new HttpError(400, `Incorrect score received: ${message}`);
  };
  if (!body || typeof body !== 'object' || Array.isArray(body)) bad('the body must be a JSON object');
  if (typeof body.userId !== 'string' || !body.userId) bad('userId is required');
  const member = course.members.find((m) => m.id === body.userId);
  if (p.profile === 'canvas' && member?.role !== 'learner') throw new HttpError(422, 'User not found in course or is not a student');
  if (!member) bad(`user ${body.userId} is not a member of the course`);
  if (!ACTIVITY_PROGRESS.includes(body.activityProgress)) bad(`activityProgress must be one of ${ACTIVITY_PROGRESS.join(', ')}`);
  if (!GRADING_PROGRESS.includes(body.gradingProgress)) bad(`gradingProgress must be one of ${GRADING_PROGRESS.join(', ')}`);
  if (typeof body.timestamp !== 'string' || !ISO_8601.test(body.timestamp) || Number.isNaN(Date.parse(body.timestamp)))
    bad('timestamp must be an ISO 8601 date-time with a time zone');
  if (body.scoreGiven !== undefined) {
    if (typeof body.scoreGiven !== 'number' || body.scoreGiven < 0) bad('scoreGiven must be a non-negative number');
    if (typeof body.scoreMaximum !== 'number' || !(body.scoreMaximum > 0))
      bad('scoreMaximum is required with scoreGiven and must be positive');
    if (body.scoreGiven > body.scoreMaximum) bad('scoreGiven must not exceed scoreMaximum');
  } else if (body.scoreMaximum !== undefined && (typeof body.scoreMaximum !== 'number' || !(body.scoreMaximum > 0))) {
    bad('scoreMaximum must be a positive number');
  }
}
