/**
 * An LTI 1.3 Advantage platform (an LMS stand-in) that speaks the real protocol — RS256-signed id_tokens, the OIDC
 * third-party-initiated login, OAuth 2 client_credentials with private_key_jwt, NRPS, AGS, Deep Linking, Dynamic
 * Registration and the platform side of LTI Platform Storage — in three profiles that send what Moodle 4.x, Canvas
 * and a spec-minimal platform send.
 *
 * Two uses: mounted in the app at /dev/lms as a demo LMS page (`handle()` under baseUrl's path), and on its own HTTP
 * server in tests (`listen()`), where `received` shows what the tool sent and `initiate()`, `sign()` and the intent
 * hooks drive and forge launches.
 *
 * Endpoints under baseUrl: GET / (LMS page), GET /.well-known/openid-configuration, POST /register, GET /jwks,
 * GET|POST /auth, POST /token, GET /nrps/{context}, /ags/{context}/lineitems…, POST /deep-link-return, GET /return.
 */
import { PlatformImpl } from './platform.js';
import type { LtiPlatform, PlatformOptions } from './types.js';

export type { LaunchIntent, LtiPlatform, PlatformOptions, Profile, ToolRegistration } from './types.js';
export { makeUser } from './demo.js';

export async function createPlatform(opts: PlatformOptions): Promise<LtiPlatform> {
  return PlatformImpl.create(opts);
}
