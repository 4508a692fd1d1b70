/**
 * The id_token claims of a launch, in the shapes each platform really sends.
 *
 * Moodle (lti_sign_jwt): LTI 1.1 parameters mapped to claims; array claims are sorted; booleans of the deep linking
 * settings are real booleans since the claim mapping gained 'type' => 'boolean' (older releases sent "true"/"false"
 * strings); ext_* parameters land in the `ext` claim; no azp; exp = iat + 60.
 * Canvas (Lti::Messages::JwtMessage and subclasses, checked against real Canvas id_tokens): azp, locale, picture,
 * lti11_legacy_user_id, lti1p1, the placement extension, several roles at once; exp = iat + 3600.
 * Generic: what LTI Core 1.3, AGS 2.0, NRPS 2.0 and Deep Linking 2.0 require, plus the usual optional claims.
 */
import { AGS_CLAIM, DL_CLAIM, LTI_CLAIM, NRPS_CLAIM, PROFILES, SCOPE, agsClaimScopes, canvasLegacyId, opaqueId } from './profiles.js';
import type { Course, MessageType, Profile, ToolRegistration, User } from './types.js';

/** A resource link as launched: from the course's activity, or as the intent gave it. */
export interface ResolvedLink {
  id: string;
  title: string;
  description: string;
  custom: Record<string, string>;
  lineItemUrl?: string;
}

export interface LaunchInput {
  profile: Profile;
  issuer: string;
  siteName: string;
  tool: ToolRegistration;
  deploymentId: string;
  course: Course;
  /** Canvas' numeric course id (for $Canvas.course.id). */
  courseNumber: number;
  user: User;
  messageType: MessageType;
  link?: ResolvedLink;
  targetLinkUri: string;
  nonce: string;
  returnUrl: string;
  nrpsUrl: string;
  lineItemsUrl: string;
  /** Deep linking only. */
  deepLink?: { returnUrl: string; data?: string };
  /** Canvas' https://www.instructure.com/placement value. */
  placement: string | null;
}

const host = (url: string): string => new URL(url).host;

export function buildLaunchClaims(input: LaunchInput): Record<string, any> {
  const { profile, tool } = input;
  const traits = PROFILES[profile];
  const iat = Math.floor(Date.now() / 1000);
  const claims: Record<string, any> = {
    iss: input.issuer,
    aud: tool.clientId,
    sub: input.user.id,
    iat,
    exp: iat + traits.idTokenLifetime,
    nonce: input.nonce,
    [`${LTI_CLAIM}deployment_id`]: input.deploymentId,
    [`${LTI_CLAIM}target_link_uri`]: input.targetLinkUri,
    [`${LTI_CLAIM}message_type`]: input.messageType,
    [`${LTI_CLAIM}version`]: '1.3.0',
    [`${LTI_CLAIM}roles`]: traits.launchRoles(input.user.role),
    [`${LTI_CLAIM}context`]: { id: input.course.id, label: input.course.label, title: input.course.title, type: traits.contextType },
    name: input.user.name,
    given_name: input.user.givenName,
    family_name: input.user.familyName,
    email: input.user.email,
  };
  if (input.link) {
    claims[`${LTI_CLAIM}resource_link`] = { id: input.link.id, title: input.link.title, description: input.link.description };
  }
  const custom = { ...profileCustom(input), ...input.link?.custom };
  if (Object.keys(custom).length) claims[`${LTI_CLAIM}custom`] = custom;
  if (tool.scopes.includes(SCOPE.nrps)) {
    claims[NRPS_CLAIM] = { context_memberships_url: input.nrpsUrl, service_versions: profile === 'moodle' ? ['1.0', '2.0'] : ['2.0'] };
  }
  const agsScopes = agsClaimScopes(profile, tool.scopes);
  // Canvas adds the AGS claim in ResourceLinkRequest only; Moodle adds it to both message types.
  if (agsScopes.length && (input.messageType === 'LtiResourceLinkRequest' || profile !== 'canvas')) {
    claims[AGS_CLAIM] = {
      scope: agsScopes,
      lineitems: input.lineItemsUrl,
      ...(input.link?.lineItemUrl ? { lineitem: input.link.lineItemUrl } : {}),
    };
  }
  if (input.deepLink) claims[`${DL_CLAIM}deep_linking_settings`] = deepLinkingSettings(input, input.deepLink);

  if (profile === 'moodle') addMoodleClaims(claims, input);
  else if (profile === 'canvas') addCanvasClaims(claims, input);
  else addGenericClaims(claims, input);
  return claims;
}

function profileCustom(input: LaunchInput): Record<string, string> {
  const custom = { ...input.tool.custom };
  if (input.profile === 'canvas') {
    // The usual $Canvas.* substitutions a Canvas developer key configures.
    Object.assign(custom, {
      canvas_course_id: String(input.courseNumber),
      canvas_user_login_id: input.user.username,
      canvas_api_domain: host(input.issuer),
    });
  }
  return custom;
}

function deepLinkingSettings(input: LaunchInput, dl: { returnUrl: string; data?: string }): Record<string, unknown> {
  if (input.profile === 'moodle') {
    // lti_build_content_item_selection_request as auth.php calls it: multiple, nothing else; all frame targets.
    return {
      accept_copy_advice: false,
      accept_multiple: true,
      accept_presentation_document_targets: ['frame', 'iframe', 'window'],
      accept_types: ['ltiResourceLink'],
      accept_unsigned: false,
      auto_create: false,
      can_confirm: false,
      deep_link_return_url: dl.returnUrl,
      title: input.tool.name ?? 'External tool',
      text: '',
    };
  }
  if (input.profile === 'canvas') {
    // DeepLinkingRequest::DEEP_LINKING_DETAILS["link_selection"]; Canvas sends no title, text or data.
    return {
      deep_link_return_url: dl.returnUrl,
      accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['iframe', 'window'],
      accept_media_types: 'application/vnd.ims.lti.v1.ltilink',
      auto_create: false,
      accept_multiple: true,
    };
  }
  return {
    deep_link_return_url: dl.returnUrl,
    accept_types: ['ltiResourceLink'],
    accept_presentation_document_targets: ['iframe', 'window'],
    accept_multiple: true,
    auto_create: false,
    title: 'Add an activity',
    text: `Choose what to add to ${input.course.title}`,
    ...(dl.data !== undefined ? { data: dl.data } : {}),
  };
}

function addMoodleClaims(claims: Record<string, any>, input: LaunchInput): void {
  claims[`${LTI_CLAIM}lis`] = { person_sourcedid: input.user.sourcedId ?? '', course_section_sourcedid: '' };
  claims[`${LTI_CLAIM}ext`] = { user_username: input.user.username, lms: 'moodle-2' };
  claims[`${LTI_CLAIM}tool_platform`] = {
    product_family_code: 'moodle',
    version: PROFILES.moodle.platformVersion,
    guid: host(input.issuer),
    name: input.siteName,
    description: input.siteName,
  };
  // Deep linking requests drop launch_presentation_return_url (lti_build_content_item_selection_request).
  claims[`${LTI_CLAIM}launch_presentation`] = {
    locale: 'en',
    document_target: 'iframe',
    ...(input.link ? { return_url: input.returnUrl } : {}),
  };
  if (input.link?.lineItemUrl) {
    // LTI 1.1 Basic Outcomes, which Moodle still announces next to AGS when the activity is graded.
    claims['https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome'] = {
      lis_result_sourcedid: JSON.stringify({
        data: { instanceid: input.link.id, userid: input.user.id, typeid: input.deploymentId, launchid: null },
        hash: opaqueId(`${input.link.id}:${input.user.id}`),
      }),
      lis_outcome_service_url: `${input.issuer}/service.php`,
    };
  }
}

function addCanvasClaims(claims: Record<string, any>, input: LaunchInput): void {
  const legacyId = canvasLegacyId(input.user.id);
  claims.azp = input.tool.clientId;
  claims.locale = 'en';
  if (input.user.picture) claims.picture = input.user.picture;
  claims[`${LTI_CLAIM}lis`] = {
    person_sourcedid: input.user.sourcedId ?? '$Person.sourcedId',
    course_offering_sourcedid: '$CourseSection.sourcedId',
  };
  claims[`${LTI_CLAIM}tool_platform`] = {
    guid: `${opaqueId(`account:${input.issuer}`)}:canvas-lms`,
    name: input.siteName,
    version: 'cloud',
    product_family_code: 'canvas',
  };
  claims[`${LTI_CLAIM}launch_presentation`] = { document_target: 'iframe', return_url: input.returnUrl, locale: 'en' };
  claims[`${LTI_CLAIM}lti11_legacy_user_id`] = legacyId;
  claims[`${LTI_CLAIM}lti1p1`] = {
    user_id: legacyId,
    ...(input.link ? { resource_link_id: opaqueId(`legacy-link:${input.link.id}`) } : {}),
  };
  claims['https://www.instructure.com/placement'] = input.placement;
  claims.errors = { errors: {} };
}

function addGenericClaims(claims: Record<string, any>, input: LaunchInput): void {
  claims[`${LTI_CLAIM}tool_platform`] = {
    guid: host(input.issuer),
    name: input.siteName,
    product_family_code: PROFILES.generic.productFamilyCode,
    version: PROFILES.generic.platformVersion,
  };
  claims[`${LTI_CLAIM}launch_presentation`] = { document_target: 'iframe', return_url: input.returnUrl, locale: 'en-US' };
}
