/**
 * The deep linking return endpoint (Deep Linking 2.0 §4): the tool's browser POSTs a signed LtiDeepLinkingResponse as
 * form field `JWT`. We verify it against the tool's JWKS, record it, and turn its ltiResourceLink items into course
 * activities (with a line item when the item asks for one).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { renderDeepLinkResult, renderFramePage, type ReceivedItem } from './html.js';
import { escapeHtml, readBody, sendHtml } from './http.js';
import type { DeepLinkRequest, PlatformImpl } from './platform.js';
import { DL_CLAIM, LTI_CLAIM } from './profiles.js';
import type { Activity, Course } from './types.js';

export async function handleDeepLinkReturn(p: PlatformImpl, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const jwt = new URLSearchParams(await readBody(req)).get('JWT') ?? '';
  const entry: PlatformImpl['received']['deepLinks'][number] = { jwt, payload: safeDecode(jwt), valid: false };
  p.received.deepLinks.push(entry);
  const token = url.searchParams.get('sesskey') ?? url.searchParams.get('dl') ?? '';
  const request = p.deepLinkRequests.get(token);
  const course = request && p.findCourse(request.courseId);
  const home = course ? `${p.pageUrl('/')}?${new URLSearchParams({ context: course.id })}` : p.pageUrl('/');
  try {
    if (!jwt) throw new Error('the JWT form field is missing');
    if (!request || !course) throw new Error('this return URL does not belong to a deep linking request of ours');
    const payload = await verifyResponse(p, jwt, request);
    const items = contentItems(payload);
    entry.valid = true;
    p.deepLinkRequests.delete(token);
    for (const item of items) addActivity(p, course, item);
    const message = typeof payload[`${DL_CLAIM}msg`] === 'string' ? (payload[`${DL_CLAIM}msg`] as string) : undefined;
    sendHtml(res, 200, renderDeepLinkResult(items.map(summary), message, home));
  } catch (e) {
    entry.error = (e as Error).message;
    const toolError =
      typeof entry.payload?.[`${DL_CLAIM}errormsg`] === 'string'
        ? `<p>The tool said: ${escapeHtml(entry.payload[`${DL_CLAIM}errormsg`])}</p>`
        : '';
    sendHtml(
      res,
      400,
      renderFramePage('Deep linking response refused', `<p class="error">${escapeHtml(entry.error)}</p>${toolError}`, home),
    );
  }
}

function safeDecode(jwt: string): any {
  try {
    return decodeJwt(jwt);
  } catch {
    return undefined;
  }
}

async function verifyResponse(p: PlatformImpl, jwt: string, request: DeepLinkRequest): Promise<JWTPayload> {
  const tool = p.findTool(request.clientId)!;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(jwt, await p.toolKeys(tool), {
      algorithms: ['RS256'],
      issuer: tool.clientId,
      audience: p.issuer,
      requiredClaims: ['exp', 'iat', 'nonce'],
    }));
  } catch (e) {
    throw new Error(`the response JWT does not verify: ${(e as Error).message}`);
  }
  const claim = (name: string): unknown => payload[`${LTI_CLAIM}${name}`];
  if (claim('message_type') !== 'LtiDeepLinkingResponse')
    throw new Error(`message_type must be LtiDeepLinkingResponse, got ${JSON.stringify(claim('message_type'))}`);
  if (claim('version') !== '1.3.0') throw new Error(`version must be 1.3.0, got ${JSON.stringify(claim('version'))}`);
  if (claim('deployment_id') !== request.deploymentId)
    throw new Error(`deployment_id must be ${request.deploymentId}, got ${JSON.stringify(claim('deployment_id'))}`);
  if (request.data !== undefined && payload[`${DL_CLAIM}data`] !== request.data) {
    throw new Error(
      `the data claim must echo the request's data (${JSON.stringify(request.data)}), got ${JSON.stringify(payload[`${DL_CLAIM}data`])}`,
    );
  }
  return payload;
}

interface ResourceLinkItem {
  type: 'ltiResourceLink';
  title?: string;
  text?: string;
  url?: string;
  custom?: Record<string, unknown>;
  lineItem?: { label?: string; scoreMaximum: number; resourceId?: string; tag?: string };
}

/** The response's content items, checked against what every profile's request accepts: ltiResourceLink items, any
 *  number of them (accept_multiple is true everywhere). */
function contentItems(payload: JWTPayload): ResourceLinkItem[] {
  const items = payload[`${DL_CLAIM}content_items`] ?? [];
  if (!Array.isArray(items)) throw new Error('content_items must be an array');
  for (const item of items as Array<Record<string, any>>) {
    if (!item || item.type !== 'ltiResourceLink')
      throw new Error(`content item type ${JSON.stringify(item?.type)} was not accepted (accept_types: ltiResourceLink)`);
    if (item.url !== undefined && !/^https?:\/\//.test(String(item.url)))
      throw new Error(`content item url ${JSON.stringify(item.url)} is not an http(s) URL`);
    if (item.custom !== undefined && (typeof item.custom !== 'object' || Array.isArray(item.custom)))
      throw new Error('content item custom must be an object');
    if (item.lineItem !== undefined && !(typeof item.lineItem?.scoreMaximum === 'number' && item.lineItem.scoreMaximum > 0)) {
      throw new Error('a content item lineItem needs a positive numeric scoreMaximum');
    }
  }
  return items as ResourceLinkItem[];
}

function addActivity(p: PlatformImpl, course: Course, item: ResourceLinkItem): void {
  const activity: Activity = {
    resourceLinkId: p.nextResourceLinkId(),
    title: item.title ?? 'Untitled activity',
    text: item.text,
    url: item.url,
    custom: item.custom
      ? Object.fromEntries(Object.entries(item.custom).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
      : undefined,
  };
  if (item.lineItem) {
    const { label, scoreMaximum, resourceId, tag } = item.lineItem;
    activity.lineItemId = p.createLineItem(course, {
      label: label ?? activity.title,
      scoreMaximum,
      resourceId,
      tag,
      resourceLinkId: activity.resourceLinkId,
    }).id;
  }
  course.activities.push(activity);
}

function summary(item: ResourceLinkItem): ReceivedItem {
  return { title: item.title ?? 'Untitled activity', url: item.url, lineItem: item.lineItem };
}
