/** Turns a presented credential (Bearer header or connection_init payload) into a viewer, and renews sessions. */
import { AppError } from '../errors.js';
import type { SessionTokens } from './session.js';
import type { ApiKeyService } from '../apikeys/service.js';
import type { Access } from './access.js';
import type { Viewer } from './viewer.js';

export class Authenticator {
  constructor(
    private readonly sessions: SessionTokens,
    private readonly keys: ApiKeyService,
    private readonly access: Access,
  ) {}

  /**
   * A new session token for the same user and course, while the membership is still active: with the course's
   * roles as they are now (an instructor demoted since the launch renews as what they are).
   */
  async refresh(viewer: Viewer): Promise<{ token: string; expiresAt: Date }> {
    if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', 'Only a session can be refreshed.');
    let roles = viewer.roles;
    if (viewer.courseId) {
      const m = await this.access.membership(viewer.courseId, viewer.userId);
      if (!m || !m.active)
        throw new AppError('UNAUTHENTICATED', 'You are no longer a member of this course. Open the tool again from your LMS.');
      roles = m.roles;
    }
    const token = await this.sessions.issue({ tenantId: viewer.tenantId, userId: viewer.userId, courseId: viewer.courseId, roles });
    return { token, expiresAt: new Date(Date.now() + this.sessions.ttlSeconds * 1000) };
  }

  /** `authorization` is a header value ("Bearer x") or a bare token; undefined means anonymous. */
  /**
   * `remember: false` for a credential checked once for a long time (a WebSocket's connection_init): keeping it
   * among the verified tokens would only hold a copy per connection.
   */
  async authenticate(authorization: string | null | undefined, opts: { remember?: boolean } = {}): Promise<Viewer | null> {
    if (authorization == null || authorization === '') return null;
    if (typeof authorization !== 'string' || authorization.length > 4096) {
      throw new AppError('UNAUTHENTICATED', 'The credential is not valid.');
    }
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    const token = m ? m[1]! : authorization.trim();
    if (token.startsWith('ltk_')) return this.keys.verify(token);
    return this.sessions.verify(token, opts.remember ?? true);
  }
}

/** The credential of a graphql-ws connection_init payload: `{ authorization }` or `{ token }`. */
export function credentialFromPayload(init: unknown): string | undefined {
  if (!init || typeof init !== 'object') return undefined;
  const p = init as Record<string, unknown>;
  const v = p.authorization ?? p.Authorization ?? p.token;
  return typeof v === 'string' ? v : undefined;
}
