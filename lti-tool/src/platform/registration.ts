/**
 * LTI Dynamic Registration 1.0, platform side: the OpenID configuration, one-time registration tokens, and the
 * registration endpoint.
 *
 * Moodle (openid-configuration.php, openid-registration.php, registration_helper.php): messages_supported is a list
 * of plain strings; the registration token is an RS256 JWT whose `sub` is the client id to create, refused with 401
 * "token_already_used" once that client exists; the answer is Moodle's own rendering of the new tool type, with
 * lti-tool-configuration.deployment_id (the tool type id), application_type as an array and a fixed claims list.
 * Canvas (doc/api/registration.md, app/models/lti/ims/registration.rb): messages_supported holds {type, placements}
 * objects; grant_types must include client_credentials and implicit; invalid registrations get 422; the answer echoes
 * the registration plus client_id, without a deployment id (the deployment comes with the first launch).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, HttpError, readBody, sendJson } from './http.js';
import type { PlatformImpl } from './platform.js';
import { AGS_SCOPES, PLATFORM_CONFIG, PROFILES, SCOPE, TOOL_CONFIG } from './profiles.js';

const REGISTRATION_TOKEN_LIFETIME_MS = 60 * 60_000;

const MOODLE_VARIABLES = [
  'basic-lti-launch-request',
  'ContentItemSelectionRequest',
  'ToolProxyRegistrationRequest',
  'Context.id',
  'Context.title',
  'Context.label',
  'Context.id.history',
  'Context.sourcedId',
  'Context.longDescription',
  'Context.timeFrame.begin',
  'CourseSection.title',
  'CourseSection.label',
  'CourseSection.sourcedId',
  'CourseSection.longDescription',
  'CourseSection.timeFrame.begin',
  'CourseSection.timeFrame.end',
  'ResourceLink.id',
  'ResourceLink.title',
  'ResourceLink.description',
  'User.id',
  'User.username',
  'Person.name.full',
  'Person.name.given',
  'Person.name.family',
  'Person.email.primary',
  'Person.sourcedId',
  'Person.name.middle',
  'Person.address.timezone',
  'Membership.role',
  'Result.sourcedId',
  'Result.autocreate',
  'BasicOutcome.sourcedId',
  'BasicOutcome.url',
  'Moodle.Person.userGroupIds',
];

const CANVAS_PLACEMENTS = {
  LtiResourceLinkRequest: [
    'account_navigation',
    'assignment_edit',
    'assignment_menu',
    'assignment_view',
    'course_navigation',
    'global_navigation',
    'link_selection',
    'module_menu',
    'user_navigation',
  ],
  LtiDeepLinkingRequest: [
    'assignment_selection',
    'editor_button',
    'homework_submission',
    'link_selection',
    'migration_selection',
    'module_index_menu_modal',
    'submission_type_selection',
  ],
};

/** The platform's OpenID configuration (Dynamic Registration §3.4), in each platform's shape. */
export function openidConfiguration(p: PlatformImpl): Record<string, unknown> {
  const common = {
    issuer: p.issuer,
    authorization_endpoint: p.authEndpoint,
    token_endpoint: p.url('/token'),
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    jwks_uri: p.url('/jwks'),
    registration_endpoint: p.url('/register'),
    response_types_supported: ['id_token'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
  if (p.profile === 'moodle') {
    return {
      ...common,
      scopes_supported: [...p.traits.supportedScopes, 'openid'],
      subject_types_supported: ['public', 'pairwise'],
      claims_supported: ['sub', 'iss', 'name', 'given_name', 'family_name', 'email'],
      [PLATFORM_CONFIG]: {
        product_family_code: 'moodle',
        version: '4.4 (Build: 20240422)',
        messages_supported: ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
        placements: ['AddContentMenu'],
        variables: MOODLE_VARIABLES,
      },
    };
  }
  if (p.profile === 'canvas') {
    return {
      ...common,
      scopes_supported: p.traits.supportedScopes,
      claims_supported: ['sub', 'picture', 'email', 'name', 'given_name', 'family_name', 'locale'],
      subject_types_supported: ['public'],
      // The `aud` tools may put in client assertions instead of the token endpoint URL.
      authorization_server: new URL(p.issuer).host,
      [PLATFORM_CONFIG]: {
        product_family_code: 'canvas',
        version: 'vCloud',
        messages_supported: Object.entries(CANVAS_PLACEMENTS).map(([type, placements]) => ({ type, placements })),
        variables: [
          'ResourceLink.id',
          'ResourceLink.title',
          'Context.id',
          'Context.title',
          'Person.name.full',
          'Person.email.primary',
          'Canvas.course.id',
          'Canvas.user.loginId',
          'Canvas.api.domain',
        ],
        'https://canvas.instructure.com/lti/account_name': p.siteName,
      },
    };
  }
  return {
    ...common,
    scopes_supported: ['openid', ...p.traits.supportedScopes],
    subject_types_supported: ['public'],
    claims_supported: ['iss', 'aud', 'sub', 'name', 'given_name', 'family_name', 'email'],
    [PLATFORM_CONFIG]: {
      product_family_code: PROFILES.generic.productFamilyCode,
      version: PROFILES.generic.platformVersion,
      messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }],
    },
  };
}

/** A new one-time registration token (Moodle: RS256 JWT with the future client id as sub; Canvas: its HS256 JWT). */
export function registrationToken(p: PlatformImpl): string {
  const clientId = p.newClientId();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + REGISTRATION_TOKEN_LIFETIME_MS / 1000;
  const token =
    p.profile === 'moodle'
      ? p.signSync({ sub: clientId, scope: 'reg', iat, exp })
      : p.profile === 'canvas'
        ? p.hs256({ initiated_at: new Date().toISOString(), user_id: 1, root_account_uuid: randomUUID(), uuid: randomUUID(), exp })
        : randomBytes(24).toString('base64url');
  p.registrationTokens.set(token, { clientId, used: false, expiresAt: Date.now() + REGISTRATION_TOKEN_LIFETIME_MS });
  return token;
}

type Json = Record<string, any>;

export async function handleRegister(p: PlatformImpl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, 'missing_registration_token');
  const grant = p.registrationTokens.get(token);
  if (!grant || grant.expiresAt < Date.now()) throw new HttpError(401, 'invalid_registration_token');
  if (grant.used) throw new HttpError(401, 'token_already_used');

  let body: Json;
  try {
    body = JSON.parse(await readBody(req)) as Json;
  } catch {
    throw invalid(p, 'the registration body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid(p, 'the registration body must be a JSON object');
  const problem = registrationProblem(p, body);
  if (problem) throw invalid(p, problem);

  const config = body[TOOL_CONFIG] as Json;
  const requested = String(body.scope ?? '')
    .split(' ')
    .filter(Boolean);
  const unknown = requested.filter((s) => !p.traits.supportedScopes.includes(s));
  if (unknown.length && p.profile === 'canvas') throw invalid(p, `Invalid scopes: ${unknown.join(', ')}`);
  const messages: Json[] = Array.isArray(config.messages) ? config.messages : [];
  const tool = p.registerTool({
    clientId: grant.clientId,
    name: body.client_name,
    loginUrl: body.initiate_login_uri,
    redirectUris: body.redirect_uris,
    jwksUrl: body.jwks_uri,
    targetLinkUri: config.target_link_uri,
    deepLinkingUri: messages.find((m) => m.type === 'LtiDeepLinkingRequest')?.target_link_uri,
    scopes: requested.filter((s) => p.traits.supportedScopes.includes(s)),
    custom: config.custom_parameters,
  });
  grant.used = true;
  p.received.registrations.push({ body, clientId: tool.clientId });

  const deploymentId = tool.deploymentIds[0]!;
  if (p.profile === 'moodle') return sendJson(res, 200, moodleRegistrationResponse(body, config, tool.clientId, deploymentId, requested));
  if (p.profile === 'canvas') return sendJson(res, 200, { ...body, client_id: tool.clientId });
  sendJson(res, 200, { ...body, client_id: tool.clientId, [TOOL_CONFIG]: { ...config, deployment_id: deploymentId } });
}

/** Moodle: 400 with the reason; Canvas: 422 with its errors object; generic: RFC 7591 invalid_client_metadata. */
function invalid(p: PlatformImpl, message: string): HttpError {
  if (p.profile === 'moodle') return new HttpError(400, message);
  if (p.profile === 'canvas') return new HttpError(422, message, { errors: [{ field: 'registration', message }] });
  return new HttpError(400, message, { error: 'invalid_client_metadata', error_description: message });
}

const isUrl = (v: unknown): boolean => typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v);

/** What is wrong with a registration, as the platform checks it; undefined when it is acceptable. */
function registrationProblem(p: PlatformImpl, body: Json): string | undefined {
  const strict = p.profile !== 'moodle';
  const required = ['response_types', 'initiate_login_uri', 'redirect_uris', 'jwks_uri', 'token_endpoint_auth_method', TOOL_CONFIG];
  if (p.profile !== 'generic') required.push('client_name');
  if (strict) required.push('application_type', 'grant_types');
  const missing = required.find((k) => body[k] === undefined || body[k] === '' || body[k] === null);
  if (missing) return `missing required attribute ${missing}`;
  if (body.application_type !== undefined && body.application_type !== 'web')
    return 'invalid_application_type: application_type must be "web"';
  if (!Array.isArray(body.response_types) || !body.response_types.includes('id_token'))
    return 'invalid_response_types: response_types must include "id_token"';
  if (strict && (!Array.isArray(body.grant_types) || !['client_credentials', 'implicit'].every((g) => body.grant_types.includes(g)))) {
    return 'invalid grant_types: must include client_credentials and implicit';
  }
  if (!isUrl(body.initiate_login_uri)) return 'invalid initiate_login_uri';
  if (!Array.isArray(body.redirect_uris) || !body.redirect_uris.length || !body.redirect_uris.every(isUrl)) return 'invalid_redirect_uris';
  if (!isUrl(body.jwks_uri)) return 'invalid jwks_uri';
  if (body.token_endpoint_auth_method !== 'private_key_jwt') return 'invalid_token_endpoint_auth_method: must be "private_key_jwt"';
  const config = body[TOOL_CONFIG] as Json;
  if (typeof config !== 'object' || Array.isArray(config)) return `${TOOL_CONFIG} must be an object`;
  if (typeof config.domain !== 'string' || !config.domain) return `missing required attribute domain`;
  if (!isUrl(config.target_link_uri)) return 'missing required attribute target_link_uri';
  if (strict && !Array.isArray(config.messages)) return `${TOOL_CONFIG}.messages must be an array`;
  if (strict && !Array.isArray(config.claims)) return `${TOOL_CONFIG}.claims must be an array`;
  const messages: Json[] = Array.isArray(config.messages) ? config.messages : [];
  const badMessage = messages.find(
    (m) => !m || typeof m.type !== 'string' || (m.target_link_uri !== undefined && !isUrl(m.target_link_uri)),
  );
  if (badMessage) return `invalid message ${JSON.stringify(badMessage)}`;
  return undefined;
}

/** registration_helper::config_to_registration, quirks included (application_type as an array, fixed claims). */
function moodleRegistrationResponse(body: Json, config: Json, clientId: string, deploymentId: string, requested: string[]): Json {
  const scopes: string[] = [];
  if (requested.some((s) => AGS_SCOPES.includes(s))) scopes.push(SCOPE.score, SCOPE.resultReadonly, SCOPE.lineItemReadonly);
  if (requested.includes(SCOPE.lineItem)) scopes.push(SCOPE.lineItem);
  if (requested.includes(SCOPE.nrps)) scopes.push(SCOPE.nrps);
  const deepLinking = (config.messages as Json[] | undefined)?.find((m) => m.type === 'LtiDeepLinkingRequest');
  return {
    client_id: clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    response_types: ['id_token'],
    jwks_uri: body.jwks_uri,
    initiate_login_uri: body.initiate_login_uri,
    grant_types: ['client_credentials', 'implicit'],
    redirect_uris: body.redirect_uris,
    application_type: ['web'],
    client_name: body.client_name,
    logo_uri: body.logo_uri ?? '',
    scope: scopes.join(' '),
    [TOOL_CONFIG]: {
      deployment_id: deploymentId,
      target_link_uri: config.target_link_uri,
      domain: config.domain,
      description: config.description ?? '',
      ...(deepLinking
        ? {
            messages: [
              { type: 'LtiDeepLinkingRequest', ...(deepLinking.target_link_uri ? { target_link_uri: deepLinking.target_link_uri } : {}) },
            ],
          }
        : {}),
      ...(config.custom_parameters ? { custom_parameters: config.custom_parameters } : {}),
      // Moodle assigns instead of comparing when it builds this list, so it is always the same.
      claims: ['sub', 'iss', 'name', 'family_name', 'middle_name', 'email'],
    },
  };
}
