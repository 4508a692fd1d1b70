/** Who is calling: a signed-in user through a session token, or an integrator through an API key. */
import type { CourseRole } from '../courses/roles.js';

export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
/** Scopes an instructor may give a key. `admin` (installation administration: LTI platforms) is minted only on the server, by `npm run lti:platform -- admin-key`. */
export const GRANTABLE_SCOPES = ['read', 'write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export type Viewer =
  | { kind: 'session'; tenantId: string; userId: string; courseId: string | null; roles: CourseRole[]; expiresAt: number }
  | {
      kind: 'apiKey';
      tenantId: string;
      keyId: string;
      scopes: ApiKeyScope[];
      /**
       * The key's reach as recorded at creation (a key's reach never changes): the courses it names, or the whole
       * tenant. What it reaches now also depends on its creator's current roles (Access re-checks on every use).
       */
      createdBy: string | null;
      courseIds: readonly string[];
      tenantWide: boolean;
      /** When the key expires (ms since the epoch), or null: open connections and subscriptions end then. */
      expiresAt: number | null;
    };
