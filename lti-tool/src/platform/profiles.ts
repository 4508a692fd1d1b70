/**
 * What differs between the platforms we reproduce: identifiers, roles, lifetimes, scopes, page sizes.
 *
 * Sources (read, not copied): Moodle mod/lti/locallib.php (lti_build_login_request, lti_sign_jwt and its claim
 * mapping), mod/lti/token.php, mod/lti/openid-configuration.php, mod/lti/classes/local/ltiopenid/registration_helper.php,
 * mod/lti/service/memberships; Canvas lib/lti/messages/*.rb, app/controllers/lti/ims/*.rb,
 * app/controllers/lti/ims/providers/memberships_provider.rb, app/models/lti/ims/registration.rb,
 * lib/lti/platform_storage.rb, doc/api/lti_launch_overview.md and doc/api/registration.md.
 */
import { createHash } from 'node:crypto';
import type { DemoRole, Profile } from './types.js';

export const LTI_CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
export const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
export const AGS_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
export const DL_CLAIM = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
export const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
export const PLATFORM_CONFIG = 'https://purl.imsglobal.org/spec/lti-platform-configuration';

export const SCOPE = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

export const AGS_SCOPES: readonly string[] = [SCOPE.lineItem, SCOPE.lineItemReadonly, SCOPE.resultReadonly, SCOPE.score];
const CANVAS_PROGRESS_SCOPE = 'https://canvas.instructure.com/lti-ags/progress/scope/show';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
const MEMBERSHIP = `${LIS}membership#`;

export interface ProfileTraits {
  /** Shown in the LMS page's header bar. */
  label: string;
  /** Header bar colour. */
  accent: string;
  productFamilyCode: string;
  /** tool_platform.version in launches. */
  platformVersion: string;
  /** Seconds between id_token iat and exp. */
  idTokenLifetime: number;
  loginMethod: 'GET' | 'POST';
  /** Sends lti_storage_target and answers Platform Storage postMessages. */
  platformStorage: boolean;
  /** token_type in client_credentials answers. */
  tokenType: string;
  nrpsPageSize: number;
  /** Largest NRPS page the platform serves, whatever `limit` asks. */
  nrpsMaxPageSize: number;
  userAgentRequired: boolean;
  /** Scopes the token endpoint can grant. */
  supportedScopes: string[];
  /** Roles claim of a launch (a guest's is empty in every profile: LTI 1.3 allows an empty roles array). */
  launchRoles(role: DemoRole): string[];
  /** `roles` of an NRPS member. */
  memberRoles(role: DemoRole): string[];
  contextType: string[];
}

export const PROFILES: Record<Profile, ProfileTraits> = {
  moodle: {
    label: 'Moodle 4.4',
    accent: '#f98012',
    productFamilyCode: 'moodle',
    platformVersion: '2024042200',
    // lti_sign_jwt: 'exp' => $now + 60.
    idTokenLifetime: 60,
    // lti_initiate_login renders an auto-submitted form with method="post".
    loginMethod: 'POST',
    platformStorage: false,
    // mod/lti/token.php answers "token_type" : "Bearer".
    tokenType: 'Bearer',
    // memberships.php pages only when the tool sends `limit` (limitnum 0 = everything).
    nrpsPageSize: 0,
    nrpsMaxPageSize: Number.POSITIVE_INFINITY,
    userAgentRequired: false,
    supportedScopes: [
      ...AGS_SCOPES,
      SCOPE.nrps,
      'https://purl.imsglobal.org/spec/lti-ts/scope/toolsetting',
      'https://purl.imsglobal.org/spec/lti-bo/scope/basicoutcome',
    ],
    // lti_get_ims_role gives Instructor / Learner (plus the admin sys/inst roles for site admins); lti_sign_jwt maps
    // them to LIS v2 URIs and sorts the array.
    launchRoles: (role) =>
      role === 'admin'
        ? [`${LIS}institution/person#Administrator`, `${MEMBERSHIP}Instructor`, `${LIS}system/person#Administrator`]
        : role === 'guest'
          ? []
          : [role === 'instructor' ? `${MEMBERSHIP}Instructor` : `${MEMBERSHIP}Learner`],
    memberRoles: (role) => (role === 'guest' ? [] : [role === 'learner' ? `${MEMBERSHIP}Learner` : `${MEMBERSHIP}Instructor`]),
    contextType: ['CourseSection'],
  },
  canvas: {
    label: 'Canvas',
    accent: '#e72429',
    productFamilyCode: 'canvas',
    platformVersion: 'cloud',
    // JwtMessage#add_security_claims!: exp = 1.hour.from_now.
    idTokenLifetime: 3600,
    loginMethod: 'POST',
    platformStorage: true,
    tokenType: 'Bearer',
    // MembershipsProvider: default_per_page and max_per_page are both 50.
    nrpsPageSize: 50,
    nrpsMaxPageSize: 50,
    userAgentRequired: true,
    supportedScopes: [
      ...AGS_SCOPES,
      SCOPE.nrps,
      CANVAS_PROGRESS_SCOPE,
      'https://canvas.instructure.com/lti/public_jwk/scope/update',
      'https://canvas.instructure.com/lti/account_lookup/scope/show',
    ],
    // $com.instructure.User.allRoles: institution role, course enrolment role, system role.
    launchRoles: (role) =>
      role === 'admin'
        ? [`${LIS}institution/person#Administrator`, `${LIS}system/person#SysAdmin`, `${LIS}system/person#User`]
        : role === 'instructor'
          ? [`${LIS}institution/person#Instructor`, `${MEMBERSHIP}Instructor`, `${LIS}system/person#User`]
          : role === 'guest'
            ? []
            : [`${LIS}institution/person#Student`, `${MEMBERSHIP}Learner`, `${LIS}system/person#User`],
    memberRoles: (role) => (role === 'guest' ? [] : [role === 'learner' ? `${MEMBERSHIP}Learner` : `${MEMBERSHIP}Instructor`]),
    contextType: [`${LIS}course#CourseOffering`],
  },
  generic: {
    label: 'LTI 1.3 Platform',
    accent: '#1f5fa8',
    productFamilyCode: 'ltijs-test',
    platformVersion: '1.0',
    idTokenLifetime: 600,
    loginMethod: 'GET',
    platformStorage: true,
    // RFC 6749 §5.1: token_type is case-insensitive; the lower-case spelling checks that tools treat it so.
    tokenType: 'bearer',
    nrpsPageSize: 100,
    nrpsMaxPageSize: 1000,
    userAgentRequired: false,
    supportedScopes: [...AGS_SCOPES, SCOPE.nrps],
    // LTI 1.3 §A.2.2 still allows the deprecated simple names for context roles.
    launchRoles: (role) =>
      role === 'admin'
        ? [`${LIS}system/person#Administrator`, 'Instructor']
        : role === 'guest'
          ? []
          : [role === 'instructor' ? 'Instructor' : 'Learner'],
    memberRoles: (role) => (role === 'guest' ? [] : [role === 'learner' ? 'Learner' : 'Instructor']),
    contextType: ['CourseOffering'],
  },
};

/** Hex digest used for Canvas-style opaque identifiers (40 hex characters, like Lti::Asset.opaque_identifier_for). */
export function opaqueId(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/** A stable UUID-shaped id from a seed (Canvas user lti_id, resource link ids). */
function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Identifier shapes of each platform, from a sequence number (and a seed where Canvas hashes). */
export const ids = {
  /** Moodle: random 15-character string; Canvas: a developer key global id; generic: a UUID. */
  clientId(profile: Profile, seq: number, random: string): string {
    if (profile === 'moodle') return random.slice(0, 15);
    if (profile === 'canvas') return String(10000000000000 + seq);
    return uuidFrom(`client:${random}`);
  },
  /** Moodle: the tool type id; Canvas: "<tool id>:<context opaque id>"; generic: a label. */
  deploymentId(profile: Profile, seq: number, contextId: string): string {
    if (profile === 'moodle') return String(seq);
    if (profile === 'canvas') return `${seq}:${opaqueId(`context:${contextId}`)}`;
    return `deployment-${seq}`;
  },
  /** Moodle ids count from 2 (the site admin); Canvas sends the user's lti_id (a UUID). */
  userId(profile: Profile, seq: number): string {
    if (profile === 'moodle') return String(seq + 1);
    if (profile === 'canvas') return uuidFrom(`user:${seq}`);
    return `user-${seq}`;
  },
  courseId(profile: Profile, seq: number): string {
    if (profile === 'moodle') return String(seq + 1);
    if (profile === 'canvas') return opaqueId(`course:${seq}`);
    return `course-${seq}`;
  },
  resourceLinkId(profile: Profile, seq: number): string {
    if (profile === 'canvas') return uuidFrom(`resource-link:${seq}`);
    if (profile === 'moodle') return String(seq);
    return `resource-link-${seq}`;
  },
};

/** Canvas' login_hint and lti11_legacy_user_id for a user: an opaque 40-hex id. */
export function canvasLegacyId(userId: string): string {
  return opaqueId(`legacy-user:${userId}`);
}

/** AGS scopes to list in a launch's endpoint claim: the tool's, in the platform's order (Moodle sorts). */
export function agsClaimScopes(profile: Profile, toolScopes: string[]): string[] {
  const candidates = profile === 'canvas' ? [...AGS_SCOPES, CANVAS_PROGRESS_SCOPE] : [...AGS_SCOPES];
  const scopes = candidates.filter((s) => toolScopes.includes(s));
  return profile === 'moodle' ? scopes.sort() : scopes;
}
