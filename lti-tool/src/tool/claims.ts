/**
 * The validated id_token turned into what the tool needs. Everything a platform sends is untrusted text:
 * lengths are capped, control characters removed, URLs checked, booleans accepted as booleans or as the
 * strings "true"/"false" (some platforms send strings). Claims ltijs would drop (Canvas's placement, locale,
 * picture, the LTI 1.1 user id) are read here, before anything is discarded.
 */
import { isCourseContext, mapLtiRoles, type ToolCourseRole } from './roles.js';
import { LtiError } from './errors.js';

export const C = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  lti1p1: 'https://purl.imsglobal.org/spec/lti/claim/lti1p1',
  legacyUserId: 'https://purl.imsglobal.org/spec/lti/claim/lti11_legacy_user_id',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  dlSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  canvasPlacement: 'https://www.instructure.com/placement',
} as const;

export const SECTIONS = ['hub', 'chat', 'tutor', 'live', 'collab', 'schedule'] as const;
export type Section = (typeof SECTIONS)[number];

export interface VerifiedLaunch {
  issuer: string;
  clientId: string;
  deploymentId: string;
  product: 'moodle' | 'canvas' | 'generic';
  messageType: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  user: { subject: string; name: string; email: string | null; picture: string | null; locale: string | null; legacyUserId: string | null };
  context: { id: string; title: string; label: string | null };
  roles: ToolCourseRole[];
  resourceLink: { id: string; title: string | null } | null;
  /** What the launch asked to open: custom `lt_section` of a deep-linked resource link, else the hub. */
  section: Section;
  lineItemUrl: string | null;
  membershipsUrl: string | null;
  deepLinking: { returnUrl: string; data: string | null; acceptMultiple: boolean; acceptTypes: string[]; title: string | null } | null;
  placement: string | null;
  /** Origins seen in the launch (return URLs): where the platform's pages live, for CSP frame-ancestors. */
  seenOrigins: string[];
}

// eslint-disable-next-line no-control-regex -- control characters are what this strips
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** Half of a UTF-16 surrogate pair: UTF-8 (and so PostgreSQL) cannot hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Untrusted text: a string, control characters removed, trimmed, capped (never inside a surrogate pair), lone
 * surrogates replaced by U+FFFD. Null when absent or empty.
 */
export function text(v: unknown, max: number): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v).replace(CONTROL, '').trim();
  if (!s) return null;
  const capped = /[\uD800-\uDBFF]/.test(s.charAt(max - 1)) ? s.slice(0, max - 1) : s.slice(0, max);
  return capped.replace(LONE_SURROGATE, '\uFFFD');
}

/** An http(s) URL, or null. */
export function url(v: unknown, max = 2048): string | null {
  if (typeof v !== 'string' || v.length > max) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** A boolean sent as a boolean or as the string "true"/"false". */
function flag(v: unknown, def: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return def;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Checks the LTI claims of a signature-verified payload and extracts the launch. Throws LtiError. */
export function readLaunch(p: Record<string, unknown>, issuer: string, clientId: string, toolOrigin: string): VerifiedLaunch {
  if (p[C.version] !== '1.3.0') throw new LtiError('WRONG_LTI_VERSION', 400, 'The launch is not an LTI 1.3.0 message.');
  const messageType = p[C.messageType];
  if (messageType !== 'LtiResourceLinkRequest' && messageType !== 'LtiDeepLinkingRequest') {
    throw new LtiError('UNSUPPORTED_MESSAGE_TYPE', 400, 'The tool accepts resource link and deep linking launches only.');
  }
  const deploymentId = text(p[C.deploymentId], 255);
  if (!deploymentId) throw new LtiError('NO_DEPLOYMENT_ID', 400, 'The launch names no deployment.');
  const subject = text(p.sub, 255);
  if (!subject) throw new LtiError('NO_SUBJECT', 400, 'The launch names no user (anonymous launches are not supported).');
  const rawRoles = p[C.roles];
  if (!Array.isArray(rawRoles)) throw new LtiError('NO_ROLES', 400, 'The launch carries no roles claim.');
  // An empty array, or only roles this tool does not know, is a valid launch (LTI 1.3): the person lands as a guest.
  const roles = mapLtiRoles(rawRoles.filter((r): r is string => typeof r === 'string').slice(0, 50));

  const target = text(p[C.targetLinkUri], 2048);
  if (messageType === 'LtiResourceLinkRequest') {
    if (!target || !sameOrigin(target, toolOrigin))
      throw new LtiError('BAD_TARGET_LINK_URI', 400, 'The launch points to a page that is not this tool.');
  } else if (target && !sameOrigin(target, toolOrigin)) {
    throw new LtiError('BAD_TARGET_LINK_URI', 400, 'The launch points to a page that is not this tool.');
  }

  const ctx = obj(p[C.context]);
  const contextId = text(ctx.id, 255);
  if (!contextId) throw new LtiError('NO_CONTEXT', 400, 'The launch is not from a course (no context claim).');
  if (!isCourseContext(ctx.type)) throw new LtiError('NO_CONTEXT', 400, 'The launch context is not a course.');

  const rl = obj(p[C.resourceLink]);
  const resourceLinkId = text(rl.id, 255);
  if (messageType === 'LtiResourceLinkRequest' && !resourceLinkId)
    throw new LtiError('NO_RESOURCE_LINK', 400, 'The launch names no resource link.');

  const custom = obj(p[C.custom]);
  const wanted = text(custom.lt_section, 20);
  const section = (SECTIONS as readonly string[]).includes(wanted ?? '') ? (wanted as Section) : 'hub';

  const ags = obj(p[C.ags]);
  const nrps = obj(p[C.nrps]);
  const pres = obj(p[C.launchPresentation]);
  const platform = obj(p[C.toolPlatform]);
  const family = text(platform.product_family_code, 50)?.toLowerCase();
  const product = family === 'moodle' ? 'moodle' : family === 'canvas' ? 'canvas' : 'generic';

  let deepLinking: VerifiedLaunch['deepLinking'] = null;
  if (messageType === 'LtiDeepLinkingRequest') {
    const s = obj(p[C.dlSettings]);
    const returnUrl = url(s.deep_link_return_url);
    if (!returnUrl) throw new LtiError('NO_DEEP_LINK_RETURN', 400, 'The deep linking request has no valid return URL.');
    const acceptTypes = Array.isArray(s.accept_types) ? s.accept_types.filter((t): t is string => typeof t === 'string').slice(0, 20) : [];
    if (!acceptTypes.includes('ltiResourceLink'))
      throw new LtiError('DEEP_LINK_TYPE_UNSUPPORTED', 400, 'The platform does not accept LTI resource links here.');
    deepLinking = {
      returnUrl,
      data: typeof s.data === 'string' ? s.data.slice(0, 4096) : null,
      acceptMultiple: flag(s.accept_multiple, false),
      acceptTypes,
      title: text(s.title, 300),
    };
  }

  const given = text(p.given_name, 100);
  const family2 = text(p.family_name, 100);
  const name = text(p.name, 200) ?? ([given, family2].filter(Boolean).join(' ') || null) ?? text(p.email, 200) ?? 'Unnamed user';
  const email = text(p.email, 320);
  const legacy = text(p[C.legacyUserId], 255) ?? text(obj(p[C.lti1p1]).user_id, 255);
  const origins = [pres.return_url, deepLinking?.returnUrl]
    .map((u) => url(u))
    .filter((u): u is string => !!u)
    .map((u) => new URL(u).origin);

  return {
    issuer,
    clientId,
    deploymentId,
    product,
    messageType,
    user: {
      subject,
      name,
      email: email && /^[^\s@]+@[^\s@]+$/.test(email) ? email : null,
      picture: url(p.picture),
      locale: text(p.locale ?? pres.locale, 35),
      legacyUserId: legacy,
    },
    context: { id: contextId, title: text(ctx.title, 300) ?? text(ctx.label, 300) ?? 'Untitled course', label: text(ctx.label, 100) },
    roles,
    resourceLink: resourceLinkId ? { id: resourceLinkId, title: text(rl.title, 300) } : null,
    section,
    lineItemUrl: url(ags.lineitem),
    membershipsUrl: url(nrps.context_memberships_url),
    deepLinking,
    placement: text(p[C.canvasPlacement], 100),
    seenOrigins: [...new Set(origins)],
  };
}

export function sameOrigin(a: string, origin: string): boolean {
  try {
    return new URL(a).origin === origin;
  } catch {
    return false;
  }
}
