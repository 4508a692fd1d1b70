/**
 * The LTI 1.3 protocol adapter. It knows nothing of rooms or tutors: the api mounts its HTTP handler under
 * /lti and hands it callbacks (ToolHooks): a launch arrived, provision and sign in; a platform registered.
 */
export { PgLtiStore, LTI_COLLECTIONS, type LtiCollection, type LtiDoc } from './store/pg-store.js';
export {
  LtiTool,
  SCOPES,
  RETIRED_KEY_GRACE_MS,
  type LtiToolOptions,
  type ToolHooks,
  type PlatformInfo,
  type PlatformStatus,
  type Product,
} from './tool/tool.js';
export { mapLtiRoles, isCourseContext } from './tool/roles.js';
export { SECTIONS, text as claimText, type Section, type VerifiedLaunch } from './tool/claims.js';
export { LtiError } from './tool/errors.js';
export { createPlatform, makeUser, type LtiPlatform, type LaunchIntent, type PlatformOptions } from './platform/index.js';
